//! Grids the sync server refused for this worker, on the phone: the
//! quarantine that keeps their unsent changes (held, never lost), what the
//! app is shown ([`BlockedGrid`] in `Store::sync_status`), and the two ways
//! out (`schema/sync-protocol.md`, "Refused grids"):
//!
//! - hold, the default: nothing to do. The held changes go out by themselves
//!   in the sync after the server lifts the refusal ([`release_quarantines`],
//!   called by the response's transaction in `device.rs`);
//! - discard, deliberate and audited: `Store::discard_quarantined_grid`
//!   with the [`DiscardConfirmation`] the status gave, which removes the
//!   grid's held changes and its documents and rows from the store (the
//!   worker no longer holds the grid) and records a [`DiscardedGrid`].
//!
//! Nothing here runs implicitly: only a response quarantines or releases a
//! grid, only the app discards one. To add a way out, give it a typed
//! confirmation read from the status, refuse a stale one with a typed error
//! before anything changes, and record it in `discarded_grids` (or a new
//! audit table in a numbered migration).

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::grids::GridRefusal;
use super::wire::SyncResponse;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::values::now_ms;

/// The SQL condition, on an outbox row aliased `o`, that it belongs to a
/// quarantined grid: such a row is held, neither pushed nor acknowledged.
pub(crate) const HELD: &str = "o.doc_id IN (SELECT d.doc_id FROM docs d
     JOIN quarantined_grids q ON q.grid_id = d.grid_id)";

/// A grid the sync server refused for this worker, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BlockedGrid {
    /// The grid (a UUID).
    pub grid_id: String,
    /// Why the server refused it.
    pub reason: GridRefusal,
    /// When the server first refused it (UTC milliseconds).
    pub since_ms: i64,
    /// The changes written here in this grid that wait for the refusal to
    /// be lifted (edits made since are held too).
    pub held_changes: i64,
    /// Their size in bytes.
    pub held_bytes: i64,
    /// What to pass to `Store.discardQuarantinedGrid` to discard exactly
    /// these changes and the grid's data (after asking the user).
    pub confirmation: DiscardConfirmation,
}

/// The app's confirmation that the user agreed to discard a blocked grid:
/// the grid and the exact number of held changes the user was shown. A
/// confirmation that no longer matches the store is refused
/// (`StaleConfirmation`), so a discard never drops more than was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DiscardConfirmation {
    /// The grid to discard (a UUID).
    pub grid_id: String,
    /// The number of held changes the user agreed to discard.
    pub held_changes: i64,
}

/// One discard, as the store's audit records it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DiscardedGrid {
    /// The grid discarded (a UUID).
    pub grid_id: String,
    /// The worker whose store discarded it (this store's).
    pub worker_id: String,
    /// When (UTC milliseconds).
    pub at_ms: i64,
    /// The held changes it dropped, never sent to the server.
    pub changes: i64,
    /// The refusal that led to it.
    pub reason: GridRefusal,
}

impl Store {
    /// Discards a grid the sync server refused: removes its held changes,
    /// its documents and every row of it from this store, forgets its
    /// server cursor, and records who discarded it, when, how many changes
    /// and why (`Store.discardedGrids`). `confirmation` must be the one the
    /// current sync status gives for the grid: a grid that is not blocked
    /// fails with `GridNotBlocked`, a confirmation for another grid or
    /// another number of held changes with `StaleConfirmation`; either way
    /// nothing changes. The server still has what other workers wrote in the
    /// grid: if it is assigned to this worker again, the next sync brings it.
    pub fn discard_quarantined_grid(
        &self,
        grid_id: &str,
        confirmation: &DiscardConfirmation,
    ) -> Result<DiscardedGrid> {
        let worker_id = self.identity().worker_id.clone();
        self.write(|edit| {
            let reason: Option<String> = edit
                .tx
                .prepare_cached("SELECT reason FROM quarantined_grids WHERE grid_id = ?1")?
                .query_row([grid_id], |r| r.get(0))
                .optional()?;
            let Some(reason) = reason else {
                return Err(Error::GridNotBlocked {
                    grid_id: grid_id.to_string(),
                });
            };
            let (held, _) = held_in(edit.tx, grid_id)?;
            if confirmation.grid_id != grid_id || confirmation.held_changes != held {
                return Err(Error::StaleConfirmation {
                    grid_id: grid_id.to_string(),
                    confirmed: confirmation.held_changes,
                    held,
                });
            }
            edit.tx.execute(
                "DELETE FROM outbox WHERE doc_id IN (SELECT doc_id FROM docs WHERE grid_id = ?1)",
                [grid_id],
            )?;
            for table in ["sync_cursors", "quarantined_grids", "grid_members"] {
                edit.tx.execute(
                    &format!("DELETE FROM {table} WHERE grid_id = ?1"),
                    [grid_id],
                )?;
            }
            // The rebuild inside tells live queries that every record may
            // have changed; the outbox changed too.
            edit.forget_grid(grid_id)?;
            edit.sync_state_changed();
            let at_ms = now_ms();
            edit.tx.execute(
                "INSERT INTO discarded_grids (grid_id, worker_id, at_ms, changes, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![grid_id, worker_id, at_ms, held, reason],
            )?;
            Ok(DiscardedGrid {
                grid_id: grid_id.to_string(),
                worker_id: worker_id.clone(),
                at_ms,
                changes: held,
                reason: refusal(&reason),
            })
        })
    }

    /// Every grid discarded from this store, oldest first.
    pub fn discarded_grids(&self) -> Result<Vec<DiscardedGrid>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT grid_id, worker_id, at_ms, changes, reason FROM discarded_grids
                     ORDER BY seq",
                )?
                .query_map([], |r| {
                    Ok(DiscardedGrid {
                        grid_id: r.get(0)?,
                        worker_id: r.get(1)?,
                        at_ms: r.get(2)?,
                        changes: r.get(3)?,
                        reason: refusal(&r.get::<_, String>(4)?),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?)
        })
    }
}

/// A stored refusal code. Only [`GridRefusal::code`]s are written; another
/// value (a hand-edited file) reads as the reason that lifts by assignment.
fn refusal(code: &str) -> GridRefusal {
    GridRefusal::from_code(code).unwrap_or(GridRefusal::NotAssigned)
}

/// The quarantined grids and their reasons.
pub(crate) fn quarantined_grids(conn: &Connection) -> Result<BTreeMap<String, GridRefusal>> {
    Ok(conn
        .prepare_cached("SELECT grid_id, reason FROM quarantined_grids")?
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, String>(1)?)))?
        .map(|row| row.map(|(grid, code): (String, String)| (grid, refusal(&code))))
        .collect::<rusqlite::Result<_>>()?)
}

/// The held changes of one grid and their bytes.
fn held_in(conn: &Connection, grid_id: &str) -> Result<(i64, i64)> {
    let (count, bytes): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(length(coalesce(o.bytes, c.bytes))), 0)
             FROM outbox o LEFT JOIN chunks c ON c.seq = o.chunk_seq
             WHERE o.doc_id IN (SELECT doc_id FROM docs WHERE grid_id = ?1)",
        )?
        .query_row([grid_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((count, bytes))
}

/// All held changes.
pub(crate) fn held_changes(conn: &Connection) -> Result<i64> {
    let count: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM outbox o WHERE {HELD}"))?
        .query_row([], |r| r.get(0))?;
    Ok(count)
}

/// The blocked grids, by grid id, with their held changes.
pub(crate) fn blocked_grids(conn: &Connection) -> Result<Vec<BlockedGrid>> {
    let rows: Vec<(String, String, i64)> = conn
        .prepare_cached("SELECT grid_id, reason, since_ms FROM quarantined_grids ORDER BY grid_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|(grid_id, reason, since_ms)| {
            let (held_changes, held_bytes) = held_in(conn, &grid_id)?;
            Ok(BlockedGrid {
                confirmation: DiscardConfirmation {
                    grid_id: grid_id.clone(),
                    held_changes,
                },
                grid_id,
                reason: refusal(&reason),
                since_ms,
                held_changes,
                held_bytes,
            })
        })
        .collect()
}

/// Lifts the quarantines the server no longer stands by: a grid it lists
/// among the worker's teams (assigned again), and, when it says the worker
/// may create grids, every grid refused for that. Returns how many were
/// lifted (their held changes go in the next request).
pub(crate) fn release_quarantines(tx: &Transaction, response: &SyncResponse) -> Result<usize> {
    let mut released = 0;
    let mut lift = tx.prepare_cached("DELETE FROM quarantined_grids WHERE grid_id = ?1")?;
    for team in &response.teams {
        released += lift.execute([&team.grid_id])?;
    }
    if response
        .identity
        .as_ref()
        .is_some_and(|i| i.can_create_grids)
    {
        released += tx
            .prepare_cached("DELETE FROM quarantined_grids WHERE reason = ?1")?
            .execute([GridRefusal::MayNotCreate.code()])?;
    }
    Ok(released)
}

/// Replaces the teams kept from the last sync with the response's.
pub(crate) fn keep_teams(tx: &Transaction, response: &SyncResponse) -> Result<()> {
    tx.execute("DELETE FROM grid_members", [])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO grid_members (grid_id, worker_id, name, role)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for team in &response.teams {
        for member in &team.workers {
            insert.execute(params![
                team.grid_id,
                member.worker_id,
                member.name,
                member.role
            ])?;
        }
    }
    Ok(())
}
