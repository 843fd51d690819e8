//! One storage test suite, run against SQLite and against PostgreSQL
//! (`GRIDBOOK_TEST_POSTGRES`, see `scripts/postgres`; each PostgreSQL test
//! gets its own fresh database). Plus PostgreSQL-only concurrency tests with
//! two pools (two "server processes") over one database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::sync::Arc;

use gridbook_server::Admin;
use gridbook_server::auth::hash_token;
use gridbook_server::compaction::{CompactionOutcome, compact_grid};
use gridbook_server::storage::{
    AssignmentScope, AuthenticatedDevice, GridRefusal, GridTeam, NewChange, PhotoAppend,
    PhotoChunk, PhotoStatus, PurgedUploads, PushBatch, RefusedGrid, Stats, Storage, StorageError,
    TeamMember, WorkerRole,
};

const G1: &str = "11111111-1111-4111-8111-111111111111";
const G2: &str = "22222222-2222-4222-8222-222222222222";
const G3: &str = "33333333-3333-4333-8333-333333333333";

async fn device(s: &Arc<dyn Storage>, worker: &str, can_create: bool) -> AuthenticatedDevice {
    let admin = Admin::new(Arc::clone(s));
    match admin
        .add_worker(worker, "王芳", WorkerRole::Assistant, can_create)
        .await
    {
        Ok(()) | Err(StorageError::Exists("worker")) => {}
        Err(e) => panic!("{e}"),
    }
    let issued = admin.issue_token(worker, "王芳的手机").await.unwrap();
    s.authenticate(hash_token(&issued.token))
        .await
        .unwrap()
        .unwrap()
}

fn change(grid: &str, n: u8, len: usize) -> NewChange {
    NewChange {
        grid_id: grid.to_string(),
        doc_id: format!("roster/{grid}"),
        hash: vec![n; 32],
        bytes: vec![n; len],
    }
}

fn batch(device: &AuthenticatedDevice, actor: &str, changes: Vec<NewChange>) -> PushBatch {
    let mut grids: Vec<String> = changes.iter().map(|c| c.grid_id.clone()).collect();
    grids.dedup();
    PushBatch {
        device: device.clone(),
        grids,
        actors: vec![actor.to_string()],
        changes,
    }
}

async fn all_seqs(s: &Arc<dyn Storage>, grid: &str) -> Vec<u64> {
    let log = s
        .read_log(
            grid.into(),
            0,
            None,
            AssignmentScope::All,
            u64::MAX,
            1_000_000,
        )
        .await
        .unwrap();
    assert!(!log.more);
    log.rows.iter().map(|r| r.seq).collect()
}

async fn append_is_idempotent(s: Arc<dyn Storage>) {
    let d = device(&s, "w1", false).await;
    s.assign("w1".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    let push = batch(
        &d,
        "aa01",
        vec![change(G1, 1, 10), change(G1, 2, 10), change(G1, 3, 10)],
    );
    let first = s.store_push(push.clone()).await.unwrap();
    assert_eq!(first.grids.len(), 1);
    assert_eq!(first.grids[0].inserted, 3);
    assert_eq!(first.grids[0].last_seq, 3);
    let again = s.store_push(push).await.unwrap();
    assert_eq!(again.grids[0].inserted, 0);
    assert_eq!(again.grids[0].last_seq, 3);
    // One old, one new: only the new one is stored.
    let mixed = s
        .store_push(batch(
            &d,
            "aa01",
            vec![change(G1, 2, 10), change(G1, 4, 10)],
        ))
        .await
        .unwrap();
    assert_eq!(mixed.grids[0].inserted, 1);
    let stats = s.stats().await.unwrap();
    assert_eq!(stats.changes, 4);
    assert_eq!(stats.actors, 1);
    assert_eq!(all_seqs(&s, G1).await, vec![1, 2, 3, 4]);
}

async fn seq_increases_per_grid(s: Arc<dyn Storage>) {
    let d = device(&s, "w1", false).await;
    s.assign("w1".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    s.assign("w1".into(), G2.into(), AssignmentScope::All)
        .await
        .unwrap();
    for round in 0..3u8 {
        let changes = vec![
            change(G1, round * 10 + 1, 5),
            change(G2, round * 10 + 2, 5),
            change(G1, round * 10 + 3, 5),
        ];
        s.store_push(batch(&d, "aa01", changes)).await.unwrap();
    }
    assert_eq!(all_seqs(&s, G1).await, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(all_seqs(&s, G2).await, vec![1, 2, 3]);
    let state = s.grid_state(G1.into()).await.unwrap().unwrap();
    assert_eq!((state.last_seq, state.generation), (6, 0));
    assert_eq!(s.grid_state(G3.into()).await.unwrap(), None);
}

async fn read_log_after_cursor_excludes_device_within_budget(s: Arc<dyn Storage>) {
    let a = device(&s, "w1", false).await;
    let b = device(&s, "w2", false).await;
    s.assign("w1".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    s.assign("w2".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    // seq 1 A, 2 B, 3 A, 4 B, 5 B; every change 100 bytes.
    s.store_push(batch(&a, "aa01", vec![change(G1, 1, 100)]))
        .await
        .unwrap();
    s.store_push(batch(&b, "bb01", vec![change(G1, 2, 100)]))
        .await
        .unwrap();
    s.store_push(batch(&a, "aa01", vec![change(G1, 3, 100)]))
        .await
        .unwrap();
    s.store_push(batch(
        &b,
        "bb01",
        vec![change(G1, 4, 100), change(G1, 5, 100)],
    ))
    .await
    .unwrap();

    let page = s
        .read_log(
            G1.into(),
            0,
            Some("aa01".to_string()),
            AssignmentScope::All,
            250,
            100,
        )
        .await
        .unwrap();
    assert_eq!(
        page.rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
        vec![2, 4]
    );
    assert_eq!(page.scanned_to, 4);
    assert!(page.more);
    assert_eq!(page.rows[0].bytes, vec![2u8; 100]);
    assert_eq!(page.rows[0].doc_id, format!("roster/{G1}"));

    let rest = s
        .read_log(
            G1.into(),
            4,
            Some("aa01".to_string()),
            AssignmentScope::All,
            250,
            100,
        )
        .await
        .unwrap();
    assert_eq!(rest.rows.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![5]);
    assert_eq!(rest.scanned_to, 5);
    assert!(!rest.more);

    // B's store's own rows are left out; the cursor still moves past them.
    let for_b = s
        .read_log(
            G1.into(),
            3,
            Some("bb01".to_string()),
            AssignmentScope::All,
            10_000,
            100,
        )
        .await
        .unwrap();
    assert!(for_b.rows.is_empty());
    assert_eq!(for_b.scanned_to, 5);
    assert!(!for_b.more);

    // A tiny budget still returns one row.
    let tiny = s
        .read_log(G1.into(), 0, None, AssignmentScope::All, 1, 100)
        .await
        .unwrap();
    assert_eq!(tiny.rows.len(), 1);
    assert!(tiny.more);

    // A row limit counts excluded rows too.
    let limited = s
        .read_log(
            G1.into(),
            0,
            Some("aa01".to_string()),
            AssignmentScope::All,
            10_000,
            2,
        )
        .await
        .unwrap();
    assert_eq!(
        limited.rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
        vec![2]
    );
    assert_eq!(limited.scanned_to, 2);
    assert!(limited.more);

    // Nothing after the end.
    let end = s
        .read_log(G1.into(), 5, None, AssignmentScope::All, 10_000, 100)
        .await
        .unwrap();
    assert!(end.rows.is_empty());
    assert_eq!(end.scanned_to, 5);
    assert!(!end.more);
}

async fn assignments_and_grid_creation(s: Arc<dyn Storage>) {
    let plain = device(&s, "w1", false).await;
    let creator = device(&s, "w2", true).await;
    let other_creator = device(&s, "w3", true).await;

    // Unknown worker.
    assert!(matches!(
        s.assign("nobody".into(), G1.into(), AssignmentScope::All)
            .await,
        Err(StorageError::NotFound("worker"))
    ));

    // A worker without the permission cannot create a grid.
    let err = s
        .check_access(plain.clone(), vec![G1.into()], vec![G1.into()])
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::GridForbidden(ref g) if g == G1));
    let err = s
        .store_push(batch(&plain, "aa01", vec![change(G1, 1, 5)]))
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::GridForbidden(_)));

    // A creator may only create by pushing to it, not by naming it.
    assert!(matches!(
        s.check_access(creator.clone(), vec![G1.into()], vec![])
            .await,
        Err(StorageError::GridForbidden(_))
    ));
    s.check_access(creator.clone(), vec![G1.into()], vec![G1.into()])
        .await
        .unwrap();
    let outcome = s
        .store_push(batch(&creator, "bb01", vec![change(G1, 1, 5)]))
        .await
        .unwrap();
    assert_eq!(outcome.created_grids, vec![G1.to_string()]);
    assert_eq!(
        s.assigned_grids("w2".into()).await.unwrap(),
        vec![G1.to_string()]
    );

    // Now the server has seen it: another creator cannot take it.
    let err = s
        .store_push(batch(&other_creator, "cc01", vec![change(G1, 2, 5)]))
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::GridForbidden(_)));

    // Assign / unassign.
    assert!(
        s.assign("w1".into(), G1.into(), AssignmentScope::All)
            .await
            .unwrap()
    );
    assert!(
        !s.assign("w1".into(), G1.into(), AssignmentScope::All)
            .await
            .unwrap()
    );
    s.check_access(plain.clone(), vec![G1.into()], vec![])
        .await
        .unwrap();
    assert!(s.unassign("w1".into(), G1.into()).await.unwrap());
    assert!(!s.unassign("w1".into(), G1.into()).await.unwrap());
    assert!(s.assigned_grids("w1".into()).await.unwrap().is_empty());

    // A grid known but assigned to nobody cannot be claimed by a creator.
    s.assign("w1".into(), G2.into(), AssignmentScope::All)
        .await
        .unwrap();
    s.unassign("w1".into(), G2.into()).await.unwrap();
    assert!(matches!(
        s.store_push(batch(&creator, "bb01", vec![change(G2, 3, 5)]))
            .await,
        Err(StorageError::GridForbidden(_))
    ));

    let listing = s.list().await.unwrap();
    assert_eq!(listing.workers.len(), 3);
    let g1 = listing.grids.iter().find(|g| g.grid_id == G1).unwrap();
    assert_eq!(g1.workers, vec!["w2".to_string()]);
    assert_eq!(g1.last_seq, 1);
    assert_eq!(s.stats().await.unwrap().changes, 1);
}

async fn token_auth_and_revoke(s: Arc<dyn Storage>) {
    let admin = Admin::new(Arc::clone(&s));
    admin
        .add_worker("w1", "王芳", WorkerRole::BuildingHead, false)
        .await
        .unwrap();
    assert!(matches!(
        admin
            .add_worker("w1", "王芳", WorkerRole::GridHead, false)
            .await,
        Err(StorageError::Exists("worker"))
    ));
    assert!(matches!(
        admin.issue_token("nobody", "x").await,
        Err(StorageError::NotFound("worker"))
    ));
    let issued = admin.issue_token("w1", "王芳的手机").await.unwrap();
    assert!(issued.token.starts_with("gbt_"));
    assert!(!format!("{issued:?}").contains(&issued.token));
    let dev = s
        .authenticate(hash_token(&issued.token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dev.device_id, issued.device_id);
    assert_eq!(dev.worker_id, "w1");
    assert_eq!(
        (dev.worker_name.as_str(), dev.role),
        ("王芳", WorkerRole::BuildingHead),
        "the worker's name and role travel with the device"
    );
    assert!(!dev.can_create_grids);
    assert_eq!(s.authenticate(hash_token("gbt_wrong")).await.unwrap(), None);
    // The token itself is not a valid key either (only its hash is stored).
    assert_eq!(s.authenticate(issued.token.clone()).await.unwrap(), None);

    assert!(admin.revoke(&issued.device_id).await.unwrap());
    assert_eq!(
        s.authenticate(hash_token(&issued.token)).await.unwrap(),
        None
    );
    assert!(!admin.revoke(&issued.device_id).await.unwrap());
    assert!(!admin.revoke("no-such-device").await.unwrap());
    let listing = admin.list().await.unwrap();
    assert_eq!(listing.devices.len(), 1);
    assert!(listing.devices[0].revoked_at.is_some());
    assert_eq!(listing.devices[0].label, "王芳的手机");
    assert!(!format!("{listing:?}").contains(&issued.token));
}

async fn actor_bound_to_other_device_is_refused(s: Arc<dyn Storage>) {
    let a = device(&s, "w1", false).await;
    let b = device(&s, "w1", false).await;
    assert_ne!(a.device_id, b.device_id);
    s.assign("w1".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    s.store_push(batch(&a, "aa01", vec![change(G1, 1, 5)]))
        .await
        .unwrap();
    let before = s.stats().await.unwrap();
    let err = s
        .store_push(batch(&b, "aa01", vec![change(G1, 2, 5)]))
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::ActorForbidden));
    assert_eq!(s.stats().await.unwrap(), before);
    // A's own actor still works, and B with its own actor too.
    s.store_push(batch(&a, "aa01", vec![change(G1, 3, 5)]))
        .await
        .unwrap();
    s.store_push(batch(&b, "bb01", vec![change(G1, 2, 5)]))
        .await
        .unwrap();
    assert_eq!(all_seqs(&s, G1).await, vec![1, 2, 3]);
    assert_eq!(s.stats().await.unwrap().actors, 2);
}

async fn failed_push_stores_nothing(s: Arc<dyn Storage>) {
    let creator = device(&s, "w1", true).await;
    let other = device(&s, "w2", false).await;
    s.assign("w1".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    s.assign("w2".into(), G2.into(), AssignmentScope::All)
        .await
        .unwrap();
    // Bind actor "bb01" to the other device.
    s.store_push(batch(&other, "bb01", vec![change(G2, 9, 5)]))
        .await
        .unwrap();
    let before = s.stats().await.unwrap();

    // Grid creation and appends come before the actor check fails.
    let mut push = batch(
        &creator,
        "aa01",
        vec![change(G1, 1, 5), change(G3, 2, 5), change(G1, 3, 5)],
    );
    push.actors = vec!["aa01".into(), "bb01".into()];
    assert!(matches!(
        s.store_push(push).await,
        Err(StorageError::ActorForbidden)
    ));
    assert_eq!(s.stats().await.unwrap(), before);
    assert_eq!(s.grid_state(G3.into()).await.unwrap(), None);
    assert_eq!(
        s.assigned_grids("w1".into()).await.unwrap(),
        vec![G1.to_string()]
    );

    // A grid the worker may not use, after one it may.
    let push = batch(&creator, "aa01", vec![change(G1, 1, 5), change(G2, 2, 5)]);
    assert!(matches!(
        s.store_push(push).await,
        Err(StorageError::GridForbidden(ref g)) if g == G2
    ));
    assert_eq!(s.stats().await.unwrap(), before);
}

async fn snapshots_compare_and_set(s: Arc<dyn Storage>) {
    let d = device(&s, "w1", false).await;
    s.assign("w1".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    s.store_push(batch(
        &d,
        "aa01",
        vec![change(G1, 1, 5), change(G1, 2, 5), change(G1, 3, 5)],
    ))
    .await
    .unwrap();
    let doc = format!("roster/{G1}");
    let other_doc = format!("visits/{G1}/2026Q4");
    // Cannot publish past the log's end.
    assert!(
        !s.store_compaction(G1.into(), 0, 4, vec![(doc.clone(), vec![9])])
            .await
            .unwrap()
    );
    assert!(
        s.store_compaction(
            G1.into(),
            0,
            2,
            vec![(doc.clone(), vec![1, 2]), (other_doc.clone(), vec![7])]
        )
        .await
        .unwrap()
    );
    assert_eq!(
        s.grid_state(G1.into()).await.unwrap().unwrap().generation,
        2
    );
    // A compaction that started from generation 0 lost the race: nothing changes.
    assert!(
        !s.store_compaction(G1.into(), 0, 3, vec![(doc.clone(), vec![6, 6, 6])])
            .await
            .unwrap()
    );
    let snaps = s
        .read_snapshots(G1.into(), None, AssignmentScope::All, 10)
        .await
        .unwrap();
    assert_eq!(snaps.len(), 2);
    assert_eq!(snaps[0].doc_id, doc);
    assert_eq!(snaps[0].bytes, vec![1, 2]);
    assert_eq!(snaps[0].generation, 2);
    assert_eq!(snaps[1].doc_id, other_doc);
    assert_eq!(
        s.grid_state(G1.into()).await.unwrap().unwrap().generation,
        2
    );
    // Paging by document id.
    let after = s
        .read_snapshots(G1.into(), Some(doc.clone()), AssignmentScope::All, 10)
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].doc_id, other_doc);
    assert_eq!(
        s.read_snapshots(G1.into(), None, AssignmentScope::All, 1)
            .await
            .unwrap()
            .len(),
        1
    );

    // The next compaction reads only what came after its document's snapshot.
    let input = s.compaction_input(G1.into(), 3).await.unwrap();
    assert_eq!(input.len(), 1);
    assert_eq!(input[0].doc_id, doc);
    assert_eq!(input[0].snapshot, Some(vec![1, 2]));
    assert_eq!(input[0].changes, vec![vec![3u8; 5]]);
    assert!(
        s.store_compaction(G1.into(), 2, 3, vec![(doc.clone(), vec![3, 3])])
            .await
            .unwrap()
    );
    let snaps = s
        .read_snapshots(G1.into(), None, AssignmentScope::All, 10)
        .await
        .unwrap();
    assert_eq!(
        (snaps[0].generation, snaps[0].bytes.clone()),
        (3, vec![3, 3])
    );
    assert_eq!(snaps[1].generation, 2);
    assert_eq!(s.stats().await.unwrap().snapshots, 2);
}

async fn compaction_of_real_changes(s: Arc<dyn Storage>) {
    let phone = common::Phone::new("w1");
    let grid = phone.create_grid(4);
    let request = phone.store.sync_request(&Default::default()).unwrap();
    let checked = gridbook::sync::check_push(&request).unwrap();
    let n = checked.len() as u64;
    assert!(n >= 5, "expected several changes, got {n}");
    let d = device(&s, "w1", true).await;
    let actor = gridbook::sync::request_actor(&request).unwrap();
    let changes = checked
        .into_iter()
        .map(|c| NewChange {
            grid_id: c.grid_id,
            doc_id: c.doc_id,
            hash: c.hash.to_vec(),
            bytes: c.bytes,
        })
        .collect();
    let out = s.store_push(batch(&d, &actor, changes)).await.unwrap();
    assert_eq!(out.created_grids, vec![grid.clone()]);
    assert_eq!(out.grids[0].inserted, n);

    let outcome = compact_grid(s.as_ref(), &grid).await.unwrap();
    assert!(
        matches!(outcome, CompactionOutcome::Compacted { generation, documents } if generation == n && documents >= 1),
        "{outcome:?}"
    );
    assert_eq!(
        compact_grid(s.as_ref(), &grid).await.unwrap(),
        CompactionOutcome::UpToDate
    );
    // A new device loads the snapshots and sees the grid and its buildings.
    let fresh = common::Phone::new("w1");
    let snaps = s
        .read_snapshots(grid.clone(), None, AssignmentScope::All, 100)
        .await
        .unwrap();
    for snap in &snaps {
        assert_eq!(snap.generation, n);
    }
    let response = gridbook::sync::SyncResponse {
        acked_upto: 0,
        grids: vec![gridbook::sync::GridPage {
            grid_id: grid.clone(),
            cursor: n,
            resume_after: None,
            more: false,
            chunks: snaps
                .into_iter()
                .map(|s| gridbook::sync::PulledChunk {
                    doc_id: s.doc_id,
                    kind: gridbook::sync::ChunkKind::Snapshot,
                    bytes: s.bytes,
                })
                .collect(),
        }],
        ..Default::default()
    };
    let req = fresh.store.sync_request(&Default::default()).unwrap();
    fresh.store.apply_sync_response(&req, &response).unwrap();
    assert_eq!(fresh.store.buildings(&grid).unwrap().len(), 4);
}

async fn roles_are_kept_and_changed(s: Arc<dyn Storage>) {
    let admin = Admin::new(Arc::clone(&s));
    admin
        .add_worker("w1", "王芳", WorkerRole::Assistant, false)
        .await
        .unwrap();
    admin
        .add_worker("w2", "李强", WorkerRole::PoliceOfficer, false)
        .await
        .unwrap();
    let issued = admin.issue_token("w1", "王芳的手机").await.unwrap();
    let role_of = |dev: Option<AuthenticatedDevice>| dev.unwrap().role;
    assert_eq!(
        role_of(s.authenticate(hash_token(&issued.token)).await.unwrap()),
        WorkerRole::Assistant
    );
    assert!(admin.set_role("w1", WorkerRole::GridHead).await.unwrap());
    assert!(
        !admin.set_role("w1", WorkerRole::GridHead).await.unwrap(),
        "the same role again changes nothing"
    );
    assert!(matches!(
        admin.set_role("nobody", WorkerRole::GridHead).await,
        Err(StorageError::NotFound("worker"))
    ));
    // The device's next request carries the new role at once.
    assert_eq!(
        role_of(s.authenticate(hash_token(&issued.token)).await.unwrap()),
        WorkerRole::GridHead
    );
    let roles: Vec<(String, WorkerRole)> = admin
        .list()
        .await
        .unwrap()
        .workers
        .into_iter()
        .map(|w| (w.worker_id, w.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("w1".to_string(), WorkerRole::GridHead),
            ("w2".to_string(), WorkerRole::PoliceOfficer)
        ]
    );
}

/// Per-grid refusals (protocol version 3) and the teams, alike on both
/// backends: each refused grid with its reason, never an error.
async fn refusals_per_grid_and_teams(s: Arc<dyn Storage>) {
    let plain = device(&s, "w1", false).await;
    let creator = device(&s, "w2", true).await;
    s.assign("w1".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    s.assign("w2".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    s.assign("w2".into(), G2.into(), AssignmentScope::All)
        .await
        .unwrap();
    let refused = s
        .refused_grids(
            plain.clone(),
            vec![G3.into(), G1.into(), G2.into()],
            vec![G3.into()],
        )
        .await
        .unwrap();
    assert_eq!(
        refused,
        vec![
            RefusedGrid {
                grid_id: G2.into(),
                reason: GridRefusal::NotAssigned
            },
            RefusedGrid {
                grid_id: G3.into(),
                reason: GridRefusal::MayNotCreate
            },
        ]
    );
    // A creator may create G3 by pushing to it, not by naming it.
    let pushing = s
        .refused_grids(creator.clone(), vec![G3.into()], vec![G3.into()])
        .await
        .unwrap();
    assert!(pushing.is_empty());
    let naming = s
        .refused_grids(creator.clone(), vec![G3.into()], vec![])
        .await
        .unwrap();
    assert_eq!(naming[0].reason, GridRefusal::NotAssigned);
    assert_eq!(s.stats().await.unwrap().grids, 2, "refusing writes nothing");

    let member = |id: &str| TeamMember {
        worker_id: id.into(),
        name: "王芳".into(),
        role: "assistant".into(),
    };
    assert_eq!(
        s.grid_teams("w1".into()).await.unwrap(),
        vec![GridTeam {
            grid_id: G1.into(),
            workers: vec![member("w1"), member("w2")]
        }]
    );
    let teams = s.grid_teams("w2".into()).await.unwrap();
    assert_eq!(
        teams.iter().map(|t| t.grid_id.as_str()).collect::<Vec<_>>(),
        vec![G1, G2]
    );
    assert_eq!(teams[1].workers, vec![member("w2")]);
}

/// A department's events-only assignment: its reads leave out every
/// document the scope does not cover while the cursor moves past them, the
/// listing shows the scope, and a widening or a removal makes the worker's
/// devices start the grid over until each names it at cursor 0.
async fn scoped_assignments_filter_reads_and_reset_on_widening(s: Arc<dyn Storage>) {
    let head = device(&s, "w1", false).await;
    let department = device(&s, "w3", false).await;
    s.assign("w1".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    assert!(
        s.assign("w3".into(), G1.into(), AssignmentScope::Events)
            .await
            .unwrap()
    );
    assert!(
        !s.assign("w3".into(), G1.into(), AssignmentScope::Events)
            .await
            .unwrap(),
        "the same scope again changes nothing"
    );
    assert_eq!(
        s.assignment_scopes("w3".into()).await.unwrap(),
        vec![(G1.to_string(), AssignmentScope::Events)]
    );
    let doc = |kind: &str, n: u8, doc_id: String| NewChange {
        grid_id: G1.into(),
        doc_id,
        hash: vec![n; 32],
        bytes: format!("{kind}-bytes-{n}").into_bytes(),
    };
    s.store_push(batch(
        &head,
        "aa01",
        vec![
            doc("roster", 1, format!("roster/{G1}")),
            doc("visits", 2, format!("visits/{G1}/2026Q3")),
            doc("roster", 3, format!("roster/{G1}")),
        ],
    ))
    .await
    .unwrap();

    let narrow = s
        .read_log(
            G1.into(),
            0,
            Some("dd01".into()),
            AssignmentScope::Events,
            u64::MAX,
            100,
        )
        .await
        .unwrap();
    assert_eq!(
        (narrow.rows.len(), narrow.scanned_to, narrow.more),
        (0, 3, false),
        "nothing sent, the cursor past every row"
    );
    let first_two = s
        .read_log(G1.into(), 0, None, AssignmentScope::Events, u64::MAX, 2)
        .await
        .unwrap();
    assert_eq!(
        (first_two.rows.len(), first_two.scanned_to, first_two.more),
        (0, 2, true)
    );
    let whole = s
        .read_log(G1.into(), 0, None, AssignmentScope::All, u64::MAX, 100)
        .await
        .unwrap();
    assert_eq!(whole.rows.len(), 3);

    assert!(
        s.store_compaction(
            G1.into(),
            0,
            3,
            vec![
                (format!("roster/{G1}"), b"roster-snapshot".to_vec()),
                (format!("visits/{G1}/2026Q3"), b"visits-snapshot".to_vec()),
            ],
        )
        .await
        .unwrap()
    );
    for max_rows in [1, 10] {
        assert!(
            s.read_snapshots(G1.into(), None, AssignmentScope::Events, max_rows)
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(
        s.read_snapshots(G1.into(), None, AssignmentScope::All, 10)
            .await
            .unwrap()
            .len(),
        2
    );
    let listing = s.list().await.unwrap();
    let g1 = listing.grids.iter().find(|g| g.grid_id == G1).unwrap();
    assert_eq!(g1.workers, vec!["w1".to_string(), "w3".to_string()]);
    assert_eq!(g1.scoped, vec![("w3".to_string(), AssignmentScope::Events)]);

    // No reset until the scope widens.
    let resets =
        |started_over: Vec<String>| s.scope_resets(department.device_id.clone(), started_over);
    assert!(resets(vec![]).await.unwrap().is_empty());
    assert!(
        s.assign("w3".into(), G1.into(), AssignmentScope::All)
            .await
            .unwrap()
    );
    assert!(
        s.scope_resets(head.device_id.clone(), vec![])
            .await
            .unwrap()
            .is_empty(),
        "only the widened worker's devices start over"
    );
    assert_eq!(resets(vec![]).await.unwrap(), vec![G1.to_string()]);
    assert_eq!(
        resets(vec![G2.into()]).await.unwrap(),
        vec![G1.to_string()],
        "another grid at cursor 0 proves nothing about this one"
    );
    assert!(resets(vec![G1.into()]).await.unwrap().is_empty());
    assert!(resets(vec![]).await.unwrap().is_empty());
    // Narrowing leaves the cursor valid; removing a narrow assignment does not.
    assert!(
        s.assign("w3".into(), G1.into(), AssignmentScope::Events)
            .await
            .unwrap()
    );
    assert!(resets(vec![]).await.unwrap().is_empty());
    assert!(s.unassign("w3".into(), G1.into()).await.unwrap());
    assert_eq!(resets(vec![]).await.unwrap(), vec![G1.to_string()]);
    assert!(s.assignment_scopes("w3".into()).await.unwrap().is_empty());
}

/// A photo's chunks: appended only at the count received, a repeat
/// acknowledged unchanged, a gap and another size refused without a write,
/// the photo complete and readable once its bytes hash to its id, and an
/// upload whose bytes do not deleted whole; photos are kept per grid.
async fn photo_chunks_append_verify_and_discard(s: Arc<dyn Storage>) {
    let admin = Admin::new(Arc::clone(&s));
    admin
        .add_worker("w1", "王芳", WorkerRole::Assistant, false)
        .await
        .unwrap();
    admin.assign("w1", G1).await.unwrap();
    let photo: Vec<u8> = (0..3000u32).map(|i| (i * 13 % 251) as u8).collect();
    let id = gridbook::photo_id(&photo);
    let chunk = |offset: usize, end: usize, size: usize, id: &str| PhotoChunk {
        grid_id: G1.into(),
        photo_id: id.into(),
        size: size as u64,
        offset: offset as u64,
        bytes: photo[offset..end].to_vec(),
    };
    let status = |received: u64, complete: bool| {
        PhotoAppend::Stored(PhotoStatus {
            size: 3000,
            received,
            complete,
        })
    };
    assert_eq!(s.photo_status(G1.into(), id.clone()).await.unwrap(), None);
    let append = |c: PhotoChunk| s.append_photo_chunk(c);
    assert_eq!(
        append(chunk(0, 1000, 3000, &id)).await.unwrap(),
        status(1000, false)
    );
    assert_eq!(
        append(chunk(0, 1000, 3000, &id)).await.unwrap(),
        status(1000, false)
    );
    assert_eq!(
        append(chunk(2000, 3000, 3000, &id)).await.unwrap(),
        PhotoAppend::Gap { received: 1000 }
    );
    assert_eq!(
        append(chunk(1000, 2000, 3001, &id)).await.unwrap(),
        PhotoAppend::SizeMismatch { size: 3000 }
    );
    // A chunk overlapping the count adds only what is new.
    assert_eq!(
        append(chunk(500, 2000, 3000, &id)).await.unwrap(),
        status(2000, false)
    );
    assert_eq!(s.read_photo(G1.into(), id.clone()).await.unwrap(), None);
    assert_eq!(
        append(chunk(2000, 3000, 3000, &id)).await.unwrap(),
        status(3000, true)
    );
    assert_eq!(
        append(chunk(0, 1000, 3000, &id)).await.unwrap(),
        status(3000, true)
    );
    assert_eq!(
        s.read_photo(G1.into(), id.clone()).await.unwrap(),
        Some(photo.clone())
    );
    assert_eq!(s.read_photo(G2.into(), id.clone()).await.unwrap(), None);

    let wrong = gridbook::photo_id(b"another photo");
    assert_eq!(
        append(chunk(0, 1500, 3000, &wrong)).await.unwrap(),
        PhotoAppend::Stored(PhotoStatus {
            size: 3000,
            received: 1500,
            complete: false
        })
    );
    assert_eq!(
        append(chunk(1500, 3000, 3000, &wrong)).await.unwrap(),
        PhotoAppend::HashMismatch
    );
    assert_eq!(
        s.photo_status(G1.into(), wrong.clone()).await.unwrap(),
        None
    );
    assert_eq!(s.read_photo(G1.into(), wrong).await.unwrap(), None);
}

/// The photo counts of `Stats`, and the purge of abandoned uploads: only
/// incomplete uploads begun by the cut-off go, each with its received
/// bytes; a complete photo stays, whatever its age; a purged upload starts
/// over at 0 (a later chunk is a gap from 0).
async fn abandoned_uploads_purged_and_counted(s: Arc<dyn Storage>) {
    let admin = Admin::new(Arc::clone(&s));
    admin
        .add_worker("w1", "王芳", WorkerRole::Assistant, false)
        .await
        .unwrap();
    admin.assign("w1", G1).await.unwrap();
    admin.assign("w1", G2).await.unwrap();
    let photo = |seed: u32, len: u32| -> Vec<u8> {
        (0..len).map(|i| ((i * 7 + seed) % 253) as u8).collect()
    };
    let chunk = |grid: &str, bytes: &[u8], offset: usize, end: usize| PhotoChunk {
        grid_id: grid.into(),
        photo_id: gridbook::photo_id(bytes),
        size: bytes.len() as u64,
        offset: offset as u64,
        bytes: bytes[offset..end].to_vec(),
    };
    let (whole, cut, other) = (photo(1, 1200), photo(2, 3000), photo(3, 2000));
    for (c, complete) in [
        (chunk(G1, &whole, 0, 1200), true),
        (chunk(G1, &cut, 0, 1000), false),
        (chunk(G2, &other, 0, 700), false),
    ] {
        match s.append_photo_chunk(c).await.unwrap() {
            PhotoAppend::Stored(status) => assert_eq!(status.complete, complete),
            answer => panic!("{answer:?}"),
        }
    }
    let before = s.stats().await.unwrap();
    assert_eq!(
        (
            before.photos,
            before.photo_bytes,
            before.incomplete_uploads,
            before.incomplete_upload_bytes
        ),
        (1, 1200, 2, 1700)
    );
    // Every row was begun after the epoch: nothing is that old.
    assert_eq!(
        s.purge_abandoned_uploads(0).await.unwrap(),
        PurgedUploads::default()
    );
    assert_eq!(s.stats().await.unwrap(), before);
    assert_eq!(
        s.purge_abandoned_uploads(i64::MAX).await.unwrap(),
        PurgedUploads {
            uploads: 2,
            bytes: 1700
        }
    );
    assert_eq!(
        s.stats().await.unwrap(),
        Stats {
            incomplete_uploads: 0,
            incomplete_upload_bytes: 0,
            ..before
        }
    );
    assert_eq!(
        s.purge_abandoned_uploads(i64::MAX).await.unwrap(),
        PurgedUploads::default()
    );
    let whole_id = gridbook::photo_id(&whole);
    assert_eq!(
        s.read_photo(G1.into(), whole_id).await.unwrap(),
        Some(whole.clone())
    );
    let cut_id = gridbook::photo_id(&cut);
    assert_eq!(
        s.photo_status(G1.into(), cut_id.clone()).await.unwrap(),
        None
    );
    // The phone that was sending the cut upload goes on where it was, is
    // told the server has nothing, and starts over.
    assert_eq!(
        s.append_photo_chunk(chunk(G1, &cut, 1000, 2000))
            .await
            .unwrap(),
        PhotoAppend::Gap { received: 0 }
    );
    for (offset, end) in [(0, 1000), (1000, 2000), (2000, 3000)] {
        s.append_photo_chunk(chunk(G1, &cut, offset, end))
            .await
            .unwrap();
    }
    assert_eq!(s.read_photo(G1.into(), cut_id).await.unwrap(), Some(cut));
    assert_eq!(
        s.stats().await.unwrap(),
        Stats {
            photos: 2,
            photo_bytes: 4200,
            incomplete_uploads: 0,
            incomplete_upload_bytes: 0,
            ..before
        }
    );
}

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::with_storage(crate::common::Kind::Sqlite, super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::with_storage(crate::common::Kind::Postgres, super::$name).await;
                }
            )*
        }
    };
}

suite!(
    append_is_idempotent,
    seq_increases_per_grid,
    read_log_after_cursor_excludes_device_within_budget,
    assignments_and_grid_creation,
    token_auth_and_revoke,
    roles_are_kept_and_changed,
    actor_bound_to_other_device_is_refused,
    failed_push_stores_nothing,
    snapshots_compare_and_set,
    compaction_of_real_changes,
    refusals_per_grid_and_teams,
    scoped_assignments_filter_reads_and_reset_on_widening,
    photo_chunks_append_verify_and_discard,
    abandoned_uploads_purged_and_counted,
);

/// Two pools over one database (two server processes) append to the same
/// grid at once while a third pages through it by cursor: positions are
/// unique, gapless, and the reader sees every row exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_appends_from_two_processes() {
    let db = common::TestDb::create().await;
    let p1: Arc<dyn Storage> = Arc::new(
        gridbook_server::PostgresStorage::connect(&db.conn)
            .await
            .unwrap(),
    );
    let p2: Arc<dyn Storage> = Arc::new(
        gridbook_server::PostgresStorage::connect(&db.conn)
            .await
            .unwrap(),
    );
    let reader: Arc<dyn Storage> = Arc::new(
        gridbook_server::PostgresStorage::connect(&db.conn)
            .await
            .unwrap(),
    );
    let a = device(&p1, "w1", false).await;
    let b = device(&p2, "w2", false).await;
    p1.assign("w1".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    p1.assign("w2".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();

    const ROUNDS: u32 = 60;
    let writer = |s: Arc<dyn Storage>, d: AuthenticatedDevice, actor: &'static str, salt: u32| {
        tokio::spawn(async move {
            for round in 0..ROUNDS {
                // Three changes per request: two of our own, one shared with
                // the other writer (stored once, whoever wins).
                let own = |k: u32| NewChange {
                    grid_id: G1.into(),
                    doc_id: format!("roster/{G1}"),
                    hash: format!("{salt:08}{round:08}{k:016}").into_bytes(),
                    bytes: vec![1; 20],
                };
                let shared = NewChange {
                    grid_id: G1.into(),
                    doc_id: format!("roster/{G1}"),
                    hash: format!("shared{round:026}").into_bytes(),
                    bytes: vec![2; 20],
                };
                s.store_push(batch(&d, actor, vec![own(0), shared, own(1)]))
                    .await
                    .unwrap();
            }
        })
    };
    let w1 = writer(Arc::clone(&p1), a, "aa01", 1);
    let w2 = writer(Arc::clone(&p2), b, "bb01", 2);
    let paging = {
        let reader = Arc::clone(&reader);
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut cursor = 0;
            let expected = u64::from(ROUNDS) * 5;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while (seen.len() as u64) < expected {
                assert!(
                    std::time::Instant::now() < deadline,
                    "reader stalled at {cursor}"
                );
                let batch = reader
                    .read_log(G1.into(), cursor, None, AssignmentScope::All, 4096, 7)
                    .await
                    .unwrap();
                seen.extend(batch.rows.iter().map(|r| r.seq));
                cursor = batch.scanned_to;
                if batch.rows.is_empty() {
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
            }
            seen
        })
    };
    w1.await.unwrap();
    w2.await.unwrap();
    let seen = paging.await.unwrap();
    let total = u64::from(ROUNDS) * 5;
    assert_eq!(seen, (1..=total).collect::<Vec<_>>());
    assert_eq!(all_seqs(&reader, G1).await, (1..=total).collect::<Vec<_>>());
    assert_eq!(reader.stats().await.unwrap().changes, total);
    db.drop_db().await;
}

/// Two processes compact the same grid at once: exactly one publishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_compactions_one_wins() {
    let db = common::TestDb::create().await;
    let p1: Arc<dyn Storage> = Arc::new(
        gridbook_server::PostgresStorage::connect(&db.conn)
            .await
            .unwrap(),
    );
    let p2: Arc<dyn Storage> = Arc::new(
        gridbook_server::PostgresStorage::connect(&db.conn)
            .await
            .unwrap(),
    );
    let d = device(&p1, "w1", false).await;
    p1.assign("w1".into(), G1.into(), AssignmentScope::All)
        .await
        .unwrap();
    p1.store_push(batch(&d, "aa01", vec![change(G1, 1, 5), change(G1, 2, 5)]))
        .await
        .unwrap();
    let (r1, r2) = tokio::join!(
        p1.store_compaction(G1.into(), 0, 2, vec![(format!("roster/{G1}"), vec![1])]),
        p2.store_compaction(G1.into(), 0, 2, vec![(format!("roster/{G1}"), vec![2])]),
    );
    let (r1, r2) = (r1.unwrap(), r2.unwrap());
    assert!(r1 ^ r2, "exactly one compaction wins: {r1} {r2}");
    let snaps = p1
        .read_snapshots(G1.into(), None, AssignmentScope::All, 10)
        .await
        .unwrap();
    assert_eq!(snaps.len(), 1);
    assert_eq!(snaps[0].bytes, if r1 { vec![1] } else { vec![2] });
    db.drop_db().await;
}

/// Opening a database again (a restart, a second process) applies no
/// migration twice and keeps the data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_keeps_data_and_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let first: Arc<dyn Storage> = Arc::new(gridbook_server::SqliteStorage::open(&path).unwrap());
    one_assignment(&first).await;
    let second: Arc<dyn Storage> = Arc::new(gridbook_server::SqliteStorage::open(&path).unwrap());
    assert_eq!(second.stats().await.unwrap().assignments, 1);

    let db = common::TestDb::create().await;
    let first: Arc<dyn Storage> = Arc::new(
        gridbook_server::PostgresStorage::connect(&db.conn)
            .await
            .unwrap(),
    );
    one_assignment(&first).await;
    let second: Arc<dyn Storage> = Arc::new(
        gridbook_server::PostgresStorage::connect(&db.conn)
            .await
            .unwrap(),
    );
    assert_eq!(second.stats().await.unwrap().assignments, 1);
    db.drop_db().await;
}

async fn one_assignment(s: &Arc<dyn Storage>) {
    device(s, "w1", false).await;
    assert!(
        s.assign("w1".into(), G1.into(), AssignmentScope::All)
            .await
            .unwrap()
    );
}
