//! The `visits` table: written from the visit entries of the visit
//! documents (keeping each household's latest visit up to date), and read by
//! the visit queries. Columns written and read are side by side here; add a
//! column to both, with its migration.

use automerge::{ObjId, ROOT, ReadDoc};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::{Finding, HouseholdDetail, StoredFinding, StoredVisit, Visit};
use crate::code_list::CodeList;
use crate::crdt::map_at;
use crate::entries;
use crate::error::{Error, Result};
use crate::kinds::RecordKind;
use crate::kinds::roster::query::{
    HOUSEHOLD_COLUMNS, RESIDENT_COLUMNS, household_row, resident_row,
};
use crate::registry::DocContext;
use crate::store::Store;
use crate::store::project::{clear_conflicts, delete_returning_household, write_conflicts};
use crate::store::rows::point;
use crate::validate::Date;
use crate::values::{GpsFix, Timestamp};

pub(super) fn project_visit(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    _obj: Option<ObjId>,
) -> Result<()> {
    let previous = delete_returning_household(tx, "visits", id)?;
    clear_conflicts(tx, RecordKind::Visit, id)?;
    let Some(visits) = map_at(ctx.doc, &ROOT, "visits") else {
        return Ok(());
    };
    let versions = entries::versions(ctx.doc, &visits, id);
    let Some(household) = insert_visit(tx, ctx, id, &versions)? else {
        return refresh_last_visit(tx, ctx, previous.as_deref());
    };
    refresh_last_visit(tx, ctx, Some(&household))?;
    if previous.as_deref().is_some_and(|p| p != household) {
        refresh_last_visit(tx, ctx, previous.as_deref())?;
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
        refresh_last_visit(tx, ctx, Some(&household))?;
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

const VISIT_COLUMNS: &str = "v.id, v.grid_id, v.household_id, v.worker_id, v.at_ms, v.offset_min,
    v.kind, v.outcome, v.notes, v.lon, v.lat, v.accuracy_m, v.seen, v.findings";

fn visit_row(row: &Row) -> rusqlite::Result<Visit> {
    let (residents_seen, findings) = visit_lists(row.get(12)?, row.get(13)?);
    let gps = match (
        point(row.get(9)?, row.get(10)?),
        row.get::<_, Option<f64>>(11)?,
    ) {
        (Some(point), Some(accuracy_m)) => Some(GpsFix { point, accuracy_m }),
        _ => None,
    };
    Ok(Visit {
        id: row.get(0)?,
        grid_id: row.get(1)?,
        household_id: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
        worker_id: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
        at: Timestamp {
            utc_ms: row.get::<_, Option<i64>>(4)?.unwrap_or(0),
            offset_minutes: row
                .get::<_, Option<i64>>(5)?
                .and_then(|o| i32::try_from(o).ok())
                .unwrap_or(0),
        },
        kind: CodeList::from_code_or_default(row.get::<_, Option<String>>(6)?.as_deref()),
        outcome: CodeList::from_code_or_default(row.get::<_, Option<String>>(7)?.as_deref()),
        residents_seen,
        notes: row.get(8)?,
        findings,
        gps,
    })
}

/// The residents seen and the findings of a visit, stored as JSON lists.
fn visit_lists(seen: Option<String>, findings: Option<String>) -> (Vec<String>, Vec<Finding>) {
    let seen = seen
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    let stored: Vec<StoredFinding> = findings
        .and_then(|f| serde_json::from_str(&f).ok())
        .unwrap_or_default();
    let findings = stored
        .into_iter()
        .map(|f| Finding {
            id: f.id,
            kind: CodeList::from_code_or_default(Some(&f.kind)),
            text: f.text,
            resolution: CodeList::from_code_or_default(Some(&f.resolution)),
        })
        .collect();
    (seen, findings)
}

/// Recomputes a household's latest visit from the visits table (and notes
/// the household as changed, so that its screens hear of the visit).
fn refresh_last_visit(tx: &Transaction, ctx: &DocContext, household: Option<&str>) -> Result<()> {
    if let Some(household) = household {
        ctx.note(RecordKind::Household, household);
        tx.prepare_cached(
            "UPDATE households SET (last_visit_ms, last_visit_offset) =
                (SELECT at_ms, offset_min FROM visits WHERE household_id = ?1
                 ORDER BY at_ms DESC, id DESC LIMIT 1)
             WHERE id = ?1",
        )?
        .execute([household])?;
    }
    Ok(())
}

impl Store {
    /// A household with all its residents (ID numbers and phones masked)
    /// and its visits, newest first.
    pub fn household(&self, household_id: &str) -> Result<HouseholdDetail> {
        self.read(|conn| {
            let household = conn
                .prepare_cached(&format!(
                    "SELECT {HOUSEHOLD_COLUMNS} FROM households h WHERE h.id = ?1"
                ))?
                .query_row([household_id], household_row)
                .optional()?
                .ok_or_else(|| Error::not_found(RecordKind::Household, household_id))?;
            let members = conn
                .prepare_cached(&format!(
                    "SELECT {RESIDENT_COLUMNS} FROM residents r WHERE r.household_id = ?1
                     ORDER BY r.status <> 'active', r.relation, r.birth_date, r.id"
                ))?
                .query_map([household_id], |row| resident_row(row).map(|r| r.masked()))?
                .collect::<rusqlite::Result<_>>()?;
            let visits: Vec<Visit> = conn
                .prepare_cached(&format!(
                    "SELECT {VISIT_COLUMNS} FROM visits v WHERE v.household_id = ?1 ORDER BY v.at_ms DESC, v.id"
                ))?
                .query_map([household_id], visit_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(HouseholdDetail { household, members, visits })
        })
    }

    /// A worker's visits whose local date is within `from..=to`, oldest first.
    pub fn visits_by_worker(&self, worker_id: &str, from: Date, to: Date) -> Result<Vec<Visit>> {
        // Local dates differ from UTC by at most 14 hours: widen, then filter exactly.
        let start = (from.days_since_epoch() - 1) * 86_400_000;
        let end = (to.days_since_epoch() + 2) * 86_400_000;
        self.read(|conn| {
            let visits: Vec<Visit> = conn
                .prepare_cached(&format!(
                    "SELECT {VISIT_COLUMNS} FROM visits v
                     WHERE v.worker_id = ?1 AND v.at_ms >= ?2 AND v.at_ms < ?3
                       AND v.local_date >= ?4 AND v.local_date <= ?5
                     ORDER BY v.at_ms, v.id"
                ))?
                .query_map(
                    params![worker_id, start, end, from.to_string(), to.to_string()],
                    visit_row,
                )?
                .collect::<rusqlite::Result<_>>()?;
            Ok(visits)
        })
    }
}
