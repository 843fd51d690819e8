//! A department (报到单位) that grid events are dispatched to: a worker with
//! an events-only assignment (`admin assign --scope events`), through the
//! real `gridbook-server` binary and real phone stores, on SQLite and on
//! PostgreSQL. It receives no roster and no visit (not in any response, not
//! in its store's file), its cursor passes the grid's whole log, a push of
//! a roster change is refused with 403 and stores nothing, it cannot create
//! a grid, and widening its scope to `all` makes its phone start the grid
//! over and receive the roster.
//!
//!
//! And the work it is there for: a grid head reports an event and
//! dispatches it to the department, which receives the event's document and
//! nothing else, takes and resolves it from its own phone (which never
//! writes the roster, so its pushes pass the scope), and the grid head's
//! phone sees the steps.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::ServerProcess;
use gridbook::codes::{
    DwellingUse, Gender, Registration, ResidenceState, VisitKind, VisitOutcome, WorkerRole,
};
use gridbook::codes::{EventSource, EventStatus, StepAction, Urgency};
use gridbook::sync::{GridRefusal, SyncLimits, SyncRequest, SyncResponse};
use gridbook::{
    BuildingInput, EventInput, EventStepInput, GridInput, HouseholdInput, LocalCategoryInput,
    PointsAward, ResidentInput, Store, TeamMember, TimeLimit, Timestamp, VisitInput,
    WhistleLevelInput, WorkerIdentity,
};
use gridbook_server::storage::Stats;

const DEPARTMENT: &str = "w-fangguan";

/// Invented residents: (name, phone, ID number with a valid check character).
const RESIDENTS: [(&str, &str, &str); 2] = [
    ("欧阳秀珍", "13905710231", "330106194103150246"),
    ("司马建国", "13857104466", "330106198506020516"),
];

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

fn post(url: &str, token: &str, request: &SyncRequest) -> (u16, Vec<u8>) {
    let response = client()
        .post(format!("{url}{}", gridbook::sync::SYNC_PATH))
        .header("content-type", gridbook::sync::CONTENT_TYPE)
        .bearer_auth(token)
        .body(request.encode())
        .send()
        .unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().unwrap().to_vec())
}

/// Syncs until nothing is left; returns every response, decoded.
fn sync_all(url: &str, token: &str, store: &Store) -> Vec<SyncResponse> {
    let mut responses = Vec::new();
    for _ in 0..50 {
        let request = store.sync_request(&SyncLimits::default()).unwrap();
        let (status, body) = post(url, token, &request);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let response = SyncResponse::decode(&body).unwrap();
        let applied = store.apply_sync_response(&request, &response).unwrap();
        responses.push(response);
        if !applied.more {
            return responses;
        }
    }
    panic!("sync did not finish in 50 rounds");
}

/// The document ids of every chunk of `responses`.
fn doc_ids(responses: &[SyncResponse]) -> Vec<String> {
    responses
        .iter()
        .flat_map(|r| &r.grids)
        .flat_map(|p| &p.chunks)
        .map(|c| c.doc_id.clone())
        .collect()
}

fn open_store(dir: &Path, worker_id: &str, role: WorkerRole) -> Store {
    Store::open(
        dir.join("phone.db"),
        WorkerIdentity {
            worker_id: worker_id.into(),
            name: "测试员".into(),
            role,
            device_label: "测试手机".into(),
        },
    )
    .unwrap()
}

/// The bytes of a store's files as they lie on disk (the store is opened
/// without a key, so they are plain): the database and its write-ahead log.
fn file_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["phone.db", "phone.db-wal"] {
        let path: PathBuf = dir.join(name);
        if path.exists() {
            all.extend(std::fs::read(path).unwrap());
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The residents' personal data found in a store's files.
fn personal_data_in(dir: &Path) -> Vec<&'static str> {
    let bytes = file_bytes(dir);
    RESIDENTS
        .iter()
        .flat_map(|(name, phone, id)| [*name, *phone, *id])
        .filter(|needle| contains(&bytes, needle))
        .collect()
}

/// The grid head's phone: a grid with buildings, a household, two residents
/// and a visit.
fn the_grid_heads_grid(head: &Store) -> String {
    let grid = head
        .create_grid(GridInput {
            code: "330106001002003".into(),
            name: "梧桐里网格".into(),
            community: Some("梧桐里社区".into()),
            street: None,
            boundary: None,
        })
        .unwrap();
    let mut building = String::new();
    for number in ["1栋", "2栋"] {
        building = head
            .create_building(
                &grid,
                BuildingInput {
                    number: number.into(),
                    estate: None,
                    units: 2,
                    floors: 6,
                    location: None,
                },
            )
            .unwrap();
    }
    let household = head
        .create_household(HouseholdInput {
            building_id: building,
            unit: "1".into(),
            floor: 2,
            room: "201".into(),
            use_kind: DwellingUse::OwnerOccupied,
            tags: vec![],
            location: None,
            notes: None,
        })
        .unwrap();
    let mut seen = Vec::new();
    for (name, phone, id_number) in RESIDENTS {
        seen.push(
            head.create_resident(ResidentInput {
                household_id: household.clone(),
                name: name.into(),
                gender: Gender::Female,
                birth_date: None,
                id_number: Some(id_number.into()),
                phones: vec![phone.into()],
                relation: "02".into(),
                registration: Registration::Local,
                residence_state: ResidenceState::Consistent,
                care: vec![],
                moved_in: None,
            })
            .unwrap(),
        );
    }
    head.log_visit(VisitInput {
        household_id: household,
        at: Timestamp {
            utc_ms: 1_792_029_600_000, // 2026-10-15 10:00 in China
            offset_minutes: 480,
        },
        kind: VisitKind::Routine,
        outcome: VisitOutcome::Met,
        residents_seen: seen,
        notes: None,
        findings: vec![],
        gps: None,
    })
    .unwrap();
    grid
}

/// Adds the grid head `w1` and the department (with `department_args`),
/// and issues a device token to each: (grid head's, department's).
fn grid_head_and_department(
    data: &Path,
    extra: &[&str],
    department_args: &[&str],
) -> (String, String) {
    let token = |worker: &str| {
        common::admin(
            data,
            extra,
            &["issue-token", "--worker", worker, "--device", "手机"],
        )
        .lines()
        .find_map(|l| l.strip_prefix("token "))
        .unwrap()
        .to_string()
    };
    common::add_worker(
        data,
        extra,
        "w1",
        "王芳",
        &["--role", "grid_head", "--can-create-grids"],
    );
    common::add_worker(data, extra, DEPARTMENT, "街道房管所", department_args);
    (token("w1"), token(DEPARTMENT))
}

/// The whole story on one backend: `extra` selects it (`--postgres CONN`
/// or nothing), `stats` reads the server's row counts.
fn a_department_gets_events_only(data: &Path, extra: &[&str], stats: &dyn Fn() -> Stats) {
    let admin = |args: &[&str]| common::admin(data, extra, args);
    let (head_token, department_token) = grid_head_and_department(data, extra, &[]);
    let mut args = vec!["--listen", "127.0.0.1:0", "--compact-after", "5"];
    args.extend_from_slice(extra);
    let server = ServerProcess::start(data, &args);
    let url = server.url.as_str();

    let head_dir = tempfile::tempdir().unwrap();
    let head = open_store(head_dir.path(), "w1", WorkerRole::GridHead);
    let grid = the_grid_heads_grid(&head);
    sync_all(url, &head_token, &head);
    // The roster as compacted snapshots and as log rows after them: a
    // department's bootstrap must leave out both.
    let deadline = Instant::now() + Duration::from_secs(20);
    while stats().snapshots == 0 {
        assert!(Instant::now() < deadline, "no compaction within 20 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    head.update_building(
        &head.buildings(&grid).unwrap()[0].id,
        BuildingInput {
            number: "1栋".into(),
            estate: Some("梧桐小区".into()),
            units: 2,
            floors: 6,
            location: None,
        },
    )
    .unwrap();
    sync_all(url, &head_token, &head);
    let last_seq = stats().changes;
    assert_eq!(head.sync_cursor(&grid).unwrap(), last_seq);
    assert!(
        personal_data_in(head_dir.path()).len() == 6,
        "the search finds the residents in a store that holds them"
    );

    let out = admin(&[
        "assign", "--worker", DEPARTMENT, "--grid", &grid, "--scope", "events",
    ]);
    assert!(out.contains("(scope events)"), "{out}");
    let listing = admin(&["list"]);
    assert!(
        listing.contains(&format!("workers {DEPARTMENT}(events),w1")),
        "{listing}"
    );
    let json: serde_json::Value = serde_json::from_str(&admin(&["list", "--json"])).unwrap();
    assert_eq!(json["grids"][0]["scopes"][DEPARTMENT], "events");
    assert_eq!(json["grids"][0]["scopes"]["w1"], "all");

    // The department's first sync: no roster, no visit, and its cursor at
    // the grid's last position.
    let department_dir = tempfile::tempdir().unwrap();
    let department = open_store(department_dir.path(), DEPARTMENT, WorkerRole::Assistant);
    let before = stats();
    let responses = sync_all(url, &department_token, &department);
    assert_eq!(doc_ids(&responses), Vec::<String>::new());
    let pages: Vec<_> = responses.iter().flat_map(|r| &r.grids).collect();
    assert!(pages.iter().all(|p| p.grid_id == grid), "only its grid");
    assert_eq!(department.sync_cursor(&grid).unwrap(), last_seq);
    // The team names the grid's staff, never a resident.
    let team = &responses.last().unwrap().teams;
    assert_eq!(team.len(), 1);
    let members: Vec<&str> = team[0]
        .workers
        .iter()
        .map(|w| w.worker_id.as_str())
        .collect();
    assert_eq!(members, [DEPARTMENT, "w1"]);
    // A second sync pulls nothing and leaves the cursor where it was.
    let again = sync_all(url, &department_token, &department);
    assert_eq!(again.len(), 1);
    assert_eq!(doc_ids(&again), Vec::<String>::new());
    assert_eq!(department.sync_cursor(&grid).unwrap(), last_seq);
    assert_eq!(
        stats(),
        Stats {
            actors: before.actors + 1,
            ..before
        },
        "its syncs stored nothing but its actor, as any sync binds"
    );
    assert!(department.buildings(&grid).unwrap_or_default().is_empty());
    drop(department);
    assert_eq!(personal_data_in(department_dir.path()), Vec::<&str>::new());

    // A roster change pushed with the department's token (a forged or broken
    // client: its store got the grid from the grid head's change set) is
    // refused whole, and nothing is stored.
    let forger_dir = tempfile::tempdir().unwrap();
    let forger = open_store(forger_dir.path(), DEPARTMENT, WorkerRole::Assistant);
    forger.import(&head.export_since(0).unwrap().bytes).unwrap();
    let building = forger.buildings(&grid).unwrap()[0].clone();
    forger
        .update_building(
            &building.id,
            BuildingInput {
                number: "1栋".into(),
                estate: Some("改过的小区".into()),
                units: 2,
                floors: 6,
                location: None,
            },
        )
        .unwrap();
    let forged = forger.sync_request(&SyncLimits::default()).unwrap();
    assert!(
        forged
            .push
            .iter()
            .any(|p| p.doc_id == format!("roster/{grid}"))
    );
    let before = stats();
    let (status, body) = post(url, &department_token, &forged);
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error["error"], "forbidden");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("assignment does not cover"),
        "{error}"
    );
    assert_eq!(stats(), before, "a refused push stored something");

    // A department may not create grids: its new grid is refused on its own.
    let creator_dir = tempfile::tempdir().unwrap();
    let creator = open_store(creator_dir.path(), DEPARTMENT, WorkerRole::Assistant);
    let own_grid = creator
        .create_grid(GridInput {
            code: "330106001002004".into(),
            name: "新网格".into(),
            community: None,
            street: None,
            boundary: None,
        })
        .unwrap();
    let request = creator.sync_request(&SyncLimits::default()).unwrap();
    let (status, body) = post(url, &department_token, &request);
    assert_eq!(status, 200);
    let refused = SyncResponse::decode(&body).unwrap().refused;
    assert_eq!(refused.len(), 1);
    assert_eq!(
        (refused[0].grid_id.as_str(), refused[0].reason),
        (own_grid.as_str(), GridRefusal::MayNotCreate)
    );
    assert_eq!(stats().grids, before.grids);
    assert_eq!(stats().changes, before.changes);

    // Widened to the whole grid: the department's phone is told to start
    // the grid over (its cursor skipped the roster) and then receives it.
    let department = open_store(department_dir.path(), DEPARTMENT, WorkerRole::Assistant);
    assert_eq!(department.sync_cursor(&grid).unwrap(), last_seq);
    let out = admin(&["assign", "--worker", DEPARTMENT, "--grid", &grid]);
    assert!(out.contains("(scope all)"), "{out}");
    let responses = sync_all(url, &department_token, &department);
    let first = &responses[0].grids[0];
    assert_eq!(
        (first.cursor, first.chunks.len(), first.more),
        (0, 0, true),
        "the first answer only moves the cursor back"
    );
    let received = doc_ids(&responses);
    assert!(received.contains(&format!("roster/{grid}")), "{received:?}");
    assert!(
        received
            .iter()
            .any(|d| d.starts_with(&format!("visits/{grid}/"))),
        "{received:?}"
    );
    assert_eq!(department.buildings(&grid).unwrap().len(), 2);
    assert_eq!(department.sync_cursor(&grid).unwrap(), last_seq);
    // Started over once: the next sync is an ordinary one.
    let again = sync_all(url, &department_token, &department);
    assert_eq!(again.len(), 1);
    assert_eq!(doc_ids(&again), Vec::<String>::new());
    drop(department);
    assert_eq!(personal_data_in(department_dir.path()).len(), 6);

    let (status, log) = server.terminate();
    assert!(status.success());
    for (name, phone, id_number) in RESIDENTS {
        assert!(
            !log.contains(name) && !log.contains(phone) && !log.contains(id_number),
            "{log}"
        );
    }
}

#[test]
fn a_department_gets_events_only_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    a_department_gets_events_only(data, &[], &|| common::sqlite_stats(data));
}

#[test]
fn a_department_gets_events_only_on_postgres() {
    // One runtime for every PostgreSQL call: the pool's connections live on it.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(common::TestDb::create());
    let dir = tempfile::tempdir().unwrap();
    let pg = ["--postgres", db.conn.as_str()];
    // The server's schema is made by the first admin command; the storage
    // that reads the counts connects after it.
    common::add_worker(dir.path(), &pg, "w0", "管理员", &[]);
    let storage = rt
        .block_on(gridbook_server::PostgresStorage::connect(&db.conn))
        .unwrap();
    let stats = || {
        rt.block_on(gridbook_server::Storage::stats(&storage))
            .unwrap()
    };
    a_department_gets_events_only(dir.path(), &pg, &stats);
    drop(storage);
    rt.block_on(db.drop_db());
}

/// A step at `minute` minutes after a fixed start, in the grid's offset.
/// A 1×1 PNG, as a camera app might hand over a photo of the repaired lane.
const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn event_step(
    event_id: &str,
    action: StepAction,
    minute: i64,
    assignee: Option<&str>,
) -> EventStepInput {
    EventStepInput {
        event_id: event_id.into(),
        action,
        at: Timestamp {
            utc_ms: 1_792_029_600_000 + minute * 60_000,
            offset_minutes: 480,
        },
        comment: None,
        photos: vec![],
        assignee: assignee.map(str::to_string),
        level: None,
        extension: None,
        satisfaction: None,
    }
}

/// The department handles an event dispatched to it, on one backend.
fn a_department_handles_its_event(data: &Path, extra: &[&str]) {
    let admin = |args: &[&str]| common::admin(data, extra, args);
    let (head_token, department_token) =
        grid_head_and_department(data, extra, &["--role", "department"]);
    let mut args = vec!["--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let server = ServerProcess::start(data, &args);
    let url = server.url.as_str();

    let head_dir = tempfile::tempdir().unwrap();
    let head = open_store(head_dir.path(), "w1", WorkerRole::GridHead);
    let grid = the_grid_heads_grid(&head);
    let event = head
        .report_event(EventInput {
            grid_id: grid.clone(),
            category: "fire_lane_blocked".into(),
            description: "2栋东侧消防通道被杂物堵塞".into(),
            urgency: Urgency::Urgent,
            building_id: None,
            household_id: None,
            gps: None,
            address: Some("梧桐里2栋东侧".into()),
            source: EventSource::DoorKnocking,
            source_record_id: None,
            residents_involved: vec![],
            at: event_step("", StepAction::Accept, 0, None).at,
            photos: vec![],
        })
        .unwrap();
    head.take_event_step(event_step(&event, StepAction::Accept, 1, None))
        .unwrap();
    head.take_event_step(event_step(
        &event,
        StepAction::Dispatch,
        2,
        Some(DEPARTMENT),
    ))
    .unwrap();
    // The grid's own names: the department reads the ones the grid uses.
    head.set_whistle_level(WhistleLevelInput {
        grid_id: grid.clone(),
        rank: 2,
        name: "街道哨".into(),
        handled_by: "街道房管所".into(),
        supervised: false,
        default_assignee: Some(DEPARTMENT.into()),
    })
    .unwrap();
    head.define_event_category(LocalCategoryInput {
        grid_id: grid.clone(),
        code: "local_pothole".into(),
        name: "路面坑洼".into(),
        group_code: "local_roads".into(),
        group_name: "道路交通".into(),
        limit: TimeLimit::WorkingDays { days: 5 },
        close_condition: "坑洼填平".into(),
        initial_level: 1,
    })
    .unwrap();
    // Volunteer points are the grid's own: the department never receives them.
    head.create_patrol_team(
        &grid,
        "夜巡队",
        vec![TeamMember {
            member_id: "v-1".into(),
            name: "赵师傅".into(),
        }],
    )
    .unwrap();
    head.award_points(PointsAward {
        grid_id: grid.clone(),
        volunteer_id: "v-1".into(),
        points: 3,
        reason: "清理楼道".into(),
        on: head.today(),
    })
    .unwrap();
    sync_all(url, &head_token, &head);
    assert_eq!(
        head.sync_status().unwrap().unsent_changes,
        0,
        "the server took the award"
    );
    admin(&[
        "assign", "--worker", DEPARTMENT, "--grid", &grid, "--scope", "events",
    ]);

    let department_dir = tempfile::tempdir().unwrap();
    let department = open_store(department_dir.path(), DEPARTMENT, WorkerRole::Department);
    let received = doc_ids(&sync_all(url, &department_token, &department));
    assert!(!received.is_empty(), "the event's document arrives");
    assert!(
        received
            .iter()
            .all(|d| d.starts_with(&format!("events/{grid}/"))
                || *d == format!("event_settings/{grid}")),
        "{received:?}"
    );
    assert!(received.contains(&format!("event_settings/{grid}")));
    assert_eq!(
        department.whistle_levels(&grid).unwrap(),
        head.whistle_levels(&grid).unwrap()
    );
    assert_eq!(
        department.whistle_levels(&grid).unwrap().levels[1].name,
        "街道哨"
    );
    assert_eq!(
        department.event_categories(&grid).unwrap(),
        head.event_categories(&grid).unwrap()
    );
    let assigned = department.events_assigned_to(DEPARTMENT).unwrap();
    assert_eq!(
        assigned.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        [event.as_str()]
    );
    assert_eq!(assigned[0].address.as_deref(), Some("梧桐里2栋东侧"));
    department
        .take_event_step(event_step(&event, StepAction::Take, 3, None))
        .unwrap();
    // Its store holds the grid's events, never the grid's record, and it
    // attaches the photo of its work there.
    assert!(department.grids().unwrap().is_empty());
    let photo = department.add_photo(&grid, TINY_PNG).unwrap();
    department
        .take_event_step(EventStepInput {
            photos: vec![photo.id.clone()],
            ..event_step(&event, StepAction::Resolve, 4, None)
        })
        .unwrap();
    // Its pushes hold the event's document only: no roster registration.
    let request = department.sync_request(&SyncLimits::default()).unwrap();
    assert!(!request.push.is_empty());
    assert!(
        request
            .push
            .iter()
            .all(|c| c.doc_id.starts_with(&format!("events/{grid}/"))),
        "{:?}",
        request.push.iter().map(|c| &c.doc_id).collect::<Vec<_>>()
    );
    sync_all(url, &department_token, &department);
    assert_eq!(department.sync_status().unwrap().unsent_changes, 0);

    sync_all(url, &head_token, &head);
    let handled = head.event(&event).unwrap();
    assert_eq!(handled.status, EventStatus::Resolved);
    assert_eq!(handled.steps.last().unwrap().photos, vec![photo.id.clone()]);
    assert_eq!(
        handled
            .steps
            .iter()
            .map(|s| (s.action, s.worker_id.as_str()))
            .collect::<Vec<_>>(),
        [
            (StepAction::Accept, "w1"),
            (StepAction::Dispatch, "w1"),
            (StepAction::Take, DEPARTMENT),
            (StepAction::Resolve, DEPARTMENT),
        ]
    );
    drop(department);
    assert_eq!(personal_data_in(department_dir.path()), Vec::<&str>::new());
    let (status, _) = server.terminate();
    assert!(status.success());
}

#[test]
fn a_department_handles_its_event_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_department_handles_its_event(dir.path(), &[]);
}

#[test]
fn a_department_handles_its_event_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(common::TestDb::create());
    let dir = tempfile::tempdir().unwrap();
    let pg = ["--postgres", db.conn.as_str()];
    a_department_handles_its_event(dir.path(), &pg);
    rt.block_on(db.drop_db());
}
