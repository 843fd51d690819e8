//! Merging chunks from other replicas (changes and snapshots) into the
//! store's documents inside one write, for both the change-set file
//! (`changeset.rs`) and the sync protocol (`sync/device.rs`). Bytes from
//! another replica are parsed and checked whole ([`parse_chunk`]) before
//! anything is merged, and every call into the CRDT library on such bytes is
//! [`guarded`], so hostile input is an error, never a crash.

use std::collections::BTreeMap;

use automerge::{AutoCommit, Change};

use super::Edit;
use super::project;
use crate::docs::{DocId, DocKind};
use crate::error::{Error, Result};

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ImportReport {
    /// Changes this store did not have, now stored.
    pub new_changes: i64,
    /// Changes it already had, skipped.
    pub known_changes: i64,
    /// Snapshots that brought something new.
    pub new_snapshots: i64,
    /// Records re-projected into the query tables.
    pub records_updated: i64,
}

enum Chunk {
    Change(Box<Change>),
    Snapshot(Vec<u8>, Box<AutoCommit>),
}

/// A decoded chunk, ready to merge.
pub(crate) struct Parsed {
    doc_id: DocId,
    kind: DocKind,
    grid_id: String,
    chunk: Chunk,
}

fn malformed(what: &str) -> Error {
    Error::MalformedChanges(what.to_string())
}

/// Parses one chunk of a document from another replica: a change or a snapshot.
pub(crate) fn parse_chunk(doc_id: &str, is_snapshot: bool, data: &[u8]) -> Result<Parsed> {
    let (doc_id, kind, grid_id) =
        DocId::parse(doc_id).ok_or_else(|| malformed("unknown document id"))?;
    let chunk = if is_snapshot {
        let doc = guarded(|| AutoCommit::load(data))?
            .map_err(|e| Error::MalformedChanges(e.to_string()))?;
        Chunk::Snapshot(data.to_vec(), Box::new(doc))
    } else {
        Chunk::Change(Box::new(parse_change(data)?))
    };
    Ok(Parsed {
        doc_id,
        kind,
        grid_id,
        chunk,
    })
}

/// The magic bytes that open every Automerge chunk.
const CHUNK_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// The chunk type of an uncompressed change (after the magic and the checksum).
const CHANGE_CHUNK: u8 = 1;

/// Parses one change from another replica, checksum included.
pub(crate) fn parse_change(data: &[u8]) -> Result<Change> {
    // A compressed change chunk inflates without limit inside the CRDT
    // library (a thousandfold for a run of one byte); replicas only ever
    // exchange uncompressed ones, so anything else is refused unparsed.
    if data.get(..4) == Some(&CHUNK_MAGIC[..]) && data.get(8) != Some(&CHANGE_CHUNK) {
        return Err(malformed("not an uncompressed change chunk"));
    }
    let change = guarded(|| Change::from_bytes(data.to_vec()))?
        .map_err(|e| Error::MalformedChanges(e.to_string()))?;
    // Automerge does not verify a change chunk's checksum; a flipped byte
    // would otherwise reach the op decoder.
    if data.get(4..8) != change.hash().0.get(..4) {
        return Err(malformed("change checksum mismatch"));
    }
    Ok(change)
}

/// Runs a step of the CRDT library on bytes from another replica, turning a
/// panic on hostile input into [`Error::MalformedChanges`]: such bytes must
/// never bring the app down.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|_| malformed("the CRDT library rejected the data"))
}

/// Merges decoded chunks inside a write: stores the new ones and marks the
/// records they change for re-projection.
pub(crate) fn merge_parsed(edit: &mut Edit<'_>, parsed: Vec<Parsed>) -> Result<ImportReport> {
    edit.merging();
    let mut by_doc: BTreeMap<DocId, (DocKind, String, Vec<Chunk>)> = BTreeMap::new();
    for p in parsed {
        by_doc
            .entry(p.doc_id)
            .or_insert_with(|| (p.kind, p.grid_id, Vec::new()))
            .2
            .push(p.chunk);
    }
    let mut report = ImportReport::default();
    for (doc_id, (kind, grid_id, chunks)) in by_doc {
        let (doc, fresh) = edit.doc_for_merge(&doc_id, kind, &grid_id)?;
        let before = doc.get_heads();
        let mut received: Vec<(Option<Vec<u8>>, Vec<u8>)> = Vec::new();
        let mut changes = Vec::new();
        let mut snapshots = 0;
        let mut adopted = false;
        for chunk in chunks {
            match chunk {
                Chunk::Change(change) => {
                    if doc.get_change_by_hash(&change.hash()).is_some()
                        || changes.iter().any(|c: &Change| c.hash() == change.hash())
                    {
                        report.known_changes += 1;
                    } else {
                        report.new_changes += 1;
                        received
                            .push((Some(change.hash().0.to_vec()), change.raw_bytes().to_vec()));
                        changes.push(*change);
                    }
                }
                Chunk::Snapshot(bytes, mut other) => {
                    let added = if fresh && snapshots == 0 && changes.is_empty() {
                        // A document this store does not have yet (a bootstrap):
                        // take the loaded snapshot as it is instead of replaying it.
                        let added = !other.get_heads().is_empty();
                        other.set_actor(doc.get_actor().clone());
                        *doc = *other;
                        adopted = true;
                        added
                    } else {
                        !guarded(|| doc.merge(&mut other))?
                            .map_err(|e| Error::MalformedChanges(e.to_string()))?
                            .is_empty()
                    };
                    if added {
                        snapshots += 1;
                        report.new_snapshots += 1;
                        received.push((None, bytes));
                    }
                }
            }
        }
        guarded(|| doc.apply_changes(changes))?
            .map_err(|e| Error::MalformedChanges(e.to_string()))?;
        let after = doc.get_heads();
        let touched = if adopted {
            // None of this document's records has rows yet: project it whole,
            // in one pass, instead of record by record at commit.
            Default::default()
        } else if snapshots > 0 {
            // A merged snapshot can touch anything: re-project the whole document.
            project::all_records(doc.document()).into_iter().collect()
        } else if before == after {
            Default::default()
        } else {
            // Every change applied now, including ones queued earlier for a dependency.
            let applied = doc.get_changes(&before);
            project::touched_by_changes(doc.document(), &applied)
        };
        report.records_updated = report
            .records_updated
            .saturating_add(i64::try_from(touched.len()).unwrap_or(i64::MAX));
        if adopted {
            let projected = edit.project_document(&doc_id, &grid_id)?;
            report.records_updated = report
                .records_updated
                .saturating_add(i64::try_from(projected).unwrap_or(i64::MAX));
        }
        for (hash, bytes) in &received {
            edit.store_received(&doc_id, &grid_id, kind, hash.as_deref(), bytes)?;
        }
        edit.touch_all(&doc_id, touched);
    }
    Ok(report)
}
