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
//! collection, add a `project_*` function in `roster.rs` (map records) or
//! `logs.rs` (visits and patrols) and a branch in [`project_record`].

use std::collections::BTreeSet;

use automerge::{Automerge, ObjId, ROOT, ReadDoc};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::crdt::map_at;
use crate::error::{RecordKind, Result};

mod logs;
mod roster;

use logs::{
    project_all_checkins, project_all_visits, project_checkin, project_shift, project_visit,
};
use roster::{
    project_building, project_device, project_grid, project_household, project_resident,
    project_team, project_worker,
};

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
    all_records_except(doc, &[])
}

fn all_records_except(doc: &Automerge, skip: &[&str]) -> Vec<RecordRef> {
    let mut records = Vec::new();
    if map_at(doc, &ROOT, "grid").is_some() {
        records.push(RecordRef::new("grid", ""));
    }
    let collections = crate::docs::DocKind::ALL
        .iter()
        .flat_map(|kind| kind.collections())
        .filter(|collection| **collection != "grid" && !skip.contains(collection));
    for collection in collections {
        if let Some(obj) = map_at(doc, &ROOT, collection) {
            records.extend(doc.keys(&obj).map(|key| RecordRef::new(collection, &key)));
        }
    }
    records
}

/// Projects a whole document none of whose records has rows yet: after the
/// query tables were emptied (a rebuild), or for a document received whole
/// (a bootstrap). The rows are the ones [`project_record`] writes for each
/// record; entries take a faster path that reads each collection once.
/// Returns how many records it projected.
pub(crate) fn project_document(tx: &Transaction, ctx: &DocContext) -> Result<usize> {
    let records = all_records_except(ctx.doc, &["visits", "checkins"]);
    for record in &records {
        project_record(tx, ctx, record)?;
    }
    let mut count = records.len();
    if let Some(visits) = map_at(ctx.doc, &ROOT, "visits") {
        count += project_all_visits(tx, ctx, &visits)?;
    }
    if let Some(checkins) = map_at(ctx.doc, &ROOT, "checkins") {
        count += project_all_checkins(tx, ctx, &checkins)?;
    }
    Ok(count)
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
pub(super) fn run<P: rusqlite::Params>(tx: &Transaction, sql: &str, params: P) -> Result<usize> {
    Ok(tx.prepare_cached(sql)?.execute(params)?)
}

pub(super) fn write_conflicts(
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

pub(super) fn clear_conflicts(tx: &Transaction, kind: RecordKind, id: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM conflicts WHERE record_kind = ?1 AND record_id = ?2")?
        .execute(params![kind.as_str(), id])?;
    Ok(())
}

/// Deletes a record's row and returns the household it pointed at, so that
/// the household's derived columns can follow.
pub(super) fn delete_returning_household(
    tx: &Transaction,
    table: &'static str,
    id: &str,
) -> Result<Option<String>> {
    let sql = format!("DELETE FROM {table} WHERE id = ?1 RETURNING household_id");
    Ok(tx
        .prepare_cached(&sql)?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Recomputes a household's active member count from the residents table.
pub(super) fn refresh_member_count(tx: &Transaction, household: Option<&str>) -> Result<()> {
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
pub(super) fn refresh_last_visit(tx: &Transaction, household: Option<&str>) -> Result<()> {
    if let Some(household) = household {
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
