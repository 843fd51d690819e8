//! A change belongs to its document: the server refuses a pushed change that
//! does not descend from the history of the document it is pushed under.
//!
//! Every document starts from its kind's genesis change, the same bytes on
//! every replica (`docs::genesis`), which no replica ever pushes. So a
//! change of a document depends only on that genesis, on changes the server
//! stores under the same document id, or on changes pushed in the same
//! request under the same document id. [`outside_dependencies`] does the
//! part that needs no database: it resolves the genesis and the request's own
//! changes and returns the rest, which the server looks up by (grid,
//! document, hash) in its log, without loading any document. A change with
//! no dependencies at all would start a second history, and is refused.
//!
//! To accept another root (a new way of creating documents), add it next to
//! the genesis in [`outside_dependencies`] and to `schema/sync-protocol.md`.

use std::collections::{HashMap, HashSet};

use super::ProtocolError;
use super::hub::CheckedChange;
use crate::docs::{self, DocId, DocKind};

/// The most distinct dependencies outside the request one request may have
/// (each is one indexed lookup). A document's changes in one push depend on
/// its heads at the time of the first one, a few per document.
pub const MAX_OUTSIDE_DEPENDENCIES: usize = 4096;

/// A change a pushed change depends on that the push does not carry: the
/// server must have it stored under the same grid and document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dependency {
    /// The request position of the (first) pushed change that needs it.
    pub index: usize,
    /// The grid of the document.
    pub grid_id: String,
    /// The document it must be stored under.
    pub doc_id: String,
    /// Its hash.
    pub hash: [u8; 32],
}

/// The dependencies of a checked push that are neither its document's
/// genesis nor pushed with it under the same document, once each. Refuses
/// with [`ProtocolError::NotOfDocument`] a change with no dependencies, and
/// with [`ProtocolError::TooMany`] more than [`MAX_OUTSIDE_DEPENDENCIES`].
pub fn outside_dependencies(checked: &[CheckedChange]) -> Result<Vec<Dependency>, ProtocolError> {
    let pushed: HashSet<(&str, [u8; 32])> = checked
        .iter()
        .map(|c| (c.doc_id.as_str(), c.hash))
        .collect();
    let mut geneses: HashMap<&'static str, [u8; 32]> = HashMap::new();
    let mut wanted = HashSet::new();
    let mut outside = Vec::new();
    for change in checked {
        let not_of_document = ProtocolError::NotOfDocument {
            index: change.index,
        };
        if change.deps.is_empty() {
            return Err(not_of_document);
        }
        let (_, kind, _) =
            DocId::parse(&change.doc_id).ok_or(ProtocolError::InvalidField { field: "doc_id" })?;
        let genesis = match geneses.get(kind.name) {
            Some(hash) => *hash,
            None => {
                let hash = genesis_hash(kind)?;
                geneses.insert(kind.name, hash);
                hash
            }
        };
        for dep in &change.deps {
            if *dep == genesis || pushed.contains(&(change.doc_id.as_str(), *dep)) {
                continue;
            }
            if wanted.insert((change.doc_id.as_str(), *dep)) {
                if outside.len() == MAX_OUTSIDE_DEPENDENCIES {
                    return Err(ProtocolError::TooMany {
                        what: "dependencies outside the request",
                        limit: MAX_OUTSIDE_DEPENDENCIES,
                    });
                }
                outside.push(Dependency {
                    index: change.index,
                    grid_id: change.grid_id.clone(),
                    doc_id: change.doc_id.clone(),
                    hash: *dep,
                });
            }
        }
    }
    Ok(outside)
}

/// The genesis change of the kind of document `doc_id`: the change every
/// replica starts that document from, and never pushes. For tools that
/// build a document's changes outside a store (the harness's hostile requests).
pub fn genesis_change(doc_id: &str) -> Result<Vec<u8>, ProtocolError> {
    let (_, kind, _) =
        DocId::parse(doc_id).ok_or(ProtocolError::InvalidField { field: "doc_id" })?;
    let broken = || ProtocolError::Malformed("document genesis".into());
    let mut genesis = docs::genesis(kind).map_err(|_| broken())?;
    genesis
        .get_last_local_change()
        .map(|change| change.raw_bytes().to_vec())
        .ok_or_else(broken)
}

/// The hash of a kind's genesis change.
fn genesis_hash(kind: DocKind) -> Result<[u8; 32], ProtocolError> {
    let broken = || ProtocolError::Malformed("document genesis".into());
    let mut genesis = docs::genesis(kind).map_err(|_| broken())?;
    match genesis.get_heads().as_slice() {
        [head] => Ok(head.0),
        _ => Err(broken()),
    }
}
