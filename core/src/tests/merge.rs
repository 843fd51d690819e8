use super::*;
use crate::{Error, RecordKind};

/// The grid head's store with the fixture and an assistant's store that
/// received it.
fn two_workers() -> (tempfile::TempDir, Store, Store, Fixture) {
    let (dir, a, b, f) = head_and_assistant();
    send(&a, &b);
    assert_eq!(a.query_table_dump().unwrap(), b.query_table_dump().unwrap());
    (dir, a, b, f)
}

#[test]
fn a_concurrent_phone_change_converges_and_is_listed_until_resolved() {
    let (_dir, a, b, f) = two_workers();
    let mut on_a = resident_input(&f.household, "张秀英");
    on_a.phones = vec!["13911112222".into()];
    a.update_resident(&f.head, on_a.clone()).unwrap();
    let mut on_b = resident_input(&f.household, "张秀英");
    on_b.phones = vec!["13933334444".into()];
    b.update_resident(&f.head, on_b).unwrap();
    sync_pair(&a, &b);

    assert_eq!(a.query_table_dump().unwrap(), b.query_table_dump().unwrap());
    let phone = a.resident_unmasked(&f.head).unwrap().phones;
    assert!(phone == vec!["13911112222"] || phone == vec!["13933334444"]);
    let conflicts = a.conflicts(&f.grid).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = &conflicts[0];
    assert_eq!(
        (c.record_kind, c.record_id.as_str(), c.field.as_str()),
        (RecordKind::Resident, f.head.as_str(), "phones")
    );
    assert_eq!(c.values.len(), 2);
    assert_eq!(c.values.iter().filter(|v| v.is_winner).count(), 1);
    let winner = c.values.iter().find(|v| v.is_winner).unwrap();
    assert_eq!(
        winner.value,
        serde_json::json!(crate::validate::mask_phone(&phone[0]))
    );
    let mut workers: Vec<_> = c
        .values
        .iter()
        .map(|v| v.worker_id.clone().unwrap())
        .collect();
    workers.sort();
    assert_eq!(workers, vec!["assistant", "head"]);
    assert!(c.values.iter().all(|v| v.at_ms.is_some()));
    assert_eq!(b.conflicts(&f.grid).unwrap(), conflicts);

    // Resolving is an ordinary edit; the conflict disappears everywhere.
    on_a.phones = vec!["13955556666".into()];
    a.update_resident(&f.head, on_a).unwrap();
    sync_pair(&a, &b);
    assert!(a.conflicts(&f.grid).unwrap().is_empty());
    assert!(b.conflicts(&f.grid).unwrap().is_empty());
    assert_eq!(
        b.resident_unmasked(&f.head).unwrap().phones,
        vec!["13955556666"]
    );
    assert_rebuild_matches(&a);
    assert_rebuild_matches(&b);
}

#[test]
fn edits_of_different_fields_both_survive_without_conflict() {
    let (_dir, a, b, f) = two_workers();
    let mut on_a = resident_input(&f.household, "张秀英");
    on_a.phones = vec!["13911112222".into()];
    a.update_resident(&f.head, on_a).unwrap();
    let mut on_b = resident_input(&f.household, "张秀英");
    on_b.care = vec!["elderly_alone".into(), "disabled".into()];
    b.update_resident(&f.head, on_b).unwrap();
    sync_pair(&a, &b);
    let r = a.resident_unmasked(&f.head).unwrap();
    assert_eq!(r.phones, vec!["13911112222"]);
    assert_eq!(r.care, vec!["disabled", "elderly_alone"]);
    assert!(a.conflicts(&f.grid).unwrap().is_empty());
    assert_eq!(a.query_table_dump().unwrap(), b.query_table_dump().unwrap());
}

#[test]
fn moved_out_wins_over_a_concurrent_edit_which_is_kept() {
    let (_dir, a, b, f) = two_workers();
    a.move_out_household(&f.household).unwrap();
    let mut edit = household_input(&f.building, "502");
    edit.notes = Some("门口有台阶，注意老人出行".into());
    edit.use_kind = DwellingUse::Rented;
    b.update_household(&f.household, edit).unwrap();
    // Even a concurrent explicit reactivation does not win over moving out.
    b.reactivate_household(&f.household).unwrap();
    sync_pair(&a, &b);
    for store in [&a, &b] {
        let h = store.household(&f.household).unwrap().household;
        assert_eq!(h.status, HouseholdStatus::MovedOut);
        assert_eq!(h.notes.as_deref(), Some("门口有台阶，注意老人出行"));
        assert_eq!(h.use_kind, DwellingUse::Rented);
    }
    assert_eq!(a.query_table_dump().unwrap(), b.query_table_dump().unwrap());
    // A later reactivation, made after seeing the move-out, does stand.
    a.reactivate_household(&f.household).unwrap();
    sync_pair(&a, &b);
    assert_eq!(
        b.household(&f.household).unwrap().household.status,
        HouseholdStatus::Active
    );
}

#[test]
fn concurrent_head_appointments_converge_on_one_current_head() {
    let (_dir, a, b, f) = two_workers();
    let on_a = appoint_head(
        &a,
        &f.building,
        HeadPerson::Volunteer("刘建国".into()),
        (2025, 5, 1),
    );
    let on_b = appoint_head(
        &b,
        &f.building,
        HeadPerson::Resident(f.head.clone()),
        (2025, 6, 1),
    );
    sync_pair(&a, &b);
    for store in [&a, &b] {
        let current = store.current_building_heads(&f.grid).unwrap();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].id, on_b, "the later start wins");
        let history = store.building_head_history(&f.building).unwrap();
        assert_eq!(history.len(), 2);
        let earlier = history.iter().find(|h| h.id == on_a).unwrap();
        assert!(!earlier.is_current);
        assert_eq!(earlier.ends_on, Date::new(2025, 6, 1));
        let conflicts = store.conflicts(&f.grid).unwrap();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].field, "heads");
        assert_eq!(conflicts[0].values.len(), 2);
    }
    assert_eq!(a.query_table_dump().unwrap(), b.query_table_dump().unwrap());
    // Appointing the next head resolves the review item.
    appoint_head(
        &a,
        &f.building,
        HeadPerson::Volunteer("刘建国".into()),
        (2025, 7, 1),
    );
    sync_pair(&a, &b);
    assert!(b.conflicts(&f.grid).unwrap().is_empty());
    assert_eq!(
        b.current_building_heads(&f.grid).unwrap()[0].person,
        HeadPerson::Volunteer("刘建国".into())
    );
}

#[test]
fn concurrent_shift_assignments_keep_both_members() {
    let (_dir, a, b, f) = head_and_assistant();
    let team = a.create_patrol_team(&f.grid, "夜巡队", vec![]).unwrap();
    let shift = a
        .create_shift(shift_input(
            &team,
            a.today().add_days(2),
            (18, 30),
            (20, 30),
            &["3栋"],
        ))
        .unwrap();
    send(&a, &b);
    a.assign_to_shift(&shift, "v-li").unwrap();
    b.assign_to_shift(&shift, "v-wang").unwrap();
    sync_pair(&a, &b);
    for store in [&a, &b] {
        let shifts = store.upcoming_shifts("v-li", store.today()).unwrap();
        assert_eq!(shifts[0].members, vec!["v-li", "v-wang"]);
    }
    assert!(a.conflicts(&f.grid).unwrap().is_empty());
}

#[test]
fn importing_twice_or_in_pieces_stores_each_change_once() {
    let (_dir, a, b, f) = two_workers();
    a.log_visit(visit_input(&f.household)).unwrap();
    send(&a, &b);
    let cursor = a.export_since(0).unwrap().cursor;
    a.log_visit(visit_input(&f.household)).unwrap();
    let delta = a.export_since(cursor).unwrap();
    assert_eq!(delta.chunks, 1, "only the new change travels");
    let first = b.import(&delta.bytes).unwrap();
    assert_eq!(first.new_changes, 1);
    let chunks = chunk_count(&b);
    let again = b.import(&delta.bytes).unwrap();
    assert_eq!((again.new_changes, again.known_changes), (0, 1));
    b.import(&a.export_since(0).unwrap().bytes).unwrap();
    assert_eq!(chunk_count(&b), chunks);
    assert_eq!(a.query_table_dump().unwrap(), b.query_table_dump().unwrap());
}

#[test]
fn changes_arriving_before_their_dependencies_are_kept_and_applied_later() {
    let (_dir, a, b, f) = two_workers();
    let c0 = a.export_since(0).unwrap().cursor;
    let v1 = a.log_visit(visit_input(&f.household)).unwrap();
    let c1 = a.export_since(c0).unwrap();
    let mut amended = visit_input(&f.household);
    amended.outcome = VisitOutcome::Refused;
    a.amend_visit(&v1, amended).unwrap();
    let c2 = a.export_since(c1.cursor).unwrap();
    b.import(&c2.bytes).unwrap();
    assert!(b.household(&f.household).unwrap().visits.is_empty());
    b.import(&c1.bytes).unwrap();
    let visits = b.household(&f.household).unwrap().visits;
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].outcome, VisitOutcome::Refused);
    assert_eq!(a.query_table_dump().unwrap(), b.query_table_dump().unwrap());
    assert_rebuild_matches(&b);
}

#[test]
fn concurrent_amendments_of_a_visit_are_listed_field_by_field() {
    // Only a visit's maker amends it: here on two phones of the same worker.
    let (dir, a, f) = one_worker("head");
    let b = Store::open(dir.path().join("head-second-phone.db"), identity("head")).unwrap();
    send(&a, &b);
    let original = visit_input(&f.household);
    let visit = a.log_visit(original.clone()).unwrap();
    send(&a, &b);
    let mut on_a = original.clone();
    on_a.outcome = VisitOutcome::Refused;
    a.amend_visit(&visit, on_a.clone()).unwrap();
    let mut on_b = original.clone();
    on_b.notes = Some("老人需要助听器".into());
    b.amend_visit(&visit, on_b).unwrap();
    sync_pair(&a, &b);
    assert_eq!(a.query_table_dump().unwrap(), b.query_table_dump().unwrap());
    let conflicts = a.conflicts(&f.grid).unwrap();
    let fields: Vec<&str> = conflicts.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, vec!["notes", "outcome"]);
    assert!(
        conflicts
            .iter()
            .all(|c| c.record_kind == RecordKind::Visit && c.record_id == visit)
    );
    let notes: Vec<serde_json::Value> = conflicts[0]
        .values
        .iter()
        .map(|v| v.value.clone())
        .collect();
    assert!(notes.contains(&serde_json::json!("老人需要助听器")));
    assert!(notes.contains(&serde_json::json!("身体状况良好")));
    // Amending again with both changes resolves the review item.
    on_a.notes = Some("老人需要助听器".into());
    a.amend_visit(&visit, on_a).unwrap();
    sync_pair(&a, &b);
    assert!(b.conflicts(&f.grid).unwrap().is_empty());
    let v = &b.household(&f.household).unwrap().visits[0];
    assert_eq!(
        (v.outcome, v.notes.as_deref()),
        (VisitOutcome::Refused, Some("老人需要助听器"))
    );
    assert_rebuild_matches(&b);
}

#[test]
fn only_the_maker_of_a_visit_amends_it() {
    let (_dir, a, b, f) = two_workers();
    let original = visit_input(&f.household);
    let visit = a.log_visit(original.clone()).unwrap();
    send(&a, &b);
    let before = b.query_table_dump().unwrap();
    let mut changed = original;
    changed.outcome = VisitOutcome::Refused;
    match b.amend_visit(&visit, changed) {
        Err(Error::NotAuthor { kind, id }) => assert_eq!((kind, id), (RecordKind::Visit, visit)),
        other => panic!("expected NotAuthor, got {other:?}"),
    }
    assert_eq!(b.query_table_dump().unwrap(), before);
    assert_eq!(b.sync_status().unwrap().unsent_changes, 0);
}
