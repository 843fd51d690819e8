//! The server vouches for who wrote what, against the real server on both
//! backends: a phone whose store claims another worker than its device
//! token's is refused whole (403, `SyncError::Forbidden`), nothing of its
//! push is stored, and the same token's honest phone syncs. The forgery
//! paths inside a change are covered in the core (`core/src/tests/authorship.rs`).
//!
//! The roles the server keeps: a phone claiming a role the server does not
//! give its worker is refused whole until an administrator gives it; a
//! phone syncing with another worker's token refuses the response
//! (`Error::TokenOfAnotherWorker`) and stays as it was; the identity the
//! server vouches for is kept by the store, which still opens for its own
//! worker only. The device side alone: `core/src/tests/vouched.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use gridbook::codes::WorkerRole;
use gridbook::sync::SyncError;
use gridbook::{Error, Store, Worker, WorkerIdentity};

fn a_forged_author_is_refused_whole(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(backend, &[]);
    let token = server.enrol("w1", WorkerRole::GridHead, None, true);
    // A store opened as someone else, syncing with w1's token.
    let forger = Device::new(
        dir.path(),
        "w-someone-else",
        WorkerRole::GridHead,
        client_options(&server.url(), &token),
    );
    let forged_grid = seed_grid(&forger.store);
    let before = forger.store.sync_status().unwrap();
    match forger.try_sync() {
        Err(SyncError::Forbidden(detail)) => {
            assert!(
                detail.contains("claims another author in worker_id"),
                "{detail}"
            )
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
    assert_eq!(forger.store.sync_status().unwrap(), before);
    assert!(!server.admin(&["list"]).contains(&forged_grid));

    // The same worker's honest phone is accepted, and its grid is stored.
    let honest = Device::new(
        dir.path(),
        "w1",
        WorkerRole::GridHead,
        client_options(&server.url(), &token),
    );
    let grid = seed_grid(&honest.store);
    honest.sync(1);
    assert_eq!(honest.store.sync_status().unwrap().unsent_changes, 0);
    let listing = server.admin(&["list"]);
    assert!(listing.contains(&grid), "{listing}");
    assert!(!listing.contains(&forged_grid));
}

#[test]
fn a_forged_author_is_refused_whole_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_forged_author_is_refused_whole(Backend::Sqlite(dir.path().join("server")));
}

#[test]
fn a_forged_author_is_refused_whole_on_postgres() {
    a_forged_author_is_refused_whole(Backend::Postgres(server::fresh_postgres()));
}

/// The workers of `admin list --json`, as (id, role code).
fn listed_roles(server: &ServerProcess) -> Vec<(String, String)> {
    let listing: serde_json::Value =
        serde_json::from_str(&server.admin(&["list", "--json"])).unwrap();
    listing["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["worker_id"].as_str().unwrap().to_string(),
                w["role"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn a_role_the_server_does_not_give_is_refused_until_given(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(backend, &[]);
    let token = server.enrol("w1", WorkerRole::Assistant, None, true);
    assert_eq!(listed_roles(&server), [("w1".into(), "assistant".into())]);
    // The phone believes its worker is the grid head.
    let phone = Device::new(
        dir.path(),
        "w1",
        WorkerRole::GridHead,
        client_options(&server.url(), &token),
    );
    let grid = seed_grid(&phone.store);
    let before = phone.store.sync_status().unwrap();
    match phone.try_sync() {
        Err(SyncError::Forbidden(detail)) => {
            assert!(detail.contains("claims another author in role"), "{detail}")
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
    assert_eq!(phone.store.sync_status().unwrap(), before);
    assert_eq!(phone.store.vouched_identity().unwrap(), None);
    let listing: serde_json::Value =
        serde_json::from_str(&server.admin(&["list", "--json"])).unwrap();
    assert_eq!(listing["grids"], serde_json::json!([]), "nothing stored");

    // The administrator gives the role: the same push is accepted.
    let out = server.admin(&["set-role", "--worker", "w1", "--role", "grid_head"]);
    assert_eq!(out.trim(), "worker w1 is grid_head");
    assert_eq!(listed_roles(&server), [("w1".into(), "grid_head".into())]);
    phone.sync(1);
    assert_eq!(phone.store.sync_status().unwrap().unsent_changes, 0);
    let listing: serde_json::Value =
        serde_json::from_str(&server.admin(&["list", "--json"])).unwrap();
    assert_eq!(listing["grids"][0]["grid_id"], serde_json::json!(grid));
    assert_eq!(
        phone.store.vouched_identity().unwrap(),
        Some(Worker {
            id: "w1".into(),
            name: "w1".into(),
            role: WorkerRole::GridHead,
        })
    );
}

#[test]
fn a_role_the_server_does_not_give_is_refused_until_given_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_role_the_server_does_not_give_is_refused_until_given(Backend::Sqlite(
        dir.path().join("server"),
    ));
}

#[test]
fn a_role_the_server_does_not_give_is_refused_until_given_on_postgres() {
    a_role_the_server_does_not_give_is_refused_until_given(Backend::Postgres(
        server::fresh_postgres(),
    ));
}

fn another_workers_token_is_refused_by_the_phone(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(backend, &[]);
    let head_token = server.enrol("w1", WorkerRole::GridHead, None, true);
    let head = Device::new(
        dir.path(),
        "w1",
        WorkerRole::GridHead,
        client_options(&server.url(), &head_token),
    );
    let grid = seed_grid(&head.store);
    head.sync(1);
    let token = server.enrol("w2", WorkerRole::PoliceOfficer, Some(&grid), false);

    // A phone of w3 given w2's token: the server answers (w3 pushes nothing
    // yet), the phone sees whom the answer is for and applies none of it.
    let wrong = Device::new(
        dir.path(),
        "w3",
        WorkerRole::Assistant,
        client_options(&server.url(), &token),
    );
    let before = wrong.store.sync_status().unwrap();
    match wrong.try_sync() {
        Err(SyncError::Store(Error::TokenOfAnotherWorker)) => {}
        other => panic!("expected TokenOfAnotherWorker, got {other:?}"),
    }
    assert_eq!(wrong.store.sync_status().unwrap(), before);
    assert_eq!(wrong.store.sync_cursor(&grid).unwrap(), 0);
    assert!(wrong.store.buildings(&grid).unwrap().is_empty());
    assert!(wrong.store.grids().unwrap().is_empty());
    assert_eq!(wrong.store.vouched_identity().unwrap(), None);

    // w2's own phone syncs, learns who it is, and its store opens for w2 only.
    let own = Device::new(
        dir.path(),
        "w2",
        WorkerRole::PoliceOfficer,
        client_options(&server.url(), &token),
    );
    own.sync(1);
    assert_eq!(own.store.buildings(&grid).unwrap().len(), 1);
    assert_eq!(
        own.store.vouched_identity().unwrap(),
        Some(Worker {
            id: "w2".into(),
            name: "w2".into(),
            role: WorkerRole::PoliceOfficer,
        })
    );
    let path = own.store.path().to_path_buf();
    drop(own);
    let as_other = Store::open(
        &path,
        WorkerIdentity {
            worker_id: "w3".into(),
            name: "w3 姓名".into(),
            role: WorkerRole::PoliceOfficer,
            device_label: "w2's phone".into(),
        },
    );
    assert!(
        matches!(as_other, Err(Error::WorkerMismatch)),
        "{as_other:?}"
    );
    let reopened = Store::open(
        &path,
        WorkerIdentity {
            worker_id: "w2".into(),
            name: "someone".into(),
            role: WorkerRole::Assistant,
            device_label: "w2's phone".into(),
        },
    )
    .unwrap();
    assert_eq!(
        (reopened.identity().name.as_str(), reopened.identity().role),
        ("w2", WorkerRole::PoliceOfficer),
        "the server's word replaces what the app opened with"
    );
}

#[test]
fn another_workers_token_is_refused_by_the_phone_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    another_workers_token_is_refused_by_the_phone(Backend::Sqlite(dir.path().join("server")));
}

#[test]
fn another_workers_token_is_refused_by_the_phone_on_postgres() {
    another_workers_token_is_refused_by_the_phone(Backend::Postgres(server::fresh_postgres()));
}
