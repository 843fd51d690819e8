//! Which households are due for a visit: the door-knocking plan of a day.
//!
//! A [`VisitPolicy`] gives each care category (独居老人, 留守儿童 …) the
//! most days that may pass between two visits that reached the household,
//! and one interval for every other household (the routine 敲门扫楼 round).
//! A household's interval is the shortest of its active members'
//! categories; it is due on the local date of its last reaching visit plus
//! that interval, or at once if no visit ever reached it.
//!
//! A visit *reaches* a household when someone was met, or when it found
//! the dwelling vacant or the household gone (there is nobody left to
//! visit, and the worker's next step is a move-out, not another knock).
//! "Nobody home" and "refused" leave the household due: those are exactly
//! the households a worker must try again.
//!
//! To change what counts, edit [`REACHING_OUTCOMES`]; to add a field to the
//! plan, select it in `visits_due`'s SQL. The defaults follow the tiers in
//! the national and provincial guidance (high-risk elders weekly, other
//! care groups monthly, everyone else quarterly); apps let the grid head
//! override them.

use std::collections::BTreeMap;

use rusqlite::params_from_iter;

use super::VisitOutcome;
use crate::code_list::CodeList;
use crate::error::{Error, Result};
use crate::kinds::roster::{CARE_CATEGORIES, Household, RosterRow, is_care_category};
use crate::store::Store;
use crate::validate::{self, Date, InvalidReason};
use crate::values::Timestamp;

/// The outcomes after which a household counts as visited.
pub const REACHING_OUTCOMES: [VisitOutcome; 3] = [
    VisitOutcome::Met,
    VisitOutcome::Vacant,
    VisitOutcome::MovedAway,
];

/// The longest interval a policy accepts, in days (a year and a day).
pub const MAX_INTERVAL_DAYS: i32 = 366;

/// How often households must be visited.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VisitPolicy {
    /// Days between visits for a household with no member in a listed care
    /// category; `None` leaves such households out of the plan.
    pub general_interval_days: Option<i32>,
    /// Days between visits for a household with an active member in the
    /// category, by category code. Categories not listed fall back to the
    /// general interval.
    pub category_interval_days: BTreeMap<String, i32>,
}

impl Default for VisitPolicy {
    /// Weekly for elders living alone and disabled or demented elders,
    /// monthly for the other built-in care categories except veterans
    /// (quarterly), quarterly for everyone else.
    fn default() -> Self {
        let days = |category: &str| match category {
            "elderly_alone" | "disabled_elderly" => 7,
            "veteran" => 90,
            _ => 30,
        };
        VisitPolicy {
            general_interval_days: Some(90),
            category_interval_days: CARE_CATEGORIES
                .iter()
                .map(|(code, _)| (code.to_string(), days(code)))
                .collect(),
        }
    }
}

impl VisitPolicy {
    /// Checks every interval (1 to [`MAX_INTERVAL_DAYS`]) and category code.
    pub fn validate(&self) -> Result<()> {
        let in_range = |days: i32| (1..=MAX_INTERVAL_DAYS).contains(&days);
        if let Some(days) = self.general_interval_days
            && !in_range(days)
        {
            return Err(Error::invalid(
                "general_interval_days",
                InvalidReason::OutOfRange,
            ));
        }
        for (category, &days) in &self.category_interval_days {
            validate::code(category, 40).map_err(|reason| Error::invalid("category", reason))?;
            if !is_care_category(category) {
                return Err(Error::invalid("category", InvalidReason::UnknownCode));
            }
            if !in_range(days) {
                return Err(Error::invalid(
                    "category_interval_days",
                    InvalidReason::OutOfRange,
                ));
            }
        }
        Ok(())
    }

    /// The interval of a household whose active members are in `categories`,
    /// or `None` if the policy does not plan it.
    pub fn interval_for(&self, categories: &[String]) -> Option<i32> {
        categories
            .iter()
            .filter_map(|c| self.category_interval_days.get(c).copied())
            .min()
            .or(self.general_interval_days)
    }
}

/// A household due for a visit.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VisitDue {
    /// The household.
    pub household: Household,
    /// Its active members.
    pub member_count: i32,
    /// The care categories of its active members, sorted.
    pub care_categories: Vec<String>,
    /// The days allowed between visits, from the policy.
    pub interval_days: i32,
    /// Its latest visit of any outcome (a failed knock shows here).
    pub last_visit: Option<Timestamp>,
    /// The local date of its latest visit that reached it.
    pub last_reached_on: Option<Date>,
    /// The date it fell due; `None` if no visit ever reached it.
    pub due_on: Option<Date>,
    /// Days from the due date to today (0 when due today or never reached).
    pub days_overdue: i32,
}

impl Store {
    /// The active households of a grid that are due for a visit on `today`
    /// under `policy`, most urgent first: never reached, then by due date,
    /// then by the shorter interval, then in roster order.
    pub fn visits_due(
        &self,
        grid_id: &str,
        today: Date,
        policy: &VisitPolicy,
    ) -> Result<Vec<VisitDue>> {
        policy.validate()?;
        // The outcome codes follow the grid id as ?2, ?3 …, however many there are.
        let outcomes: Vec<String> = (0..REACHING_OUTCOMES.len())
            .map(|i| format!("?{}", i + 2))
            .collect();
        let bound = std::iter::once(grid_id).chain(REACHING_OUTCOMES.iter().map(|o| o.code()));
        let candidates = self.read(|conn| {
            let sql = format!(
                "SELECT {columns}, h.member_count, h.last_visit_ms, h.last_visit_offset,
                    (SELECT group_concat(category) FROM (
                        SELECT DISTINCT c.category FROM residents r
                        JOIN resident_care c ON c.resident_id = r.id
                        WHERE r.household_id = h.id AND r.status = 'active'
                        ORDER BY c.category)),
                    (SELECT v.local_date FROM visits v
                     WHERE v.household_id = h.id AND v.outcome IN ({outcomes})
                     ORDER BY v.at_ms DESC, v.id DESC LIMIT 1)
                 FROM households h
                 WHERE h.grid_id = ?1 AND h.status = 'active'
                 ORDER BY h.building_key, h.unit_key, h.floor, h.room_key, h.id",
                columns = crate::kinds::roster::query::HOUSEHOLD_COLUMNS,
                outcomes = outcomes.join(", "),
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params_from_iter(bound), |r| {
                let categories: Option<String> = r.get(17)?;
                let reached: Option<String> = r.get(18)?;
                Ok(Candidate {
                    row: crate::kinds::roster::query::roster_row(r)?,
                    care_categories: categories
                        .map(|c| c.split(',').map(str::to_string).collect())
                        .unwrap_or_default(),
                    last_reached_on: reached.and_then(|d| Date::parse(&d).ok()),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        Ok(plan(candidates, today, policy))
    }
}

/// A household of the grid before the policy is applied.
struct Candidate {
    row: RosterRow,
    care_categories: Vec<String>,
    last_reached_on: Option<Date>,
}

/// Applies the policy to households in roster order: keeps those due by
/// `today` and sorts them by urgency (the sort is stable, so roster order
/// breaks the remaining ties).
fn plan(candidates: Vec<Candidate>, today: Date, policy: &VisitPolicy) -> Vec<VisitDue> {
    let mut due: Vec<VisitDue> = candidates
        .into_iter()
        .filter_map(|c| {
            let interval_days = policy.interval_for(&c.care_categories)?;
            let due_on = c
                .last_reached_on
                .map(|d| d.add_days(i64::from(interval_days)));
            let days_overdue = match due_on {
                Some(d) if d > today => return None,
                Some(d) => today.days_since_epoch() - d.days_since_epoch(),
                None => 0,
            };
            Some(VisitDue {
                household: c.row.household,
                member_count: c.row.member_count,
                care_categories: c.care_categories,
                interval_days,
                last_visit: c.row.last_visit,
                last_reached_on: c.last_reached_on,
                due_on,
                days_overdue: i32::try_from(days_overdue).unwrap_or(i32::MAX),
            })
        })
        .collect();
    due.sort_by_key(|d| (d.due_on.is_some(), d.due_on, d.interval_days));
    due
}
