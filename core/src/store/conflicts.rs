//! Conflicts: fields that two or more people changed concurrently, kept for
//! review. Projections find them while reading a record (`crdt.rs`,
//! `entries.rs`) and write them with `project::write_conflicts` into the
//! `conflicts` table, which belongs to the machinery; this module reads them
//! back. A new kind gets its conflicts listed by writing them in its
//! projection under its [`RecordKind`].

use std::collections::BTreeMap;

use super::Store;
use crate::error::Result;
use crate::kinds::RecordKind;

/// One of the concurrent values of a field. Its `Debug` leaves the value
/// out: it may be a name, a phone or an ID number.
#[derive(Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ConflictValue {
    /// The value, as JSON (a string, number, boolean or null); in Kotlin and
    /// Swift `valueJson`, the JSON text.
    #[cfg_attr(feature = "uniffi", uniffi(name = "value_json"))]
    pub value: serde_json::Value,
    /// The worker whose device wrote it, if the device is known.
    pub worker_id: Option<String>,
    /// The device's CRDT actor id (hex).
    pub actor: String,
    /// When the change that wrote it was made (device clock, UTC ms).
    pub at_ms: Option<i64>,
    /// Whether this is the value in effect.
    pub is_winner: bool,
}

impl std::fmt::Debug for ConflictValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConflictValue")
            .field("value", &"<redacted>")
            .field("worker_id", &self.worker_id)
            .field("actor", &self.actor)
            .field("at_ms", &self.at_ms)
            .field("is_winner", &self.is_winner)
            .finish()
    }
}

/// A field that two or more people changed concurrently. Resolve it by editing the field.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Conflict {
    /// The kind of record.
    pub record_kind: crate::RecordKind,
    /// The record's id.
    pub record_id: String,
    /// The field (`heads` for concurrent building-head appointments).
    pub field: String,
    /// The values, the one in effect marked.
    pub values: Vec<ConflictValue>,
}

/// A conflicting value as listed: an ID number or phones masked (phones
/// are stored as one comma-separated text or a list).
fn masked_value(field: &str, value: serde_json::Value) -> serde_json::Value {
    use crate::validate::{mask_id_number, mask_phone};
    use serde_json::Value;
    match (field, value) {
        ("id_number", Value::String(id)) => Value::String(mask_id_number(&id)),
        ("phones", Value::String(phones)) => Value::String(
            phones
                .split(',')
                .map(mask_phone)
                .collect::<Vec<_>>()
                .join(","),
        ),
        ("phones", Value::Array(phones)) => Value::Array(
            phones
                .into_iter()
                .map(|p| match p {
                    Value::String(p) => Value::String(mask_phone(&p)),
                    other => other,
                })
                .collect(),
        ),
        (_, value) => value,
    }
}

impl Store {
    /// The fields edited concurrently in a grid, for a person to review. Each
    /// lists every value with who wrote it and when; the value in effect is
    /// marked. ID numbers and phones are masked, as everywhere they are listed. Resolve one by editing the field: the conflict then disappears.
    pub fn conflicts(&self, grid_id: &str) -> Result<Vec<Conflict>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT c.record_kind, c.record_id, c.field, c.value, c.actor, d.worker_id, c.at_ms, c.is_winner
                 FROM conflicts c JOIN docs ON docs.doc_id = c.doc_id
                 LEFT JOIN devices d ON d.grid_id = docs.grid_id AND d.actor = c.actor
                 WHERE docs.grid_id = ?1
                 ORDER BY c.record_kind, c.record_id, c.field, c.is_winner DESC, c.op_id",
            )?;
            let mut grouped: BTreeMap<(String, String, String), Vec<ConflictValue>> = BTreeMap::new();
            let rows = stmt.query_map([grid_id], |r| {
                Ok((
                    (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                    ConflictValue {
                        value: r
                            .get::<_, Option<String>>(3)?
                            .and_then(|v| serde_json::from_str(&v).ok())
                            .unwrap_or(serde_json::Value::Null),
                        actor: r.get(4)?,
                        worker_id: r.get(5)?,
                        at_ms: r.get(6)?,
                        is_winner: r.get(7)?,
                    },
                ))
            })?;
            for row in rows {
                let (key, mut value) = row?;
                value.value = masked_value(&key.2, value.value);
                grouped.entry(key).or_default().push(value);
            }
            Ok(grouped
                .into_iter()
                .filter_map(|((kind, record_id, field), values)| {
                    Some(Conflict {
                        record_kind: RecordKind::parse(&kind)?,
                        record_id,
                        field,
                        values,
                    })
                })
                .collect())
        })
    }

    /// Every row of every query table in a canonical text form, for comparing
    /// replicas and checking that a rebuild gives the same rows.
    pub fn query_table_dump(&self) -> Result<BTreeMap<String, Vec<String>>> {
        self.read(|conn| {
            let mut dump = BTreeMap::new();
            for table in crate::registry::query_tables() {
                let mut stmt = conn.prepare(&format!("SELECT * FROM {table}"))?;
                let columns = stmt.column_count();
                let mut rows: Vec<String> = stmt
                    .query_map([], |r| {
                        let mut cells = Vec::with_capacity(columns);
                        for index in 0..columns {
                            let cell: rusqlite::types::Value = r.get(index)?;
                            cells.push(format!("{cell:?}"));
                        }
                        Ok(cells.join("|"))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                rows.sort();
                dump.insert(table.to_string(), rows);
            }
            Ok(dump)
        })
    }
}
