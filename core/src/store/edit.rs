//! One write in progress ([`Edit`]): the documents it loads and changes, the
//! records it touches, and the commit that appends each new change and
//! re-projects those records in the same SQLite transaction; also
//! compaction and rebuild, which run as edits. Rows derived from another
//! record are re-projected with it through the registry's `dependents`
//! hook (see `project::project_with_dependents`).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use automerge::transaction::CommitOptions;
use automerge::{ActorId, AutoCommit, ROOT};
use rusqlite::{Transaction, params};

use super::notify::ChangeLog;
use super::project::{self, project_with_dependents};
use crate::code_list::CodeList;
use crate::crdt::{ensure_map, s, set};
use crate::docs::{self, DocCache, DocId, DocKind, ROSTER, StoredChunk};
use crate::error::{Error, Result};
use crate::identity::{WorkerIdentity, WorkerRole};
use crate::kinds::RecordKind;
use crate::registry;
use crate::registry::{DocContext, DocSpec, Projected, RecordRef};
use crate::values::now_ms;

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
    /// The records projected so far, for change notifications.
    projected: RefCell<Projected>,
    /// Whether the outbox or the sync cursors changed.
    sync_state: bool,
    /// Whether chunks from another replica were merged.
    merged: bool,
    /// Whether every query table was rebuilt.
    rebuilt: bool,
}

impl<'a> Edit<'a> {
    pub(super) fn new(
        tx: &'a Transaction<'a>,
        docs: &'a mut DocCache,
        registered: &'a mut HashSet<String>,
        identity: &'a WorkerIdentity,
        actor: &'a ActorId,
        notify: bool,
    ) -> Edit<'a> {
        Edit {
            tx,
            docs,
            registered,
            touched: BTreeMap::new(),
            identity,
            actor,
            projected: RefCell::new(Projected::new(notify)),
            sync_state: false,
            merged: false,
            rebuilt: false,
        }
    }

    /// What this edit changed, for the listeners, once it has committed.
    pub(super) fn change_log(&mut self) -> ChangeLog {
        ChangeLog {
            projected: self.projected.take(),
            sync_state: self.sync_state,
            merged: self.merged,
            rebuilt: self.rebuilt,
        }
    }

    /// Notes that the outbox or a sync cursor changed (the sync status).
    pub(crate) fn sync_state_changed(&mut self) {
        self.sync_state = true;
    }

    /// Notes a change to a record that no document holds (a photo's row),
    /// for the listeners.
    pub(crate) fn note_record(&self, kind: RecordKind, grid_id: &str, id: &str) {
        self.projected.borrow_mut().note(kind, grid_id, id);
    }

    /// Notes that this edit merges what another replica sent.
    pub(crate) fn merging(&mut self) {
        self.merged = true;
    }

    /// The documents this edit loaded or changed.
    pub(super) fn touched_docs(&self) -> Vec<DocId> {
        self.touched.keys().cloned().collect()
    }

    /// The document to change, loaded or created, with this device registered in its grid.
    pub(crate) fn doc(
        &mut self,
        doc_id: &DocId,
        kind: DocKind,
        grid_id: &str,
    ) -> Result<&mut AutoCommit> {
        self.register_device(grid_id)?;
        self.open_doc(doc_id, kind, grid_id)?;
        self.docs.loaded(doc_id)
    }

    /// Loads (or creates from genesis) a document and marks it as part of this edit.
    /// Loading never writes: compaction and merges use it too.
    fn open_doc(&mut self, doc_id: &DocId, kind: DocKind, grid_id: &str) -> Result<()> {
        // A document created here from genesis must store its genesis change too.
        let is_new =
            !self.docs.contains(doc_id) && self.load_into_cache(doc_id, || docs::genesis(kind))?;
        self.touched.entry(doc_id.clone()).or_insert(Touched {
            kind,
            grid_id: grid_id.to_string(),
            records: BTreeSet::new(),
            is_new,
        });
        Ok(())
    }

    /// Loads a document from its chunks into the cache, or caches `empty()`
    /// when the store has none of it; returns whether it was empty.
    fn load_into_cache(
        &mut self,
        doc_id: &DocId,
        empty: impl FnOnce() -> Result<AutoCommit>,
    ) -> Result<bool> {
        let chunks = load_chunks(self.tx, doc_id)?;
        let doc = if chunks.is_empty() {
            let mut doc = empty()?;
            doc.set_actor(self.actor.clone());
            doc
        } else {
            docs::load(doc_id, &chunks, self.actor)?
        };
        self.docs
            .insert(doc_id.clone(), doc, pending_changes(&chunks));
        Ok(chunks.is_empty())
    }

    /// Maps this device's actor to its worker in the grid's roster, once.
    ///
    /// Not for a department (报到部门): it is assigned only the grid's events
    /// and never holds or writes the roster (the sync server refuses a roster
    /// change from it); the server's own actor table says which of its
    /// devices wrote a step.
    fn register_device(&mut self, grid_id: &str) -> Result<()> {
        if self.registered.contains(grid_id) || self.identity.role == WorkerRole::Department {
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
        self.open_doc(&roster, &ROSTER, grid_id)?;
        let identity = self.identity.clone();
        let doc = self.docs.loaded(&roster)?;
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

    /// Puts one entry (see `entries.rs`) under `key` in `collection` of the
    /// grid's document of kind `spec` (one per grid), replacing its value,
    /// and marks it for re-projection.
    pub(crate) fn put_grid_entry(
        &mut self,
        spec: &'static DocSpec,
        grid_id: &str,
        collection: &str,
        key: &str,
        value: &str,
    ) -> Result<()> {
        let doc_id = DocId::of_grid(spec, grid_id);
        let doc = self.doc(&doc_id, spec, grid_id)?;
        let map = ensure_map(doc, &ROOT, collection)?;
        automerge::transaction::Transactable::put(doc, &map, key, value)
            .map_err(|e| Error::document(doc_id.as_str(), e))?;
        self.touch(&doc_id, collection, key);
        Ok(())
    }

    /// Marks a record for re-projection when the edit commits.
    pub(crate) fn touch(&mut self, doc_id: &DocId, collection: &str, key: &str) {
        if let Some(touched) = self.touched.get_mut(doc_id) {
            touched.records.insert(RecordRef::new(collection, key));
        }
    }

    /// Commits each changed document, appends its change and re-projects what it touched.
    pub(super) fn commit(&mut self, compact_after: u32) -> Result<()> {
        let now = now_ms();
        let doc_ids: Vec<DocId> = self.touched.keys().cloned().collect();
        for doc_id in doc_ids {
            let Some(touched) = self.touched.get(&doc_id) else {
                continue;
            };
            let (kind, grid_id, is_new) = (touched.kind, touched.grid_id.clone(), touched.is_new);
            let records = touched.records.clone();
            let doc = self.docs.loaded(&doc_id)?;
            // (hash, bytes, written by this device)
            let mut new_chunks: Vec<(Vec<u8>, Vec<u8>, bool)> = Vec::new();
            let committed = doc.commit_with(CommitOptions::default().with_time(now));
            if is_new {
                // A new document: its genesis change (identical on every replica) and ours.
                for change in doc.get_changes(&[]) {
                    let ours = change.actor_id() == self.actor;
                    new_chunks.push((change.hash().0.to_vec(), change.raw_bytes().to_vec(), ours));
                }
            } else if let Some(hash) = committed {
                let change = doc
                    .get_change_by_hash(&hash)
                    .ok_or_else(|| Error::document(doc_id.as_str(), "committed change missing"))?;
                new_chunks.push((hash.0.to_vec(), change.raw_bytes().to_vec(), true));
            }
            if new_chunks.is_empty() && records.is_empty() {
                continue;
            }
            if is_new {
                self.tx.execute(
                    "INSERT OR IGNORE INTO docs (doc_id, grid_id, kind) VALUES (?1, ?2, ?3)",
                    params![doc_id.as_str(), grid_id, kind.name],
                )?;
            }
            let mut stored = 0;
            for (hash, bytes, ours) in &new_chunks {
                let inserted = insert_change(self.tx, &doc_id, hash, bytes)?;
                stored += u32::from(inserted);
                if *ours && inserted {
                    queue_for_server(self.tx, &doc_id, self.tx.last_insert_rowid())?;
                    self.sync_state = true;
                }
            }
            let doc = self.docs.loaded(&doc_id)?;
            let ctx = DocContext {
                doc: doc.document(),
                doc_id: doc_id.as_str(),
                grid_id: &grid_id,
                projected: &self.projected,
            };
            project_with_dependents(self.tx, &ctx, records)?;
            self.compact_if_due(&doc_id, stored, compact_after)?;
        }
        Ok(())
    }

    /// Commits what this edit has changed in `doc_id` so far as a change of
    /// its own, stored and queued for the server as [`Edit::commit`] stores
    /// the last one, in the same transaction; the records are projected
    /// once, by `commit`. A long edit (a roster import) calls it so that no
    /// one change outgrows what the sync protocol carries
    /// (`sync::MAX_CHANGE_BYTES`). Returns the change's size in bytes, 0
    /// when there was nothing to commit.
    pub(crate) fn commit_part(&mut self, doc_id: &DocId) -> Result<usize> {
        let Some(touched) = self.touched.get(doc_id) else {
            return Ok(0);
        };
        let (kind, grid_id, is_new) = (touched.kind, touched.grid_id.clone(), touched.is_new);
        let doc = self.docs.loaded(doc_id)?;
        let Some(hash) = doc.commit_with(CommitOptions::default().with_time(now_ms())) else {
            return Ok(0);
        };
        let change = doc
            .get_change_by_hash(&hash)
            .ok_or_else(|| Error::document(doc_id.as_str(), "committed change missing"))?;
        let size = change.raw_bytes().len();
        // (hash, bytes, written by this device); a new document's genesis too,
        // which `commit` finds stored already and does not queue twice.
        let mut new_chunks: Vec<(Vec<u8>, Vec<u8>, bool)> =
            vec![(hash.0.to_vec(), change.raw_bytes().to_vec(), true)];
        if is_new {
            new_chunks = doc
                .get_changes(&[])
                .into_iter()
                .map(|c| {
                    let ours = c.actor_id() == self.actor;
                    (c.hash().0.to_vec(), c.raw_bytes().to_vec(), ours)
                })
                .collect();
            self.tx.execute(
                "INSERT OR IGNORE INTO docs (doc_id, grid_id, kind) VALUES (?1, ?2, ?3)",
                params![doc_id.as_str(), grid_id, kind.name],
            )?;
        }
        let mut stored = 0;
        for (hash, bytes, ours) in &new_chunks {
            let inserted = insert_change(self.tx, doc_id, hash, bytes)?;
            stored += u32::from(inserted);
            if *ours && inserted {
                queue_for_server(self.tx, doc_id, self.tx.last_insert_rowid())?;
                self.sync_state = true;
            }
        }
        if let Some(pending) = self.docs.pending_mut(doc_id) {
            *pending += stored;
        }
        Ok(size)
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
        let doc = self.docs.loaded(doc_id)?;
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
        // Unsent changes keep their bytes in the outbox once their chunk is gone.
        self.tx
            .prepare_cached(
                "UPDATE outbox SET bytes = (SELECT bytes FROM chunks WHERE chunks.seq = outbox.chunk_seq),
                    chunk_seq = NULL
                 WHERE chunk_seq IN (SELECT seq FROM chunks WHERE doc_id = ?1 AND kind = 0)",
            )?
            .execute([doc_id.as_str()])?;
        let mut delete = self
            .tx
            .prepare_cached("DELETE FROM chunks WHERE seq = ?1")?;
        for seq in covered {
            delete.execute([seq])?;
        }
        insert_snapshot(self.tx, doc_id, &snapshot)?;
        if let Some(pending) = self.docs.pending_mut(doc_id) {
            *pending = uncovered_changes;
        }
        Ok(())
    }

    /// Queues every change this device ever wrote for the sync server: run
    /// once, when a store from before syncing existed is first opened.
    pub(crate) fn fill_outbox(&mut self) -> Result<()> {
        self.tx.execute("DELETE FROM outbox", [])?;
        self.sync_state = true;
        for (doc_id, _, _) in self.all_docs()? {
            let Some((doc_id, _, _)) = DocId::parse(&doc_id) else {
                continue;
            };
            if !self.docs.contains(&doc_id) {
                self.load_into_cache(&doc_id, || Ok(AutoCommit::new()))?;
            }
            let doc = self.docs.loaded(&doc_id)?;
            let ours: Vec<Vec<u8>> = doc
                .get_changes(&[])
                .into_iter()
                .filter(|change| change.actor_id() == self.actor)
                .map(|change| change.raw_bytes().to_vec())
                .collect();
            for bytes in ours {
                self.tx
                    .prepare_cached("INSERT INTO outbox (doc_id, bytes) VALUES (?1, ?2)")?
                    .execute(params![doc_id.as_str(), bytes])?;
            }
            self.docs.trim(&[]);
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

    pub(super) fn rebuild_all(&mut self) -> Result<()> {
        self.rebuilt = true;
        for table in registry::query_tables() {
            self.tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        for (doc_id, grid_id, _) in self.all_docs()? {
            let Some((doc_id, _, _)) = DocId::parse(&doc_id) else {
                continue;
            };
            if !self.docs.contains(&doc_id) {
                self.load_into_cache(&doc_id, || Ok(AutoCommit::new()))?;
            }
            self.project_document(&doc_id, &grid_id)?;
            self.docs.trim(&[]);
        }
        Ok(())
    }

    /// Removes a grid's documents and photos from the file and from memory, and
    /// recreates the query tables without them (a discard is rare and
    /// deliberate, so the simple, proven path is worth a rebuild).
    pub(crate) fn forget_grid(&mut self, grid_id: &str) -> Result<()> {
        let doc_ids: Vec<String> = self
            .tx
            .prepare_cached("SELECT doc_id FROM docs WHERE grid_id = ?1")?
            .query_map([grid_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for doc_id in &doc_ids {
            self.tx
                .prepare_cached("DELETE FROM chunks WHERE doc_id = ?1")?
                .execute([doc_id])?;
            if let Some((doc_id, _, _)) = DocId::parse(doc_id) {
                self.docs.evict(&doc_id);
            }
        }
        self.tx
            .execute("DELETE FROM docs WHERE grid_id = ?1", [grid_id])?;
        // The grid's photos go with it: the server refused the grid, so the
        // uploader could never send them.
        self.tx.execute(
            "DELETE FROM photo_bytes WHERE id IN (SELECT id FROM photos WHERE grid_id = ?1)",
            [grid_id],
        )?;
        self.tx
            .execute("DELETE FROM photos WHERE grid_id = ?1", [grid_id])?;
        self.registered.remove(grid_id);
        self.rebuild_all()
    }

    /// Loads a document for a merge. A document the store has never seen
    /// starts from its genesis (which no replica sends, since every replica
    /// has it), stored here; the flag says whether that happened.
    pub(crate) fn doc_for_merge(
        &mut self,
        doc_id: &DocId,
        kind: DocKind,
        grid_id: &str,
    ) -> Result<(&mut AutoCommit, bool)> {
        let fresh =
            !self.docs.contains(doc_id) && self.load_into_cache(doc_id, || docs::genesis(kind))?;
        if fresh {
            self.tx.execute(
                "INSERT OR IGNORE INTO docs (doc_id, grid_id, kind) VALUES (?1, ?2, ?3)",
                params![doc_id.as_str(), grid_id, kind.name],
            )?;
            let doc = self.docs.loaded(doc_id)?;
            let genesis: Vec<(Vec<u8>, Vec<u8>)> = doc
                .get_changes(&[])
                .into_iter()
                .map(|c| (c.hash().0.to_vec(), c.raw_bytes().to_vec()))
                .collect();
            for (hash, bytes) in genesis {
                insert_change(self.tx, doc_id, &hash, &bytes)?;
            }
        }
        self.touched.entry(doc_id.clone()).or_insert(Touched {
            kind,
            grid_id: grid_id.to_string(),
            records: BTreeSet::new(),
            is_new: false,
        });
        Ok((self.docs.loaded(doc_id)?, fresh))
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
            params![doc_id.as_str(), grid_id, kind.name],
        )?;
        let stored = match hash {
            Some(hash) => u32::from(insert_change(self.tx, doc_id, hash, bytes)?),
            None => {
                insert_snapshot(self.tx, doc_id, bytes)?;
                0
            }
        };
        if let Some(pending) = self.docs.pending_mut(doc_id) {
            *pending += stored;
        }
        Ok(())
    }

    /// Projects every record of a loaded document none of whose records has
    /// rows yet (a rebuild, or a document received whole).
    pub(crate) fn project_document(&mut self, doc_id: &DocId, grid_id: &str) -> Result<usize> {
        let doc = self.docs.loaded(doc_id)?;
        let ctx = DocContext {
            doc: doc.document(),
            doc_id: doc_id.as_str(),
            grid_id,
            projected: &self.projected,
        };
        project::project_document(self.tx, &ctx)
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

/// Queues a change this device wrote, stored as chunk `chunk_seq`, for the sync server.
fn queue_for_server(tx: &Transaction, doc_id: &DocId, chunk_seq: i64) -> Result<()> {
    tx.prepare_cached("INSERT INTO outbox (doc_id, chunk_seq) VALUES (?1, ?2)")?
        .execute(params![doc_id.as_str(), chunk_seq])?;
    Ok(())
}

/// Appends a snapshot (a saved document).
fn insert_snapshot(tx: &Transaction, doc_id: &DocId, bytes: &[u8]) -> Result<()> {
    tx.prepare_cached("INSERT INTO chunks (doc_id, kind, hash, bytes) VALUES (?1, 1, NULL, ?2)")?
        .execute(params![doc_id.as_str(), bytes])?;
    Ok(())
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
