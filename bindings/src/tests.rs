//! Tests of the error mapping, of lifting dates and times from their text,
//! and a round trip through the exported API as an app would use it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use gridbook::codes::{
    DwellingUse, FindingKind, Gender, Registration, ResidenceState, Resolution, VisitKind,
    VisitOutcome, WorkerRole,
};
use gridbook::sync::{SyncError, SyncProgress};
use gridbook::{
    BuildingInput, Date, FindingInput, GeoPoint, GpsFix, GridInput, HouseholdInput, InvalidReason,
    RecordKind, ResidentInput, SearchMatch, ShiftInput, TimeOfDay, Timestamp, VisitInput,
    VisitPolicy, WorkerIdentity,
};

use crate::*;

mod error_messages;
mod live;
mod signed_numbers;

/// Runs an exported async call to its end, as the Kotlin or Swift caller would.
trait Wait: std::future::Future + Sized {
    fn wait(self) -> Self::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(self)
    }
}

impl<F: std::future::Future> Wait for F {}

fn identity(worker: &str) -> WorkerIdentity {
    WorkerIdentity {
        worker_id: worker.to_string(),
        name: "张伟".into(),
        role: WorkerRole::GridHead,
        device_label: "张伟的手机".into(),
    }
}

fn open(dir: &tempfile::TempDir, worker: &str) -> Arc<Store> {
    let path = dir.path().join(format!("{worker}.db"));
    Store::open(path.to_string_lossy().into_owned(), identity(worker), None)
        .wait()
        .unwrap()
}

fn now() -> Timestamp {
    let utc_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    Timestamp {
        utc_ms: i64::try_from(utc_ms).unwrap(),
        offset_minutes: 480,
    }
}

struct Fixture {
    grid: String,
    building: String,
    household: String,
}

/// A fresh directory with one worker's store holding the [`fixture`].
fn one_worker(worker: &str) -> (tempfile::TempDir, Arc<Store>, Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, worker);
    let f = fixture(&store);
    (dir, store, f)
}

fn fixture(store: &Store) -> Fixture {
    let grid = store
        .create_grid(GridInput {
            code: "330106001001001".into(),
            name: "文新一网格".into(),
            community: Some("文新社区".into()),
            street: None,
            boundary: None,
        })
        .wait()
        .unwrap();
    let building = store
        .create_building(
            grid.clone(),
            BuildingInput {
                number: "3栋".into(),
                estate: Some("幸福小区".into()),
                units: 2,
                floors: 6,
                location: Some(GeoPoint {
                    lon: 120.1,
                    lat: 30.28,
                }),
            },
        )
        .wait()
        .unwrap();
    let household = store
        .create_household(HouseholdInput {
            building_id: building.clone(),
            unit: "1".into(),
            floor: 5,
            room: "502".into(),
            use_kind: DwellingUse::OwnerOccupied,
            tags: vec![],
            location: None,
            notes: None,
        })
        .wait()
        .unwrap();
    Fixture {
        grid,
        building,
        household,
    }
}

fn resident(household: &str) -> ResidentInput {
    ResidentInput {
        household_id: household.into(),
        name: "王秀英".into(),
        gender: Gender::Female,
        birth_date: Some(Date::parse("1941-03-02").unwrap()),
        id_number: None,
        phones: vec!["13800138000".into()],
        relation: "02".into(),
        registration: Registration::Local,
        residence_state: ResidenceState::Consistent,
        care: vec!["elderly_alone".into()],
        moved_in: None,
    }
}

#[test]
fn open_create_log_visit_and_read_the_roster() {
    let (_dir, store, f) = one_worker("w-zhang");
    let resident_id = store
        .create_resident(resident(&f.household))
        .wait()
        .unwrap();
    let visit_id = store
        .log_visit(VisitInput {
            household_id: f.household.clone(),
            at: now(),
            kind: VisitKind::SpecialCare,
            outcome: VisitOutcome::Met,
            residents_seen: vec![resident_id.clone()],
            notes: Some("身体尚好".into()),
            findings: vec![FindingInput {
                id: None,
                kind: FindingKind::Request,
                text: "需要助餐服务".into(),
                resolution: Resolution::Escalated,
            }],
            gps: Some(GpsFix {
                point: GeoPoint {
                    lon: 120.1,
                    lat: 30.28,
                },
                accuracy_m: 8.0,
            }),
        })
        .wait()
        .unwrap();

    let roster = store.roster(f.grid.clone()).wait().unwrap();
    assert_eq!(roster.len(), 1);
    assert_eq!(roster[0].household.room, "502");
    assert_eq!(roster[0].household.building_number, "3栋");
    assert_eq!(roster[0].member_count, 1);
    assert_eq!(roster[0].last_visit.map(|t| t.offset_minutes), Some(480));

    let detail = store.household(f.household.clone()).wait().unwrap();
    assert_eq!(detail.members.len(), 1);
    assert_eq!(
        detail.members[0]
            .birth_date
            .map(|d| d.to_string())
            .as_deref(),
        Some("1941-03-02")
    );
    assert_eq!(detail.members[0].care, vec!["elderly_alone".to_string()]);
    assert_eq!(detail.visits.len(), 1);
    assert_eq!(detail.visits[0].id, visit_id);
    assert_eq!(
        detail.visits[0].findings[0].resolution,
        Resolution::Escalated
    );
    assert_eq!(detail.visits[0].worker_id, "w-zhang");

    let hits = store
        .search(f.grid.clone(), "王".into(), 10)
        .wait()
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].resident_id.as_deref(), Some(resident_id.as_str()));
    assert_eq!(hits[0].matched, SearchMatch::Name);
    assert!(
        !hits[0].display.contains("王秀英"),
        "search display lines are masked"
    );
    assert_eq!(
        store
            .residents_by_care(f.grid.clone(), "elderly_alone".into())
            .wait()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.identity().wait(), identity("w-zhang"));
    assert!(store.sync_status().wait().unwrap().unsent_changes > 0);
    assert_eq!(store.buildings(f.grid).wait().unwrap()[0].id, f.building);
}

#[test]
fn an_invalid_phone_names_the_field_not_the_value() {
    let (_dir, store, f) = one_worker("w-zhang");
    let input = ResidentInput {
        phones: vec!["1234567".into()],
        ..resident(&f.household)
    };
    let error = store.create_resident(input).wait().unwrap_err();
    assert!(
        matches!(&error, GridbookError::Invalid { field, reason: InvalidReason::Phone } if field == "phones"),
        "{error:?}"
    );
    assert!(!error.to_string().contains("1234567"));
    assert!(!format!("{error:?}").contains("1234567"));
    assert!(
        store
            .household(f.household)
            .wait()
            .unwrap()
            .members
            .is_empty(),
        "nothing stored"
    );
}

/// Lifts a `ShiftInput` from the buffer Kotlin or Swift would send for
/// these fields, dates and times as text.
fn lift_shift(team: &str, date: &str, starts: &str, ends: &str) -> uniffi::Result<ShiftInput> {
    use uniffi::{Lift, Lower};
    let mut buf = Vec::new();
    for text in [team, date, starts, ends] {
        <String as Lower<crate::UniFfiTag>>::write(text.to_string(), &mut buf);
    }
    <Vec<String> as Lower<crate::UniFfiTag>>::write(vec!["3栋".to_string()], &mut buf);
    <ShiftInput as Lift<crate::UniFfiTag>>::try_read(&mut buf.as_slice())
}

#[test]
fn malformed_dates_and_times_are_invalid_fields() {
    // A record's dates and times lift from text; a malformed one is the
    // error the methods return (uniffi passes it on as that error), naming
    // the type, since lifting does not know the record's field.
    let invalid = |result: uniffi::Result<ShiftInput>| {
        result
            .err()
            .unwrap()
            .downcast::<GridbookError>()
            .map_err(|e| e.to_string())
            .unwrap()
    };
    let error = invalid(lift_shift("t", "2026-01-05", "19:00", "7pm"));
    assert!(
        matches!(&error, GridbookError::Invalid { field, reason: InvalidReason::TimeFormat } if field == "time"),
        "{error:?}"
    );
    let error = invalid(lift_shift("t", "2026-02-30", "19:00", "21:30"));
    assert!(
        matches!(&error, GridbookError::Invalid { field, reason: InvalidReason::DateFormat } if field == "date"),
        "{error:?}"
    );
    let shift = lift_shift("t", "2026-01-05", "19:00", "21:30").unwrap();
    assert_eq!(shift.ends, TimeOfDay::parse("21:30").unwrap());

    let (_dir, store, f) = one_worker("w-zhang");
    let team = store
        .create_patrol_team(f.grid.clone(), "夜巡队".into(), vec![])
        .wait()
        .unwrap();
    let id = store
        .create_shift(ShiftInput {
            team_id: team,
            route: vec![f.building],
            ..shift
        })
        .wait()
        .unwrap();
    let shifts = store
        .shifts_on(f.grid.clone(), gridbook::Date::parse("2026-01-05").unwrap())
        .wait()
        .unwrap();
    assert_eq!(shifts[0].id, id);
    assert_eq!(
        (shifts[0].starts.to_string(), shifts[0].ends.to_string()),
        ("19:00".to_string(), "21:30".to_string())
    );
}

#[test]
fn core_errors_map_to_their_variants() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w-zhang");
    let error = store.household("no-such-id".into()).wait().err().unwrap();
    assert!(
        matches!(&error, GridbookError::NotFound { kind: RecordKind::Household, id } if id == "no-such-id")
    );
    let error = store.import_changes(vec![1, 2, 3]).wait().unwrap_err();
    assert!(
        matches!(error, GridbookError::MalformedChanges { .. }),
        "{error:?}"
    );
    drop(store);
    let path = dir.path().join("w-zhang.db").to_string_lossy().into_owned();
    let error = Store::open(path, identity("w-li"), None)
        .wait()
        .err()
        .unwrap();
    assert!(
        matches!(error, GridbookError::WorkerMismatch { .. }),
        "{error:?}"
    );
}

#[test]
fn another_workers_token_is_a_worker_mismatch_and_nothing_is_vouched_before_a_sync() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w-zhang");
    assert_eq!(store.vouched_identity().wait().unwrap(), None);
    let error: GridbookError = gridbook::Error::TokenOfAnotherWorker.into();
    assert!(
        matches!(error, GridbookError::WorkerMismatch { .. }),
        "{error:?}"
    );
    let error: GridbookError = SyncError::Store(gridbook::Error::TokenOfAnotherWorker).into();
    assert!(
        matches!(error, GridbookError::WorkerMismatch { .. }),
        "{error:?}"
    );
}

#[test]
fn a_wrong_key_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.db").to_string_lossy().into_owned();
    let key = |fill: u8| {
        Some(gridbook::StoreKey::Raw {
            bytes: vec![fill; 32],
        })
    };
    let store = Store::open(path.clone(), identity("w-zhang"), key(1))
        .wait()
        .unwrap();
    fixture(&store);
    drop(store);
    let error = Store::open(path.clone(), identity("w-zhang"), key(2))
        .wait()
        .err()
        .unwrap();
    assert!(
        matches!(error, GridbookError::NotADatabase { .. }),
        "{error:?}"
    );
    let store = Store::open(path, identity("w-zhang"), key(1))
        .wait()
        .unwrap();
    assert_eq!(store.grids().wait().unwrap().len(), 1);
}

#[test]
fn sync_errors_map_to_their_variants() {
    type Expected = fn(&GridbookError) -> bool;
    let cases: Vec<(SyncError, Expected)> = vec![
        (SyncError::Unauthorized, |e| {
            matches!(e, GridbookError::Unauthorized { .. })
        }),
        (SyncError::Cancelled, |e| {
            matches!(e, GridbookError::Cancelled { .. })
        }),
        (
            SyncError::Forbidden("grid".into()),
            |e| matches!(e, GridbookError::Forbidden { detail } if detail == "grid"),
        ),
        (
            SyncError::Rejected {
                status: 413,
                message: "too large".into(),
            },
            |e| matches!(e, GridbookError::Rejected { status: 413, .. }),
        ),
        (SyncError::Unreachable("timeout".into()), |e| {
            matches!(e, GridbookError::Unreachable { .. })
        }),
        (SyncError::Config("url".into()), |e| {
            matches!(e, GridbookError::Config { .. })
        }),
        (SyncError::Store(gridbook::Error::NotADatabase), |e| {
            matches!(e, GridbookError::NotADatabase { .. })
        }),
        (
            SyncError::Protocol(gridbook::sync::ProtocolError::UnsupportedVersion(9)),
            |e| matches!(e, GridbookError::Protocol { .. }),
        ),
    ];
    for (error, expected) in cases {
        let mapped = GridbookError::from(error);
        assert!(expected(&mapped), "{mapped:?}");
    }
}

#[test]
fn care_categories_are_the_core_list() {
    use gridbook::codes::CARE_CATEGORIES;
    assert_eq!(care_categories().len(), CARE_CATEGORIES.len());
    assert_eq!(care_categories()[0].code, CARE_CATEGORIES[0].0);
}

#[test]
fn reads_are_masked_and_a_reveal_is_logged() {
    let (_dir, store, f) = one_worker("w-zhang");
    let id = store
        .create_resident(resident(&f.household))
        .wait()
        .unwrap();
    let shown = store.resident(id.clone()).wait().unwrap();
    assert_eq!(shown.phones, vec!["138****8000".to_string()]);
    let reason = gridbook::RevealReason {
        purpose: gridbook::codes::RevealPurpose::ContactResident,
        note: "回访".into(),
    };
    let full = store.reveal_resident(id, reason).wait().unwrap();
    assert_eq!(full.phones, vec!["13800138000".to_string()]);
    let masked = mask_resident(full);
    assert_eq!(masked.phones, vec!["138****8000".to_string()]);
    let log = store.reveal_log(f.grid.clone()).wait().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].recorded_by, "w-zhang");
}

#[test]
fn changes_exchange_between_stores() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (open(&dir, "w-zhang"), open(&dir, "w-li"));
    let f = fixture(&a);
    let set = a.export_since(0).wait().unwrap();
    assert!(set.chunks > 0);
    let report = b.import_changes(set.bytes.clone()).wait().unwrap();
    assert!(report.new_changes + report.new_snapshots > 0);
    assert_eq!(b.roster(f.grid.clone()).wait().unwrap().len(), 1);
    assert_eq!(b.import_changes(set.bytes).wait().unwrap().new_changes, 0);
    assert!(b.conflicts(f.grid).wait().unwrap().is_empty());
}

struct Recorder(Mutex<Vec<SyncProgress>>);

impl SyncListener for Recorder {
    fn on_progress(&self, progress: SyncProgress) -> Result<(), ListenerError> {
        self.0.lock().unwrap().push(progress);
        Ok(())
    }
}

/// A listener that fails at its first call, as a Kotlin one that throws.
struct Thrower(Mutex<u32>);

impl SyncListener for Thrower {
    fn on_progress(&self, _: SyncProgress) -> Result<(), ListenerError> {
        *self.0.lock().unwrap() += 1;
        Err(uniffi::UnexpectedUniFFICallbackError::new("a resident's name").into())
    }
}

fn server(url: &str) -> SyncServer {
    SyncServer {
        url: url.into(),
        token: "token".into(),
        settings: SyncSettings {
            max_attempts: 1,
            ..default_sync_settings()
        },
    }
}

#[test]
fn a_bad_server_is_config_and_a_cancelled_sync_stops_before_its_first_request() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w-zhang");
    let error = store
        .sync(server("ftp://example.invalid"), None)
        .wait()
        .unwrap_err();
    assert!(matches!(error, GridbookError::Config { .. }), "{error:?}");

    // Cancelling the future before it is polled: the drop guard cancels its token.
    drop(store.sync(server("http://127.0.0.1:9"), None));
    let listener = Arc::new(Recorder(Mutex::new(vec![])));
    // cancelSync while the sync waits for its turn: it never sends a request.
    let syncs = Arc::clone(&store.syncs);
    let turn = syncs.turn.lock().unwrap();
    let call = std::thread::spawn({
        let (store, listener) = (Arc::clone(&store), listener.clone());
        move || {
            store
                .sync(server("http://127.0.0.1:9"), Some(listener))
                .wait()
        }
    });
    while syncs.started.lock().unwrap().is_empty() {
        std::thread::yield_now();
    }
    store.cancel_sync();
    drop(turn);
    let error = call.join().unwrap().unwrap_err();
    assert!(
        matches!(error, GridbookError::Cancelled { .. }),
        "{error:?}"
    );
    assert!(listener.0.lock().unwrap().is_empty());
    assert!(syncs.started.lock().unwrap().is_empty());
}

#[test]
fn a_listener_that_fails_stops_the_sync_with_listener_failed() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w-zhang");
    let listener = Arc::new(Thrower(Mutex::new(0)));
    // Port 9 refuses at once; the first progress (before any request) fails.
    let error = store
        .sync(server("http://127.0.0.1:9"), Some(listener.clone()))
        .wait()
        .unwrap_err();
    match error {
        GridbookError::ListenerFailed { listener } => {
            assert_eq!(listener, "SyncListener.onProgress")
        }
        other => panic!("expected ListenerFailed, got {other:?}"),
    }
    assert_eq!(*listener.0.lock().unwrap(), 1, "not called again");
}

#[test]
fn visits_due_forwards_the_policy_and_names_a_bad_interval() {
    let (_dir, store, f) = one_worker("w-zhang");
    store
        .create_resident(resident(&f.household))
        .wait()
        .unwrap();
    let today = gridbook::Timestamp {
        utc_ms: now().utc_ms,
        offset_minutes: 480,
    }
    .local_date();

    let due = store
        .visits_due(f.grid.clone(), today, None)
        .wait()
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].household.id, f.household);
    assert_eq!(due[0].care_categories, ["elderly_alone"]);
    assert_eq!(due[0].interval_days, 7);
    assert_eq!((due[0].due_on, due[0].days_overdue), (None, 0));

    let policy = default_visit_policy();
    assert_eq!(policy.category_interval_days["elderly_alone"], 7);
    assert_eq!(policy.general_interval_days, Some(90));
    let care_only = VisitPolicy {
        general_interval_days: None,
        category_interval_days: [("disabled".to_string(), 30)].into(),
    };
    assert!(
        store
            .visits_due(f.grid.clone(), today, Some(care_only))
            .wait()
            .unwrap()
            .is_empty()
    );

    let error = store
        .visits_due(
            f.grid,
            today,
            Some(VisitPolicy {
                general_interval_days: Some(0),
                category_interval_days: Default::default(),
            }),
        )
        .wait()
        .err()
        .unwrap();
    assert!(
        matches!(&error, GridbookError::Invalid { field, reason: InvalidReason::OutOfRange } if field == "generalIntervalDays"),
        "{error:?}"
    );
}

#[test]
fn sync_settings_default_to_the_core_and_bad_ones_name_the_setting() {
    let settings = default_sync_settings();
    assert_eq!(
        (
            settings.connect_timeout_ms,
            settings.request_timeout_ms,
            settings.max_attempts
        ),
        (10_000, 60_000, 5)
    );
    assert_eq!(
        (settings.initial_backoff_ms, settings.max_backoff_ms),
        (500, 30_000)
    );
    assert_eq!(
        (settings.max_push_bytes, settings.max_response_bytes),
        (1 << 20, 4 << 20)
    );
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w-zhang");
    let refused = |settings: SyncSettings| match store
        .sync(
            SyncServer {
                url: "https://sync.example.org".into(),
                token: "t".into(),
                settings,
            },
            None,
        )
        .wait()
    {
        Err(GridbookError::Config { detail }) => detail,
        other => panic!("expected Config, got {other:?}"),
    };
    let detail = refused(SyncSettings {
        max_attempts: 0,
        ..settings.clone()
    });
    assert!(detail.contains("max_attempts"), "{detail}");
    let detail = refused(SyncSettings {
        request_timeout_ms: 0,
        ..settings.clone()
    });
    assert!(detail.contains("request_timeout"), "{detail}");
    let detail = refused(SyncSettings {
        extra_root_certificate_pem: Some(b"not a certificate".to_vec()),
        ..settings
    });
    assert!(detail.contains("certificate"), "{detail}");
}

#[test]
fn labels_and_name_masking_come_from_the_core() {
    assert_eq!(visit_outcome_label(VisitOutcome::NobodyHome), "无人在家");
    assert_eq!(dwelling_use_label(DwellingUse::Rented), "出租");
    assert_eq!(worker_role_label(WorkerRole::BuildingHead), "楼栋长");
    assert_eq!(resolution_label(Resolution::Open), "待跟进");
    assert_eq!(
        mask_name("王秀英".into()),
        gridbook::validate::mask_name("王秀英")
    );
    assert!(!mask_name("王秀英".into()).contains("秀英"));
}

#[test]
fn open_with_options_compact_and_rebuild_keep_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db").to_string_lossy().into_owned();
    let options = StoreOptions {
        key: Some(gridbook::StoreKey::Passphrase {
            text: "secret".into(),
        }),
        compact_after_changes: 4,
        ..default_store_options()
    };
    assert_eq!(default_store_options().local_offset_minutes, 480);
    let store = Store::open_with_options(path.clone(), identity("w-zhang"), options.clone())
        .wait()
        .unwrap();
    let f = fixture(&store);
    store
        .create_resident(resident(&f.household))
        .wait()
        .unwrap();
    let roster = store.roster(f.grid.clone()).wait().unwrap();
    store.compact().wait().unwrap();
    store.rebuild_query_tables().wait().unwrap();
    assert!(roster == store.roster(f.grid.clone()).wait().unwrap());
    assert_eq!(
        store.today().wait(),
        gridbook::Date::today(480),
        "today in the store's offset"
    );
    drop(store);
    // The key was used: opening without it fails.
    let error = Store::open(path.clone(), identity("w-zhang"), None)
        .wait()
        .err()
        .unwrap();
    assert!(
        matches!(error, GridbookError::NotADatabase { .. }),
        "{error:?}"
    );

    let error = Store::open_with_options(
        path,
        identity("w-zhang"),
        StoreOptions {
            compact_after_changes: 0,
            ..options
        },
    )
    .wait()
    .err()
    .unwrap();
    assert!(
        matches!(&error, GridbookError::Invalid { field, reason: InvalidReason::OutOfRange } if field == "compactAfterChanges"),
        "{error:?}"
    );
}

/// The smallest complete JPEG: SOI, JFIF, tables, scan, EOI.
fn tiny_jpeg() -> Vec<u8> {
    let segment = |marker: u8, payload: &[u8]| {
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(payload);
        out
    };
    let mut out = vec![0xFF, 0xD8];
    out.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    out.extend(segment(0xDB, &[[0u8].as_slice(), &[1; 64]].concat()));
    out.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
    let mut huffman = vec![0u8, 1];
    huffman.extend([0; 15]);
    huffman.push(0);
    out.extend(segment(0xC4, &huffman));
    huffman[0] = 0x10;
    out.extend(segment(0xC4, &huffman));
    out.extend([
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x3F, 0xFF, 0xD9,
    ]);
    out
}

#[test]
fn download_photo_answers_a_held_photo_without_a_request_and_fails_typed_otherwise() {
    let (_dir, store, f) = one_worker("w-zhang");
    let held = store.add_photo(f.grid.clone(), tiny_jpeg()).wait().unwrap();
    // Nothing listens on port 9: a request would fail.
    let again = store
        .download_photo(
            server("http://127.0.0.1:9"),
            f.grid.clone(),
            held.id.clone(),
        )
        .wait()
        .unwrap();
    assert_eq!(again, held);
    let error = store
        .download_photo(server("http://127.0.0.1:9"), f.grid.clone(), "0".repeat(64))
        .wait()
        .unwrap_err();
    assert!(
        matches!(error, GridbookError::Unreachable { .. }),
        "{error:?}"
    );
    let error = store
        .download_photo(server("ftp://example.invalid"), f.grid, "0".repeat(64))
        .wait()
        .unwrap_err();
    assert!(matches!(error, GridbookError::Config { .. }), "{error:?}");
}

#[test]
fn a_self_report_link_becomes_a_qr_code_and_an_empty_one_is_invalid() {
    let svg = self_report_qr_svg("https://grid.example.cn/r/abc".into()).unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains("<svg"));
    let error = self_report_qr_svg(" ".into()).unwrap_err();
    assert!(
        matches!(&error, GridbookError::Invalid { field, reason: InvalidReason::Empty, .. } if field == "url"),
        "{error:?}"
    );
}

#[test]
fn the_review_queue_is_empty_until_pulled_and_an_unknown_report_is_invalid() {
    let (_dir, store, f) = one_worker("w1");
    assert_eq!(store.self_reports(f.grid).wait().unwrap(), vec![]);
    for error in [
        store
            .reject_self_report("no-such-report".into())
            .wait()
            .unwrap_err(),
        store
            .accept_self_report("no-such-report".into())
            .wait()
            .map(|_| ())
            .unwrap_err(),
    ] {
        assert!(
            matches!(&error, GridbookError::Invalid { field, reason: InvalidReason::UnknownCode } if field == "reportId"),
            "{error:?}"
        );
    }
}
