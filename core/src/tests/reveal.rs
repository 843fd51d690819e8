//! The audited reveal: lists and reads masked, the full ID number and
//! phones only through a reveal with a purpose by an allowed role, each
//! reveal and each unmasked export on the grid's reveal log, which syncs
//! and which only the grid head reads; refusals write nothing.

use super::events::{open_as, sync_all};
use super::*;
use crate::{Error, InvalidReason};

const ID: &str = "11010519491231002X";
const PHONE: &str = "13800138000";

fn reason(note: &str) -> RevealReason {
    RevealReason {
        purpose: RevealPurpose::ContactResident,
        note: note.into(),
    }
}

/// The grid head's store holding the fixture, and stores of the other roles, synced.
struct Team {
    _dir: tempfile::TempDir,
    head: Store,
    assistant: Store,
    police: Store,
    building_head: Store,
    volunteer: Store,
    f: Fixture,
}

fn team() -> Team {
    let dir = tempfile::tempdir().unwrap();
    let head = open_as(&dir, "head", WorkerRole::GridHead);
    let assistant = open_as(&dir, "assistant", WorkerRole::Assistant);
    let police = open_as(&dir, "police", WorkerRole::PoliceOfficer);
    let building_head = open_as(&dir, "bh", WorkerRole::BuildingHead);
    let volunteer = open_as(&dir, "vol", WorkerRole::PatrolVolunteer);
    let f = fixture(&head);
    sync_all(&[&head, &assistant, &police, &building_head, &volunteer]);
    Team {
        _dir: dir,
        head,
        assistant,
        police,
        building_head,
        volunteer,
        f,
    }
}

#[test]
fn reads_are_masked_and_a_reveal_shows_the_full_values_on_the_record() {
    let t = team();
    let shown = t.assistant.resident(&t.f.head).unwrap();
    assert_eq!(shown.id_number.as_deref(), Some("110105********002X"));
    assert_eq!(shown.phones, vec!["138****8000".to_string()]);
    let detail = t.assistant.household(&t.f.household).unwrap();
    assert_eq!(
        detail.members[0].id_number.as_deref(),
        Some("110105********002X")
    );
    assert_eq!(detail.members[0].phones, vec!["138****8000".to_string()]);
    let cared = t
        .assistant
        .residents_by_care(&t.f.grid, "elderly_alone")
        .unwrap();
    assert_eq!(cared[0].phones, vec!["138****8000".to_string()]);

    let full = t
        .assistant
        .reveal_resident(&t.f.head, reason("回访独居老人"))
        .unwrap();
    assert_eq!(full.id_number.as_deref(), Some(ID));
    assert_eq!(full.phones, vec![PHONE.to_string()]);
    assert_eq!(full.name, "张秀英");

    // The police officer may too; each reveal is its own entry.
    let full = t
        .police
        .reveal_resident(
            &t.f.head,
            RevealReason {
                purpose: RevealPurpose::VerifyIdentity,
                note: "派出所协查".into(),
            },
        )
        .unwrap();
    assert_eq!(full.id_number.as_deref(), Some(ID));

    sync_all(&[&t.head, &t.assistant, &t.police]);
    let log = t.head.reveal_log(&t.f.grid).unwrap();
    assert_eq!(log.len(), 2);
    let by_assistant = log.iter().find(|e| e.recorded_by == "assistant").unwrap();
    assert_eq!(by_assistant.subject, RevealSubject::Resident);
    assert_eq!(by_assistant.resident_id, t.f.head);
    assert_eq!(by_assistant.template_id, "");
    assert_eq!(by_assistant.rows, 0);
    assert_eq!(by_assistant.fields, vec!["id_number", "phones"]);
    assert_eq!(by_assistant.purpose, RevealPurpose::ContactResident);
    assert_eq!(by_assistant.note, "回访独居老人");
    assert!(by_assistant.at_ms > 0);
    let by_police = log.iter().find(|e| e.recorded_by == "police").unwrap();
    assert_eq!(by_police.purpose, RevealPurpose::VerifyIdentity);
    assert!(log[0].at_ms >= log[1].at_ms, "newest first");
    assert_rebuild_matches(&t.head);
}

#[test]
fn roles_without_the_right_are_refused_and_nothing_is_logged() {
    let t = team();
    for (store, role) in [
        (&t.building_head, WorkerRole::BuildingHead),
        (&t.volunteer, WorkerRole::PatrolVolunteer),
    ] {
        let before = store.query_table_dump().unwrap();
        match store.reveal_resident(&t.f.head, reason("想看看")) {
            Err(Error::PrivacyRoleMayNot { action, role: r }) => {
                assert_eq!(action, "reveal_resident");
                assert_eq!(r, role);
            }
            other => panic!("expected PrivacyRoleMayNot, got {other:?}"),
        }
        assert_eq!(before, store.query_table_dump().unwrap());
    }
    match t.assistant.reveal_log(&t.f.grid) {
        Err(Error::PrivacyRoleMayNot { action, role }) => {
            assert_eq!(action, "read_reveal_log");
            assert_eq!(role, WorkerRole::Assistant);
        }
        other => panic!("expected PrivacyRoleMayNot, got {other:?}"),
    }
    match t.assistant.export(
        &t.f.grid,
        "roster_grid_worker",
        ExportFormat::Csv,
        ExportOptions {
            masking: Masking::Unmasked {
                reason: reason("上报"),
            },
        },
    ) {
        Err(Error::PrivacyRoleMayNot { action, .. }) => assert_eq!(action, "export_unmasked"),
        other => panic!("expected PrivacyRoleMayNot, got {other:?}"),
    }
    sync_all(&[&t.head, &t.assistant, &t.building_head, &t.volunteer]);
    assert_eq!(t.head.reveal_log(&t.f.grid).unwrap(), vec![]);
}

#[test]
fn a_reveal_needs_a_note_and_a_known_resident() {
    let t = team();
    let before = t.assistant.query_table_dump().unwrap();
    for note in ["", "   ", "\u{3000}"] {
        assert!(matches!(
            t.assistant.reveal_resident(&t.f.head, reason(note)),
            Err(Error::Invalid {
                field: "note",
                reason: InvalidReason::Empty
            })
        ));
    }
    assert!(matches!(
        t.assistant
            .reveal_resident(&t.f.head, reason(&"查".repeat(201))),
        Err(Error::Invalid {
            field: "note",
            reason: InvalidReason::TooLong { max: 200 }
        })
    ));
    assert!(matches!(
        t.assistant
            .reveal_resident("no-such-resident", reason("回访")),
        Err(Error::NotFound {
            kind: RecordKind::Resident,
            ..
        })
    ));
    assert_eq!(before, t.assistant.query_table_dump().unwrap());
}

#[test]
fn saving_a_masked_record_keeps_the_full_values() {
    let t = team();
    let store = &t.assistant;
    // A second phone, so that the masked list is matched phone by phone.
    let mut input = store
        .reveal_resident(&t.f.head, reason("补录电话"))
        .unwrap()
        .to_input();
    input.phones.push("13912345678".into());
    store.update_resident(&t.f.head, input).unwrap();

    let mut edited = store.resident(&t.f.head).unwrap().to_input();
    assert_eq!(edited.phones, vec!["138****8000", "139****5678"]);
    edited.name = "张秀英".into();
    edited.phones.reverse();
    store.update_resident(&t.f.head, edited).unwrap();
    let full = store.reveal_resident(&t.f.head, reason("核对")).unwrap();
    assert_eq!(full.id_number.as_deref(), Some(ID));
    assert_eq!(full.phones, vec!["13912345678", PHONE]);

    // A masked value that masks nothing stored is refused.
    let mut wrong = store.resident(&t.f.head).unwrap().to_input();
    wrong.phones = vec!["137****8000".into()];
    let before = store.query_table_dump().unwrap();
    assert!(matches!(
        store.update_resident(&t.f.head, wrong),
        Err(Error::Invalid {
            field: "phones",
            ..
        })
    ));
    let mut wrong = store.resident(&t.f.head).unwrap().to_input();
    wrong.id_number = Some("110105********0000".into());
    assert!(matches!(
        store.update_resident(&t.f.head, wrong),
        Err(Error::Invalid {
            field: "id_number",
            ..
        })
    ));
    assert_eq!(before, store.query_table_dump().unwrap());
}

#[test]
fn an_unmasked_export_is_the_grid_heads_and_is_logged_first() {
    let t = team();
    let masked = t
        .head
        .export(
            &t.f.grid,
            "roster_grid_worker",
            ExportFormat::Csv,
            ExportOptions::default(),
        )
        .unwrap();
    assert!(masked.masked);
    let text = String::from_utf8(masked.bytes).unwrap();
    assert!(!text.contains(ID) && !text.contains(PHONE));

    let options = ExportOptions {
        masking: Masking::Unmasked {
            reason: RevealReason {
                purpose: RevealPurpose::ReportUpstream,
                note: "报街道人口系统".into(),
            },
        },
    };
    let file = t
        .head
        .export(&t.f.grid, "roster_grid_worker", ExportFormat::Csv, options)
        .unwrap();
    assert!(!file.masked);
    assert_eq!(file.rows, 1);
    let text = String::from_utf8(file.bytes).unwrap();
    assert!(text.contains(ID), "the full ID number is exported");
    assert!(text.contains(PHONE), "the full phone is exported");
    assert!(
        !text.contains("健康类"),
        "nothing is withheld, so nothing is counted"
    );

    let log = t.head.reveal_log(&t.f.grid).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].subject, RevealSubject::Export);
    assert_eq!(log[0].template_id, "roster_grid_worker");
    assert_eq!(log[0].rows, 1);
    assert_eq!(log[0].resident_id, "");
    assert_eq!(log[0].purpose, RevealPurpose::ReportUpstream);
    assert_eq!(log[0].note, "报街道人口系统");
    assert_eq!(log[0].recorded_by, "head");
    assert!(log[0].fields.contains(&"id_number".to_string()));
    assert!(log[0].fields.contains(&"phones".to_string()));
}

#[test]
fn conflicting_id_numbers_and_phones_are_listed_masked() {
    let t = team();
    let mut a = t
        .head
        .reveal_resident(&t.f.head, reason("更正"))
        .unwrap()
        .to_input();
    a.phones = vec!["13911112222".into()];
    t.head.update_resident(&t.f.head, a).unwrap();
    let mut b = t
        .assistant
        .reveal_resident(&t.f.head, reason("更正"))
        .unwrap()
        .to_input();
    b.phones = vec!["13733334444".into()];
    t.assistant.update_resident(&t.f.head, b).unwrap();
    sync_pair(&t.head, &t.assistant);
    let conflicts = t.head.conflicts(&t.f.grid).unwrap();
    let phones = conflicts.iter().find(|c| c.field == "phones").unwrap();
    let mut values: Vec<String> = phones
        .values
        .iter()
        .map(|v| v.value.as_str().unwrap().to_string())
        .collect();
    values.sort();
    assert_eq!(values, vec!["137****4444", "139****2222"]);
}

#[test]
fn a_department_never_receives_the_reveal_log() {
    let t = team();
    let doc = format!("audit/{}", t.f.grid);
    use crate::sync::AssignmentScope;
    assert!(AssignmentScope::All.allows_doc(&doc));
    assert!(!AssignmentScope::Events.allows_doc(&doc));
}
