//! Projection of the roster's collections: the grid, buildings with their
//! head appointments, households and residents. Each function deletes a
//! record's rows and inserts them again from the document; add one here for
//! a new roster collection and list it in the roster's `KIND`.

use std::collections::BTreeSet;

use automerge::{Automerge, ObjId, ROOT, ReadDoc};
use rusqlite::{Transaction, params};

use super::{HouseholdStatus, ResidentStatus};
use crate::code_list::CodeList;
use crate::crdt::{RecordReader, map_at};
use crate::error::Result;
use crate::kinds::RecordKind;
use crate::registry::{DocContext, RecordRef};
use crate::sortkey::natural_key;
use crate::store::project::{
    clear_conflicts, delete_returning_household, reinsert, run, write_conflicts,
};

pub(super) fn project_grid(
    tx: &Transaction,
    ctx: &DocContext,
    _key: &str,
    obj: Option<ObjId>,
) -> Result<()> {
    run(tx, "DELETE FROM grids WHERE id = ?1", [ctx.grid_id])?;
    reinsert(tx, ctx, RecordKind::Grid, ctx.grid_id, obj, |r| {
        let code = r.str("code");
        if code.is_none() {
            // The genesis map exists before the grid's first edit arrives.
            return Ok(());
        }
        run(
            tx,
            "INSERT INTO grids (id, code, name, community, street, boundary, retired)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                ctx.grid_id,
                code,
                r.str("name"),
                r.str("community"),
                r.str("street"),
                r.str("boundary"),
                r.sticky_flag("retired"),
            ],
        )?;
        Ok(())
    })
}

pub(super) fn project_building(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    obj: Option<ObjId>,
) -> Result<()> {
    run(tx, "DELETE FROM buildings WHERE id = ?1", [id])?;
    run(
        tx,
        "DELETE FROM building_heads WHERE building_id = ?1",
        [id],
    )?;
    reinsert(tx, ctx, RecordKind::Building, id, obj, |r| {
        let number = r.str("number").unwrap_or_default();
        run(tx,
            "INSERT INTO buildings (id, grid_id, number, sort_key, estate, units, floors, lon, lat, retired)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                id,
                ctx.grid_id,
                number,
                natural_key(&number),
                r.str("estate"),
                r.int("units"),
                r.int("floors"),
                r.float("lon"),
                r.float("lat"),
                r.sticky_flag("retired"),
            ],
        )?;
        project_heads(tx, ctx, id, r)?;
        Ok(())
    })
}

struct HeadRow {
    id: String,
    resident_id: Option<String>,
    volunteer_name: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    appointed_by: Option<String>,
    appointed_at: Option<i64>,
}

/// Building heads. Rule: of the appointments without an explicit end, the one
/// with the latest start is current (ties: the later appointment, then the
/// larger id); every other open appointment ends where the next one starts.
/// Two coordinators appointing different heads offline therefore converge on
/// one current head, and the other appointment is kept in the history and
/// listed as a conflict of the building's `heads`.
fn project_heads(
    tx: &Transaction,
    ctx: &DocContext,
    building_id: &str,
    building: &mut RecordReader,
) -> Result<()> {
    let mut rows = Vec::new();
    let mut objects = Vec::new();
    for (key, obj) in building.children("heads") {
        objects.push(obj.clone());
        let mut r = building.child(obj, &format!("heads.{key}"));
        rows.push(HeadRow {
            id: key,
            resident_id: r.str("resident_id"),
            volunteer_name: r.str("volunteer_name"),
            starts_on: r.str("starts_on"),
            ends_on: r.str("ends_on"),
            appointed_by: r.str("appointed_by"),
            appointed_at: r.int("appointed_at"),
        });
        building.conflicts.append(&mut r.conflicts);
    }
    let mut open: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].ends_on.is_none())
        .collect();
    open.sort_by(|&a, &b| {
        let key = |row: &HeadRow| (row.starts_on.clone(), row.appointed_at, row.id.clone());
        key(&rows[a]).cmp(&key(&rows[b]))
    });
    let current = open.last().copied();
    // Each superseded open appointment ends where the next open one starts.
    for pair in open.windows(2) {
        if let [earlier, later] = pair {
            let next_start = rows[*later].starts_on.clone();
            rows[*earlier].ends_on = next_start;
        }
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO building_heads (id, grid_id, building_id, resident_id, volunteer_name,
            starts_on, ends_on, is_current, appointed_by, appointed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (index, row) in rows.iter().enumerate() {
        insert.execute(params![
            row.id,
            ctx.grid_id,
            building_id,
            row.resident_id,
            row.volunteer_name,
            row.starts_on,
            row.ends_on,
            Some(index) == current,
            row.appointed_by,
            row.appointed_at,
        ])?;
    }
    // Concurrent open appointments are one review item: list each of them.
    if open.len() > 1 {
        let values = open
            .iter()
            .map(|&index| {
                let row = &rows[index];
                crate::crdt::ConflictValue {
                    // The appointment's map object: who created it and when.
                    op_id: objects[index].clone(),
                    value: serde_json::json!({
                        "appointment_id": row.id,
                        "resident_id": row.resident_id,
                        "volunteer_name": row.volunteer_name,
                        "starts_on": row.starts_on,
                        "appointed_by": row.appointed_by,
                        "appointed_at": row.appointed_at,
                    }),
                    is_winner: Some(index) == current,
                }
            })
            .collect();
        building.conflicts.push(crate::crdt::FieldConflict {
            field: "heads".to_string(),
            values,
        });
    }
    Ok(())
}

fn household_status_rank(code: &str) -> u8 {
    // Moving out wins over a concurrent edit that still saw the household active.
    match HouseholdStatus::from_code(code) {
        Some(HouseholdStatus::MovedOut) => 1,
        _ => 0,
    }
}

fn resident_status_rank(code: &str) -> u8 {
    match ResidentStatus::from_code(code) {
        Some(ResidentStatus::Deceased) => 2,
        Some(ResidentStatus::MovedOut) => 1,
        _ => 0,
    }
}

pub(super) fn project_household(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    obj: Option<ObjId>,
) -> Result<()> {
    run(tx, "DELETE FROM households WHERE id = ?1", [id])?;
    reinsert(tx, ctx, RecordKind::Household, id, obj, |r| {
        let building_id = r.str("building_id");
        let unit = r.str("unit").unwrap_or_default();
        let room = r.str("room").unwrap_or_default();
        let floor = r.int("floor");
        let status = HouseholdStatus::from_code_or_default(
            r.ranked_str("status", household_status_rank).as_deref(),
        );
        let tags: Vec<String> = r.key_set("tags").into_iter().collect();
        let (number, estate): (Option<String>, Option<String>) = match &building_id {
            Some(building) => map_at(ctx.doc, &ROOT, "buildings")
                .and_then(|b| map_at(ctx.doc, &b, building))
                .map(|b| {
                    let mut br = RecordReader::new(ctx.doc, b);
                    (br.str("number"), br.str("estate"))
                })
                .unwrap_or((None, None)),
            None => (None, None),
        };
        let address = format!(
            "{}{}{}单元{}室",
            estate.unwrap_or_default(),
            number.as_deref().unwrap_or_default(),
            unit,
            room
        );
        let building_key = natural_key(number.as_deref().unwrap_or_default());
        tx.prepare_cached(
            "INSERT INTO households (id, grid_id, building_id, unit, unit_key, floor, room, room_key,
                use_kind, status, tags, lon, lat, notes, head_id, address_text,
                building_number, building_key, member_count, last_visit_ms, last_visit_offset)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                (SELECT count(*) FROM residents WHERE household_id = ?1 AND status = 'active'),
                (SELECT at_ms FROM visits WHERE household_id = ?1 ORDER BY at_ms DESC, id DESC LIMIT 1),
                (SELECT offset_min FROM visits WHERE household_id = ?1 ORDER BY at_ms DESC, id DESC LIMIT 1))",
        )?
        .execute(params![
                id,
                ctx.grid_id,
                building_id,
                unit,
                natural_key(&unit),
                floor,
                room,
                natural_key(&room),
                r.str("use_kind"),
                status.code(),
                tags.join(","),
                r.float("lon"),
                r.float("lat"),
                r.str("notes"),
                r.str("head_id"),
                address,
                number,
                building_key,
            ])?;
        Ok(())
    })
}

pub(super) fn project_resident(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    obj: Option<ObjId>,
) -> Result<()> {
    let previous = delete_returning_household(tx, "residents", id)?;
    run(tx, "DELETE FROM resident_care WHERE resident_id = ?1", [id])?;
    clear_conflicts(tx, RecordKind::Resident, id)?;
    let Some(obj) = obj else {
        return refresh_member_count(tx, ctx, previous.as_deref());
    };
    let mut r = RecordReader::new(ctx.doc, obj);
    let household_id = r.str("household_id");
    let status = ResidentStatus::from_code_or_default(
        r.ranked_str("status", resident_status_rank).as_deref(),
    );
    run(
        tx,
        "INSERT INTO residents (id, grid_id, household_id, name, gender, birth_date, id_number,
            phones, relation, registration, residence_state, moved_in, moved_out, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            id,
            ctx.grid_id,
            household_id,
            r.str("name"),
            r.str("gender"),
            r.str("birth_date"),
            r.str("id_number"),
            r.str("phones"),
            r.str("relation"),
            r.str("registration"),
            r.str("residence_state"),
            r.str("moved_in"),
            r.str("moved_out"),
            status.code(),
        ],
    )?;
    let mut care = tx.prepare_cached(
        "INSERT INTO resident_care (resident_id, category, grid_id) VALUES (?1, ?2, ?3)",
    )?;
    for category in r.key_set("care") {
        care.execute(params![id, category, ctx.grid_id])?;
    }
    refresh_member_count(tx, ctx, previous.as_deref())?;
    if previous != household_id {
        refresh_member_count(tx, ctx, household_id.as_deref())?;
    }
    write_conflicts(tx, ctx, RecordKind::Resident, id, &r.conflicts)
}

/// The households of a document whose dwelling is in one of `building_ids`:
/// their address text comes from the building. One pass over the households.
pub(super) fn households_of_building(
    doc: &Automerge,
    building_ids: &BTreeSet<&str>,
) -> Vec<RecordRef> {
    let Some(households) = map_at(doc, &ROOT, "households") else {
        return Vec::new();
    };
    doc.keys(&households)
        .filter(|key| {
            map_at(doc, &households, key).is_some_and(|h| {
                matches!(doc.get(&h, "building_id"),
                    Ok(Some((automerge::Value::Scalar(v), _)))
                        if v.as_str().is_some_and(|b| building_ids.contains(b)))
            })
        })
        .map(|key| RecordRef::new("households", &key))
        .collect()
}

/// Recomputes a household's active member count from the residents table
/// (and notes the household as changed: its detail lists its residents).
fn refresh_member_count(tx: &Transaction, ctx: &DocContext, household: Option<&str>) -> Result<()> {
    if let Some(household) = household {
        ctx.note(RecordKind::Household, household);
        tx.prepare_cached(
            "UPDATE households SET member_count =
                (SELECT count(*) FROM residents WHERE household_id = ?1 AND status = 'active')
             WHERE id = ?1",
        )?
        .execute([household])?;
    }
    Ok(())
}
