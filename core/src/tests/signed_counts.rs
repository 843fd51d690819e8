//! Counts, sizes and days in the API are signed (Kotlin `Int`/`Long`, Swift
//! `Int32`/`Int64`): a negative input is `Invalid` with `OutOfRange` naming
//! its field and changes nothing; outputs keep their values.

use super::*;
use crate::{Error, InvalidReason, VisitPolicy};

fn out_of_range<T: std::fmt::Debug>(result: crate::Result<T>) -> &'static str {
    match result {
        Err(Error::Invalid {
            field,
            reason: InvalidReason::OutOfRange,
        }) => field,
        other => panic!("expected OutOfRange, got {other:?}"),
    }
}

#[test]
fn negative_building_sizes_are_refused_and_change_nothing() {
    let (_dir, store, f) = one_worker("w1");
    let before = store.buildings(&f.grid).unwrap();
    for (units, floors, field) in [(-1, 6, "units"), (0, 6, "units"), (2, -6, "floors")] {
        let input = BuildingInput {
            units,
            floors,
            ..building_input("4栋")
        };
        assert_eq!(
            out_of_range(store.create_building(&f.grid, input.clone())),
            field
        );
        assert_eq!(
            out_of_range(store.update_building(&f.building, input)),
            field
        );
    }
    assert_eq!(store.buildings(&f.grid).unwrap(), before);
    assert_eq!((before[0].units, before[0].floors), (2, 6));
}

#[test]
fn a_negative_search_limit_or_cursor_is_refused() {
    let (_dir, store, f) = one_worker("w1");
    assert_eq!(out_of_range(store.search(&f.grid, "张", -1)), "limit");
    assert_eq!(store.search(&f.grid, "张", 0).unwrap().len(), 0);
    assert_eq!(store.search(&f.grid, "张", 1).unwrap().len(), 1);
    assert_eq!(out_of_range(store.export_since(-1)), "cursor");
    let set = store.export_since(0).unwrap();
    assert!(set.cursor > 0 && set.chunks > 0, "{set:?}");
    assert_eq!(store.export_since(set.cursor).unwrap().chunks, 0);
}

#[test]
fn negative_visit_intervals_are_refused() {
    let (_dir, store, f) = one_worker("w1");
    let today = store.today();
    let general = VisitPolicy {
        general_interval_days: Some(-7),
        category_interval_days: Default::default(),
    };
    assert_eq!(
        out_of_range(store.visits_due(&f.grid, today, &general)),
        "general_interval_days"
    );
    let category = VisitPolicy {
        general_interval_days: None,
        category_interval_days: [("elderly_alone".to_string(), -1)].into(),
    };
    assert_eq!(
        out_of_range(store.visits_due(&f.grid, today, &category)),
        "category_interval_days"
    );
    let due = store
        .visits_due(&f.grid, today, &VisitPolicy::default())
        .unwrap();
    assert_eq!(
        (
            due[0].member_count,
            due[0].interval_days,
            due[0].days_overdue
        ),
        (1, 7, 0)
    );
}
