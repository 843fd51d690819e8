//! The [`Store`] calls of visits (`gridbook`'s `kinds/visits`): logging and
//! amending visits, a worker's visits, the door-knocking plan
//! ([`Store::visits_due`] under a `VisitPolicy`) and the field day built on
//! it: the walking route, the GPS fixes to review, the grid's map, and
//! coordinates for Chinese map SDKs.

use gridbook::spatial::{self, CoordSystem};
use gridbook::{
    Date, GeoPoint, GpsFlag, Timestamp, Visit, VisitDue, VisitInput, VisitPolicy, WalkingRoute,
};

use super::Store;
use crate::Result;

/// The built-in policy: weekly for elders living alone and disabled or
/// demented elders, quarterly for veterans and for households without a
/// care category, monthly for the other care categories.
#[uniffi::export]
pub fn default_visit_policy() -> VisitPolicy {
    VisitPolicy::default()
}

/// Converts a point between the systems map SDKs draw in: GPS and the
/// store give WGS-84, Amap and Tencent maps draw in GCJ-02, Baidu in
/// BD-09. A point outside China comes back unchanged.
#[uniffi::export]
pub fn convert_coordinates(point: GeoPoint, from: CoordSystem, to: CoordSystem) -> GeoPoint {
    spatial::convert(point, from, to)
}

/// The coordinate system with this code (`wgs84`, `gcj02`, `bd09`), as an
/// app keeps its map SDK's choice in settings; another code is `Invalid`
/// naming `coordSystem` with `UnknownCode`.
#[uniffi::export]
pub fn coord_system_from_code(code: String) -> Result<CoordSystem> {
    Ok(spatial::coord_system(&code)?)
}

#[uniffi::export]
impl Store {
    /// Logs a visit (走访) to a household; returns its id.
    pub async fn log_visit(&self, input: VisitInput) -> Result<String> {
        self.call(move |s| s.log_visit(input)).await
    }

    /// Replaces a visit's fields (findings keep their ids when given).
    pub async fn amend_visit(&self, visit_id: String, input: VisitInput) -> Result<()> {
        self.call(move |s| s.amend_visit(&visit_id, input)).await
    }

    /// A worker's visits on local dates `from..=to`.
    pub async fn visits_by_worker(
        &self,
        worker_id: String,
        from: Date,
        to: Date,
    ) -> Result<Vec<Visit>> {
        self.call(move |s| s.visits_by_worker(&worker_id, from, to))
            .await
    }

    /// The active households of a grid due for a visit on `today`
    /// (the phone's local date, `today()`), most urgent first: never
    /// reached, then the longest overdue, then the shorter interval, then in
    /// roster order. `policy` null means `defaultVisitPolicy()`.
    pub async fn visits_due(
        &self,
        grid_id: String,
        today: Date,
        policy: Option<VisitPolicy>,
    ) -> Result<Vec<VisitDue>> {
        let policy = policy.unwrap_or_default();
        self.call(move |s| s.visits_due(&grid_id, today, &policy))
            .await
    }

    /// The day's walking route through the households `visitsDue` lists:
    /// by building, then stairwell, then floor, so each stairwell is
    /// climbed once; the buildings in the shortest walking order from
    /// `from` (the worker's WGS-84 position; null lets the walk start at
    /// whichever building makes it shortest), the unlocated ones last.
    pub async fn walking_route(
        &self,
        grid_id: String,
        today: Date,
        policy: Option<VisitPolicy>,
        from: Option<GeoPoint>,
    ) -> Result<WalkingRoute> {
        let policy = policy.unwrap_or_default();
        self.call(move |s| s.walking_route(&grid_id, today, &policy, from))
            .await
    }

    /// The visits and patrol check-ins of a grid on the local dates
    /// `from..=to` whose GPS fix is farther than `maxDistanceM` (null: 150
    /// m) from the household visited, or outside the grid's boundary,
    /// oldest first, with the distance. For review only: GPS is poor
    /// between tall buildings, and nothing is refused for its fix.
    pub async fn gps_review(
        &self,
        grid_id: String,
        from: Date,
        to: Date,
        max_distance_m: Option<f64>,
    ) -> Result<Vec<GpsFlag>> {
        self.call(move |s| s.gps_review(&grid_id, from, to, max_distance_m))
            .await
    }

    /// The grid as a GeoJSON FeatureCollection (RFC 7946) for any map SDK:
    /// the boundary (`kind` `grid`), each building with its households,
    /// `due`, `overdue` and `reachedThisMonth` on `today` under `policy`
    /// (null: `defaultVisitPolicy()`), each open event with its
    /// `warningLight` at `now`, and each patrol checkpoint placed by its
    /// check-ins. Coordinates in `system` (GCJ-02 for Amap and Tencent,
    /// BD-09 for Baidu); no resident's personal data.
    pub async fn grid_map(
        &self,
        grid_id: String,
        today: Date,
        policy: Option<VisitPolicy>,
        now: Timestamp,
        system: CoordSystem,
    ) -> Result<String> {
        let policy = policy.unwrap_or_default();
        self.call(move |s| s.grid_map(&grid_id, today, &policy, now, system))
            .await
    }
}
