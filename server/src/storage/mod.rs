//! Storage: one trait, [`Storage`], with two backends, [`SqliteStorage`]
//! (embedded, the default) and [`PostgresStorage`] (several server processes
//! over one database).
//!
//! The server keeps no state of its own in memory: log positions come from
//! the database (allocated under the grid row's lock), uniqueness from
//! constraints, and a compaction is published with a compare-and-set on the
//! grid's generation. Everything one sync request stores commits in one
//! transaction ([`Storage::store_push`]).
//!
//! To extend: add the method to [`Storage`], implement it in both backends,
//! add a numbered migration for each backend under `schema/server/` (and
//! to [`SQLITE_MIGRATIONS`] and [`POSTGRES_MIGRATIONS`]; the convention is in
//! `schema/README.md`, "Migrations"), and add a test to
//! `server/tests/storage_suite.rs`, which runs every test against both.

use std::future::Future;
use std::pin::Pin;

use gridbook::codes::CodeList;
pub use gridbook::codes::WorkerRole;
pub use gridbook::sync::{AssignmentScope, GridRefusal, GridTeam, RefusedGrid, TeamMember};

mod migrations;
mod postgres;
mod self_reports;
mod sqlite;

pub use migrations::{Migration, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, latest_version};
pub use postgres::PostgresStorage;
pub use self_reports::{SELF_REPORT_LINK_SECRET, StoredSelfReport};
pub use sqlite::SqliteStorage;

/// What a storage operation fails with.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database failed or could not be reached. The text names the
    /// cause (an SQL error code and message), never stored values.
    #[error("database error: {0}")]
    Database(String),
    /// A schema migration failed.
    #[error("migration {version} failed: {message}")]
    Migration {
        /// The migration's number.
        version: i64,
        /// What went wrong.
        message: String,
    },
    /// The database was written by a newer build: it recorded a schema
    /// version this build has no migration for. Nothing was written to it.
    #[error("the database has schema version {found}; this build supports up to {supported}")]
    SchemaTooNew {
        /// The highest version recorded in the database's `schema_migrations`.
        found: i64,
        /// The highest version this build knows.
        supported: i64,
    },
    /// A referenced record does not exist (for example "worker").
    #[error("unknown {0}")]
    NotFound(&'static str),
    /// The record exists already (for example "worker").
    #[error("{0} exists already")]
    Exists(&'static str),
    /// The worker may not use this grid: it is not assigned to them and they
    /// may not create it.
    #[error("grid {0} is not assigned to this worker")]
    GridForbidden(String),
    /// A pushed change's actor belongs to another device.
    #[error("an actor of this push belongs to another device")]
    ActorForbidden,
}

/// Result of a storage operation.
pub type StorageResult<T> = Result<T, StorageError>;

/// The boxed future every [`Storage`] method returns (keeps the trait
/// object-safe so the server can hold an `Arc<dyn Storage>`).
pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = StorageResult<T>> + Send + 'a>>;

/// A worker (网格员) known to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    /// The worker's id, as in the apps.
    pub worker_id: String,
    /// Display name (never logged; the sync response tells it to the
    /// worker's own phone).
    pub name: String,
    /// The worker's role in the team; a pushed change claiming another is
    /// refused.
    pub role: WorkerRole,
    /// Whether the worker may push the first changes of a new grid.
    pub can_create_grids: bool,
}

/// A device as listed for administrators (never its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The device id (a UUID).
    pub device_id: String,
    /// The worker it belongs to.
    pub worker_id: String,
    /// A label such as "王芳的手机".
    pub label: String,
    /// When it was revoked (Unix seconds), if it was.
    pub revoked_at: Option<i64>,
}

/// A device registration, with the SHA-256 (hex) of its token.
#[derive(Debug, Clone)]
pub struct NewDevice {
    /// The device id (a UUID).
    pub device_id: String,
    /// The worker it belongs to.
    pub worker_id: String,
    /// A label such as "王芳的手机".
    pub label: String,
    /// Lowercase hex SHA-256 of the bearer token.
    pub token_hash: String,
}

/// The device a valid, unrevoked token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedDevice {
    /// The device id.
    pub device_id: String,
    /// Its worker.
    pub worker_id: String,
    /// That worker's name, as the server keeps it (vouched to the phone).
    pub worker_name: String,
    /// That worker's role, as the server keeps it (checked on push).
    pub role: WorkerRole,
    /// Whether that worker may create grids.
    pub can_create_grids: bool,
}

/// A grid as listed for administrators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridInfo {
    /// The grid id (a UUID).
    pub grid_id: String,
    /// The last log position handed out (the number of changes stored).
    pub last_seq: u64,
    /// The log position its snapshots cover (0 = never compacted).
    pub generation: u64,
    /// The workers it is assigned to, sorted.
    pub workers: Vec<String>,
    /// The assignments of `workers` narrower than [`AssignmentScope::All`]
    /// (a department's), by worker.
    pub scoped: Vec<(String, AssignmentScope)>,
}

/// Everything an administrator may see: workers, grids and devices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Workers, by id.
    pub workers: Vec<Worker>,
    /// Grids, by id.
    pub grids: Vec<GridInfo>,
    /// Devices, by worker then label.
    pub devices: Vec<DeviceInfo>,
}

/// Row counts, for monitoring and for tests that check nothing was stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Grids known.
    pub grids: u64,
    /// Changes in all logs.
    pub changes: u64,
    /// Actors bound to devices.
    pub actors: u64,
    /// Snapshots stored.
    pub snapshots: u64,
    /// Assignments.
    pub assignments: u64,
    /// Complete (verified) photos.
    pub photos: u64,
    /// The bytes of the complete photos.
    pub photo_bytes: u64,
    /// Photo uploads begun and not complete (see [`Storage::purge_abandoned_uploads`]).
    pub incomplete_uploads: u64,
    /// The bytes received so far of the incomplete uploads.
    pub incomplete_upload_bytes: u64,
}

/// What [`Storage::purge_abandoned_uploads`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgedUploads {
    /// Incomplete uploads deleted (one row each).
    pub uploads: u64,
    /// The bytes they had received.
    pub bytes: u64,
}

/// One change to append to a grid's log.
#[derive(Debug, Clone)]
pub struct NewChange {
    /// The grid whose log it goes to.
    pub grid_id: String,
    /// The document it belongs to.
    pub doc_id: String,
    /// The change's hash (unique per grid and document).
    pub hash: Vec<u8>,
    /// The encoded change.
    pub bytes: Vec<u8>,
}

/// Where a change is stored: its grid, document and hash (the log's unique key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeKey {
    /// The grid.
    pub grid_id: String,
    /// The document.
    pub doc_id: String,
    /// The change's hash.
    pub hash: Vec<u8>,
}

/// Everything one sync request stores, in one transaction.
#[derive(Debug, Clone)]
pub struct PushBatch {
    /// The pushing device.
    pub device: AuthenticatedDevice,
    /// Every grid the request names (cursors and pushed changes).
    pub grids: Vec<String>,
    /// The actors of the pushed changes: bound to the device if unseen.
    pub actors: Vec<String>,
    /// The changes, in the order the device sent them.
    pub changes: Vec<NewChange>,
}

/// What [`Storage::store_push`] did to one grid it appended to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridAppend {
    /// The grid.
    pub grid_id: String,
    /// Changes newly stored (duplicates are not counted).
    pub inserted: u64,
    /// The grid's last log position after the push.
    pub last_seq: u64,
    /// The grid's generation at the time of the push.
    pub generation: u64,
}

/// The result of a successful [`Storage::store_push`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushOutcome {
    /// Grids that received changes (or were named by pushed changes), sorted.
    pub grids: Vec<GridAppend>,
    /// Grids this push created (and assigned to the worker).
    pub created_grids: Vec<String>,
}

/// One row of a grid's log as read for a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    /// Its log position.
    pub seq: u64,
    /// Its document.
    pub doc_id: String,
    /// The encoded change.
    pub bytes: Vec<u8>,
}

/// A batch of a grid's log read after a cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogBatch {
    /// The rows, by position, leaving out the excluded actor's.
    pub rows: Vec<LogRow>,
    /// The highest position looked at, excluded rows included (the cursor a
    /// page may advance to once it carries every row of the batch).
    pub scanned_to: u64,
    /// Whether rows after `scanned_to` exist.
    pub more: bool,
}

/// A document snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRow {
    /// The document.
    pub doc_id: String,
    /// The generation of the compaction that wrote it.
    pub generation: u64,
    /// The snapshot (a saved Automerge document).
    pub bytes: Vec<u8>,
}

/// A grid's log positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridState {
    /// The last log position handed out.
    pub last_seq: u64,
    /// The log position the snapshots cover.
    pub generation: u64,
}

/// One document to compact: its snapshot (if any) and its later changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactionInput {
    /// The document.
    pub doc_id: String,
    /// The previous snapshot, if any.
    pub snapshot: Option<Vec<u8>>,
    /// Changes after the snapshot, up to the new generation, by position.
    pub changes: Vec<Vec<u8>>,
}

/// Where a photo's upload to the server stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoStatus {
    /// The size the uploader declared (the photo's whole length).
    pub size: u64,
    /// The bytes received so far: where the next chunk must start.
    pub received: u64,
    /// Whether every byte arrived and hashed to the photo's id.
    pub complete: bool,
}

/// One chunk of a photo's upload.
#[derive(Clone)]
pub struct PhotoChunk {
    /// The grid the photo belongs to.
    pub grid_id: String,
    /// The photo's id: the lowercase hex SHA-256 of its bytes.
    pub photo_id: String,
    /// The photo's whole length, as the uploader declares it.
    pub size: u64,
    /// Where in the photo this chunk starts.
    pub offset: u64,
    /// The chunk.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for PhotoChunk {
    // A photo shows a door or a face: its length only, never its bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotoChunk")
            .field("grid_id", &self.grid_id)
            .field("photo_id", &self.photo_id)
            .field("size", &self.size)
            .field("offset", &self.offset)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

/// What [`Storage::append_photo_chunk`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoAppend {
    /// Stored (or, for a chunk at an offset already passed or a photo
    /// already complete, acknowledged without change): where it stands now.
    Stored(PhotoStatus),
    /// The chunk starts after the bytes received: nothing stored; the
    /// uploader resumes from `received`.
    Gap {
        /// The bytes received so far.
        received: u64,
    },
    /// The declared size differs from the one the upload began with:
    /// nothing stored.
    SizeMismatch {
        /// The size the upload began with.
        size: u64,
    },
    /// The last chunk completed the length, but the bytes do not hash to
    /// the photo's id: the upload was deleted.
    HashMismatch,
}

/// Decides a chunk against what is stored (both backends alike): the new
/// bytes and status to write, or the answer without a write.
pub(crate) fn plan_photo_chunk(
    stored: Option<(PhotoStatus, Vec<u8>)>,
    chunk: &PhotoChunk,
) -> Result<(PhotoStatus, Vec<u8>), PhotoAppend> {
    let (status, mut bytes) = stored.unwrap_or((
        PhotoStatus {
            size: chunk.size,
            received: 0,
            complete: false,
        },
        Vec::new(),
    ));
    if status.complete {
        return Err(PhotoAppend::Stored(status));
    }
    if status.size != chunk.size {
        return Err(PhotoAppend::SizeMismatch { size: status.size });
    }
    if chunk.offset > status.received {
        return Err(PhotoAppend::Gap {
            received: status.received,
        });
    }
    let end = chunk
        .offset
        .saturating_add(u64::try_from(chunk.bytes.len()).unwrap_or(u64::MAX));
    // A repeated chunk (the answer to it was lost): its bytes are there.
    if end <= status.received {
        return Err(PhotoAppend::Stored(status));
    }
    let skip = usize::try_from(status.received - chunk.offset).unwrap_or(usize::MAX);
    bytes.extend_from_slice(chunk.bytes.get(skip..).unwrap_or_default());
    let received = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    let complete = received >= status.size;
    if complete && gridbook::photos::photo_id(&bytes) != chunk.photo_id {
        return Err(PhotoAppend::HashMismatch);
    }
    Ok((
        PhotoStatus {
            size: status.size,
            received,
            complete,
        },
        bytes,
    ))
}

/// The storage the sync server runs on. Implemented by [`SqliteStorage`] and
/// [`PostgresStorage`]; every method is safe to call from several server
/// processes at once (PostgreSQL) or threads (both).
pub trait Storage: Send + Sync + 'static {
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;

    /// Checks that the database answers.
    fn ping(&self) -> StorageFuture<'_, ()>;

    /// Adds a worker. Fails with [`StorageError::Exists`] if the id is taken.
    fn add_worker(&self, worker: Worker) -> StorageFuture<'_, ()>;

    /// Gives a worker another role. Fails with [`StorageError::NotFound`]
    /// for an unknown worker; returns false if the worker had that role already.
    fn set_role(&self, worker_id: String, role: WorkerRole) -> StorageFuture<'_, bool>;

    /// Assigns a grid to a worker with a scope, creating the grid if the
    /// server has not seen it; assigning it again with another scope
    /// changes the scope. Returns false if it was assigned with this scope
    /// already. Widening a scope records a reset of the grid for each of
    /// the worker's devices (see [`Storage::scope_resets`]), in the same
    /// transaction.
    fn assign(
        &self,
        worker_id: String,
        grid_id: String,
        scope: AssignmentScope,
    ) -> StorageFuture<'_, bool>;

    /// Removes an assignment. Returns false if there was none. Removing a
    /// narrow one records a reset for each of the worker's devices, as a
    /// widening does: the grid may be assigned again, wider.
    fn unassign(&self, worker_id: String, grid_id: String) -> StorageFuture<'_, bool>;

    /// The grids assigned to a worker with their scopes, by grid.
    fn assignment_scopes(
        &self,
        worker_id: String,
    ) -> StorageFuture<'_, Vec<(String, AssignmentScope)>>;

    /// The grids this device must start over: its cursor there may have
    /// skipped documents its worker may now pull (an events-only assignment
    /// was widened or removed). First forgets the resets of the grids in
    /// `started_over` (the request names them at cursor 0: the device holds
    /// no position there, so whatever it pulls next is under the current
    /// scope); returns the rest, sorted.
    fn scope_resets(
        &self,
        device_id: String,
        started_over: Vec<String>,
    ) -> StorageFuture<'_, Vec<String>>;

    /// Registers a device with its token's hash.
    fn add_device(&self, device: NewDevice) -> StorageFuture<'_, ()>;

    /// Revokes a device; its token stops working at once. Returns false if
    /// the device is unknown or already revoked.
    fn revoke_device(&self, device_id: String) -> StorageFuture<'_, bool>;

    /// The unrevoked device whose token has this hash.
    fn authenticate(&self, token_hash: String) -> StorageFuture<'_, Option<AuthenticatedDevice>>;

    /// Workers, grids and devices.
    fn list(&self) -> StorageFuture<'_, Listing>;

    /// Row counts.
    fn stats(&self) -> StorageFuture<'_, Stats>;

    /// The grids assigned to a worker, sorted.
    fn assigned_grids(&self, worker_id: String) -> StorageFuture<'_, Vec<String>>;

    /// Checks, without writing, that the device's worker may use every grid
    /// in `grids`; `creating` lists grids the request pushes changes to (a
    /// worker allowed to create grids may push to a grid never seen).
    /// Fails with [`StorageError::GridForbidden`] naming the first refused grid.
    fn check_access(
        &self,
        device: AuthenticatedDevice,
        grids: Vec<String>,
        creating: Vec<String>,
    ) -> StorageFuture<'_, ()>;

    /// The grids of `grids` the device's worker may not use, each with its
    /// reason, sorted by grid; never fails for a refusal. A grid is refused
    /// unless it is assigned to the worker, or it is one the server has
    /// never seen, listed in `creating` (the request pushes changes to it),
    /// and the worker may create grids: [`GridRefusal::MayNotCreate`] for a
    /// grid never seen that the request pushes to, [`GridRefusal::NotAssigned`]
    /// for every other. Reads only, like [`Storage::check_access`]; the
    /// push re-checks access inside its transaction.
    fn refused_grids(
        &self,
        device: AuthenticatedDevice,
        grids: Vec<String>,
        creating: Vec<String>,
    ) -> StorageFuture<'_, Vec<RefusedGrid>>;

    /// Every grid assigned to the worker, each with all the workers
    /// assigned to it (id, name and role as the server keeps them), by grid
    /// then worker id.
    fn grid_teams(&self, worker_id: String) -> StorageFuture<'_, Vec<GridTeam>>;

    /// Stores one request's push in one transaction: checks grid access
    /// (creating and assigning new grids where allowed), binds unseen actors
    /// to the device, and appends the changes not stored yet. On any error
    /// nothing is stored.
    fn store_push(&self, batch: PushBatch) -> StorageFuture<'_, PushOutcome>;

    /// A grid's log positions, or None for a grid never seen.
    fn grid_state(&self, grid_id: String) -> StorageFuture<'_, Option<GridState>>;

    /// Reads a grid's log after `after`, leaving out the rows written by
    /// `exclude_actor` (the requesting store's actor: it has them) and the
    /// rows of documents `scope` does not cover (their bytes never leave
    /// the storage), stopping before the row that would take the bytes
    /// over `max_bytes` (but returning at least one row if any) or after
    /// `max_rows` rows. Left-out rows count as looked at (`scanned_to`
    /// passes them), so a cursor moves past them as past any other.
    fn read_log(
        &self,
        grid_id: String,
        after: u64,
        exclude_actor: Option<String>,
        scope: AssignmentScope,
        max_bytes: u64,
        max_rows: u32,
    ) -> StorageFuture<'_, LogBatch>;

    /// Reads a grid's snapshots by document id after `after_doc`, at most
    /// `max_rows`, leaving out the documents `scope` does not cover (an
    /// empty answer still means no snapshot is left after `after_doc`).
    fn read_snapshots(
        &self,
        grid_id: String,
        after_doc: Option<String>,
        scope: AssignmentScope,
        max_rows: u32,
    ) -> StorageFuture<'_, Vec<SnapshotRow>>;

    /// The documents of a grid with changes after its generation up to
    /// `upto`, each with its snapshot and those changes.
    fn compaction_input(
        &self,
        grid_id: String,
        upto: u64,
    ) -> StorageFuture<'_, Vec<CompactionInput>>;

    /// Publishes a compaction: if the grid's generation is still `expected`,
    /// stores the snapshots and sets it to `generation`, and returns true;
    /// otherwise (another compaction won) changes nothing and returns false.
    fn store_compaction(
        &self,
        grid_id: String,
        expected: u64,
        generation: u64,
        snapshots: Vec<(String, Vec<u8>)>,
    ) -> StorageFuture<'_, bool>;

    /// The positions in `wanted` of the changes not stored under their grid
    /// and document, ascending. Looks up the log's unique key only, never
    /// loading a document; a stored change stays stored (the log is never
    /// cut), so the answer holds until the push that relies on it commits.
    fn missing_changes(&self, wanted: Vec<ChangeKey>) -> StorageFuture<'_, Vec<usize>>;

    /// Where the upload of the photo `photo_id` in `grid_id` stands, or
    /// None if the server has none of it.
    fn photo_status(
        &self,
        grid_id: String,
        photo_id: String,
    ) -> StorageFuture<'_, Option<PhotoStatus>>;

    /// Appends one chunk of a photo, in one transaction (see
    /// [`PhotoAppend`]): only at the count received so far, the photo
    /// complete once its declared size arrived and its bytes hashed to its
    /// id, deleted if they did not. The caller checks access and that the
    /// chunk ends within the size.
    fn append_photo_chunk(&self, chunk: PhotoChunk) -> StorageFuture<'_, PhotoAppend>;

    /// The bytes of a complete photo; None if absent or incomplete.
    fn read_photo(&self, grid_id: String, photo_id: String) -> StorageFuture<'_, Option<Vec<u8>>>;

    /// Deletes every incomplete upload begun at or before `begun_by` (Unix
    /// seconds: the row's `created_at`, the time of its first chunk), in
    /// one statement, and says how many and how many received bytes. A
    /// complete photo is never deleted; a chunk racing the purge either
    /// lands before it (and is deleted with its upload) or after it (and
    /// is answered as the first chunk of an upload never begun).
    fn purge_abandoned_uploads(&self, begun_by: i64) -> StorageFuture<'_, PurgedUploads>;

    /// The server secret called `name`: the one stored, or `fresh`, stored
    /// now, if there is none (when two processes race, both get the one
    /// stored first). Never logged.
    fn server_secret(&self, name: &'static str, fresh: Vec<u8>) -> StorageFuture<'_, Vec<u8>>;

    /// The epoch a grid's self-report links are signed under: 0 until they
    /// are first revoked.
    fn self_report_epoch(&self, grid_id: String) -> StorageFuture<'_, u64>;

    /// Revokes every self-report link issued for a grid so far, by moving
    /// its epoch on; returns the new epoch. Fails with
    /// [`StorageError::NotFound`] for a grid the server has never seen.
    fn revoke_self_report_links(&self, grid_id: String) -> StorageFuture<'_, u64>;

    /// Keeps a resident's report for review. Fails with
    /// [`StorageError::NotFound`] for a grid the server has never seen.
    fn store_self_report(&self, report: StoredSelfReport) -> StorageFuture<'_, ()>;

    /// A grid's reports waiting for review, oldest first.
    fn self_reports(&self, grid_id: String) -> StorageFuture<'_, Vec<StoredSelfReport>>;

    /// Deletes a grid's report (it was reviewed). Returns false if the grid
    /// holds no report with that id.
    fn delete_self_report(&self, grid_id: String, report_id: String) -> StorageFuture<'_, bool>;

    /// Deletes every report received at or before `received_by` (Unix
    /// seconds), in one statement; returns how many.
    fn purge_self_reports(&self, received_by: i64) -> StorageFuture<'_, u64>;
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A role read from the database. Only [`WorkerRole`] codes are ever
/// written, so another value means the database was edited by hand.
pub(crate) fn stored_role(code: &str) -> StorageResult<WorkerRole> {
    WorkerRole::from_code(code)
        .ok_or_else(|| StorageError::Database("a worker's role is not a known role code".into()))
}

/// A scope read from the database. Only [`AssignmentScope`] codes are ever
/// written, so another value means the database was edited by hand.
pub(crate) fn stored_scope(code: &str) -> StorageResult<AssignmentScope> {
    AssignmentScope::parse(code).ok_or_else(|| {
        StorageError::Database("an assignment's scope is not a known scope code".into())
    })
}

/// Whether changing an assignment's scope from `old` (None: no assignment)
/// to `new` (None: removed) may expose documents a device's cursor skipped,
/// so that the worker's devices must start the grid over.
pub(crate) fn needs_reset(old: Option<AssignmentScope>, new: Option<AssignmentScope>) -> bool {
    match (old, new) {
        (Some(old), Some(new)) => !new.within(old),
        // A narrow assignment removed may come back wider; the reset keeps
        // the device from resuming the old cursor then.
        (Some(old), None) => old != AssignmentScope::All,
        (None, _) => false,
    }
}

/// Converts a stored position (never negative) to u64.
pub(crate) fn pos(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Converts a position to the database's signed integer.
pub(crate) fn db_pos(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The refusal of one grid the worker is not assigned to, given whether
/// the server has seen it (both backends decide alike).
pub(crate) fn refusal(
    device: &AuthenticatedDevice,
    grid: &str,
    seen: bool,
    creating: &[String],
) -> Option<GridRefusal> {
    let pushed = creating.iter().any(|g| g == grid);
    match (seen, pushed, device.can_create_grids) {
        (false, true, true) => None,
        (false, true, false) => Some(GridRefusal::MayNotCreate),
        _ => Some(GridRefusal::NotAssigned),
    }
}

/// Groups (grid, worker id, name, role) rows, sorted by grid, into teams.
pub(crate) fn group_teams(rows: Vec<(String, String, String, String)>) -> Vec<GridTeam> {
    let mut teams: Vec<GridTeam> = Vec::new();
    for (grid_id, worker_id, name, role) in rows {
        let member = TeamMember {
            worker_id,
            name,
            role,
        };
        match teams.last_mut() {
            Some(team) if team.grid_id == grid_id => team.workers.push(member),
            _ => teams.push(GridTeam {
                grid_id,
                workers: vec![member],
            }),
        }
    }
    teams
}

/// Sorted, deduplicated copy of a list of ids.
pub(crate) fn sorted_unique(ids: &[String]) -> Vec<String> {
    let mut out = ids.to_vec();
    out.sort();
    out.dedup();
    out
}
