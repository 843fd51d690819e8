use super::*;
use crate::{Error, SCHEMA_VERSION};

/// Writes a database exactly as version 1 of the schema left it, with data.
fn version_one_file(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(crate::db::MIGRATIONS[0].sql).unwrap();
    conn.execute_batch(
        "INSERT INTO visits (id, doc_id, grid_id, household_id, worker_id, at_ms, offset_min, seen, findings)
         VALUES ('v1', 'visits/x/2025Q1', 'g', 'h', 'w', 1, 480, '[]', '[]');
         PRAGMA user_version = 1;",
    )
    .unwrap();
}

#[test]
fn a_version_one_database_opens_and_is_upgraded() {
    const { assert!(SCHEMA_VERSION >= 2, "this test needs a newer schema than 1") };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    version_one_file(&path);
    let store = Store::open(&path, identity("w1")).unwrap();
    let (version, rows, index): (i64, i64, i64) = store
        .read(|c| {
            Ok((
                c.query_row("PRAGMA user_version", [], |r| r.get(0))?,
                c.query_row("SELECT count(*) FROM visits WHERE id = 'v1'", [], |r| r.get(0))?,
                c.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'visits_by_worker'",
                    [],
                    |r| r.get(0),
                )?,
            ))
        })
        .unwrap();
    assert_eq!((version, rows, index), (SCHEMA_VERSION, 1, 1));
    drop(store);
    // The upgraded file has the same schema as a new one.
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh, identity("w1")).unwrap());
    let schema = |p: &std::path::Path| -> Vec<String> {
        let c = rusqlite::Connection::open(p).unwrap();
        let mut s = c
            .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert_eq!(schema(&path), schema(&fresh));
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::open(&path, identity("w1")).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    match Store::open(&path, identity("w1")) {
        Err(Error::SchemaTooNew { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file was not modified"
    );
}

#[test]
fn a_dropped_store_leaves_its_data_in_the_file_and_no_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w1.db");
    let store = Store::open(&path, identity("w1")).unwrap();
    let f = fixture(&store);
    drop(store);
    let wal = dir.path().join("w1.db-wal");
    assert!(!wal.exists(), "the WAL was left behind");
    // The file alone (a copy without its WAL) holds everything.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let households: i64 = conn
        .query_row(
            "SELECT count(*) FROM households WHERE id = ?1",
            [&f.household],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(households, 1);
}

#[test]
fn an_encrypted_store_opens_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.db");
    let keyed = |key: Option<&str>| crate::OpenOptions {
        key: key.map(str::to_string),
        ..Default::default()
    };
    {
        let store = Store::open_with(&path, identity("w1"), keyed(Some("correct horse"))).unwrap();
        fixture(&store);
    }
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        !bytes
            .windows(6)
            .any(|w| w == "张秀英".as_bytes().get(..6).unwrap()),
        "names are not stored in clear"
    );
    assert!(matches!(
        Store::open_with(&path, identity("w1"), keyed(Some("wrong"))),
        Err(Error::NotADatabase)
    ));
    assert!(matches!(
        Store::open_with(&path, identity("w1"), keyed(None)),
        Err(Error::NotADatabase)
    ));
    let store = Store::open_with(&path, identity("w1"), keyed(Some("correct horse"))).unwrap();
    assert_eq!(store.grids().unwrap().len(), 1);
}

#[test]
fn the_store_handle_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Store>();
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(open(&dir, "w1"));
    let f = fixture(&store);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            let household = f.household.clone();
            std::thread::spawn(move || {
                for _ in 0..10 {
                    store.log_visit(visit_input(&household)).unwrap();
                    store.roster(&store.grids().unwrap()[0].id).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(store.household(&f.household).unwrap().visits.len(), 40);
    assert_rebuild_matches(&store);
}

#[test]
fn a_version_two_store_with_data_queues_its_own_changes_for_the_first_sync() {
    let dir = tempfile::tempdir().unwrap();
    let other = open(&dir, "head");
    let f = fixture(&other);
    let path = dir.path().join("old.db");
    let store = Store::open(&path, identity("w1")).unwrap();
    send(&other, &store);
    store.log_visit(visit_input(&f.household)).unwrap();
    store.log_visit(visit_input(&f.household)).unwrap();
    let queued = store.sync_status().unwrap().unsent_changes;
    // Two visits, the first one's new quarter document, and the device's registration.
    assert_eq!(queued, 3);
    store.compact().unwrap();
    drop(store);
    // Version 2 had neither sync table.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE outbox; DROP TABLE sync_cursors; PRAGMA user_version = 2;")
        .unwrap();
    drop(conn);

    let store = Store::open(&path, identity("w1")).unwrap();
    let status = store.sync_status().unwrap();
    assert_eq!(
        status.unsent_changes, queued,
        "only this device's changes are queued"
    );
    let request = store
        .sync_request(&crate::sync::SyncLimits::default())
        .unwrap();
    assert!(request.push.iter().all(|c| c.doc_id.contains(&f.grid)));
    assert_eq!(request.grids.len(), 1);
    drop(store);
    // Opening again does not queue them twice.
    let store = Store::open(&path, identity("w1")).unwrap();
    assert_eq!(store.sync_status().unwrap().unsent_changes, queued);
}

#[test]
fn options_that_cannot_work_are_refused_before_the_file_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w1.db");
    let refused =
        |options: crate::OpenOptions| match Store::open_with(&path, identity("w1"), options) {
            Err(crate::Error::Invalid { field, reason }) => (field, reason),
            other => panic!("expected Invalid, got {other:?}"),
        };
    assert_eq!(
        refused(crate::OpenOptions {
            compact_after_changes: 0,
            ..Default::default()
        }),
        ("compact_after_changes", crate::InvalidReason::OutOfRange)
    );
    assert_eq!(
        refused(crate::OpenOptions {
            local_offset_minutes: 15 * 60,
            ..Default::default()
        })
        .0,
        "local_offset_minutes"
    );
    assert!(!path.exists(), "nothing was created");
}
