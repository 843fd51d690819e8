//! A refused grid blocks only itself, against the real server on both
//! backends (`schema/sync-protocol.md`, "Refused grids"):
//!
//! - a worker who may not create grids creates one: the sync stores their
//!   visits in their assigned grid, pulls another worker's changes, and
//!   reports the new grid blocked (`may_not_create`) with its held changes;
//! - a worker unassigned from a grid while holding a visit there keeps
//!   syncing their other grid both ways; once reassigned, the held visit goes
//!   out in the next sync and the block clears;
//! - discarding a blocked grid needs the confirmation the status gives: a
//!   stale one changes nothing, the right one removes the grid and its
//!   changes from the file and is audited;
//! - a forged request is still refused whole, refused grid or not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::*;
use gridbook::codes::{CodeList, VisitKind, VisitOutcome, WorkerRole};
use gridbook::sync::{DiscardConfirmation, GridRefusal, SyncError};
use gridbook::{Error, GridInput, Store, Timestamp, VisitInput};

fn visit(store: &Store, grid: &str) -> String {
    let household = store.roster(grid).unwrap()[0].household.id.clone();
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    store
        .log_visit(VisitInput {
            household_id: household.clone(),
            at: Timestamp {
                utc_ms: ms - 3_600_000,
                offset_minutes: 480,
            },
            kind: VisitKind::ALL[0],
            outcome: VisitOutcome::ALL[0],
            residents_seen: vec![],
            notes: None,
            findings: vec![],
            gps: None,
        })
        .unwrap();
    household
}

fn new_grid(store: &Store, code: &str) -> String {
    store
        .create_grid(GridInput {
            code: code.into(),
            name: "新网格".into(),
            community: None,
            street: None,
            boundary: None,
        })
        .unwrap()
}

fn add_building(store: &Store, grid: &str, number: &str) {
    store
        .create_building(
            grid,
            gridbook::BuildingInput {
                number: number.into(),
                estate: None,
                units: 1,
                floors: 6,
                location: None,
            },
        )
        .unwrap();
}

/// The rows of `table` in a store file naming `grid` in `column`.
fn rows_of(file: &Path, table: &str, column: &str, grid: &str) -> i64 {
    let conn = rusqlite::Connection::open(file).unwrap();
    conn.query_row(
        &format!("SELECT count(*) FROM {table} WHERE {column} LIKE '%' || ?1 || '%'"),
        [grid],
        |r| r.get(0),
    )
    .unwrap()
}

/// The store file of a device's worker in `dir` (one per worker in these tests).
fn store_file(dir: &Path, worker: &str) -> std::path::PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.starts_with(&format!("{worker}-")) && name.ends_with(".db")
        })
        .unwrap()
}

fn a_grid_the_worker_may_not_create_blocks_only_itself(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(backend, &[]);
    let head_token = server.enrol("w-head", WorkerRole::GridHead, None, true);
    let head = Device::new(
        dir.path(),
        "w-head",
        WorkerRole::GridHead,
        client_options(&server.url(), &head_token),
    );
    let grid = seed_grid(&head.store);
    head.sync(1);
    let token = server.enrol("w1", WorkerRole::Assistant, Some(&grid), false);
    let w1 = Device::new(
        dir.path(),
        "w1",
        WorkerRole::Assistant,
        client_options(&server.url(), &token),
    );
    w1.sync(1);

    // Offline: a grid w1 may not create, and two visits in the assigned grid.
    let created = new_grid(&w1.store, "330106001001099");
    let held = w1.store.sync_status().unwrap().unsent_changes;
    assert_eq!(held, 1, "the new grid is one change");
    let household = visit(&w1.store, &grid);
    visit(&w1.store, &grid);
    add_building(&head.store, &grid, "2栋");
    head.sync(1);

    let report = w1.sync(1);
    let status = w1.store.sync_status().unwrap();
    assert_eq!(status.unsent_changes, 1, "only the new grid's change waits");
    assert_eq!(status.held_changes, 1);
    assert_eq!(report.unsent_changes, 1);
    assert_eq!(status.can_create_grids, Some(false));
    assert_eq!(status.blocked_grids.len(), 1);
    let blocked = &status.blocked_grids[0];
    assert_eq!(blocked.grid_id, created);
    assert_eq!(blocked.reason, GridRefusal::MayNotCreate);
    assert_eq!((blocked.held_changes, blocked.held_bytes > 0), (1, true));
    // The pull went on: the head's building is here.
    assert_eq!(w1.store.buildings(&grid).unwrap().len(), 2);
    // The server stored the visits, and not the grid.
    head.sync(1);
    assert_eq!(head.store.household(&household).unwrap().visits.len(), 2);
    assert!(!server.admin(&["list"]).contains(&created));
    // Every worker the server assigned to the grid, with the server's names.
    let workers: Vec<(String, String)> = w1
        .store
        .workers(&grid)
        .unwrap()
        .into_iter()
        .map(|w| (w.id, w.name))
        .collect();
    assert_eq!(
        workers,
        vec![
            ("w-head".to_string(), "w-head".to_string()),
            ("w1".to_string(), "w1".to_string())
        ]
    );
    // A sync later: nothing more is sent, the block stays, nothing is lost.
    let again = w1.sync(1);
    assert_eq!((again.round_trips, again.pushed_changes), (1, 0));
    assert_eq!(w1.store.sync_status().unwrap(), status);

    discard_needs_the_confirmation_of_the_status(&w1, dir.path(), &grid, &created);
}

/// (c): a stale confirmation changes nothing; the right one removes the
/// grid and its held changes from the store's file and is audited.
fn discard_needs_the_confirmation_of_the_status(
    w1: &Device,
    dir: &Path,
    assigned: &str,
    created: &str,
) {
    let before = w1.store.sync_status().unwrap();
    let dump = w1.dump();
    let confirmation = before.blocked_grids[0].confirmation.clone();
    assert_eq!(
        confirmation,
        DiscardConfirmation {
            grid_id: created.to_string(),
            held_changes: 1
        }
    );
    let stale = DiscardConfirmation {
        held_changes: 2,
        ..confirmation.clone()
    };
    match w1.store.discard_quarantined_grid(created, &stale) {
        Err(Error::StaleConfirmation {
            grid_id,
            confirmed,
            held,
        }) => assert_eq!((grid_id.as_str(), confirmed, held), (created, 2, 1)),
        other => panic!("expected StaleConfirmation, got {other:?}"),
    }
    match w1.store.discard_quarantined_grid(assigned, &confirmation) {
        Err(Error::GridNotBlocked { grid_id }) => assert_eq!(grid_id, assigned),
        other => panic!("expected GridNotBlocked, got {other:?}"),
    }
    assert_eq!(w1.store.sync_status().unwrap(), before);
    assert_eq!(w1.dump(), dump);
    assert!(w1.store.discarded_grids().unwrap().is_empty());

    let file = store_file(dir, "w1");
    assert_eq!(rows_of(&file, "docs", "grid_id", created), 1);
    let discarded = w1
        .store
        .discard_quarantined_grid(created, &confirmation)
        .unwrap();
    assert_eq!(
        (
            discarded.grid_id.as_str(),
            discarded.worker_id.as_str(),
            discarded.changes,
            discarded.reason
        ),
        (created, "w1", 1, GridRefusal::MayNotCreate)
    );
    assert_eq!(w1.store.discarded_grids().unwrap(), vec![discarded]);
    for (table, column) in [
        ("docs", "grid_id"),
        ("chunks", "doc_id"),
        ("outbox", "doc_id"),
        ("grids", "id"),
        ("workers", "grid_id"),
        ("devices", "grid_id"),
        ("sync_cursors", "grid_id"),
        ("quarantined_grids", "grid_id"),
    ] {
        assert_eq!(rows_of(&file, table, column, created), 0, "{table}");
    }
    assert_eq!(rows_of(&file, "discarded_grids", "grid_id", created), 1);
    let after = w1.store.sync_status().unwrap();
    assert_eq!((after.unsent_changes, after.blocked_grids.len()), (0, 0));
    // The assigned grid is untouched and still syncs.
    assert_eq!(w1.store.buildings(assigned).unwrap().len(), 2);
    w1.sync(1);
    assert_eq!(w1.store.sync_cursors().unwrap().len(), 1);
}

fn an_unassigned_grid_holds_its_visit_until_reassigned(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(backend, &[]);
    let head_token = server.enrol("w-head", WorkerRole::GridHead, None, true);
    let head = Device::new(
        dir.path(),
        "w-head",
        WorkerRole::GridHead,
        client_options(&server.url(), &head_token),
    );
    let grid_a = seed_grid(&head.store);
    let grid_b = seed_grid(&head.store);
    head.sync(1);
    let token = server.enrol("w1", WorkerRole::Assistant, Some(&grid_a), false);
    server.admin(&["assign", "--worker", "w1", "--grid", &grid_b]);
    let w1 = Device::new(
        dir.path(),
        "w1",
        WorkerRole::Assistant,
        client_options(&server.url(), &token),
    );
    w1.sync(1);
    assert_eq!(w1.store.sync_cursors().unwrap().len(), 2);

    let household_a = visit(&w1.store, &grid_a);
    let held = w1.store.sync_status().unwrap().unsent_changes;
    server.admin(&["unassign", "--worker", "w1", "--grid", &grid_a]);
    let household_b = visit(&w1.store, &grid_b);
    add_building(&head.store, &grid_b, "2栋");
    head.sync(1);

    w1.sync(1);
    let status = w1.store.sync_status().unwrap();
    assert_eq!(status.blocked_grids.len(), 1);
    let blocked = &status.blocked_grids[0];
    assert_eq!(
        (
            blocked.grid_id.as_str(),
            blocked.reason,
            blocked.held_changes
        ),
        (grid_a.as_str(), GridRefusal::NotAssigned, held)
    );
    assert_eq!((status.unsent_changes, status.held_changes), (held, held));
    // B syncs both ways.
    assert_eq!(w1.store.buildings(&grid_b).unwrap().len(), 2);
    head.sync(1);
    assert_eq!(head.store.household(&household_b).unwrap().visits.len(), 1);
    assert_eq!(head.store.household(&household_a).unwrap().visits.len(), 0);
    // Edits in the blocked grid are kept, held too.
    visit(&w1.store, &grid_a);
    assert_eq!(w1.store.sync_status().unwrap().held_changes, held + 1);

    server.admin(&["assign", "--worker", "w1", "--grid", &grid_a]);
    let report = w1.sync(1);
    assert_eq!(report.pushed_changes, held + 1);
    let status = w1.store.sync_status().unwrap();
    assert_eq!(
        (
            status.unsent_changes,
            status.held_changes,
            status.blocked_grids.len()
        ),
        (0, 0, 0)
    );
    head.sync(1);
    assert_eq!(head.store.household(&household_a).unwrap().visits.len(), 2);
}

/// (d): a request with a forged author is refused whole even when the grid
/// it forges in would be refused on its own; nothing is quarantined.
fn a_forged_request_is_refused_whole(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(backend, &[]);
    let token = server.enrol("w1", WorkerRole::Assistant, None, false);
    let forger = Device::new(
        dir.path(),
        "w-someone-else",
        WorkerRole::Assistant,
        client_options(&server.url(), &token),
    );
    let forged = new_grid(&forger.store, "330106001001098");
    let before = forger.store.sync_status().unwrap();
    match forger.try_sync() {
        Err(SyncError::Forbidden(detail)) => {
            assert!(detail.contains("claims another author"), "{detail}")
        }
        other => panic!("expected Forbidden, got {other:?}"),
    }
    assert_eq!(forger.store.sync_status().unwrap(), before);
    assert!(before.blocked_grids.is_empty());
    assert!(!server.admin(&["list"]).contains(&forged));
}

#[test]
fn a_grid_the_worker_may_not_create_blocks_only_itself_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_grid_the_worker_may_not_create_blocks_only_itself(Backend::Sqlite(dir.path().join("s")));
}

#[test]
fn a_grid_the_worker_may_not_create_blocks_only_itself_on_postgres() {
    a_grid_the_worker_may_not_create_blocks_only_itself(
        Backend::Postgres(server::fresh_postgres()),
    );
}

#[test]
fn an_unassigned_grid_holds_its_visit_until_reassigned_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    an_unassigned_grid_holds_its_visit_until_reassigned(Backend::Sqlite(dir.path().join("s")));
}

#[test]
fn an_unassigned_grid_holds_its_visit_until_reassigned_on_postgres() {
    an_unassigned_grid_holds_its_visit_until_reassigned(
        Backend::Postgres(server::fresh_postgres()),
    );
}

#[test]
fn a_forged_request_is_refused_whole_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_forged_request_is_refused_whole(Backend::Sqlite(dir.path().join("s")));
}

#[test]
fn a_forged_request_is_refused_whole_on_postgres() {
    a_forged_request_is_refused_whole(Backend::Postgres(server::fresh_postgres()));
}
