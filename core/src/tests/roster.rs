use super::*;
use crate::RecordKind;

#[test]
fn roster_lists_households_in_natural_order_with_members_and_last_visit() {
    let (_dir, store, f) = one_worker("w1");
    let b10 = store
        .create_building(&f.grid, building_input("10栋"))
        .unwrap();
    let h_b10 = store
        .create_household(household_input(&b10, "101"))
        .unwrap();
    let h_1202 = store
        .create_household(household_input(&f.building, "1202"))
        .unwrap();
    let visit = store.log_visit(visit_input(&f.household)).unwrap();

    let roster = store.roster(&f.grid).unwrap();
    let order: Vec<(&str, &str)> = roster
        .iter()
        .map(|r| {
            (
                r.household.building_number.as_str(),
                r.household.room.as_str(),
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![("3栋", "502"), ("3栋", "1202"), ("10栋", "101")]
    );
    assert_eq!(roster[0].household.id, f.household);
    assert_eq!(roster[0].member_count, 1);
    assert!(roster[0].last_visit.is_some());
    assert_eq!(roster[1].household.id, h_1202);
    assert_eq!(roster[1].member_count, 0);
    assert_eq!(roster[1].last_visit, None);
    assert_eq!(roster[2].household.id, h_b10);

    let detail = store.household(&f.household).unwrap();
    assert_eq!(detail.household.head_id.as_deref(), Some(f.head.as_str()));
    assert_eq!(detail.members.len(), 1);
    assert_eq!(detail.members[0].name, "张秀英");
    assert_eq!(detail.members[0].care, vec!["elderly_alone".to_string()]);
    assert_eq!(detail.visits.len(), 1);
    assert_eq!(detail.visits[0].id, visit);
    assert_eq!(detail.visits[0].worker_id, "w1");
    assert_rebuild_matches(&store);
}

#[test]
fn search_finds_chinese_names_phone_and_id_suffixes_and_addresses() {
    let (_dir, store, f) = one_worker("w1");
    let hits = store.search(&f.grid, "秀英", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].resident_id.as_deref(), Some(f.head.as_str()));
    assert_eq!(hits[0].matched, SearchMatch::Name);
    assert!(
        !hits[0].display.contains("秀英"),
        "names are masked in hits"
    );

    let hits = store.search(&f.grid, "8000", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].matched, SearchMatch::PhoneSuffix);
    assert!(
        store.search(&f.grid, "1380", 10).unwrap().is_empty(),
        "phones match at the end only"
    );

    let hits = store.search(&f.grid, "002x", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].matched, SearchMatch::IdNumberSuffix);

    let hits = store.search(&f.grid, "3栋", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].matched, SearchMatch::Address);
    assert_eq!(hits[0].household_id, f.household);
    assert!(store.search(&f.grid, "李", 10).unwrap().is_empty());
    assert!(
        store.search(&f.grid, "%", 10).unwrap().is_empty(),
        "LIKE wildcards are literal"
    );
}

#[test]
fn care_categories_worker_visits_heads_and_shifts_are_queryable() {
    let (_dir, store, f) = one_worker("w1");
    let elderly = store.residents_by_care(&f.grid, "elderly_alone").unwrap();
    assert_eq!(
        elderly.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec![f.head.as_str()]
    );
    assert!(
        store
            .residents_by_care(&f.grid, "disabled")
            .unwrap()
            .is_empty()
    );

    let visit = store.log_visit(visit_input(&f.household)).unwrap();
    let today = store.today();
    let mine = store
        .visits_by_worker("w1", today.add_days(-1), today)
        .unwrap();
    assert_eq!(
        mine.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
        vec![visit.as_str()]
    );
    assert!(
        store
            .visits_by_worker("w2", today.add_days(-1), today)
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .visits_by_worker("w1", today.add_days(-30), today.add_days(-2))
            .unwrap()
            .is_empty()
    );

    let other = store
        .create_building(&f.grid, building_input("4栋"))
        .unwrap();
    assert_eq!(store.buildings_without_head(&f.grid).unwrap().len(), 2);
    let first = appoint_head(
        &store,
        &f.building,
        HeadPerson::Resident(f.head.clone()),
        (2024, 1, 1),
    );
    let second = appoint_head(
        &store,
        &f.building,
        HeadPerson::Volunteer("赵志愿".into()),
        (2025, 3, 1),
    );
    let current = store.current_building_heads(&f.grid).unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].id, second);
    assert_eq!(current[0].person, HeadPerson::Volunteer("赵志愿".into()));
    let history = store.building_head_history(&f.building).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].id, first);
    assert_eq!(history[1].ends_on, Date::new(2025, 3, 1));
    let without: Vec<String> = store
        .buildings_without_head(&f.grid)
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(without, vec![other]);

    let team = store
        .create_patrol_team(
            &f.grid,
            "夜巡一队",
            vec![TeamMember {
                member_id: "v1".into(),
                name: "志愿者甲".into(),
            }],
        )
        .unwrap();
    let date = today.add_days(1);
    let shift = store
        .create_shift(shift_input(
            &team,
            date,
            (18, 30),
            (20, 30),
            &["3栋", "4栋", "东门"],
        ))
        .unwrap();
    store.assign_to_shift(&shift, "v1").unwrap();
    let upcoming = store.upcoming_shifts("v1", today).unwrap();
    assert_eq!(upcoming.len(), 1);
    assert_eq!(upcoming[0].route, vec!["3栋", "4栋", "东门"]);
    assert_eq!(upcoming[0].members, vec!["v1"]);
    assert!(
        store
            .upcoming_shifts("v1", today.add_days(2))
            .unwrap()
            .is_empty()
    );
    let checkin = store
        .record_checkin(CheckinInput {
            shift_id: shift.clone(),
            member_id: "v1".into(),
            at: now_local(),
            checkpoint: "东门".into(),
            gps: None,
        })
        .unwrap();
    let checkins = store.shift_checkins(&shift).unwrap();
    assert_eq!(checkins.len(), 1);
    assert_eq!(checkins[0].id, checkin);
    assert_eq!(checkins[0].checkpoint, "东门");
    assert_rebuild_matches(&store);
}

#[test]
fn amending_a_visit_updates_findings_and_keeps_one_row() {
    let (_dir, store, f) = one_worker("w1");
    let mut input = visit_input(&f.household);
    input.findings = vec![FindingInput {
        id: None,
        kind: FindingKind::Problem,
        text: "楼道堆放杂物".into(),
        resolution: Resolution::Open,
    }];
    let visit = store.log_visit(input.clone()).unwrap();
    let finding = store.household(&f.household).unwrap().visits[0].findings[0]
        .id
        .clone();
    input.findings[0].id = Some(finding.clone());
    input.findings[0].resolution = Resolution::SolvedOnSite;
    input.residents_seen = vec![f.head.clone()];
    input.outcome = VisitOutcome::Met;
    store.amend_visit(&visit, input).unwrap();
    let visits = store.household(&f.household).unwrap().visits;
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].findings.len(), 1);
    assert_eq!(visits[0].findings[0].id, finding);
    assert_eq!(visits[0].findings[0].resolution, Resolution::SolvedOnSite);
    assert_eq!(visits[0].residents_seen, vec![f.head.clone()]);
    assert!(matches!(
        store.amend_visit(
            "00000000-0000-0000-0000-000000000000",
            visit_input(&f.household)
        ),
        Err(crate::Error::NotFound {
            kind: RecordKind::Visit,
            ..
        })
    ));
}

#[test]
fn personal_data_stays_out_of_debug_output() {
    let (_dir, store, f) = one_worker("w1");
    let resident = store.resident_unmasked(&f.head).unwrap();
    let debug = format!("{resident:?}");
    assert!(!debug.contains("秀英"));
    assert!(!debug.contains("11010519491231002X"));
    assert!(!debug.contains("13800138000"));
    let masked = resident.masked();
    assert_eq!(masked.id_number.as_deref(), Some("110105********002X"));
    assert_eq!(masked.phones, vec!["138****8000".to_string()]);
}

#[test]
fn compaction_replaces_chunks_and_keeps_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let options = crate::OpenOptions {
        compact_after_changes: 10,
        ..Default::default()
    };
    let store = Store::open_with(&path, identity("w1"), options.clone()).unwrap();
    let f = fixture(&store);
    for _ in 0..25 {
        store.log_visit(visit_input(&f.household)).unwrap();
    }
    let dump = store.query_table_dump().unwrap();
    assert!(
        chunk_count(&store) < 20,
        "compaction ran: {} chunks",
        chunk_count(&store)
    );
    store.compact().unwrap();
    let docs: i64 = store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM docs", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(chunk_count(&store), docs, "one snapshot per document");
    drop(store);
    let store = Store::open_with(&path, identity("w1"), options).unwrap();
    assert_eq!(store.query_table_dump().unwrap(), dump);
    assert_rebuild_matches(&store);
    // A replica bootstrapping from the compacted store gets the same rows.
    let other = open(&dir, "w2");
    send(&store, &other);
    assert_eq!(other.query_table_dump().unwrap(), dump);
    store.log_visit(visit_input(&f.household)).unwrap();
}

#[test]
fn roster_follows_building_renames_member_changes_and_new_visits() {
    let (_dir, store, f) = one_worker("w1");
    store
        .update_building(&f.building, building_input("5栋"))
        .unwrap();
    let row = &store.roster(&f.grid).unwrap()[0];
    assert_eq!(row.household.building_number, "5栋");
    assert_eq!(row.member_count, 1);
    assert_eq!(store.search(&f.grid, "5栋", 10).unwrap().len(), 1);

    store
        .retire_resident(&f.head, ResidentStatus::Deceased, store.today())
        .unwrap();
    assert_eq!(store.roster(&f.grid).unwrap()[0].member_count, 0);

    let mut older = visit_input(&f.household);
    older.at.utc_ms -= 86_400_000;
    store.log_visit(visit_input(&f.household)).unwrap();
    let newest = store.roster(&f.grid).unwrap()[0].last_visit.unwrap();
    store.log_visit(older).unwrap();
    assert_eq!(
        store.roster(&f.grid).unwrap()[0].last_visit,
        Some(newest),
        "an older visit logged late does not move it"
    );
    assert_rebuild_matches(&store);
}
