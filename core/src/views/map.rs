//! The grid as a map (网络民情地图): one GeoJSON FeatureCollection (RFC
//! 7946) that an app hands to any map SDK, Amap, Tencent, Baidu or
//! OpenStreetMap alike. Its features, each with a `kind` property:
//!
//! - `grid`: the boundary polygon, when one is drawn;
//! - `building`: a point per building with a place (its own location, else
//!   the mean of its households'), with its households, how many are due a
//!   visit and overdue, and how many a visit reached this month;
//! - `event`: a point per open event with a place (its GPS fix, else its
//!   building's), with its category, level, status and warning light;
//! - `checkpoint`: a point per patrol checkpoint, placed at the mean of its
//!   check-ins' fixes of the last 90 days (checkpoints are named on routes,
//!   not drawn), with how many check-ins placed it.
//!
//! Coordinates are WGS-84 as RFC 7946 says, or converted for the SDK that
//! draws them (`spatial::convert`); the collection's foreign member
//! `coordSystem` names the system. Property names are camelCase, as the
//! apps' JSON readers expect; they hold ids, codes and counts,
//! never a resident's name, phone or ID number.
//!
//! To add a layer: select its places and push features in [`Store::grid_map`]
//! with a new `kind`, and say so in the list above.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::code_list::CodeList;
use crate::error::{Error, Result};
use crate::kinds::VisitPolicy;
use crate::spatial::{CoordSystem, centroid, convert};
use crate::store::Store;
use crate::validate::Date;
use crate::values::{GeoPoint, Timestamp};

/// How far back check-ins place their checkpoint.
const CHECKPOINT_DAYS: i64 = 90;

/// A building's counts for the map.
#[derive(Default)]
struct BuildingCounts {
    households: i64,
    due: i64,
    overdue: i64,
    reached_this_month: i64,
    household_points: Vec<GeoPoint>,
}

impl Store {
    /// The grid as GeoJSON: its boundary, its buildings with the visit
    /// plan's counts on `today` under `policy`, its open events with their
    /// warning light at `now`, and its patrol checkpoints; coordinates in
    /// `system`. See the module docs for the properties.
    pub fn grid_map(
        &self,
        grid_id: &str,
        today: Date,
        policy: &VisitPolicy,
        now: Timestamp,
        system: CoordSystem,
    ) -> Result<String> {
        let grid = self
            .grids()?
            .into_iter()
            .find(|g| g.id == grid_id)
            .ok_or_else(|| Error::not_found(crate::kinds::RecordKind::Grid, grid_id))?;
        let place = |p: GeoPoint| {
            let p = convert(p, CoordSystem::Wgs84, system);
            json!([p.lon, p.lat])
        };
        let mut features: Vec<Value> = Vec::new();
        if let Some(ring) = &grid.boundary {
            let mut coords: Vec<Value> = ring.iter().map(|p| place(*p)).collect();
            // RFC 7946 rings repeat their first position at the end.
            if let Some(first) = coords.first().cloned()
                && coords.last() != Some(&first)
            {
                coords.push(first);
            }
            features.push(json!({
                "type": "Feature",
                "geometry": { "type": "Polygon", "coordinates": [coords] },
                "properties": { "kind": "grid", "id": grid.id, "code": grid.code, "name": grid.name },
            }));
        }

        let mut counts: BTreeMap<String, BuildingCounts> = BTreeMap::new();
        for row in self.roster(grid_id)? {
            let entry = counts.entry(row.household.building_id.clone()).or_default();
            entry.households += 1;
            entry.household_points.extend(row.household.location);
        }
        for due in self.visits_due(grid_id, today, policy)? {
            let entry = counts.entry(due.household.building_id).or_default();
            entry.due += 1;
            entry.overdue += i64::from(due.days_overdue > 0);
        }
        let month_start = Date::new(today.year(), today.month(), 1).unwrap_or(today);
        for (building, reached) in self.reached_by_building(grid_id, month_start, today)? {
            counts.entry(building).or_default().reached_this_month = reached;
        }
        let mut building_places: BTreeMap<String, GeoPoint> = BTreeMap::new();
        for building in self.buildings(grid_id)? {
            let c = counts.remove(&building.id).unwrap_or_default();
            let Some(point) = building.location.or_else(|| centroid(&c.household_points)) else {
                continue;
            };
            building_places.insert(building.id.clone(), point);
            features.push(json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": place(point) },
                "properties": {
                    "kind": "building", "id": building.id, "number": building.number,
                    "households": c.households, "due": c.due, "overdue": c.overdue,
                    "reachedThisMonth": c.reached_this_month,
                },
            }));
        }

        for event in self.events_open(grid_id)? {
            let point = event.gps.map(|g| g.point).or_else(|| {
                event
                    .building_id
                    .as_ref()
                    .and_then(|b| building_places.get(b).copied())
            });
            let Some(point) = point else { continue };
            features.push(json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": place(point) },
                "properties": {
                    "kind": "event", "id": event.id, "category": event.category,
                    "level": event.level, "status": event.status.code(),
                    "warningLight": event.warning_light(now).map(|l| l.code()),
                },
            }));
        }

        for (name, point, checkins) in self.placed_checkpoints(grid_id, now)? {
            features.push(json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": place(point) },
                "properties": { "kind": "checkpoint", "name": name, "checkins": checkins },
            }));
        }

        let collection = json!({
            "type": "FeatureCollection",
            "coordSystem": system.code(),
            "features": features,
        });
        Ok(collection.to_string())
    }

    /// Households a visit reached on the local dates `from..=to`, per building.
    fn reached_by_building(
        &self,
        grid_id: &str,
        from: Date,
        to: Date,
    ) -> Result<Vec<(String, i64)>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT h.building_id, count(DISTINCT v.household_id)
                     FROM visits v JOIN households h ON h.id = v.household_id
                     WHERE v.grid_id = ?1 AND v.local_date BETWEEN ?2 AND ?3
                       AND v.outcome IN ({})
                     GROUP BY h.building_id",
                    super::reaching_outcomes_sql()
                ))?
                .query_map(
                    rusqlite::params![grid_id, from.to_string(), to.to_string()],
                    |r| {
                        Ok((
                            r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                            r.get(1)?,
                        ))
                    },
                )?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Each checkpoint named by a check-in with a fix in the last
    /// [`CHECKPOINT_DAYS`] before `now`: the mean of those fixes and their count.
    fn placed_checkpoints(
        &self,
        grid_id: &str,
        now: Timestamp,
    ) -> Result<Vec<(String, GeoPoint, i64)>> {
        let since = now.utc_ms - CHECKPOINT_DAYS * 86_400_000;
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT checkpoint, avg(lon), avg(lat), count(*) FROM checkins
                     WHERE grid_id = ?1 AND at_ms >= ?2 AND at_ms <= ?3
                       AND lon IS NOT NULL AND lat IS NOT NULL AND checkpoint IS NOT NULL
                     GROUP BY checkpoint ORDER BY checkpoint",
                )?
                .query_map(rusqlite::params![grid_id, since, now.utc_ms], |r| {
                    Ok((
                        r.get(0)?,
                        GeoPoint {
                            lon: r.get(1)?,
                            lat: r.get(2)?,
                        },
                        r.get(3)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?)
        })
    }
}
