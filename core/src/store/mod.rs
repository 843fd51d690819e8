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
//! add an edit, write a method in the kind's `edit.rs` that validates its
//! input first and then calls [`Store::write`].
//!
//! The machinery beside the handle: `edit` (one write in progress),
//! `project` (the projection driver), `merge` (chunks from other replicas),
//! `registry` (how kinds plug in), `team` (workers and devices),
//! `conflicts`, `lookup` and `rows` (helpers for edits and queries),
//! `checkpoint` (WAL checkpoints on a thread of their own), `notify`
//! (change notifications and live queries, delivered by [`Store::write`]
//! once a write has committed) and `photos` (photo bytes and their upload
//! state: device-local, beside the documents).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use automerge::ActorId;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::db;
use crate::docs::{DocCache, DocId};
use crate::error::{Error, Result};
use crate::identity::WorkerIdentity;
use crate::photos::PhotoLimits;
use crate::registry;
use crate::validate::{self, Date};

mod checkpoint;
pub(crate) mod conflicts;
mod edit;
mod key;
pub(crate) mod lookup;
pub(crate) mod merge;
pub(crate) mod notify;
pub(crate) mod photos;
pub(crate) mod project;
pub(crate) mod rows;
pub(crate) mod team;

use checkpoint::{CHECKPOINT_EVERY_COMMITS, Checkpointer, SAFETY_NET_WAL_PAGES};
pub(crate) use edit::Edit;
pub use key::{RAW_KEY_BYTES, StoreKey};
use notify::Listeners;

/// Settings for [`Store::open_with`].
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// The key of an encrypted file ([`StoreKey`]); `None` for a plain file.
    pub key: Option<StoreKey>,
    /// The UTC offset of the grid's local time in minutes, used for "today" in validation (China: 480).
    pub local_offset_minutes: i32,
    /// Compact a document into a snapshot once it has this many single-change chunks (at least 1).
    pub compact_after_changes: u32,
    /// How many documents to keep loaded for writing.
    pub cached_documents: usize,
    /// The cap on a photo attached or downloaded (default 5 MiB; 1 byte to
    /// [`MAX_PHOTO_LIMIT_BYTES`](crate::MAX_PHOTO_LIMIT_BYTES)).
    pub photo_limits: PhotoLimits,
    /// The most bytes of photos the server holds that the phone keeps
    /// (default 200 MiB, see [`DEFAULT_PHOTO_CACHE_BYTES`](crate::DEFAULT_PHOTO_CACHE_BYTES)); photos
    /// attached here and not yet uploaded never count and are never dropped.
    pub photo_cache_bytes: u64,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            key: None,
            local_offset_minutes: 480,
            compact_after_changes: 256,
            cached_documents: 8,
            photo_limits: PhotoLimits::default(),
            photo_cache_bytes: photos::DEFAULT_PHOTO_CACHE_BYTES,
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
    listeners: Listeners,
    // Fields drop in this order: the read-only reader must close before the
    // writer, so that the writer is the file's last connection and SQLite
    // checkpoints the WAL into the file and deletes it when the store is
    // dropped (a read-only last connection leaves the WAL behind).
    reader: Mutex<Connection>,
    writer: Mutex<Writer>,
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
    /// A store belongs to the worker who created it: opening it as another
    /// worker id fails with [`Error::WorkerMismatch`]. Once a sync has told
    /// the store its worker's name and role as the server keeps them
    /// ([`Store::vouched_identity`]), those replace the ones given here, so
    /// the store writes what the server vouches for.
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
    /// An option that cannot work (a raw key of another length than 32
    /// bytes, a zero compaction threshold, a photo cap of 0 or above
    /// [`MAX_PHOTO_LIMIT_BYTES`](crate::MAX_PHOTO_LIMIT_BYTES), a photo cache above `i64::MAX`)
    /// is [`Error::Invalid`] naming it, before the file is created or touched.
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
        if let Some(key) = &options.key {
            key.check()?;
        }
        validate::utc_offset_minutes(options.local_offset_minutes).field("local_offset_minutes")?;
        if options.compact_after_changes == 0 {
            return Err(Error::invalid(
                "compact_after_changes",
                validate::InvalidReason::OutOfRange,
            ));
        }
        if !(1..=photos::MAX_PHOTO_LIMIT_BYTES).contains(&options.photo_limits.max_bytes) {
            return Err(Error::invalid(
                "photo_limits.max_bytes",
                validate::InvalidReason::OutOfRange,
            ));
        }
        if i64::try_from(options.photo_cache_bytes).is_err() {
            return Err(Error::invalid(
                "photo_cache_bytes",
                validate::InvalidReason::OutOfRange,
            ));
        }
        let path = path.as_ref().to_path_buf();
        let mut conn = db::connect(&path, options.key.as_ref(), false)?;
        let after_migration = db::prepare_writer(&mut conn)?;
        let (actor, identity) = Self::device_actor(&mut conn, identity)?;
        let reader = db::connect(&path, options.key.as_ref(), true)?;
        reader.pragma_update(None, "query_only", true)?;
        let checkpointer = Checkpointer::start(db::connect(&path, options.key.as_ref(), false)?)?;
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
            listeners: Listeners::default(),
        };
        if after_migration.rebuild {
            store.rebuild()?;
        }
        if after_migration.fill_outbox {
            store.write(|edit| edit.fill_outbox())?;
        }
        store.write(|edit| {
            registry::kinds()
                .filter_map(|kind| kind.refresh_on_open)
                .try_for_each(|refresh| refresh(edit.tx))
        })?;
        Ok(store)
    }

    /// The device's actor id, created on first open, and the identity to
    /// write under (the vouched name and role, once a sync stored them);
    /// refuses another worker's store.
    fn device_actor(
        conn: &mut Connection,
        mut identity: WorkerIdentity,
    ) -> Result<(ActorId, WorkerIdentity)> {
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
        if let Some(vouched) = team::vouched_identity(&tx, &identity.worker_id)? {
            // Names the server keeps are checked like the ones given to `open`.
            if let Ok(name) = validate::text(&vouched.name, 64) {
                identity.name = name;
            }
            identity.role = vouched.role;
        }
        tx.commit()?;
        Ok((actor, identity))
    }

    /// The worker this store belongs to.
    pub fn identity(&self) -> &WorkerIdentity {
        &self.identity
    }

    /// This device's CRDT actor id as bytes.
    pub(crate) fn actor_bytes(&self) -> Vec<u8> {
        self.actor.to_bytes().to_vec()
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
        Date::today(self.options.local_offset_minutes)
    }

    /// The UTC offset this store stamps local dates in, in minutes (+480 in China).
    pub fn local_offset_minutes(&self) -> i32 {
        self.options.local_offset_minutes
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
        let notify = self.listeners.any();
        let mut edit = Edit::new(&tx, docs, registered, &self.identity, &self.actor, notify);
        let outcome = f(&mut edit).and_then(|value| {
            edit.commit(self.options.compact_after_changes)?;
            Ok(value)
        });
        let touched = edit.touched_docs();
        let changes = edit.change_log();
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
        if let Err(error) = &outcome {
            // Errors name the field or the cause, never the value (error.rs).
            tracing::debug!(%error, "write refused; nothing written");
            // Memory may hold changes the file does not: reload those documents next time.
            for doc_id in &touched {
                guard.docs.evict(doc_id);
            }
            guard.registered.clear();
        } else {
            guard.docs.trim(&touched);
            // Committed: tell the listeners, outside the writer lock.
            drop(guard);
            self.listeners.deliver(changes);
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
