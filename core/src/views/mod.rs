//! Views across record kinds: read models that join several kinds' query
//! tables for one purpose, writing nothing. A view names kinds; no kind
//! names a view, so views sit in a layer of their own above the kinds.
//!
//! - `gps.rs`: visits and check-ins whose GPS fix is far from where they
//!   were said to be, listed for review, never refused;
//! - `map.rs`: the grid as GeoJSON for any map SDK;
//! - `coverage.rs`: visit coverage (走访覆盖率) over a week, month or
//!   quarter, overall, by care tier and by building, and the households one
//!   worker reached;
//! - `patrol.rs`: patrol coverage over days: shifts held and cancelled,
//!   checkpoints covered, volunteer time from check-ins;
//! - `summary.rs`: the grid's counts by code (households, residents,
//!   visits, events), as a record and as JSON;
//! - `export/`: the roster, visits and events as CSV or XLSX in layouts
//!   kept as data (`templates.json`), masked.
//!
//! Views count households, visits and events, never people's time: none
//! ranks or compares workers. To add a view: a file with its records
//! (uniffi records when apps read them) and an `impl Store` block of reads
//! through `Store::read`, plain SQL on the query tables, and the geometry
//! of `spatial`; list it above, re-export its public types below and in
//! the crate root, and forward it in the bindings.

use rusqlite::Connection;

use crate::code_list::CodeList;
use crate::error::Result;
use crate::kinds::{REACHING_OUTCOMES, RecordKind};
use crate::store::lookup::grid_of;
use crate::validate::Date;

mod coverage;
mod export;
mod gps;
mod map;
mod patrol;
mod summary;

pub use coverage::{
    BuildingCoverage, CoveragePeriod, GENERAL_TIER, ReachedHousehold, TierCoverage, VisitCoverage,
};
pub use export::{
    ExportFile, ExportFormat, ExportOptions, ExportTemplate, Masking, export_templates,
};
pub use gps::{DEFAULT_GPS_REVIEW_METRES, GpsFlag};
pub use patrol::PatrolCoverage;
pub use summary::{
    CareCount, DwellingUseCount, EventLevelCount, EventStatusCount, GridSummary,
    HouseholdStatusCount, RegistrationCount, VisitOutcomeCount,
};

/// `NotFound` for a grid the store does not hold.
fn grid_exists(conn: &Connection, grid_id: &str) -> Result<()> {
    grid_of(conn, RecordKind::Grid, "grids", grid_id).map(|_| ())
}

/// Instants (UTC milliseconds, `start..end`) that hold every visit whose
/// local date lies in `from..=to`: local dates differ from UTC by at most
/// 14 hours (a visit with an offset beyond that has no local date), so the
/// days are widened by one before and after, and the local date filters
/// exactly. The visits' indexes end in `at_ms`, so the range reads only
/// the period's rows.
fn instant_bounds(from: Date, to: Date) -> (i64, i64) {
    (
        (from.days_since_epoch() - 1) * 86_400_000,
        (to.days_since_epoch() + 2) * 86_400_000,
    )
}

/// The codes of [`REACHING_OUTCOMES`] as an SQL list (`'met', 'vacant', …`):
/// constants of this build, never input.
fn reaching_outcomes_sql() -> String {
    REACHING_OUTCOMES
        .iter()
        .map(|o| format!("'{}'", o.code()))
        .collect::<Vec<_>>()
        .join(", ")
}
