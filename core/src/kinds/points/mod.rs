//! Volunteer points (志愿服务积分): an append-only ledger per grid, for the
//! grid's volunteers only: building heads and patrol volunteers of the team,
//! patrol-team members who are not paid staff, and residents enrolled in
//! the community talent pool (社区人才库). Paid staff (grid head,
//! assistants, the police officer, departments) never hold points.
//!
//! Where points come from:
//! - **service**: a volunteer's own patrol check-ins. A member's first and
//!   last check-in on a shift (签到, 签退) bound their service on it, clipped
//!   to the shift's planned hours; a month's service minutes become points
//!   by the grid's rule for that month ([`PointsRule`], default 60 minutes =
//!   1 point), rounded down once per month. These lines are derived when
//!   read, never written, so no two phones can enter them twice and a
//!   check-in arriving late by sync counts;
//! - **awards**: entries the grid head writes, with a reason;
//! - **spending**: entries of an exchange (goods, services), refused on the
//!   phone beyond the balance and never reversed.
//!
//! A balance is the sum of the lines, minus what expired: each month's
//! service and each award is a lot with an expiry by the rule in force when
//! it was earned (year end, after N years, or never), and spending uses the
//! lots that expire first (`ledger.rs`). Entries are keyed by random ids, so
//! concurrent awards from two phones both stand and add up.
//!
//! The files: this one (records, document, registration); `ledger.rs` the
//! pure arithmetic of lots; `service.rs` service minutes and who is a
//! volunteer; `edit.rs` the writes; `tables.rs` projection and reads;
//! `push.rs` the sync server's role checks. To add an entry kind: a value
//! in [`PointsEntryKind`], its write in `edit.rs`, its role in `push.rs`,
//! and its sign in `ledger.rs`.

use serde::{Deserialize, Serialize};

use crate::code_list::code_enum;
use crate::kinds::RecordKind;
use crate::registry::{Collection, DocSpec, EntryCheck, Kind, Partition};
use crate::validate::Date;

mod edit;
mod ledger;
mod push;
mod service;
mod tables;

/// The points document: one per grid. The genesis maps are frozen once shipped.
pub(crate) static POINTS_DOC: DocSpec = DocSpec {
    name: "points",
    partition: Partition::Grid,
    genesis: &["points_entries", "points_rules", "talent_pool"],
};

/// The points' registration.
pub(crate) static KIND: Kind = Kind {
    docs: &[&POINTS_DOC],
    collections: &[
        Collection::entries(
            RecordKind::PointsEntry,
            "points_entries",
            tables::project_entry,
            tables::project_all_entries,
        ),
        Collection::entries(
            RecordKind::PointsRule,
            "points_rules",
            tables::project_rule,
            tables::project_all_rules,
        ),
        Collection::entries(
            RecordKind::Volunteer,
            "talent_pool",
            tables::project_enrolment,
            tables::project_all_enrolments,
        ),
    ],
    // Who wrote an entry, a rule or an enrolment.
    author_fields: &["recorded_by"],
    entry_checks: &[
        EntryCheck {
            doc: &POINTS_DOC,
            collection: "points_entries",
            check: push::check_pushed_entry,
        },
        EntryCheck {
            doc: &POINTS_DOC,
            collection: "points_rules",
            check: push::check_pushed_rule,
        },
        EntryCheck {
            doc: &POINTS_DOC,
            collection: "talent_pool",
            check: push::check_pushed_enrolment,
        },
    ],
    refresh_on_open: None,
    tables: &["points_entries", "points_rules", "talent_pool"],
};

code_enum!(
    /// What a line of a volunteer's points ledger is.
    PointsEntryKind, fallback Award, {
        /// A month's service on patrol shifts, derived from check-ins (服务积分).
        Service = "service", "服务积分";
        /// Points the grid head awarded, with a reason (奖励积分).
        Award = "award", "奖励积分";
        /// Points exchanged for goods or services (兑换).
        Spend = "spend", "兑换";
        /// Points that reached their expiry unspent (过期).
        Expiry = "expiry", "过期";
    }
);

code_enum!(
    /// What a worker does to the points ledger, for the check of who may.
    PointsAction, fallback Award, {
        /// Award points (the grid head).
        Award = "award", "奖励积分";
        /// Record an exchange (the grid head or an assistant).
        Spend = "spend", "兑换积分";
        /// Set the grid's points rule (the grid head).
        SetRule = "set_rule", "设置积分规则";
        /// Enrol a resident in the talent pool or withdraw one (the grid
        /// head or an assistant).
        Enrol = "enrol", "登记人才库";
    }
);

code_enum!(
    /// Why someone holds volunteer points.
    VolunteerSource, fallback TeamMember, {
        /// A worker of the team with the building-head role (楼栋长).
        BuildingHead = "building_head", "楼栋长";
        /// A worker of the team with the patrol-volunteer role (巡逻志愿者).
        PatrolVolunteer = "patrol_volunteer", "巡逻志愿者";
        /// A patrol-team member who is not a worker of the team.
        TeamMember = "team_member", "巡逻队员";
        /// A resident enrolled in the community talent pool (社区人才库).
        TalentPool = "talent_pool", "社区人才库";
    }
);

/// When earned points expire, as the grid's rule says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PointsExpiry {
    /// At the end of the calendar year they were earned in (年底清零).
    YearEnd,
    /// On the same day so many years after they were earned (1 to 10).
    AfterYears {
        /// How many years.
        years: u32,
    },
    /// Never.
    Never,
}

/// The grid's rule for points, in force from a month on until a later
/// rule's month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PointsRule {
    /// Minutes of patrol service worth one point (15 to 1,440; default 60).
    pub minutes_per_point: u32,
    /// When points earned under this rule expire (default after 3 years).
    pub expiry: PointsExpiry,
}

impl Default for PointsRule {
    fn default() -> Self {
        PointsRule {
            minutes_per_point: 60,
            expiry: PointsExpiry::AfterYears { years: 3 },
        }
    }
}

/// A rule of a grid with the month it applies from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PointsRuleInForce {
    /// The first day of the first month it applies to.
    pub from_month: Date,
    /// The rule.
    pub rule: PointsRule,
    /// The grid head who set it; empty for the default rule.
    pub set_by: String,
}

/// Points awarded by the grid head to a volunteer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PointsAward {
    /// The grid.
    pub grid_id: String,
    /// The volunteer (a member id, a worker id or an enrolled resident's id).
    pub volunteer_id: String,
    /// Points, 1 to 1,000.
    pub points: u32,
    /// Why (为何奖励), required, up to 200 characters.
    pub reason: String,
    /// The day it counts from.
    pub on: Date,
}

/// An exchange of a volunteer's points for goods or services.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PointsSpending {
    /// The grid.
    pub grid_id: String,
    /// The volunteer.
    pub volunteer_id: String,
    /// Points, at least 1 and at most the balance on the day.
    pub points: u32,
    /// What they were exchanged for, required, up to 200 characters.
    pub item: String,
    /// The day of the exchange.
    pub on: Date,
}

/// One line of a volunteer's points ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PointsEntry {
    /// The entry's id; a service line's is `service:<YYYY-MM>`, an expiry's
    /// `expiry:<date>`.
    pub id: String,
    /// What the line is.
    pub kind: PointsEntryKind,
    /// Points: positive when earned, negative when spent or expired.
    pub points: i64,
    /// The day it counts on (a service month's last day).
    pub on: Date,
    /// The award's reason or the exchanged item; empty otherwise.
    pub note: String,
    /// The worker who wrote it; empty for derived lines.
    pub recorded_by: String,
    /// When an earned line's points expire, if they do.
    pub expires_on: Option<Date>,
}

/// A volunteer of a grid, with the name masked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Volunteer {
    /// The volunteer's id.
    pub volunteer_id: String,
    /// The name, masked (张*).
    pub display_name: String,
    /// Why they hold points.
    pub source: VolunteerSource,
}

/// A volunteer's points on a day: the balance and the ledger behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PointsAccount {
    /// The volunteer.
    pub volunteer: Volunteer,
    /// Earned minus spent minus expired.
    pub balance: i64,
    /// All earned, service and awards.
    pub earned: i64,
    /// All spent.
    pub spent: i64,
    /// All expired.
    pub expired: i64,
    /// The next day some of the balance expires, and how much.
    pub next_expiry: Option<PointsExpiring>,
    /// The ledger up to the day, newest first, expiries included.
    pub entries: Vec<PointsEntry>,
}

/// Points of a balance that expire on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PointsExpiring {
    /// The day they expire (they count until the day before).
    pub on: Date,
    /// How many.
    pub points: i64,
}

/// A line of the monthly board (积分明星榜).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PointsStanding {
    /// The place, 1 first; volunteers with equal points share it.
    pub place: u32,
    /// The volunteer, name masked.
    pub volunteer: Volunteer,
    /// Points earned in the month, service and awards.
    pub points: i64,
}

/// An entry as stored under `points_entries/<id>`, written once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredPointsEntry {
    pub(crate) volunteer_id: String,
    /// `award` or `spend`.
    pub(crate) kind: String,
    pub(crate) points: u32,
    pub(crate) on: String,
    pub(crate) note: String,
    /// When it was written (UTC milliseconds): orders a day's lines.
    pub(crate) at_ms: i64,
    /// The worker whose phone wrote it; the sync server vouches for it.
    pub(crate) recorded_by: String,
}

/// A rule as stored under `points_rules/<YYYY-MM>`, amended whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredPointsRule {
    pub(crate) minutes_per_point: u32,
    /// `year_end`, `after_years` or `never`.
    pub(crate) expiry: String,
    pub(crate) expiry_years: u32,
    pub(crate) recorded_by: String,
}

/// An enrolment as stored under `talent_pool/<resident id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredEnrolment {
    pub(crate) skills: String,
    pub(crate) on: String,
    pub(crate) withdrawn: bool,
    pub(crate) recorded_by: String,
}
