//! What the server vouches for: every path of forging an author in a pushed
//! change is refused (`sync::check_authors`), and an honest phone's changes
//! pass.

use automerge::transaction::Transactable;
use automerge::{ActorId, ObjType, ROOT, ReadDoc};

use super::*;
use crate::error::ProtocolError;
use crate::sync::*;

fn pusher(worker: &str, store: &Store) -> Pusher {
    Pusher {
        worker_id: worker.to_string(),
        role: Some("assistant".to_string()),
        actor: store.actor_id(),
    }
}

/// The store's whole outbox as one request, checked as the server checks it.
fn vouch(store: &Store, pusher: &Pusher) -> Result<(), ProtocolError> {
    let request = store.sync_request(&SyncLimits::default()).unwrap();
    assert!(!request.push.is_empty());
    let checked = check_push(&request).unwrap();
    check_authors(&checked, pusher)
}

#[test]
fn an_honest_phone_passes() {
    let (_dir, store, f) = one_worker("w1");
    let visit = store.log_visit(visit_input(&f.household)).unwrap();
    store
        .amend_visit(&visit, visit_input(&f.household))
        .unwrap();
    appoint_head(
        &store,
        &f.building,
        HeadPerson::Volunteer("李四".into()),
        (2026, 1, 5),
    );
    assert_eq!(vouch(&store, &pusher("w1", &store)), Ok(()));
    // The server does not record a role: any role passes.
    let mut unknown_role = pusher("w1", &store);
    unknown_role.role = None;
    assert_eq!(vouch(&store, &unknown_role), Ok(()));
}

#[test]
fn a_store_opened_as_someone_else_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w-someone-else");
    fixture(&store);
    // The device token belongs to w1: the device record names another worker.
    assert_eq!(
        vouch(&store, &pusher("w1", &store)),
        Err(ProtocolError::ForgedAuthor {
            index: 0,
            field: "worker_id"
        })
    );
}

#[test]
fn a_role_the_server_does_not_give_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w1");
    fixture(&store);
    let mut head = pusher("w1", &store);
    head.role = Some("grid_head".into());
    assert_eq!(
        vouch(&store, &head),
        Err(ProtocolError::ForgedAuthor {
            index: 0,
            field: "role"
        })
    );
}

/// One change written by `actor` on a document of `kind` from its genesis.
fn forged_change(
    kind: crate::docs::DocKind,
    actor: &str,
    write: impl FnOnce(&mut automerge::AutoCommit),
) -> Vec<u8> {
    let mut doc = crate::docs::genesis(kind).unwrap();
    doc.set_actor(ActorId::from(hex_bytes(actor)));
    write(&mut doc);
    doc.commit();
    let change = doc.get_last_local_change().unwrap();
    change.raw_bytes().to_vec()
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn push_one(
    actor: &str,
    doc_id: String,
    bytes: Vec<u8>,
    pusher: &Pusher,
) -> Result<(), ProtocolError> {
    let grid = doc_id.split('/').nth(1).unwrap().to_string();
    let request = SyncRequest {
        version: crate::sync::PROTOCOL_VERSION,
        actor: hex_bytes(actor),
        max_response_bytes: 1 << 20,
        push_upto: 1,
        grids: vec![GridCursor {
            grid_id: grid,
            cursor: 0,
            resume_after: None,
        }],
        push: vec![PushedChange { doc_id, bytes }],
    };
    let checked = check_push(&request).unwrap();
    check_authors(&checked, pusher)
}

const GRID: &str = "0b6a3e5c-1d2f-4a8b-9c0d-1e2f3a4b5c6d";
const ACTOR: &str = "00112233445566778899aabbccddeeff";

fn w1() -> Pusher {
    Pusher {
        worker_id: "w1".into(),
        role: None,
        actor: ACTOR.into(),
    }
}

fn forged(field: &'static str) -> Result<(), ProtocolError> {
    Err(ProtocolError::ForgedAuthor { index: 0, field })
}

#[test]
fn a_visit_entry_naming_another_worker_is_refused() {
    let refused = entry_change(
        "visits",
        "visits",
        r#"{"household_id":"h","worker_id":"w2"}"#,
    );
    assert_eq!(refused, forged("worker_id"));
}

#[test]
fn a_check_in_recorded_by_another_worker_is_refused() {
    let entry = r#"{"shift_id":"s","member_id":"m","recorded_by":"w2"}"#;
    assert_eq!(
        entry_change("patrol", "checkins", entry),
        forged("recorded_by")
    );
}

/// Pushes, as worker w1, a change putting one JSON `entry` into `collection`
/// of this quarter's document of the `family` ("visits", "patrol").
fn entry_change(family: &str, collection: &str, entry: &str) -> Result<(), ProtocolError> {
    let doc = crate::docs::DocId::parse(&format!("{family}/{GRID}/2026Q1")).unwrap();
    let bytes = forged_change(doc.1, ACTOR, |doc| {
        let map = doc.get(ROOT, collection).unwrap().unwrap().1;
        doc.put(&map, "11111111-2222-3333-4444-555555555555", entry)
            .unwrap();
    });
    push_one(ACTOR, doc.0.to_string(), bytes, &w1())
}

fn roster_change(write: impl FnOnce(&mut automerge::AutoCommit)) -> Result<(), ProtocolError> {
    let roster = crate::docs::DocId::roster(GRID);
    let bytes = forged_change(&crate::docs::ROSTER, ACTOR, write);
    push_one(ACTOR, roster.to_string(), bytes, &w1())
}

#[test]
fn an_appointment_by_another_worker_is_refused() {
    let result = roster_change(|doc| {
        let buildings = doc.get(ROOT, "buildings").unwrap().unwrap().1;
        let building = doc.put_object(&buildings, "b", ObjType::Map).unwrap();
        let heads = doc.put_object(&building, "heads", ObjType::Map).unwrap();
        let head = doc.put_object(&heads, "a", ObjType::Map).unwrap();
        doc.put(&head, "appointed_by", "w2").unwrap();
    });
    assert_eq!(result, forged("appointed_by"));
}

#[test]
fn another_devices_or_workers_team_entry_is_refused() {
    let other_device = roster_change(|doc| {
        let devices = doc.get(ROOT, "devices").unwrap().unwrap().1;
        let device = doc
            .put_object(&devices, "ffeeddccbbaa99887766554433221100", ObjType::Map)
            .unwrap();
        doc.put(&device, "label", "someone's phone").unwrap();
    });
    assert_eq!(other_device, forged("devices"));
    let other_worker = roster_change(|doc| {
        let workers = doc.get(ROOT, "workers").unwrap().unwrap().1;
        let worker = doc.put_object(&workers, "w2", ObjType::Map).unwrap();
        doc.put(&worker, "name", "王五").unwrap();
    });
    assert_eq!(other_worker, forged("workers"));
    let own = roster_change(|doc| {
        let devices = doc.get(ROOT, "devices").unwrap().unwrap().1;
        let device = doc.put_object(&devices, ACTOR, ObjType::Map).unwrap();
        doc.put(&device, "worker_id", "w1").unwrap();
        let workers = doc.get(ROOT, "workers").unwrap().unwrap().1;
        let worker = doc.put_object(&workers, "w1", ObjType::Map).unwrap();
        doc.put(&worker, "name", "张三").unwrap();
    });
    assert_eq!(own, Ok(()));
}

#[test]
fn deleting_or_retyping_an_author_field_is_refused() {
    let deleted = roster_change(|doc| {
        let devices = doc.get(ROOT, "devices").unwrap().unwrap().1;
        let device = doc.put_object(&devices, ACTOR, ObjType::Map).unwrap();
        doc.put(&device, "worker_id", "w1").unwrap();
        doc.delete(&device, "worker_id").unwrap();
    });
    assert_eq!(deleted, forged("worker_id"));
    let retyped = roster_change(|doc| {
        let devices = doc.get(ROOT, "devices").unwrap().unwrap().1;
        let device = doc.put_object(&devices, ACTOR, ObjType::Map).unwrap();
        doc.put(&device, "worker_id", 7).unwrap();
    });
    assert_eq!(retyped, forged("worker_id"));
}

/// Pushes, as worker w1 with `role` as the server keeps it, a change putting
/// one JSON `entry` into `collection` of this quarter's event document.
fn event_entry(collection: &str, entry: &str, role: Option<&str>) -> Result<(), ProtocolError> {
    let doc = crate::docs::DocId::parse(&format!("events/{GRID}/2026Q1")).unwrap();
    let bytes = forged_change(doc.1, ACTOR, |doc| {
        let map = doc.get(ROOT, collection).unwrap().unwrap().1;
        doc.put(&map, "11111111-2222-3333-4444-555555555555", entry)
            .unwrap();
    });
    let pusher = Pusher {
        role: role.map(str::to_string),
        ..w1()
    };
    push_one(ACTOR, doc.0.to_string(), bytes, &pusher)
}

#[test]
fn an_event_or_a_step_in_another_workers_name_is_refused() {
    let report = r#"{"category":"gas_leak","reporter_id":"w2"}"#;
    assert_eq!(
        event_entry("events", report, Some("assistant")),
        forged("reporter_id")
    );
    let step = r#"{"event_id":"e","action":"accept","worker_id":"w2","role":"assistant"}"#;
    assert_eq!(
        event_entry("event_steps", step, Some("assistant")),
        forged("worker_id")
    );
    let own = r#"{"event_id":"e","action":"accept","worker_id":"w1","role":"assistant"}"#;
    assert_eq!(event_entry("event_steps", own, Some("assistant")), Ok(()));
}

#[test]
fn a_step_the_pushers_role_may_not_take_is_refused() {
    let dispatch = r#"{"event_id":"e","action":"dispatch","assignee":"d","worker_id":"w1","role":"department"}"#;
    assert_eq!(
        event_entry("event_steps", dispatch, Some("department")),
        Err(ProtocolError::RoleMayNot {
            index: 0,
            action: "dispatch"
        })
    );
    // A step claiming a role the server does not give its worker.
    let claimed = r#"{"event_id":"e","action":"dispatch","assignee":"d","worker_id":"w1","role":"grid_head"}"#;
    assert_eq!(
        event_entry("event_steps", claimed, Some("department")),
        forged("role")
    );
    let verify = r#"{"event_id":"e","action":"verify","worker_id":"w1","role":"building_head"}"#;
    assert_eq!(
        event_entry("event_steps", verify, Some("building_head")),
        Err(ProtocolError::RoleMayNot {
            index: 0,
            action: "verify"
        })
    );
    // The assignee's steps are any role's (who the assignee is, every
    // replica checks); a server that keeps no role checks none.
    let take = r#"{"event_id":"e","action":"take","worker_id":"w1","role":"department"}"#;
    assert_eq!(event_entry("event_steps", take, Some("department")), Ok(()));
    assert_eq!(event_entry("event_steps", dispatch, None), Ok(()));
    // The same text in another kind's document is not a step.
    assert_eq!(entry_change("visits", "visits", take), Ok(()));
}

/// Pushes, as worker w1 with `role` as the server keeps it, a change putting
/// one JSON `entry` under `key` into `collection` of the grid's event settings.
fn settings_entry(
    collection: &str,
    key: &str,
    entry: &str,
    role: &str,
) -> Result<(), ProtocolError> {
    grid_doc_entry("event_settings", collection, key, entry, role)
}

/// A pushed change that puts `entry` under `key` in `collection` of the
/// grid's document of `doc_kind`, by a pusher whose role the server keeps.
fn grid_doc_entry(
    doc_kind: &str,
    collection: &str,
    key: &str,
    entry: &str,
    role: &str,
) -> Result<(), ProtocolError> {
    let doc = crate::docs::DocId::parse(&format!("{doc_kind}/{GRID}")).unwrap();
    let bytes = forged_change(doc.1, ACTOR, |doc| {
        let map = doc.get(ROOT, collection).unwrap().unwrap().1;
        doc.put(&map, key, entry).unwrap();
    });
    let pusher = Pusher {
        role: Some(role.to_string()),
        ..w1()
    };
    push_one(ACTOR, doc.0.to_string(), bytes, &pusher)
}

#[test]
fn only_a_grid_head_pushes_the_grids_event_settings() {
    let category = r#"{"name":"路面坑洼","group_code":"local_roads","group_name":"道路","limit":{"unit":"hours","amount":8},"close_condition":"填平","level":1,"worker_id":"w1"}"#;
    let level = r#"{"name":"街道哨","handled_by":"街道","worker_id":"w1"}"#;
    let refused = Err(ProtocolError::RoleMayNot {
        index: 0,
        action: "event_settings",
    });
    for role in ["assistant", "department", "building_head", "police_officer"] {
        assert_eq!(
            settings_entry("event_categories", "local_pothole", category, role),
            refused
        );
        assert_eq!(settings_entry("whistle_levels", "2", level, role), refused);
    }
    assert_eq!(
        settings_entry("event_categories", "local_pothole", category, "grid_head"),
        Ok(())
    );
    assert_eq!(
        settings_entry("whistle_levels", "2", level, "grid_head"),
        Ok(())
    );
    // Written in another grid head's name.
    let forged_level = r#"{"name":"街道哨","handled_by":"街道","worker_id":"w2"}"#;
    assert_eq!(
        settings_entry("whistle_levels", "2", forged_level, "grid_head"),
        forged("worker_id")
    );
}

#[test]
fn only_the_roles_that_may_push_points_entries_rules_and_enrolments() {
    let award = r#"{"volunteer_id":"v1","kind":"award","points":5,"on":"2026-11-02","note":"清理楼道","recorded_by":"w1"}"#;
    let spend = r#"{"volunteer_id":"v1","kind":"spend","points":2,"on":"2026-11-02","note":"大米","recorded_by":"w1"}"#;
    let rule =
        r#"{"minutes_per_point":30,"expiry":"year_end","expiry_years":0,"recorded_by":"w1"}"#;
    let enrol = r#"{"skills":"理发","on":"2026-11-02","withdrawn":false,"recorded_by":"w1"}"#;
    let push = |collection: &str, key: &str, entry: &str, role: &str| {
        grid_doc_entry("points", collection, key, entry, role)
    };
    let refused = |action: &'static str| Err(ProtocolError::RoleMayNot { index: 0, action });
    for role in [
        "assistant",
        "department",
        "building_head",
        "patrol_volunteer",
        "police_officer",
    ] {
        assert_eq!(push("points_entries", "e1", award, role), refused("award"));
        assert_eq!(
            push("points_rules", "2026-11", rule, role),
            refused("set_rule")
        );
    }
    for role in [
        "department",
        "building_head",
        "patrol_volunteer",
        "police_officer",
    ] {
        assert_eq!(push("points_entries", "e1", spend, role), refused("spend"));
        assert_eq!(push("talent_pool", "r1", enrol, role), refused("enrol"));
    }
    for role in ["grid_head", "assistant"] {
        assert_eq!(push("points_entries", "e1", spend, role), Ok(()));
        assert_eq!(push("talent_pool", "r1", enrol, role), Ok(()));
    }
    assert_eq!(push("points_entries", "e1", award, "grid_head"), Ok(()));
    assert_eq!(push("points_rules", "2026-11", rule, "grid_head"), Ok(()));
    // An entry of a kind no build knows moves balances nobody can check.
    let unknown = award.replace("\"award\"", "\"bonus\"");
    assert_eq!(
        push("points_entries", "e1", &unknown, "grid_head"),
        refused("points_entry")
    );
    // Written in another worker's name.
    let forged_award = award.replace("\"recorded_by\":\"w1\"", "\"recorded_by\":\"w2\"");
    assert_eq!(
        push("points_entries", "e1", &forged_award, "grid_head"),
        forged("recorded_by")
    );
}

#[test]
fn an_honest_phones_events_pass() {
    let dir = tempfile::tempdir().unwrap();
    let head = super::events::open_as(&dir, "w1", WorkerRole::GridHead);
    let f = fixture(&head);
    let id = head
        .report_event(super::events::event_input(&f.grid, "gas_leak"))
        .unwrap();
    head.take_event_step(super::events::step(&id, StepAction::Accept, 1))
        .unwrap();
    let mut pusher = pusher("w1", &head);
    pusher.role = Some("grid_head".into());
    assert_eq!(vouch(&head, &pusher), Ok(()));
}
