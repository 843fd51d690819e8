//! The server vouches for who wrote what, against the real server on both
//! backends: a phone whose store claims another worker than its device
//! token's is refused whole (403, `SyncError::Forbidden`), nothing of its
//! push is stored, and the same token's honest phone syncs. The forgery
//! paths inside a change are covered in the core (`core/src/tests/authorship.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use gridbook::codes::WorkerRole;
use gridbook::sync::SyncError;

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
