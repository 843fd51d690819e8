//! The live-query listener as Kotlin and Swift reach it: heard for its query
//! only, a failing one counted, gone after `unsubscribe`, told `Closed` last
//! when the store closes or is released. The edits go
//! through the core directly; the core's own tests cover which changes
//! affect which query.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use gridbook::codes::{DwellingUse, WorkerRole};
use gridbook::{BuildingInput, ChangeOrigin, GridInput, HouseholdInput, LiveQuery, WorkerIdentity};

use super::Wait;
use crate::{ListenerError, LiveQueryListener, Store};

#[derive(Default)]
struct Heard {
    origins: Mutex<Vec<ChangeOrigin>>,
    fail: bool,
}

impl LiveQueryListener for Heard {
    fn on_change(&self, origin: ChangeOrigin) -> Result<(), ListenerError> {
        self.origins.lock().unwrap().push(origin);
        if self.fail {
            Err(ListenerError::Failed)
        } else {
            Ok(())
        }
    }
}

fn grid(store: &Store, code: &str) -> String {
    store
        .core()
        .unwrap()
        .create_grid(GridInput {
            code: code.into(),
            name: "一网格".into(),
            community: None,
            street: None,
            boundary: None,
        })
        .unwrap()
}

fn building(store: &Store, grid: &str) -> String {
    store
        .core()
        .unwrap()
        .create_building(
            grid,
            BuildingInput {
                number: "3栋".into(),
                estate: None,
                units: 1,
                floors: 6,
                location: None,
            },
        )
        .unwrap()
}

fn household(store: &Store, building: &str) -> String {
    store
        .core()
        .unwrap()
        .create_household(HouseholdInput {
            building_id: building.into(),
            unit: "1".into(),
            floor: 5,
            room: "502".into(),
            use_kind: DwellingUse::OwnerOccupied,
            tags: vec![],
            location: None,
            notes: None,
        })
        .unwrap()
}

#[test]
fn a_listener_hears_its_query_only_and_a_failing_one_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let store = opened(&dir);
    let (a, b) = (grid(&store, "A-1"), grid(&store, "B-1"));
    let (in_a, in_b) = (building(&store, &a), building(&store, &b));
    let roster_a = Arc::new(Heard::default());
    let failing = Arc::new(Heard {
        fail: true,
        ..Heard::default()
    });
    let id = store
        .subscribe(LiveQuery::Roster { grid_id: a.clone() }, roster_a.clone())
        .unwrap();
    store
        .subscribe(LiveQuery::Roster { grid_id: a.clone() }, failing.clone())
        .unwrap();
    assert_eq!(store.listener_count(), 2);

    household(&store, &in_b);
    assert!(roster_a.origins.lock().unwrap().is_empty());
    household(&store, &in_a);
    assert_eq!(*roster_a.origins.lock().unwrap(), vec![ChangeOrigin::Local]);
    assert_eq!(*failing.origins.lock().unwrap(), vec![ChangeOrigin::Local]);
    assert_eq!(store.listener_failures().unwrap(), 1);

    assert!(store.unsubscribe(id));
    assert_eq!(store.listener_count(), 1);
    household(&store, &in_a);
    assert_eq!(roster_a.origins.lock().unwrap().len(), 1);
    assert_eq!(failing.origins.lock().unwrap().len(), 2);
}

fn opened(dir: &tempfile::TempDir) -> Arc<Store> {
    let identity = WorkerIdentity {
        worker_id: "w1".into(),
        name: "张伟".into(),
        role: WorkerRole::GridHead,
        device_label: "张伟的手机".into(),
    };
    let path = dir.path().join("w1.db").to_string_lossy().into_owned();
    Store::open(path, identity, None).wait().unwrap()
}

fn is_closed<T: std::fmt::Debug>(result: crate::Result<T>) -> bool {
    matches!(result, Err(crate::GridbookError::Closed { .. }))
}

#[test]
fn close_tells_listeners_last_then_every_call_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let store = opened(&dir);
    let grid_id = grid(&store, "A-1");
    let heard = Arc::new(Heard::default());
    store
        .subscribe(
            LiveQuery::Roster {
                grid_id: grid_id.clone(),
            },
            heard.clone(),
        )
        .unwrap();

    store.close().wait().unwrap();
    assert_eq!(*heard.origins.lock().unwrap(), vec![ChangeOrigin::Closed]);
    assert_eq!(store.listener_count(), 0);
    assert!(is_closed(store.roster(grid_id.clone()).wait()));
    assert!(is_closed(store.grids().wait()));
    assert!(is_closed(store.listener_failures()));
    assert!(is_closed(
        store.subscribe(LiveQuery::SyncStatus, heard.clone())
    ));
    assert!(!store.unsubscribe(1));
    assert_eq!(store.identity().wait().worker_id, "w1");
    store.close().wait().unwrap();

    // The file was closed: it opens again, with the grid, while the closed
    // object is still held.
    let reopened = opened(&dir);
    assert_eq!(reopened.roster(grid_id).wait().unwrap().len(), 0);
    assert_eq!(reopened.grids().wait().unwrap().len(), 1);
    assert_eq!(heard.origins.lock().unwrap().len(), 1, "heard nothing more");
}

#[test]
fn a_store_released_without_close_still_ends_its_live_queries() {
    let dir = tempfile::tempdir().unwrap();
    let store = opened(&dir);
    let heard = Arc::new(Heard::default());
    store
        .subscribe(LiveQuery::SyncStatus, heard.clone())
        .unwrap();
    drop(store);
    assert_eq!(*heard.origins.lock().unwrap(), vec![ChangeOrigin::Closed]);
}
