//! GPS sanity: visits far from their household and fixes outside the
//! grid's boundary are listed for review with the distance, and nothing is
//! refused for its fix.

use super::*;
use crate::spatial::distance_m;
use crate::{Error, InvalidReason};

fn at(lon: f64, lat: f64) -> GeoPoint {
    GeoPoint { lon, lat }
}

/// A visit `minutes_ago` with its fix at `point`.
fn visit_at(store: &Store, household: &str, point: GeoPoint, minutes_ago: i64) -> String {
    let mut at = now_local();
    at.utc_ms -= minutes_ago * 60_000;
    store
        .log_visit(VisitInput {
            at,
            gps: Some(GpsFix {
                point,
                accuracy_m: 20.0,
            }),
            ..visit_input(household)
        })
        .unwrap()
}

#[test]
fn far_visits_and_fixes_outside_the_boundary_are_listed_never_refused() {
    let (_dir, store, f) = one_worker("w1");
    // The fixture's building stands at (120.1, 30.28); the boundary is a
    // square of about 1 km around it.
    let mut grid = store.grids().unwrap().remove(0).to_input();
    grid.boundary = Some(vec![
        at(120.095, 30.275),
        at(120.105, 30.275),
        at(120.105, 30.285),
        at(120.095, 30.285),
    ]);
    store.update_grid(&f.grid, grid).unwrap();
    let building = at(120.1, 30.28);
    // 50 m east: fine. 300 m east: far. Outside the square: far and outside.
    let near = visit_at(&store, &f.household, at(120.1005, 30.28), 3);
    let far_point = at(120.1031, 30.28);
    let far = visit_at(&store, &f.household, far_point, 2);
    let outside_point = at(120.11, 30.28);
    let outside = visit_at(&store, &f.household, outside_point, 1);
    let today = store.today();
    let flags = store.gps_review(&f.grid, today, today, None).unwrap();
    let got: Vec<(&str, bool)> = flags
        .iter()
        .map(|g| (g.record_id.as_str(), g.outside_boundary))
        .collect();
    assert_eq!(got, vec![(far.as_str(), false), (outside.as_str(), true)]);
    assert_eq!(flags[0].kind, RecordKind::Visit);
    assert_eq!(flags[0].worker_id, "w1");
    let d = flags[0].distance_m.unwrap();
    assert!(
        (d - distance_m(building, far_point)).abs() < 1e-6 && d > 150.0,
        "{d}"
    );
    // A wider tolerance keeps only the fix outside the boundary.
    let wide = store
        .gps_review(&f.grid, today, today, Some(1_000.0))
        .unwrap();
    assert_eq!(
        wide.iter()
            .map(|g| g.record_id.as_str())
            .collect::<Vec<_>>(),
        vec![outside.as_str()]
    );
    // Every visit was kept.
    let kept: Vec<String> = store
        .household(&f.household)
        .unwrap()
        .visits
        .into_iter()
        .map(|v| v.id)
        .collect();
    for id in [&near, &far, &outside] {
        assert!(kept.contains(id));
    }
    // Another day has nothing to review.
    let tomorrow = today.add_days(1);
    assert!(
        store
            .gps_review(&f.grid, tomorrow, tomorrow, None)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_bad_tolerance_or_period_is_refused_naming_it() {
    let (_dir, store, f) = one_worker("w1");
    let today = store.today();
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 10_001.0] {
        assert!(
            matches!(
                store.gps_review(&f.grid, today, today, Some(bad)),
                Err(Error::Invalid {
                    field: "max_distance_m",
                    reason: InvalidReason::OutOfRange
                })
            ),
            "{bad}"
        );
    }
    let yesterday = today.add_days(-1);
    assert!(matches!(
        store.gps_review(&f.grid, today, yesterday, None),
        Err(Error::Invalid {
            field: "to",
            reason: InvalidReason::EndsBeforeStart
        })
    ));
}
