//! The record kinds, and the registry through which the store's machinery
//! reaches them.
//!
//! Each kind is a module: its records and code lists in `mod.rs`, its edits,
//! its projection into query tables and its queries beside them (see
//! `ARCHITECTURE.md`). This file is the one place that names them all: the
//! `mod` lines, the public types each kind exports (the crate root re-exports
//! this module's), [`REGISTRY`] (what the machinery iterates), [`RecordKind`]
//! (the kinds' names in errors and conflicts) and [`codes`]. Adding a kind
//! touches this file once for each of those.

pub(crate) mod audit;
pub(crate) mod events;
pub(crate) mod patrol;
pub(crate) mod points;
pub(crate) mod roster;
pub(crate) mod visits;

pub use audit::{RevealEntry, RevealReason};
pub use events::{
    Event, EventCategories, EventCategory, EventInput, EventKpis, EventStep, EventStepInput,
    KpiCount, LocalCategoryInput, WhistleLevel, WhistleLevelInput, WhistleLevels,
};
pub use patrol::{Checkin, CheckinInput, PatrolTeam, Shift, ShiftInput, TeamMember};
pub use points::{
    PointsAccount, PointsAward, PointsEntry, PointsExpiring, PointsExpiry, PointsRule,
    PointsRuleInForce, PointsSpending, PointsStanding, Volunteer,
};
pub use roster::{
    Building, BuildingInput, Grid, GridInput, HeadAppointment, HeadPerson, Household,
    HouseholdInput, Resident, ResidentInput, RosterRow, SearchHit, SearchMatch,
};
pub use visits::{
    Finding, FindingInput, HouseholdDetail, MAX_INTERVAL_DAYS, REACHING_OUTCOMES, RouteBuilding,
    RouteHousehold, RouteStairwell, Visit, VisitDue, VisitInput, VisitPolicy, WalkingRoute,
};

use crate::registry::Kind;

/// Every kind the store knows, in the order a document's collections are
/// projected in a rebuild: the roster before the team and the patrol teams
/// that live in the same document.
pub(crate) static REGISTRY: &[&Kind] = &[
    &roster::KIND,
    &crate::store::team::KIND,
    &visits::KIND,
    &patrol::KIND,
    &events::KIND,
    &points::KIND,
    &audit::KIND,
];

/// The code lists of every kind, and the [`CodeList`](crate::code_list::CodeList) trait.
pub mod codes {
    pub use super::audit::{PrivacyAction, RevealPurpose, RevealSubject};
    pub use super::events::{
        EventSource, EventStatus, Satisfaction, StepAction, StepRefusal, Urgency,
    };
    pub use super::points::{PointsAction, PointsEntryKind, VolunteerSource};
    pub use super::roster::{
        CARE_CATEGORIES, DwellingUse, Gender, HouseholdStatus, RELATION_CODES, RELATION_HEAD,
        Registration, ResidenceState, ResidentStatus, is_care_category, is_relation_code,
    };
    pub use super::visits::{FindingKind, Resolution, VisitKind, VisitOutcome};
    pub use crate::calendar::WarningLight;
    pub use crate::code_list::CodeList;
    pub use crate::identity::WorkerRole;
}

/// The kinds of record the store holds, used in errors and in conflicts.
///
/// Its `Display` is the kind in words (`household`, `patrol team`), for
/// error texts; Kotlin's `toString()` and Swift's `description` return it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum), uniffi::export(Display))]
pub enum RecordKind {
    /// A grid (网格).
    Grid,
    /// A building (楼栋).
    Building,
    /// A household (户).
    Household,
    /// A resident (人).
    Resident,
    /// A visit (走访).
    Visit,
    /// A building-head appointment (楼栋长).
    HeadAppointment,
    /// A patrol team.
    PatrolTeam,
    /// A patrol shift.
    Shift,
    /// A patrol check-in.
    Checkin,
    /// A worker of the grid's team.
    Worker,
    /// A grid event (网格事件).
    Event,
    /// A step of a grid event's closed loop.
    EventStep,
    /// A grid's own event category or whistle-level name (its event settings).
    EventCatalogue,
    /// A photo, by its id (the SHA-256 of its bytes).
    Photo,
    /// An entry of a volunteer's points ledger (积分).
    PointsEntry,
    /// A grid's volunteer points rule, by the month it applies from.
    PointsRule,
    /// A volunteer holding points (a talent-pool enrolment in changes).
    Volunteer,
    /// An entry of the reveal log (查阅记录).
    Reveal,
}

impl RecordKind {
    /// The stable lower-case name used in the query tables.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Grid => "grid",
            RecordKind::Building => "building",
            RecordKind::Household => "household",
            RecordKind::Resident => "resident",
            RecordKind::Visit => "visit",
            RecordKind::HeadAppointment => "head_appointment",
            RecordKind::PatrolTeam => "patrol_team",
            RecordKind::Shift => "shift",
            RecordKind::Checkin => "checkin",
            RecordKind::Worker => "worker",
            RecordKind::Event => "event",
            RecordKind::EventStep => "event_step",
            RecordKind::EventCatalogue => "event_catalogue",
            RecordKind::Photo => "photo",
            RecordKind::PointsEntry => "points_entry",
            RecordKind::PointsRule => "points_rule",
            RecordKind::Volunteer => "volunteer",
            RecordKind::Reveal => "reveal",
        }
    }

    /// The inverse of [`RecordKind::as_str`].
    pub fn parse(name: &str) -> Option<RecordKind> {
        [
            RecordKind::Grid,
            RecordKind::Building,
            RecordKind::Household,
            RecordKind::Resident,
            RecordKind::Visit,
            RecordKind::HeadAppointment,
            RecordKind::PatrolTeam,
            RecordKind::Shift,
            RecordKind::Checkin,
            RecordKind::Worker,
            RecordKind::Event,
            RecordKind::EventStep,
            RecordKind::EventCatalogue,
            RecordKind::Photo,
            RecordKind::PointsEntry,
            RecordKind::PointsRule,
            RecordKind::Volunteer,
            RecordKind::Reveal,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == name)
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RecordKind::HeadAppointment => "building-head appointment",
            RecordKind::PatrolTeam => "patrol team",
            RecordKind::Checkin => "check-in",
            RecordKind::EventStep => "event step",
            RecordKind::EventCatalogue => "event category or whistle level",
            RecordKind::PointsEntry => "points entry",
            RecordKind::PointsRule => "points rule",
            RecordKind::Reveal => "reveal-log entry",
            other => other.as_str(),
        })
    }
}
