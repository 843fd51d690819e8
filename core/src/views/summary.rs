//! The grid summary (网格概况): counts by code of what a grid holds, for
//! the grid head's weekly meeting and the street's monthly check. Counts
//! only: no name, address, phone or ID number, and nothing per worker.
//!
//! - households by dwelling use (active households: a moved-out
//!   household's use is history) and by status (all households);
//! - residents by registration kind and by care category (active
//!   residents; a resident counts once in each category they hold);
//! - visits by outcome, all time and in the month of `today` (its first
//!   day to `today`, by the visit's local date);
//! - events by whistle level and by status, all time, as they stand now.
//!
//! Every list holds every value of its code list in display order, zeros
//! included, so two summaries line up; a code this build does not know
//! counts as the list's fallback, as everywhere else. Levels are ranks 1
//! to 3, and any other rank an event holds is added after them.
//! [`Store::grid_summary_json`] writes the same as JSON: camelCase keys,
//! and each list an object from the stable code (a level's rank as text)
//! to its count.
//!
//! To add a count: a field and its count record here, its query in
//! [`Store::grid_summary`], and the record in the `Keyed` impls below so
//! that the JSON writes it.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::{Serialize, Serializer};

use super::grid_exists;
use crate::code_list::CodeList;
use crate::error::{Error, Result};
use crate::kinds::codes::CARE_CATEGORIES;
use crate::kinds::codes::{DwellingUse, EventStatus, HouseholdStatus, Registration, VisitOutcome};
use crate::store::Store;
use crate::validate::Date;

/// Households with one dwelling use.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DwellingUseCount {
    /// The use.
    pub use_kind: DwellingUse,
    /// How many active households have it.
    pub count: i64,
}

/// Households with one status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HouseholdStatusCount {
    /// The status.
    pub status: HouseholdStatus,
    /// How many households have it.
    pub count: i64,
}

/// Active residents with one registration kind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RegistrationCount {
    /// The registration kind.
    pub registration: Registration,
    /// How many active residents have it.
    pub count: i64,
}

/// Active residents in one care category.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CareCount {
    /// The care category's code.
    pub category: String,
    /// How many active residents are in it.
    pub count: i64,
}

/// Visits with one outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VisitOutcomeCount {
    /// The outcome.
    pub outcome: VisitOutcome,
    /// How many visits had it.
    pub count: i64,
}

/// Events at one whistle level.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EventLevelCount {
    /// The level's rank, 1 (routine) to 3.
    pub level: i32,
    /// How many events stand at it.
    pub count: i64,
}

/// Events in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EventStatusCount {
    /// The status.
    pub status: EventStatus,
    /// How many events are in it.
    pub count: i64,
}

/// A grid's counts by code (see the module docs for what each counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GridSummary {
    /// The grid.
    pub grid_id: String,
    /// The day the summary is for.
    #[serde(serialize_with = "as_text")]
    pub today: Date,
    /// The first day of its month, where the month's visits start.
    #[serde(serialize_with = "as_text")]
    pub month_from: Date,
    /// Active households by dwelling use.
    #[serde(serialize_with = "by_code")]
    pub households_by_use: Vec<DwellingUseCount>,
    /// All households by status.
    #[serde(serialize_with = "by_code")]
    pub households_by_status: Vec<HouseholdStatusCount>,
    /// Active residents by registration kind.
    #[serde(serialize_with = "by_code")]
    pub residents_by_registration: Vec<RegistrationCount>,
    /// Active residents by care category, in the catalogue's order.
    #[serde(serialize_with = "by_code")]
    pub residents_by_care: Vec<CareCount>,
    /// Visits by outcome, all time.
    #[serde(serialize_with = "by_code")]
    pub visits_by_outcome: Vec<VisitOutcomeCount>,
    /// Visits by outcome from the first of the month to the day, inclusive.
    #[serde(serialize_with = "by_code")]
    pub visits_by_outcome_this_month: Vec<VisitOutcomeCount>,
    /// Events by their current whistle level.
    #[serde(serialize_with = "by_code")]
    pub events_by_level: Vec<EventLevelCount>,
    /// Events by their current status.
    #[serde(serialize_with = "by_code")]
    pub events_by_status: Vec<EventStatusCount>,
}

/// A count record's stable code and count, for the JSON.
trait Keyed {
    fn key(&self) -> String;
    fn count(&self) -> i64;
}

macro_rules! keyed {
    ($record:ty, |$r:ident| $key:expr) => {
        impl Keyed for $record {
            fn key(&self) -> String {
                let $r = self;
                $key
            }
            fn count(&self) -> i64 {
                self.count
            }
        }
    };
}

keyed!(DwellingUseCount, |r| r.use_kind.code().to_string());
keyed!(HouseholdStatusCount, |r| r.status.code().to_string());
keyed!(RegistrationCount, |r| r.registration.code().to_string());
keyed!(CareCount, |r| r.category.clone());
keyed!(VisitOutcomeCount, |r| r.outcome.code().to_string());
keyed!(EventLevelCount, |r| r.level.to_string());
keyed!(EventStatusCount, |r| r.status.code().to_string());

/// Writes a list of counts as an object from code to count, in list order.
fn by_code<S: Serializer, T: Keyed>(items: &[T], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_map(items.iter().map(|i| (i.key(), i.count())))
}

fn as_text<S: Serializer>(date: &Date, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(date)
}

/// `(code, count)` rows of a `GROUP BY` query.
fn grouped(conn: &Connection, sql: &str, args: &[&str]) -> Result<BTreeMap<String, i64>> {
    Ok(conn
        .prepare_cached(sql)?
        .query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get(1)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every value of a code list with its count; unknown codes add to the fallback.
fn per_value<T: CodeList + Ord>(counts: BTreeMap<String, i64>) -> Vec<(T, i64)> {
    let mut by_value: BTreeMap<T, i64> = T::ALL.iter().map(|v| (*v, 0)).collect();
    for (code, count) in counts {
        *by_value
            .entry(T::from_code_or_default(Some(&code)))
            .or_default() += count;
    }
    // Display order, the order of `ALL`.
    T::ALL
        .iter()
        .map(|v| (*v, by_value.get(v).copied().unwrap_or(0)))
        .collect()
}

impl Store {
    /// A grid's counts by code: households by use and status, residents by
    /// registration and care category, visits by outcome (all time and in
    /// the month of `today`), events by level and status. See the module docs.
    pub fn grid_summary(&self, grid_id: &str, today: Date) -> Result<GridSummary> {
        let month_from = Date::new(today.year(), today.month(), 1).unwrap_or(today);
        let (first, last) = (month_from.to_string(), today.to_string());
        self.read(|conn| {
            grid_exists(conn, grid_id)?;
            let g = &[grid_id];
            let uses = grouped(
                conn,
                "SELECT use_kind, count(*) FROM households
                 WHERE grid_id = ?1 AND status = 'active' GROUP BY use_kind",
                g,
            )?;
            let statuses = grouped(
                conn,
                "SELECT status, count(*) FROM households WHERE grid_id = ?1 GROUP BY status",
                g,
            )?;
            let registrations = grouped(
                conn,
                "SELECT registration, count(*) FROM residents
                 WHERE grid_id = ?1 AND status = 'active' GROUP BY registration",
                g,
            )?;
            let care = grouped(
                conn,
                "SELECT c.category, count(*) FROM resident_care c
                 JOIN residents r ON r.id = c.resident_id
                 WHERE c.grid_id = ?1 AND r.status = 'active' GROUP BY c.category",
                g,
            )?;
            // One pass over the visits counts both: all time, and this month.
            let (mut outcomes, mut month) = (BTreeMap::new(), BTreeMap::new());
            let mut visits = conn.prepare_cached(
                "SELECT outcome, count(*), coalesce(sum(local_date BETWEEN ?2 AND ?3), 0)
                 FROM visits WHERE grid_id = ?1 GROUP BY outcome",
            )?;
            let mut rows = visits.query(rusqlite::params![grid_id, first, last])?;
            while let Some(row) = rows.next()? {
                let code = row.get::<_, Option<String>>(0)?.unwrap_or_default();
                month.insert(code.clone(), row.get::<_, i64>(2)?);
                outcomes.insert(code, row.get::<_, i64>(1)?);
            }
            let levels = grouped(
                conn,
                "SELECT CAST(level AS TEXT), count(*) FROM events WHERE grid_id = ?1 GROUP BY level",
                g,
            )?;
            let events = grouped(
                conn,
                "SELECT status, count(*) FROM events WHERE grid_id = ?1 GROUP BY status",
                g,
            )?;
            Ok(GridSummary {
                grid_id: grid_id.to_string(),
                today,
                month_from,
                households_by_use: per_value(uses)
                    .into_iter()
                    .map(|(use_kind, count)| DwellingUseCount { use_kind, count })
                    .collect(),
                households_by_status: per_value(statuses)
                    .into_iter()
                    .map(|(status, count)| HouseholdStatusCount { status, count })
                    .collect(),
                residents_by_registration: per_value(registrations)
                    .into_iter()
                    .map(|(registration, count)| RegistrationCount {
                        registration,
                        count,
                    })
                    .collect(),
                residents_by_care: care_counts(care),
                visits_by_outcome: outcome_counts(outcomes),
                visits_by_outcome_this_month: outcome_counts(month),
                events_by_level: level_counts(levels),
                events_by_status: per_value(events)
                    .into_iter()
                    .map(|(status, count)| EventStatusCount { status, count })
                    .collect(),
            })
        })
    }

    /// [`Store::grid_summary`] as JSON: camelCase keys, each list an
    /// object from the stable code (a level's rank as text) to its count.
    pub fn grid_summary_json(&self, grid_id: &str, today: Date) -> Result<String> {
        let summary = self.grid_summary(grid_id, today)?;
        serde_json::to_string(&summary).map_err(|e| Error::document("summary", e))
    }
}

fn outcome_counts(counts: BTreeMap<String, i64>) -> Vec<VisitOutcomeCount> {
    per_value(counts)
        .into_iter()
        .map(|(outcome, count)| VisitOutcomeCount { outcome, count })
        .collect()
}

/// Every catalogue category, then any other code residents hold.
fn care_counts(mut counts: BTreeMap<String, i64>) -> Vec<CareCount> {
    let mut list: Vec<CareCount> = CARE_CATEGORIES
        .iter()
        .map(|(code, _)| CareCount {
            category: (*code).to_string(),
            count: counts.remove(*code).unwrap_or(0),
        })
        .collect();
    list.extend(
        counts
            .into_iter()
            .map(|(category, count)| CareCount { category, count }),
    );
    list
}

/// Ranks 1 to 3, then any other rank held, in rank order.
fn level_counts(counts: BTreeMap<String, i64>) -> Vec<EventLevelCount> {
    let mut by_rank: BTreeMap<i32, i64> = (1..=3).map(|rank| (rank, 0)).collect();
    for (rank, count) in counts {
        if let Ok(rank) = rank.parse::<i32>() {
            *by_rank.entry(rank).or_default() += count;
        }
    }
    by_rank
        .into_iter()
        .map(|(level, count)| EventLevelCount { level, count })
        .collect()
}
