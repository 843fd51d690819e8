//! The day's walking route through the store: every household due once,
//! grouped by building, stairwell and floor, the buildings in the shortest
//! order from the worker, and the unlocated buildings last.

use super::*;
use crate::spatial::distance_m;
use crate::{Error, InvalidReason};

/// Buildings along a street going east, 100 m apart (0.001° of longitude
/// is about 96 m at this latitude).
fn at(k: f64) -> GeoPoint {
    GeoPoint {
        lon: 120.150 + k * 0.001,
        lat: 30.280,
    }
}

fn building(store: &Store, grid: &str, number: &str, location: Option<GeoPoint>) -> String {
    store
        .create_building(
            grid,
            BuildingInput {
                location,
                ..building_input(number)
            },
        )
        .unwrap()
}

fn household(store: &Store, building: &str, unit: &str, floor: i32, room: &str) -> String {
    store
        .create_household(HouseholdInput {
            unit: unit.into(),
            floor,
            ..household_input(building, room)
        })
        .unwrap()
}

/// A stairwell as (unit, [room…]).
type Stairwell = (String, Vec<String>);

/// (building number, [stairwell…]) in route order.
fn shape(route: &WalkingRoute) -> Vec<(String, Vec<Stairwell>)> {
    route
        .buildings
        .iter()
        .map(|b| {
            (
                b.number.clone(),
                b.stairwells
                    .iter()
                    .map(|s| {
                        (
                            s.unit.clone(),
                            s.households.iter().map(|h| h.room.clone()).collect(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn the_route_climbs_each_stairwell_once_and_walks_the_nearest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w1");
    let grid = store.create_grid(grid_input()).unwrap();
    let one = building(&store, &grid, "1栋", Some(at(0.0)));
    let two = building(&store, &grid, "2栋", Some(at(1.0)));
    let ten = building(&store, &grid, "10栋", Some(at(2.0)));
    let far = building(&store, &grid, "12栋", None);
    // Placed by its households' locations: between 2栋 and 10栋.
    let placed = building(&store, &grid, "5栋", None);
    household(&store, &one, "2", 3, "302");
    household(&store, &one, "10", 1, "101");
    household(&store, &one, "2", 1, "101");
    household(&store, &one, "2", 3, "301");
    household(&store, &two, "1", 6, "601");
    household(&store, &ten, "1", 2, "201");
    household(&store, &far, "1", 1, "101");
    let h = household(&store, &placed, "1", 4, "402");
    let mut input = store.household(&h).unwrap().household.to_input();
    input.location = Some(at(1.5));
    store.update_household(&h, input).unwrap();

    // From east of 10栋: west along the street, then the unlocated one.
    let today = store.today();
    let route = store
        .walking_route(&grid, today, &VisitPolicy::default(), Some(at(3.0)))
        .unwrap();
    assert_eq!(
        shape(&route),
        vec![
            ("10栋".into(), vec![("1".into(), vec!["201".into()])]),
            ("5栋".into(), vec![("1".into(), vec!["402".into()])]),
            ("2栋".into(), vec![("1".into(), vec!["601".into()])]),
            (
                "1栋".into(),
                vec![
                    ("2".into(), vec!["101".into(), "301".into(), "302".into()]),
                    ("10".into(), vec!["101".into()]),
                ]
            ),
            ("12栋".into(), vec![("1".into(), vec!["101".into()])]),
        ]
    );
    assert_eq!(route.households, 8);
    let due = store
        .visits_due(&grid, today, &VisitPolicy::default())
        .unwrap();
    assert_eq!(route.households as usize, due.len());
    let walks: Vec<Option<f64>> = route.buildings.iter().map(|b| b.walk_m).collect();
    assert!(walks[..4].iter().all(Option::is_some) && walks[4].is_none());
    let sum: f64 = walks.iter().flatten().sum();
    assert!((sum - route.total_walk_m).abs() < 1e-6);
    assert!((route.total_walk_m - distance_m(at(3.0), at(0.0))).abs() < 1e-6);
    assert_eq!(route.buildings[1].location, Some(at(1.5)));
    assert_eq!(route.buildings[4].location, None);

    // A visit that reaches a household takes it off the route.
    let mut visit = visit_input(&h);
    visit.outcome = VisitOutcome::Met;
    store.log_visit(visit).unwrap();
    let after = store
        .walking_route(&grid, today, &VisitPolicy::default(), Some(at(3.0)))
        .unwrap();
    assert_eq!(after.households, 7);
    assert!(!after.buildings.iter().any(|b| b.number == "5栋"));
}

#[test]
fn without_a_position_the_walk_starts_at_an_end_and_bad_positions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w1");
    let grid = store.create_grid(grid_input()).unwrap();
    for (number, k) in [("1栋", 0.0), ("3栋", 2.0), ("2栋", 1.0)] {
        let b = building(&store, &grid, number, Some(at(k)));
        household(&store, &b, "1", 1, "101");
    }
    let today = store.today();
    let route = store
        .walking_route(&grid, today, &VisitPolicy::default(), None)
        .unwrap();
    let numbers: Vec<&str> = route.buildings.iter().map(|b| b.number.as_str()).collect();
    assert!(
        numbers == ["1栋", "2栋", "3栋"] || numbers == ["3栋", "2栋", "1栋"],
        "{numbers:?}"
    );
    assert!((route.total_walk_m - distance_m(at(0.0), at(2.0))).abs() < 1e-6);
    let refused = store.walking_route(
        &grid,
        today,
        &VisitPolicy::default(),
        Some(GeoPoint {
            lon: 200.0,
            lat: 30.0,
        }),
    );
    assert!(
        matches!(
            refused,
            Err(Error::Invalid {
                field: "from.lon",
                reason: InvalidReason::OutOfRange
            })
        ),
        "{refused:?}"
    );
    let empty = store.create_grid(grid_input()).unwrap();
    let none = store
        .walking_route(&empty, today, &VisitPolicy::default(), Some(at(0.0)))
        .unwrap();
    assert_eq!(
        (none.buildings.len(), none.households, none.total_walk_m),
        (0, 0, 0.0)
    );
}
