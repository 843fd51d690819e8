//! Projection: turning records of the Automerge documents into rows of the
//! query tables. Local edits, merges and `rebuild` all go through
//! [`project_record`], which is why a rebuild gives exactly the rows the
//! incremental path gave.
//!
//! A record is addressed by its collection (the top-level map of its
//! document) and its key. Projecting deletes the record's rows (main row,
//! child rows and conflict rows) and inserts them again from the document.
//! Values a replica wrote that this build cannot read (wrong type, unknown
//! code) are projected as empty or as the code list's fallback, never as an
//! error, so one bad record cannot block a merge. To project a new
//! collection, add a `project_*` function and a branch in [`project_record`].

use std::collections::BTreeSet;

use automerge::{Automerge, ObjId, ROOT, ReadDoc};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::codes::{CodeList, HouseholdStatus, ResidentStatus};
use crate::crdt::{RecordReader, map_at};
use crate::entries::{self, StoredCheckin, StoredVisit};
use crate::error::{RecordKind, Result};
use crate::sortkey::natural_key;

/// A record to project: its collection and key within one document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RecordRef {
    pub(crate) collection: String,
    pub(crate) key: String,
}

impl RecordRef {
    pub(crate) fn new(collection: &str, key: &str) -> RecordRef {
        RecordRef {
            collection: collection.to_string(),
            key: key.to_string(),
        }
    }
}

/// The context of one document being projected.
pub(crate) struct DocContext<'a> {
    pub(crate) doc: &'a Automerge,
    pub(crate) doc_id: &'a str,
    pub(crate) grid_id: &'a str,
}

/// Re-projects one record: its rows end up exactly as the document says.
pub(crate) fn project_record(tx: &Transaction, ctx: &DocContext, record: &RecordRef) -> Result<()> {
    let key = record.key.as_str();
    let obj = match record.collection.as_str() {
        "grid" => map_at(ctx.doc, &ROOT, "grid"),
        // Entries are single values, read by their own projection.
        "visits" | "checkins" => None,
        collection => map_at(ctx.doc, &ROOT, collection).and_then(|c| map_at(ctx.doc, &c, key)),
    };
    match record.collection.as_str() {
        // Only roster documents hold a grid.
        "grid" if obj.is_none() => Ok(()),
        "grid" => project_grid(tx, ctx, obj),
        "buildings" => project_building(tx, ctx, key, obj),
        "households" => project_household(tx, ctx, key, obj),
        "residents" => project_resident(tx, ctx, key, obj),
        "workers" => project_worker(tx, ctx, key, obj),
        "devices" => project_device(tx, ctx, key, obj),
        "teams" => project_team(tx, ctx, key, obj),
        "visits" => project_visit(tx, ctx, key),
        "shifts" => project_shift(tx, ctx, key, obj),
        "checkins" => project_checkin(tx, ctx, key),
        // Unknown collections come from newer replicas; their data stays in the document.
        _ => Ok(()),
    }
}

/// The query tables, emptied by `rebuild` before it projects every document.
pub(crate) const QUERY_TABLES: &[&str] = &[
    "grids",
    "workers",
    "devices",
    "buildings",
    "households",
    "residents",
    "resident_care",
    "building_heads",
    "visits",
    "patrol_teams",
    "team_members",
    "shifts",
    "shift_members",
    "checkins",
    "conflicts",
];

/// The households of a document whose dwelling is in `building_id`.
pub(crate) fn households_of_building(doc: &Automerge, building_id: &str) -> Vec<String> {
    let Some(households) = map_at(doc, &ROOT, "households") else {
        return Vec::new();
    };
    doc.keys(&households)
        .filter(|key| {
            map_at(doc, &households, key).is_some_and(|h| {
                matches!(doc.get(&h, "building_id"),
                    Ok(Some((automerge::Value::Scalar(v), _))) if v.as_str() == Some(building_id))
            })
        })
        .collect()
}

/// Every record of a document, for `rebuild`.
pub(crate) fn all_records(doc: &Automerge) -> Vec<RecordRef> {
    let mut records = Vec::new();
    if map_at(doc, &ROOT, "grid").is_some() {
        records.push(RecordRef::new("grid", ""));
    }
    for collection in [
        "buildings",
        "households",
        "residents",
        "workers",
        "devices",
        "teams",
        "visits",
        "shifts",
        "checkins",
    ] {
        if let Some(obj) = map_at(doc, &ROOT, collection) {
            records.extend(doc.keys(&obj).map(|key| RecordRef::new(collection, &key)));
        }
    }
    records
}

/// The records that a set of changes wrote to, found from each operation's
/// object path. Patches are not enough: a change that only removes one of
/// several concurrent values leaves the visible value, and so the patches,
/// unchanged while the record's conflicts change.
pub(crate) fn touched_by_changes(
    doc: &Automerge,
    changes: &[automerge::Change],
) -> BTreeSet<RecordRef> {
    use automerge::legacy::{Key, ObjectId};
    let mut touched = BTreeSet::new();
    let mut paths: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for change in changes {
        for op in change.decode().operations {
            let key = match &op.key {
                Key::Map(key) => key.to_string(),
                Key::Seq(_) => String::new(),
            };
            let path = match &op.obj {
                ObjectId::Root => Vec::new(),
                ObjectId::Id(id) => {
                    let name = format!("{}@{}", id.0, id.1.to_hex_string());
                    paths
                        .entry(name.clone())
                        .or_insert_with(|| object_path(doc, &name))
                        .clone()
                }
            };
            match path.as_slice() {
                [] if key == "grid" => {
                    touched.insert(RecordRef::new("grid", ""));
                }
                [] => {}
                [collection, ..] if collection == "grid" => {
                    touched.insert(RecordRef::new("grid", ""));
                }
                [collection] => {
                    touched.insert(RecordRef::new(collection, &key));
                }
                [collection, record, ..] => {
                    touched.insert(RecordRef::new(collection, record));
                }
            }
        }
    }
    touched
}

/// The keys from the root down to an object, or nothing if it is unknown.
fn object_path(doc: &Automerge, obj: &str) -> Vec<String> {
    let Ok(id) = doc.import_obj(obj) else {
        return Vec::new();
    };
    let Ok(parents) = doc.parents(&id) else {
        return Vec::new();
    };
    let mut path: Vec<String> = parents.map(|parent| parent.prop.to_string()).collect();
    path.reverse();
    path
}

/// Runs one statement through the connection's statement cache: projection
/// runs the same few statements for every record.
fn run<P: rusqlite::Params>(tx: &Transaction, sql: &str, params: P) -> Result<usize> {
    Ok(tx.prepare_cached(sql)?.execute(params)?)
}

fn write_conflicts(
    tx: &Transaction,
    ctx: &DocContext,
    kind: RecordKind,
    id: &str,
    conflicts: &[crate::crdt::FieldConflict],
) -> Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO conflicts
           (doc_id, record_kind, record_id, field, op_id, value, actor, at_ms, is_winner)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for conflict in conflicts {
        for value in &conflict.values {
            let (op_id, actor) = match &value.op_id {
                ObjId::Id(counter, actor, _) => {
                    let actor = actor.to_hex_string();
                    (format!("{counter}@{actor}"), actor)
                }
                ObjId::Root => ("root".to_string(), String::new()),
            };
            let at_ms = ctx
                .doc
                .hash_for_opid(&value.op_id)
                .and_then(|hash| ctx.doc.get_change_meta_by_hash(&hash))
                .map(|meta| meta.timestamp);
            insert.execute(params![
                ctx.doc_id,
                kind.as_str(),
                id,
                conflict.field,
                op_id,
                value.value.to_string(),
                actor,
                at_ms,
                value.is_winner,
            ])?;
        }
    }
    Ok(())
}

fn clear_conflicts(tx: &Transaction, kind: RecordKind, id: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM conflicts WHERE record_kind = ?1 AND record_id = ?2")?
        .execute(params![kind.as_str(), id])?;
    Ok(())
}

fn project_grid(tx: &Transaction, ctx: &DocContext, obj: Option<ObjId>) -> Result<()> {
    run(tx, "DELETE FROM grids WHERE id = ?1", [ctx.grid_id])?;
    clear_conflicts(tx, RecordKind::Grid, ctx.grid_id)?;
    let Some(obj) = obj else { return Ok(()) };
    let mut r = RecordReader::new(ctx.doc, obj);
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
    write_conflicts(tx, ctx, RecordKind::Grid, ctx.grid_id, &r.conflicts)
}

fn project_building(
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
    clear_conflicts(tx, RecordKind::Building, id)?;
    let Some(obj) = obj else { return Ok(()) };
    let mut r = RecordReader::new(ctx.doc, obj);
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
    project_heads(tx, ctx, id, &mut r)?;
    write_conflicts(tx, ctx, RecordKind::Building, id, &r.conflicts)
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

/// The household a record's current row points at, before it is re-projected.
fn previous_household(tx: &Transaction, table: &'static str, id: &str) -> Result<Option<String>> {
    let sql = format!("SELECT household_id FROM {table} WHERE id = ?1");
    Ok(tx
        .prepare_cached(&sql)?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Recomputes a household's active member count from the residents table.
fn refresh_member_count(tx: &Transaction, household: Option<&str>) -> Result<()> {
    if let Some(household) = household {
        tx.prepare_cached(
            "UPDATE households SET member_count =
                (SELECT count(*) FROM residents WHERE household_id = ?1 AND status = 'active')
             WHERE id = ?1",
        )?
        .execute([household])?;
    }
    Ok(())
}

/// Recomputes a household's latest visit from the visits table.
fn refresh_last_visit(tx: &Transaction, household: Option<&str>) -> Result<()> {
    if let Some(household) = household {
        tx.prepare_cached(
            "UPDATE households SET
                last_visit_ms = (SELECT at_ms FROM visits WHERE household_id = ?1
                                 ORDER BY at_ms DESC, id DESC LIMIT 1),
                last_visit_offset = (SELECT offset_min FROM visits WHERE household_id = ?1
                                     ORDER BY at_ms DESC, id DESC LIMIT 1)
             WHERE id = ?1",
        )?
        .execute([household])?;
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

fn project_household(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    obj: Option<ObjId>,
) -> Result<()> {
    run(tx, "DELETE FROM households WHERE id = ?1", [id])?;
    clear_conflicts(tx, RecordKind::Household, id)?;
    let Some(obj) = obj else { return Ok(()) };
    let mut r = RecordReader::new(ctx.doc, obj);
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
    write_conflicts(tx, ctx, RecordKind::Household, id, &r.conflicts)
}

fn project_resident(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    obj: Option<ObjId>,
) -> Result<()> {
    let previous = previous_household(tx, "residents", id)?;
    run(tx, "DELETE FROM residents WHERE id = ?1", [id])?;
    run(tx, "DELETE FROM resident_care WHERE resident_id = ?1", [id])?;
    clear_conflicts(tx, RecordKind::Resident, id)?;
    let Some(obj) = obj else {
        return refresh_member_count(tx, previous.as_deref());
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
    refresh_member_count(tx, previous.as_deref())?;
    if previous != household_id {
        refresh_member_count(tx, household_id.as_deref())?;
    }
    write_conflicts(tx, ctx, RecordKind::Resident, id, &r.conflicts)
}

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

fn project_team(tx: &Transaction, ctx: &DocContext, id: &str, obj: Option<ObjId>) -> Result<()> {
    run(tx, "DELETE FROM patrol_teams WHERE id = ?1", [id])?;
    run(tx, "DELETE FROM team_members WHERE team_id = ?1", [id])?;
    clear_conflicts(tx, RecordKind::PatrolTeam, id)?;
    let Some(obj) = obj else { return Ok(()) };
    let mut r = RecordReader::new(ctx.doc, obj);
    run(
        tx,
        "INSERT INTO patrol_teams (id, grid_id, name, retired) VALUES (?1, ?2, ?3, ?4)",
        params![id, ctx.grid_id, r.str("name"), r.sticky_flag("retired")],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO team_members (team_id, member_id, name) VALUES (?1, ?2, ?3)",
    )?;
    for (member_id, member) in r.children("members") {
        let mut m = r.child(member, &format!("members.{member_id}"));
        insert.execute(params![id, member_id, m.str("name")])?;
        r.conflicts.append(&mut m.conflicts);
    }
    write_conflicts(tx, ctx, RecordKind::PatrolTeam, id, &r.conflicts)
}

fn project_visit(tx: &Transaction, ctx: &DocContext, id: &str) -> Result<()> {
    let previous = previous_household(tx, "visits", id)?;
    run(tx, "DELETE FROM visits WHERE id = ?1", [id])?;
    clear_conflicts(tx, RecordKind::Visit, id)?;
    let Some(visits) = map_at(ctx.doc, &ROOT, "visits") else {
        return Ok(());
    };
    let versions = entries::versions(ctx.doc, &visits, id);
    let Some((winner, _)) = versions.last() else {
        return refresh_last_visit(tx, previous.as_deref());
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
    refresh_last_visit(tx, Some(&v.household_id))?;
    if previous.as_deref().is_some_and(|p| p != v.household_id) {
        refresh_last_visit(tx, previous.as_deref())?;
    }
    write_conflicts(
        tx,
        ctx,
        RecordKind::Visit,
        id,
        &entries::field_conflicts(&versions),
    )
}

fn project_shift(tx: &Transaction, ctx: &DocContext, id: &str, obj: Option<ObjId>) -> Result<()> {
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

fn project_checkin(tx: &Transaction, ctx: &DocContext, id: &str) -> Result<()> {
    run(tx, "DELETE FROM checkins WHERE id = ?1", [id])?;
    let Some(checkins) = map_at(ctx.doc, &ROOT, "checkins") else {
        return Ok(());
    };
    let versions = entries::versions(ctx.doc, &checkins, id);
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
