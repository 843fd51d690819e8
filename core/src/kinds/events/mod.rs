//! Grid events (网格吹哨 部门报到): a problem reported in a grid (a blocked
//! fire lane, a gas leak, a dispute, an elderly resident needing help),
//! handled through a closed loop of steps and closed. An event and its steps
//! live in the event document of the grid and the quarter of the report,
//! `events/<grid>/<YYYY>Q<n>`; a step always goes into its event's document,
//! even in a later quarter.
//!
//! Reports and steps are entries (see `entries.rs`), written once each and
//! never amended: the steps of an event are a grow-only set that every
//! replica ends up holding whole, so they never conflict. The event's state
//! (status, level, assignee, whether it needs review) is derived from the
//! report and its steps by a pure function (`workflow.rs`), projected into
//! the `events` table.
//!
//! - this file: the records, code lists, stored forms and registration;
//! - `catalogue.rs`: categories and whistle levels, as embedded JSON;
//! - `workflow.rs`: the rules table and the derivation of the state;
//! - `edit.rs`: reporting an event and taking a step;
//! - `tables.rs`: the `events` and `event_steps` tables, and the queries.
//!
//! To add a field to reports or steps: add it to the records here and to
//! the `Stored*` struct with `#[serde(default)]`, fill it in `edit.rs`, and
//! project and read it in `tables.rs` with its column in a new migration. To
//! add a step action: a line in [`StepAction`] and a rule in
//! `workflow::RULES`.

use serde::{Deserialize, Serialize};

use crate::calendar::{self, TimeLimit, WarningLight};
use crate::code_list::code_enum;
use crate::identity::WorkerRole;
use crate::kinds::RecordKind;
use crate::registry::{Collection, DocSpec, EntryCheck, Kind, Partition};
use crate::values::{GpsFix, Timestamp};

mod catalogue;
mod edit;
mod tables;
pub(crate) mod workflow;

/// The event documents: one per grid and calendar quarter of the report.
/// The genesis maps are frozen once shipped.
pub(crate) static EVENTS_DOC: DocSpec = DocSpec {
    name: "events",
    partition: Partition::Quarter,
    genesis: &["events", "event_steps"],
};

/// The events' registration.
pub(crate) static KIND: Kind = Kind {
    docs: &[&EVENTS_DOC],
    collections: &[
        Collection::entries(
            RecordKind::Event,
            "events",
            tables::project_event,
            tables::project_all_events,
        ),
        Collection::entries(
            RecordKind::EventStep,
            "event_steps",
            tables::project_step,
            tables::project_all_steps,
        ),
    ],
    // Who reported an event; who took a step.
    author_fields: &["reporter_id", "worker_id"],
    tables: &["events", "event_steps"],
    entry_checks: &[EntryCheck {
        doc: &EVENTS_DOC,
        collection: "event_steps",
        check: workflow::check_pushed_step,
    }],
};

/// One category (小类) of the catalogue.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EventCategory {
    /// The stable code an event stores.
    pub code: String,
    /// The name shown (消防通道堵塞).
    pub name: String,
    /// The code of its group (大类).
    pub group_code: String,
    /// The group's name (安全隐患).
    pub group_name: String,
    /// The handling time limit (处置时限).
    pub limit: TimeLimit,
    /// When the event may be closed (结案标准).
    pub close_condition: String,
    /// The whistle level a new event of this category starts at.
    pub initial_level: i32,
}

/// The category catalogue with its version.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EventCategories {
    /// The catalogue's version, raised with every change.
    pub version: i32,
    /// Every category, grouped by 大类 in catalogue order.
    pub categories: Vec<EventCategory>,
}

/// A whistle level (吹哨等级).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WhistleLevel {
    /// 1 (routine) to 3 (hard); escalation only goes up.
    pub rank: i32,
    /// The stable code (`routine`, `joint`, `hard`).
    pub code: String,
    /// The name shown (常规哨).
    pub name: String,
    /// Who handles events of this level.
    pub handled_by: String,
    /// Whether the level is supervised (督办).
    pub supervised: bool,
}

/// The whistle levels with the catalogue's version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WhistleLevels {
    /// The catalogue's version.
    pub version: i32,
    /// The levels, lowest rank first.
    pub levels: Vec<WhistleLevel>,
}

/// An event to report (上报).
#[derive(Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EventInput {
    /// The grid.
    pub grid_id: String,
    /// The category's code (a 小类 of `Store.eventCategories`).
    pub category: String,
    /// What is wrong (at most 2000 characters).
    pub description: String,
    /// How urgent.
    pub urgency: Urgency,
    /// Where: a building of the grid.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub building_id: Option<String>,
    /// Where: a household of the grid.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub household_id: Option<String>,
    /// Where the phone was (WGS-84).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub gps: Option<GpsFix>,
    /// The address in words, for handlers without the roster.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub address: Option<String>,
    /// How the event came in.
    pub source: EventSource,
    /// The visit or check-in it came from, in the same grid.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub source_record_id: Option<String>,
    /// Residents of the grid involved.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub residents_involved: Vec<String>,
    /// When it was reported.
    pub at: Timestamp,
    /// Photo ids: lowercase hex SHA-256 of each photo (64 characters).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub photos: Vec<String>,
}

impl std::fmt::Debug for EventInput {
    // The description and the address may name people.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventInput")
            .field("grid_id", &self.grid_id)
            .field("category", &self.category)
            .field("description", &"<masked>")
            .field("urgency", &self.urgency)
            .field("building_id", &self.building_id)
            .field("household_id", &self.household_id)
            .field("address", &self.address.as_ref().map(|_| "<masked>"))
            .field("source", &self.source)
            .field("residents_involved", &self.residents_involved.len())
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// A step to take on an event (受理, 派遣, 反馈, 结案, ...). Fields an action
/// does not use are ignored.
#[derive(Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EventStepInput {
    /// The event.
    pub event_id: String,
    /// What is done.
    pub action: StepAction,
    /// When: later than the event's report and its latest step.
    pub at: Timestamp,
    /// A comment (at most 2000 characters).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub comment: Option<String>,
    /// Photo ids: lowercase hex SHA-256 of each photo.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub photos: Vec<String>,
    /// `Dispatch`: the worker (a department's account) the event goes to.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub assignee: Option<String>,
    /// `Escalate`: the whistle level's rank, higher than the current one.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub level: Option<i32>,
    /// `RequestExtension`: the time asked for; `GrantExtension`: the time
    /// granted (the request's when not given).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub extension: Option<TimeLimit>,
    /// `Close`, `SelfResolve`: the residents' satisfaction, required when
    /// residents are involved.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub satisfaction: Option<Satisfaction>,
}

impl std::fmt::Debug for EventStepInput {
    // The comment may name people.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStepInput")
            .field("event_id", &self.event_id)
            .field("action", &self.action)
            .field("at", &self.at)
            .field("comment", &self.comment.as_ref().map(|_| "<masked>"))
            .field("assignee", &self.assignee)
            .field("level", &self.level)
            .field("extension", &self.extension)
            .field("satisfaction", &self.satisfaction)
            .finish_non_exhaustive()
    }
}

/// One step of an event's log, in the derived order.
#[derive(Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EventStep {
    /// The step's id.
    pub id: String,
    /// The event.
    pub event_id: String,
    /// What was done (an action of a newer build reads as `Supplement`, never applied).
    pub action: StepAction,
    /// Who took it.
    pub worker_id: String,
    /// Their role when they took it.
    pub role: WorkerRole,
    /// When.
    pub at: Timestamp,
    /// The comment.
    pub comment: Option<String>,
    /// Photo ids.
    pub photos: Vec<String>,
    /// `Dispatch`: the assignee.
    pub assignee: Option<String>,
    /// `Escalate`: the level's rank.
    pub level: Option<i32>,
    /// `RequestExtension`, `GrantExtension`: the time.
    pub extension: Option<TimeLimit>,
    /// `Close`, `SelfResolve`: the satisfaction.
    pub satisfaction: Option<Satisfaction>,
    /// Whether the step moved the event: `false` for a step that was not
    /// legal at its place in the order (taken concurrently with a
    /// contradicting one); it stays in the log and the event needs review.
    pub applied: bool,
}

impl std::fmt::Debug for EventStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStep")
            .field("id", &self.id)
            .field("action", &self.action)
            .field("worker_id", &self.worker_id)
            .field("at", &self.at)
            .field("applied", &self.applied)
            .finish_non_exhaustive()
    }
}

/// An event as stored, with its derived state and its steps.
#[derive(Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Event {
    /// The event's id.
    pub id: String,
    /// The grid.
    pub grid_id: String,
    /// The category's code.
    pub category: String,
    /// What is wrong.
    pub description: String,
    /// How urgent.
    pub urgency: Urgency,
    /// The building, if given.
    pub building_id: Option<String>,
    /// The household, if given.
    pub household_id: Option<String>,
    /// Where the phone was.
    pub gps: Option<GpsFix>,
    /// The address in words.
    pub address: Option<String>,
    /// How it came in.
    pub source: EventSource,
    /// The visit or check-in it came from.
    pub source_record_id: Option<String>,
    /// Residents involved, sorted.
    pub residents_involved: Vec<String>,
    /// When it was reported.
    pub at: Timestamp,
    /// Photo ids.
    pub photos: Vec<String>,
    /// The worker who reported it.
    pub reporter_id: String,
    /// Derived: where it is in the loop.
    pub status: EventStatus,
    /// Derived: the whistle level's rank (the highest escalation).
    pub level: i32,
    /// Derived: who handles it now (after `Dispatch`, until `ReturnByUnit`).
    pub assignee: Option<String>,
    /// Derived: when handling is due (办理时限): the category's limit from
    /// the acceptance (or the report, until accepted), in China's
    /// working-day calendar with the default office hours, extended by
    /// every granted extension.
    pub deadline: Option<Timestamp>,
    /// The steps, in the derived order (time, then id).
    pub steps: Vec<EventStep>,
    /// Derived: a step contradicted another (for example a resolution
    /// concurrent with a cancellation); a grid head should look at it.
    pub needs_review: bool,
    /// Derived: when it was (last) accepted, the start of its handling clock.
    pub accepted_at: Option<Timestamp>,
}

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Event {
    /// The light of the time left at `now` (红黄绿灯): `None` for a closed
    /// or cancelled event or one without a deadline.
    pub fn warning_light(&self, now: Timestamp) -> Option<WarningLight> {
        if matches!(self.status, EventStatus::Closed | EventStatus::Cancelled) {
            return None;
        }
        let start = self.accepted_at.unwrap_or(self.at);
        Some(calendar::warning_light(start, self.deadline?, now))
    }
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Event")
            .field("id", &self.id)
            .field("grid_id", &self.grid_id)
            .field("category", &self.category)
            .field("status", &self.status)
            .field("level", &self.level)
            .field("assignee", &self.assignee)
            .field("needs_review", &self.needs_review)
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

/// A time limit as stored: its unit (`hours`, `working_days`,
/// `working_hours`) and the amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredLimit {
    pub(crate) unit: String,
    pub(crate) amount: i32,
}

impl StoredLimit {
    pub(crate) fn of(limit: TimeLimit) -> StoredLimit {
        let (unit, amount) = match limit {
            TimeLimit::Hours { hours } => ("hours", hours),
            TimeLimit::WorkingDays { days } => ("working_days", days),
            TimeLimit::WorkingHours { hours } => ("working_hours", hours),
        };
        StoredLimit {
            unit: unit.to_string(),
            amount,
        }
    }

    /// The limit, if its unit is known and its amount positive.
    pub(crate) fn read(&self) -> Option<TimeLimit> {
        let amount = self.amount;
        if amount <= 0 {
            return None;
        }
        match self.unit.as_str() {
            "hours" => Some(TimeLimit::Hours { hours: amount }),
            "working_days" => Some(TimeLimit::WorkingDays { days: amount }),
            "working_hours" => Some(TimeLimit::WorkingHours { hours: amount }),
            _ => None,
        }
    }

    /// The amount of a limit, whatever its unit.
    pub(crate) fn amount(limit: TimeLimit) -> i32 {
        StoredLimit::of(limit).amount
    }
}

/// A report as stored under `events/<id>`: one entry, written once by its
/// reporter. The category's level and limit are kept as they were then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredEvent {
    pub(crate) category: String,
    pub(crate) description: String,
    pub(crate) urgency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) building_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) household_id: Option<String>,
    /// `[lon, lat, accuracy_m]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) gps: Option<[f64; 3]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) address: Option<String>,
    pub(crate) source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) source_record_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) residents: Vec<String>,
    pub(crate) at_ms: i64,
    pub(crate) offset_min: i32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) photos: Vec<String>,
    pub(crate) reporter_id: String,
    pub(crate) level: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) limit: Option<StoredLimit>,
}

/// A step as stored under `event_steps/<step id>`: one entry, written once
/// by the worker who took it, with the role they had then (which the sync
/// server checks against the one it keeps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredStep {
    pub(crate) event_id: String,
    pub(crate) action: String,
    pub(crate) worker_id: String,
    pub(crate) role: String,
    pub(crate) at_ms: i64,
    pub(crate) offset_min: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) photos: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) assignee: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) level: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) extension: Option<StoredLimit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) satisfaction: Option<String>,
}

code_enum!(
    /// How urgent an event is.
    Urgency, fallback Normal, {
        /// Normal (一般).
        Normal = "normal", "一般";
        /// Urgent (紧急).
        Urgent = "urgent", "紧急";
    }
);

code_enum!(
    /// How an event came in (事件来源).
    EventSource, fallback ResidentRequest, {
        /// Found door-knocking (敲门扫楼).
        DoorKnocking = "door_knocking", "敲门扫楼";
        /// Found on patrol (巡逻).
        PatrolCheckin = "patrol_checkin", "巡逻";
        /// Reported by a building head (楼栋长).
        BuildingHead = "building_head", "楼栋长";
        /// A resident's request (居民诉求).
        ResidentRequest = "resident_request", "居民诉求";
        /// The 12345 hotline (12345热线).
        Hotline12345 = "hotline_12345", "12345热线";
        /// Assigned from above (上级交办).
        AssignedFromAbove = "assigned_from_above", "上级交办";
    }
);

code_enum!(
    /// Where an event is in the closed loop (derived from its steps).
    EventStatus, fallback Reported, {
        /// Reported, waiting to be accepted (待受理).
        Reported = "reported", "待受理";
        /// Sent back to the reporter for detail (已退回).
        Returned = "returned", "已退回";
        /// Accepted by the grid, to dispatch or self-resolve (已受理).
        Accepted = "accepted", "已受理";
        /// Dispatched to a unit, not yet taken (已派遣).
        Dispatched = "dispatched", "已派遣";
        /// Taken by the unit, being handled (处置中).
        Handling = "handling", "处置中";
        /// The unit reported it resolved (已反馈).
        Resolved = "resolved", "已反馈";
        /// Checked on site by the grid (已核查).
        Verified = "verified", "已核查";
        /// Closed (已结案).
        Closed = "closed", "已结案";
        /// Cancelled (已注销).
        Cancelled = "cancelled", "已注销";
    }
);

code_enum!(
    /// A step of the closed loop.
    StepAction, fallback Supplement, {
        /// Accept (受理).
        Accept = "accept", "受理";
        /// Cancel (注销).
        Cancel = "cancel", "注销";
        /// Send back to the reporter for detail (退回).
        SendBack = "send_back", "退回";
        /// The reporter answers a send-back (补充).
        Supplement = "supplement", "补充";
        /// Dispatch to an assignee (派遣).
        Dispatch = "dispatch", "派遣";
        /// The assignee takes it (签收).
        Take = "take", "签收";
        /// The assignee asks for more time (申请延时).
        RequestExtension = "request_extension", "申请延时";
        /// The grid grants it (批准延时).
        GrantExtension = "grant_extension", "批准延时";
        /// The assignee returns it for re-dispatch (退办).
        ReturnByUnit = "return_by_unit", "退办";
        /// The assignee reports it resolved (反馈).
        Resolve = "resolve", "反馈";
        /// Checked on site by someone other than the resolver (核查).
        Verify = "verify", "核查";
        /// The check failed: back to the assignee (督办).
        RejectVerification = "reject_verification", "督办";
        /// Close (结案).
        Close = "close", "结案";
        /// The grid closes its own routine event (自办自结).
        SelfResolve = "self_resolve", "自办自结";
        /// Raise the whistle level (升级吹哨).
        Escalate = "escalate", "升级";
    }
);

code_enum!(
    /// The residents' satisfaction when an event is closed.
    Satisfaction, fallback BasicallySatisfied, {
        /// Satisfied (满意).
        Satisfied = "satisfied", "满意";
        /// Basically satisfied (基本满意).
        BasicallySatisfied = "basically_satisfied", "基本满意";
        /// Dissatisfied (不满意).
        Dissatisfied = "dissatisfied", "不满意";
    }
);

code_enum!(
    /// Why a worker may not take a step on an event, besides role and status.
    StepRefusal, fallback NotAssignee, {
        /// Only the reporter supplements a sent-back event.
        NotReporter = "not_reporter", "仅上报人可补充";
        /// Only the current assignee takes, handles or returns it.
        NotAssignee = "not_assignee", "仅承办人可操作";
        /// The worker who resolved it may not verify it.
        ResolverMayNotVerify = "resolver_may_not_verify", "反馈人不能核查";
        /// Only a routine (level 1) event is self-resolved.
        NotRoutineLevel = "not_routine_level", "仅常规哨可自办自结";
        /// No extension was requested.
        NoExtensionRequested = "no_extension_requested", "未申请延时";
    }
);
