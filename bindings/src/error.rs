//! The one error type of the bindings, [`GridbookError`], and the one place
//! where the core's errors ([`gridbook::Error`], [`gridbook::sync::SyncError`])
//! are mapped to it.
//!
//! Like the core's, these errors name a field or a cause and never carry the
//! rejected value: a resident's ID number or phone must not reach an app's
//! crash reports because it failed validation.

use gridbook::InvalidReason as CoreReason;
use gridbook::sync::SyncError;

use crate::codes::RecordKind;

/// Why a value was rejected. Never carries the value itself.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum InvalidReason {
    /// The value is empty or contains only whitespace.
    Empty,
    /// The value has more characters than allowed.
    TooLong {
        /// The maximum number of characters allowed.
        max: u64,
    },
    /// The value contains control characters.
    ControlCharacters,
    /// The value is not shaped like an 18-character resident ID number.
    IdNumberFormat,
    /// The birth date embedded in an ID number is not a real date.
    IdNumberBirthDate,
    /// The ID number's check character is wrong (GB 11643).
    IdNumberCheckDigit,
    /// The value is neither an 11-digit mobile nor a landline number.
    Phone,
    /// The value is not a strict `YYYY-MM-DD` date that exists.
    DateFormat,
    /// The date lies after today.
    InFuture,
    /// The date lies before the year 1900.
    TooOld,
    /// The value is not a strict `HH:MM` time of day.
    TimeFormat,
    /// The number is outside its allowed range.
    OutOfRange,
    /// The number is NaN or infinite.
    NotFinite,
    /// The value is not one of the known codes.
    UnknownCode,
    /// An end time or date is not after its start.
    EndsBeforeStart,
    /// An identifier contains characters other than ASCII letters, digits, `-` and `_`.
    BadCharacters,
    /// The patrol member is neither assigned to the shift nor in its team.
    NotOnShift,
}

impl From<CoreReason> for InvalidReason {
    fn from(reason: CoreReason) -> Self {
        match reason {
            CoreReason::Empty => InvalidReason::Empty,
            CoreReason::TooLong { max } => InvalidReason::TooLong {
                max: u64::try_from(max).unwrap_or(u64::MAX),
            },
            CoreReason::ControlCharacters => InvalidReason::ControlCharacters,
            CoreReason::IdNumberFormat => InvalidReason::IdNumberFormat,
            CoreReason::IdNumberBirthDate => InvalidReason::IdNumberBirthDate,
            CoreReason::IdNumberCheckDigit => InvalidReason::IdNumberCheckDigit,
            CoreReason::Phone => InvalidReason::Phone,
            CoreReason::DateFormat => InvalidReason::DateFormat,
            CoreReason::InFuture => InvalidReason::InFuture,
            CoreReason::TooOld => InvalidReason::TooOld,
            CoreReason::TimeFormat => InvalidReason::TimeFormat,
            CoreReason::OutOfRange => InvalidReason::OutOfRange,
            CoreReason::NotFinite => InvalidReason::NotFinite,
            CoreReason::UnknownCode => InvalidReason::UnknownCode,
            CoreReason::EndsBeforeStart => InvalidReason::EndsBeforeStart,
            CoreReason::BadCharacters => InvalidReason::BadCharacters,
            CoreReason::NotOnShift => InvalidReason::NotOnShift,
        }
    }
}

/// Everything that can go wrong in a Gridbook call. In Kotlin it is the
/// sealed class `GridbookException`, in Swift the enum `GridbookError`.
///
/// Every variant's text can be shown or logged as it is: it names a field or
/// a cause, never personal data or the device token.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum GridbookError {
    /// A value given to the API was rejected; nothing was stored.
    #[error("{field} is invalid: {reason:?}")]
    Invalid {
        /// The input field, as named in the API (for example `id_number` or `phones`).
        field: String,
        /// Why the value was rejected.
        reason: InvalidReason,
    },
    /// An id names no record of that kind in this store.
    #[error("no {kind:?} with id {id}")]
    NotFound {
        /// The kind of record looked for.
        kind: RecordKind,
        /// The id looked for (ids are random, never personal data).
        id: String,
    },
    /// The record is retired or moved out, so it cannot take this edit.
    #[error("the {kind:?} {id} is retired")]
    Retired {
        /// The kind of the record.
        kind: RecordKind,
        /// The id of the record.
        id: String,
    },
    /// Change bytes from another replica did not decode; nothing was applied.
    #[error("malformed change data: {detail}")]
    MalformedChanges {
        /// What was wrong, without content.
        detail: String,
    },
    /// The file was written by a newer app version; it was not modified. Ask the user to update.
    #[error("database schema {found} is newer than supported ({supported})")]
    SchemaTooNew {
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// The file is not a Gridbook database, or the encryption key is wrong.
    #[error("not a Gridbook database, or the key is wrong")]
    NotADatabase,
    /// The store belongs to another worker than the one opening it, or the
    /// sync server says the device token is another worker's (nothing of
    /// that sync was applied).
    #[error("this store belongs to another worker")]
    WorkerMismatch,
    /// The record was made by another worker, and only its maker may change it.
    #[error("only the worker who made the {kind:?} {id} may change it")]
    NotAuthor {
        /// The kind of the record.
        kind: RecordKind,
        /// The id of the record.
        id: String,
    },
    /// The database file could not be read or written (disk full, I/O error).
    #[error("database error: {detail}")]
    Database {
        /// SQLite's description of the failure.
        detail: String,
    },
    /// A CRDT document in the store could not be loaded or changed.
    #[error("document error: {detail}")]
    Document {
        /// What failed, naming the document.
        detail: String,
    },
    /// A sync response did not decode or did not answer its request; nothing was applied.
    #[error("sync protocol error: {detail}")]
    Protocol {
        /// What was wrong, without content.
        detail: String,
    },
    /// The sync server refused this device's token: ask the administrator for a new one.
    #[error("the server did not accept this device's token")]
    Unauthorized,
    /// The sync server refused access to a grid or to this device's changes.
    #[error("the server refused access: {detail}")]
    Forbidden {
        /// The server's explanation.
        detail: String,
    },
    /// The sync server rejected the request as malformed or too large; retrying will not help.
    #[error("the server rejected the request ({status}): {detail}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The server's explanation.
        detail: String,
    },
    /// The sync server could not be reached or kept failing after every retry; try again later.
    #[error("the server could not be reached: {detail}")]
    Unreachable {
        /// The last failure.
        detail: String,
    },
    /// The sync was cancelled; what was applied before stays applied.
    #[error("the sync was cancelled")]
    Cancelled,
    /// The sync client could not be configured (a bad URL or certificate).
    #[error("sync configuration: {detail}")]
    Config {
        /// What is wrong.
        detail: String,
    },
}

impl From<gridbook::Error> for GridbookError {
    fn from(error: gridbook::Error) -> Self {
        use gridbook::Error as E;
        match error {
            E::Invalid { field, reason } => GridbookError::Invalid {
                field: field.to_string(),
                reason: reason.into(),
            },
            E::NotFound { kind, id } => GridbookError::NotFound {
                kind: kind.into(),
                id,
            },
            E::Retired { kind, id } => GridbookError::Retired {
                kind: kind.into(),
                id,
            },
            E::MalformedChanges(detail) => GridbookError::MalformedChanges { detail },
            E::SchemaTooNew { found, supported } => {
                GridbookError::SchemaTooNew { found, supported }
            }
            E::NotADatabase => GridbookError::NotADatabase,
            // For the app both mean one thing: the store and the token (or
            // the login) are not the same worker's.
            E::WorkerMismatch | E::TokenOfAnotherWorker => GridbookError::WorkerMismatch,
            E::NotAuthor { kind, id } => GridbookError::NotAuthor {
                kind: kind.into(),
                id,
            },
            E::Protocol(error) => GridbookError::Protocol {
                detail: error.to_string(),
            },
            E::Database(error) => GridbookError::Database {
                detail: error.to_string(),
            },
            error @ E::Document { .. } => GridbookError::Document {
                detail: error.to_string(),
            },
        }
    }
}

impl From<SyncError> for GridbookError {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::Unauthorized => GridbookError::Unauthorized,
            SyncError::Forbidden(detail) => GridbookError::Forbidden { detail },
            SyncError::Rejected { status, message } => GridbookError::Rejected {
                status,
                detail: message,
            },
            SyncError::Unreachable(detail) => GridbookError::Unreachable { detail },
            SyncError::Cancelled => GridbookError::Cancelled,
            SyncError::Protocol(error) => GridbookError::Protocol {
                detail: error.to_string(),
            },
            SyncError::Store(error) => error.into(),
            SyncError::Config(detail) => GridbookError::Config { detail },
            error @ SyncError::PlainHttp => GridbookError::Config {
                detail: error.to_string(),
            },
        }
    }
}

/// The result type of every fallible exported call.
pub type Result<T, E = GridbookError> = std::result::Result<T, E>;
