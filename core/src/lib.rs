//! Gridbook: the offline-first core of a community grid worker's app
//! (网格员). It keeps a grid's household roster, door-knocking visit logs
//! building-head and patrol assignments and grid events (网格吹哨) with their
//! closed loop of steps in one SQLite file, and merges
//! edits made offline on several phones through Automerge documents.
//!
//! Start with [`Store::open`]; every edit is a method of [`Store`] that
//! validates its input, changes a document, and commits the change and the
//! updated query rows in one SQLite transaction. Queries read plain indexed
//! tables. Replicas exchange changes as bytes with [`Store::export_since`]
//! and [`Store::import`], or through the district's sync server
//! ([`sync`]); [`Store::conflicts`] lists fields two people changed at once.
//!
//! The crate in layers (`ARCHITECTURE.md` at the repository's root has the
//! diagram), each using only those below it:
//! - values: `validate` (pure input checks, `Date`, masks), `code_list`,
//!   `values` (points, fixes, times), `identity`, `error`, `calendar`
//!   (China's working days from the State Council's holiday notices, event
//!   deadlines and their warning light), `photos` (a photo's bytes: type by
//!   magic number, metadata stripped, SHA-256 id);
//! - documents: `crdt` (Automerge helpers), `entries` (one-value records),
//!   `docs` (document ids, genesis, cache);
//! - the store: `store` (the handle, the single write path, migrations,
//!   projection driver, merging, the registry of kinds, the team, conflicts,
//!   photos stored inside the file with their upload states);
//! - the record kinds: `kinds` (`roster`, `visits`, `patrol`, `events`), each holding
//!   its types, checks, edits, projection and queries, plugged into the
//!   store through `kinds::REGISTRY`;
//! - interchange: `changeset` (the change-set file format), `sync` (the
//!   wire format, the store's side of a sync, the HTTP client, and with the
//!   feature `hub` the server's checks) and, with the feature `uniffi`,
//!   `ffi` (custom types and the error of the Kotlin and Swift API).
//!
//! Cargo features: `client` (the HTTP sync client), `hub` (the server's side
//! of the protocol, for `gridbook-server`), `uniffi` (the records and enums
//! derive the uniffi traits, for the Kotlin and Swift bindings).

pub mod calendar;
mod changeset;
mod code_list;
mod crdt;
mod db;
mod docs;
mod entries;
mod error;
#[cfg(feature = "uniffi")]
pub mod ffi;
mod identity;
mod kinds;
pub mod photos;
mod registry;
pub mod roster_import;
pub mod self_report;
mod sortkey;
pub mod spatial;
mod store;
pub mod sync;
pub mod validate;
mod values;
mod views;

pub use calendar::{HolidayNotice, OfficeHours, TimeLimit, WarningLight, WorkCalendar};
pub use changeset::ChangeSet;
pub use changeset::MAX_CHANGE_SET_BYTES;
pub use db::SCHEMA_VERSION;
pub use docs::DOC_LAYOUT_VERSION;
pub use error::{Error, ProtocolError, Result};
pub use identity::{Worker, WorkerIdentity};
pub use kinds::*;
pub use photos::{
    DEFAULT_MAX_PHOTO_BYTES, PhotoLimits, PhotoType, PreparedPhoto, photo_id, prepare_photo,
    verify_photo,
};
pub use roster_import::{
    CellError, CellProblem, DEFAULT_MAX_IMPORT_BYTES, DEFAULT_MAX_UNZIPPED_BYTES, ImportError,
    ImportField, RosterImportOptions, RosterImportOutcome, RosterImportReport, RowOutcome,
    RowReport, read_roster_file,
};
pub use store::conflicts::{Conflict, ConflictValue};
pub use store::merge::ImportReport;
pub use store::notify::{ChangeOrigin, ChangedRecord, ListenerFailed, LiveQuery, StoreChange};
pub use store::photos::{
    DEFAULT_PHOTO_CACHE_BYTES, MAX_PHOTO_LIMIT_BYTES, PhotoInfo, PhotoOrigin, PhotoUpload,
};
pub use store::{OpenOptions, RAW_KEY_BYTES, Store, StoreKey};
pub use validate::{Date, InvalidReason, TimeOfDay};
pub use values::{GeoPoint, GpsFix, Timestamp};
pub use views::{
    BuildingCoverage, CareCount, CoveragePeriod, DEFAULT_GPS_REVIEW_METRES, DwellingUseCount,
    EventLevelCount, EventStatusCount, ExportFile, ExportFormat, ExportOptions, ExportTemplate,
    GENERAL_TIER, GpsFlag, GridSummary, HouseholdStatusCount, Masking, PatrolCoverage,
    ReachedHousehold, RegistrationCount, TierCoverage, VisitCoverage, VisitOutcomeCount,
    export_templates,
};

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

#[cfg(test)]
mod tests;
