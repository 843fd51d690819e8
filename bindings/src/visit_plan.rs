//! The door-knocking plan: which households are due for a visit today
//! ([`Store::visits_due`]) under a [`VisitPolicy`]. The rules live in the
//! core (`gridbook::VisitPolicy`); this module only mirrors its types.

use std::collections::HashMap;

use crate::error::Result;
use crate::records::{Household, LocalTime, parse_date};
use crate::store::{Store, collect};

/// How often households must be visited, in days between visits that
/// reached the household (someone met, or the dwelling found vacant or
/// left). Intervals are 1 to 366 days.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VisitPolicy {
    /// Days between visits for a household with no member in a listed care
    /// category; null leaves such households out of the plan.
    pub general_interval_days: Option<u32>,
    /// Days between visits by care category code (`elderly_alone` …); a
    /// household takes the shortest interval among its active members.
    pub category_interval_days: HashMap<String, u32>,
}

impl From<VisitPolicy> for gridbook::VisitPolicy {
    fn from(p: VisitPolicy) -> Self {
        gridbook::VisitPolicy {
            general_interval_days: p.general_interval_days,
            category_interval_days: p.category_interval_days.into_iter().collect(),
        }
    }
}

impl From<gridbook::VisitPolicy> for VisitPolicy {
    fn from(p: gridbook::VisitPolicy) -> Self {
        VisitPolicy {
            general_interval_days: p.general_interval_days,
            category_interval_days: p.category_interval_days.into_iter().collect(),
        }
    }
}

/// The built-in policy: weekly for elders living alone and disabled or
/// demented elders, quarterly for veterans and for households without a
/// care category, monthly for the other care categories.
#[uniffi::export]
pub fn default_visit_policy() -> VisitPolicy {
    gridbook::VisitPolicy::default().into()
}

/// A household due for a visit.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct VisitDue {
    /// The household.
    pub household: Household,
    /// Its active members.
    pub member_count: u32,
    /// The care categories of its active members, sorted.
    pub care_categories: Vec<String>,
    /// The days allowed between visits under the policy.
    pub interval_days: u32,
    /// Its latest visit of any outcome (a failed knock shows here).
    pub last_visit: Option<LocalTime>,
    /// The local date (`YYYY-MM-DD`) of its latest visit that reached it.
    pub last_reached_on: Option<String>,
    /// The date (`YYYY-MM-DD`) it fell due; null if no visit ever reached it.
    pub due_on: Option<String>,
    /// Days from `due_on` to today (0 when due today or never reached).
    pub days_overdue: u32,
}

impl From<gridbook::VisitDue> for VisitDue {
    fn from(d: gridbook::VisitDue) -> Self {
        VisitDue {
            household: d.household.into(),
            member_count: d.member_count,
            care_categories: d.care_categories,
            interval_days: d.interval_days,
            last_visit: d.last_visit.map(Into::into),
            last_reached_on: d.last_reached_on.map(|d| d.to_string()),
            due_on: d.due_on.map(|d| d.to_string()),
            days_overdue: d.days_overdue,
        }
    }
}

#[uniffi::export]
impl Store {
    /// The active households of a grid due for a visit on `today`
    /// (`YYYY-MM-DD`, the phone's local date), most urgent first: never
    /// reached, then the longest overdue, then the shorter interval, then in
    /// roster order. `policy` null means [`default_visit_policy`].
    pub fn visits_due(
        &self,
        grid_id: String,
        today: String,
        policy: Option<VisitPolicy>,
    ) -> Result<Vec<VisitDue>> {
        let today = parse_date("today", &today)?;
        let policy = policy.map(Into::into).unwrap_or_default();
        Ok(collect(self.inner.visits_due(&grid_id, today, &policy)?))
    }
}
