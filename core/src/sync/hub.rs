//! The server's side of the protocol, without any I/O: checking pushed
//! changes, filling response pages under a byte budget, and compacting a
//! document's changes into a snapshot. The sync server calls these between
//! its database reads and writes; keeping them here means one definition of
//! what the server accepts and sends, tested next to the device's side.
//!
//! To change what the server accepts, change [`check_push`] and its tests;
//! to change what a page holds, change [`PageBuilder`].

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use automerge::AutoCommit;

use super::ProtocolError;
use super::wire::{
    ChunkKind, GridCursor, GridPage, MAX_CHANGE_BYTES, MAX_OPS_PER_CHANGE, MAX_OPS_PER_REQUEST,
    MAX_RESPONSE_BYTES, MIN_RESPONSE_BYTES, PulledChunk, SyncRequest,
};
use crate::docs::{self, DocId};
use crate::store::merge::{guarded, parse_change};

/// A pushed change that decoded, passed its checksum, belongs to a document of
/// a grid the request names, and was written by the request's actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedChange {
    /// Its position in the request (the first one, if it was pushed twice).
    pub index: usize,
    /// The grid of its document.
    pub grid_id: String,
    /// Its document.
    pub doc_id: String,
    /// The Automerge change hash.
    pub hash: [u8; 32],
    /// The actor that wrote it, hex encoded.
    pub actor: String,
    /// The hashes of the changes it depends on (see [`crate::sync::outside_dependencies`]).
    pub deps: Vec<[u8; 32]>,
    /// The change bytes, unchanged.
    pub bytes: Vec<u8>,
}

/// The request's actor id, hex encoded, if it is one a store could have.
pub fn request_actor(request: &SyncRequest) -> Result<String, ProtocolError> {
    let actor = &request.actor;
    if actor.is_empty() || actor.len() > 32 || actor.iter().all(|b| *b == 0) {
        return Err(ProtocolError::Malformed("actor id".into()));
    }
    Ok(hex_string(actor))
}

/// Checks every pushed change of a request. The first bad change rejects the
/// whole request. A change pushed twice under the same document is kept
/// once (identical bytes are merged before they are parsed, so repeats cost
/// no decoding); the same change under two documents is refused.
pub fn check_push(request: &SyncRequest) -> Result<Vec<CheckedChange>, ProtocolError> {
    let actor = request_actor(request)?;
    let grids: HashSet<&str> = request.grids.iter().map(|g| g.grid_id.as_str()).collect();
    let mut by_bytes: HashMap<&[u8], &str> = HashMap::with_capacity(request.push.len());
    let mut by_hash: HashMap<[u8; 32], &str> = HashMap::with_capacity(request.push.len());
    let mut checked = Vec::with_capacity(request.push.len());
    let mut ops = 0usize;
    for (index, pushed) in request.push.iter().enumerate() {
        let rejected = |reason: &'static str| ProtocolError::ChangeRejected { index, reason };
        if pushed.bytes.len() > MAX_CHANGE_BYTES {
            return Err(ProtocolError::TooLarge {
                what: "change",
                limit: MAX_CHANGE_BYTES,
            });
        }
        let doc_id = pushed.doc_id.as_str();
        if !first_under(by_bytes.entry(pushed.bytes.as_slice()), doc_id).map_err(rejected)? {
            continue;
        }
        // Decoding checked the grammar already; a request built in-process may not have been.
        let (_, _, grid_id) =
            DocId::parse(doc_id).ok_or(ProtocolError::InvalidField { field: "doc_id" })?;
        if !grids.contains(grid_id.as_str()) {
            return Err(rejected("document of a grid the request does not name"));
        }
        let change = parse_change(&pushed.bytes).map_err(|_| rejected("undecodable change"))?;
        if change.actor_id().to_bytes() != request.actor.as_slice() {
            return Err(ProtocolError::ForeignActor { index });
        }
        // Refused before the authors are read, which costs time and memory per op.
        if change.len() > MAX_OPS_PER_CHANGE {
            return Err(ProtocolError::TooMany {
                what: "operations in one change",
                limit: MAX_OPS_PER_CHANGE,
            });
        }
        ops = ops.saturating_add(change.len());
        if ops > MAX_OPS_PER_REQUEST {
            return Err(ProtocolError::TooMany {
                what: "operations",
                limit: MAX_OPS_PER_REQUEST,
            });
        }
        let hash = change.hash().0;
        // The same change in another encoding (a compressed chunk) has the same hash.
        if !first_under(by_hash.entry(hash), doc_id).map_err(rejected)? {
            continue;
        }
        checked.push(CheckedChange {
            index,
            grid_id,
            doc_id: pushed.doc_id.clone(),
            hash,
            actor: actor.clone(),
            deps: change.deps().iter().map(|dep| dep.0).collect(),
            bytes: pushed.bytes.clone(),
        });
    }
    Ok(checked)
}

/// Whether this is the first time a change is pushed in the request (true),
/// a repeat under the same document (false), or under another one (an error).
fn first_under<'a, K>(entry: Entry<'_, K, &'a str>, doc_id: &'a str) -> Result<bool, &'static str> {
    match entry {
        Entry::Vacant(vacant) => {
            vacant.insert(doc_id);
            Ok(true)
        }
        Entry::Occupied(seen) if *seen.get() == doc_id => Ok(false),
        Entry::Occupied(_) => Err("the same change under two documents"),
    }
}

/// The response budget the server uses for a client's `max_response_bytes`.
pub fn response_budget(max_response_bytes: u32) -> u32 {
    max_response_bytes.clamp(MIN_RESPONSE_BYTES, MAX_RESPONSE_BYTES)
}

/// What the server reads for one grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PagePlan {
    /// Snapshots of the grid's documents with ids after `after_doc` (all if
    /// `None`), in doc id order; then, if the budget allows, the log.
    Snapshots {
        /// The last document the store already received.
        after_doc: Option<String>,
    },
    /// Log entries with positions after `after`, in order.
    Log {
        /// The store's cursor.
        after: u64,
    },
}

/// Decides how to continue a grid for a store at `cursor`, given the
/// generation of the grid's snapshots (0: none).
pub fn plan_page(cursor: &GridCursor, generation: u64) -> PagePlan {
    match &cursor.resume_after {
        Some(after) => PagePlan::Snapshots {
            after_doc: Some(after.clone()),
        },
        None if cursor.cursor == 0 && generation > 0 => PagePlan::Snapshots { after_doc: None },
        None => PagePlan::Log {
            after: cursor.cursor,
        },
    }
}

/// The byte budget of one response, shared by all its pages.
#[derive(Debug, Clone)]
pub struct ByteBudget {
    left: usize,
    chunks: usize,
}

impl ByteBudget {
    /// A budget of `bytes` (already clamped with [`response_budget`]).
    pub fn new(bytes: u32) -> ByteBudget {
        ByteBudget {
            left: usize::try_from(bytes).unwrap_or(usize::MAX),
            chunks: 0,
        }
    }

    /// Takes room for a chunk. The first chunk of a response always fits, so
    /// that a store behind a large snapshot still makes progress.
    fn take(&mut self, bytes: usize) -> bool {
        if bytes > self.left && self.chunks > 0 {
            return false;
        }
        self.left = self.left.saturating_sub(bytes);
        self.chunks += 1;
        true
    }

    /// Whether nothing more can be added.
    pub fn exhausted(&self) -> bool {
        self.left == 0
    }
}

/// Framing bytes a chunk costs besides its doc id and bytes.
const CHUNK_OVERHEAD: usize = 8;

/// Fills one grid's page; see [`plan_page`] for what to read.
#[derive(Debug)]
pub struct PageBuilder<'a> {
    budget: &'a mut ByteBudget,
    page: GridPage,
    /// Starting a bootstrap: the cursor becomes the generation once a snapshot is in.
    bootstrap_generation: Option<u64>,
}

impl<'a> PageBuilder<'a> {
    /// Starts the page of a grid for a store at `cursor`.
    pub fn new(cursor: &GridCursor, generation: u64, budget: &'a mut ByteBudget) -> Self {
        let starting = cursor.resume_after.is_none() && cursor.cursor == 0 && generation > 0;
        PageBuilder {
            budget,
            page: GridPage {
                grid_id: cursor.grid_id.clone(),
                cursor: cursor.cursor,
                resume_after: cursor.resume_after.clone(),
                more: false,
                chunks: Vec::new(),
            },
            bootstrap_generation: starting.then_some(generation),
        }
    }

    /// Adds a document's snapshot; `false` (and nothing added) when the page is full.
    pub fn add_snapshot(&mut self, doc_id: &str, bytes: &[u8]) -> bool {
        if !self
            .budget
            .take(doc_id.len() + bytes.len() + CHUNK_OVERHEAD)
        {
            return false;
        }
        if let Some(generation) = self.bootstrap_generation.take() {
            self.page.cursor = generation;
        }
        self.page.resume_after = Some(doc_id.to_string());
        self.page.chunks.push(PulledChunk {
            doc_id: doc_id.to_string(),
            kind: ChunkKind::Snapshot,
            bytes: bytes.to_vec(),
        });
        true
    }

    /// Records that every snapshot was added: the store continues from the log.
    pub fn snapshots_done(&mut self) {
        if let Some(generation) = self.bootstrap_generation.take() {
            // A grid whose snapshots are all empty: nothing to send, start after them.
            self.page.cursor = generation;
        }
        self.page.resume_after = None;
    }

    /// The page's cursor so far: after [`PageBuilder::snapshots_done`], read the log after it.
    pub fn cursor(&self) -> u64 {
        self.page.cursor
    }

    /// Whether the page is still in its snapshot phase.
    pub fn in_snapshots(&self) -> bool {
        self.bootstrap_generation.is_some() || self.page.resume_after.is_some()
    }

    /// Adds the log entry at `seq`; `bytes` is `None` for an entry the store
    /// wrote itself, which only moves the cursor. `false` (and nothing
    /// added) when the page is full.
    pub fn add_change(&mut self, seq: u64, doc_id: &str, bytes: Option<&[u8]>) -> bool {
        if let Some(bytes) = bytes {
            if !self
                .budget
                .take(doc_id.len() + bytes.len() + CHUNK_OVERHEAD)
            {
                return false;
            }
            self.page.chunks.push(PulledChunk {
                doc_id: doc_id.to_string(),
                kind: ChunkKind::Change,
                bytes: bytes.to_vec(),
            });
        }
        self.page.cursor = self.page.cursor.max(seq);
        true
    }

    /// The finished page; `more` when the server stopped before the end.
    pub fn finish(mut self, more: bool) -> GridPage {
        self.page.more = more || self.in_snapshots();
        self.page
    }
}

/// Compacts one document: `chunks` are its previous snapshot (if any) and its
/// changes, in any order; the result is a snapshot that also keeps changes
/// whose dependencies have not arrived yet.
pub fn compact_document(doc_id: &str, chunks: &[Vec<u8>]) -> Result<Vec<u8>, ProtocolError> {
    let (_, kind, _) = DocId::parse(doc_id)
        .ok_or_else(|| ProtocolError::Malformed("unknown document id".into()))?;
    let mut doc: AutoCommit =
        docs::genesis(kind).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
    for chunk in chunks {
        guarded(|| doc.load_incremental(chunk))
            .map_err(|e| ProtocolError::Malformed(e.to_string()))?
            .map_err(|e| ProtocolError::Malformed(e.to_string()))?;
    }
    Ok(doc.save())
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
