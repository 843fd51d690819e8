//! The `reveal_log` table written from the grid's audit document, and the
//! list the grid head reads. An entry whose subject or purpose this build
//! does not know is projected with the list's fallback, so a newer phone's
//! reveal is still listed; one without a worker or a time is left out.

use automerge::ObjId;
use rusqlite::{Row, Transaction, params};

use super::{PrivacyAction, RevealEntry, RevealPurpose, RevealSubject, StoredReveal};
use crate::code_list::CodeList;
use crate::error::Result;
use crate::registry::DocContext;
use crate::store::Store;
use crate::store::project::{project_all_entries_with, project_entry_by_key};

pub(super) fn project_reveal(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    _obj: Option<ObjId>,
) -> Result<()> {
    let delete = "DELETE FROM reveal_log WHERE grid_id = ?1 AND id = ?2";
    project_entry_by_key(tx, ctx, "reveals", id, delete, insert_reveal)
}

pub(super) fn project_all_reveals(
    tx: &Transaction,
    ctx: &DocContext,
    map: &ObjId,
) -> Result<usize> {
    project_all_entries_with(tx, ctx, map, insert_reveal)
}

fn insert_reveal(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    stored: &StoredReveal,
) -> Result<()> {
    if stored.recorded_by.is_empty() || stored.at_ms <= 0 {
        return Ok(());
    }
    let subject = RevealSubject::from_code_or_default(Some(&stored.subject));
    let purpose = RevealPurpose::from_code_or_default(Some(&stored.purpose));
    tx.prepare_cached(
        "INSERT INTO reveal_log (id, doc_id, grid_id, subject, resident_id, template_id, rows,
             fields, purpose, note, at_ms, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        id,
        ctx.doc_id,
        ctx.grid_id,
        subject.code(),
        stored.resident_id,
        stored.template_id,
        stored.rows,
        stored.fields.join(","),
        purpose.code(),
        stored.note,
        stored.at_ms,
        stored.recorded_by,
    ])?;
    Ok(())
}

fn reveal_row(row: &Row) -> rusqlite::Result<RevealEntry> {
    let fields: String = row.get(7)?;
    Ok(RevealEntry {
        id: row.get(0)?,
        subject: RevealSubject::from_code_or_default(Some(&row.get::<_, String>(1)?)),
        resident_id: row.get(2)?,
        template_id: row.get(3)?,
        rows: row.get(4)?,
        fields: fields
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect(),
        purpose: RevealPurpose::from_code_or_default(Some(&row.get::<_, String>(5)?)),
        note: row.get(6)?,
        recorded_by: row.get(8)?,
        at_ms: row.get(9)?,
    })
}

impl Store {
    /// The grid's reveal log, newest first: every time a worker of the team
    /// saw a resident's full ID number and phones or exported unmasked, as
    /// far as this phone has synced. Only the grid head may read it
    /// (`PrivacyRoleMayNot` otherwise); an unknown grid is `NotFound`.
    pub fn reveal_log(&self, grid_id: &str) -> Result<Vec<RevealEntry>> {
        self.require_privacy_role(PrivacyAction::ReadRevealLog)?;
        self.read(|conn| {
            crate::store::lookup::grid_of(conn, crate::kinds::RecordKind::Grid, "grids", grid_id)?;
            Ok(conn
                .prepare_cached(
                    "SELECT id, subject, resident_id, template_id, rows, purpose, note, fields,
                            recorded_by, at_ms
                     FROM reveal_log WHERE grid_id = ?1 ORDER BY at_ms DESC, id",
                )?
                .query_map([grid_id], reveal_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }
}
