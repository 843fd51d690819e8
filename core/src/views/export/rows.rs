//! The roster's record sets read for an export (residents, households),
//! masked unless unmasked (see `mask.rs`), and how a value becomes a cell. The
//! visits and events are read in `activity.rs`. To add a field: its line
//! in `template::FIELDS` and its arm in the record set's `value`.

use std::collections::HashMap;

use rusqlite::Connection;

use super::mask::Privacy;
use super::template::{Column, DateFormat, NamedMap, ValueMap};
use crate::code_list::CodeList;
use crate::error::Result;
use crate::kinds::codes::{
    CARE_CATEGORIES, DwellingUse, Gender, HouseholdStatus, RELATION_CODES, Registration,
    ResidenceState,
};
use crate::validate::Date;
use crate::values::Timestamp;

/// A field's value, before the column's mapping and format.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    /// Nothing recorded.
    Empty,
    /// Text or a number, written as it is.
    Text(String),
    /// A code with its label.
    Code(String, String),
    /// Several codes with their labels.
    Codes(Vec<(String, String)>),
    /// A date.
    Date(Date),
    /// A time, written in its own offset.
    Time(Timestamp),
}

/// Rows of values in the template's column order, and how many residents
/// hold a withheld care category.
#[derive(Default)]
pub(super) struct Table {
    pub(super) rows: Vec<Vec<Value>>,
    pub(super) withheld_care: usize,
}

/// The cell text of `value` in `column`.
pub(super) fn render(value: &Value, column: &Column) -> String {
    let code = |code: &str, label: &str| match &column.map {
        None | Some(ValueMap::Named(NamedMap::Label)) => label.to_string(),
        Some(ValueMap::Named(NamedMap::Code)) => code.to_string(),
        Some(ValueMap::Table(table)) => table.get(code).cloned().unwrap_or(label.to_string()),
    };
    let format = column.date.unwrap_or_default();
    match value {
        Value::Empty => String::new(),
        Value::Text(text) => text.clone(),
        Value::Code(c, label) => code(c, label),
        Value::Codes(codes) => codes
            .iter()
            .map(|(c, label)| code(c, label))
            .collect::<Vec<_>>()
            .join("、"),
        Value::Date(date) => date_text(*date, format),
        Value::Time(at) => {
            let text = date_text(at.local_date(), format);
            if format == DateFormat::IsoMinutes {
                let day_ms = at.utc_ms + i64::from(at.offset_minutes) * 60_000;
                let minutes = day_ms.rem_euclid(86_400_000) / 60_000;
                format!("{text} {:02}:{:02}", minutes / 60, minutes % 60)
            } else {
                text
            }
        }
    }
}

fn date_text(date: Date, format: DateFormat) -> String {
    match format {
        DateFormat::Iso | DateFormat::IsoMinutes => date.to_string(),
        DateFormat::Compact => date.to_string().replace('-', ""),
        DateFormat::Chinese => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
    }
}

/// A code of a closed list with its label (an unknown code reads as the fallback).
pub(super) fn code<T: CodeList>(stored: Option<String>) -> Value {
    let value = T::from_code_or_default(stored.as_deref());
    Value::Code(value.code().to_string(), value.label().to_string())
}

/// A code of a string list with its label (an unknown code is its own label).
fn listed(stored: Option<String>, list: &[(&str, &str)]) -> Value {
    let Some(stored) = stored else {
        return Value::Empty;
    };
    let label = list
        .iter()
        .find(|(c, _)| *c == stored)
        .map_or(stored.as_str(), |(_, label)| label)
        .to_string();
    Value::Code(stored, label)
}

pub(super) fn text(stored: Option<String>) -> Value {
    stored.map_or(Value::Empty, Value::Text)
}

/// Free text, with ID numbers and phones in it masked unless `privacy` is unmasked.
pub(super) fn free_text(stored: Option<String>, privacy: Privacy) -> Value {
    stored.map_or(Value::Empty, |t| Value::Text(privacy.free_text(&t)))
}

pub(super) fn date(stored: Option<String>) -> Value {
    stored
        .and_then(|d| Date::parse(&d).ok())
        .map_or(Value::Empty, Value::Date)
}

pub(super) fn time(ms: Option<i64>, offset: Option<i64>) -> Value {
    match ms {
        Some(utc_ms) => Value::Time(Timestamp {
            utc_ms,
            offset_minutes: offset.and_then(|o| i32::try_from(o).ok()).unwrap_or(0),
        }),
        None => Value::Empty,
    }
}

/// The grid's active residents in roster order, masked as `privacy` says.
pub(super) fn residents(
    conn: &Connection,
    grid_id: &str,
    fields: &[&str],
    privacy: Privacy,
) -> Result<Table> {
    let mut care: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT resident_id, category FROM resident_care WHERE grid_id = ?1 ORDER BY category",
    )?;
    let mut rows = stmt.query([grid_id])?;
    while let Some(row) = rows.next()? {
        care.entry(row.get(0)?).or_default().push(row.get(1)?);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT h.building_number, b.estate, h.unit, h.floor, h.room, r.name, r.gender,
            r.birth_date, r.id_number, r.phones, r.relation, r.registration,
            r.residence_state, r.moved_in, h.notes, r.id
         FROM residents r
         JOIN households h ON h.id = r.household_id
         LEFT JOIN buildings b ON b.id = h.building_id
         WHERE r.grid_id = ?1 AND r.status = 'active'
         ORDER BY h.building_key, h.unit_key, h.floor, h.room_key, h.id, r.relation, r.id",
    )?;
    let mut rows = stmt.query([grid_id])?;
    let mut table = Table::default();
    while let Some(row) = rows.next()? {
        let id: String = row.get(15)?;
        let categories = care.remove(&id).unwrap_or_default();
        if categories.iter().any(|c| !privacy.care_is_listed(c)) {
            table.withheld_care += 1;
        }
        let mut values = Vec::with_capacity(fields.len());
        for field in fields {
            values.push(match *field {
                "building" => text(row.get(0)?),
                "estate" => text(row.get(1)?),
                "unit" => text(row.get(2)?),
                "floor" => text(row.get::<_, Option<i64>>(3)?.map(|f| f.to_string())),
                "room" => text(row.get(4)?),
                "name" => text(row.get(5)?),
                "gender" => code::<Gender>(row.get(6)?),
                "birth_date" => date(row.get(7)?),
                "id_number" => text(
                    row.get::<_, Option<String>>(8)?
                        .map(|n| privacy.id_number(&n)),
                ),
                "phones" => text(row.get::<_, Option<String>>(9)?.map(|p| {
                    p.split(',')
                        .filter(|p| !p.is_empty())
                        .map(|p| privacy.phone(p))
                        .collect::<Vec<_>>()
                        .join("、")
                })),
                "relation" => listed(row.get(10)?, RELATION_CODES),
                "registration" => code::<Registration>(row.get(11)?),
                "residence_state" => code::<ResidenceState>(row.get(12)?),
                "care" => Value::Codes(
                    categories
                        .iter()
                        .filter(|c| privacy.care_is_listed(c))
                        .filter_map(|c| match listed(Some(c.clone()), CARE_CATEGORIES) {
                            Value::Code(c, label) => Some((c, label)),
                            _ => None,
                        })
                        .collect(),
                ),
                "moved_in" => date(row.get(13)?),
                "household_notes" => free_text(row.get(14)?, privacy),
                _ => Value::Empty,
            });
        }
        table.rows.push(values);
    }
    Ok(table)
}

/// The grid's households in roster order, notes masked as `privacy` says.
pub(super) fn households(
    conn: &Connection,
    grid_id: &str,
    fields: &[&str],
    privacy: Privacy,
) -> Result<Table> {
    let mut stmt = conn.prepare_cached(
        "SELECT h.building_number, b.estate, h.unit, h.floor, h.room, h.use_kind, h.status,
            h.member_count, h.last_visit_ms, h.last_visit_offset, h.notes
         FROM households h LEFT JOIN buildings b ON b.id = h.building_id
         WHERE h.grid_id = ?1
         ORDER BY h.building_key, h.unit_key, h.floor, h.room_key, h.id",
    )?;
    let mut rows = stmt.query([grid_id])?;
    let mut table = Table::default();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(fields.len());
        for field in fields {
            values.push(match *field {
                "building" => text(row.get(0)?),
                "estate" => text(row.get(1)?),
                "unit" => text(row.get(2)?),
                "floor" => text(row.get::<_, Option<i64>>(3)?.map(|f| f.to_string())),
                "room" => text(row.get(4)?),
                "use_kind" => code::<DwellingUse>(row.get(5)?),
                "status" => code::<HouseholdStatus>(row.get(6)?),
                "member_count" => text(row.get::<_, Option<i64>>(7)?.map(|n| n.to_string())),
                "last_visit" => time(row.get(8)?, row.get(9)?),
                "notes" => free_text(row.get(10)?, privacy),
                _ => Value::Empty,
            });
        }
        table.rows.push(values);
    }
    Ok(table)
}
