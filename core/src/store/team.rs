//! The grid's team as the roster document knows it: `workers` (id, name,
//! role) and `devices` (which CRDT actor belongs to which worker), written
//! by the store itself the first time a device edits a grid (see
//! `Edit::doc`). The conflicts view uses `devices` to say who wrote a value.
//! It also reads the worker's identity as the sync server vouched for it
//! (`meta` keys `vouched_name`, `vouched_role`, `vouched_can_create_grids`,
//! written by the sync side), and merges into `Store::workers` the teams
//! the server keeps (`grid_members`, written by the sync side too).
//! The machinery owns the team because every change's author rests on it;
//! it registers like a record kind (see `registry.rs`).

use automerge::ObjId;
use rusqlite::{OptionalExtension, Transaction, params};

use super::Store;
use super::project::{clear_conflicts, run};
use crate::code_list::CodeList;
use crate::crdt::RecordReader;
use crate::docs::ROSTER;
use crate::error::Result;
use crate::identity::{Worker, WorkerRole};
use crate::kinds::RecordKind;
use crate::registry::DocContext;
use crate::registry::{Collection, Kind};

/// The team's registration: two collections of the roster document.
pub(crate) static KIND: Kind = Kind {
    docs: &[&ROSTER],
    collections: &[
        Collection::records(RecordKind::Worker, "workers", project_worker),
        Collection::records(RecordKind::Worker, "devices", project_device).unreported(),
    ],
    tables: &["workers", "devices"],
    // The worker a device belongs to.
    author_fields: &["worker_id"],
    entry_checks: &[],
    refresh_on_open: None,
};

fn project_worker(tx: &Transaction, ctx: &DocContext, id: &str, obj: Option<ObjId>) -> Result<()> {
    run(
        tx,
        "DELETE FROM workers WHERE grid_id = ?1 AND id = ?2",
        [ctx.grid_id, id],
    )?;
    clear_conflicts(tx, RecordKind::Worker, id)?;
    let Some(obj) = obj else { return Ok(()) };
    let mut r = RecordReader::new(ctx.doc, obj);
    run(
        tx,
        "INSERT INTO workers (grid_id, id, name, role) VALUES (?1, ?2, ?3, ?4)",
        params![ctx.grid_id, id, r.str("name"), r.str("role")],
    )?;
    // A worker's name or role edited on two devices is not worth a review: the winner stands.
    Ok(())
}

fn project_device(
    tx: &Transaction,
    ctx: &DocContext,
    actor: &str,
    obj: Option<ObjId>,
) -> Result<()> {
    run(
        tx,
        "DELETE FROM devices WHERE grid_id = ?1 AND actor = ?2",
        [ctx.grid_id, actor],
    )?;
    let Some(obj) = obj else { return Ok(()) };
    let mut r = RecordReader::new(ctx.doc, obj);
    run(
        tx,
        "INSERT INTO devices (grid_id, actor, worker_id, label) VALUES (?1, ?2, ?3, ?4)",
        params![ctx.grid_id, actor, r.str("worker_id"), r.str("label")],
    )?;
    Ok(())
}

impl Store {
    /// The workers of a grid's team known to this store, by id: those the
    /// sync server says are assigned to the grid and those who wrote in its
    /// roster. For a worker both know, the server's name and role win (the
    /// server vouches for them; the roster keeps what a phone wrote).
    pub fn workers(&self, grid_id: &str) -> Result<Vec<Worker>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT worker_id, name, role FROM grid_members WHERE grid_id = ?1
                     UNION ALL
                     SELECT id, name, role FROM workers w WHERE grid_id = ?1
                       AND NOT EXISTS (SELECT 1 FROM grid_members m
                                       WHERE m.grid_id = ?1 AND m.worker_id = w.id)
                     ORDER BY 1",
                )?
                .query_map([grid_id], |r| {
                    Ok(Worker {
                        id: r.get(0)?,
                        name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        role: CodeList::from_code_or_default(
                            r.get::<_, Option<String>>(2)?.as_deref(),
                        ),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?)
        })
    }
}

/// The `meta` key of the worker's name as the server keeps it.
pub(crate) const VOUCHED_NAME: &str = "vouched_name";
/// The `meta` key of the worker's role code as the server keeps it.
pub(crate) const VOUCHED_ROLE: &str = "vouched_role";
/// The `meta` key of whether the server says the worker may create grids
/// (`1` or `0`).
pub(crate) const VOUCHED_CAN_CREATE_GRIDS: &str = "vouched_can_create_grids";

/// Whether the sync server said, in the last sync that says, that the
/// worker may create grids.
pub(crate) fn vouched_can_create_grids(conn: &rusqlite::Connection) -> Result<Option<bool>> {
    let value: Option<Vec<u8>> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([VOUCHED_CAN_CREATE_GRIDS], |r| r.get(0))
        .optional()?;
    Ok(value.map(|v| v == b"1"))
}

/// The identity the sync server vouched for, kept in `meta` by
/// `Store::apply_sync_response`, if a sync stored one. A role code
/// this build does not know reads as `None`: the store keeps the role it
/// was opened with rather than guess.
pub(crate) fn vouched_identity(
    conn: &rusqlite::Connection,
    worker_id: &str,
) -> Result<Option<Worker>> {
    let mut read = conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
    let mut text = |key: &str| -> Result<Option<String>> {
        let value: Option<Vec<u8>> = read.query_row([key], |r| r.get(0)).optional()?;
        Ok(value.and_then(|bytes| String::from_utf8(bytes).ok()))
    };
    let (Some(name), Some(role)) = (text(VOUCHED_NAME)?, text(VOUCHED_ROLE)?) else {
        return Ok(None);
    };
    Ok(WorkerRole::from_code(&role).map(|role| Worker {
        id: worker_id.to_string(),
        name,
        role,
    }))
}
