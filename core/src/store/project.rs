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
//! error, so one bad record cannot block a merge. The driver knows no kind:
//! it finds each collection's projection in the registry
//! (`store/registry.rs`). To project a new collection, write its
//! [`registry::ProjectFn`] in the kind's module and list the collection in
//! the kind's `Kind`.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{Automerge, ObjId, ROOT, ReadDoc};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::crdt::{RecordReader, map_at};
use crate::entries;
use crate::error::Result;
use crate::kinds::RecordKind;
use crate::registry::{self, DocContext, Layout, RecordRef};

/// Re-projects one record: its rows end up exactly as the document says.
pub(crate) fn project_record(tx: &Transaction, ctx: &DocContext, record: &RecordRef) -> Result<()> {
    // Unknown collections come from newer replicas; their data stays in the document.
    let Some(collection) = registry::collection(&record.collection) else {
        return Ok(());
    };
    let key = record.key.as_str();
    if let Some(kind) = collection.kind {
        ctx.note(kind, key);
    }
    let obj = match collection.layout {
        Layout::Singleton => match map_at(ctx.doc, &ROOT, collection.name) {
            Some(obj) => Some(obj),
            // Only the documents that hold this collection have rows for it.
            None => return Ok(()),
        },
        // Entries are single values, read by their own projection.
        Layout::Entries => None,
        Layout::Records => {
            map_at(ctx.doc, &ROOT, collection.name).and_then(|c| map_at(ctx.doc, &c, key))
        }
    };
    (collection.project)(tx, ctx, key, obj)
}

/// Every record of a document, for `rebuild`.
pub(crate) fn all_records(doc: &Automerge) -> Vec<RecordRef> {
    all_records_except(doc, &[])
}

fn all_records_except(doc: &Automerge, skip: &[&str]) -> Vec<RecordRef> {
    let mut records = Vec::new();
    for collection in registry::collections().filter(|c| !skip.contains(&c.name)) {
        let Some(obj) = map_at(doc, &ROOT, collection.name) else {
            continue;
        };
        match collection.layout {
            Layout::Singleton => records.push(RecordRef::new(collection.name, "")),
            Layout::Records | Layout::Entries => {
                records.extend(
                    doc.keys(&obj)
                        .map(|key| RecordRef::new(collection.name, &key)),
                );
            }
        }
    }
    records
}

/// Projects a whole document none of whose records has rows yet: after the
/// query tables were emptied (a rebuild), or for a document received whole
/// (a bootstrap). The rows are the ones [`project_record`] writes for each
/// record; collections with a whole-collection projection (entries) take
/// that faster path, reading each collection once. Returns how many records
/// it projected.
pub(crate) fn project_document(tx: &Transaction, ctx: &DocContext) -> Result<usize> {
    // The bulk paths note no record: listeners hear that the grid changed whole.
    ctx.projected.borrow_mut().note_whole_grid(ctx.grid_id);
    let bulk: Vec<&str> = registry::collections()
        .filter(|c| c.project_all.is_some())
        .map(|c| c.name)
        .collect();
    let records = all_records_except(ctx.doc, &bulk);
    for record in &records {
        project_record(tx, ctx, record)?;
    }
    let mut count = records.len();
    for collection in registry::collections() {
        if let (Some(project_all), Some(obj)) = (
            collection.project_all,
            map_at(ctx.doc, &ROOT, collection.name),
        ) {
            count += project_all(tx, ctx, &obj)?;
        }
    }
    Ok(count)
}

/// Projects records and the records derived from them (a household's
/// address text comes from its building, so touching a building
/// re-projects its households).
pub(crate) fn project_with_dependents(
    tx: &Transaction,
    ctx: &DocContext,
    mut records: BTreeSet<RecordRef>,
) -> Result<()> {
    // One call per collection with all its touched keys: a dependents
    // function scans the document once however many records were touched
    // (an import touches hundreds of buildings).
    let mut keys_by_collection: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &records {
        keys_by_collection
            .entry(r.collection.as_str())
            .or_default()
            .insert(r.key.as_str());
    }
    let derived: Vec<RecordRef> = keys_by_collection
        .iter()
        .filter_map(|(collection, keys)| {
            let dependents = registry::collection(collection)?.dependents?;
            Some(dependents(ctx.doc, keys))
        })
        .flatten()
        .collect();
    records.extend(derived);
    for record in &records {
        project_record(tx, ctx, record)?;
    }
    Ok(())
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
                [] if is_singleton(&key) => {
                    touched.insert(RecordRef::new(&key, ""));
                }
                [] => {}
                [collection, ..] if is_singleton(collection) => {
                    touched.insert(RecordRef::new(collection, ""));
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

fn is_singleton(collection: &str) -> bool {
    registry::collection(collection).is_some_and(|c| c.layout == Layout::Singleton)
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
pub(crate) fn run<P: rusqlite::Params>(tx: &Transaction, sql: &str, params: P) -> Result<usize> {
    Ok(tx.prepare_cached(sql)?.execute(params)?)
}

/// The common part of a record's projection, after the caller has deleted
/// the record's rows: clears its conflict rows and, if the record still
/// exists, lets `insert` write its rows from a reader and records the
/// conflicts the reader met. A deleted record (`obj` is `None`) ends here.
pub(crate) fn reinsert(
    tx: &Transaction,
    ctx: &DocContext,
    kind: RecordKind,
    id: &str,
    obj: Option<ObjId>,
    insert: impl FnOnce(&mut RecordReader) -> Result<()>,
) -> Result<()> {
    clear_conflicts(tx, kind, id)?;
    let Some(obj) = obj else { return Ok(()) };
    let mut reader = RecordReader::new(ctx.doc, obj);
    insert(&mut reader)?;
    write_conflicts(tx, ctx, kind, id, &reader.conflicts)
}

pub(crate) fn write_conflicts(
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

pub(crate) fn clear_conflicts(tx: &Transaction, kind: RecordKind, id: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM conflicts WHERE record_kind = ?1 AND record_id = ?2")?
        .execute(params![kind.as_str(), id])?;
    Ok(())
}

/// Deletes a record's row and returns the household it pointed at, so that
/// the household's derived columns can follow.
pub(crate) fn delete_returning_household(
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

/// Projects one entry (see `entries.rs`) of a grid document's collection,
/// by key, with `insert`: deletes its rows with `delete` (bound to the grid
/// and the key), then inserts the entry's winning value if it reads.
pub(crate) fn project_entry_by_key<T: for<'de> serde::Deserialize<'de> + Default>(
    tx: &Transaction,
    ctx: &DocContext,
    collection: &str,
    key: &str,
    delete: &str,
    insert: fn(&Transaction, &DocContext, &str, &T) -> Result<()>,
) -> Result<()> {
    run(tx, delete, [ctx.grid_id, key])?;
    if let Some(map) = map_at(ctx.doc, &ROOT, collection)
        && let Some(stored) = entries::winner::<T>(ctx.doc, &map, key)
    {
        insert(tx, ctx, key, &stored)?;
    }
    Ok(())
}

/// Projects every entry of a collection with `insert`; returns how many
/// keys it saw.
pub(crate) fn project_all_entries_with<T: for<'de> serde::Deserialize<'de> + Default>(
    tx: &Transaction,
    ctx: &DocContext,
    map: &ObjId,
    insert: fn(&Transaction, &DocContext, &str, &T) -> Result<()>,
) -> Result<usize> {
    let keys: Vec<String> = ctx.doc.keys(map).collect();
    for key in &keys {
        if let Some(stored) = entries::winner::<T>(ctx.doc, map, key) {
            insert(tx, ctx, key, &stored)?;
        }
    }
    Ok(keys.len())
}
