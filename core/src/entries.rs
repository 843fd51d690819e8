//! Append-only entries: visits and patrol check-ins are stored as ONE scalar
//! value each (a JSON object) under their id, not as a map of fields.
//!
//! Why: a visit is written once by the worker who made it and rarely
//! amended, while every Automerge operation costs tens of microseconds on a
//! phone as the quarter's document grows. One operation per visit instead of
//! twenty keeps a visit's write cheap. An amendment replaces the whole
//! value; two concurrent amendments keep both versions, and the `conflicts`
//! table lists, field by field, where the versions differ.
//!
//! A kind stores its entries as a `Stored*` struct of its own (see
//! `kinds/visits/mod.rs`), encoded with [`encode`] and read back with
//! [`versions`] and [`decode`]. To add a field to an entry, add it to that
//! struct with `#[serde(default)]` so that entries written by older builds
//! still read. Unknown fields from newer builds are ignored on read and
//! dropped on amendment.

use automerge::{ObjId, ReadDoc, ScalarValue, Value};
use serde::{Deserialize, Serialize};

use crate::crdt::{ConflictValue, FieldConflict};

/// The concurrent versions of an entry, Automerge's winner last; versions
/// that are not a JSON object are skipped (they come from a broken replica).
pub(crate) fn versions<D: ReadDoc>(
    doc: &D,
    collection: &ObjId,
    id: &str,
) -> Vec<(serde_json::Map<String, serde_json::Value>, ObjId)> {
    let Ok(all) = doc.get_all(collection, id) else {
        return Vec::new();
    };
    all.into_iter()
        .filter_map(|(value, op)| match value {
            Value::Scalar(scalar) => match scalar.as_ref() {
                ScalarValue::Str(text) => match serde_json::from_str(text) {
                    Ok(serde_json::Value::Object(map)) => Some((map, op)),
                    _ => None,
                },
                _ => None,
            },
            Value::Object(_) => None,
        })
        .collect()
}

/// The one version of an entry that has no concurrent versions, as read by a
/// range over its collection (cheaper than [`versions`], which seeks the key).
pub(crate) fn single_version(
    value: &automerge::ValueRef<'_>,
    id: ObjId,
) -> Vec<(serde_json::Map<String, serde_json::Value>, ObjId)> {
    match value {
        automerge::ValueRef::Scalar(automerge::ScalarValueRef::Str(text)) => {
            match serde_json::from_str(text) {
                Ok(serde_json::Value::Object(map)) => vec![(map, id)],
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The winning version of the entry under `key`, decoded; `None` when there is none.
pub(crate) fn winner<T: for<'de> Deserialize<'de> + Default>(
    doc: &automerge::Automerge,
    map: &ObjId,
    key: &str,
) -> Option<T> {
    versions(doc, map, key)
        .pop()
        .map(|(fields, _)| decode(&fields))
}

/// Decodes the winning version into its typed form, tolerating missing fields.
pub(crate) fn decode<T: for<'de> Deserialize<'de> + Default>(
    version: &serde_json::Map<String, serde_json::Value>,
) -> T {
    serde_json::from_value(serde_json::Value::Object(version.clone())).unwrap_or_default()
}

/// One conflict per field whose value differs between concurrent versions.
pub(crate) fn field_conflicts(
    versions: &[(serde_json::Map<String, serde_json::Value>, ObjId)],
) -> Vec<FieldConflict> {
    if versions.len() < 2 {
        return Vec::new();
    }
    let winner = versions.len() - 1;
    let fields: std::collections::BTreeSet<&String> =
        versions.iter().flat_map(|(v, _)| v.keys()).collect();
    fields
        .into_iter()
        .filter(|field| {
            let first = versions[0].0.get(*field);
            versions.iter().any(|(v, _)| v.get(*field) != first)
        })
        .map(|field| FieldConflict {
            field: field.clone(),
            values: versions
                .iter()
                .enumerate()
                .map(|(index, (version, op))| ConflictValue {
                    op_id: op.clone(),
                    value: version
                        .get(field)
                        .cloned()
                        .unwrap_or(serde_json::Value::Null),
                    is_winner: index == winner,
                })
                .collect(),
        })
        .collect()
}

/// The JSON text stored for an entry.
pub(crate) fn encode<T: Serialize>(entry: &T) -> crate::Result<String> {
    serde_json::to_string(entry).map_err(|e| crate::Error::document("entry", e))
}
