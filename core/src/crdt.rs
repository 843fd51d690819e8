//! Small typed helpers over Automerge maps: writing only what changed, and
//! reading fields while collecting concurrent values for the `conflicts`
//! query table.
//!
//! Every record is a map of scalar fields (strings, integers, floats,
//! booleans) plus, for some kinds, nested maps used as sets or as child
//! records. Strings are scalars, never `Text`: they are replaced whole and
//! merged per field. To support a new scalar type, extend [`Scalar`] and
//! [`scalar_json`].

use std::collections::{BTreeSet, HashMap};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ObjId, ObjType, ReadDoc, ScalarValue, Value};

use crate::error::{Error, Result};

/// A scalar to write; `None` removes the field.
pub(crate) type Scalar = Option<ScalarValue>;

fn am(e: automerge::AutomergeError) -> Error {
    Error::Document {
        doc_id: String::new(),
        message: e.to_string(),
    }
}

/// The nested map at `key`, if there is one.
pub(crate) fn map_at<D: ReadDoc>(doc: &D, parent: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(parent, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
        _ => None,
    }
}

/// Creates a nested map at `key`, or returns the existing one.
pub(crate) fn ensure_map(doc: &mut AutoCommit, parent: &ObjId, key: &str) -> Result<ObjId> {
    match map_at(doc, parent, key) {
        Some(id) => Ok(id),
        None => doc.put_object(parent, key, ObjType::Map).map_err(am),
    }
}

/// Writes a field only if it differs from the current value or is in conflict,
/// so that an unchanged field never creates a spurious concurrent value.
pub(crate) fn set(doc: &mut AutoCommit, obj: &ObjId, key: &str, value: Scalar) -> Result<()> {
    let current = doc.get_all(obj, key).map_err(am)?;
    match value {
        None => {
            if !current.is_empty() {
                doc.delete(obj, key).map_err(am)?;
            }
        }
        Some(value) => {
            let unchanged =
                matches!(current.as_slice(), [(Value::Scalar(v), _)] if v.as_ref() == &value);
            if !unchanged {
                doc.put(obj, key, value).map_err(am)?;
            }
        }
    }
    Ok(())
}

/// [`set`] on a record's map; on a map created in this edit (`fresh`),
/// which holds no value to compare with or to conflict with, a plain put
/// (and nothing for `None`), without reading the map first.
pub(crate) fn set_field(
    doc: &mut AutoCommit,
    obj: &ObjId,
    fresh: bool,
    key: &str,
    value: Scalar,
) -> Result<()> {
    if !fresh {
        return set(doc, obj, key, value);
    }
    if let Some(value) = value {
        doc.put(obj, key, value).map_err(am)?;
    }
    Ok(())
}

/// Makes the keys of the map at `obj` equal to `wanted` (a set of strings).
pub(crate) fn set_keys(doc: &mut AutoCommit, obj: &ObjId, wanted: &BTreeSet<String>) -> Result<()> {
    let present: BTreeSet<String> = doc.keys(obj).collect();
    for gone in present.difference(wanted) {
        doc.delete(obj, gone.as_str()).map_err(am)?;
    }
    for added in wanted.difference(&present) {
        doc.put(obj, added.as_str(), true).map_err(am)?;
    }
    Ok(())
}

/// A string scalar.
pub(crate) fn s(value: &str) -> Scalar {
    Some(ScalarValue::Str(value.into()))
}

/// An optional string scalar.
pub(crate) fn opt_s(value: Option<&str>) -> Scalar {
    value.map(|v| ScalarValue::Str(v.into()))
}

/// An integer scalar.
pub(crate) fn i(value: i64) -> Scalar {
    Some(ScalarValue::Int(value))
}

/// A float scalar.
pub(crate) fn f(value: Option<f64>) -> Scalar {
    value.map(ScalarValue::F64)
}

/// A boolean scalar.
pub(crate) fn b(value: bool) -> Scalar {
    Some(ScalarValue::Boolean(value))
}

/// The JSON form of a scalar, as stored in the `conflicts` table.
pub(crate) fn scalar_json(value: &ScalarValue) -> serde_json::Value {
    match value {
        ScalarValue::Str(s) => serde_json::Value::String(s.to_string()),
        ScalarValue::Int(i) => (*i).into(),
        ScalarValue::Uint(u) => (*u).into(),
        ScalarValue::F64(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        ScalarValue::Boolean(b) => (*b).into(),
        _ => serde_json::Value::Null,
    }
}

/// One concurrent value of a field.
#[derive(Debug, Clone)]
pub(crate) struct ConflictValue {
    pub(crate) op_id: ObjId,
    pub(crate) value: serde_json::Value,
    pub(crate) is_winner: bool,
}

/// A field with more than one concurrent value.
#[derive(Debug, Clone)]
pub(crate) struct FieldConflict {
    pub(crate) field: String,
    pub(crate) values: Vec<ConflictValue>,
}

/// Reads the fields of one record map, noting every field that holds
/// concurrent values.
pub(crate) struct RecordReader<'a> {
    doc: &'a Automerge,
    obj: ObjId,
    prefix: String,
    /// The record's scalar fields that have exactly one value, read in one
    /// pass over the map: most fields, most of the time. Fields with
    /// concurrent values are looked up one by one.
    settled: HashMap<String, ScalarValue>,
    pub(crate) conflicts: Vec<FieldConflict>,
}

impl<'a> RecordReader<'a> {
    pub(crate) fn new(doc: &'a Automerge, obj: ObjId) -> RecordReader<'a> {
        RecordReader::with_prefix(doc, obj, String::new())
    }

    fn with_prefix(doc: &'a Automerge, obj: ObjId, prefix: String) -> RecordReader<'a> {
        let settled = doc
            .map_range(&obj, ..)
            .filter(|item| !item.conflict)
            .filter_map(|item| match item.value.into_value() {
                Value::Scalar(value) => Some((item.key.into_owned(), value.into_owned())),
                Value::Object(_) => None,
            })
            .collect();
        RecordReader {
            doc,
            obj,
            prefix,
            settled,
            conflicts: Vec::new(),
        }
    }

    /// A reader for a child map whose conflicts are reported as `prefix.field`.
    pub(crate) fn child(&self, obj: ObjId, prefix: &str) -> RecordReader<'a> {
        RecordReader::with_prefix(self.doc, obj, format!("{prefix}."))
    }

    /// The value in effect, chosen by `rank` (highest wins; ties go to
    /// Automerge's deterministic winner), recording any conflict.
    fn pick(&mut self, field: &str, rank: impl Fn(&ScalarValue) -> u8) -> Option<ScalarValue> {
        if let Some(value) = self.settled.get(field) {
            return Some(value.clone());
        }
        let all = self.doc.get_all(&self.obj, field).ok()?;
        let scalars: Vec<(ScalarValue, ObjId)> = all
            .into_iter()
            .filter_map(|(value, id)| match value {
                Value::Scalar(v) => Some((v.into_owned(), id)),
                Value::Object(_) => None,
            })
            .collect();
        // Automerge lists concurrent values in op order; its winner is the last.
        let winner = scalars
            .iter()
            .enumerate()
            .max_by_key(|(index, (value, _))| (rank(value), *index))
            .map(|(index, _)| index)?;
        if scalars.len() > 1 {
            self.conflicts.push(FieldConflict {
                field: format!("{}{field}", self.prefix),
                values: scalars
                    .iter()
                    .enumerate()
                    .map(|(index, (value, op_id))| ConflictValue {
                        op_id: op_id.clone(),
                        value: scalar_json(value),
                        is_winner: index == winner,
                    })
                    .collect(),
            });
        }
        scalars.into_iter().nth(winner).map(|(value, _)| value)
    }

    /// A string field.
    pub(crate) fn str(&mut self, field: &str) -> Option<String> {
        match self.pick(field, |_| 0)? {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }

    /// A string field whose concurrent values are resolved by a domain rank.
    pub(crate) fn ranked_str(&mut self, field: &str, rank: fn(&str) -> u8) -> Option<String> {
        let value = self.pick(field, |v| match v {
            ScalarValue::Str(s) => rank(s),
            _ => 0,
        })?;
        match value {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }

    /// An integer field.
    pub(crate) fn int(&mut self, field: &str) -> Option<i64> {
        match self.pick(field, |_| 0)? {
            ScalarValue::Int(i) => Some(i),
            ScalarValue::Uint(u) => i64::try_from(u).ok(),
            _ => None,
        }
    }

    /// A float field.
    pub(crate) fn float(&mut self, field: &str) -> Option<f64> {
        match self.pick(field, |_| 0)? {
            ScalarValue::F64(f) if f.is_finite() => Some(f),
            ScalarValue::Int(i) => Some(i as f64),
            _ => None,
        }
    }

    /// A boolean flag where `true` wins over a concurrent `false` (used for
    /// retirement: a merge never brings a retired record back).
    pub(crate) fn sticky_flag(&mut self, field: &str) -> bool {
        matches!(
            self.pick(field, |v| u8::from(matches!(v, ScalarValue::Boolean(true)))),
            Some(ScalarValue::Boolean(true))
        )
    }

    /// The keys of a nested map used as a set.
    pub(crate) fn key_set(&self, field: &str) -> BTreeSet<String> {
        match map_at(self.doc, &self.obj, field) {
            Some(obj) => self.doc.keys(&obj).collect(),
            None => BTreeSet::new(),
        }
    }

    /// The child maps of a nested map, by key.
    pub(crate) fn children(&self, field: &str) -> Vec<(String, ObjId)> {
        let Some(obj) = map_at(self.doc, &self.obj, field) else {
            return Vec::new();
        };
        self.doc
            .map_range(&obj, ..)
            .filter_map(|item| match item.value {
                automerge::ValueRef::Object(ObjType::Map) => {
                    Some((item.key.to_string(), item.id()))
                }
                _ => None,
            })
            .collect()
    }
}

/// The winning string value of a field, if it is a string.
pub(crate) fn scalar_str<D: ReadDoc>(doc: &D, obj: &ObjId, key: &str) -> Option<String> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(v), _))) => v.as_str().map(str::to_string),
        _ => None,
    }
}
