//! The server's schema over time, on both backends (PostgreSQL through
//! `GRIDBOOK_TEST_POSTGRES`, see `scripts/postgres`): the migrations follow
//! the convention of `schema/README.md` ("Migrations"), the frozen fixture of
//! every schema version (`schema/fixtures/server/`) opens with the current
//! code with its data and a phone syncs against it, and a database from a
//! newer build is refused untouched.
//!
//! To add a schema version: add its migration for both backends (see
//! `gridbook_server::storage::SQLITE_MIGRATIONS`), freeze a fixture of it on
//! both (`schema/fixtures/README.md`), list them in [`SQLITE_FIXTURES`] and
//! [`POSTGRES_FIXTURES`], and give each a test like the ones below.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::{TestDb, block_on};
use gridbook::Worker as TeamWorker;
use gridbook::codes::WorkerRole;
use gridbook::sync::{SyncLimits, SyncResponse};
use gridbook::{Date, Store, Timestamp, VisitInput, WorkerIdentity};
use gridbook_server::config::SQLITE_FILE;
use gridbook_server::storage::{
    AssignmentScope, DeviceInfo, GridInfo, Migration, POSTGRES_MIGRATIONS, PhotoStatus,
    SELF_REPORT_LINK_SECRET, SQLITE_MIGRATIONS, Stats, Worker, latest_version,
};
use gridbook_server::{
    Backend, PostgresStorage, RunningServer, ServerConfig, SqliteStorage, Storage, StorageError,
};

/// A frozen dump of a server database as one schema version left it.
struct ServerFixture {
    version: i64,
    sql: &'static str,
    /// The one grid it holds.
    grid: &'static str,
    /// When the fixture's server applied each migration, from 1 (kept as
    /// they were by the upgrade).
    applied: &'static [(i64, i64)],
    /// The roles of its two workers (`w-liming`, `w-zhaolei`) once opened:
    /// before version 2 the server kept none, and every worker it knew
    /// becomes an assistant (`002_worker_roles.sql`).
    roles: [WorkerRole; 2],
    /// A department (`w-fangguan`, 街道房管所) assigned the grid with an
    /// events-only scope: from version 3, when assignments got their scope.
    department: bool,
    /// One complete photo and one upload cut at 1000 of 3000 bytes in its
    /// grid: from version 4, when the server began to keep photos.
    photos: bool,
    /// Two residents' reports waiting for review, the grid's links revoked
    /// once and the link secret set: from version 5, self-reports.
    self_reports: bool,
}

/// The reports of the fixtures from version 5: id and when received.
const FIXTURE_REPORTS: [(&str, i64); 2] = [
    ("5f0c7e52-3d4b-4f7a-9a51-0c6f4c1b2a01", 1_796_700_000),
    ("5f0c7e52-3d4b-4f7a-9a51-0c6f4c1b2a02", 1_796_703_600),
];

/// The complete photo of the fixtures from version 4 (159 bytes).
const FIXTURE_PHOTO: &str = "24ac74130806ae02d7e4ee72881b977601999c6c9f94ee1545ed4830459b737f";
/// The upload cut after its first chunk in the fixtures from version 4.
const FIXTURE_CUT_PHOTO: &str = "fb5a5e7439fbb98b3dc324a722e08e9e89c21f0fd07307980e831cf7f97cc82b";

/// The department of the fixtures from version 3.
const DEPARTMENT: &str = "w-fangguan";

/// One fixture per schema version, version 1 first (`schema/fixtures/server/sqlite/`).
const SQLITE_FIXTURES: &[ServerFixture] = &[
    ServerFixture {
        version: 1,
        sql: include_str!("../../schema/fixtures/server/sqlite/v001.sql"),
        grid: "abb7ebd0-7741-4471-bd7e-d78d0127307a",
        applied: &[(1, 1_796_625_117)],
        roles: [WorkerRole::Assistant, WorkerRole::Assistant],
        department: false,
        photos: false,
        self_reports: false,
    },
    ServerFixture {
        version: 2,
        sql: include_str!("../../schema/fixtures/server/sqlite/v002.sql"),
        grid: "abb7ebd0-7741-4471-bd7e-d78d0127307a",
        applied: &[(1, 1_796_625_117), (2, 1_796_647_294)],
        roles: [WorkerRole::GridHead, WorkerRole::Assistant],
        department: false,
        photos: false,
        self_reports: false,
    },
    ServerFixture {
        version: 3,
        sql: include_str!("../../schema/fixtures/server/sqlite/v003.sql"),
        grid: "abb7ebd0-7741-4471-bd7e-d78d0127307a",
        applied: &[(1, 1_796_625_117), (2, 1_796_647_294), (3, 1_796_667_038)],
        roles: [WorkerRole::GridHead, WorkerRole::Assistant],
        department: true,
        photos: false,
        self_reports: false,
    },
    ServerFixture {
        version: 4,
        sql: include_str!("../../schema/fixtures/server/sqlite/v004.sql"),
        grid: "abb7ebd0-7741-4471-bd7e-d78d0127307a",
        applied: &[
            (1, 1_796_625_117),
            (2, 1_796_647_294),
            (3, 1_796_667_038),
            (4, 1_796_670_473),
        ],
        roles: [WorkerRole::GridHead, WorkerRole::Assistant],
        department: true,
        photos: true,
        self_reports: false,
    },
    ServerFixture {
        version: 5,
        sql: include_str!("../../schema/fixtures/server/sqlite/v005.sql"),
        grid: "abb7ebd0-7741-4471-bd7e-d78d0127307a",
        applied: &[
            (1, 1_796_625_117),
            (2, 1_796_647_294),
            (3, 1_796_667_038),
            (4, 1_796_670_473),
            (5, 1_796_695_157),
        ],
        roles: [WorkerRole::GridHead, WorkerRole::Assistant],
        department: true,
        photos: true,
        self_reports: true,
    },
];

/// One fixture per schema version, version 1 first (`schema/fixtures/server/postgres/`).
const POSTGRES_FIXTURES: &[ServerFixture] = &[
    ServerFixture {
        version: 1,
        sql: include_str!("../../schema/fixtures/server/postgres/v001.sql"),
        grid: "d907ccc0-9f6d-44f7-9a83-af27c7d92d0b",
        applied: &[(1, 1_796_625_123)],
        roles: [WorkerRole::Assistant, WorkerRole::Assistant],
        department: false,
        photos: false,
        self_reports: false,
    },
    ServerFixture {
        version: 2,
        sql: include_str!("../../schema/fixtures/server/postgres/v002.sql"),
        grid: "d907ccc0-9f6d-44f7-9a83-af27c7d92d0b",
        applied: &[(1, 1_796_625_123), (2, 1_796_647_303)],
        roles: [WorkerRole::GridHead, WorkerRole::Assistant],
        department: false,
        photos: false,
        self_reports: false,
    },
    ServerFixture {
        version: 3,
        sql: include_str!("../../schema/fixtures/server/postgres/v003.sql"),
        grid: "d907ccc0-9f6d-44f7-9a83-af27c7d92d0b",
        applied: &[(1, 1_796_625_123), (2, 1_796_647_303), (3, 1_796_667_045)],
        roles: [WorkerRole::GridHead, WorkerRole::Assistant],
        department: true,
        photos: false,
        self_reports: false,
    },
    ServerFixture {
        version: 4,
        sql: include_str!("../../schema/fixtures/server/postgres/v004.sql"),
        grid: "d907ccc0-9f6d-44f7-9a83-af27c7d92d0b",
        applied: &[
            (1, 1_796_625_123),
            (2, 1_796_647_303),
            (3, 1_796_667_045),
            (4, 1_796_670_478),
        ],
        roles: [WorkerRole::GridHead, WorkerRole::Assistant],
        department: true,
        photos: true,
        self_reports: false,
    },
    ServerFixture {
        version: 5,
        sql: include_str!("../../schema/fixtures/server/postgres/v005.sql"),
        grid: "d907ccc0-9f6d-44f7-9a83-af27c7d92d0b",
        applied: &[
            (1, 1_796_625_123),
            (2, 1_796_647_303),
            (3, 1_796_667_045),
            (4, 1_796_670_478),
            (5, 1_796_695_157),
        ],
        roles: [WorkerRole::GridHead, WorkerRole::Assistant],
        department: true,
        photos: true,
        self_reports: true,
    },
];

fn schema_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../schema")
        .join(sub)
}

/// The `.sql` file names of a folder, sorted.
fn sql_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

fn check_listed_files(migrations: &[Migration], dir: &str) {
    let listed: Vec<String> = migrations
        .iter()
        .map(|m| format!("{:03}_{}.sql", m.version, m.name))
        .collect();
    assert_eq!(
        sql_files(&schema_dir(dir)),
        listed,
        "{dir} holds the listed files"
    );
    for (i, m) in migrations.iter().enumerate() {
        assert_eq!(m.version, i as i64 + 1, "versions count up from 1");
        let text = std::fs::read_to_string(schema_dir(dir).join(&listed[i])).unwrap();
        assert_eq!(m.sql, text, "{} embeds its file", listed[i]);
    }
}

#[test]
fn every_server_migration_is_the_numbered_file_it_names_on_both_backends() {
    check_listed_files(SQLITE_MIGRATIONS, "server/sqlite");
    check_listed_files(POSTGRES_MIGRATIONS, "server/postgres");
    let steps = |list: &[Migration]| -> Vec<(i64, &str)> {
        list.iter().map(|m| (m.version, m.name)).collect()
    };
    assert_eq!(steps(SQLITE_MIGRATIONS), steps(POSTGRES_MIGRATIONS));
}

#[test]
fn every_server_schema_version_has_a_frozen_fixture_on_both_backends() {
    let latest = latest_version(SQLITE_MIGRATIONS);
    let expected: Vec<String> = (1..=latest).map(|v| format!("v{v:03}.sql")).collect();
    assert_eq!(sql_files(&schema_dir("fixtures/server/sqlite")), expected);
    assert_eq!(sql_files(&schema_dir("fixtures/server/postgres")), expected);
    let versions = |f: &[ServerFixture]| f.iter().map(|f| f.version).collect::<Vec<_>>();
    assert_eq!(versions(SQLITE_FIXTURES), (1..=latest).collect::<Vec<_>>());
    assert_eq!(
        versions(POSTGRES_FIXTURES),
        (1..=latest).collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------------
// What every fixture holds (`schema/fixtures/generator/`): one grid of two
// workers, 61 changes in its log, compacted at 54 into 5 snapshots.
// ---------------------------------------------------------------------------

async fn check_records(s: &Arc<dyn Storage>, fixture: &ServerFixture) {
    let grid = fixture.grid;
    let departments = u64::from(fixture.department);
    assert_eq!(
        s.stats().await.unwrap(),
        Stats {
            grids: 1,
            changes: 61,
            actors: 2,
            snapshots: 5,
            assignments: 2 + departments,
            ..fixture_photo_counts(fixture)
        }
    );
    let listing = s.list().await.unwrap();
    let mut workers = vec![
        Worker {
            worker_id: "w-liming".into(),
            name: "李明".into(),
            role: fixture.roles[0],
            can_create_grids: true,
        },
        Worker {
            worker_id: "w-zhaolei".into(),
            name: "赵磊".into(),
            role: fixture.roles[1],
            can_create_grids: false,
        },
    ];
    let mut team = vec!["w-liming".to_string(), "w-zhaolei".to_string()];
    let mut scoped = vec![];
    if fixture.department {
        workers.insert(
            0,
            Worker {
                worker_id: DEPARTMENT.into(),
                name: "街道房管所".into(),
                role: WorkerRole::Assistant,
                can_create_grids: false,
            },
        );
        team.insert(0, DEPARTMENT.into());
        scoped.push((DEPARTMENT.to_string(), AssignmentScope::Events));
    }
    assert_eq!(listing.workers, workers);
    assert_eq!(
        listing.grids,
        [GridInfo {
            grid_id: grid.into(),
            last_seq: 61,
            generation: 54,
            workers: team,
            scoped,
        }]
    );
    // Assignments made before version 3 cover the whole grid, as they did.
    for worker in ["w-liming", "w-zhaolei"] {
        assert_eq!(
            s.assignment_scopes(worker.into()).await.unwrap(),
            [(grid.to_string(), AssignmentScope::All)]
        );
    }
    if fixture.department {
        assert_eq!(
            s.assignment_scopes(DEPARTMENT.into()).await.unwrap(),
            [(grid.to_string(), AssignmentScope::Events)]
        );
        // The grid holds no event document: a department reads nothing,
        // and its cursor passes the whole log.
        let log = s
            .read_log(
                grid.into(),
                0,
                None,
                AssignmentScope::Events,
                u64::MAX,
                1_000,
            )
            .await
            .unwrap();
        assert_eq!((log.rows.len(), log.scanned_to, log.more), (0, 61, false));
    }
    check_photos(s, fixture).await;
    check_self_reports(s, fixture).await;
    let mut devices: Vec<(String, String, bool)> = listing
        .devices
        .iter()
        .map(|d: &DeviceInfo| (d.worker_id.clone(), d.label.clone(), d.revoked_at.is_some()))
        .collect();
    devices.sort();
    assert_eq!(
        devices,
        [
            ("w-liming".into(), "李明的手机".into(), false),
            ("w-zhaolei".into(), "赵磊的手机".into(), false),
            ("w-zhaolei".into(), "赵磊的旧手机".into(), true),
        ]
    );
    assert_eq!(
        s.assigned_grids("w-zhaolei".into()).await.unwrap(),
        [grid.to_string()]
    );
    let log = s
        .read_log(grid.into(), 0, None, AssignmentScope::All, u64::MAX, 1_000)
        .await
        .unwrap();
    assert!(!log.more);
    assert_eq!(
        log.rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (1..=61).collect::<Vec<u64>>()
    );
    let snapshots = s
        .read_snapshots(grid.into(), None, AssignmentScope::All, 10)
        .await
        .unwrap();
    let docs: Vec<(String, u64)> = snapshots
        .iter()
        .map(|r| (r.doc_id.clone(), r.generation))
        .collect();
    assert_eq!(
        docs,
        [
            (format!("patrol/{grid}/2026Q3"), 54),
            (format!("patrol/{grid}/2026Q4"), 54),
            (format!("roster/{grid}"), 54),
            (format!("visits/{grid}/2026Q3"), 54),
            (format!("visits/{grid}/2026Q4"), 54),
        ]
    );
}

/// The photo counts of the fixture's `Stats`: from version 4, its complete
/// photo (159 bytes) and its upload cut at 1000 bytes.
fn fixture_photo_counts(fixture: &ServerFixture) -> Stats {
    let has = u64::from(fixture.photos);
    Stats {
        photos: has,
        photo_bytes: 159 * has,
        incomplete_uploads: has,
        incomplete_upload_bytes: 1000 * has,
        ..Stats::default()
    }
}

/// A server over an upgraded fixture keeps the fixture's cut upload
/// whatever the date (its housekeeping would delete it a week after the
/// fixture was made), so the counts after the sync are exact.
fn keep_fixture_uploads(mut config: ServerConfig) -> ServerConfig {
    config.abandon_photo_uploads_after = Duration::from_secs(100 * 365 * 24 * 3600);
    config.self_report.retention = Duration::from_secs(100 * 365 * 24 * 3600);
    config
}

/// The photos from version 4: the complete one served and verified, the
/// cut one resumable from its count; before it, none.
async fn check_photos(s: &Arc<dyn Storage>, fixture: &ServerFixture) {
    let grid = fixture.grid.to_string();
    let status = s
        .photo_status(grid.clone(), FIXTURE_PHOTO.into())
        .await
        .unwrap();
    let cut = s
        .photo_status(grid.clone(), FIXTURE_CUT_PHOTO.into())
        .await
        .unwrap();
    let bytes = s
        .read_photo(grid.clone(), FIXTURE_PHOTO.into())
        .await
        .unwrap();
    if !fixture.photos {
        assert_eq!((status, cut, bytes), (None, None, None));
        return;
    }
    assert_eq!(
        status,
        Some(PhotoStatus {
            size: 159,
            received: 159,
            complete: true
        })
    );
    let bytes = bytes.unwrap();
    gridbook::verify_photo(FIXTURE_PHOTO, &bytes).unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8]));
    assert_eq!(
        cut,
        Some(PhotoStatus {
            size: 3000,
            received: 1000,
            complete: false
        })
    );
    assert_eq!(
        s.read_photo(grid, FIXTURE_CUT_PHOTO.into()).await.unwrap(),
        None
    );
}

/// The self-reports from version 5: two waiting, in the order received,
/// each a report the core reads back; the grid's links at epoch 1; the
/// fixed link secret kept (a fresh one offered is not taken). Before it,
/// none, epoch 0, and the secret made on first use.
async fn check_self_reports(s: &Arc<dyn Storage>, fixture: &ServerFixture) {
    let grid = fixture.grid.to_string();
    let reports = s.self_reports(grid.clone()).await.unwrap();
    let listed: Vec<(&str, i64)> = reports
        .iter()
        .map(|r| (r.report_id.as_str(), r.received_at))
        .collect();
    let epoch = s.self_report_epoch(grid).await.unwrap();
    let secret = s
        .server_secret(SELF_REPORT_LINK_SECRET, vec![0xAA; 32])
        .await
        .unwrap();
    if !fixture.self_reports {
        assert_eq!((listed, epoch, secret), (vec![], 0, vec![0xAA; 32]));
        return;
    }
    assert_eq!(listed, FIXTURE_REPORTS);
    assert_eq!(epoch, 1);
    assert_eq!(secret, (0u8..32).collect::<Vec<u8>>());
    let today = gridbook::Date::new(2026, 12, 8).unwrap();
    let rooms: Vec<(String, usize)> = reports
        .iter()
        .map(|r| {
            let report = gridbook::self_report::SelfReport::from_json(&r.report, today).unwrap();
            (
                format!("{}-{}-{}", report.building, report.unit, report.room),
                report.members.len(),
            )
        })
        .collect();
    assert_eq!(
        rooms,
        [("3栋-2-502".to_string(), 2), ("1栋-1-101".to_string(), 1)]
    );
}

/// Syncs until nothing is left; returns the round trips.
fn sync_all(url: &str, token: &str, store: &Store) -> usize {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder().build().unwrap();
    for round in 1..=50 {
        let request = store.sync_request(&SyncLimits::default()).unwrap();
        let response = client
            .post(format!("{url}{}", gridbook::sync::SYNC_PATH))
            .header("content-type", gridbook::sync::CONTENT_TYPE)
            .bearer_auth(token)
            .body(request.encode())
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let response = SyncResponse::decode(&response.bytes().unwrap()).unwrap();
        if !store.apply_sync_response(&request, &response).unwrap().more {
            return round;
        }
    }
    panic!("sync did not finish in 50 rounds");
}

/// After the upgrade: the assistant's new phone bootstraps from the
/// fixture's snapshots and log, and pushes a visit.
fn a_new_phone_syncs(server: &RunningServer, fixture: &ServerFixture) {
    let grid = fixture.grid;
    let issued = server
        .admin()
        .issue_token("w-zhaolei", "赵磊的新手机")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path().join("phone.db"),
        WorkerIdentity {
            worker_id: "w-zhaolei".into(),
            name: "赵磊".into(),
            role: WorkerRole::Assistant,
            device_label: "赵磊的新手机".into(),
        },
    )
    .unwrap();
    sync_all(&server.url, &issued.token, &store);
    assert_eq!(store.sync_cursor(grid).unwrap(), 61);
    assert_eq!(
        store.vouched_identity().unwrap(),
        Some(TeamWorker {
            id: "w-zhaolei".into(),
            name: "赵磊".into(),
            role: fixture.roles[1],
        }),
        "the phone learnt who it is from the server"
    );
    // The grid as the server had it: the grid head's last edits (a death
    // recorded, a visit) never reached it.
    let roster: Vec<(String, i32)> = store
        .roster(grid)
        .unwrap()
        .into_iter()
        .map(|r| (r.household.room, r.member_count))
        .collect();
    let rooms = |rows: &[(&str, i32)]| -> Vec<(String, i32)> {
        rows.iter().map(|(r, n)| (r.to_string(), *n)).collect()
    };
    assert_eq!(
        roster,
        rooms(&[
            ("201", 1),
            ("502", 3),
            ("301", 3),
            ("1101", 2),
            ("602", 1),
            ("101", 0)
        ])
    );
    let visits = |worker: &str| {
        store
            .visits_by_worker(
                worker,
                Date::new(2026, 7, 1).unwrap(),
                Date::new(2026, 12, 31).unwrap(),
            )
            .unwrap()
            .len()
    };
    assert_eq!((visits("w-liming"), visits("w-zhaolei")), (7, 2));
    assert_eq!(store.conflicts(grid).unwrap().len(), 1);

    // A visit from the new phone: its change and the phone's registration.
    let household = store.roster(grid).unwrap()[0].household.id.clone();
    store
        .log_visit(VisitInput {
            household_id: household,
            at: Timestamp {
                utc_ms: 1_792_029_600_000, // 2026-10-15 10:00 in China
                offset_minutes: 480,
            },
            kind: gridbook::codes::VisitKind::Routine,
            outcome: gridbook::codes::VisitOutcome::Met,
            residents_seen: vec![],
            notes: None,
            findings: vec![],
            gps: None,
        })
        .unwrap();
    assert_eq!(store.sync_status().unwrap().unsent_changes, 2);
    sync_all(&server.url, &issued.token, &store);
    assert_eq!(store.sync_status().unwrap().unsent_changes, 0);
    assert_eq!(store.sync_cursor(grid).unwrap(), 63);
    assert_eq!(
        server.admin().stats().unwrap(),
        Stats {
            grids: 1,
            changes: 63,
            actors: 3,
            snapshots: 5,
            assignments: 2 + u64::from(fixture.department),
            ..fixture_photo_counts(fixture)
        }
    );
    the_grid_heads_new_phone(server, fixture);
}

/// The grid head's new phone learns the role the server keeps (an
/// assistant where the upgrade made them one, until an administrator gives
/// them their role) and pushes. The roster already holds `grid_head` for
/// them from before the upgrade, so the new phone writes no role and is not
/// refused (refusals: `tests/tests/sync_identity.rs`).
fn the_grid_heads_new_phone(server: &RunningServer, fixture: &ServerFixture) {
    let issued = server
        .admin()
        .issue_token("w-liming", "李明的新手机")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path().join("phone.db"),
        WorkerIdentity {
            worker_id: "w-liming".into(),
            name: "李明".into(),
            role: WorkerRole::GridHead,
            device_label: "李明的新手机".into(),
        },
    )
    .unwrap();
    sync_all(&server.url, &issued.token, &store);
    let vouched_role = || store.vouched_identity().unwrap().map(|w| w.role);
    assert_eq!(vouched_role(), Some(fixture.roles[0]));
    if fixture.roles[0] != WorkerRole::GridHead {
        assert!(
            server
                .admin()
                .set_role("w-liming", WorkerRole::GridHead)
                .unwrap()
        );
        sync_all(&server.url, &issued.token, &store);
        assert_eq!(vouched_role(), Some(WorkerRole::GridHead));
    }
    let household = store.roster(fixture.grid).unwrap()[0].household.id.clone();
    store
        .log_visit(VisitInput {
            household_id: household,
            at: Timestamp {
                utc_ms: 1_792_033_200_000, // 2026-10-15 11:00 in China
                offset_minutes: 480,
            },
            kind: gridbook::codes::VisitKind::Routine,
            outcome: gridbook::codes::VisitOutcome::Met,
            residents_seen: vec![],
            notes: None,
            findings: vec![],
            gps: None,
        })
        .unwrap();
    let changes = server.admin().stats().unwrap().changes;
    sync_all(&server.url, &issued.token, &store);
    assert_eq!(store.sync_status().unwrap().unsent_changes, 0);
    assert_eq!(server.admin().stats().unwrap().changes, changes + 2);
}

// ---------------------------------------------------------------------------
// SQLite
// ---------------------------------------------------------------------------

/// Loads a fixture's dump into a new file (the tests never need `sqlite3`).
fn load_sqlite(fixture: &ServerFixture, path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(fixture.sql).unwrap();
}

fn sqlite_schema(path: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut s = c
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    s.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn sqlite_migrations(path: &Path) -> Vec<(i64, i64)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut s = c
        .prepare("SELECT version, applied_at FROM schema_migrations ORDER BY version")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// Both have the same schema, statement for statement (the statements only
/// one has are listed first, for a readable failure).
fn assert_same_schema(upgraded: Vec<String>, fresh: Vec<String>) {
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter().filter(|s| !b.contains(s)).cloned().collect()
    };
    assert_eq!(
        (only(&upgraded, &fresh), only(&fresh, &upgraded)),
        (vec![], vec![]),
        "statements only in the upgraded database, only in a fresh one"
    );
    assert_eq!(upgraded, fresh);
}

#[test]
fn a_version_one_sqlite_database_opens_and_is_upgraded() {
    sqlite_fixture_opens(&SQLITE_FIXTURES[0]);
}

#[test]
fn a_version_two_sqlite_database_opens_and_is_upgraded() {
    sqlite_fixture_opens(&SQLITE_FIXTURES[1]);
}

#[test]
fn a_version_three_sqlite_database_opens_and_is_upgraded() {
    sqlite_fixture_opens(&SQLITE_FIXTURES[2]);
}

#[test]
fn a_version_four_sqlite_database_opens_and_is_upgraded() {
    sqlite_fixture_opens(&SQLITE_FIXTURES[3]);
}

#[test]
fn a_version_five_sqlite_database_opens_and_is_upgraded() {
    sqlite_fixture_opens(&SQLITE_FIXTURES[4]);
}

fn sqlite_fixture_opens(fixture: &ServerFixture) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SQLITE_FILE);
    load_sqlite(fixture, &path);
    assert_eq!(sqlite_migrations(&path), fixture.applied);
    let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&path).unwrap());
    block_on(check_records(&storage, fixture));
    drop(storage);
    // Every migration after the fixture's version ran once, none twice.
    let recorded: Vec<i64> = sqlite_migrations(&path).iter().map(|m| m.0).collect();
    assert_eq!(
        recorded,
        (1..=latest_version(SQLITE_MIGRATIONS)).collect::<Vec<_>>()
    );
    assert_eq!(
        sqlite_migrations(&path)[..fixture.applied.len()],
        *fixture.applied
    );
    let fresh = dir.path().join("fresh.db");
    drop(SqliteStorage::open(&fresh).unwrap());
    assert_same_schema(sqlite_schema(&path), sqlite_schema(&fresh));

    let server = gridbook_server::spawn(keep_fixture_uploads(ServerConfig::sqlite_ephemeral(
        dir.path(),
    )))
    .unwrap();
    a_new_phone_syncs(&server, fixture);
    server.shutdown().unwrap();
}

#[test]
fn a_sqlite_database_from_a_newer_build_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(SQLITE_FILE);
    load_sqlite(&SQLITE_FIXTURES[0], &path);
    let newer = latest_version(SQLITE_MIGRATIONS) + 1;
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, 1)",
            [newer],
        )
        .unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "the whole database is in the file");
    }
    let before = std::fs::read(&path).unwrap();
    match SqliteStorage::open(&path) {
        Err(StorageError::SchemaTooNew { found, supported }) => {
            assert_eq!((found, supported), (newer, newer - 1));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file was not modified"
    );
    assert!(!dir.path().join(format!("{SQLITE_FILE}-wal")).exists());
}

// ---------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------

async fn pg_client(conn: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(conn, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// Loads a fixture's dump (`pg_dump --inserts`) into an empty database.
async fn load_postgres(fixture: &ServerFixture, conn: &str) {
    pg_client(conn)
        .await
        .batch_execute(fixture.sql)
        .await
        .unwrap();
}

/// The public schema as the catalog describes it: columns, constraints, indexes.
async fn pg_schema(conn: &str) -> Vec<String> {
    let client = pg_client(conn).await;
    let mut out = Vec::new();
    for sql in [
        "SELECT concat_ws(' ', table_name, column_name, data_type, is_nullable, column_default)
         FROM information_schema.columns WHERE table_schema = 'public'
         ORDER BY table_name, ordinal_position",
        "SELECT concat_ws(' ', conrelid::regclass::text, conname, pg_get_constraintdef(oid))
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace
         ORDER BY conrelid::regclass::text, conname",
        "SELECT concat_ws(' ', tablename, indexname, indexdef)
         FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname",
    ] {
        for row in client.query(sql, &[]).await.unwrap() {
            out.push(row.get::<_, String>(0));
        }
    }
    out
}

async fn pg_migrations(conn: &str) -> Vec<(i64, i64)> {
    pg_client(conn)
        .await
        .query(
            "SELECT version, applied_at FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[test]
fn a_version_one_postgres_database_opens_and_is_upgraded() {
    postgres_fixture_opens(&POSTGRES_FIXTURES[0]);
}

#[test]
fn a_version_two_postgres_database_opens_and_is_upgraded() {
    postgres_fixture_opens(&POSTGRES_FIXTURES[1]);
}

#[test]
fn a_version_three_postgres_database_opens_and_is_upgraded() {
    postgres_fixture_opens(&POSTGRES_FIXTURES[2]);
}

#[test]
fn a_version_four_postgres_database_opens_and_is_upgraded() {
    postgres_fixture_opens(&POSTGRES_FIXTURES[3]);
}

#[test]
fn a_version_five_postgres_database_opens_and_is_upgraded() {
    postgres_fixture_opens(&POSTGRES_FIXTURES[4]);
}

fn postgres_fixture_opens(fixture: &ServerFixture) {
    let db = block_on(async {
        let db = TestDb::create().await;
        load_postgres(fixture, &db.conn).await;
        assert_eq!(pg_migrations(&db.conn).await, fixture.applied);
        let storage: Arc<dyn Storage> = Arc::new(PostgresStorage::connect(&db.conn).await.unwrap());
        check_records(&storage, fixture).await;
        let recorded: Vec<i64> = pg_migrations(&db.conn).await.iter().map(|m| m.0).collect();
        assert_eq!(
            recorded,
            (1..=latest_version(POSTGRES_MIGRATIONS)).collect::<Vec<_>>()
        );
        assert_eq!(
            pg_migrations(&db.conn).await[..fixture.applied.len()],
            *fixture.applied
        );
        let fresh = TestDb::create().await;
        drop(PostgresStorage::connect(&fresh.conn).await.unwrap());
        assert_same_schema(pg_schema(&db.conn).await, pg_schema(&fresh.conn).await);
        fresh.drop_db().await;
        db
    });
    let mut config = ServerConfig::new(Backend::Postgres {
        conn: db.conn.clone(),
    });
    config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let server = gridbook_server::spawn(keep_fixture_uploads(config)).unwrap();
    a_new_phone_syncs(&server, fixture);
    server.shutdown().unwrap();
    block_on(db.drop_db());
}

#[test]
fn a_postgres_database_from_a_newer_build_is_refused_untouched() {
    block_on(async {
        let db = TestDb::create().await;
        load_postgres(&POSTGRES_FIXTURES[0], &db.conn).await;
        let newer = latest_version(POSTGRES_MIGRATIONS) + 1;
        pg_client(&db.conn)
            .await
            .execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 1)",
                &[&newer],
            )
            .await
            .unwrap();
        let (schema, migrations) = (pg_schema(&db.conn).await, pg_migrations(&db.conn).await);
        match PostgresStorage::connect(&db.conn).await {
            Err(StorageError::SchemaTooNew { found, supported }) => {
                assert_eq!((found, supported), (newer, newer - 1));
            }
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
        assert_eq!(pg_schema(&db.conn).await, schema);
        assert_eq!(pg_migrations(&db.conn).await, migrations);
        db.drop_db().await;
    });
}
