//! Projection of the time-partitioned documents: visits (entries), patrol
//! shifts and check-ins (entries). Add a function here for a new collection
//! of those documents.

use automerge::{ObjId, ROOT, ReadDoc};
use rusqlite::{Transaction, params};

use super::{
    DocContext, clear_conflicts, delete_returning_household, refresh_last_visit, run,
    write_conflicts,
};
use crate::crdt::{RecordReader, map_at};
use crate::entries::{self, StoredCheckin, StoredVisit};
use crate::error::{RecordKind, Result};

pub(super) fn project_visit(tx: &Transaction, ctx: &DocContext, id: &str) -> Result<()> {
    let previous = delete_returning_household(tx, "visits", id)?;
    clear_conflicts(tx, RecordKind::Visit, id)?;
    let Some(visits) = map_at(ctx.doc, &ROOT, "visits") else {
        return Ok(());
    };
    let versions = entries::versions(ctx.doc, &visits, id);
    let Some(household) = insert_visit(tx, ctx, id, &versions)? else {
        return refresh_last_visit(tx, previous.as_deref());
    };
    refresh_last_visit(tx, Some(&household))?;
    if previous.as_deref().is_some_and(|p| p != household) {
        refresh_last_visit(tx, previous.as_deref())?;
    }
    Ok(())
}

/// Projects every visit of a document none of whose visits has rows yet (a
/// rebuild, or a document received whole): one pass over the entries,
/// conflicts read only where the range says there are some, and each
/// household's last visit refreshed once at the end.
pub(super) fn project_all_visits(
    tx: &Transaction,
    ctx: &DocContext,
    visits: &ObjId,
) -> Result<usize> {
    let mut households = std::collections::BTreeSet::new();
    let mut count = 0;
    for item in ctx.doc.map_range(visits, ..) {
        count += 1;
        let versions = if item.conflict {
            entries::versions(ctx.doc, visits, &item.key)
        } else {
            entries::single_version(&item.value, item.id())
        };
        if let Some(household) = insert_visit(tx, ctx, &item.key, &versions)? {
            households.insert(household);
        }
    }
    for household in households {
        refresh_last_visit(tx, Some(&household))?;
    }
    Ok(count)
}

/// Inserts a visit's row and conflicts from its versions; returns its household.
fn insert_visit(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    versions: &[(serde_json::Map<String, serde_json::Value>, ObjId)],
) -> Result<Option<String>> {
    let Some((winner, _)) = versions.last() else {
        return Ok(None);
    };
    let v: StoredVisit = entries::decode(winner);
    let local_date = crate::validate::utc_offset_minutes(v.offset_min)
        .ok()
        .map(|offset| crate::validate::Date::from_unix_millis(v.at_ms, offset).to_string());
    let gps = v.gps.filter(|g| g.iter().all(|x| x.is_finite()));
    // Canonical order, so that every replica and a rebuild store the same text.
    let seen: std::collections::BTreeSet<&String> = v.seen.iter().collect();
    let mut findings = v.findings.clone();
    findings.sort_by(|a, b| a.id.cmp(&b.id));
    findings.dedup_by(|a, b| a.id == b.id);
    tx.prepare_cached(
        "INSERT INTO visits (id, doc_id, grid_id, household_id, worker_id, at_ms, offset_min,
            local_date, kind, outcome, notes, lon, lat, accuracy_m, seen, findings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        id,
        ctx.doc_id,
        ctx.grid_id,
        v.household_id,
        v.worker_id,
        v.at_ms,
        v.offset_min,
        local_date,
        v.kind,
        v.outcome,
        v.notes,
        gps.map(|g| g[0]),
        gps.map(|g| g[1]),
        gps.map(|g| g[2]),
        entries::encode(&seen)?,
        entries::encode(&findings)?,
    ])?;
    write_conflicts(
        tx,
        ctx,
        RecordKind::Visit,
        id,
        &entries::field_conflicts(versions),
    )?;
    Ok(Some(v.household_id))
}

pub(super) fn project_shift(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    obj: Option<ObjId>,
) -> Result<()> {
    run(tx, "DELETE FROM shifts WHERE id = ?1", [id])?;
    run(tx, "DELETE FROM shift_members WHERE shift_id = ?1", [id])?;
    clear_conflicts(tx, RecordKind::Shift, id)?;
    let Some(obj) = obj else { return Ok(()) };
    let mut r = RecordReader::new(ctx.doc, obj);
    let route = r
        .str("route")
        .filter(|route| serde_json::from_str::<Vec<String>>(route).is_ok())
        .unwrap_or_else(|| "[]".to_string());
    run(
        tx,
        "INSERT INTO shifts (id, doc_id, grid_id, team_id, date, starts, ends, route, retired)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            ctx.doc_id,
            ctx.grid_id,
            r.str("team_id"),
            r.str("date"),
            r.str("starts"),
            r.str("ends"),
            route,
            r.sticky_flag("retired"),
        ],
    )?;
    let mut member =
        tx.prepare_cached("INSERT INTO shift_members (shift_id, member_id) VALUES (?1, ?2)")?;
    for member_id in r.key_set("members") {
        member.execute(params![id, member_id])?;
    }
    write_conflicts(tx, ctx, RecordKind::Shift, id, &r.conflicts)
}

pub(super) fn project_checkin(tx: &Transaction, ctx: &DocContext, id: &str) -> Result<()> {
    run(tx, "DELETE FROM checkins WHERE id = ?1", [id])?;
    let Some(checkins) = map_at(ctx.doc, &ROOT, "checkins") else {
        return Ok(());
    };
    insert_checkin(tx, ctx, id, &entries::versions(ctx.doc, &checkins, id))
}

/// Projects every check-in of a document none of whose check-ins has rows yet.
pub(super) fn project_all_checkins(
    tx: &Transaction,
    ctx: &DocContext,
    checkins: &ObjId,
) -> Result<usize> {
    let mut count = 0;
    for item in ctx.doc.map_range(checkins, ..) {
        count += 1;
        let versions = if item.conflict {
            entries::versions(ctx.doc, checkins, &item.key)
        } else {
            entries::single_version(&item.value, item.id())
        };
        insert_checkin(tx, ctx, &item.key, &versions)?;
    }
    Ok(count)
}

fn insert_checkin(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    versions: &[(serde_json::Map<String, serde_json::Value>, ObjId)],
) -> Result<()> {
    let Some((winner, _)) = versions.last() else {
        return Ok(());
    };
    let c: StoredCheckin = entries::decode(winner);
    let gps = c.gps.filter(|g| g.iter().all(|x| x.is_finite()));
    tx.prepare_cached(
        "INSERT INTO checkins (id, doc_id, grid_id, shift_id, member_id, at_ms, offset_min,
            checkpoint, lon, lat, accuracy_m)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        id,
        ctx.doc_id,
        ctx.grid_id,
        c.shift_id,
        c.member_id,
        c.at_ms,
        c.offset_min,
        c.checkpoint,
        gps.map(|g| g[0]),
        gps.map(|g| g[1]),
        gps.map(|g| g[2]),
    ])?;
    // Check-ins are written once and never amended.
    Ok(())
}
