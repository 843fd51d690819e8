//! The day's walking route: the households due a visit (`plan.rs`),
//! grouped by building, then stairwell (单元), then floor, so that each
//! stairwell is climbed once, and the buildings put in the shortest walking
//! order from where the worker stands (`spatial::walking_order`).
//!
//! A building is placed by its own location, or else by the mean of its
//! households' locations (their centroid); a building with neither cannot be ordered on the
//! ground, so it comes after the located ones, in building-number order,
//! without a walking distance. Inside a building, stairwells go in natural
//! order (2 before 10), floors upwards and rooms in natural order.
//!
//! To weigh the route by something else (overdue days, care tiers), order
//! the groups here; the distance search stays in `spatial/route.rs`.

use std::collections::BTreeMap;

use super::{VisitDue, VisitPolicy};
use crate::error::Result;
use crate::sortkey::natural_key;
use crate::spatial::{centroid, distance_m, walking_order};
use crate::store::Store;
use crate::validate::Date;
use crate::values::{GeoPoint, check_point};

/// A household to knock at on the route.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RouteHousehold {
    /// The household.
    pub household_id: String,
    /// Its floor.
    pub floor: i32,
    /// Its room number.
    pub room: String,
    /// Days past its due date (0 when due today or never reached).
    pub days_overdue: i32,
    /// The care categories of its active members, sorted.
    pub care_categories: Vec<String>,
}

/// One stairwell (单元) of a building, climbed once: its due households
/// from the lowest floor up.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RouteStairwell {
    /// The unit (单元) label.
    pub unit: String,
    /// Its due households, by floor then room.
    pub households: Vec<RouteHousehold>,
}

/// One building of the route.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RouteBuilding {
    /// The building.
    pub building_id: String,
    /// Its number (3栋).
    pub number: String,
    /// Where it is (WGS-84): its own location, or the mean of its
    /// households'; `None` if neither is known.
    pub location: Option<GeoPoint>,
    /// Metres walked to it from the previous building (or the start);
    /// `None` for a building without a location.
    pub walk_m: Option<f64>,
    /// Its stairwells in natural order.
    pub stairwells: Vec<RouteStairwell>,
}

/// The day's route through the households due a visit.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WalkingRoute {
    /// The buildings in walking order: the located ones first.
    pub buildings: Vec<RouteBuilding>,
    /// The walk through the located buildings, in metres.
    pub total_walk_m: f64,
    /// How many households the route holds (every household due).
    pub households: i32,
}

/// A building's due households before ordering.
struct Group {
    number: String,
    location: Option<GeoPoint>,
    household_points: Vec<GeoPoint>,
    due: Vec<VisitDue>,
}

impl Store {
    /// The route through a grid's households due a visit on `today` under
    /// `policy`, from `from` (the worker's position, WGS-84) or, without
    /// it, from whichever building makes the walk shortest. Every due
    /// household is on it exactly once.
    pub fn walking_route(
        &self,
        grid_id: &str,
        today: Date,
        policy: &VisitPolicy,
        from: Option<GeoPoint>,
    ) -> Result<WalkingRoute> {
        let from = check_point(from, "from.lon", "from.lat")?;
        let due = self.visits_due(grid_id, today, policy)?;
        let households = i32::try_from(due.len()).unwrap_or(i32::MAX);
        let located: BTreeMap<String, (String, Option<GeoPoint>)> = self
            .buildings(grid_id)?
            .into_iter()
            .map(|b| (b.id, (b.number, b.location)))
            .collect();
        let mut groups: BTreeMap<String, Group> = BTreeMap::new();
        for visit in due {
            let building = visit.household.building_id.clone();
            let group = groups.entry(building.clone()).or_insert_with(|| {
                let (number, location) = located
                    .get(&building)
                    .cloned()
                    .unwrap_or_else(|| (visit.household.building_number.clone(), None));
                Group {
                    number,
                    location,
                    household_points: Vec::new(),
                    due: Vec::new(),
                }
            });
            group.household_points.extend(visit.household.location);
            group.due.push(visit);
        }
        let mut placed: Vec<(String, Group, GeoPoint)> = Vec::new();
        let mut unplaced: Vec<(String, Group)> = Vec::new();
        for (id, group) in groups {
            match group.location.or_else(|| centroid(&group.household_points)) {
                Some(point) => placed.push((id, group, point)),
                None => unplaced.push((id, group)),
            }
        }
        let points: Vec<GeoPoint> = placed.iter().map(|(_, _, p)| *p).collect();
        let (order, total_walk_m) = walking_order(from, &points);
        let mut buildings = Vec::with_capacity(placed.len() + unplaced.len());
        let mut slots: Vec<Option<(String, Group, GeoPoint)>> =
            placed.into_iter().map(Some).collect();
        let mut previous = from;
        for index in order {
            if let Some((id, group, point)) = slots.get_mut(index).and_then(Option::take) {
                let walk_m = previous.map_or(0.0, |p| distance_m(p, point));
                previous = Some(point);
                buildings.push(route_building(id, group, Some(point), Some(walk_m)));
            }
        }
        unplaced.sort_by_key(|(_, group)| natural_key(&group.number));
        for (id, group) in unplaced {
            buildings.push(route_building(id, group, None, None));
        }
        Ok(WalkingRoute {
            buildings,
            total_walk_m,
            households,
        })
    }
}

/// A building's stairwells, each climbed once from the lowest floor.
fn route_building(
    building_id: String,
    group: Group,
    location: Option<GeoPoint>,
    walk_m: Option<f64>,
) -> RouteBuilding {
    let mut stairwells: BTreeMap<String, RouteStairwell> = BTreeMap::new();
    for visit in group.due {
        let household = visit.household;
        stairwells
            .entry(natural_key(&household.unit))
            .or_insert_with(|| RouteStairwell {
                unit: household.unit.clone(),
                households: Vec::new(),
            })
            .households
            .push(RouteHousehold {
                household_id: household.id,
                floor: household.floor,
                room: household.room,
                days_overdue: visit.days_overdue,
                care_categories: visit.care_categories,
            });
    }
    let stairwells = stairwells
        .into_values()
        .map(|mut stairwell| {
            stairwell
                .households
                .sort_by_key(|h| (h.floor, natural_key(&h.room)));
            stairwell
        })
        .collect();
    RouteBuilding {
        building_id,
        number: group.number,
        location,
        walk_m,
        stairwells,
    }
}
