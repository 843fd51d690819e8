//! The grid summary: counts by code of households, residents, visits and
//! events, as a record and as JSON with the stable codes.

use serde_json::Value;

use super::coverage::local;
use super::events::{event_input, open_as, step};
use super::*;

fn day(year: i32, month: u8, day: u8) -> Date {
    Date::new(year, month, day).unwrap()
}

/// Households: 502 (owner-occupied; the fixture's elder living alone and a
/// second local elder, and a foreign resident who died), 601 (rented; a
/// disabled migrant), 701 (vacant, moved out). Visits in March, May and
/// June 2025. Events: a dispute self-resolved, a gas leak escalated to
/// level 3, a blocked fire lane just reported.
fn summary_grid(dir: &tempfile::TempDir) -> (Store, Fixture) {
    let store = open_as(dir, "w1", WorkerRole::GridHead);
    let f = fixture(&store);
    store
        .create_resident(ResidentInput {
            id_number: None,
            ..resident_input(&f.household, "王桂兰")
        })
        .unwrap();
    let foreign = store
        .create_resident(ResidentInput {
            registration: Registration::Foreign,
            care: vec![],
            id_number: None,
            ..resident_input(&f.household, "John Smith")
        })
        .unwrap();
    store
        .retire_resident(&foreign, ResidentStatus::Deceased, day(2025, 5, 1))
        .unwrap();
    let rented = store
        .create_household(HouseholdInput {
            use_kind: DwellingUse::Rented,
            ..household_input(&f.building, "601")
        })
        .unwrap();
    store
        .create_resident(ResidentInput {
            registration: Registration::Migrant,
            care: vec!["disabled".into()],
            id_number: None,
            ..resident_input(&rented, "赵磊")
        })
        .unwrap();
    let vacant = store
        .create_household(HouseholdInput {
            use_kind: DwellingUse::Vacant,
            ..household_input(&f.building, "701")
        })
        .unwrap();
    store.move_out_household(&vacant).unwrap();

    let visit = |household: &str, on: Date, outcome| {
        store
            .log_visit(VisitInput {
                at: local(on, 10, 0, 0),
                outcome,
                ..visit_input(household)
            })
            .unwrap();
    };
    visit(&f.household, day(2025, 6, 2), VisitOutcome::Met);
    visit(&f.household, day(2025, 5, 20), VisitOutcome::NobodyHome);
    visit(&rented, day(2025, 6, 10), VisitOutcome::Refused);
    visit(&rented, day(2025, 3, 1), VisitOutcome::Met);
    // After the summary's day: all time, not this month.
    visit(&vacant, day(2025, 6, 20), VisitOutcome::Vacant);

    let dispute = store
        .report_event(event_input(&f.grid, "neighbour_dispute"))
        .unwrap();
    store
        .take_event_step(step(&dispute, StepAction::Accept, 1))
        .unwrap();
    store
        .take_event_step(step(&dispute, StepAction::SelfResolve, 2))
        .unwrap();
    let gas = store
        .report_event(event_input(&f.grid, "gas_leak"))
        .unwrap();
    store
        .take_event_step(step(&gas, StepAction::Accept, 1))
        .unwrap();
    store
        .take_event_step(EventStepInput {
            level: Some(3),
            ..step(&gas, StepAction::Escalate, 3)
        })
        .unwrap();
    store
        .report_event(event_input(&f.grid, "fire_lane_blocked"))
        .unwrap();
    (store, f)
}

#[test]
fn the_summary_counts_every_code_of_every_list() {
    let dir = tempfile::tempdir().unwrap();
    let (store, f) = summary_grid(&dir);
    let summary = store.grid_summary(&f.grid, day(2025, 6, 15)).unwrap();
    assert_eq!(summary.grid_id, f.grid);
    assert_eq!(
        (summary.today, summary.month_from),
        (day(2025, 6, 15), day(2025, 6, 1))
    );
    let use_counts: Vec<(DwellingUse, i64)> = summary
        .households_by_use
        .iter()
        .map(|c| (c.use_kind, c.count))
        .collect();
    assert_eq!(
        use_counts,
        vec![
            (DwellingUse::OwnerOccupied, 1),
            (DwellingUse::Rented, 1),
            // The vacant household moved out.
            (DwellingUse::Vacant, 0),
            (DwellingUse::Business, 0),
            (DwellingUse::Other, 0),
        ]
    );
    assert_eq!(
        summary.households_by_status,
        vec![
            HouseholdStatusCount {
                status: HouseholdStatus::Active,
                count: 2
            },
            HouseholdStatusCount {
                status: HouseholdStatus::MovedOut,
                count: 1
            },
        ]
    );
    let registrations: Vec<(Registration, i64)> = summary
        .residents_by_registration
        .iter()
        .map(|c| (c.registration, c.count))
        .collect();
    assert_eq!(
        registrations,
        vec![
            (Registration::Local, 2),
            (Registration::Migrant, 1),
            (Registration::Foreign, 0),
        ]
    );
    let care: Vec<(&str, i64)> = summary
        .residents_by_care
        .iter()
        .map(|c| (c.category.as_str(), c.count))
        .collect();
    assert_eq!(
        care,
        vec![
            ("elderly_alone", 2),
            ("empty_nest", 0),
            ("left_behind_child", 0),
            ("hardship", 0),
            ("disabled", 1),
            ("disabled_elderly", 0),
            ("veteran", 0),
        ]
    );
    let outcomes = |counts: &[VisitOutcomeCount]| {
        counts
            .iter()
            .map(|c| (c.outcome, c.count))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        outcomes(&summary.visits_by_outcome),
        vec![
            (VisitOutcome::Met, 2),
            (VisitOutcome::NobodyHome, 1),
            (VisitOutcome::Refused, 1),
            (VisitOutcome::Vacant, 1),
            (VisitOutcome::MovedAway, 0),
        ]
    );
    assert_eq!(
        outcomes(&summary.visits_by_outcome_this_month),
        vec![
            (VisitOutcome::Met, 1),
            (VisitOutcome::NobodyHome, 0),
            (VisitOutcome::Refused, 1),
            (VisitOutcome::Vacant, 0),
            (VisitOutcome::MovedAway, 0),
        ]
    );
    assert_eq!(
        summary.events_by_level,
        vec![
            EventLevelCount { level: 1, count: 2 },
            EventLevelCount { level: 2, count: 0 },
            EventLevelCount { level: 3, count: 1 },
        ]
    );
    let statuses: Vec<(EventStatus, i64)> = summary
        .events_by_status
        .iter()
        .filter(|c| c.count > 0)
        .map(|c| (c.status, c.count))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (EventStatus::Reported, 1),
            (EventStatus::Accepted, 1),
            (EventStatus::Closed, 1),
        ]
    );
    assert_eq!(summary.events_by_status.len(), EventStatus::ALL.len());
}

#[test]
fn the_summary_json_has_camel_case_keys_and_stable_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (store, f) = summary_grid(&dir);
    let text = store.grid_summary_json(&f.grid, day(2025, 6, 15)).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "gridId",
        "today",
        "monthFrom",
        "householdsByUse",
        "householdsByStatus",
        "residentsByRegistration",
        "residentsByCare",
        "visitsByOutcome",
        "visitsByOutcomeThisMonth",
        "eventsByLevel",
        "eventsByStatus",
    ];
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(sorted, expected);
    assert_eq!(json["gridId"], f.grid.as_str());
    assert_eq!(json["today"], "2025-06-15");
    assert_eq!(json["monthFrom"], "2025-06-01");
    assert_eq!(json["householdsByUse"]["owner_occupied"], 1);
    assert_eq!(json["householdsByUse"]["vacant"], 0);
    assert_eq!(json["householdsByStatus"]["moved_out"], 1);
    assert_eq!(json["residentsByRegistration"]["migrant"], 1);
    assert_eq!(json["residentsByCare"]["elderly_alone"], 2);
    assert_eq!(json["visitsByOutcome"]["nobody_home"], 1);
    assert_eq!(json["visitsByOutcomeThisMonth"]["refused"], 1);
    assert_eq!(json["eventsByLevel"]["3"], 1);
    assert_eq!(json["eventsByStatus"]["closed"], 1);
    assert_eq!(json["eventsByStatus"].as_object().unwrap().len(), 9);
    // Counts only: no resident's name or phone.
    for personal in ["张秀英", "赵磊", "13800138000", "幸福小区"] {
        assert!(!text.contains(personal), "{personal} in the summary");
    }
}
