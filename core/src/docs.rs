//! Which Automerge document holds what, and how documents are created,
//! loaded from their stored chunks and cached in memory.
//!
//! Every grid has its roster document, [`ROSTER`] (`roster/<grid>`); record
//! kinds register further document kinds, cut per grid or per grid and
//! quarter (`visits/<grid>/<YYYY>Q<n>`); `schema/README.md` lists every path.
//!
//! Every document starts from the same deterministic genesis change on every
//! replica, so that its top-level maps are one object everywhere instead of
//! concurrent objects that would hide each other. A genesis never changes
//! once shipped, so a new record kind brings a document kind of its own with
//! its maps in its genesis: a map added later to an existing document would
//! be created concurrently on several phones, and one phone's map would hide
//! the others'.

use std::collections::HashMap;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT};

use crate::error::{Error, Result};
use crate::registry::{self, DocSpec, Partition};
use crate::validate::Date;

/// Version of the document layout described in `schema/README.md`.
pub const DOC_LAYOUT_VERSION: i64 = 1;

/// The kind of a document: a description a kind registers (see `store/registry.rs`).
pub(crate) type DocKind = &'static DocSpec;

/// The roster document of a grid, `roster/<grid>`: the grid, its buildings,
/// households, residents, team (workers and their devices) and patrol
/// teams. The machinery owns it because the team lives in it; record kinds
/// keep their collections in it.
pub(crate) static ROSTER: DocSpec = DocSpec {
    name: "roster",
    partition: Partition::Grid,
    genesis: &[
        "grid",
        "buildings",
        "households",
        "residents",
        "workers",
        "devices",
        "teams",
    ],
};

/// The id of one document: its kind, its grid and, for time-partitioned kinds, its quarter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(String);

impl DocId {
    /// The roster document of a grid.
    pub fn roster(grid_id: &str) -> DocId {
        DocId(format!("roster/{grid_id}"))
    }

    /// The one document of a grid-partitioned kind for a grid.
    pub(crate) fn of_grid(kind: DocKind, grid_id: &str) -> DocId {
        DocId(format!("{}/{grid_id}", kind.name))
    }

    /// The document of a quarter-partitioned kind for the quarter of `date`.
    pub(crate) fn partition(kind: DocKind, grid_id: &str, date: Date) -> DocId {
        DocId(format!(
            "{}/{grid_id}/{}Q{}",
            kind.name,
            date.year(),
            date.quarter()
        ))
    }

    /// Parses a document id received from another replica: a registered
    /// kind, a grid id and, for partitioned kinds, a quarter.
    pub(crate) fn parse(text: &str) -> Option<(DocId, DocKind, String)> {
        let mut parts = text.split('/');
        let kind = registry::doc_spec(parts.next()?)?;
        let grid = parts.next()?;
        if !is_record_id(grid) {
            return None;
        }
        match (kind.partition, parts.next(), parts.next()) {
            (Partition::Grid, None, _) => {}
            (Partition::Quarter, Some(period), None) if is_quarter(period) => {}
            _ => return None,
        }
        Some((DocId(text.to_string()), kind, grid.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DocId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Record ids are UUIDs in their hyphenated lower-case form; anything else from
/// another replica is refused so that ids can be embedded in paths safely.
pub(crate) fn is_record_id(text: &str) -> bool {
    text.len() == 36
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b'-')
}

fn is_quarter(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 6
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'Q'
        && (b'1'..=b'4').contains(&bytes[5])
}

/// A new random record id.
pub(crate) fn new_record_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The genesis document of a kind: the same bytes on every replica.
pub(crate) fn genesis(kind: DocKind) -> Result<AutoCommit> {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(&[0u8; 16][..]));
    let build = |doc: &mut AutoCommit| -> std::result::Result<(), automerge::AutomergeError> {
        doc.put(ROOT, "layout", DOC_LAYOUT_VERSION)?;
        doc.put(ROOT, "kind", kind.name)?;
        for collection in kind.genesis {
            doc.put_object(ROOT, *collection, ObjType::Map)?;
        }
        Ok(())
    };
    build(&mut doc).map_err(|e| Error::document(kind.name, e))?;
    doc.commit_with(automerge::transaction::CommitOptions::default().with_time(0));
    Ok(doc)
}

/// Loads a document from its stored chunks (snapshots and single changes, in
/// any order) and switches it to this device's actor.
pub(crate) fn load(doc_id: &DocId, chunks: &[StoredChunk], actor: &ActorId) -> Result<AutoCommit> {
    let total: usize = chunks.iter().map(|c| c.bytes.len()).sum();
    let mut bytes = Vec::with_capacity(total);
    for chunk in chunks {
        bytes.extend_from_slice(&chunk.bytes);
    }
    let mut doc = AutoCommit::load(&bytes).map_err(|e| Error::document(doc_id.as_str(), e))?;
    doc.set_actor(actor.clone());
    Ok(doc)
}

/// One stored chunk of a document: a single change or a snapshot.
pub(crate) struct StoredChunk {
    pub(crate) is_snapshot: bool,
    pub(crate) bytes: Vec<u8>,
}

/// Loaded documents, the most recently used kept when the cache is full.
pub(crate) struct DocCache {
    docs: HashMap<DocId, (u64, AutoCommit)>,
    /// Change chunks stored since the document's last snapshot, for compaction.
    pending: HashMap<DocId, u32>,
    clock: u64,
    capacity: usize,
}

impl DocCache {
    pub(crate) fn new(capacity: usize) -> DocCache {
        DocCache {
            docs: HashMap::new(),
            pending: HashMap::new(),
            clock: 0,
            capacity: capacity.max(1),
        }
    }

    pub(crate) fn get_mut(&mut self, doc_id: &DocId) -> Option<&mut AutoCommit> {
        self.clock += 1;
        let clock = self.clock;
        self.docs.get_mut(doc_id).map(|(used, doc)| {
            *used = clock;
            doc
        })
    }

    /// A document the current edit has loaded; an error if it was not.
    pub(crate) fn loaded(&mut self, doc_id: &DocId) -> Result<&mut AutoCommit> {
        self.get_mut(doc_id)
            .ok_or_else(|| Error::document(doc_id.as_str(), "document not loaded"))
    }

    pub(crate) fn contains(&self, doc_id: &DocId) -> bool {
        self.docs.contains_key(doc_id)
    }

    pub(crate) fn insert(&mut self, doc_id: DocId, doc: AutoCommit, pending_changes: u32) {
        self.clock += 1;
        self.pending.insert(doc_id.clone(), pending_changes);
        self.docs.insert(doc_id, (self.clock, doc));
    }

    /// The number of change chunks stored since the document's last snapshot.
    pub(crate) fn pending_mut(&mut self, doc_id: &DocId) -> Option<&mut u32> {
        self.pending.get_mut(doc_id)
    }

    /// Drops documents beyond the capacity, least recently used first, except `keep`.
    pub(crate) fn trim(&mut self, keep: &[DocId]) {
        while self.docs.len() > self.capacity {
            let oldest = self
                .docs
                .iter()
                .filter(|(id, _)| !keep.contains(id))
                .min_by_key(|(_, (used, _))| *used)
                .map(|(id, _)| id.clone());
            match oldest {
                Some(id) => self.evict(&id),
                None => break,
            }
        }
    }

    pub(crate) fn evict(&mut self, doc_id: &DocId) {
        self.docs.remove(doc_id);
        self.pending.remove(doc_id);
    }

    pub(crate) fn clear(&mut self) {
        self.docs.clear();
        self.pending.clear();
    }
}
