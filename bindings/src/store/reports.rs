//! The [`Store`] calls of the reports (`gridbook`'s `views`): visit
//! coverage over a week, month or quarter, the households one worker
//! reached, patrol coverage and the grid summary. They read and never
//! write; none ranks or compares workers.

use gridbook::{
    CoveragePeriod, Date, GridSummary, PatrolCoverage, ReachedHousehold, VisitCoverage,
};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// The share of a grid's active households that a visit reached (met,
    /// vacant or moved away) in the week (Monday to Sunday), month or
    /// quarter containing `today`: overall, by care tier (each care
    /// category, then `general` for households with none; a household
    /// counts in every category of its active members) and by building.
    /// Shares are per mille, rounded down; null when nothing was in scope.
    pub async fn visit_coverage(
        &self,
        grid_id: String,
        today: Date,
        period: CoveragePeriod,
    ) -> Result<VisitCoverage> {
        self.call(move |s| s.visit_coverage(&grid_id, today, period))
            .await
    }

    /// The households of a grid that one worker reached in the week, month
    /// or quarter containing `today`, in roster order, with how many of
    /// that worker's visits reached each. Only that worker's own work.
    pub async fn households_reached_by(
        &self,
        worker_id: String,
        grid_id: String,
        today: Date,
        period: CoveragePeriod,
    ) -> Result<Vec<ReachedHousehold>> {
        self.call(move |s| s.households_reached_by(&worker_id, &grid_id, today, period))
            .await
    }

    /// The patrols of a grid's shifts dated `from` to `to`: shifts planned,
    /// held (a check-in) and cancelled; the checkpoints their routes named
    /// and those a check-in covered; and volunteer minutes, from each
    /// member's first to last check-in on a shift (a lone check-in has no
    /// check-out and counts no time, only as unmatched).
    pub async fn patrol_coverage(
        &self,
        grid_id: String,
        from: Date,
        to: Date,
    ) -> Result<PatrolCoverage> {
        self.call(move |s| s.patrol_coverage(&grid_id, from, to))
            .await
    }

    /// A grid's counts by code: households by use (active ones) and by
    /// status, active residents by registration and care category, visits
    /// by outcome all time and in the month of `today`, events by level and
    /// status. Every code of each list is present, zeros included. Counts
    /// only, no personal data.
    pub async fn grid_summary(&self, grid_id: String, today: Date) -> Result<GridSummary> {
        self.call(move |s| s.grid_summary(&grid_id, today)).await
    }

    /// The grid summary as JSON: camelCase keys, each list an object from
    /// the stable code (a whistle level's rank as text) to its count.
    pub async fn grid_summary_json(&self, grid_id: String, today: Date) -> Result<String> {
        self.call(move |s| s.grid_summary_json(&grid_id, today))
            .await
    }
}
