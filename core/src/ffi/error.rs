//! [`GridbookError`], the one error of the generated Kotlin and Swift API,
//! and the one place where the core's errors ([`Error`], and with the
//! feature `client` [`SyncError`]) are mapped to it.
//!
//! Like the core's, these errors name a field or a cause and never carry the
//! rejected value: a resident's ID number or phone must not reach an app's
//! crash reports because it failed validation.
//!
//! The text an app sees is built by the generated code from the variant's
//! fields: Kotlin's `message` is `name=value, …` of its fields, Swift's
//! `localizedDescription` and Kotlin's `toString()` are this type's `Display`
//! (exported). So every variant has at least one field, a variant without
//! data of its own carries its sentence as `detail`, the enums in fields
//! (`InvalidReason`, `RecordKind`) export a `Display` in words, and a field
//! path is written in the platforms' lowerCamelCase (`idNumber`,
//! `gps.accuracyM`, see [`api_field_name`]).
//!
//! To add a variant, add it here with a field (a `detail` sentence if it has
//! no data) and map the core's error to it below; the apps' exhaustive `when`
//! and `switch` over it then fail to compile until they handle it.

use crate::code_list::CodeList;
use crate::error::Error;
use crate::identity::WorkerRole;
use crate::kinds::RecordKind;
use crate::kinds::codes::{EventStatus, PointsAction, PrivacyAction, StepAction, StepRefusal};
use crate::roster_import::{ImportError, ImportField};
#[cfg(feature = "client")]
use crate::sync::SyncError;
use crate::validate::InvalidReason;

/// Everything that can go wrong in a Gridbook call. In Kotlin it is the
/// sealed class `GridbookException`, in Swift the enum `GridbookError`.
///
/// Every variant's text can be shown or logged as it is: it names a field or
/// a cause, never personal data or the device token.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum GridbookError {
    /// A value given to the API was rejected; nothing was stored.
    #[error("{field} {reason}")]
    Invalid {
        /// The input field as the platforms name it (for example `idNumber`,
        /// `phones` or `gps.accuracyM`).
        field: String,
        /// Why the value was rejected.
        reason: InvalidReason,
    },
    /// An id names no record of that kind in this store.
    #[error("no {kind} with id {id}")]
    NotFound {
        /// The kind of record looked for.
        kind: RecordKind,
        /// The id looked for (ids are random, never personal data).
        id: String,
    },
    /// The record is retired or moved out, so it cannot take this edit.
    #[error("the {kind} {id} is retired")]
    Retired {
        /// The kind of the record.
        kind: RecordKind,
        /// The id of the record.
        id: String,
    },
    /// The step may not be taken on the event as it stands now; nothing was
    /// written. Read the event again: another worker's step may have moved it.
    #[error("the step {} may not be taken on an event whose status is {}", .action.code(), .status.code())]
    StepNotAllowed {
        /// The step's action.
        action: StepAction,
        /// The event's current status.
        status: EventStatus,
    },
    /// The worker's role may not take this step; nothing was written.
    #[error("the role {} may not take the step {}", .role.code(), .action.code())]
    RoleMayNot {
        /// The step's action.
        action: StepAction,
        /// The worker's role.
        role: WorkerRole,
    },
    /// Only the grid head changes the grid's event settings (its own
    /// categories, its names for the whistle levels); nothing was written.
    #[error("only the grid head may change the grid's event settings, not the role {}", .role.code())]
    GridHeadOnly {
        /// The worker's role.
        role: WorkerRole,
    },
    /// The worker's role may not do this to the volunteer points ledger
    /// (only the grid head awards and sets the rule; the grid head and
    /// assistants record exchanges); nothing was written.
    #[error("the role {} may not {} volunteer points", .role.code(), .action.code())]
    PointsRoleMayNot {
        /// What was refused.
        action: PointsAction,
        /// The worker's role.
        role: WorkerRole,
    },
    /// The worker's role may not see personal data unmasked this way
    /// (building heads and patrol volunteers never do; only the grid head
    /// exports unmasked or reads the reveal log); nothing was shown or written.
    #[error("the role {} may not {}", .role.code(), .action.code())]
    PrivacyRoleMayNot {
        /// What was refused.
        action: PrivacyAction,
        /// The worker's role.
        role: WorkerRole,
    },
    /// The worker may not take this step on this event (not its assignee,
    /// the resolver verifying their own work, ...); nothing was written.
    #[error("the step {} is refused: {}", .action.code(), .reason.code())]
    StepRefused {
        /// The step's action.
        action: StepAction,
        /// Why.
        reason: StepRefusal,
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
    /// The file is not a Gridbook database, or the encryption key is wrong
    /// (a wrong raw key, a wrong passphrase, or a key of the other kind).
    #[error("{detail}")]
    NotADatabase {
        /// The cause in words.
        detail: String,
    },
    /// The store belongs to another worker than the one opening it, or the
    /// sync server says the device token is another worker's (nothing of
    /// that sync was applied).
    #[error("{detail}")]
    WorkerMismatch {
        /// The cause in words.
        detail: String,
    },
    /// The record was made by another worker, and only its maker may change it.
    #[error("only the worker who made the {kind} {id} may change it")]
    NotAuthor {
        /// The kind of the record.
        kind: RecordKind,
        /// The id of the record.
        id: String,
    },
    /// The grid is not blocked by the sync server, so there is nothing to
    /// discard; nothing was changed.
    #[error("the grid {grid_id} is not blocked; nothing was discarded")]
    GridNotBlocked {
        /// The grid (a UUID).
        grid_id: String,
    },
    /// The confirmation to discard a blocked grid no longer matches the
    /// store (edits or a sync came in between); nothing was changed. Read the
    /// sync status again and ask the user again.
    #[error(
        "the confirmation counts {confirmed} held changes of grid {grid_id}, but {held} are held now"
    )]
    StaleConfirmation {
        /// The grid the discard was asked for.
        grid_id: String,
        /// The held changes the confirmation counted.
        confirmed: i64,
        /// The held changes the grid has now.
        held: i64,
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
    #[error("{detail}")]
    Unauthorized {
        /// The cause in words.
        detail: String,
    },
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
        status: i32,
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
    #[error("{detail}")]
    Cancelled {
        /// The cause in words.
        detail: String,
    },
    /// The sync client could not be configured (a bad URL or certificate).
    #[error("sync configuration: {detail}")]
    Config {
        /// What is wrong.
        detail: String,
    },
    /// The store was closed (Kotlin `close()` or `closeAndWait()`, Swift
    /// `close()`); open the file again to go on.
    #[error("{detail}")]
    Closed {
        /// The cause in words.
        detail: String,
    },
    /// A roster file was refused as a whole (see `ImportRefusal`); nothing
    /// was imported.
    #[error("the roster file was refused: {reason}")]
    ImportRefused {
        /// Why: the cause, the column or the count, never a cell's value.
        reason: ImportRefusal,
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

/// Why a roster file was refused as a whole by `Store.importRoster`,
/// `Store.importRosterDryRun` or their file variants. Names the column or
/// the cause, never a cell's value or the file's path; its text is a
/// sentence in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Enum)]
#[uniffi::export(Display)]
pub enum ImportRefusal {
    /// The file is larger than `maxFileBytes`.
    #[error("the file is larger than {max_bytes} bytes")]
    TooLarge {
        /// The cap, in bytes.
        max_bytes: u64,
    },
    /// The XLSX file would unzip to more than `maxUnzippedBytes` (a zip bomb).
    #[error("the spreadsheet unzips to more than {max_bytes} bytes")]
    ZipBomb {
        /// The cap on the unzipped size, in bytes.
        max_bytes: u64,
    },
    /// The file is neither a CSV text nor an XLSX workbook.
    #[error("the file is not a CSV or XLSX spreadsheet")]
    NotASpreadsheet,
    /// The CSV text is neither UTF-8 nor GB18030 (GBK).
    #[error("the CSV file is neither UTF-8 nor GBK/GB18030 text")]
    UnknownEncoding,
    /// The CSV text could not be split into fields at a row.
    #[error("the CSV file is malformed at row {row}")]
    MalformedCsv {
        /// The row, counted from 1.
        row: u64,
    },
    /// The XLSX workbook could not be read.
    #[error("the spreadsheet could not be read")]
    MalformedSpreadsheet,
    /// The file has no header row.
    #[error("the file has no header row")]
    NoHeader,
    /// A required column (姓名, 楼栋 or 房号) is missing.
    #[error("the required column {} is missing", .field.header())]
    MissingColumn {
        /// The field whose column is missing.
        field: ImportField,
    },
    /// Two columns hold the same field.
    #[error("the column {} appears twice", .field.header())]
    DuplicateColumn {
        /// The field both columns hold.
        field: ImportField,
    },
    /// Rows are in error and `skipRowsInError` was false; nothing was
    /// written. The dry run's report lists them.
    #[error("{rows} rows are in error; nothing was imported")]
    RowsInError {
        /// How many rows are in error.
        rows: u32,
    },
    /// The file to import does not exist.
    #[error("the file named by {field} does not exist")]
    FileNotFound {
        /// The argument naming the file (`path`), never the path itself.
        field: String,
    },
    /// The file to import exists but could not be read (a folder, no
    /// permission, an I/O error).
    #[error("the file named by {field} could not be read: {detail}")]
    FileUnreadable {
        /// The argument naming the file (`path`), never the path itself.
        field: String,
        /// The kind of failure, in words.
        detail: String,
    },
}

/// The argument of the file variants of the import that names the file.
const IMPORT_PATH_FIELD: &str = "path";

impl From<ImportError> for GridbookError {
    fn from(error: ImportError) -> Self {
        use ImportError as E;
        use ImportRefusal as R;
        let reason = match error {
            E::Store(error) => return error.into(),
            E::TooLarge { max_bytes } => R::TooLarge { max_bytes },
            E::ZipBomb { max_bytes } => R::ZipBomb { max_bytes },
            E::NotASpreadsheet => R::NotASpreadsheet,
            E::UnknownEncoding => R::UnknownEncoding,
            E::MalformedCsv { row } => R::MalformedCsv { row },
            E::MalformedSpreadsheet => R::MalformedSpreadsheet,
            E::NoHeader => R::NoHeader,
            E::MissingColumn { field } => R::MissingColumn { field },
            E::DuplicateColumn { field } => R::DuplicateColumn { field },
            E::RowsInError { rows } => R::RowsInError { rows },
            E::FileNotFound => R::FileNotFound {
                field: IMPORT_PATH_FIELD.into(),
            },
            E::FileUnreadable { kind } => R::FileUnreadable {
                field: IMPORT_PATH_FIELD.into(),
                detail: kind.to_string(),
            },
        };
        GridbookError::ImportRefused { reason }
    }
}

impl From<Error> for GridbookError {
    fn from(error: Error) -> Self {
        use Error as E;
        match error {
            E::Invalid { field, reason } => GridbookError::invalid(field, reason),
            E::NotFound { kind, id } => GridbookError::NotFound { kind, id },
            E::Retired { kind, id } => GridbookError::Retired { kind, id },
            E::StepNotAllowed { action, status } => GridbookError::StepNotAllowed {
                action: CodeList::from_code_or_default(Some(action)),
                status: CodeList::from_code_or_default(Some(status)),
            },
            E::RoleMayNot { action, role } => GridbookError::RoleMayNot {
                action: CodeList::from_code_or_default(Some(action)),
                role,
            },
            E::GridHeadOnly { role } => GridbookError::GridHeadOnly { role },
            E::PointsRoleMayNot { action, role } => GridbookError::PointsRoleMayNot {
                action: CodeList::from_code_or_default(Some(action)),
                role,
            },
            E::PrivacyRoleMayNot { action, role } => GridbookError::PrivacyRoleMayNot {
                action: CodeList::from_code_or_default(Some(action)),
                role,
            },
            E::StepRefused { action, reason } => GridbookError::StepRefused {
                action: CodeList::from_code_or_default(Some(action)),
                reason: CodeList::from_code_or_default(Some(reason)),
            },
            E::MalformedChanges(detail) => GridbookError::MalformedChanges { detail },
            E::SchemaTooNew { found, supported } => {
                GridbookError::SchemaTooNew { found, supported }
            }
            error @ E::NotADatabase => GridbookError::NotADatabase {
                detail: error.to_string(),
            },
            // For the app both mean one thing: the store and the token (or
            // the login) are not the same worker's; the text says which.
            error @ (E::WorkerMismatch | E::TokenOfAnotherWorker) => {
                GridbookError::WorkerMismatch {
                    detail: error.to_string(),
                }
            }
            E::NotAuthor { kind, id } => GridbookError::NotAuthor { kind, id },
            E::GridNotBlocked { grid_id } => GridbookError::GridNotBlocked { grid_id },
            E::StaleConfirmation {
                grid_id,
                confirmed,
                held,
            } => GridbookError::StaleConfirmation {
                grid_id,
                confirmed,
                held,
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

#[cfg(feature = "client")]
impl From<SyncError> for GridbookError {
    fn from(error: SyncError) -> Self {
        match error {
            error @ SyncError::Unauthorized => GridbookError::Unauthorized {
                detail: error.to_string(),
            },
            SyncError::Forbidden(detail) => GridbookError::Forbidden { detail },
            SyncError::Rejected { status, message } => GridbookError::Rejected {
                status: i32::from(status),
                detail: message,
            },
            SyncError::Unreachable(detail) => GridbookError::Unreachable { detail },
            error @ SyncError::Cancelled => GridbookError::Cancelled {
                detail: error.to_string(),
            },
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
    /// The error for a rejected value of `field`, a field path in the core's
    /// snake_case (`id_number`, `gps.accuracy_m`), named in the platforms'
    /// lowerCamelCase.
    pub fn invalid(field: &str, reason: InvalidReason) -> Self {
        GridbookError::Invalid {
            field: api_field_name(field),
            reason,
        }
    }
}

/// A field path of the core (`id_number`, `members[1].phone`,
/// `gps.accuracy_m`) as Kotlin and Swift name it (`idNumber`,
/// `members[1].phone`, `gps.accuracyM`): each `_` is dropped and the letter
/// after it capitalised; dots and indices stay.
pub fn api_field_name(field: &str) -> String {
    let mut name = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            name.extend(c.to_uppercase());
            upper = false;
        } else {
            name.push(c);
        }
    }
    name
}
