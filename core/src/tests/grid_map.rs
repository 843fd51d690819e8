//! The grid as GeoJSON: the boundary, the buildings with the visit plan's
//! counts, the open events with their warning light, the checkpoints placed
//! by their check-ins, in the coordinate system the map SDK asks for.

use serde_json::Value;

use super::events::{event_input, t};
use super::*;
use crate::spatial::{CoordSystem, convert};

fn at(lon: f64, lat: f64) -> GeoPoint {
    GeoPoint { lon, lat }
}

/// The features of `kind`, by their properties.
fn features<'a>(map: &'a Value, kind: &str) -> Vec<&'a Value> {
    map["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["kind"] == kind)
        .collect()
}

fn coords(feature: &Value) -> (f64, f64) {
    let c = &feature["geometry"]["coordinates"];
    (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
}

#[test]
fn the_map_holds_the_boundary_buildings_events_and_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let store = super::events::open_as(&dir, "w1", WorkerRole::GridHead);
    let f = fixture(&store);
    let mut grid = store.grids().unwrap().remove(0).to_input();
    grid.boundary = Some(vec![
        at(120.095, 30.275),
        at(120.105, 30.275),
        at(120.105, 30.285),
    ]);
    store.update_grid(&f.grid, grid).unwrap();
    // A second household, visited today; the fixture's one is due.
    let visited = store
        .create_household(household_input(&f.building, "601"))
        .unwrap();
    store.log_visit(visit_input(&visited)).unwrap();
    // A building without a place of any kind is left off the map.
    store
        .create_building(
            &f.grid,
            BuildingInput {
                location: None,
                ..building_input("9栋")
            },
        )
        .unwrap();
    // An open event with a fix, and one placed by its building.
    let with_fix = store
        .report_event(EventInput {
            gps: Some(GpsFix {
                point: at(120.101, 30.281),
                accuracy_m: 10.0,
            }),
            ..event_input(&f.grid, "gas_leak")
        })
        .unwrap();
    let by_building = store
        .report_event(EventInput {
            building_id: Some(f.building.clone()),
            at: t(1),
            ..event_input(&f.grid, "fire_lane_blocked")
        })
        .unwrap();
    // Two check-ins at the east gate place it between their fixes.
    let team = store
        .create_patrol_team(
            &f.grid,
            "平安巡逻队",
            vec![TeamMember {
                member_id: "v1".into(),
                name: "志愿者甲".into(),
            }],
        )
        .unwrap();
    let shift = store
        .create_shift(shift_input(
            &team,
            store.today(),
            (18, 30),
            (20, 30),
            &["东门"],
        ))
        .unwrap();
    store.assign_to_shift(&shift, "v1").unwrap();
    for lon in [120.102, 120.104] {
        store
            .record_checkin(CheckinInput {
                shift_id: shift.clone(),
                member_id: "v1".into(),
                at: now_local(),
                checkpoint: "东门".into(),
                gps: Some(GpsFix {
                    point: at(lon, 30.28),
                    accuracy_m: 5.0,
                }),
            })
            .unwrap();
    }

    let today = store.today();
    let map: Value = serde_json::from_str(
        &store
            .grid_map(
                &f.grid,
                today,
                &VisitPolicy::default(),
                now_local(),
                CoordSystem::Wgs84,
            )
            .unwrap(),
    )
    .unwrap();
    assert_eq!(map["type"], "FeatureCollection");
    assert_eq!(map["coordSystem"], "wgs84");
    let grid = features(&map, "grid");
    assert_eq!(grid.len(), 1);
    let ring = grid[0]["geometry"]["coordinates"][0].as_array().unwrap();
    assert_eq!(ring.len(), 4, "closed: the first position repeated");
    assert_eq!(ring[0], ring[3]);

    let buildings = features(&map, "building");
    assert_eq!(buildings.len(), 1);
    let b = &buildings[0]["properties"];
    assert_eq!(
        (
            b["number"].as_str(),
            b["households"].as_i64(),
            b["due"].as_i64()
        ),
        (Some("3栋"), Some(2), Some(1))
    );
    assert_eq!(
        (b["overdue"].as_i64(), b["reachedThisMonth"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(coords(buildings[0]), (120.1, 30.28));

    let events = features(&map, "event");
    let ids: Vec<&str> = events
        .iter()
        .map(|e| e["properties"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&with_fix.as_str()) && ids.contains(&by_building.as_str()));
    for e in &events {
        let expected = if e["properties"]["id"] == with_fix.as_str() {
            (120.101, 30.281)
        } else {
            (120.1, 30.28)
        };
        assert_eq!(coords(e), expected);
        assert_eq!(e["properties"]["status"], "reported");
        assert!(
            ["green", "yellow", "red"].contains(&e["properties"]["warningLight"].as_str().unwrap())
        );
    }

    let checkpoints = features(&map, "checkpoint");
    assert_eq!(checkpoints.len(), 1);
    assert_eq!(checkpoints[0]["properties"]["name"], "东门");
    assert_eq!(checkpoints[0]["properties"]["checkins"], 2);
    let (lon, lat) = coords(checkpoints[0]);
    assert!((lon - 120.103).abs() < 1e-9 && (lat - 30.28).abs() < 1e-9);

    // For Amap: the same map in GCJ-02.
    let gcj: Value = serde_json::from_str(
        &store
            .grid_map(
                &f.grid,
                today,
                &VisitPolicy::default(),
                now_local(),
                CoordSystem::Gcj02,
            )
            .unwrap(),
    )
    .unwrap();
    assert_eq!(gcj["coordSystem"], "gcj02");
    let shifted = convert(at(120.1, 30.28), CoordSystem::Wgs84, CoordSystem::Gcj02);
    // JSON text keeps 17 digits; parsing them back may differ in the last.
    let (lon, lat) = coords(features(&gcj, "building")[0]);
    assert!((lon - shifted.lon).abs() < 1e-12 && (lat - shifted.lat).abs() < 1e-12);
    // No resident's data anywhere in it.
    let text = gcj.to_string();
    assert!(!text.contains("张秀英") && !text.contains("11010519491231002X"));
}

#[test]
fn an_unknown_grid_has_no_map() {
    let (_dir, store, _f) = one_worker("w1");
    assert!(matches!(
        store.grid_map(
            "00000000-0000-4000-8000-000000000000",
            store.today(),
            &VisitPolicy::default(),
            now_local(),
            CoordSystem::Wgs84
        ),
        Err(crate::Error::NotFound {
            kind: RecordKind::Grid,
            ..
        })
    ));
}
