//! No personal data in logs: the core's and the server's log lines of a
//! whole day's work hold no resident's name, ID number or phone.
//!
//! A capturing subscriber takes every event the core emits, at every level,
//! while a grid head's phone enters residents with recognisable values,
//! runs into the error paths with bad ones (a wrong check digit, a bad phone,
//! a refused reveal, a roster file with a bad row, a file that is no
//! spreadsheet, a malformed change set), imports a roster, reveals a
//! resident, exports unmasked, and syncs through a real `gridbook-server`
//! that logs at debug level into a file; a second phone pulls everything.
//! Then neither log may contain any of the values, and both must hold the
//! events the run caused (so that a silent logger cannot pass).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::server::{Backend, ServerProcess};
use common::{Device, client_options};
use gridbook::codes::{
    DwellingUse, Gender, Registration, ResidenceState, RevealPurpose, WorkerRole,
};
use gridbook::{
    BuildingInput, ExportFormat, ExportOptions, GridInput, HouseholdInput, Masking, ResidentInput,
    RevealReason, RosterImportOptions,
};

/// Values no log line may hold.
const NAME: &str = "欧阳秘密";
const ID_NUMBER: &str = "11010519491231002X";
const PHONE: &str = "13987654321";
/// Refused values: a wrong check digit, a phone too short.
const BAD_ID_NUMBER: &str = "110105194912310021";
const BAD_PHONE: &str = "1398765";
/// In the imported roster.
const IMPORTED_NAME: &str = "司马隐私";
const IMPORTED_ID: &str = "440304197508081231";
const IMPORTED_PHONE: &str = "13612349876";
/// In the imported roster's bad row (wrong check digit).
const IMPORTED_BAD_ID: &str = "440304197508081232";
/// A note with both kinds of number in it.
const NOTE: &str = "独居，女儿电话13712340000";

/// A writer into a shared buffer, for the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn resident(household: &str, name: &str, id: &str, phone: &str) -> ResidentInput {
    ResidentInput {
        household_id: household.into(),
        name: name.into(),
        gender: Gender::Female,
        birth_date: None,
        id_number: Some(id.into()),
        phones: vec![phone.into()],
        relation: "02".into(),
        registration: Registration::Local,
        residence_state: ResidenceState::Consistent,
        care: vec!["elderly_alone".into()],
        moved_in: None,
    }
}

/// A roster as a grid's spreadsheet holds it: one good row, one with a wrong check digit.
fn roster_csv() -> Vec<u8> {
    format!(
        "姓名,性别,身份证号,联系电话,楼栋,单元,楼层,房号,与户主关系,备注\r\n\
         {IMPORTED_NAME},男,{IMPORTED_ID},{IMPORTED_PHONE},5栋,1,3,301,户主,{NOTE}\r\n\
         {IMPORTED_NAME}二,男,{IMPORTED_BAD_ID},{IMPORTED_PHONE},5栋,1,3,302,户主,\r\n"
    )
    .into_bytes()
}

#[test]
fn a_days_logs_hold_no_personal_data() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();

    let data = tempfile::tempdir().unwrap();
    let server_log = data.path().join("server.log");
    let server = ServerProcess::start_logging_to(
        Backend::Sqlite(data.path().join("server")),
        &[],
        &server_log,
    );
    let url = server.url();
    let head_token = server.enrol("w-head", WorkerRole::GridHead, None, true);
    let dir = tempfile::tempdir().unwrap();
    let head = Device::new(
        dir.path(),
        "w-head",
        WorkerRole::GridHead,
        client_options(&url, &head_token),
    );
    let store = &head.store;

    let grid = store
        .create_grid(GridInput {
            code: "330106001001009".into(),
            name: "文新九网格".into(),
            community: None,
            street: None,
            boundary: None,
        })
        .unwrap();
    let building = store
        .create_building(
            &grid,
            BuildingInput {
                number: "3栋".into(),
                estate: None,
                floors: 6,
                units: 2,
                location: None,
            },
        )
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
            notes: Some(NOTE.into()),
        })
        .unwrap();
    let id = store
        .create_resident(resident(&household, NAME, ID_NUMBER, PHONE))
        .unwrap();

    // The error paths, each with the values in its input.
    assert!(
        store
            .create_resident(resident(&household, NAME, BAD_ID_NUMBER, PHONE))
            .is_err()
    );
    assert!(
        store
            .create_resident(resident(&household, NAME, ID_NUMBER, BAD_PHONE))
            .is_err()
    );
    assert!(
        store
            .update_resident(
                &id,
                resident(&household, &format!("{NAME}\u{7}"), ID_NUMBER, PHONE)
            )
            .is_err()
    );
    let options = RosterImportOptions::default();
    assert!(
        store
            .import_roster(&grid, &roster_csv(), &options, false)
            .is_err()
    );
    let not_a_sheet = format!("%PDF-1.4 {NAME} {ID_NUMBER} {PHONE}").into_bytes();
    assert!(
        store
            .import_roster_dry_run(&grid, &not_a_sheet, &options)
            .is_err()
    );
    assert!(
        store
            .import(format!("{NAME}{ID_NUMBER}").as_bytes())
            .is_err()
    );

    // The good paths.
    let imported = store
        .import_roster(&grid, &roster_csv(), &options, true)
        .unwrap();
    assert_eq!(imported.report.residents_created, 1);
    let reason = RevealReason {
        purpose: RevealPurpose::ContactResident,
        note: "回访独居老人".into(),
    };
    assert_eq!(
        store
            .reveal_resident(&id, reason.clone())
            .unwrap()
            .id_number
            .as_deref(),
        Some(ID_NUMBER)
    );
    let unmasked = ExportOptions {
        masking: Masking::Unmasked { reason },
    };
    let file = store
        .export(&grid, "roster_grid_worker", ExportFormat::Csv, unmasked)
        .unwrap();
    assert!(String::from_utf8(file.bytes).unwrap().contains(ID_NUMBER));
    head.sync(3);
    server.admin(&["assign", "--worker", "w-head", "--grid", &grid]);
    let assistant_token = server.enrol("w-assistant", WorkerRole::Assistant, Some(&grid), false);
    let assistant = Device::new(
        dir.path(),
        "w-assistant",
        WorkerRole::Assistant,
        client_options(&url, &assistant_token),
    );
    assistant.sync(3);
    assert_eq!(
        assistant
            .store
            .reveal_resident(
                &id,
                RevealReason {
                    purpose: RevealPurpose::VerifyIdentity,
                    note: "核实".into(),
                }
            )
            .unwrap()
            .phones,
        vec![PHONE.to_string()]
    );
    assistant.sync(3);
    head.sync(3);
    drop(server);

    let core_log = captured.text();
    let server_log = std::fs::read_to_string(&server_log).unwrap();
    // Each log holds the events the run caused.
    for event in [
        "input refused",
        "roster file refused",
        "roster file read",
        "change set refused",
        "personal data revealed",
        "sync finished",
    ] {
        assert!(
            core_log.contains(event),
            "the core's log lacks {event:?}:\n{core_log}"
        );
    }
    assert!(!server_log.trim().is_empty(), "the server logged nothing");
    let personal = [
        NAME,
        ID_NUMBER,
        PHONE,
        BAD_ID_NUMBER,
        BAD_PHONE,
        IMPORTED_NAME,
        IMPORTED_ID,
        IMPORTED_PHONE,
        IMPORTED_BAD_ID,
        "13712340000",
        // The tail a masked value shows is not the value, but the digits
        // between never appear in a mask.
        "1949123",
        "1975080",
    ];
    for (which, log) in [("core", &core_log), ("server", &server_log)] {
        for value in personal {
            assert!(
                !log.contains(value),
                "the {which}'s log holds a resident's value ({} characters)",
                value.chars().count()
            );
        }
    }
    println!(
        "core log: {} lines; server log: {} lines; none holds any of {} values",
        core_log.lines().count(),
        server_log.lines().count(),
        personal.len()
    );
}
