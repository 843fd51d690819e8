//! What volunteer points cost on a phone, for `gridbench`, on the five-year
//! grid: one volunteer's balance with the ledger behind it
//! (`points_balance_ms`: five years of service derived from check-ins, an
//! award a month and an exchange a quarter, expiry applied), the month's
//! board (`points_board_ms`), and, as the baseline measured in the same
//! run, a plain SQL sum of the same volunteer's written entries
//! (`points_balance_baseline_ms`), which knows nothing of service or expiry.
//!
//! To add a measurement: a field in [`PointsBench`], timed in [`measure`].

use std::path::Path;
use std::time::Instant;

use rusqlite::{Connection, OpenFlags};

use gridbook::{Date, PointsAward, PointsSpending, Store};

use crate::sim::SimError;
use crate::stats::{median, millis};

/// Repetitions of each read.
const RUNS: usize = 9;
/// Months of awards written for every volunteer before timing.
const MONTHS: i64 = 60;

/// The points measurements of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointsBench {
    /// Median ms of `points_account` for the volunteer with the longest ledger.
    pub balance_ms: f64,
    /// Lines in that volunteer's ledger.
    pub ledger_lines: usize,
    /// Median ms of `points_board` for the current month.
    pub board_ms: f64,
    /// Median ms of a plain SQL sum of the same volunteer's written entries.
    pub baseline_ms: f64,
    /// The grid's volunteers.
    pub volunteers: usize,
}

/// Writes the awards and exchanges (not timed), then times the reads. The
/// store's worker must be the grid head.
pub fn measure(
    store: &Store,
    path: &Path,
    grid: &str,
    today: Date,
) -> Result<PointsBench, SimError> {
    let volunteers = store.volunteers(grid)?;
    for volunteer in &volunteers {
        for month in (1..=MONTHS).rev() {
            let on = today.add_days(-month * 30);
            store.award_points(PointsAward {
                grid_id: grid.to_string(),
                volunteer_id: volunteer.volunteer_id.clone(),
                points: 3,
                reason: "楼道清理".into(),
                on,
            })?;
            if month % 3 == 0 {
                store.spend_points(PointsSpending {
                    grid_id: grid.to_string(),
                    volunteer_id: volunteer.volunteer_id.clone(),
                    points: 2,
                    item: "洗衣液一瓶".into(),
                    on,
                })?;
            }
        }
    }
    let mut longest = None;
    for volunteer in &volunteers {
        let lines = store
            .points_account(grid, &volunteer.volunteer_id, today)?
            .entries
            .len();
        if longest.as_ref().is_none_or(|(_, most)| lines > *most) {
            longest = Some((volunteer.volunteer_id.clone(), lines));
        }
    }
    let Some((volunteer, ledger_lines)) = longest else {
        return Err("the generated grid has no volunteers".into());
    };
    // The baseline reads the store's file as any SQLite reader would.
    let plain = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let (mut balance, mut board, mut baseline) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let start = Instant::now();
        store.points_account(grid, &volunteer, today)?;
        balance.push(millis(start.elapsed()));
        let start = Instant::now();
        store.points_board(grid, today, 20)?;
        board.push(millis(start.elapsed()));
        let start = Instant::now();
        let sum: i64 = plain
            .prepare_cached(
                "SELECT COALESCE(SUM(CASE kind WHEN 'spend' THEN -points ELSE points END), 0)
                 FROM points_entries WHERE grid_id = ?1 AND volunteer_id = ?2",
            )?
            .query_row([grid, volunteer.as_str()], |r| r.get(0))?;
        baseline.push(millis(start.elapsed()));
        std::hint::black_box(sum);
    }
    Ok(PointsBench {
        balance_ms: median(&balance),
        ledger_lines,
        board_ms: median(&board),
        baseline_ms: median(&baseline),
        volunteers: volunteers.len(),
    })
}
