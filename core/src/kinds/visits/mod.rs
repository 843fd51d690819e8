//! Visits (走访, 敲门扫楼): a worker's door-knocking log with findings and
//! a GPS fix, in the visit document of the visit's grid and calendar
//! quarter, `visits/<grid>/<YYYY>Q<n>`, so the document being written stays
//! small however many years of visits a grid has.
//!
//! - this file: the records with their conversion back to inputs
//!   (`to_input`, for amending), the code lists and the stored form;
//! - `edit.rs`: logging and amending;
//! - `tables.rs`: the `visits` table written from the documents, and the reads;
//! - `plan.rs`: which households are due a visit;
//! - `route.rs`: the day's walking route through them.
//!
//! To add a field: add it to the records here and to [`StoredVisit`] with
//! `#[serde(default)]` (entries written by older builds must still read),
//! fill it in `edit.rs`, and project and read it in `tables.rs` with its
//! column in a new migration. A field of an input that is optional gets a
//! uniffi default; `to_input` lists every field of the input, so the
//! compiler asks for the new one there.

use serde::{Deserialize, Serialize};

use crate::code_list::code_enum;
use crate::kinds::RecordKind;
use crate::kinds::roster::{Household, Resident};
use crate::registry::{Collection, DocSpec, Kind, Partition};
use crate::values::{GpsFix, Timestamp};

mod edit;
mod plan;
mod route;
mod tables;

/// The visit documents: one per grid and calendar quarter.
pub(crate) static VISITS_DOC: DocSpec = DocSpec {
    name: "visits",
    partition: Partition::Quarter,
    genesis: &["visits"],
};

/// The visits' registration.
pub(crate) static KIND: Kind = Kind {
    docs: &[&VISITS_DOC],
    collections: &[Collection::entries(
        RecordKind::Visit,
        "visits",
        tables::project_visit,
        tables::project_all_visits,
    )],
    // Who made a visit.
    author_fields: &["worker_id"],
    entry_checks: &[],
    refresh_on_open: None,
    tables: &["visits"],
};

pub use plan::{MAX_INTERVAL_DAYS, REACHING_OUTCOMES, VisitDue, VisitPolicy};
pub use route::{RouteBuilding, RouteHousehold, RouteStairwell, WalkingRoute};

/// One finding of a visit: a request or a problem.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FindingInput {
    /// The finding's id when amending an existing one; `None` for a new one.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<String>,
    /// Request or problem.
    pub kind: FindingKind,
    /// What was found.
    pub text: String,
    /// Solved on the spot, escalated or open.
    pub resolution: Resolution,
}

/// A visit (走访) to log or amend.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VisitInput {
    /// The household visited.
    pub household_id: String,
    /// When.
    pub at: Timestamp,
    /// Why.
    pub kind: VisitKind,
    /// What happened at the door.
    pub outcome: VisitOutcome,
    /// The residents seen (ids of the household's residents).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub residents_seen: Vec<String>,
    /// Notes.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub notes: Option<String>,
    /// Requests and problems found.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub findings: Vec<FindingInput>,
    /// Where the phone was.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub gps: Option<GpsFix>,
}

/// A finding as stored.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Finding {
    /// The finding's id within its visit.
    pub id: String,
    /// Request or problem.
    pub kind: FindingKind,
    /// What was found.
    pub text: String,
    /// What became of it.
    pub resolution: Resolution,
}

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Finding {
    /// This finding as an input of `Store.amendVisit`, keeping its id so the
    /// amendment updates it instead of adding a new one.
    pub fn to_input(&self) -> FindingInput {
        FindingInput {
            id: Some(self.id.clone()),
            kind: self.kind,
            text: self.text.clone(),
            resolution: self.resolution,
        }
    }
}

/// A visit as stored.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Visit {
    /// The visit's id.
    pub id: String,
    /// The grid.
    pub grid_id: String,
    /// The household.
    pub household_id: String,
    /// The worker who made it.
    pub worker_id: String,
    /// When.
    pub at: Timestamp,
    /// Why.
    pub kind: VisitKind,
    /// What happened at the door.
    pub outcome: VisitOutcome,
    /// The residents seen, sorted.
    pub residents_seen: Vec<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Findings, by id.
    pub findings: Vec<Finding>,
    /// Where the phone was.
    pub gps: Option<GpsFix>,
}

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Visit {
    /// This visit as the input `Store.amendVisit` takes, its findings with
    /// their ids: change the fields to amend and pass it back; passed
    /// unchanged it changes nothing.
    pub fn to_input(&self) -> VisitInput {
        VisitInput {
            household_id: self.household_id.clone(),
            at: self.at,
            kind: self.kind,
            outcome: self.outcome,
            residents_seen: self.residents_seen.clone(),
            notes: self.notes.clone(),
            findings: self.findings.iter().map(Finding::to_input).collect(),
            gps: self.gps,
        }
    }
}

/// A household with its members and visits, newest visit first.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HouseholdDetail {
    /// The household.
    pub household: Household,
    /// All its residents, active first.
    pub members: Vec<Resident>,
    /// Its visits, newest first.
    pub visits: Vec<Visit>,
}

/// A finding as stored inside a visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredFinding {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) text: String,
    pub(crate) resolution: String,
}

/// A visit as stored in `visits/<grid>/<quarter>` under `visits/<id>`: one
/// entry (see `entries.rs`), written once by the worker who made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredVisit {
    pub(crate) household_id: String,
    pub(crate) worker_id: String,
    pub(crate) at_ms: i64,
    pub(crate) offset_min: i32,
    pub(crate) kind: String,
    pub(crate) outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) notes: Option<String>,
    /// `[lon, lat, accuracy_m]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) gps: Option<[f64; 3]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) seen: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) findings: Vec<StoredFinding>,
}

code_enum!(
    /// Why a visit was made.
    VisitKind, fallback Routine, {
        /// Routine door-knock (敲门扫楼).
        Routine = "routine", "敲门扫楼";
        /// Follow-up of an earlier finding (回访).
        FollowUp = "follow_up", "回访";
        /// Care visit for a resident in a care category (关爱探访).
        SpecialCare = "special_care", "关爱探访";
        /// Survey or census (专项调查).
        Survey = "survey", "专项调查";
    }
);

code_enum!(
    /// What happened at the door.
    VisitOutcome, fallback Met, {
        /// Someone was met (见面).
        Met = "met", "见面";
        /// Nobody answered (未遇).
        NobodyHome = "nobody_home", "无人在家";
        /// The household declined (拒访).
        Refused = "refused", "拒访";
        /// The dwelling is empty (空置).
        Vacant = "vacant", "空置";
        /// The household has moved away (已搬离).
        MovedAway = "moved_away", "已搬离";
    }
);

code_enum!(
    /// What a visit found.
    FindingKind, fallback Problem, {
        /// A resident's request (诉求).
        Request = "request", "诉求";
        /// A problem or hazard (问题隐患).
        Problem = "problem", "问题隐患";
    }
);

code_enum!(
    /// What became of a finding.
    Resolution, fallback Open, {
        /// Solved on the spot (当场解决).
        SolvedOnSite = "solved_on_site", "当场解决";
        /// Escalated to the street or district (上报).
        Escalated = "escalated", "上报";
        /// Still open, to follow up.
        Open = "open", "待跟进";
    }
);
