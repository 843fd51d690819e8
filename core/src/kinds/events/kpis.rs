//! The grid's event KPIs for a period, as grid dashboards and the 12345
//! hotline rules (接诉即办) measure them: response, resolution, on-time and
//! satisfaction, with counts by status, whistle level and category.
//!
//! They count events, never people: no figure here is per worker, and
//! nothing ranks staff (the 2023 rules against "formalism at the
//! fingertips" forbid rankings by time online or by points). To add a KPI,
//! read what it needs in [`facts`] and count it in [`Tally::add`]; a new
//! field of [`EventKpis`] reaches Kotlin and Swift as it is.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::{EventStatus, Satisfaction};
use crate::code_list::CodeList;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::validate::{Date, InvalidReason};

/// How many events have one value (a status, a level, a category).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct KpiCount {
    /// The value: a status or category code, or a level's rank as text.
    pub code: String,
    /// How many events have it.
    pub count: i64,
}

/// A grid's events reported on the local dates `from..=to`, and what became
/// of them. Rates are `None` when nothing was there to measure.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EventKpis {
    /// The grid.
    pub grid_id: String,
    /// The first day of the period (the report's local date).
    pub from: Date,
    /// The last day of the period.
    pub to: Date,
    /// Events reported in the period.
    pub reported: i64,
    /// Of those, responded to by the grid: accepted, sent back or cancelled (响应).
    pub responded: i64,
    /// `responded / reported` (响应率).
    pub response_rate: Option<f64>,
    /// The median time from report to the grid's first response, in minutes.
    pub median_response_minutes: Option<i64>,
    /// Closed (结案 or 自办自结).
    pub closed: i64,
    /// Cancelled (注销): not counted as reported work to resolve.
    pub cancelled: i64,
    /// `closed / (reported - cancelled)` (解决率).
    pub resolution_rate: Option<f64>,
    /// Closed no later than their deadline.
    pub closed_on_time: i64,
    /// `closedOnTime` out of the closed events that have a deadline (按时办结率).
    pub on_time_rate: Option<f64>,
    /// Closes where a resident gave their satisfaction.
    pub rated: i64,
    /// Of those, satisfied or basically satisfied.
    pub satisfied: i64,
    /// `satisfied / rated` (满意率).
    pub satisfaction_rate: Option<f64>,
    /// Events by current status, by code.
    pub by_status: Vec<KpiCount>,
    /// Events by whistle level, by rank.
    pub by_level: Vec<KpiCount>,
    /// Events by category, by code.
    pub by_category: Vec<KpiCount>,
}

/// What the KPIs need of one event.
struct EventFacts {
    reported_on: Date,
    reported_ms: i64,
    status: EventStatus,
    level: i64,
    category: String,
    deadline_ms: Option<i64>,
    responded_ms: Option<i64>,
    closed_ms: Option<i64>,
    satisfaction: Option<Satisfaction>,
}

/// Every event of a grid with its first response and its close, from the
/// applied steps only (a contradicted step moved nothing).
fn facts(conn: &Connection, grid_id: &str) -> Result<Vec<EventFacts>> {
    let mut statement = conn.prepare_cached(
        "SELECT e.at_ms, e.offset_min, e.status, e.level, e.category, e.deadline_ms,
            (SELECT MIN(s.at_ms) FROM event_steps s WHERE s.event_id = e.id AND s.applied = 1
                AND s.action IN ('accept', 'send_back', 'cancel')),
            (SELECT s.at_ms FROM event_steps s WHERE s.event_id = e.id AND s.applied = 1
                AND s.action IN ('close', 'self_resolve') ORDER BY s.position DESC LIMIT 1),
            (SELECT s.satisfaction FROM event_steps s WHERE s.event_id = e.id AND s.applied = 1
                AND s.action IN ('close', 'self_resolve') ORDER BY s.position DESC LIMIT 1)
         FROM events e WHERE e.grid_id = ?1",
    )?;
    let rows = statement.query_map([grid_id], |r| {
        let at_ms: Option<i64> = r.get(0)?;
        let offset: Option<i64> = r.get(1)?;
        let offset = offset.and_then(|o| i32::try_from(o).ok()).unwrap_or(0);
        Ok(EventFacts {
            reported_on: Date::from_unix_millis(at_ms.unwrap_or(0), offset),
            reported_ms: at_ms.unwrap_or(0),
            status: EventStatus::from_code_or_default(r.get::<_, Option<String>>(2)?.as_deref()),
            level: r.get(3)?,
            category: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            deadline_ms: r.get(5)?,
            responded_ms: r.get(6)?,
            closed_ms: r.get(7)?,
            satisfaction: r
                .get::<_, Option<String>>(8)?
                .map(|code| Satisfaction::from_code_or_default(Some(&code))),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The counts as they add up.
#[derive(Default)]
struct Tally {
    reported: i64,
    responded: i64,
    response_minutes: Vec<i64>,
    closed: i64,
    cancelled: i64,
    closed_on_time: i64,
    closed_with_deadline: i64,
    rated: i64,
    satisfied: i64,
    by_status: BTreeMap<String, i64>,
    by_level: BTreeMap<i64, i64>,
    by_category: BTreeMap<String, i64>,
}

impl Tally {
    fn add(&mut self, e: &EventFacts) {
        self.reported += 1;
        if let Some(responded) = e.responded_ms {
            self.responded += 1;
            self.response_minutes
                .push((responded - e.reported_ms).max(0) / 60_000);
        }
        if e.status == EventStatus::Cancelled {
            self.cancelled += 1;
        }
        if let (EventStatus::Closed, Some(closed)) = (e.status, e.closed_ms) {
            self.closed += 1;
            if let Some(deadline) = e.deadline_ms {
                self.closed_with_deadline += 1;
                if closed <= deadline {
                    self.closed_on_time += 1;
                }
            }
            if let Some(satisfaction) = e.satisfaction {
                self.rated += 1;
                if satisfaction != Satisfaction::Dissatisfied {
                    self.satisfied += 1;
                }
            }
        }
        *self
            .by_status
            .entry(e.status.code().to_string())
            .or_default() += 1;
        *self.by_level.entry(e.level).or_default() += 1;
        *self.by_category.entry(e.category.clone()).or_default() += 1;
    }

    fn into_kpis(mut self, grid_id: &str, from: Date, to: Date) -> EventKpis {
        self.response_minutes.sort_unstable();
        let median = (!self.response_minutes.is_empty())
            .then(|| {
                self.response_minutes
                    .get(self.response_minutes.len() / 2)
                    .copied()
            })
            .flatten();
        let counts = |map: BTreeMap<String, i64>| {
            map.into_iter()
                .map(|(code, count)| KpiCount { code, count })
                .collect()
        };
        EventKpis {
            grid_id: grid_id.to_string(),
            from,
            to,
            reported: self.reported,
            responded: self.responded,
            response_rate: rate(self.responded, self.reported),
            median_response_minutes: median,
            closed: self.closed,
            cancelled: self.cancelled,
            resolution_rate: rate(self.closed, self.reported - self.cancelled),
            closed_on_time: self.closed_on_time,
            on_time_rate: rate(self.closed_on_time, self.closed_with_deadline),
            rated: self.rated,
            satisfied: self.satisfied,
            satisfaction_rate: rate(self.satisfied, self.rated),
            by_status: counts(self.by_status),
            by_level: counts(
                self.by_level
                    .into_iter()
                    .map(|(level, count)| (level.to_string(), count))
                    .collect(),
            ),
            by_category: counts(self.by_category),
        }
    }
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    // Counts of one grid's events are far below 2^52: exact as f64.
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Store {
    /// The event KPIs of a grid for the events reported on the local dates
    /// `from..=to` (a week, a month, a quarter): counts and rates of
    /// response, resolution, on-time closing and satisfaction, and the
    /// events by status, level and category. Per grid, never per worker.
    pub fn event_kpis(&self, grid_id: &str, from: Date, to: Date) -> Result<EventKpis> {
        if to < from {
            return Err(Error::invalid("to", InvalidReason::EndsBeforeStart));
        }
        let events = self.read(|conn| facts(conn, grid_id))?;
        let mut tally = Tally::default();
        for event in events
            .iter()
            .filter(|e| e.reported_on >= from && e.reported_on <= to)
        {
            tally.add(event);
        }
        Ok(tally.into_kpis(grid_id, from, to))
    }
}
