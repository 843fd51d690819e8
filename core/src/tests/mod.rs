//! Tests of the store through its public API: edits, queries, merges,
//! conflicts, bad input and the file format. Helpers shared by the test
//! modules live here; add a module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod address_search;
mod architecture;
mod authorship;
mod bad_input;
mod calendar;
mod codes;
mod coverage;
mod deadlines;
mod event_settings;
mod events;
mod events_merge;
mod events_refusals;
mod export_activity;
mod export_roster;
mod gps_review;
mod grid_map;
mod grid_summary;
mod hostile_push;
mod import_files;
mod import_matching;
mod import_roster;
mod inputs;
mod merge;
mod migrations;
mod notify;
mod photo_formats;
mod photo_heic;
mod photo_jpeg;
mod photo_props;
mod photo_samples;
mod photo_store;
mod photos;
mod pinyin_search;
mod points;
mod points_merge;
mod reveal;
mod roster;
mod self_report;
mod signed_counts;
mod store_keys;
mod sync;
mod visit_plan;
mod vouched;
mod walking_route;

use crate::codes::*;
use crate::*;

pub(crate) fn identity(worker: &str) -> WorkerIdentity {
    WorkerIdentity {
        worker_id: worker.to_string(),
        name: format!("{worker} name"),
        role: WorkerRole::Assistant,
        device_label: format!("{worker} phone"),
    }
}

pub(crate) fn open(dir: &tempfile::TempDir, worker: &str) -> Store {
    Store::open(dir.path().join(format!("{worker}.db")), identity(worker)).unwrap()
}

/// Sends everything `from` has to `to`.
pub(crate) fn send(from: &Store, to: &Store) {
    let set = from.export_since(0).unwrap();
    to.import(&set.bytes).unwrap();
}

pub(crate) fn sync_pair(a: &Store, b: &Store) {
    send(a, b);
    send(b, a);
}

pub(crate) struct Fixture {
    pub grid: String,
    pub building: String,
    pub household: String,
    pub head: String,
}

pub(crate) fn grid_input() -> GridInput {
    GridInput {
        code: "330106001001001".into(),
        name: "文新一网格".into(),
        community: Some("文新社区".into()),
        street: Some("文新街道".into()),
        boundary: None,
    }
}

pub(crate) fn building_input(number: &str) -> BuildingInput {
    BuildingInput {
        number: number.into(),
        estate: Some("幸福小区".into()),
        units: 2,
        floors: 6,
        location: Some(GeoPoint {
            lon: 120.1,
            lat: 30.28,
        }),
    }
}

pub(crate) fn household_input(building: &str, room: &str) -> HouseholdInput {
    HouseholdInput {
        building_id: building.into(),
        unit: "1".into(),
        floor: 5,
        room: room.into(),
        use_kind: DwellingUse::OwnerOccupied,
        tags: vec![],
        location: None,
        notes: None,
    }
}

pub(crate) fn resident_input(household: &str, name: &str) -> ResidentInput {
    ResidentInput {
        household_id: household.into(),
        name: name.into(),
        gender: Gender::Female,
        birth_date: Some(Date::new(1949, 12, 31).unwrap()),
        id_number: Some("11010519491231002X".into()),
        phones: vec!["13800138000".into()],
        relation: "02".into(),
        registration: Registration::Local,
        residence_state: ResidenceState::Consistent,
        care: vec!["elderly_alone".into()],
        moved_in: None,
    }
}

pub(crate) fn now_local() -> Timestamp {
    Timestamp {
        utc_ms: crate::values::now_ms() - 60_000,
        offset_minutes: 480,
    }
}

pub(crate) fn visit_input(household: &str) -> VisitInput {
    VisitInput {
        household_id: household.into(),
        at: now_local(),
        kind: VisitKind::Routine,
        outcome: VisitOutcome::Met,
        residents_seen: vec![],
        notes: Some("身体状况良好".into()),
        findings: vec![],
        gps: Some(GpsFix {
            point: GeoPoint {
                lon: 120.1,
                lat: 30.28,
            },
            accuracy_m: 8.0,
        }),
    }
}

/// A fresh directory with one worker's store holding the [`fixture`]; the
/// directory lives as long as the returned handle.
pub(crate) fn one_worker(worker: &str) -> (tempfile::TempDir, Store, Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, worker);
    let f = fixture(&store);
    (dir, store, f)
}

/// A fresh directory with the grid head's store holding the [`fixture`] and
/// an assistant's empty store, not yet synced.
pub(crate) fn head_and_assistant() -> (tempfile::TempDir, Store, Store, Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir, "head");
    let b = open(&dir, "assistant");
    let f = fixture(&a);
    (dir, a, b, f)
}

/// A patrol shift of `team` on `date` from `starts` to `ends` (`(hour, minute)`)
/// along `route`.
pub(crate) fn shift_input(
    team: &str,
    date: crate::Date,
    starts: (u8, u8),
    ends: (u8, u8),
    route: &[&str],
) -> ShiftInput {
    ShiftInput {
        team_id: team.to_string(),
        date,
        starts: crate::TimeOfDay::new(starts.0, starts.1).unwrap(),
        ends: crate::TimeOfDay::new(ends.0, ends.1).unwrap(),
        route: route.iter().map(|stop| stop.to_string()).collect(),
    }
}

/// Appoints `person` head of `building` from `starts_on` (`(year, month,
/// day)`); returns the appointment's id.
pub(crate) fn appoint_head(
    store: &Store,
    building: &str,
    person: HeadPerson,
    (year, month, day): (i32, u8, u8),
) -> String {
    let starts_on = crate::Date::new(year, month, day).unwrap();
    store
        .appoint_building_head(building, person, starts_on)
        .unwrap()
}

pub(crate) fn fixture(store: &Store) -> Fixture {
    let grid = store.create_grid(grid_input()).unwrap();
    let building = store.create_building(&grid, building_input("3栋")).unwrap();
    let household = store
        .create_household(household_input(&building, "502"))
        .unwrap();
    let head = store
        .create_resident(resident_input(&household, "张秀英"))
        .unwrap();
    Fixture {
        grid,
        building,
        household,
        head,
    }
}

/// Rows of every query table must equal what a rebuild from the documents gives.
pub(crate) fn assert_rebuild_matches(store: &Store) {
    let before = store.query_table_dump().unwrap();
    store.rebuild().unwrap();
    assert_eq!(before, store.query_table_dump().unwrap());
}

pub(crate) fn chunk_count(store: &Store) -> i64 {
    store
        .read(|conn| Ok(conn.query_row("SELECT count(*) FROM chunks", [], |r| r.get(0))?))
        .unwrap()
}
