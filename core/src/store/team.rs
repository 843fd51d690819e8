//! The grid's team as the roster document knows it: `workers` (id, name,
//! role) and `devices` (which CRDT actor belongs to which worker), written
//! by the store itself the first time a device edits a grid (see
//! `Edit::doc`). The conflicts view uses `devices` to say who wrote a value.
//! The machinery owns the team because every change's author rests on it;
//! it registers like a record kind (see `registry.rs`).

use automerge::ObjId;
use rusqlite::{Transaction, params};

use super::Store;
use super::project::{clear_conflicts, run};
use crate::code_list::CodeList;
use crate::crdt::RecordReader;
use crate::docs::ROSTER;
use crate::error::Result;
use crate::identity::Worker;
use crate::kinds::RecordKind;
use crate::registry::DocContext;
use crate::registry::{Collection, Kind};

/// The team's registration: two collections of the roster document.
pub(crate) static KIND: Kind = Kind {
    docs: &[&ROSTER],
    collections: &[
        Collection::records("workers", project_worker),
        Collection::records("devices", project_device),
    ],
    tables: &["workers", "devices"],
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
    /// The workers of a grid's team known to this store.
    pub fn workers(&self, grid_id: &str) -> Result<Vec<Worker>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, name, role FROM workers WHERE grid_id = ?1 ORDER BY id",
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
