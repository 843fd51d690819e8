//! The `events` and `event_steps` tables, written from the entries of the
//! event documents (the queries that read them are in `tables.rs`).
//!
//! Projecting a report or a step writes its own row, then re-derives the
//! whole event from its rows ([`rederive`]): the derived columns (status,
//! level, assignee, needs review; each step's position and whether it was
//! applied) depend on every step, whatever order they arrived in. A column
//! added here is read in `tables.rs`, with its migration.

use automerge::{ObjId, ROOT, ReadDoc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::tables::{facts, limit, timestamp};
use super::workflow::{self, State};
use super::{StoredEvent, StoredLimit, StoredStep};
use crate::calendar::{self, OfficeHours, TimeLimit, WorkCalendar};
use crate::code_list::CodeList;
use crate::crdt::map_at;
use crate::entries;
use crate::error::Result;
use crate::kinds::RecordKind;
use crate::registry::DocContext;
use crate::store::project::run;
use crate::values::Timestamp;

type Versions = Vec<(serde_json::Map<String, serde_json::Value>, ObjId)>;

pub(super) fn project_event(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    _obj: Option<ObjId>,
) -> Result<()> {
    run(tx, "DELETE FROM events WHERE id = ?1", [id])?;
    let Some(events) = map_at(ctx.doc, &ROOT, "events") else {
        return Ok(());
    };
    if insert_event(tx, ctx, id, &entries::versions(ctx.doc, &events, id))? {
        rederive(tx, ctx, id)?;
    }
    Ok(())
}

/// Projects every report of a document none of whose events has rows yet.
pub(super) fn project_all_events(
    tx: &Transaction,
    ctx: &DocContext,
    events: &ObjId,
) -> Result<usize> {
    let mut count = 0;
    for item in ctx.doc.map_range(events, ..) {
        count += 1;
        let versions = if item.conflict {
            entries::versions(ctx.doc, events, &item.key)
        } else {
            entries::single_version(&item.value, item.id())
        };
        if insert_event(tx, ctx, &item.key, &versions)? {
            rederive(tx, ctx, &item.key)?;
        }
    }
    Ok(count)
}

pub(super) fn project_step(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    _obj: Option<ObjId>,
) -> Result<()> {
    run(tx, "DELETE FROM event_steps WHERE id = ?1", [id])?;
    let Some(steps) = map_at(ctx.doc, &ROOT, "event_steps") else {
        return Ok(());
    };
    if let Some(event_id) = insert_step(tx, ctx, id, &entries::versions(ctx.doc, &steps, id))? {
        rederive(tx, ctx, &event_id)?;
    }
    Ok(())
}

/// Projects every step of a document none of whose steps has rows yet,
/// deriving each event once at the end.
pub(super) fn project_all_steps(
    tx: &Transaction,
    ctx: &DocContext,
    steps: &ObjId,
) -> Result<usize> {
    let mut count = 0;
    let mut events = std::collections::BTreeSet::new();
    for item in ctx.doc.map_range(steps, ..) {
        count += 1;
        let versions = if item.conflict {
            entries::versions(ctx.doc, steps, &item.key)
        } else {
            entries::single_version(&item.value, item.id())
        };
        if let Some(event_id) = insert_step(tx, ctx, &item.key, &versions)? {
            events.insert(event_id);
        }
    }
    for event_id in events {
        rederive(tx, ctx, &event_id)?;
    }
    Ok(count)
}

/// Inserts a report's row, its derived columns as if it had no steps.
fn insert_event(tx: &Transaction, ctx: &DocContext, id: &str, versions: &Versions) -> Result<bool> {
    let Some((winner, _)) = versions.last() else {
        return Ok(false);
    };
    let e: StoredEvent = entries::decode(winner);
    let gps = e.gps.filter(|g| g.iter().all(|x| x.is_finite()));
    let mut residents = e.residents.clone();
    residents.sort();
    residents.dedup();
    // Only a readable limit is kept, in its canonical form.
    let limit = e
        .limit
        .as_ref()
        .and_then(StoredLimit::read)
        .map(StoredLimit::of);
    tx.prepare_cached(
        "INSERT INTO events (id, doc_id, grid_id, category, description, urgency, building_id,
            household_id, lon, lat, accuracy_m, address, source, source_record_id, residents,
            at_ms, offset_min, photos, reporter_id, initial_level, limit_unit, limit_amount,
            status, level, needs_review)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, 'reported', ?20, 0)",
    )?
    .execute(params![
        id,
        ctx.doc_id,
        ctx.grid_id,
        e.category,
        e.description,
        e.urgency,
        e.building_id,
        e.household_id,
        gps.map(|g| g[0]),
        gps.map(|g| g[1]),
        gps.map(|g| g[2]),
        e.address,
        e.source,
        e.source_record_id,
        entries::encode(&residents)?,
        e.at_ms,
        e.offset_min,
        entries::encode(&e.photos)?,
        e.reporter_id,
        e.level.clamp(1, 3),
        limit.as_ref().map(|l| l.unit.clone()),
        limit.as_ref().map(|l| l.amount),
    ])?;
    Ok(true)
}

/// Inserts a step's row, unordered and unapplied until its event is derived;
/// returns its event.
fn insert_step(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    versions: &Versions,
) -> Result<Option<String>> {
    let Some((winner, _)) = versions.last() else {
        return Ok(None);
    };
    let s: StoredStep = entries::decode(winner);
    if s.event_id.is_empty() {
        return Ok(None);
    }
    let extension = s
        .extension
        .as_ref()
        .and_then(StoredLimit::read)
        .map(StoredLimit::of);
    tx.prepare_cached(
        "INSERT INTO event_steps (id, doc_id, grid_id, event_id, action, worker_id, role, at_ms,
            offset_min, comment, photos, assignee, level, ext_unit, ext_amount, satisfaction,
            position, applied)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, -1, 0)",
    )?
    .execute(params![
        id,
        ctx.doc_id,
        ctx.grid_id,
        s.event_id,
        s.action,
        s.worker_id,
        s.role,
        s.at_ms,
        s.offset_min,
        s.comment,
        entries::encode(&s.photos)?,
        s.assignee,
        s.level,
        extension.as_ref().map(|l| l.unit.clone()),
        extension.as_ref().map(|l| l.amount),
        s.satisfaction,
    ])?;
    Ok(Some(s.event_id))
}

/// Derives an event from its rows and writes the derived columns.
fn rederive(tx: &Transaction, ctx: &DocContext, event_id: &str) -> Result<()> {
    let Some((report, steps)) = facts(tx, event_id)? else {
        return Ok(());
    };
    ctx.note(RecordKind::Event, event_id);
    let derived = workflow::derive(&report, &steps);
    let due = due(tx, event_id, &derived.state)?;
    let mut update = tx.prepare_cached(
        "UPDATE event_steps SET position = ?2, applied = ?3 WHERE id = ?1 AND event_id = ?4",
    )?;
    for (position, &index) in derived.order.iter().enumerate() {
        if let (Some(step), Some(applied)) = (steps.get(index), derived.applied.get(index)) {
            update.execute(params![step.id, position as i64, applied, event_id])?;
        }
    }
    let state = &derived.state;
    run(
        tx,
        "UPDATE events SET status = ?2, level = ?3, assignee = ?4, accepted_at_ms = ?5,
            deadline_ms = ?6, deadline_offset = ?7, needs_review = ?8 WHERE id = ?1",
        params![
            event_id,
            state.status.code(),
            state.level,
            state.assignee,
            state.accepted_at_ms,
            due.map(|d| d.utc_ms),
            due.map(|d| d.offset_minutes),
            derived.needs_review,
        ],
    )?;
    Ok(())
}

/// An event's deadline, from its stored report and its derived state.
fn due(tx: &Transaction, event_id: &str, state: &State) -> Result<Option<Timestamp>> {
    let (at_ms, offset_min, unit, amount): (i64, i64, Option<String>, Option<i64>) = tx
        .prepare_cached(
            "SELECT at_ms, offset_min, limit_unit, limit_amount FROM events WHERE id = ?1",
        )?
        .query_row([event_id], |r| {
            Ok((
                r.get::<_, Option<i64>>(0)?.unwrap_or(0),
                r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                r.get(2)?,
                r.get(3)?,
            ))
        })?;
    let reported = timestamp(Some(at_ms), Some(offset_min));
    Ok(deadline(reported, limit(unit, amount), state))
}

/// The `meta` key of the holiday calendar's version the stored deadlines
/// were counted in.
const CALENDAR_VERSION_KEY: &str = "events_calendar_version";

/// Counts every event's deadline again when the library's holiday calendar
/// is not the one the stored deadlines were counted in (a new year's
/// arrangement, a correction): the documents did not change, so no merge
/// would. One `meta` lookup when it is the same.
pub(super) fn refresh_deadlines(tx: &Transaction) -> Result<()> {
    let current = WorkCalendar::china().version().to_string();
    let counted_in: Option<Vec<u8>> = tx
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([CALENDAR_VERSION_KEY], |r| r.get(0))
        .optional()?;
    if counted_in.as_deref() == Some(current.as_bytes()) {
        return Ok(());
    }
    let ids: Vec<String> = tx
        .prepare("SELECT id FROM events ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = tx
        .prepare_cached("UPDATE events SET deadline_ms = ?2, deadline_offset = ?3 WHERE id = ?1")?;
    for id in ids {
        let Some((report, steps)) = facts(tx, &id)? else {
            continue;
        };
        let state = workflow::derive(&report, &steps).state;
        let due = due(tx, &id, &state)?;
        update.execute(params![
            id,
            due.map(|d| d.utc_ms),
            due.map(|d| d.offset_minutes)
        ])?;
    }
    run(
        tx,
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        params![CALENDAR_VERSION_KEY, current.as_bytes()],
    )?;
    Ok(())
}

/// When an event is due: its category's limit counted from its acceptance
/// (or its report, until it is accepted) in China's working-day calendar
/// with the default office hours, then each granted extension counted on
/// from there. `None` without a limit, or if the calendar refuses the times.
fn deadline(reported: Timestamp, limit: Option<TimeLimit>, state: &State) -> Option<Timestamp> {
    let calendar = WorkCalendar::china();
    let hours = OfficeHours::default();
    let start = Timestamp {
        utc_ms: state.accepted_at_ms.unwrap_or(reported.utc_ms),
        offset_minutes: reported.offset_minutes,
    };
    let mut due = calendar::deadline(start, limit?, calendar, &hours).ok()?;
    for extension in &state.extensions {
        due = calendar::deadline(due, *extension, calendar, &hours).ok()?;
    }
    Some(due)
}
