//! Existence checks and small lookups on the query tables that edits need
//! before they write (which grid a record is in, whether an id exists).
//! Add a lookup here when an edit must check a reference.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, RecordKind, Result};

/// Fails with [`Error::NotFound`] unless `id` is a row of `table`.
pub(crate) fn require(
    conn: &Connection,
    kind: RecordKind,
    table: &'static str,
    id: &str,
) -> Result<()> {
    grid_of(conn, kind, table, id).map(|_| ())
}

/// One row of a record's table, by id: its grid followed by `more` columns.
fn grid_row<T>(
    conn: &Connection,
    kind: RecordKind,
    table: &'static str,
    id: &str,
    more: &str,
    read: impl FnOnce(&rusqlite::Row) -> rusqlite::Result<T>,
) -> Result<T> {
    let column = if table == "grids" { "id" } else { "grid_id" };
    let sql = format!("SELECT {column}{more} FROM {table} WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], read)
        .optional()?
        .ok_or_else(|| Error::not_found(kind, id))
}

/// The grid of a record in a query table with `id` and `grid_id` columns.
pub(crate) fn grid_of(
    conn: &Connection,
    kind: RecordKind,
    table: &'static str,
    id: &str,
) -> Result<String> {
    grid_row(conn, kind, table, id, "", |r| r.get(0))
}

/// The grid of a record that can be retired (grids, buildings, shifts);
/// [`Error::Retired`] if it was.
pub(crate) fn grid_of_active(
    conn: &Connection,
    kind: RecordKind,
    table: &'static str,
    id: &str,
) -> Result<String> {
    let (grid, retired): (String, bool) = grid_row(conn, kind, table, id, ", retired", |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    if retired {
        return Err(Error::Retired {
            kind,
            id: id.to_string(),
        });
    }
    Ok(grid)
}

/// The household a resident belongs to.
pub(crate) fn resident_household(conn: &Connection, resident_id: &str) -> Result<String> {
    conn.prepare_cached("SELECT household_id FROM residents WHERE id = ?1")?
        .query_row([resident_id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten()
        .ok_or_else(|| Error::not_found(RecordKind::Resident, resident_id))
}

/// A building's appointments: id, start, projected end and whether current.
pub(crate) type HeadRow = (String, Option<String>, Option<String>, bool);

/// Every appointment of a building as projected.
pub(crate) fn head_appointments(conn: &Connection, building_id: &str) -> Result<Vec<HeadRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, starts_on, ends_on, is_current FROM building_heads WHERE building_id = ?1",
        )?
        .query_map([building_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// An appointment's building, grid and start.
pub(crate) fn head_appointment(
    conn: &Connection,
    id: &str,
) -> Result<(String, String, Option<String>)> {
    conn.prepare_cached("SELECT building_id, grid_id, starts_on FROM building_heads WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| Error::not_found(RecordKind::HeadAppointment, id))
}

/// The residents of a household, by id.
pub(crate) fn household_residents(conn: &Connection, household_id: &str) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached("SELECT id FROM residents WHERE household_id = ?1")?
        .query_map(params![household_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}
