//! Change notifications and live queries: what a listener hears after a
//! local edit, a merge, a rejected write and a rebuild, and which live
//! queries each change affects.

use std::sync::{Arc, Mutex};

use super::*;

/// A listener that keeps every change it hears.
fn recorder(store: &Store) -> (u64, Arc<Mutex<Vec<StoreChange>>>) {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = heard.clone();
    let id = store.subscribe(move |change| {
        sink.lock().unwrap().push(change.clone());
        Ok(())
    });
    (id, heard)
}

fn take(heard: &Mutex<Vec<StoreChange>>) -> Vec<StoreChange> {
    std::mem::take(&mut *heard.lock().unwrap())
}

fn record(grid: &str, kind: RecordKind, id: &str) -> ChangedRecord {
    ChangedRecord {
        grid_id: grid.into(),
        kind,
        id: id.into(),
    }
}

/// A second grid with one household in the same store; returns (grid, household).
fn second_grid(store: &Store) -> (String, String) {
    let grid = store
        .create_grid(GridInput {
            code: "330106001001002".into(),
            ..grid_input()
        })
        .unwrap();
    let building = store.create_building(&grid, building_input("9栋")).unwrap();
    let household = store
        .create_household(household_input(&building, "101"))
        .unwrap();
    (grid, household)
}

#[test]
fn a_visit_in_one_grid_notifies_its_roster_household_and_plan_not_the_other_grid() {
    let (_dir, store, a) = one_worker("w1");
    let (grid_b, household_b) = second_grid(&store);
    let (_, heard) = recorder(&store);
    let counts: Vec<Arc<Mutex<Vec<ChangeOrigin>>>> = [
        LiveQuery::Roster {
            grid_id: a.grid.clone(),
        },
        LiveQuery::Roster {
            grid_id: grid_b.clone(),
        },
        LiveQuery::Household {
            household_id: a.household.clone(),
        },
        LiveQuery::VisitsDue {
            grid_id: a.grid.clone(),
        },
    ]
    .into_iter()
    .map(|query| {
        let origins = Arc::new(Mutex::new(Vec::new()));
        let sink = origins.clone();
        store.subscribe_query(query, move |origin| {
            sink.lock().unwrap().push(origin);
            Ok(())
        });
        origins
    })
    .collect();

    let visit = store.log_visit(visit_input(&a.household)).unwrap();

    let changes = take(&heard);
    assert_eq!(changes.len(), 1);
    let change = &changes[0];
    assert_eq!(change.origin, ChangeOrigin::Local);
    // The visit, and its household whose latest visit changed.
    assert_eq!(
        change.records,
        vec![
            record(&a.grid, RecordKind::Household, &a.household),
            record(&a.grid, RecordKind::Visit, &visit),
        ]
    );
    assert!(change.whole_grids.is_empty());
    assert!(!change.everything);
    assert!(change.sync_state, "the visit waits in the outbox");
    let affected = |query: LiveQuery| change.affects(&query);
    assert!(affected(LiveQuery::Conflicts {
        grid_id: a.grid.clone()
    }));
    assert!(!affected(LiveQuery::Conflicts {
        grid_id: grid_b.clone()
    }));
    assert!(!affected(LiveQuery::VisitsDue {
        grid_id: grid_b.clone()
    }));
    assert!(!affected(LiveQuery::Household {
        household_id: household_b.clone()
    }));
    assert!(affected(LiveQuery::SyncStatus));
    let heard: Vec<usize> = counts.iter().map(|c| c.lock().unwrap().len()).collect();
    assert_eq!(heard, vec![1, 0, 1, 1]);
    assert_eq!(*counts[0].lock().unwrap(), vec![ChangeOrigin::Local]);
    assert_eq!(store.listener_count(), 5);
}

#[test]
fn a_resident_or_a_building_notifies_the_households_derived_from_it() {
    let (_dir, store, a) = one_worker("w1");
    let (_, heard) = recorder(&store);
    let resident = store
        .create_resident(resident_input(&a.household, "李明"))
        .unwrap();
    let changes = take(&heard);
    assert_eq!(changes.len(), 1);
    // The household's member count changed with it.
    assert_eq!(
        changes[0].records,
        vec![
            record(&a.grid, RecordKind::Household, &a.household),
            record(&a.grid, RecordKind::Resident, &resident),
        ]
    );
    store
        .update_building(&a.building, building_input("3栋甲"))
        .unwrap();
    let changes = take(&heard);
    assert_eq!(changes.len(), 1);
    // The household's address text comes from its building.
    assert_eq!(
        changes[0].records,
        vec![
            record(&a.grid, RecordKind::Building, &a.building),
            record(&a.grid, RecordKind::Household, &a.household),
        ]
    );
}

#[test]
fn a_rejected_write_notifies_nobody() {
    let (_dir, store, a) = one_worker("w1");
    let (_, heard) = recorder(&store);
    // Refused before writing: a bad value.
    let mut bad = visit_input(&a.household);
    bad.notes = Some("x".repeat(10_000));
    assert!(matches!(store.log_visit(bad), Err(Error::Invalid { .. })));
    // Refused inside the write, which rolls back: an unknown household.
    assert!(matches!(
        store.log_visit(visit_input("no-such-household")),
        Err(Error::NotFound { .. })
    ));
    assert!(take(&heard).is_empty());
    assert!(store.roster(&a.grid).unwrap()[0].last_visit.is_none());
}

#[test]
fn a_merge_notifies_with_origin_merge_and_a_known_change_notifies_nobody() {
    let (_dir, head, assistant, f) = head_and_assistant();
    let (_, heard) = recorder(&assistant);
    // The whole grid arrives at a store that had none of it.
    send(&head, &assistant);
    let changes = take(&heard);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].origin, ChangeOrigin::Merge);
    assert!(changes[0].affects(&LiveQuery::Roster {
        grid_id: f.grid.clone()
    }));
    assert!(changes[0].affects(&LiveQuery::Household {
        household_id: f.household.clone()
    }));
    let visit = head.log_visit(visit_input(&f.household)).unwrap();
    send(&head, &assistant);
    let changes = take(&heard);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].origin, ChangeOrigin::Merge);
    assert_eq!(
        changes[0].records,
        vec![
            record(&f.grid, RecordKind::Household, &f.household),
            record(&f.grid, RecordKind::Visit, &visit),
        ]
    );
    // An import does not touch the outbox or the sync cursors.
    assert!(!changes[0].sync_state);
    assert!(changes[0].affects(&LiveQuery::Roster {
        grid_id: f.grid.clone()
    }));
    assert!(!changes[0].affects(&LiveQuery::SyncStatus));
    // The same changes again change nothing.
    send(&head, &assistant);
    assert!(take(&heard).is_empty());
}

#[test]
fn an_acknowledged_push_notifies_the_sync_status_only() {
    use crate::sync::{SyncLimits, SyncResponse};
    let (_dir, store, a) = one_worker("w1");
    let (_, heard) = recorder(&store);
    let request = store.sync_request(&SyncLimits::default()).unwrap();
    // The server stored everything and has nothing new for this device.
    let response = SyncResponse {
        acked_upto: request.push_upto,
        grids: vec![],
        identity: None,
        ..SyncResponse::default()
    };
    store.apply_sync_response(&request, &response).unwrap();
    assert_eq!(store.sync_status().unwrap().unsent_changes, 0);
    let changes = take(&heard);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].origin, ChangeOrigin::Merge);
    assert!(changes[0].records.is_empty());
    assert!(changes[0].affects(&LiveQuery::SyncStatus));
    assert!(!changes[0].affects(&LiveQuery::Roster { grid_id: a.grid }));
}

#[test]
fn a_removed_listener_hears_nothing_more() {
    let (_dir, store, a) = one_worker("w1");
    let (id, heard) = recorder(&store);
    let (_, other) = recorder(&store);
    assert_eq!(store.listener_count(), 2);
    assert!(store.unsubscribe(id));
    assert!(!store.unsubscribe(id), "already removed");
    assert_eq!(store.listener_count(), 1);
    store.log_visit(visit_input(&a.household)).unwrap();
    assert!(take(&heard).is_empty());
    assert_eq!(take(&other).len(), 1);
}

#[test]
fn a_failing_listener_is_counted_and_the_others_still_hear() {
    let (_dir, store, a) = one_worker("w1");
    store.subscribe(|_| Err(ListenerFailed));
    store.subscribe(|_| panic!("a listener's bug"));
    let (_, heard) = recorder(&store);
    store.log_visit(visit_input(&a.household)).unwrap();
    store.log_visit(visit_input(&a.household)).unwrap();
    assert_eq!(store.listener_failures(), 4);
    assert_eq!(take(&heard).len(), 2);
    // The store is not poisoned: writes and reads go on.
    assert_eq!(store.household(&a.household).unwrap().visits.len(), 2);
}

#[test]
fn a_rebuild_notifies_everything_and_not_the_sync_status() {
    let (_dir, store, a) = one_worker("w1");
    let (_, heard) = recorder(&store);
    store.rebuild().unwrap();
    let changes = take(&heard);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].origin, ChangeOrigin::Rebuild);
    assert!(changes[0].everything);
    assert!(changes[0].affects(&LiveQuery::Household {
        household_id: a.household.clone()
    }));
    assert!(!changes[0].affects(&LiveQuery::SyncStatus));
    // Compaction changes no row.
    store.compact().unwrap();
    assert!(take(&heard).is_empty());
}

#[test]
fn closing_the_listeners_tells_every_query_once_and_removes_them() {
    let (_dir, store, a) = one_worker("w1");
    let (_, heard) = recorder(&store);
    let plan = Arc::new(Mutex::new(Vec::new()));
    let sink = plan.clone();
    store.subscribe_query(
        LiveQuery::VisitsDue {
            grid_id: a.grid.clone(),
        },
        move |origin| {
            sink.lock().unwrap().push(origin);
            Ok(())
        },
    );
    store.subscribe(|_| Err(ListenerFailed));
    store.close_listeners();
    let changes = take(&heard);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].origin, ChangeOrigin::Closed);
    assert!(changes[0].affects(&LiveQuery::SyncStatus));
    assert_eq!(*plan.lock().unwrap(), vec![ChangeOrigin::Closed]);
    assert_eq!(store.listener_failures(), 1);
    assert_eq!(store.listener_count(), 0);
    // Nothing is left to hear a later write.
    store.log_visit(visit_input(&a.household)).unwrap();
    assert!(take(&heard).is_empty());
    assert_eq!(plan.lock().unwrap().len(), 1);
}

#[test]
fn an_event_step_notifies_its_grids_events_and_merges_too() {
    let dir = tempfile::tempdir().unwrap();
    let head = super::events::open_as(&dir, "head", WorkerRole::GridHead);
    let other = super::events::open_as(&dir, "other", WorkerRole::Assistant);
    let a = fixture(&head);
    let (grid_b, _) = second_grid(&head);
    let id = head
        .report_event(super::events::event_input(&a.grid, "gas_leak"))
        .unwrap();
    sync_pair(&head, &other);
    let (_, heard) = recorder(&head);
    let events = |store: &Store, grid: &str| {
        let origins = Arc::new(Mutex::new(Vec::new()));
        let sink = origins.clone();
        store.subscribe_query(
            LiveQuery::Events {
                grid_id: grid.to_string(),
            },
            move |origin| {
                sink.lock().unwrap().push(origin);
                Ok(())
            },
        );
        origins
    };
    let (in_a, in_b) = (events(&head, &a.grid), events(&head, &grid_b));
    let step_id = head
        .take_event_step(super::events::step(&id, StepAction::Accept, 1))
        .unwrap();
    let changes = take(&heard);
    assert_eq!(changes.len(), 1);
    assert_eq!(
        changes[0].records,
        vec![
            record(&a.grid, RecordKind::Event, &id),
            record(&a.grid, RecordKind::EventStep, &step_id),
        ]
    );
    assert_eq!(*in_a.lock().unwrap(), vec![ChangeOrigin::Local]);
    assert!(in_b.lock().unwrap().is_empty());
    // Another phone's step, merged.
    let in_other = events(&other, &a.grid);
    send(&head, &other);
    assert_eq!(*in_other.lock().unwrap(), vec![ChangeOrigin::Merge]);
}
