//! Reading the `events` and `event_steps` tables (written by `project.rs`):
//! the facts the workflow derives an event from (inside a write too), and
//! the event queries, `impl Store` methods on the read connection, with the
//! catalogues. A column read here is written in `project.rs`.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::workflow::{ReportFacts, StepFacts};
use super::{Event, EventStep, StoredLimit};
use crate::calendar::TimeLimit;
use crate::code_list::CodeList;
use crate::error::{Error, Result};
use crate::identity::WorkerRole;
use crate::kinds::RecordKind;
use crate::store::Store;
use crate::store::rows::point;
use crate::values::{GpsFix, Timestamp};

/// The facts the workflow needs of an event's report and steps, read from
/// the tables (inside a write, they are the documents' state). Only steps in
/// the event's own document count.
pub(super) fn facts(
    conn: &Connection,
    event_id: &str,
) -> Result<Option<(ReportFacts, Vec<StepFacts>)>> {
    let report = conn
        .prepare_cached(
            "SELECT doc_id, reporter_id, residents, initial_level FROM events WHERE id = ?1",
        )?
        .query_row([event_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .optional()?;
    let Some((doc_id, reporter_id, residents, level)) = report else {
        return Ok(None);
    };
    let report = ReportFacts {
        reporter_id,
        has_residents: residents != "[]",
        initial_level: i32::try_from(level).unwrap_or(1),
    };
    let steps = conn
        .prepare_cached(
            "SELECT id, action, at_ms, worker_id, role, assignee, level, ext_unit, ext_amount,
                satisfaction
             FROM event_steps WHERE event_id = ?1 AND doc_id = ?2",
        )?
        .query_map([event_id, doc_id.as_str()], |r| {
            Ok(StepFacts {
                id: r.get(0)?,
                action: r
                    .get::<_, Option<String>>(1)?
                    .as_deref()
                    .and_then(CodeList::from_code),
                at_ms: r.get(2)?,
                worker_id: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                role: r
                    .get::<_, Option<String>>(4)?
                    .as_deref()
                    .and_then(CodeList::from_code),
                assignee: r.get(5)?,
                level: r
                    .get::<_, Option<i64>>(6)?
                    .and_then(|l| i32::try_from(l).ok()),
                extension: limit(r.get(7)?, r.get(8)?),
                satisfaction: r
                    .get::<_, Option<String>>(9)?
                    .as_deref()
                    .and_then(CodeList::from_code),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some((report, steps)))
}

/// A limit read from its two columns.
pub(super) fn limit(unit: Option<String>, amount: Option<i64>) -> Option<TimeLimit> {
    StoredLimit {
        unit: unit?,
        amount: i32::try_from(amount?).ok()?,
    }
    .read()
}

/// A time from its two columns (a missing one reads as zero).
pub(super) fn timestamp(ms: Option<i64>, offset: Option<i64>) -> Timestamp {
    Timestamp {
        utc_ms: ms.unwrap_or(0),
        offset_minutes: offset.and_then(|o| i32::try_from(o).ok()).unwrap_or(0),
    }
}

const EVENT_COLUMNS: &str = "e.id, e.grid_id, e.category, e.description, e.urgency, e.building_id,
    e.household_id, e.lon, e.lat, e.accuracy_m, e.address, e.source, e.source_record_id,
    e.residents, e.at_ms, e.offset_min, e.photos, e.reporter_id, e.status, e.level, e.assignee,
    e.deadline_ms, e.deadline_offset, e.needs_review, e.accepted_at_ms";

fn json_list(text: Option<String>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn event_row(row: &Row) -> rusqlite::Result<Event> {
    let gps = match (
        point(row.get(7)?, row.get(8)?),
        row.get::<_, Option<f64>>(9)?,
    ) {
        (Some(point), Some(accuracy_m)) => Some(GpsFix { point, accuracy_m }),
        _ => None,
    };
    let deadline_ms: Option<i64> = row.get(21)?;
    Ok(Event {
        id: row.get(0)?,
        grid_id: row.get(1)?,
        category: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
        description: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
        urgency: CodeList::from_code_or_default(row.get::<_, Option<String>>(4)?.as_deref()),
        building_id: row.get(5)?,
        household_id: row.get(6)?,
        gps,
        address: row.get(10)?,
        source: CodeList::from_code_or_default(row.get::<_, Option<String>>(11)?.as_deref()),
        source_record_id: row.get(12)?,
        residents_involved: json_list(row.get(13)?),
        at: timestamp(row.get(14)?, row.get(15)?),
        photos: json_list(row.get(16)?),
        reporter_id: row.get::<_, Option<String>>(17)?.unwrap_or_default(),
        status: CodeList::from_code_or_default(row.get::<_, Option<String>>(18)?.as_deref()),
        level: i32::try_from(row.get::<_, i64>(19)?).unwrap_or(1),
        assignee: row.get(20)?,
        deadline: deadline_ms.map(|ms| timestamp(Some(ms), row.get(22).ok().flatten())),
        steps: Vec::new(),
        needs_review: row.get(23)?,
        accepted_at: row
            .get::<_, Option<i64>>(24)?
            .map(|ms| timestamp(Some(ms), row.get(15).ok().flatten())),
    })
}

fn step_row(row: &Row) -> rusqlite::Result<EventStep> {
    Ok(EventStep {
        id: row.get(0)?,
        event_id: row.get(1)?,
        action: CodeList::from_code_or_default(row.get::<_, Option<String>>(2)?.as_deref()),
        worker_id: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
        role: WorkerRole::from_code_or_default(row.get::<_, Option<String>>(4)?.as_deref()),
        at: timestamp(row.get(5)?, row.get(6)?),
        comment: row.get(7)?,
        photos: json_list(row.get(8)?),
        assignee: row.get(9)?,
        level: row
            .get::<_, Option<i64>>(10)?
            .and_then(|l| i32::try_from(l).ok()),
        extension: limit(row.get(11)?, row.get(12)?),
        satisfaction: row
            .get::<_, Option<String>>(13)?
            .as_deref()
            .and_then(CodeList::from_code),
        applied: row.get(14)?,
    })
}

/// Events matching `filter` (a condition on `e`), most urgent first, with their steps.
fn events_where(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Event>> {
    let mut events: Vec<Event> = conn
        .prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE {filter}
             ORDER BY e.level DESC, e.urgency = 'urgent' DESC, e.at_ms, e.id"
        ))?
        .query_map(args, event_row)?
        .collect::<rusqlite::Result<_>>()?;
    let mut steps = conn.prepare_cached(
        "SELECT s.id, s.event_id, s.action, s.worker_id, s.role, s.at_ms, s.offset_min, s.comment,
            s.photos, s.assignee, s.level, s.ext_unit, s.ext_amount, s.satisfaction, s.applied
         FROM event_steps s JOIN events e ON e.id = s.event_id AND e.doc_id = s.doc_id
         WHERE s.event_id = ?1 ORDER BY s.position, s.id",
    )?;
    for event in &mut events {
        event.steps = steps
            .query_map([&event.id], step_row)?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(events)
}

const OPEN: &str = "e.status NOT IN ('closed', 'cancelled')";

impl Store {
    /// One event with its derived state and its steps.
    pub fn event(&self, event_id: &str) -> Result<Event> {
        self.read(|conn| {
            events_where(conn, "e.id = ?1", [event_id])?
                .pop()
                .ok_or_else(|| Error::not_found(RecordKind::Event, event_id))
        })
    }

    /// A grid's open events (neither closed nor cancelled), most urgent
    /// first: highest level, then urgent, then oldest.
    pub fn events_open(&self, grid_id: &str) -> Result<Vec<Event>> {
        self.read(|conn| events_where(conn, &format!("e.grid_id = ?1 AND {OPEN}"), [grid_id]))
    }

    /// The open events assigned to a worker (a department's account), most urgent first.
    pub fn events_assigned_to(&self, worker_id: &str) -> Result<Vec<Event>> {
        self.read(|conn| events_where(conn, &format!("e.assignee = ?1 AND {OPEN}"), [worker_id]))
    }

    /// A grid's open events at one whistle level, most urgent first.
    pub fn events_by_level(&self, grid_id: &str, level: i32) -> Result<Vec<Event>> {
        self.read(|conn| {
            events_where(
                conn,
                &format!("e.grid_id = ?1 AND e.level = ?2 AND {OPEN}"),
                params![grid_id, level],
            )
        })
    }

    /// A grid's events with contradicting steps (needs review), most urgent first.
    pub fn events_needing_review(&self, grid_id: &str) -> Result<Vec<Event>> {
        self.read(|conn| events_where(conn, "e.grid_id = ?1 AND e.needs_review = 1", [grid_id]))
    }

    /// A grid's open events whose deadline passed before `now`, the most
    /// overdue first.
    pub fn events_overdue(&self, grid_id: &str, now: Timestamp) -> Result<Vec<Event>> {
        let mut events = self.read(|conn| {
            events_where(
                conn,
                &format!("e.grid_id = ?1 AND e.deadline_ms < ?2 AND {OPEN}"),
                params![grid_id, now.utc_ms],
            )
        })?;
        events.sort_by_key(|e| (e.deadline.map(|d| d.utc_ms), e.at.utc_ms));
        Ok(events)
    }
}
