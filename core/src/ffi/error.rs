//! [`GridbookError`], the one error of the generated Kotlin and Swift API,
//! and the one place where the core's errors ([`Error`], and with the
//! feature `client` [`SyncError`]) are mapped to it.
//!
//! Like the core's, these errors name a field or a cause and never carry the
//! rejected value: a resident's ID number or phone must not reach an app's
//! crash reports because it failed validation. To add a variant, add it here
//! and map the core's error to it below; the apps' exhaustive `when` and
//! `switch` over it then fail to compile until they handle it.

use crate::error::Error;
use crate::kinds::RecordKind;
#[cfg(feature = "client")]
use crate::sync::SyncError;
use crate::validate::InvalidReason;

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
    /// A listener the app gave (for example `SyncListener.onProgress`) threw,
    /// so the call stopped; what was applied before stays applied. The text
    /// names the listener, never what it threw (an exception's message may
    /// hold personal data).
    #[error("{listener} failed")]
    ListenerFailed {
        /// The listener method that threw, as named in the API.
        listener: String,
    },
}

impl From<Error> for GridbookError {
    fn from(error: Error) -> Self {
        use Error as E;
        match error {
            E::Invalid { field, reason } => GridbookError::Invalid {
                field: field.to_string(),
                reason,
            },
            E::NotFound { kind, id } => GridbookError::NotFound { kind, id },
            E::Retired { kind, id } => GridbookError::Retired { kind, id },
            E::MalformedChanges(detail) => GridbookError::MalformedChanges { detail },
            E::SchemaTooNew { found, supported } => {
                GridbookError::SchemaTooNew { found, supported }
            }
            E::NotADatabase => GridbookError::NotADatabase,
            // For the app both mean one thing: the store and the token (or
            // the login) are not the same worker's.
            E::WorkerMismatch | E::TokenOfAnotherWorker => GridbookError::WorkerMismatch,
            E::NotAuthor { kind, id } => GridbookError::NotAuthor { kind, id },
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

#[cfg(feature = "client")]
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

impl GridbookError {
    /// The error for a rejected value of `field`.
    pub fn invalid(field: &str, reason: InvalidReason) -> Self {
        GridbookError::Invalid {
            field: field.to_string(),
            reason,
        }
    }
}
