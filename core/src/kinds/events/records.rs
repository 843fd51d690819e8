//! The events' public records: what an app reports and takes (inputs),
//! what it reads back (an event with its derived state and its steps) and
//! the catalogues' records. Each derives a uniffi record, so it is a Kotlin
//! and Swift type; those holding free text have a hand-written `Debug` that
//! masks it. To add a field, see `mod.rs`.

use super::codes::{EventSource, EventStatus, Satisfaction, StepAction, Urgency};
use crate::calendar::{self, TimeLimit, WarningLight};
use crate::identity::WorkerRole;
use crate::values::{GpsFix, Timestamp};

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
    /// Whether the grid added it (`Store.defineEventCategory`); false for
    /// the shipped catalogue's.
    pub local: bool,
}

/// A category (小类) a grid adds to the shipped catalogue, or changes
/// again: the change applies to events reported afterwards.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LocalCategoryInput {
    /// The grid.
    pub grid_id: String,
    /// The stable code: ASCII letters, digits, `-` and `_`, starting with
    /// `local_` (the shipped catalogue never uses that prefix).
    pub code: String,
    /// The name shown (at most 40 characters).
    pub name: String,
    /// The group (大类): a shipped group's code, or the grid's own code
    /// starting with `local_`.
    pub group_code: String,
    /// The group's name, for a group of the grid's own; a shipped group
    /// keeps its shipped name.
    pub group_name: String,
    /// The handling time limit (处置时限), 1 to 1000 of its unit.
    pub limit: TimeLimit,
    /// When an event may be closed (结案标准), at most 200 characters.
    pub close_condition: String,
    /// The whistle level a new event starts at (a rank of the levels).
    pub initial_level: i32,
}

/// A grid's own name and routing for a whistle level: places call the
/// levels differently and send them to different units.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WhistleLevelInput {
    /// The grid.
    pub grid_id: String,
    /// The level's rank (1 to 3); ranks and their order are fixed.
    pub rank: i32,
    /// The name shown (at most 20 characters).
    pub name: String,
    /// Who handles events of this level, in words (at most 100 characters).
    pub handled_by: String,
    /// Whether the level is supervised (督办).
    pub supervised: bool,
    /// The worker (usually a department's account) that events of this
    /// level are dispatched to unless the dispatcher picks another.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub default_assignee: Option<String>,
}

/// The category catalogue with its version.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct EventCategories {
    /// The shipped catalogue's version, raised with every change to it.
    pub version: i32,
    /// Every category: the shipped ones grouped by 大类 in catalogue order,
    /// then the grid's own in code order.
    pub categories: Vec<EventCategory>,
}

/// A whistle level (吹哨等级).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
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
    /// The worker events of this level are dispatched to by default, when
    /// the grid named one.
    #[serde(default)]
    pub default_assignee: Option<String>,
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
    /// The category's code (a 小类 of `Store.eventCategories` for the grid).
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
