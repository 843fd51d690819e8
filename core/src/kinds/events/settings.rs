//! A grid's own event settings, in its document `event_settings/<grid>`:
//! the categories (小类) it adds to the shipped catalogue, and the names and
//! routing it gives the whistle levels (places call 常规哨 differently and
//! send 联合哨 to different units). Only the grid head writes them; the sync
//! server refuses a push of them by any other role. Departments receive this
//! document with the events (`sync::EVENT_DOC_KINDS`), so they read the same
//! names as the grid.
//!
//! Both collections hold entries (see `entries.rs`), keyed by category code
//! and by level rank, amended whole: two grid heads editing one entry
//! offline end with Automerge's winner on every replica. Reports store the
//! category's level and limit as they were, so a change applies to events
//! reported afterwards. An entry that does not read (a limit of an unknown
//! unit, a level out of range, a code without the `local_` prefix) is not
//! projected, so the category is not offered and the level keeps its
//! shipped name.
//!
//! To add a setting: a field in the `Stored*` struct with `#[serde(default)]`
//! and its input, a column in a new migration, written in `project_*` and
//! read in [`Store::event_categories`] or [`Store::whistle_levels`].

use automerge::{ObjId, ROOT, ReadDoc};
use rusqlite::{Connection, Row, Transaction, params};
use serde::{Deserialize, Serialize};

use super::catalogue::{self, LOCAL_PREFIX};
use super::{
    EventCategories, EventCategory, LocalCategoryInput, StoredLimit, WhistleLevelInput,
    WhistleLevels,
};
use crate::code_list::CodeList;
use crate::crdt::map_at;
use crate::docs::DocId;
use crate::entries;
use crate::error::{Error, FieldCheck, Result};
use crate::identity::WorkerRole;
use crate::kinds::RecordKind;
use crate::registry::{DocContext, DocSpec, EntryRefusal, Partition};
use crate::store::lookup::grid_of_active;
use crate::store::project::run;
use crate::store::{Edit, Store};
use crate::validate::{self, InvalidReason};

/// The grid's event settings: one document per grid. The genesis maps are
/// frozen once shipped.
pub(crate) static SETTINGS_DOC: DocSpec = DocSpec {
    name: "event_settings",
    partition: Partition::Grid,
    genesis: &["event_categories", "whistle_levels"],
};

/// The longest time limit a grid's category may have, in any unit.
const MAX_LIMIT: i32 = 1000;

/// A grid's category as stored under `event_categories/<code>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredLocalCategory {
    pub(crate) name: String,
    pub(crate) group_code: String,
    pub(crate) group_name: String,
    pub(crate) limit: StoredLimit,
    pub(crate) close_condition: String,
    pub(crate) level: i32,
    /// Retired categories are no longer offered; their events keep them.
    pub(crate) retired: bool,
    /// The grid head who wrote this version (vouched for by the server).
    pub(crate) worker_id: String,
}

/// A level's name and routing as stored under `whistle_levels/<rank>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredLevelName {
    pub(crate) name: String,
    pub(crate) handled_by: String,
    pub(crate) supervised: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) default_assignee: Option<String>,
    pub(crate) worker_id: String,
}

/// A code of the grid's own: valid as a code, with the reserved prefix.
fn local_code(value: &str, field: &'static str) -> Result<String> {
    let code = validate::code(value, 64).field(field)?;
    if !code.starts_with(LOCAL_PREFIX) {
        return Err(Error::invalid(field, InvalidReason::ReservedCode));
    }
    Ok(code)
}

/// The name of a shipped group (大类), if `code` is one.
fn shipped_group(code: &str) -> Option<String> {
    catalogue::categories()
        .categories
        .iter()
        .find(|c| c.group_code == code)
        .map(|c| c.group_name.clone())
}

impl Store {
    /// Only the grid head changes the grid's event settings.
    fn require_grid_head(&self) -> Result<()> {
        match self.identity().role {
            WorkerRole::GridHead => Ok(()),
            role => Err(Error::GridHeadOnly { role }),
        }
    }

    /// Adds a category (小类) of the grid's own to the catalogue, or changes
    /// one it added (which applies to events reported afterwards, and
    /// offers a retired one again). Only the grid head may;
    /// [`Error::GridHeadOnly`] otherwise, and nothing is written.
    pub fn define_event_category(&self, input: LocalCategoryInput) -> Result<()> {
        self.require_grid_head()?;
        let code = local_code(&input.code, "code")?;
        let name = validate::text(&input.name, 40).field("name")?;
        let close_condition =
            validate::text(&input.close_condition, 200).field("close_condition")?;
        if !(1..=MAX_LIMIT).contains(&StoredLimit::amount(input.limit)) {
            return Err(Error::invalid("limit.amount", InvalidReason::OutOfRange));
        }
        if !catalogue::is_level(input.initial_level) {
            return Err(Error::invalid("initial_level", InvalidReason::OutOfRange));
        }
        let (group_code, group_name) = match shipped_group(input.group_code.trim()) {
            Some(shipped_name) => (input.group_code.trim().to_string(), shipped_name),
            None => (
                local_code(&input.group_code, "group_code")?,
                validate::text(&input.group_name, 40).field("group_name")?,
            ),
        };
        let stored = StoredLocalCategory {
            name,
            group_code,
            group_name,
            limit: StoredLimit::of(input.limit),
            close_condition,
            level: input.initial_level,
            retired: false,
            worker_id: self.identity().worker_id.clone(),
        };
        let value = entries::encode(&stored)?;
        self.write(|edit| {
            grid_of_active(edit.tx, RecordKind::Grid, "grids", &input.grid_id)?;
            put_setting(edit, &input.grid_id, "event_categories", &code, &value)
        })
    }

    /// Stops offering a category the grid added; its events keep it. Only
    /// the grid head may. A shipped category cannot be retired
    /// (`Invalid("code", ReservedCode)`); an unknown one is `NotFound`.
    pub fn retire_event_category(&self, grid_id: &str, code: &str) -> Result<()> {
        self.require_grid_head()?;
        let code = local_code(code, "code")?;
        let worker_id = self.identity().worker_id.clone();
        self.write(|edit| {
            grid_of_active(edit.tx, RecordKind::Grid, "grids", grid_id)?;
            let doc_id = DocId::of_grid(&SETTINGS_DOC, grid_id);
            let doc = edit.doc(&doc_id, &SETTINGS_DOC, grid_id)?;
            let current = map_at(doc, &ROOT, "event_categories")
                .and_then(|map| entries::versions(doc, &map, &code).pop())
                .map(|(fields, _)| entries::decode::<StoredLocalCategory>(&fields));
            let Some(mut stored) = current else {
                return Err(Error::not_found(RecordKind::EventCatalogue, &code));
            };
            stored.retired = true;
            stored.worker_id = worker_id.clone();
            let value = entries::encode(&stored)?;
            put_setting(edit, grid_id, "event_categories", &code, &value)
        })
    }

    /// Gives a whistle level the grid's own name, handler and default
    /// assignee. Ranks, their order and the rule that escalation only goes
    /// up stay fixed. Only the grid head may.
    pub fn set_whistle_level(&self, input: WhistleLevelInput) -> Result<()> {
        self.require_grid_head()?;
        if !catalogue::is_level(input.rank) {
            return Err(Error::invalid("rank", InvalidReason::OutOfRange));
        }
        let stored = StoredLevelName {
            name: validate::text(&input.name, 20).field("name")?,
            handled_by: validate::text(&input.handled_by, 100).field("handled_by")?,
            supervised: input.supervised,
            default_assignee: input
                .default_assignee
                .as_deref()
                .map(|id| validate::code(id, 64))
                .transpose()
                .field("default_assignee")?,
            worker_id: self.identity().worker_id.clone(),
        };
        let value = entries::encode(&stored)?;
        self.write(|edit| {
            grid_of_active(edit.tx, RecordKind::Grid, "grids", &input.grid_id)?;
            put_setting(
                edit,
                &input.grid_id,
                "whistle_levels",
                &input.rank.to_string(),
                &value,
            )
        })
    }

    /// The grid's category catalogue: the shipped one, then the categories
    /// the grid added and has not retired. A department, which holds no
    /// roster, reads the same list for the grids it serves.
    pub fn event_categories(&self, grid_id: &str) -> Result<EventCategories> {
        let mut all = catalogue::categories().clone();
        let local = self.read(|conn| offered_local_categories(conn, grid_id, None))?;
        all.categories.extend(local);
        Ok(all)
    }

    /// The whistle levels as the grid names and routes them: the shipped
    /// levels, each with the grid's name, handler and default assignee when
    /// the grid gave them.
    pub fn whistle_levels(&self, grid_id: &str) -> Result<WhistleLevels> {
        let mut levels = catalogue::levels().clone();
        self.read(|conn| {
            let mut query = conn.prepare_cached(
                "SELECT name, handled_by, supervised, default_assignee
                 FROM local_whistle_levels WHERE grid_id = ?1 AND rank = ?2",
            )?;
            for level in &mut levels.levels {
                let own = query
                    .query_map(params![grid_id, level.rank], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })?
                    .next()
                    .transpose()?;
                if let Some((name, handled_by, supervised, default_assignee)) = own {
                    level.name = name;
                    level.handled_by = handled_by;
                    level.supervised = supervised;
                    level.default_assignee = default_assignee;
                }
            }
            Ok(())
        })?;
        Ok(levels)
    }
}

/// The category a report names in a grid: a shipped one, or one the grid
/// added and has not retired. Read inside the report's write.
pub(super) fn category_in_grid(
    conn: &Connection,
    grid_id: &str,
    code: &str,
) -> Result<Option<EventCategory>> {
    if let Some(shipped) = catalogue::category(code) {
        return Ok(Some(shipped.clone()));
    }
    Ok(offered_local_categories(conn, grid_id, Some(code))?.pop())
}

/// The categories the grid added and has not retired, in code order; only
/// `code` when given. An entry whose limit does not read is left out.
fn offered_local_categories(
    conn: &Connection,
    grid_id: &str,
    code: Option<&str>,
) -> Result<Vec<EventCategory>> {
    Ok(conn
        .prepare_cached(
            "SELECT code, name, group_code, group_name, limit_unit, limit_amount,
                    close_condition, initial_level
             FROM local_event_categories
             WHERE grid_id = ?1 AND (?2 IS NULL OR code = ?2) AND NOT retired
             ORDER BY code",
        )?
        .query_map(params![grid_id, code], local_category_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect())
}

fn local_category_row(row: &Row) -> rusqlite::Result<Option<EventCategory>> {
    let limit = StoredLimit {
        unit: row.get(4)?,
        amount: row.get(5)?,
    };
    Ok(limit.read().map(|limit| EventCategory {
        code: row.get(0).unwrap_or_default(),
        name: row.get(1).unwrap_or_default(),
        group_code: row.get(2).unwrap_or_default(),
        group_name: row.get(3).unwrap_or_default(),
        limit,
        close_condition: row.get(6).unwrap_or_default(),
        initial_level: row.get(7).unwrap_or(1),
        local: true,
    }))
}

/// Writes one entry of the grid's settings document, replacing its value.
fn put_setting(
    edit: &mut Edit,
    grid_id: &str,
    collection: &str,
    key: &str,
    value: &str,
) -> Result<()> {
    edit.put_grid_entry(&SETTINGS_DOC, grid_id, collection, key, value)
}

// ---------------------------------------------------------------------------
// Projection
// ---------------------------------------------------------------------------

pub(super) fn project_category(
    tx: &Transaction,
    ctx: &DocContext,
    code: &str,
    _obj: Option<ObjId>,
) -> Result<()> {
    run(
        tx,
        "DELETE FROM local_event_categories WHERE grid_id = ?1 AND code = ?2",
        [ctx.grid_id, code],
    )?;
    let Some(map) = map_at(ctx.doc, &ROOT, "event_categories") else {
        return Ok(());
    };
    if let Some(stored) = entries::winner(ctx.doc, &map, code) {
        insert_category(tx, ctx.grid_id, code, &stored)?;
    }
    Ok(())
}

pub(super) fn project_all_categories(
    tx: &Transaction,
    ctx: &DocContext,
    map: &ObjId,
) -> Result<usize> {
    let keys: Vec<String> = ctx.doc.keys(map).collect();
    for code in &keys {
        if let Some(stored) = entries::winner(ctx.doc, map, code) {
            insert_category(tx, ctx.grid_id, code, &stored)?;
        }
    }
    Ok(keys.len())
}

fn insert_category(
    tx: &Transaction,
    grid_id: &str,
    code: &str,
    stored: &StoredLocalCategory,
) -> Result<()> {
    let readable = code.starts_with(LOCAL_PREFIX)
        && stored.limit.read().is_some()
        && catalogue::is_level(stored.level);
    if !readable {
        return Ok(());
    }
    run(
        tx,
        "INSERT INTO local_event_categories (grid_id, code, name, group_code, group_name,
             limit_unit, limit_amount, close_condition, initial_level, retired)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            grid_id,
            code,
            stored.name,
            stored.group_code,
            stored.group_name,
            stored.limit.unit,
            stored.limit.amount,
            stored.close_condition,
            stored.level,
            stored.retired,
        ],
    )?;
    Ok(())
}

pub(super) fn project_level(
    tx: &Transaction,
    ctx: &DocContext,
    rank: &str,
    _obj: Option<ObjId>,
) -> Result<()> {
    run(
        tx,
        "DELETE FROM local_whistle_levels WHERE grid_id = ?1 AND rank = ?2",
        [ctx.grid_id, rank],
    )?;
    let Some(map) = map_at(ctx.doc, &ROOT, "whistle_levels") else {
        return Ok(());
    };
    if let Some(stored) = entries::winner(ctx.doc, &map, rank) {
        insert_level(tx, ctx.grid_id, rank, &stored)?;
    }
    Ok(())
}

pub(super) fn project_all_levels(tx: &Transaction, ctx: &DocContext, map: &ObjId) -> Result<usize> {
    let keys: Vec<String> = ctx.doc.keys(map).collect();
    for rank in &keys {
        if let Some(stored) = entries::winner(ctx.doc, map, rank) {
            insert_level(tx, ctx.grid_id, rank, &stored)?;
        }
    }
    Ok(keys.len())
}

fn insert_level(
    tx: &Transaction,
    grid_id: &str,
    rank: &str,
    stored: &StoredLevelName,
) -> Result<()> {
    let Some(rank) = rank.parse::<i32>().ok().filter(|r| catalogue::is_level(*r)) else {
        return Ok(());
    };
    if stored.name.trim().is_empty() {
        return Ok(());
    }
    run(
        tx,
        "INSERT INTO local_whistle_levels (grid_id, rank, name, handled_by, supervised,
             default_assignee)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            grid_id,
            rank,
            stored.name,
            stored.handled_by,
            stored.supervised,
            stored.default_assignee,
        ],
    )?;
    Ok(())
}

/// The sync server's check of a pushed settings entry: only a grid head
/// writes the grid's settings.
pub(crate) fn check_pushed_setting(
    _entry: &serde_json::Map<String, serde_json::Value>,
    role: &str,
) -> Result<(), EntryRefusal> {
    match WorkerRole::from_code(role) {
        Some(WorkerRole::GridHead) => Ok(()),
        _ => Err(EntryRefusal::RoleMayNot("event_settings")),
    }
}
