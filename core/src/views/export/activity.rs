//! The visits and events read for an export, free text masked. Category
//! and level labels are the grid's own (its categories and its names for
//! the whistle levels), read before by the caller. To add a field: its
//! line in `template::FIELDS` and its arm below.

use std::collections::HashMap;

use rusqlite::Connection;

use super::mask::Privacy;
use super::rows::{Table, Value, code, free_text, text, time};
use crate::error::Result;
use crate::kinds::codes::{EventSource, EventStatus, Urgency, VisitKind, VisitOutcome};

/// A finding as the `visits.findings` column holds it.
#[derive(serde::Deserialize)]
struct FindingText {
    #[serde(default)]
    text: String,
}

/// The address of a household: 3栋1单元502.
fn address(building: Option<String>, unit: Option<String>, room: Option<String>) -> Value {
    let (Some(building), Some(room)) = (building, room) else {
        return Value::Empty;
    };
    let building = building.trim_end_matches('栋');
    let unit = unit.filter(|u| !u.is_empty());
    Value::Text(match unit {
        Some(unit) => format!("{building}栋{unit}单元{room}"),
        None => format!("{building}栋{room}"),
    })
}

/// The grid's visits, oldest first; the worker by name when the team lists them.
pub(super) fn visits(
    conn: &Connection,
    grid_id: &str,
    fields: &[&str],
    privacy: Privacy,
) -> Result<Table> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.at_ms, v.offset_min, h.building_number, h.unit, h.room,
            coalesce(w.name, v.worker_id), v.kind, v.outcome, v.findings, v.notes
         FROM visits v
         LEFT JOIN households h ON h.id = v.household_id
         LEFT JOIN workers w ON w.grid_id = v.grid_id AND w.id = v.worker_id
         WHERE v.grid_id = ?1
         ORDER BY v.at_ms, v.id",
    )?;
    let mut rows = stmt.query([grid_id])?;
    let mut table = Table::default();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(fields.len());
        for field in fields {
            values.push(match *field {
                "at" => time(row.get(0)?, row.get(1)?),
                "address" => address(row.get(2)?, row.get(3)?, row.get(4)?),
                "worker" => text(row.get(5)?),
                "kind" => code::<VisitKind>(row.get(6)?),
                "outcome" => code::<VisitOutcome>(row.get(7)?),
                "findings" => {
                    let json: String = row.get(8)?;
                    let findings: Vec<FindingText> =
                        serde_json::from_str(&json).unwrap_or_default();
                    let texts: Vec<String> = findings
                        .into_iter()
                        .map(|f| f.text)
                        .filter(|t| !t.is_empty())
                        .collect();
                    free_text((!texts.is_empty()).then(|| texts.join("；")), privacy)
                }
                "notes" => free_text(row.get(9)?, privacy),
                _ => Value::Empty,
            });
        }
        table.rows.push(values);
    }
    Ok(table)
}

/// Labels of the grid's categories (by code) and whistle levels (by rank).
#[derive(Default)]
pub(super) struct EventLabels {
    pub(super) categories: HashMap<String, String>,
    pub(super) levels: HashMap<i64, String>,
}

/// The grid's events, oldest report first, with the time of the applied
/// step that closed each (结案 or 自办自结), if one did.
pub(super) fn events(
    conn: &Connection,
    grid_id: &str,
    fields: &[&str],
    labels: &EventLabels,
    privacy: Privacy,
) -> Result<Table> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.category, e.level, e.status, e.urgency, e.source, e.address,
            e.at_ms, e.offset_min, e.deadline_ms, e.deadline_offset, c.at_ms, c.offset_min
         FROM events e
         LEFT JOIN event_steps c ON c.id = (
             SELECT s.id FROM event_steps s
             WHERE s.event_id = e.id AND s.doc_id = e.doc_id AND s.applied = 1
               AND s.action IN ('close', 'self_resolve')
             ORDER BY s.position DESC LIMIT 1)
         WHERE e.grid_id = ?1
         ORDER BY e.at_ms, e.id",
    )?;
    let mut rows = stmt.query([grid_id])?;
    let mut table = Table::default();
    while let Some(row) = rows.next()? {
        let status: Option<String> = row.get(3)?;
        let closed = status.as_deref() == Some("closed");
        let mut values = Vec::with_capacity(fields.len());
        for field in fields {
            values.push(match *field {
                "id" => text(row.get(0)?),
                "category" => match row.get::<_, Option<String>>(1)? {
                    Some(c) => {
                        let label = labels.categories.get(&c).cloned().unwrap_or(c.clone());
                        Value::Code(c, label)
                    }
                    None => Value::Empty,
                },
                "level" => {
                    let rank: i64 = row.get(2)?;
                    let label = labels
                        .levels
                        .get(&rank)
                        .cloned()
                        .unwrap_or(rank.to_string());
                    Value::Code(rank.to_string(), label)
                }
                "status" => code::<EventStatus>(status.clone()),
                "urgency" => code::<Urgency>(row.get(4)?),
                "source" => code::<EventSource>(row.get(5)?),
                "address" => free_text(row.get(6)?, privacy),
                "reported_at" => time(row.get(7)?, row.get(8)?),
                "deadline" => time(row.get(9)?, row.get(10)?),
                "closed_at" if closed => time(row.get(11)?, row.get(12)?),
                _ => Value::Empty,
            });
        }
        table.rows.push(values);
    }
    Ok(table)
}
