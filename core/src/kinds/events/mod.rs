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
//! - this file: the document kind and the registration;
//! - `records.rs`: the public records (inputs, events, steps, catalogues);
//! - `codes.rs`: the code lists; `stored.rs`: the stored forms;
//! - `catalogue.rs`: categories and whistle levels, as embedded JSON;
//! - `settings.rs`: a grid's own categories and level names and routing,
//!   in its `event_settings/<grid>` document;
//! - `workflow.rs`: the rules table and the derivation of the state;
//! - `edit.rs`: reporting an event and taking a step;
//! - `project.rs`: the `events` and `event_steps` tables written from the
//!   documents; `tables.rs`: the queries that read them;
//! - `kpis.rs`: the grid's KPIs for a period (response, resolution, on
//!   time, satisfaction), never per worker.
//!
//! To add a field to reports or steps: add it to the records in
//! `records.rs` and to the `Stored*` struct with `#[serde(default)]`, fill it
//! in `edit.rs`, project it in `project.rs` and read it in `tables.rs`, with
//! its column in a new migration. To add a step action: a line in
//! [`StepAction`] (`codes.rs`) and a rule in `workflow::RULES`.

use crate::kinds::RecordKind;
use crate::registry::{Collection, DocSpec, EntryCheck, Kind, Partition};

mod catalogue;
mod codes;
mod edit;
mod kpis;
mod project;
mod push;
mod records;
mod settings;
mod stored;
mod tables;
pub(crate) mod workflow;

pub use codes::{EventSource, EventStatus, Satisfaction, StepAction, StepRefusal, Urgency};
pub use kpis::{EventKpis, KpiCount};
pub use records::{
    Event, EventCategories, EventCategory, EventInput, EventStep, EventStepInput,
    LocalCategoryInput, WhistleLevel, WhistleLevelInput, WhistleLevels,
};
pub(crate) use stored::{StoredEvent, StoredLimit, StoredStep};

/// The event documents: one per grid and calendar quarter of the report.
/// The genesis maps are frozen once shipped.
pub(crate) static EVENTS_DOC: DocSpec = DocSpec {
    name: "events",
    partition: Partition::Quarter,
    genesis: &["events", "event_steps"],
};

/// The events' registration.
pub(crate) static KIND: Kind = Kind {
    docs: &[&EVENTS_DOC, &settings::SETTINGS_DOC],
    collections: &[
        Collection::entries(
            RecordKind::Event,
            "events",
            project::project_event,
            project::project_all_events,
        ),
        Collection::entries(
            RecordKind::EventStep,
            "event_steps",
            project::project_step,
            project::project_all_steps,
        ),
        Collection::entries(
            RecordKind::EventCatalogue,
            "event_categories",
            settings::project_category,
            settings::project_all_categories,
        ),
        Collection::entries(
            RecordKind::EventCatalogue,
            "whistle_levels",
            settings::project_level,
            settings::project_all_levels,
        ),
    ],
    // Who reported an event; who took a step.
    author_fields: &["reporter_id", "worker_id"],
    tables: &[
        "events",
        "event_steps",
        "local_event_categories",
        "local_whistle_levels",
    ],
    entry_checks: &[
        EntryCheck {
            doc: &EVENTS_DOC,
            collection: "event_steps",
            check: push::check_pushed_step,
        },
        EntryCheck {
            doc: &settings::SETTINGS_DOC,
            collection: "event_categories",
            check: settings::check_pushed_setting,
        },
        EntryCheck {
            doc: &settings::SETTINGS_DOC,
            collection: "whistle_levels",
            check: settings::check_pushed_setting,
        },
    ],
    // Deadlines count working days: a new holiday calendar moves them.
    refresh_on_open: Some(project::refresh_deadlines),
};
