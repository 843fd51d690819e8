//! What the server vouches for in a pushed change: that every field naming
//! who did something names the worker whose device token pushed it.
//!
//! The rules, on each operation of a change (see `schema/sync-protocol.md`,
//! "What the server vouches for"):
//! - an author field (each kind declares its own in its registry `Kind`:
//!   today `worker_id`, `appointed_by`, `recorded_by`) is only ever set to
//!   the pushing worker, never deleted;
//! - an entry (a record stored as one JSON value, like a visit) naming an
//!   author field names the pushing worker;
//! - in the roster document's `devices` map a change touches only its own
//!   actor's entry, and in the `workers` map only its own worker's;
//! - a worker's `role`, where the server knows it, is the server's;
//! - an entry of a collection with an entry check (an event step:
//!   `Kind::entry_checks`) passes it for the pusher's role, where the server
//!   knows it: the step names that role, and the role may take its action.
//!
//! The phone keeps to this by construction (its store writes its own
//! worker's id, and only a visit's maker amends it), so a refusal means a
//! forged or broken client. A new kind vouches for its fields by naming them
//! in its `Kind::author_fields`; a map with other rules is checked in
//! [`check_change`].

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{ObjId, ROOT, ReadDoc, ScalarValue};

use super::hub::CheckedChange;
use crate::docs::{self, DocId, ROSTER};
use crate::error::ProtocolError;
use crate::registry;
use crate::store::merge::parse_change;

/// Who pushed a request, as the server knows them from the device token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pusher {
    /// The worker the token belongs to.
    pub worker_id: String,
    /// The worker's role code as the server keeps it (`None`: not recorded).
    pub role: Option<String>,
    /// The request's actor, hex encoded.
    pub actor: String,
}

/// Checks every change of a push against [`Pusher`]; the first forged one
/// refuses the whole request.
pub fn check_authors(checked: &[CheckedChange], pusher: &Pusher) -> Result<(), ProtocolError> {
    let team_maps = TeamMaps::of_genesis()?;
    let checked_maps = CheckedMaps::of_genesis()?;
    for (index, change) in checked.iter().enumerate() {
        check_change(index, change, pusher, &team_maps)?;
        if let Some(role) = pusher.role.as_deref() {
            check_entries(index, change, role, &checked_maps)?;
        }
    }
    Ok(())
}

/// The collections with an entry check, by document kind and genesis object.
struct CheckedMaps(Vec<CheckedMap>);

/// A document kind's name, the collection's genesis object and its check.
type CheckedMap = (&'static str, (u64, Vec<u8>), registry::EntryCheckFn);

impl CheckedMaps {
    fn of_genesis() -> Result<CheckedMaps, ProtocolError> {
        let mut maps = Vec::new();
        for check in registry::entry_checks() {
            let genesis =
                docs::genesis(check.doc).map_err(|_| ProtocolError::Malformed("genesis".into()))?;
            match genesis.get(ROOT, check.collection) {
                Ok(Some((_, ObjId::Id(counter, actor, _)))) => maps.push((
                    check.doc.name,
                    (counter, actor.to_bytes().to_vec()),
                    check.check,
                )),
                _ => return Err(ProtocolError::Malformed("genesis".into())),
            }
        }
        Ok(CheckedMaps(maps))
    }
}

/// Runs the entry checks of the collections a change writes into.
fn check_entries(
    index: usize,
    checked: &CheckedChange,
    role: &str,
    maps: &CheckedMaps,
) -> Result<(), ProtocolError> {
    let Some((_, kind, _)) = DocId::parse(&checked.doc_id) else {
        return Ok(());
    };
    let ours: Vec<_> = maps
        .0
        .iter()
        .filter(|(doc, _, _)| *doc == kind.name)
        .collect();
    if ours.is_empty() {
        return Ok(());
    }
    let change = parse_change(&checked.bytes).map_err(|_| ProtocolError::ChangeRejected {
        index,
        reason: "undecodable change",
    })?;
    for op in &change.decode().operations {
        let (ObjectId::Id(obj), OpType::Put(ScalarValue::Str(value))) = (&op.obj, &op.action)
        else {
            continue;
        };
        let obj = (obj.counter(), obj.actor().to_bytes().to_vec());
        for (_, map, check) in &ours {
            if *map != obj {
                continue;
            }
            let Ok(serde_json::Value::Object(entry)) = serde_json::from_str(value) else {
                return Err(ProtocolError::ChangeRejected {
                    index,
                    reason: "entry is not a JSON object",
                });
            };
            check(&entry, role).map_err(|refusal| match refusal {
                registry::EntryRefusal::Forged(field) => {
                    ProtocolError::ForgedAuthor { index, field }
                }
                registry::EntryRefusal::RoleMayNot(action) => {
                    ProtocolError::RoleMayNot { index, action }
                }
            })?;
        }
    }
    Ok(())
}

/// The roster genesis's `devices` and `workers` maps: the same object ids in
/// every roster document.
struct TeamMaps {
    devices: (u64, Vec<u8>),
    workers: (u64, Vec<u8>),
}

impl TeamMaps {
    fn of_genesis() -> Result<TeamMaps, ProtocolError> {
        let genesis = docs::genesis(&ROSTER)
            .map_err(|_| ProtocolError::Malformed("roster genesis".into()))?;
        let id = |name: &str| match genesis.get(ROOT, name) {
            Ok(Some((_, ObjId::Id(counter, actor, _)))) => Ok((counter, actor.to_bytes().to_vec())),
            _ => Err(ProtocolError::Malformed("roster genesis".into())),
        };
        Ok(TeamMaps {
            devices: id("devices")?,
            workers: id("workers")?,
        })
    }
}

fn check_change(
    index: usize,
    checked: &CheckedChange,
    pusher: &Pusher,
    team_maps: &TeamMaps,
) -> Result<(), ProtocolError> {
    let forged = |field: &'static str| ProtocolError::ForgedAuthor { index, field };
    let change = parse_change(&checked.bytes).map_err(|_| ProtocolError::ChangeRejected {
        index,
        reason: "undecodable change",
    })?;
    let is_roster = DocId::parse(&checked.doc_id).is_some_and(|(_, kind, _)| *kind == ROSTER);
    let decoded = change.decode();
    for op in &decoded.operations {
        let Key::Map(key) = &op.key else { continue };
        let key = key.as_str();
        if let Some(field) = author_field(key) {
            match &op.action {
                OpType::Put(ScalarValue::Str(value)) if value.as_str() == pusher.worker_id => {}
                _ => return Err(forged(field)),
            }
        }
        if let OpType::Put(ScalarValue::Str(value)) = &op.action {
            check_entry(value, pusher).map_err(forged)?;
            if key == "role"
                && pusher
                    .role
                    .as_deref()
                    .is_some_and(|role| role != value.as_str())
            {
                return Err(forged("role"));
            }
        }
        if is_roster && let ObjectId::Id(obj) = &op.obj {
            let obj = (obj.counter(), obj.actor().to_bytes().to_vec());
            if obj == team_maps.devices && key != pusher.actor {
                return Err(forged("devices"));
            }
            if obj == team_maps.workers && key != pusher.worker_id {
                return Err(forged("workers"));
            }
        }
    }
    Ok(())
}

/// An entry's author fields: a JSON object's, if the value is one.
fn check_entry(value: &str, pusher: &Pusher) -> Result<(), &'static str> {
    if !value.starts_with('{') {
        return Ok(());
    }
    let Ok(serde_json::Value::Object(entry)) = serde_json::from_str(value) else {
        return Ok(());
    };
    for field in registry::author_fields() {
        match entry.get(field) {
            None => {}
            // Entries of older builds carry an empty `recorded_by`.
            Some(serde_json::Value::String(author)) if author == &pusher.worker_id => {}
            Some(_) => return Err(field),
        }
    }
    Ok(())
}

/// The author field a map key is, if it is one (as declared by the kinds).
fn author_field(key: &str) -> Option<&'static str> {
    registry::author_fields().find(|field| *field == key)
}
