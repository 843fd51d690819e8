//! Gridbook: the offline-first core of a community grid worker's app
//! (网格员). It keeps a grid's household roster, door-knocking visit logs
//! and building-head and patrol assignments in one SQLite file, and merges
//! edits made offline on several phones through Automerge documents.
//!
//! Start with [`Store::open`]; every edit is a method of [`Store`] that
//! validates its input, changes a document, and commits the change and the
//! updated query rows in one SQLite transaction. Queries read plain indexed
//! tables. Replicas exchange changes as bytes with [`Store::export_since`]
//! and [`Store::import`]; [`Store::conflicts`] lists fields two people
//! changed at once.
//!
//! Module map, for extending the crate: `validate` (pure input checks),
//! `codes` (code lists), `model` (API types), `docs` and `crdt` (document
//! layout and Automerge helpers), `edit_*` (writes), `project` (documents to
//! rows), `queries` (reads), `exchange` (change sets), `sync` (the sync protocol, the store's side of it
//! and the HTTP client), `db` and `schema/`
//! (SQLite file and migrations).

pub mod codes;
mod crdt;
mod db;
mod docs;
mod edit_patrol;
mod edit_roster;
mod edit_visits;
mod entries;
mod error;
mod exchange;
mod lookup;
mod model;
mod project;
mod queries;
mod sortkey;
mod store;
pub mod sync;
pub mod validate;
mod visit_plan;

pub use db::SCHEMA_VERSION;
pub use docs::DOC_LAYOUT_VERSION;
pub use error::{Error, RecordKind, Result};
pub use exchange::{ChangeSet, ImportReport, MAX_CHANGE_SET_BYTES};
pub use model::*;
pub use store::{OpenOptions, Store};
pub use validate::{Date, InvalidReason, TimeOfDay};
pub use visit_plan::{MAX_INTERVAL_DAYS, REACHING_OUTCOMES, VisitDue, VisitPolicy};
#[cfg(test)]
mod tests;
