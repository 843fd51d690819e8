//! The one error type of the store, [`Error`], and what each variant means.
//!
//! Errors name the field or the cause, never the rejected value: a resident's
//! ID number or phone must not end up in a log line because it failed
//! validation. To add a variant, give it a message that a grid worker's app
//! can show as it is, and keep personal data out of its fields.

use crate::kinds::RecordKind;
use crate::validate::InvalidReason;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value given to the API was rejected; nothing was stored.
    #[error("{field} {reason}")]
    Invalid {
        /// The input field, as named in the API (for example `id_number`).
        field: &'static str,
        /// Why the value was rejected.
        reason: InvalidReason,
    },
    /// An id given to the API names no record of that kind in this store.
    #[error("no {kind} with id {id}")]
    NotFound {
        /// The kind of record that was looked for.
        kind: RecordKind,
        /// The id that was looked for (ids are random, never personal data).
        id: String,
    },
    /// The record exists but is retired or moved out, so it cannot take this edit.
    #[error("the {kind} {id} is retired and cannot be changed this way")]
    Retired {
        /// The kind of the record.
        kind: RecordKind,
        /// The id of the record.
        id: String,
    },
    /// The record was made by another worker, and only its maker may change it
    /// (a visit is its visitor's own statement; the sync server refuses a
    /// change that writes another worker's name on a record).
    #[error("only the worker who made the {kind} {id} may change it")]
    NotAuthor {
        /// The kind of the record.
        kind: RecordKind,
        /// The id of the record.
        id: String,
    },
    /// The step may not be taken on the event as it stands now (an event
    /// must be accepted before it is dispatched, ...); nothing was written.
    #[error("the step {action} may not be taken on an event whose status is {status}")]
    StepNotAllowed {
        /// The step's action (a `StepAction` code).
        action: &'static str,
        /// The event's current status (an `EventStatus` code).
        status: &'static str,
    },
    /// The store's worker has a role that may not take this step (only the
    /// grid dispatches, ...); nothing was written.
    #[error("a worker with the role {role:?} may not take the step {action}")]
    RoleMayNot {
        /// The step's action (a `StepAction` code).
        action: &'static str,
        /// The worker's role.
        role: crate::identity::WorkerRole,
    },
    /// Only the grid head changes the grid's event settings (its own
    /// categories, its names for the whistle levels); nothing was written.
    #[error(
        "only the grid head may change the grid's event settings, not a worker with the role {role:?}"
    )]
    GridHeadOnly {
        /// The worker's role.
        role: crate::identity::WorkerRole,
    },
    /// The store's worker has a role that may not do this to the volunteer
    /// points ledger (only the grid head awards, ...); nothing was written.
    #[error("a worker with the role {role:?} may not {action} volunteer points")]
    PointsRoleMayNot {
        /// What was refused (a `PointsAction` code).
        action: &'static str,
        /// The worker's role.
        role: crate::identity::WorkerRole,
    },
    /// The store's worker has a role that may not see personal data
    /// unmasked this way (building heads and patrol volunteers never do;
    /// only the grid head exports unmasked or reads the reveal log);
    /// nothing was shown or written.
    #[error("a worker with the role {role:?} may not {action}")]
    PrivacyRoleMayNot {
        /// What was refused (a `PrivacyAction` code).
        action: &'static str,
        /// The worker's role.
        role: crate::identity::WorkerRole,
    },
    /// The store's worker may not take this step on this event for another
    /// reason than role or status (not the assignee, the resolver verifying
    /// their own work, ...); nothing was written.
    #[error("the step {action} is refused: {reason}")]
    StepRefused {
        /// The step's action (a `StepAction` code).
        action: &'static str,
        /// Why (a `StepRefusal` code).
        reason: &'static str,
    },
    /// Change bytes from another replica could not be decoded; nothing was applied.
    #[error("malformed change data: {0}")]
    MalformedChanges(String),
    /// The database was written by a newer version of Gridbook; it was not modified.
    #[error(
        "the database has schema version {found}, newer than this build supports ({supported}); update the app"
    )]
    SchemaTooNew {
        /// The `user_version` found in the file.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// The file is not a Gridbook database, or it is encrypted with another key.
    #[error("the file is not a Gridbook database, or the key is wrong")]
    NotADatabase,
    /// The store belongs to another worker than the one opening it.
    #[error("this store belongs to another worker")]
    WorkerMismatch,
    /// The sync server says the device token belongs to another worker than
    /// this store's (the vouched identity of a sync response); nothing of the
    /// response was applied. The phone was given another worker's token.
    #[error("the sync server vouches for another worker than this store's")]
    TokenOfAnotherWorker,
    /// The grid is not blocked by the sync server (never refused, released
    /// since, or discarded already), so there is nothing to discard; nothing
    /// was changed.
    #[error("the grid {grid_id} is not blocked by the sync server; nothing was discarded")]
    GridNotBlocked {
        /// The grid (a UUID).
        grid_id: String,
    },
    /// The confirmation to discard a blocked grid does not match what the
    /// store holds now (another grid, or another number of held changes:
    /// edits or a sync came in between); nothing was changed. Read the sync
    /// status again and ask the user again.
    #[error(
        "the confirmation to discard grid {grid_id} counts {confirmed} held changes, but {held} are held now; nothing was discarded"
    )]
    StaleConfirmation {
        /// The grid the discard was asked for.
        grid_id: String,
        /// The held changes the confirmation counted.
        confirmed: i64,
        /// The held changes the grid has now.
        held: i64,
    },
    /// A sync response did not decode or did not answer its request; nothing was applied.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// The database file could not be read or written.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// A CRDT document in the store could not be loaded or changed.
    #[error("document error in {doc_id}: {message}")]
    Document {
        /// The document that failed.
        doc_id: String,
        /// What the CRDT library reported.
        message: String,
    },
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub(crate) fn invalid(field: &'static str, reason: InvalidReason) -> Error {
        // The field and the reason, never the value.
        tracing::debug!(field, %reason, "input refused");
        Error::Invalid { field, reason }
    }

    /// Shorthand for [`Error::NotFound`].
    pub(crate) fn not_found(kind: RecordKind, id: &str) -> Error {
        Error::NotFound {
            kind,
            id: id.to_string(),
        }
    }

    pub(crate) fn document(doc_id: &str, error: impl std::fmt::Display) -> Error {
        Error::Document {
            doc_id: doc_id.to_string(),
            message: error.to_string(),
        }
    }
}

/// The result type of every fallible call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Validates one field, turning a rejection into an [`Error::Invalid`] that names it.
pub(crate) trait FieldCheck<T> {
    fn field(self, field: &'static str) -> Result<T>;
}

impl<T> FieldCheck<T> for std::result::Result<T, InvalidReason> {
    fn field(self, field: &'static str) -> Result<T> {
        self.map_err(|reason| Error::invalid(field, reason))
    }
}

/// A sync body or a pushed change that cannot be accepted. Messages name the
/// cause, never the content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The bytes do not decode as the protocol says.
    #[error("malformed sync body: {0}")]
    Malformed(String),
    /// The body is of a protocol version this build does not speak.
    #[error("unsupported sync protocol version {0}")]
    UnsupportedVersion(u8),
    /// Something is larger than its limit.
    #[error("{what} is larger than {limit} bytes")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// A pushed change is malformed or does not belong where it claims.
    #[error("pushed change {index} rejected: {reason}")]
    ChangeRejected {
        /// Its position in the request.
        index: usize,
        /// Why (a fixed text: never anything taken from the change).
        reason: &'static str,
    },
    /// A string of the request breaks its grammar (a document id that names
    /// no document, an actor id of the wrong length, ...). Names the field,
    /// never the text.
    #[error("malformed sync body: {field} is not valid")]
    InvalidField {
        /// The field, as named in `schema/sync-protocol.md`.
        field: &'static str,
    },
    /// Something the request may name once is named twice (a grid).
    #[error("malformed sync body: {field} named twice")]
    Duplicate {
        /// The field named twice.
        field: &'static str,
    },
    /// The request holds more of something than one request may.
    #[error("the request holds more than {limit} {what}")]
    TooMany {
        /// What there are too many of (`grids`, `documents`, ...).
        what: &'static str,
        /// The protocol's limit (`sync::MAX_GRIDS_PER_REQUEST` and its siblings).
        limit: usize,
    },
    /// A pushed change does not descend from the history of the document it
    /// is pushed under: one of its dependencies is neither stored in that
    /// document nor pushed with it under the same document id.
    #[error("pushed change {index} does not belong to its document")]
    NotOfDocument {
        /// Its position in the request.
        index: usize,
    },
    /// A pushed change names someone other than its pusher in a field that
    /// records who did something (each kind declares these author fields in
    /// its registry entry), or touches another device's or worker's entry of
    /// the team, or claims a role the server does not give its worker.
    #[error("pushed change {index} claims another author in {field}")]
    ForgedAuthor {
        /// Its position in the request.
        index: usize,
        /// The field or map that was forged.
        field: &'static str,
    },
    /// A pushed change holds an event step whose action the pusher's role
    /// may not take (only the grid dispatches or closes, ...), as the server
    /// keeps the role.
    #[error("pushed change {index} writes {action}, which the pusher's role may not")]
    RoleMayNot {
        /// Its position in the request.
        index: usize,
        /// The step's action (a `StepAction` code), or `event_settings`
        /// for a grid's event settings, which only its grid head writes.
        action: &'static str,
    },
    /// A pushed change was written by another actor than the request's.
    #[error("pushed change {index} was written by another device")]
    ForeignActor {
        /// Its position in the request.
        index: usize,
    },
    /// A response does not answer the request it was sent for.
    #[error("the response does not match the request: {0}")]
    Mismatch(String),
}
