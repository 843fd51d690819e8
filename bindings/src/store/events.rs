//! The [`Store`] calls of grid events (`gridbook`'s `kinds/events`, 网格吹哨
//! 部门报到): reporting, the steps of the closed loop, the lists a grid head
//! or a department works from, and the catalogues. The workflow, its role
//! rules and the derived state are the core's; these forward.

use gridbook::{
    Date, Event, EventCategories, EventInput, EventKpis, EventStepInput, LocalCategoryInput,
    Timestamp, WhistleLevelInput, WhistleLevels,
};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// Reports an event (上报) in this store's worker's name; returns its
    /// id. The category must be one of `eventCategories(gridId)`, the building,
    /// household, residents and source record of the same grid. Nothing is
    /// written on an error.
    pub async fn report_event(&self, input: EventInput) -> Result<String> {
        self.call(move |s| s.report_event(input)).await
    }

    /// Takes a step of an event's loop (受理, 派遣, 签收, 反馈, 核查, 结案,
    /// 升级, …) in this store's worker's name; returns the step's id. A step
    /// the event's current status does not allow, or the worker's role may
    /// not take, is refused with `StepNotAllowed` or `RoleMayNot`, and
    /// nothing is written.
    pub async fn take_event_step(&self, input: EventStepInput) -> Result<String> {
        self.call(move |s| s.take_event_step(input)).await
    }

    /// One event with its derived status, level, assignee, deadline and steps.
    pub async fn event(&self, event_id: String) -> Result<Event> {
        self.call(move |s| s.event(&event_id)).await
    }

    /// A grid's open events (neither closed nor cancelled), most urgent first.
    pub async fn events_open(&self, grid_id: String) -> Result<Vec<Event>> {
        self.call(move |s| s.events_open(&grid_id)).await
    }

    /// The open events dispatched to a worker (a department's account), most urgent first.
    pub async fn events_assigned_to(&self, worker_id: String) -> Result<Vec<Event>> {
        self.call(move |s| s.events_assigned_to(&worker_id)).await
    }

    /// A grid's open events at one whistle level (a rank of `whistleLevels()`).
    pub async fn events_by_level(&self, grid_id: String, level: i32) -> Result<Vec<Event>> {
        self.call(move |s| s.events_by_level(&grid_id, level)).await
    }

    /// A grid's events whose steps contradicted each other: for the grid head to look at.
    pub async fn events_needing_review(&self, grid_id: String) -> Result<Vec<Event>> {
        self.call(move |s| s.events_needing_review(&grid_id)).await
    }

    /// A grid's open events whose deadline passed before `now`, the most overdue first.
    pub async fn events_overdue(&self, grid_id: String, now: Timestamp) -> Result<Vec<Event>> {
        self.call(move |s| s.events_overdue(&grid_id, now)).await
    }

    /// The event KPIs of a grid for the events reported on the local dates
    /// `from..=to`: response, resolution, on-time and satisfaction counts
    /// and rates, and the events by status, level and category. Per grid,
    /// never per worker.
    pub async fn event_kpis(&self, grid_id: String, from: Date, to: Date) -> Result<EventKpis> {
        self.call(move |s| s.event_kpis(&grid_id, from, to)).await
    }

    /// The grid's event categories (大类/小类) with their time limits and
    /// close conditions: the shipped catalogue, then the grid's own.
    pub async fn event_categories(&self, grid_id: String) -> Result<EventCategories> {
        self.call(move |s| s.event_categories(&grid_id)).await
    }

    /// The whistle levels (常规哨/联合哨/攻坚哨) as the grid names and
    /// routes them: who handles each, and to whom it is dispatched by
    /// default.
    pub async fn whistle_levels(&self, grid_id: String) -> Result<WhistleLevels> {
        self.call(move |s| s.whistle_levels(&grid_id)).await
    }

    /// Adds a category of the grid's own (its code starts with `local_`),
    /// or changes one it added; the change applies to events reported
    /// afterwards. Only the grid head may (`GridHeadOnly` otherwise).
    pub async fn define_event_category(&self, input: LocalCategoryInput) -> Result<()> {
        self.call(move |s| s.define_event_category(input)).await
    }

    /// Stops offering a category the grid added; its events keep it. Only
    /// the grid head may.
    pub async fn retire_event_category(&self, grid_id: String, code: String) -> Result<()> {
        self.call(move |s| s.retire_event_category(&grid_id, &code))
            .await
    }

    /// Gives a whistle level the grid's own name, handler and default
    /// assignee; ranks and their order stay fixed. Only the grid head may.
    pub async fn set_whistle_level(&self, input: WhistleLevelInput) -> Result<()> {
        self.call(move |s| s.set_whistle_level(input)).await
    }
}
