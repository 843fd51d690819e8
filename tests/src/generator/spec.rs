//! The public shape of a generated grid: the [`GridSpec`] a caller asks for
//! and the [`GeneratedGrid`] (ids and [`Counts`]) the generator hands back.
//!
//! To extend it: a new knob goes in [`GridSpec`] (set it in both presets);
//! a new kind of record gets a counter in [`Counts`] and, if benchmarks or
//! tests need its ids, a list in [`GeneratedGrid`]. All fields are public and
//! documented, as other crates' code reads them.

use gridbook::Date;

/// The shape of a generated grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridSpec {
    /// Households to create.
    pub households: u32,
    /// Buildings to create ("1栋", "2栋", …).
    pub buildings: u32,
    /// Years of history: visits and shifts fall within this many years before the end date.
    pub years: u32,
    /// Visits to log.
    pub visits: u32,
    /// Patrol shifts to create.
    pub shifts: u32,
    /// Check-ins recorded on each shift.
    pub checkins_per_shift: u32,
    /// The PRNG seed.
    pub seed: u64,
    /// The last day of the history; `None` for yesterday in the store's local time.
    pub end_date: Option<Date>,
}

impl GridSpec {
    /// Five years of one grid: 300 households in 40 buildings (~900 residents),
    /// 12,000 visits and 1,800 evening shifts with 10 check-ins each.
    pub fn five_year_grid() -> GridSpec {
        GridSpec {
            households: 300,
            buildings: 40,
            years: 5,
            visits: 12_000,
            shifts: 1_800,
            checkins_per_shift: 10,
            seed: 0x6772_6964_626f_6f6b,
            end_date: None,
        }
    }

    /// A small grid for tests: 24 households in 4 buildings, one year.
    pub fn small() -> GridSpec {
        GridSpec {
            households: 24,
            buildings: 4,
            years: 1,
            visits: 120,
            shifts: 12,
            checkins_per_shift: 4,
            seed: 42,
            end_date: None,
        }
    }
}

/// How many records of each kind the generator wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Buildings.
    pub buildings: u32,
    /// Households.
    pub households: u32,
    /// Residents.
    pub residents: u32,
    /// Residents with at least one care category.
    pub care_residents: u32,
    /// Building-head appointments (including successions).
    pub building_heads: u32,
    /// Patrol teams.
    pub teams: u32,
    /// Visits.
    pub visits: u32,
    /// Findings recorded with the visits.
    pub findings: u32,
    /// Patrol shifts.
    pub shifts: u32,
    /// Members assigned to shifts (one per member and shift).
    pub shift_assignments: u32,
    /// Check-ins.
    pub checkins: u32,
    /// Households marked as moved out at the end of the history.
    pub moved_out_households: u32,
    /// Residents marked as moved out or deceased at the end of the history.
    pub retired_residents: u32,
    /// Store API calls that wrote something.
    pub api_writes: u32,
}

/// What the generator wrote: the ids of the records (for benchmarks and tests) and counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedGrid {
    /// The grid.
    pub grid_id: String,
    /// Buildings, in number order.
    pub building_ids: Vec<String>,
    /// Households, in creation order.
    pub household_ids: Vec<String>,
    /// Residents, in creation order.
    pub resident_ids: Vec<String>,
    /// Worker and volunteer ids of the patrol teams; the store's own worker first.
    pub worker_ids: Vec<String>,
    /// Patrol teams.
    pub team_ids: Vec<String>,
    /// Shifts, oldest first.
    pub shift_ids: Vec<String>,
    /// The first day of the history.
    pub start_date: Option<Date>,
    /// The last day of the history.
    pub end_date: Option<Date>,
    /// How many records of each kind were written.
    pub counts: Counts,
}
