//! The baseline for sync bytes: Automerge's own sync protocol
//! (`automerge::sync::SyncDoc`) over the same documents a store holds,
//! counting the encoded length of every message both ways.
//!
//! A store keeps each document as rows of its `chunks` table (changes and
//! snapshots); [`load_documents`] concatenates them and loads them with
//! `AutoCommit::load`. [`sync_docs`] runs one sync session per document
//! between two peers until neither has a message left. To compare another
//! exchange, build the peers' documents and states and call [`sync_docs`].

use std::collections::BTreeMap;
use std::path::Path;

use automerge::AutoCommit;
use automerge::sync::{State, SyncDoc};
use rusqlite::{Connection, OpenFlags};

use super::SimError;

/// Every document of the store file at `db`, by document id.
pub fn load_documents(db: &Path) -> Result<BTreeMap<String, AutoCommit>, SimError> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut chunks: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT doc_id, bytes FROM chunks ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let doc_id: String = row.get(0)?;
        let bytes: Vec<u8> = row.get(1)?;
        chunks.entry(doc_id).or_default().extend_from_slice(&bytes);
    }
    let mut docs = BTreeMap::new();
    for (doc_id, bytes) in chunks {
        docs.insert(doc_id, AutoCommit::load(&bytes)?);
    }
    Ok(docs)
}

/// Bytes and messages of some sync sessions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncCost {
    /// Encoded message bytes, both directions.
    pub bytes: u64,
    /// Messages, both directions.
    pub messages: u64,
}

impl SyncCost {
    /// Adds another cost.
    pub fn add(&mut self, other: SyncCost) {
        self.bytes += other.bytes;
        self.messages += other.messages;
    }
}

/// One sync session between `a` and `b` with their states for each other:
/// `a` speaks first, then they alternate until neither has a message.
pub fn sync_pair(
    a: &mut AutoCommit,
    a_state: &mut State,
    b: &mut AutoCommit,
    b_state: &mut State,
) -> Result<SyncCost, SimError> {
    let mut cost = SyncCost::default();
    for _ in 0..1000 {
        let mut quiet = true;
        if let Some(message) = a.sync().generate_sync_message(a_state) {
            quiet = false;
            let bytes = message.clone().encode();
            cost.bytes += bytes.len() as u64;
            cost.messages += 1;
            b.sync().receive_sync_message(b_state, message)?;
        }
        if let Some(message) = b.sync().generate_sync_message(b_state) {
            quiet = false;
            let bytes = message.clone().encode();
            cost.bytes += bytes.len() as u64;
            cost.messages += 1;
            a.sync().receive_sync_message(a_state, message)?;
        }
        if quiet {
            return Ok(cost);
        }
    }
    Err("an Automerge sync session did not finish".into())
}

/// A state as an app restores it next time: only what
/// `sync::State::encode` persists (the shared heads).
pub fn persisted(state: &State) -> Result<State, SimError> {
    Ok(State::decode(&state.encode())?)
}

/// Sync states of a finished session between two peers, as persisted.
#[derive(Debug, Default)]
pub struct PairStates {
    /// Per document: the first peer's state for the second.
    pub a: BTreeMap<String, State>,
    /// Per document: the second peer's state for the first.
    pub b: BTreeMap<String, State>,
}

/// Syncs every document of `a` with the same document of `b` (created
/// empty in `b` if missing), one session each, with `states` from an
/// earlier session (fresh where none); only the documents in `only` when
/// given. Returns the cost and leaves the states persisted for next time.
pub fn sync_docs(
    a: &mut BTreeMap<String, AutoCommit>,
    b: &mut BTreeMap<String, AutoCommit>,
    states: &mut PairStates,
    only: Option<&[String]>,
) -> Result<SyncCost, SimError> {
    let mut cost = SyncCost::default();
    let ids: Vec<String> = match only {
        Some(ids) => ids.to_vec(),
        None => a.keys().cloned().collect(),
    };
    for id in ids {
        let Some(doc_a) = a.get_mut(&id) else {
            continue;
        };
        let doc_b = b.entry(id.clone()).or_default();
        let mut state_a = states.a.remove(&id).unwrap_or_default();
        let mut state_b = states.b.remove(&id).unwrap_or_default();
        cost.add(sync_pair(doc_a, &mut state_a, doc_b, &mut state_b)?);
        states.a.insert(id.clone(), persisted(&state_a)?);
        states.b.insert(id, persisted(&state_b)?);
    }
    Ok(cost)
}
