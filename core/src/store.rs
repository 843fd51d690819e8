//! The store handle: opening, the single write path, and compaction.
//!
//! Every edit runs through [`Store::write`]: the closure changes Automerge
//! documents through an [`Edit`]; then, in ONE SQLite transaction, each
//! changed document's new change is appended to `chunks` and the records it
//! touched are re-projected into the query tables. If anything fails, the
//! SQLite transaction rolls back and the in-memory documents are rolled back
//! or dropped from the cache, so memory never runs ahead of the file.
//!
//! Reads use a second, read-only connection and never load a document. To
//! add an edit, write a function in an `edit_*` module that validates its
//! input first and then calls [`Store::write`].

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, mpsc};

use automerge::transaction::CommitOptions;
use automerge::{ActorId, AutoCommit, ROOT};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::codes::CodeList;
use crate::crdt::{ensure_map, s, set};
use crate::db;
use crate::docs::{self, DocCache, DocId, DocKind, StoredChunk};
use crate::error::{Error, Result};
use crate::model::WorkerIdentity;
use crate::project::{self, DocContext, RecordRef};
use crate::validate::{self, Date};

/// Settings for [`Store::open_with`].
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// The SQLCipher key; `None` for a plain file.
    pub key: Option<String>,
    /// The UTC offset of the grid's local time in minutes, used for "today" in validation (China: 480).
    pub local_offset_minutes: i32,
    /// Compact a document into a snapshot once it has this many single-change chunks.
    pub compact_after_changes: u32,
    /// How many documents to keep loaded for writing.
    pub cached_documents: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            key: None,
            local_offset_minutes: 480,
            compact_after_changes: 256,
            cached_documents: 8,
        }
    }
}

pub(crate) struct Writer {
    pub(crate) conn: Connection,
    pub(crate) docs: DocCache,
    /// Grids whose roster already maps this device's actor to its worker.
    registered: HashSet<String>,
}

/// A Gridbook store: one SQLite file holding a worker's grids.
///
/// The handle is `Send + Sync`; calls from several threads are serialised on
/// one writer connection, and reads use their own connection.
pub struct Store {
    checkpointer: Checkpointer,
    commits: AtomicU64,
    path: PathBuf,
    identity: WorkerIdentity,
    actor: ActorId,
    options: OpenOptions,
    writer: Mutex<Writer>,
    reader: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("worker_id", &self.identity.worker_id)
            .field("actor", &self.actor.to_hex_string())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens or creates the store at `path` for a worker on this device.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use gridbook::{Store, WorkerIdentity, codes::WorkerRole};
    /// let dir = tempfile::tempdir()?;
    /// let me = WorkerIdentity {
    ///     worker_id: "w-zhang".into(),
    ///     name: "张伟".into(),
    ///     role: WorkerRole::GridHead,
    ///     device_label: "张伟的手机".into(),
    /// };
    /// let store = Store::open(dir.path().join("grid.db"), me)?;
    /// assert!(store.grids()?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn open(path: impl AsRef<Path>, identity: WorkerIdentity) -> Result<Store> {
        Store::open_with(path, identity, OpenOptions::default())
    }

    /// Opens or creates a store with explicit options (encryption key, compaction).
    pub fn open_with(
        path: impl AsRef<Path>,
        identity: WorkerIdentity,
        options: OpenOptions,
    ) -> Result<Store> {
        use crate::error::FieldCheck;
        let identity = WorkerIdentity {
            worker_id: validate::code(&identity.worker_id, 64).field("worker_id")?,
            name: validate::text(&identity.name, 64).field("name")?,
            role: identity.role,
            device_label: validate::text(&identity.device_label, 64).field("device_label")?,
        };
        validate::utc_offset_minutes(options.local_offset_minutes).field("local_offset_minutes")?;
        let path = path.as_ref().to_path_buf();
        let mut conn = db::connect(&path, options.key.as_deref(), false)?;
        let needs_rebuild = db::prepare_writer(&mut conn)?;
        let actor = Self::device_actor(&mut conn, &identity)?;
        let reader = db::connect(&path, options.key.as_deref(), true)?;
        reader.pragma_update(None, "query_only", true)?;
        let checkpointer = Checkpointer::start(db::connect(&path, options.key.as_deref(), false)?)?;
        // Checkpoints run on the checkpointer's thread; this is only a safety net.
        conn.pragma_update(None, "wal_autocheckpoint", SAFETY_NET_WAL_PAGES)?;
        let store = Store {
            checkpointer,
            commits: AtomicU64::new(0),
            path,
            identity,
            actor,
            writer: Mutex::new(Writer {
                conn,
                docs: DocCache::new(options.cached_documents),
                registered: HashSet::new(),
            }),
            reader: Mutex::new(reader),
            options,
        };
        if needs_rebuild {
            store.rebuild()?;
        }
        Ok(store)
    }

    /// The device's actor id, created on first open; refuses another worker's store.
    fn device_actor(conn: &mut Connection, identity: &WorkerIdentity) -> Result<ActorId> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored_worker: Option<Vec<u8>> = tx
            .query_row("SELECT value FROM meta WHERE key = 'worker_id'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match stored_worker {
            Some(worker) if worker != identity.worker_id.as_bytes() => {
                return Err(Error::WorkerMismatch);
            }
            Some(_) => {}
            None => {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('worker_id', ?1)",
                    [identity.worker_id.as_bytes()],
                )?;
            }
        }
        let actor: Option<Vec<u8>> = tx
            .query_row("SELECT value FROM meta WHERE key = 'actor_id'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let actor = match actor {
            Some(bytes) => ActorId::from(bytes),
            None => {
                let actor = ActorId::random();
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('actor_id', ?1)",
                    [actor.to_bytes()],
                )?;
                actor
            }
        };
        tx.commit()?;
        Ok(actor)
    }

    /// The worker this store belongs to.
    pub fn identity(&self) -> &WorkerIdentity {
        &self.identity
    }

    /// This device's CRDT actor id, hex encoded.
    pub fn actor_id(&self) -> String {
        self.actor.to_hex_string()
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Today's date in the grid's local time.
    pub fn today(&self) -> Date {
        Date::from_unix_millis(now_ms(), self.options.local_offset_minutes)
    }

    pub(crate) fn lock_writer(&self) -> MutexGuard<'_, Writer> {
        // A poisoned lock means a panic inside a write; the transaction was
        // rolled back and the documents are reloaded from the file.
        self.writer.lock().unwrap_or_else(|poisoned| {
            let mut writer = poisoned.into_inner();
            writer.docs.clear();
            writer
        })
    }

    pub(crate) fn lock_reader(&self) -> MutexGuard<'_, Connection> {
        self.reader
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs one edit: document changes, change chunks and query rows commit together or not at all.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Edit<'_>) -> Result<T>) -> Result<T> {
        let mut guard = self.lock_writer();
        let Writer {
            conn,
            docs,
            registered,
        } = &mut *guard;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut edit = Edit {
            tx: &tx,
            docs,
            registered,
            touched: BTreeMap::new(),
            identity: &self.identity,
            actor: &self.actor,
        };
        let outcome = f(&mut edit).and_then(|value| {
            edit.commit(self.options.compact_after_changes)?;
            Ok(value)
        });
        let touched: Vec<DocId> = edit.touched.keys().cloned().collect();
        let outcome = outcome.and_then(|value| {
            tx.commit()?;
            Ok(value)
        });
        if outcome.is_ok() {
            let commits = self.commits.fetch_add(1, Ordering::Relaxed) + 1;
            if commits.is_multiple_of(CHECKPOINT_EVERY_COMMITS) {
                self.checkpointer.request();
            }
        }
        if outcome.is_err() {
            // Memory may hold changes the file does not: reload those documents next time.
            for doc_id in &touched {
                guard.docs.evict(doc_id);
            }
            guard.registered.clear();
        } else {
            guard.docs.trim(&touched);
        }
        outcome
    }

    /// Recreates every query table from the documents. The rows it writes are
    /// exactly those the incremental path keeps.
    pub fn rebuild(&self) -> Result<()> {
        self.write(|edit| edit.rebuild_all())
    }

    /// Compacts every document with change chunks into one snapshot each.
    pub fn compact(&self) -> Result<()> {
        self.write(|edit| {
            let doc_ids: Vec<(String, String, String)> = edit.all_docs()?;
            for (doc_id, _, _) in doc_ids {
                if let Some((doc_id, _, _)) = DocId::parse(&doc_id) {
                    edit.compact(&doc_id)?;
                }
            }
            Ok(())
        })
    }

    /// Runs `f` with the read-only connection.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock_reader();
        f(&conn)
    }
}

/// How many commits pass between two background WAL checkpoints.
const CHECKPOINT_EVERY_COMMITS: u64 = 64;

/// The WAL size (pages) at which the writer checkpoints by itself, in case
/// the checkpointer falls behind.
const SAFETY_NET_WAL_PAGES: i64 = 10_000;

/// Copies the WAL back into the database file on a thread and connection of
/// its own (a PASSIVE checkpoint never blocks the writer), so that no edit
/// pays for a checkpoint. SQLite's own automatic checkpoint stays as a
/// safety net at a much larger WAL size.
struct Checkpointer {
    signal: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(conn: Connection) -> Result<Checkpointer> {
        let (signal, requests) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("gridbook-checkpoint".into())
            .spawn(move || {
                while requests.recv().is_ok() {
                    // Coalesce requests that queued up during the last checkpoint.
                    while requests.try_recv().is_ok() {}
                    // Best effort: a failed checkpoint is retried at the next request.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .map_err(|e| Error::document("checkpointer", e))?;
        Ok(Checkpointer {
            signal: Some(signal),
            thread: Some(thread),
        })
    }

    fn request(&self) {
        if let Some(signal) = &self.signal {
            let _ = signal.send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.signal.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The current time in UTC milliseconds.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

struct Touched {
    kind: DocKind,
    grid_id: String,
    records: BTreeSet<RecordRef>,
    is_new: bool,
}

/// One write in progress: the documents it changes and the records it touches.
pub(crate) struct Edit<'a> {
    pub(crate) tx: &'a Transaction<'a>,
    docs: &'a mut DocCache,
    registered: &'a mut HashSet<String>,
    touched: BTreeMap<DocId, Touched>,
    pub(crate) identity: &'a WorkerIdentity,
    actor: &'a ActorId,
}

impl Edit<'_> {
    /// The document to change, loaded or created, with this device registered in its grid.
    pub(crate) fn doc(
        &mut self,
        doc_id: &DocId,
        kind: DocKind,
        grid_id: &str,
    ) -> Result<&mut AutoCommit> {
        self.register_device(grid_id)?;
        self.open_doc(doc_id, kind, grid_id)?;
        self.docs
            .get_mut(doc_id)
            .ok_or_else(|| Error::document(doc_id.as_str(), "document not loaded"))
    }

    /// Loads (or creates from genesis) a document and marks it as part of this edit.
    /// Loading never writes: compaction and merges use it too.
    fn open_doc(&mut self, doc_id: &DocId, kind: DocKind, grid_id: &str) -> Result<()> {
        if !self.docs.contains(doc_id) {
            let chunks = load_chunks(self.tx, doc_id)?;
            let doc = if chunks.is_empty() {
                let mut doc = docs::genesis(kind)?;
                doc.set_actor(self.actor.clone());
                doc
            } else {
                docs::load(doc_id, &chunks, self.actor)?
            };
            self.docs
                .insert(doc_id.clone(), doc, pending_changes(&chunks));
            if chunks.is_empty() {
                self.touched.entry(doc_id.clone()).or_insert(Touched {
                    kind,
                    grid_id: grid_id.to_string(),
                    records: BTreeSet::new(),
                    is_new: true,
                });
            }
        }
        self.touched.entry(doc_id.clone()).or_insert(Touched {
            kind,
            grid_id: grid_id.to_string(),
            records: BTreeSet::new(),
            is_new: false,
        });
        Ok(())
    }

    /// Maps this device's actor to its worker in the grid's roster, once.
    fn register_device(&mut self, grid_id: &str) -> Result<()> {
        if self.registered.contains(grid_id) {
            return Ok(());
        }
        let actor = self.actor.to_hex_string();
        let known: bool = self
            .tx
            .prepare_cached(
                "SELECT 1 FROM devices WHERE grid_id = ?1 AND actor = ?2 AND worker_id = ?3",
            )?
            .exists(params![grid_id, actor, self.identity.worker_id])?;
        self.registered.insert(grid_id.to_string());
        if known {
            return Ok(());
        }
        let roster = DocId::roster(grid_id);
        self.open_doc(&roster, DocKind::Roster, grid_id)?;
        let identity = self.identity.clone();
        let doc = self
            .docs
            .get_mut(&roster)
            .ok_or_else(|| Error::document(roster.as_str(), "document not loaded"))?;
        let devices = ensure_map(doc, &ROOT, "devices")?;
        let device = ensure_map(doc, &devices, &actor)?;
        set(doc, &device, "worker_id", s(&identity.worker_id))?;
        set(doc, &device, "label", s(&identity.device_label))?;
        let workers = ensure_map(doc, &ROOT, "workers")?;
        let worker = ensure_map(doc, &workers, &identity.worker_id)?;
        set(doc, &worker, "name", s(&identity.name))?;
        set(doc, &worker, "role", s(identity.role.code()))?;
        self.touch(&roster, "devices", &actor);
        self.touch(&roster, "workers", &identity.worker_id);
        Ok(())
    }

    /// Marks a record for re-projection when the edit commits.
    pub(crate) fn touch(&mut self, doc_id: &DocId, collection: &str, key: &str) {
        if let Some(touched) = self.touched.get_mut(doc_id) {
            touched.records.insert(RecordRef::new(collection, key));
        }
    }

    /// Commits each changed document, appends its change and re-projects what it touched.
    fn commit(&mut self, compact_after: u32) -> Result<()> {
        let now = now_ms();
        let doc_ids: Vec<DocId> = self.touched.keys().cloned().collect();
        for doc_id in doc_ids {
            let Some(touched) = self.touched.get(&doc_id) else {
                continue;
            };
            let (kind, grid_id, is_new) = (touched.kind, touched.grid_id.clone(), touched.is_new);
            let records = touched.records.clone();
            let doc = self
                .docs
                .get_mut(&doc_id)
                .ok_or_else(|| Error::document(doc_id.as_str(), "document not loaded"))?;
            let mut new_chunks: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
            let committed = doc.commit_with(CommitOptions::default().with_time(now));
            if is_new {
                // A new document: its genesis change (identical on every replica) and ours.
                for change in doc.get_changes(&[]) {
                    new_chunks.push((change.hash().0.to_vec(), change.raw_bytes().to_vec()));
                }
            } else if let Some(hash) = committed {
                let change = doc
                    .get_change_by_hash(&hash)
                    .ok_or_else(|| Error::document(doc_id.as_str(), "committed change missing"))?;
                new_chunks.push((hash.0.to_vec(), change.raw_bytes().to_vec()));
            }
            if new_chunks.is_empty() && records.is_empty() {
                continue;
            }
            if is_new {
                self.tx.execute(
                    "INSERT OR IGNORE INTO docs (doc_id, grid_id, kind) VALUES (?1, ?2, ?3)",
                    params![doc_id.as_str(), grid_id, kind.as_str()],
                )?;
            }
            let mut stored = 0;
            for (hash, bytes) in &new_chunks {
                stored += u32::from(insert_change(self.tx, &doc_id, hash, bytes)?);
            }
            let doc = self
                .docs
                .get_mut(&doc_id)
                .ok_or_else(|| Error::document(doc_id.as_str(), "document not loaded"))?;
            let ctx = DocContext {
                doc: doc.document(),
                doc_id: doc_id.as_str(),
                grid_id: &grid_id,
            };
            project_with_dependents(self.tx, &ctx, records)?;
            self.compact_if_due(&doc_id, stored, compact_after)?;
        }
        Ok(())
    }

    fn compact_if_due(&mut self, doc_id: &DocId, stored: u32, compact_after: u32) -> Result<()> {
        let pending = self.docs.pending_mut(doc_id).map(|pending| {
            *pending += stored;
            *pending
        });
        if pending.is_some_and(|pending| pending >= compact_after) {
            self.compact(doc_id)?;
        }
        Ok(())
    }

    /// Replaces the chunks a snapshot covers with the snapshot. Chunks whose
    /// changes could not be applied yet (missing dependencies) stay.
    pub(crate) fn compact(&mut self, doc_id: &DocId) -> Result<()> {
        let Some((_, kind, grid_id)) = DocId::parse(doc_id.as_str()) else {
            return Ok(());
        };
        self.open_doc(doc_id, kind, &grid_id)?;
        let doc = self
            .docs
            .get_mut(doc_id)
            .ok_or_else(|| Error::document(doc_id.as_str(), "document not loaded"))?;
        let chunks: Vec<(i64, i64, Option<Vec<u8>>)> = self
            .tx
            .prepare_cached("SELECT seq, kind, hash FROM chunks WHERE doc_id = ?1")?
            .query_map([doc_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if chunks.len() <= 1 {
            return Ok(());
        }
        let mut covered = Vec::new();
        let mut uncovered_changes = 0u32;
        for (seq, chunk_kind, hash) in chunks {
            let is_covered = match (chunk_kind, hash) {
                (1, _) => true,
                (_, Some(hash)) => automerge::ChangeHash::try_from(hash.as_slice())
                    .ok()
                    .is_some_and(|hash| doc.get_change_meta_by_hash(&hash).is_some()),
                _ => false,
            };
            if is_covered {
                covered.push(seq);
            } else {
                uncovered_changes += 1;
            }
        }
        let snapshot = doc.save();
        let mut delete = self
            .tx
            .prepare_cached("DELETE FROM chunks WHERE seq = ?1")?;
        for seq in covered {
            delete.execute([seq])?;
        }
        self.tx.execute(
            "INSERT INTO chunks (doc_id, kind, hash, bytes) VALUES (?1, 1, NULL, ?2)",
            params![doc_id.as_str(), snapshot],
        )?;
        if let Some(pending) = self.docs.pending_mut(doc_id) {
            *pending = uncovered_changes;
        }
        Ok(())
    }

    /// Every document of the store: id, grid and kind.
    pub(crate) fn all_docs(&self) -> Result<Vec<(String, String, String)>> {
        Ok(self
            .tx
            .prepare_cached("SELECT doc_id, grid_id, kind FROM docs ORDER BY doc_id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn rebuild_all(&mut self) -> Result<()> {
        for table in project::QUERY_TABLES {
            self.tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        for (doc_id, grid_id, _) in self.all_docs()? {
            let Some((doc_id, kind, _)) = DocId::parse(&doc_id) else {
                continue;
            };
            if !self.docs.contains(&doc_id) {
                let chunks = load_chunks(self.tx, &doc_id)?;
                if chunks.is_empty() {
                    continue;
                }
                let doc = docs::load(&doc_id, &chunks, self.actor)?;
                self.docs
                    .insert(doc_id.clone(), doc, pending_changes(&chunks));
            }
            let _ = kind;
            let doc = self
                .docs
                .get_mut(&doc_id)
                .ok_or_else(|| Error::document(doc_id.as_str(), "document not loaded"))?;
            let am = doc.document();
            let ctx = DocContext {
                doc: am,
                doc_id: doc_id.as_str(),
                grid_id: &grid_id,
            };
            for record in project::all_records(am) {
                project::project_record(self.tx, &ctx, &record)?;
            }
            self.docs.trim(&[]);
        }
        Ok(())
    }

    /// Loads a document for a merge; `None` if the store has never seen it.
    pub(crate) fn doc_for_merge(
        &mut self,
        doc_id: &DocId,
        kind: DocKind,
        grid_id: &str,
    ) -> Result<&mut AutoCommit> {
        if !self.docs.contains(doc_id) {
            let chunks = load_chunks(self.tx, doc_id)?;
            let doc = if chunks.is_empty() {
                let mut doc = AutoCommit::new();
                doc.set_actor(self.actor.clone());
                doc
            } else {
                docs::load(doc_id, &chunks, self.actor)?
            };
            self.docs
                .insert(doc_id.clone(), doc, pending_changes(&chunks));
        }
        self.touched.entry(doc_id.clone()).or_insert(Touched {
            kind,
            grid_id: grid_id.to_string(),
            records: BTreeSet::new(),
            is_new: false,
        });
        self.docs
            .get_mut(doc_id)
            .ok_or_else(|| Error::document(doc_id.as_str(), "document not loaded"))
    }

    /// Stores a received chunk as it came (a change or a snapshot).
    pub(crate) fn store_received(
        &mut self,
        doc_id: &DocId,
        grid_id: &str,
        kind: DocKind,
        hash: Option<&[u8]>,
        bytes: &[u8],
    ) -> Result<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO docs (doc_id, grid_id, kind) VALUES (?1, ?2, ?3)",
            params![doc_id.as_str(), grid_id, kind.as_str()],
        )?;
        let stored = match hash {
            Some(hash) => u32::from(insert_change(self.tx, doc_id, hash, bytes)?),
            None => {
                self.tx.execute(
                    "INSERT INTO chunks (doc_id, kind, hash, bytes) VALUES (?1, 1, NULL, ?2)",
                    params![doc_id.as_str(), bytes],
                )?;
                0
            }
        };
        if let Some(pending) = self.docs.pending_mut(doc_id) {
            *pending += stored;
        }
        Ok(())
    }

    /// Marks records changed by a merge for re-projection.
    pub(crate) fn touch_all(&mut self, doc_id: &DocId, records: BTreeSet<RecordRef>) {
        if let Some(touched) = self.touched.get_mut(doc_id) {
            touched.records.extend(records);
        }
    }
}

/// Appends one change; `false` if the document already had it.
fn insert_change(tx: &Transaction, doc_id: &DocId, hash: &[u8], bytes: &[u8]) -> Result<bool> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO chunks (doc_id, kind, hash, bytes) VALUES (?1, 0, ?2, ?3)",
        )?
        .execute(params![doc_id.as_str(), hash, bytes])?;
    Ok(inserted > 0)
}

fn load_chunks(tx: &Transaction, doc_id: &DocId) -> Result<Vec<StoredChunk>> {
    Ok(tx
        .prepare_cached("SELECT kind, bytes FROM chunks WHERE doc_id = ?1 ORDER BY seq")?
        .query_map([doc_id.as_str()], |r| {
            Ok(StoredChunk {
                is_snapshot: r.get::<_, i64>(0)? == 1,
                bytes: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

fn pending_changes(chunks: &[StoredChunk]) -> u32 {
    u32::try_from(chunks.iter().filter(|c| !c.is_snapshot).count()).unwrap_or(u32::MAX)
}

/// Projects records and the records derived from them: a household's address
/// text comes from its building, so touching a building re-projects its households.
pub(crate) fn project_with_dependents(
    tx: &Transaction,
    ctx: &DocContext,
    mut records: BTreeSet<RecordRef>,
) -> Result<()> {
    let buildings: Vec<String> = records
        .iter()
        .filter(|r| r.collection == "buildings")
        .map(|r| r.key.clone())
        .collect();
    for building in buildings {
        for household in project::households_of_building(ctx.doc, &building) {
            records.insert(RecordRef::new("households", &household));
        }
    }
    for record in &records {
        project::project_record(tx, ctx, record)?;
    }
    Ok(())
}
