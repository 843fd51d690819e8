//! Existence checks on the query tables that edits of every kind need before
//! they write: whether an id exists, which grid a record is in, whether it
//! was retired. Lookups that know a kind's tables live with the kind.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::kinds::RecordKind;

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
