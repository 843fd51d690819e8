//! The identity the sync server vouches for, on the phone's side: a
//! response for another worker is refused whole, the vouched name and role
//! are kept and used from the next open, and the store still refuses to open
//! as another worker. Against the real server: `tests/tests/sync_identity.rs`.

use super::*;
use crate::sync::*;

/// Every chunk of `store` as a server page of its grid would carry it.
fn pulled_chunks(store: &Store) -> Vec<PulledChunk> {
    store
        .read(|conn| {
            let mut statement =
                conn.prepare("SELECT doc_id, kind, bytes FROM chunks ORDER BY seq")?;
            let rows = statement.query_map([], |r| {
                Ok(PulledChunk {
                    doc_id: r.get(0)?,
                    kind: if r.get::<_, i64>(1)? == 1 {
                        ChunkKind::Snapshot
                    } else {
                        ChunkKind::Change
                    },
                    bytes: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap()
}

/// A response to `request` carrying `grid`'s chunks from `source`, vouching for `identity`.
fn response(
    request: &SyncRequest,
    source: &Store,
    grid: &str,
    identity: Option<VouchedIdentity>,
) -> SyncResponse {
    let chunks = pulled_chunks(source);
    SyncResponse {
        acked_upto: request.push_upto,
        grids: vec![GridPage {
            grid_id: grid.to_string(),
            cursor: chunks.len() as u64,
            resume_after: None,
            more: false,
            chunks,
        }],
        identity,
        ..SyncResponse::default()
    }
}

fn vouched(worker: &str, name: &str, role: WorkerRole) -> VouchedIdentity {
    VouchedIdentity {
        worker_id: worker.into(),
        name: name.into(),
        role: role.code().into(),
        can_create_grids: false,
    }
}

/// Everything a sync could change: query rows, chunks, cursors, outbox, vouched identity.
type Snapshot = (
    std::collections::BTreeMap<String, Vec<String>>,
    i64,
    SyncStatus,
    Option<Worker>,
);

fn snapshot(store: &Store) -> Snapshot {
    (
        store.query_table_dump().unwrap(),
        chunk_count(store),
        store.sync_status().unwrap(),
        store.vouched_identity().unwrap(),
    )
}

#[test]
fn a_response_for_another_worker_is_refused_and_nothing_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    let head = open(&dir, "head");
    let f = fixture(&head);
    // A phone with a change of its own waiting, and a grid to pull.
    let phone = open(&dir, "assistant");
    phone.create_grid(grid_input()).unwrap();
    let request = phone.sync_request(&SyncLimits::default()).unwrap();
    assert!(request.push_upto > 0);
    let before = snapshot(&phone);
    assert_eq!(before.3, None);

    let foreign = response(
        &request,
        &head,
        &f.grid,
        Some(vouched("head", "head name", WorkerRole::Assistant)),
    );
    assert!(matches!(
        phone.apply_sync_response(&request, &foreign),
        Err(Error::TokenOfAnotherWorker)
    ));
    assert_eq!(
        snapshot(&phone),
        before,
        "nothing of the response was applied"
    );
    assert_eq!(phone.sync_cursor(&f.grid).unwrap(), 0);
    assert!(phone.buildings(&f.grid).unwrap().is_empty());

    // The same response for the phone's own worker is applied.
    let own = response(
        &request,
        &head,
        &f.grid,
        Some(vouched("assistant", "赵磊", WorkerRole::Assistant)),
    );
    let applied = phone.apply_sync_response(&request, &own).unwrap();
    assert_eq!(applied.acked_changes as usize, request.push.len());
    assert_eq!(phone.buildings(&f.grid).unwrap().len(), 1);
    assert_eq!(phone.sync_status().unwrap().unsent_changes, 0);
}

#[test]
fn the_vouched_name_and_role_are_kept_and_written_from_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone.db");
    let phone = Store::open(&path, identity("w-zhao")).unwrap();
    let request = phone.sync_request(&SyncLimits::default()).unwrap();
    let answer = SyncResponse {
        acked_upto: request.push_upto,
        identity: Some(vouched("w-zhao", "赵磊", WorkerRole::GridHead)),
        ..SyncResponse::default()
    };
    phone.apply_sync_response(&request, &answer).unwrap();
    let expected = Worker {
        id: "w-zhao".into(),
        name: "赵磊".into(),
        role: WorkerRole::GridHead,
    };
    assert_eq!(phone.vouched_identity().unwrap(), Some(expected.clone()));
    // This session keeps what it was opened with.
    assert_eq!(phone.identity().role, WorkerRole::Assistant);
    drop(phone);

    // Reopened with what the app believes: the server's word stands.
    let phone = Store::open(&path, identity("w-zhao")).unwrap();
    assert_eq!(phone.vouched_identity().unwrap(), Some(expected));
    assert_eq!(
        (phone.identity().name.as_str(), phone.identity().role),
        ("赵磊", WorkerRole::GridHead)
    );
    let grid = phone.create_grid(grid_input()).unwrap();
    let team = phone.workers(&grid).unwrap();
    assert_eq!(
        team,
        [Worker {
            id: "w-zhao".into(),
            name: "赵磊".into(),
            role: WorkerRole::GridHead,
        }],
        "the roster carries the role the server vouches for"
    );
    drop(phone);

    // Another worker id is refused, as before any sync.
    assert!(matches!(
        Store::open(&path, identity("w-someone-else")),
        Err(Error::WorkerMismatch)
    ));
}

#[test]
fn a_version_one_response_vouches_for_nothing_and_a_later_one_updates_the_role() {
    let dir = tempfile::tempdir().unwrap();
    let phone = open(&dir, "w-li");
    let request = phone.sync_request(&SyncLimits::default()).unwrap();
    let old_server = SyncResponse {
        version: 1,
        acked_upto: request.push_upto,
        ..SyncResponse::default()
    };
    phone.apply_sync_response(&request, &old_server).unwrap();
    assert_eq!(phone.vouched_identity().unwrap(), None);

    for role in [WorkerRole::PoliceOfficer, WorkerRole::BuildingHead] {
        let answer = SyncResponse {
            identity: Some(vouched("w-li", "李娜", role)),
            ..old_server.clone()
        };
        phone.apply_sync_response(&request, &answer).unwrap();
        assert_eq!(
            phone.vouched_identity().unwrap().map(|w| w.role),
            Some(role)
        );
    }
    // A role code this build does not know is not guessed at.
    let unknown = SyncResponse {
        identity: Some(VouchedIdentity {
            worker_id: "w-li".into(),
            name: "李娜".into(),
            role: "district_chief".into(),
            can_create_grids: false,
        }),
        ..old_server
    };
    phone.apply_sync_response(&request, &unknown).unwrap();
    assert_eq!(phone.vouched_identity().unwrap(), None);
}
