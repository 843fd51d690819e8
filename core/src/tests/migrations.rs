//! The file format over time: migrations, the frozen fixtures of every past
//! schema version (`schema/fixtures/phone/`), refusal of newer files,
//! encryption and what a dropped store leaves behind.
//!
//! To add a schema version: add its migration (see `crate::db`), freeze a
//! fixture of it as `schema/fixtures/phone/vNNN.sql` (see
//! `schema/fixtures/README.md`), add it to [`PHONE_FIXTURES`] with its
//! version-specific numbers, and give it a test like the ones below.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::db::MIGRATIONS;
use crate::sync::SyncLimits;
use crate::{Error, RecordKind, SCHEMA_VERSION};

/// A frozen dump of a phone file as one schema version left it, with the
/// numbers that differ between the versions' files.
struct PhoneFixture {
    version: i64,
    sql: &'static str,
    /// Rows of `chunks` (snapshots and single changes).
    chunks: i64,
    /// Unsent changes once the current code opened it: versions before the
    /// outbox existed queue every change this device wrote.
    unsent_after_open: i64,
    /// Outbox rows whose change was moved into the row by a compaction
    /// (the rest point at their chunk).
    outbox_with_bytes: i64,
    /// The store's cursor in the grid's server log.
    cursor: u64,
}

/// One fixture per schema version, version 1 first. All hold the same grid
/// (`schema/fixtures/generator/scenario.rs`), written by the store of that
/// version; 59 changes are this device's, 11 another device's or genesis.
const PHONE_FIXTURES: &[PhoneFixture] = &[
    PhoneFixture {
        version: 1,
        sql: include_str!("../../../schema/fixtures/phone/v001.sql"),
        chunks: 21,
        unsent_after_open: 59,
        outbox_with_bytes: 59,
        cursor: 0,
    },
    PhoneFixture {
        version: 2,
        sql: include_str!("../../../schema/fixtures/phone/v002.sql"),
        chunks: 21,
        unsent_after_open: 59,
        outbox_with_bytes: 59,
        cursor: 0,
    },
    PhoneFixture {
        version: 3,
        sql: include_str!("../../../schema/fixtures/phone/v003.sql"),
        chunks: 6,
        unsent_after_open: 4,
        outbox_with_bytes: 3,
        cursor: 61,
    },
    PhoneFixture {
        version: 4,
        sql: include_str!("../../../schema/fixtures/phone/v004.sql"),
        chunks: 9,
        unsent_after_open: 2,
        outbox_with_bytes: 0,
        cursor: 61,
    },
    PhoneFixture {
        version: 5,
        sql: include_str!("../../../schema/fixtures/phone/v005.sql"),
        chunks: 17,
        unsent_after_open: 9,
        outbox_with_bytes: 0,
        cursor: 61,
    },
    PhoneFixture {
        version: 6,
        sql: include_str!("../../../schema/fixtures/phone/v006.sql"),
        chunks: 18,
        unsent_after_open: 10,
        outbox_with_bytes: 0,
        cursor: 61,
    },
    PhoneFixture {
        version: 7,
        sql: include_str!("../../../schema/fixtures/phone/v007.sql"),
        chunks: 24,
        unsent_after_open: 15,
        outbox_with_bytes: 0,
        cursor: 61,
    },
    PhoneFixture {
        version: 8,
        sql: include_str!("../../../schema/fixtures/phone/v008.sql"),
        chunks: 31,
        unsent_after_open: 21,
        outbox_with_bytes: 0,
        cursor: 61,
    },
    PhoneFixture {
        version: 9,
        sql: include_str!("../../../schema/fixtures/phone/v009.sql"),
        chunks: 34,
        unsent_after_open: 23,
        outbox_with_bytes: 0,
        cursor: 61,
    },
    PhoneFixture {
        version: 10,
        sql: include_str!("../../../schema/fixtures/phone/v010.sql"),
        chunks: 34,
        unsent_after_open: 23,
        outbox_with_bytes: 0,
        cursor: 61,
    },
];

/// The worker whose phone the fixtures are.
fn fixture_owner() -> WorkerIdentity {
    WorkerIdentity {
        worker_id: "w-liming".into(),
        name: "李明".into(),
        role: WorkerRole::GridHead,
        device_label: "李明的手机".into(),
    }
}

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

/// Every `CREATE` statement of a file, by name.
fn schema_of(path: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut s = c
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    s.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// Both files have the same tables and indexes, statement for statement
/// (the statements only one has are listed first, for a readable failure).
fn assert_same_schema(upgraded: &Path, fresh: &Path) {
    let (upgraded, fresh) = (schema_of(upgraded), schema_of(fresh));
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter().filter(|s| !b.contains(s)).cloned().collect()
    };
    assert_eq!(
        (only(&upgraded, &fresh), only(&fresh, &upgraded)),
        (vec![], vec![]),
        "statements only in the upgraded file, only in a fresh one"
    );
    assert_eq!(upgraded, fresh);
}

/// Rows in every table (SQLite's own tables left out).
fn row_counts(conn: &rusqlite::Connection) -> BTreeMap<String, i64> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect()
}

/// Loads a fixture's dump into a new file, as the tests never need the `sqlite3` tool.
fn load_fixture(fixture: &PhoneFixture, path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(fixture.sql).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, fixture.version, "the fixture is at its version");
}

#[test]
fn every_phone_migration_is_the_numbered_file_it_names() {
    let files = sql_files(&schema_dir("phone"));
    let listed: Vec<String> = MIGRATIONS
        .iter()
        .map(|m| format!("{:03}_{}.sql", m.version, m.name))
        .collect();
    assert_eq!(
        files, listed,
        "schema/phone/ holds exactly the listed files"
    );
    for (i, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(m.version, i as i64 + 1, "versions count up from 1");
        let text = std::fs::read_to_string(schema_dir("phone").join(&listed[i])).unwrap();
        assert_eq!(m.sql, text, "{} embeds its file", listed[i]);
    }
    assert_eq!(SCHEMA_VERSION, MIGRATIONS.len() as i64);
}

#[test]
fn every_phone_schema_version_has_a_frozen_fixture() {
    let expected: Vec<String> = (1..=SCHEMA_VERSION)
        .map(|v| format!("v{v:03}.sql"))
        .collect();
    assert_eq!(sql_files(&schema_dir("fixtures/phone")), expected);
    let versions: Vec<i64> = PHONE_FIXTURES.iter().map(|f| f.version).collect();
    assert_eq!(versions, (1..=SCHEMA_VERSION).collect::<Vec<_>>());
}

#[test]
fn a_version_one_database_opens_and_is_upgraded() {
    const { assert!(SCHEMA_VERSION >= 2, "this test needs a newer schema than 1") };
    upgrades_with_its_data(&PHONE_FIXTURES[0]);
}

#[test]
fn a_version_two_database_opens_and_is_upgraded() {
    upgrades_with_its_data(&PHONE_FIXTURES[1]);
}

#[test]
fn a_version_three_database_opens_and_is_upgraded() {
    upgrades_with_its_data(&PHONE_FIXTURES[2]);
}

/// Opens a fixture with the current code and checks the schema, every
/// table's rows, the queries, the outbox and a new edit.
#[test]
fn a_version_four_database_opens_with_its_blocked_grid_and_team() {
    let fixture = &PHONE_FIXTURES[3];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    load_fixture(fixture, &path);
    let store = Store::open(&path, fixture_owner()).unwrap();
    let status = store.sync_status().unwrap();
    assert_eq!((status.unsent_changes, status.held_changes), (2, 2));
    assert_eq!(status.can_create_grids, Some(false));
    assert_eq!(status.blocked_grids.len(), 1);
    let blocked = &status.blocked_grids[0];
    assert_eq!(blocked.reason, crate::sync::GridRefusal::MayNotCreate);
    assert_eq!(blocked.held_changes, 2);
    assert_eq!(
        store.sync_cursors().unwrap().len(),
        2,
        "the blocked grid is still held"
    );
    let grid = store
        .sync_cursors()
        .unwrap()
        .iter()
        .find(|g| g.grid_id != blocked.grid_id)
        .unwrap()
        .grid_id
        .clone();
    assert_eq!(store.sync_cursor(&grid).unwrap(), fixture.cursor);
    // The team the server keeps is merged into the roster's.
    let workers: Vec<(String, String)> = store
        .workers(&grid)
        .unwrap()
        .into_iter()
        .map(|w| (w.id, w.name))
        .collect();
    assert_eq!(
        workers,
        vec![
            ("w-liming".to_string(), "李明".to_string()),
            ("w-zhaolei".to_string(), "赵磊".to_string())
        ]
    );
    // The blocked grid is neither named nor pushed.
    let request = store.sync_request(&SyncLimits::default()).unwrap();
    assert_eq!(request.grids.len(), 1);
    assert_eq!(request.grids[0].grid_id, grid);
    assert!(request.push.is_empty());
    drop(store);
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh, fixture_owner()).unwrap());
    assert_same_schema(&path, &fresh);
}

/// The events a version-5 store wrote read back with their derived state,
/// a rebuild gives the same rows, and the loop goes on from where it was.
#[test]
fn a_version_five_database_opens_with_its_events() {
    let fixture = &PHONE_FIXTURES[4];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    load_fixture(fixture, &path);
    let store = Store::open(&path, fixture_owner()).unwrap();
    let status = store.sync_status().unwrap();
    assert_eq!(
        (status.unsent_changes, status.held_changes),
        (fixture.unsent_after_open, 2)
    );
    let blocked = status.blocked_grids[0].grid_id.clone();
    let grid = store
        .sync_cursors()
        .unwrap()
        .into_iter()
        .find(|g| g.grid_id != blocked)
        .unwrap()
        .grid_id;
    let open = store.events_open(&grid).unwrap();
    assert_eq!(open.len(), 1);
    let gas = &open[0];
    assert_eq!(
        (
            gas.category.as_str(),
            gas.status,
            gas.level,
            gas.assignee.as_deref()
        ),
        (
            "gas_leak",
            EventStatus::Dispatched,
            3,
            Some("d-gas-company")
        )
    );
    let actions: Vec<(StepAction, bool)> =
        gas.steps.iter().map(|s| (s.action, s.applied)).collect();
    assert_eq!(
        actions,
        vec![
            (StepAction::Accept, true),
            (StepAction::Escalate, true),
            (StepAction::Dispatch, true)
        ]
    );
    // 2 hours from its acceptance, 2026-11-02 09:05 +08:00.
    assert_eq!(gas.deadline.unwrap().utc_ms, 1_793_588_700_000);
    assert_eq!(store.events_overdue(&grid, now_local()).unwrap().len(), 1);
    assert_eq!(store.events_by_level(&grid, 1).unwrap().len(), 0);
    assert!(store.events_needing_review(&grid).unwrap().is_empty());
    assert_rebuild_matches(&store);
    // The grid head may not take the unit's step; escalating again is fine.
    let next = |action| EventStepInput {
        event_id: gas.id.clone(),
        action,
        at: now_local(),
        comment: None,
        photos: vec![],
        assignee: None,
        level: None,
        extension: None,
        satisfaction: None,
    };
    assert!(matches!(
        store.take_event_step(next(StepAction::Take)),
        Err(Error::StepRefused { .. })
    ));
    store
        .take_event_step(EventStepInput {
            comment: Some("督促尽快到场".into()),
            ..next(StepAction::RequestExtension)
        })
        .unwrap_err();
    drop(store);
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh, fixture_owner()).unwrap());
    assert_same_schema(&path, &fresh);
}

/// The photos a version-6 store held read back with their upload states
/// and bytes, a rebuild keeps them, and the uploader goes on.
#[test]
fn a_version_six_database_opens_with_its_photos() {
    use crate::{PhotoOrigin, PhotoUpload};
    let fixture = &PHONE_FIXTURES[5];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v6.db");
    load_fixture(fixture, &path);
    let store = Store::open(&path, fixture_owner()).unwrap();
    let status = store.sync_status().unwrap();
    assert_eq!(
        (status.unsent_changes, status.held_changes),
        (fixture.unsent_after_open, 2)
    );
    let blocked = status.blocked_grids[0].grid_id.clone();
    let grid = store
        .sync_cursors()
        .unwrap()
        .into_iter()
        .find(|g| g.grid_id != blocked)
        .unwrap()
        .grid_id;
    let photos = store.photo_states(&grid).unwrap();
    let states: Vec<(PhotoOrigin, PhotoUpload)> = photos
        .iter()
        .map(|p| (p.origin, p.upload.clone()))
        .collect();
    let mut expected = vec![
        (
            PhotoOrigin::Local,
            PhotoUpload::Uploading { sent_bytes: 64 },
        ),
        (PhotoOrigin::Local, PhotoUpload::Uploaded),
        (
            PhotoOrigin::Local,
            PhotoUpload::Failed {
                reason: "网络中断".into(),
                sent_bytes: 0,
            },
        ),
        (PhotoOrigin::Downloaded, PhotoUpload::NotOurs),
    ];
    let mut got = states.clone();
    got.sort_by_key(|s| format!("{s:?}"));
    expected.sort_by_key(|s| format!("{s:?}"));
    assert_eq!(got, expected);
    for photo in &photos {
        let bytes = store.photo(&photo.id).unwrap();
        assert_eq!(crate::photo_id(&bytes), photo.id);
        assert_eq!(bytes.len() as i64, photo.size_bytes);
    }
    // The event names the photo being uploaded.
    let uploading = photos
        .iter()
        .find(|p| matches!(p.upload, PhotoUpload::Uploading { .. }))
        .unwrap();
    let named: Vec<Vec<String>> = store
        .events_open(&grid)
        .unwrap()
        .into_iter()
        .map(|e| e.photos)
        .filter(|p| !p.is_empty())
        .collect();
    assert_eq!(named, vec![vec![uploading.id.clone()]]);
    assert_eq!(store.photos_to_upload(10).unwrap().len(), 2);
    assert_rebuild_matches(&store);
    assert_eq!(store.photo_states(&grid).unwrap(), photos);
    let done = store.mark_uploaded(&uploading.id).unwrap();
    assert_eq!(done.upload, PhotoUpload::Uploaded);
    drop(store);
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh, fixture_owner()).unwrap());
    assert_same_schema(&path, &fresh);
}

/// Opens a fixture of version 7 or later (two grids: one whose changes are
/// held, refused by the server, and the first grid), checks the outbox and
/// the chunks it left, and returns the store, the first grid and the held one.
fn open_with_a_held_grid(fixture: &PhoneFixture) -> (tempfile::TempDir, Store, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("v{}.db", fixture.version));
    load_fixture(fixture, &path);
    let store = Store::open(&path, fixture_owner()).unwrap();
    let status = store.sync_status().unwrap();
    assert_eq!(
        (status.unsent_changes, status.held_changes),
        (fixture.unsent_after_open, 2)
    );
    assert_eq!(chunk_count(&store), fixture.chunks);
    let blocked = status.blocked_grids[0].grid_id.clone();
    let grid = store
        .sync_cursors()
        .unwrap()
        .into_iter()
        .find(|g| g.grid_id != blocked)
        .unwrap()
        .grid_id;
    (dir, store, grid, blocked)
}

/// The points rule, talent pool, awards and exchange a version-8 store held
/// read back with their balances and board, a rebuild derives the same
/// rows, and a new award is queued.
#[test]
fn a_version_eight_database_opens_with_its_points() {
    let fixture = &PHONE_FIXTURES[7];
    let (_dir, store, grid, _) = open_with_a_held_grid(fixture);
    let rules = store.points_rules(&grid).unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(
        (
            rules[0].from_month,
            rules[0].rule.minutes_per_point,
            rules[0].rule.expiry
        ),
        (Date::new(2026, 10, 1).unwrap(), 30, PointsExpiry::YearEnd)
    );
    let volunteers: Vec<(String, VolunteerSource)> = store
        .volunteers(&grid)
        .unwrap()
        .into_iter()
        .map(|v| (v.display_name, v.source))
        .collect();
    assert_eq!(
        volunteers,
        vec![
            ("王**".to_string(), VolunteerSource::TalentPool),
            ("马**".to_string(), VolunteerSource::TeamMember),
            ("何*".to_string(), VolunteerSource::TeamMember),
        ]
    );
    let end_of_november = Date::new(2026, 11, 30).unwrap();
    let account = store
        .points_account(&grid, "v-001", end_of_november)
        .unwrap();
    assert_eq!((account.balance, account.earned, account.spent), (1, 5, 4));
    let board: Vec<i64> = store
        .points_board(&grid, end_of_november, 10)
        .unwrap()
        .into_iter()
        .map(|s| s.points)
        .collect();
    assert_eq!(board, vec![5, 3, 2]);
    // The year-end rule: November's points are gone in January.
    let january = Date::new(2027, 1, 1).unwrap();
    assert_eq!(
        store
            .points_account(&grid, "v-001", january)
            .unwrap()
            .balance,
        0
    );
    assert_rebuild_matches(&store);
    store
        .award_points(PointsAward {
            grid_id: grid.clone(),
            volunteer_id: "v-002".into(),
            points: 1,
            reason: "夜巡".into(),
            on: end_of_november,
        })
        .unwrap();
    assert_eq!(
        store.sync_status().unwrap().unsent_changes,
        fixture.unsent_after_open + 1
    );
}

/// The reveal log a version-9 store held reads back for the grid head,
/// newest first, a rebuild derives the same rows, and a new reveal is
/// queued to sync.
#[test]
fn a_version_nine_database_opens_with_its_reveal_log() {
    let fixture = &PHONE_FIXTURES[8];
    let (_dir, store, grid, _) = open_with_a_held_grid(fixture);
    let log = store.reveal_log(&grid).unwrap();
    let summary: Vec<(RevealSubject, RevealPurpose, &str, &str, u32, String)> = log
        .iter()
        .map(|e| {
            (
                e.subject,
                e.purpose,
                e.note.as_str(),
                e.template_id.as_str(),
                e.rows,
                e.fields.join(","),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                RevealSubject::Export,
                RevealPurpose::ReportUpstream,
                "报街道人口系统",
                "roster_grid_worker",
                9,
                "id_number,phones,care,household_notes".to_string()
            ),
            (
                RevealSubject::Resident,
                RevealPurpose::ContactResident,
                "回访独居老人",
                "",
                0,
                "id_number,phones".to_string()
            ),
        ]
    );
    assert!(log.iter().all(|e| e.recorded_by == "w-liming"));
    let resident = log[1].resident_id.clone();
    assert_rebuild_matches(&store);
    store
        .reveal_resident(
            &resident,
            RevealReason {
                purpose: RevealPurpose::VerifyIdentity,
                note: "核对身份".into(),
            },
        )
        .unwrap();
    assert_eq!(store.reveal_log(&grid).unwrap().len(), 3);
    assert_eq!(
        store.sync_status().unwrap().unsent_changes,
        fixture.unsent_after_open + 1
    );
}

/// The review queue a version-10 store held: one report waiting, beside
/// the roster (a new household in 1栋, a new member), and one rejected
/// whose outcome waits for the server; accepting the waiting one writes
/// the roster edits and queues its outcome too.
#[test]
fn a_version_ten_database_opens_with_its_review_queue() {
    use crate::self_report::{HouseholdMatch, MemberMatch, SelfReportOutcome};
    let fixture = &PHONE_FIXTURES[9];
    let (_dir, store, grid, _) = open_with_a_held_grid(fixture);
    let waiting = store.self_reports(&grid).unwrap();
    assert_eq!(waiting.len(), 1);
    let first = "5f0c7e52-3d4b-4f7a-9a51-0c6f4c1b2b01";
    let second = "5f0c7e52-3d4b-4f7a-9a51-0c6f4c1b2b02";
    assert_eq!(
        (
            waiting[0].received.id.as_str(),
            waiting[0].received.received_at
        ),
        (first, 1_796_700_000)
    );
    let building = store
        .buildings(&grid)
        .unwrap()
        .into_iter()
        .find(|b| b.number == "1栋")
        .unwrap()
        .id;
    assert_eq!(
        waiting[0].review.household,
        HouseholdMatch::New {
            building_id: building
        }
    );
    assert_eq!(waiting[0].review.members, [MemberMatch::New]);
    let told = |accepted: bool, id: &str| SelfReportOutcome {
        grid_id: grid.clone(),
        report_id: id.into(),
        accepted,
    };
    assert_eq!(store.self_report_outcomes().unwrap(), [told(false, second)]);
    assert_rebuild_matches(&store);
    let households = store.roster(&grid).unwrap().len();
    let accepted = store.accept_self_report(first).unwrap();
    assert!(accepted.created_household && accepted.created_residents.len() == 1);
    assert_eq!(store.roster(&grid).unwrap().len(), households + 1);
    assert_eq!(store.self_reports(&grid).unwrap(), vec![]);
    assert_eq!(
        store.self_report_outcomes().unwrap(),
        [told(false, second), told(true, first)]
    );
    assert!(store.sync_status().unwrap().unsent_changes > fixture.unsent_after_open);
    store.forget_self_report(second).unwrap();
    assert_eq!(store.self_report_outcomes().unwrap(), [told(true, first)]);
}

/// The grid's own categories and level names a version-7 store held read
/// back, a rebuild derives the same rows, and they are still used.
#[test]
fn a_version_seven_database_opens_with_its_event_settings() {
    let fixture = &PHONE_FIXTURES[6];
    let (dir, store, grid, blocked) = open_with_a_held_grid(fixture);
    let path = dir.path().join("v7.db");
    let categories = store.event_categories(&grid).unwrap().categories;
    let local: Vec<(&str, &str, &str, TimeLimit, i32)> = categories
        .iter()
        .filter(|c| c.local)
        .map(|c| {
            (
                c.code.as_str(),
                c.name.as_str(),
                c.group_name.as_str(),
                c.limit,
                c.initial_level,
            )
        })
        .collect();
    assert_eq!(
        local,
        vec![(
            "local_pothole",
            "路面坑洼",
            "道路交通",
            TimeLimit::WorkingDays { days: 5 },
            2
        )]
    );
    assert_eq!(categories.len(), 16);
    let joint = &store.whistle_levels(&grid).unwrap().levels[1];
    assert_eq!(
        (
            joint.name.as_str(),
            joint.supervised,
            joint.default_assignee.as_deref()
        ),
        ("街道哨", true, Some("d-street-office"))
    );
    assert_eq!(
        store.whistle_levels(&blocked).unwrap().levels[1].name,
        "联合哨"
    );
    let pothole: Vec<(String, i32)> = store
        .events_open(&grid)
        .unwrap()
        .into_iter()
        .filter(|e| e.category == "local_pothole")
        .map(|e| (e.category, e.level))
        .collect();
    assert_eq!(pothole, vec![("local_pothole".to_string(), 2)]);
    assert_rebuild_matches(&store);
    // The retired category stays retired, and can be offered again.
    assert!(
        store
            .report_event(EventInput {
                grid_id: grid.clone(),
                category: "local_flyers".into(),
                description: "电梯内张贴小广告".into(),
                urgency: Urgency::Normal,
                building_id: None,
                household_id: None,
                gps: None,
                address: None,
                source: EventSource::DoorKnocking,
                source_record_id: None,
                residents_involved: vec![],
                at: now_local(),
                photos: vec![],
            })
            .is_err()
    );
    store.retire_event_category(&grid, "local_pothole").unwrap();
    assert_eq!(store.event_categories(&grid).unwrap().categories.len(), 15);
    drop(store);
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh, fixture_owner()).unwrap());
    assert_same_schema(&path, &fresh);
}

fn upgrades_with_its_data(fixture: &PhoneFixture) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    load_fixture(fixture, &path);
    let store = Store::open(&path, fixture_owner()).unwrap();
    let (version, index, outbox_with_bytes, counts) = store
        .read(|c| {
            Ok((
                c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?,
                c.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'visits_by_worker'",
                    [],
                    |r| r.get::<_, i64>(0),
                )?,
                c.query_row("SELECT count(*) FROM outbox WHERE bytes IS NOT NULL", [], |r| {
                    r.get::<_, i64>(0)
                })?,
                row_counts(c),
            ))
        })
        .unwrap();
    assert_eq!((version, index), (SCHEMA_VERSION, 1));
    let expected: BTreeMap<String, i64> = [
        ("building_heads", 3),
        ("buildings", 3),
        ("checkins", 7),
        ("chunks", fixture.chunks),
        ("conflicts", 2),
        ("devices", 2),
        ("discarded_grids", 0),
        ("docs", 5),
        ("event_steps", 0),
        ("events", 0),
        ("grid_members", 0),
        ("grids", 1),
        ("households", 6),
        ("local_event_categories", 0),
        ("local_whistle_levels", 0),
        // worker_id, actor_id and the calendar the deadlines were counted in.
        ("meta", 3),
        ("outbox", fixture.unsent_after_open),
        ("patrol_teams", 1),
        ("photo_bytes", 0),
        ("photos", 0),
        ("points_entries", 0),
        ("points_rules", 0),
        ("quarantined_grids", 0),
        ("resident_care", 7),
        ("residents", 11),
        ("reveal_log", 0),
        ("self_reports", 0),
        ("shift_members", 7),
        ("shifts", 4),
        ("sync_cursors", i64::from(fixture.cursor > 0)),
        ("talent_pool", 0),
        ("team_members", 3),
        ("visits", 11),
        ("workers", 2),
    ]
    .into_iter()
    .map(|(t, n)| (t.to_string(), n))
    .collect();
    assert_eq!(counts, expected);
    assert_eq!(outbox_with_bytes, fixture.outbox_with_bytes);

    let grid = assert_fixture_records(&store);
    // The rows the old code wrote are the rows the current code derives.
    assert_rebuild_matches(&store);

    // Syncing picks up where the file left off.
    let status = store.sync_status().unwrap();
    assert_eq!(status.unsent_changes, fixture.unsent_after_open);
    assert_eq!(store.sync_cursor(&grid).unwrap(), fixture.cursor);
    let request = store.sync_request(&SyncLimits::default()).unwrap();
    assert!(!request.push.is_empty());
    assert!(request.push.iter().all(|c| c.doc_id.contains(&grid)));
    assert_eq!(request.grids.len(), 1);
    assert_eq!(request.grids[0].cursor, fixture.cursor);

    // A new edit goes to the outbox and the queries, next to the old records.
    let h1 = roster_row(&store, &grid, "201").household.id;
    let mut visit = visit_input(&h1);
    visit.at = Timestamp {
        utc_ms: 1_792_029_600_000, // 2026-10-15 10:00 in China: the fourth quarter's document exists
        offset_minutes: 480,
    };
    store.log_visit(visit).unwrap();
    assert_eq!(
        store.sync_status().unwrap().unsent_changes,
        fixture.unsent_after_open + 1
    );
    assert_eq!(store.household(&h1).unwrap().visits.len(), 3);
    assert_rebuild_matches(&store);

    // Another phone receives everything and sees the same grid.
    let other_dir = tempfile::tempdir().unwrap();
    let other = open(&other_dir, "w-zhaolei");
    send(&store, &other);
    assert_eq!(other.roster(&grid).unwrap(), store.roster(&grid).unwrap());
    assert_eq!(
        other.conflicts(&grid).unwrap(),
        store.conflicts(&grid).unwrap()
    );
    drop(store);

    // The upgraded file has the same schema as a new one.
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh, fixture_owner()).unwrap());
    assert_same_schema(&path, &fresh);
    // Opening again migrates nothing and queues nothing twice.
    let store = Store::open(&path, fixture_owner()).unwrap();
    assert_eq!(
        store.sync_status().unwrap().unsent_changes,
        fixture.unsent_after_open + 1
    );
}

fn roster_row(store: &Store, grid: &str, room: &str) -> RosterRow {
    let mut rows: Vec<RosterRow> = store
        .roster(grid)
        .unwrap()
        .into_iter()
        .filter(|r| r.household.room == room)
        .collect();
    assert_eq!(rows.len(), 1, "one household in room {room}");
    rows.remove(0)
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// The records every fixture holds (`schema/fixtures/generator/scenario.rs`),
/// read through the store's queries; returns the grid id.
fn assert_fixture_records(store: &Store) -> String {
    let grids = store.grids().unwrap();
    assert_eq!(grids.len(), 1);
    let g = &grids[0];
    assert_eq!(
        (
            g.code.as_str(),
            g.name.as_str(),
            g.community.as_deref(),
            g.street.as_deref(),
            g.boundary.as_ref().map(Vec::len),
            g.retired
        ),
        (
            "330106001002003",
            "梧桐里网格",
            Some("梧桐里社区"),
            Some("文新街道"),
            Some(4),
            false
        )
    );
    let grid = g.id.clone();
    let buildings: Vec<String> = store
        .buildings(&grid)
        .unwrap()
        .into_iter()
        .map(|b| b.number)
        .collect();
    assert_eq!(buildings, ["1栋", "2栋", "10栋"]);
    let workers: Vec<(String, WorkerRole)> = store
        .workers(&grid)
        .unwrap()
        .into_iter()
        .map(|w| (w.name, w.role))
        .collect();
    assert_eq!(
        workers,
        [
            ("李明".to_string(), WorkerRole::GridHead),
            ("赵磊".to_string(), WorkerRole::Assistant)
        ]
    );

    // The roster: one index scan, with the derived member counts and latest visits.
    let roster: Vec<_> = store
        .roster(&grid)
        .unwrap()
        .into_iter()
        .map(|r| {
            let h = r.household;
            (
                format!("{} {}-{}", h.building_number, h.unit, h.room),
                h.floor,
                h.status,
                r.member_count,
                r.last_visit.map(|t| t.local_date().to_string()),
            )
        })
        .collect();
    let row = |addr: &str, floor, status, members, last: &str| {
        (
            addr.to_string(),
            floor,
            status,
            members,
            Some(last.to_string()),
        )
    };
    use HouseholdStatus::{Active, MovedOut};
    assert_eq!(
        roster,
        [
            row("1栋 1-201", 2, Active, 1, "2026-10-09"),
            row("1栋 1-502", 5, Active, 3, "2026-11-05"),
            row("1栋 2-301", 3, Active, 2, "2026-11-20"),
            row("2栋 1-1101", 11, Active, 2, "2026-11-27"),
            row("2栋 3-602", 6, Active, 1, "2026-11-06"),
            row("10栋 1-101", 1, MovedOut, 0, "2026-10-20"),
        ]
    );

    // A household: its residents (a death recorded) and visits (one amended).
    let h3 = store
        .household(&roster_row(store, &grid, "301").household.id)
        .unwrap();
    let members: Vec<(String, ResidentStatus)> = h3
        .members
        .iter()
        .map(|m| (m.name.clone(), m.status))
        .collect();
    assert_eq!(
        sorted(members),
        [
            ("张德明".to_string(), ResidentStatus::Active),
            ("李秀珍".to_string(), ResidentStatus::Active),
            ("赵玉珍".to_string(), ResidentStatus::Deceased),
        ]
    );
    assert_eq!(h3.visits.len(), 2);
    let head = h3.members.iter().find(|m| m.name == "张德明").unwrap();
    assert_eq!(h3.household.head_id.as_deref(), Some(head.id.as_str()));
    let stored = store.resident_unmasked(&head.id).unwrap();
    assert_eq!(head.phones, vec!["0571-******45".to_string()]);
    assert_eq!(
        (stored.care.clone(), stored.phones.clone()),
        (
            vec!["empty_nest".to_string(), "veteran".to_string()],
            vec!["0571-88012345".to_string()]
        )
    );
    let h4 = store
        .household(&roster_row(store, &grid, "1101").household.id)
        .unwrap();
    let notes: Vec<Option<String>> = h4.visits.iter().map(|v| v.notes.clone()).collect();
    assert_eq!(
        notes,
        [
            Some("孩子期中考试进步".to_string()),
            Some("低保复核材料已收齐，待街道审核".to_string())
        ]
    );

    // A resident's fields, the other phone's edit included.
    let h1 = store
        .household(&roster_row(store, &grid, "201").household.id)
        .unwrap();
    assert_eq!(
        h1.members[0].id_number.as_deref(),
        Some("330106********0481")
    );
    let wang = &store.resident_unmasked(&h1.members[0].id).unwrap();
    assert_eq!(
        (
            wang.name.as_str(),
            wang.id_number.as_deref(),
            wang.birth_date.map(|d| d.to_string()),
            wang.care.clone()
        ),
        (
            "王桂兰",
            Some("330106194103150481"),
            Some("1941-03-15".to_string()),
            vec!["elderly_alone".to_string()]
        )
    );
    let h5 = store
        .household(&roster_row(store, &grid, "602").household.id)
        .unwrap();
    let sun = &store.resident_unmasked(&h5.members[0].id).unwrap();
    assert_eq!(
        (
            sun.id_number.as_deref(),
            sun.phones.clone(),
            sun.registration
        ),
        (
            Some("330106199001251874"),
            vec!["17757128804".to_string(), "13067759210".to_string()],
            Registration::Migrant
        )
    );
    let findings: Vec<(FindingKind, Resolution)> = h5
        .visits
        .iter()
        .flat_map(|v| v.findings.iter().map(|f| (f.kind, f.resolution)))
        .collect();
    assert_eq!(
        findings,
        [
            (FindingKind::Problem, Resolution::SolvedOnSite),
            (FindingKind::Problem, Resolution::Escalated)
        ]
    );

    // Search, care lists, visits by worker.
    let hits = store.search(&grid, "秀珍", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].matched, SearchMatch::Name);
    let names = |category: &str| -> Vec<String> {
        sorted(
            store
                .residents_by_care(&grid, category)
                .unwrap()
                .into_iter()
                .map(|r| r.name)
                .collect(),
        )
    };
    assert_eq!(names("empty_nest"), ["张德明", "李秀珍"]);
    assert_eq!(names("left_behind_child"), ["周小雨"]);
    let november = |worker: &str| {
        store
            .visits_by_worker(
                worker,
                Date::new(2026, 11, 1).unwrap(),
                Date::new(2026, 11, 30).unwrap(),
            )
            .unwrap()
            .len()
    };
    assert_eq!((november("w-zhaolei"), november("w-liming")), (2, 2));

    // The two concurrent edits of one household's notes: a conflict to review.
    let conflicts = store.conflicts(&grid).unwrap();
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    let h2 = roster_row(store, &grid, "502").household;
    assert_eq!(
        (c.record_kind, c.record_id.as_str(), c.field.as_str()),
        (RecordKind::Household, h2.id.as_str(), "notes")
    );
    let values: Vec<(String, Option<String>)> = c
        .values
        .iter()
        .map(|v| (v.value.as_str().unwrap().to_string(), v.worker_id.clone()))
        .collect();
    assert_eq!(
        sorted(values),
        [
            (
                "房东已更换为刘女士".to_string(),
                Some("w-liming".to_string())
            ),
            (
                "租客续租至2027年3月".to_string(),
                Some("w-zhaolei".to_string())
            ),
        ]
    );
    let winner = c.values.iter().find(|v| v.is_winner).unwrap();
    assert_eq!(h2.notes.as_deref(), winner.value.as_str());

    // Building heads: 1栋 changed hands, 2栋 has one.
    let heads = store.current_building_heads(&grid).unwrap();
    let current: Vec<(HeadPerson, String)> = heads
        .iter()
        .map(|h| (h.person.clone(), h.starts_on.to_string()))
        .collect();
    let zhou = store
        .household(&roster_row(store, &grid, "1101").household.id)
        .unwrap()
        .members
        .into_iter()
        .find(|m| m.name == "周海燕")
        .unwrap();
    assert_eq!(
        current,
        [
            (
                HeadPerson::Volunteer("马红梅".into()),
                "2026-07-01".to_string()
            ),
            (HeadPerson::Resident(zhou.id), "2026-05-01".to_string()),
        ]
    );
    let history: Vec<(String, Option<String>, bool)> = store
        .building_head_history(&heads[0].building_id)
        .unwrap()
        .iter()
        .map(|h| {
            (
                h.starts_on.to_string(),
                h.ends_on.map(|d| d.to_string()),
                h.is_current,
            )
        })
        .collect();
    assert_eq!(
        sorted(history),
        [
            (
                "2026-03-01".to_string(),
                Some("2026-06-30".to_string()),
                false
            ),
            ("2026-07-01".to_string(), None, true),
        ]
    );

    // Patrols: the team, a shift and its check-ins from both phones.
    let teams = store.patrol_teams(&grid).unwrap();
    assert_eq!(teams.len(), 1);
    let members: Vec<&str> = teams[0].members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        (teams[0].name.as_str(), sorted(members)),
        ("梧桐里夜巡队", vec!["何伟", "李明", "马红梅"])
    );
    let shifts = store
        .shifts_on(&grid, Date::new(2026, 10, 24).unwrap())
        .unwrap();
    assert_eq!(shifts.len(), 1);
    assert_eq!(
        (shifts[0].members.clone(), shifts[0].route.len()),
        (vec!["v-002".to_string(), "w-liming".to_string()], 4)
    );
    let checkins: Vec<(String, String)> = store
        .shift_checkins(&shifts[0].id)
        .unwrap()
        .into_iter()
        .map(|c| (c.member_id, c.checkpoint))
        .collect();
    assert_eq!(
        checkins,
        [
            ("v-002".to_string(), "2栋".to_string()),
            ("w-liming".to_string(), "南门岗亭".to_string())
        ]
    );
    grid
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
        key: key.map(|text| crate::StoreKey::Passphrase { text: text.into() }),
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
    let (dir, other, f) = one_worker("head");
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
    // Version 2 had neither the sync tables nor those of versions 4 to 10.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE outbox; DROP TABLE sync_cursors; DROP TABLE quarantined_grids;
         DROP TABLE grid_members; DROP TABLE discarded_grids; DROP TABLE events;
         DROP TABLE event_steps; DROP TABLE photos; DROP TABLE photo_bytes;
         DROP TABLE local_event_categories; DROP TABLE local_whistle_levels;
         DROP TABLE points_entries; DROP TABLE points_rules; DROP TABLE talent_pool;
         DROP INDEX checkins_by_member; DROP TABLE reveal_log; DROP TABLE self_reports;
         PRAGMA user_version = 2;",
    )
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
