use super::*;
use crate::{Error, InvalidReason, VisitDue, VisitPolicy};

const DAY_MS: i64 = 86_400_000;

/// Logs a visit `days_ago` days before now with the given outcome.
fn visit(store: &Store, household: &str, days_ago: i64, outcome: VisitOutcome) {
    let mut input = visit_input(household);
    input.at.utc_ms -= days_ago * DAY_MS;
    input.outcome = outcome;
    store.log_visit(input).unwrap();
}

fn household(store: &Store, building: &str, room: &str) -> String {
    store
        .create_household(household_input(building, room))
        .unwrap()
}

fn resident(store: &Store, household: &str, care: &[&str]) -> String {
    let mut input = resident_input(household, "王建国");
    input.id_number = None;
    input.care = care.iter().map(|c| c.to_string()).collect();
    store.create_resident(input).unwrap()
}

fn rooms(store: &Store, due: &[VisitDue]) -> Vec<String> {
    due.iter()
        .map(|d| {
            let detail = store.household(&d.household.id).unwrap();
            detail.household.room
        })
        .collect()
}

struct Street {
    grid: String,
    today: Date,
}

/// Seven households, each a case of the plan:
/// - 101: an elder living alone, met 10 days ago (weekly: 3 days overdue);
/// - 102: no care category, met 100 days ago (quarterly: 10 days overdue);
/// - 103: no care category, met 10 days ago (not due);
/// - 104: a left-behind child, never visited (due at once);
/// - 105: an elder living alone, met 20 days ago, nobody home yesterday
///   (the failed knock does not count: 13 days overdue);
/// - 106: moved out (never planned);
/// - 107: its only elder living alone died; met 30 days ago (quarterly: not due).
fn street(store: &Store) -> Street {
    let grid = store.create_grid(grid_input()).unwrap();
    let building = store.create_building(&grid, building_input("3栋")).unwrap();
    let h101 = household(store, &building, "101");
    resident(store, &h101, &["elderly_alone"]);
    visit(store, &h101, 10, VisitOutcome::Met);
    let h102 = household(store, &building, "102");
    resident(store, &h102, &[]);
    visit(store, &h102, 100, VisitOutcome::Met);
    let h103 = household(store, &building, "103");
    resident(store, &h103, &[]);
    visit(store, &h103, 10, VisitOutcome::Met);
    let h104 = household(store, &building, "104");
    resident(store, &h104, &["left_behind_child"]);
    let h105 = household(store, &building, "105");
    resident(store, &h105, &["elderly_alone", "hardship"]);
    visit(store, &h105, 20, VisitOutcome::Met);
    visit(store, &h105, 1, VisitOutcome::NobodyHome);
    let h106 = household(store, &building, "106");
    resident(store, &h106, &["elderly_alone"]);
    store.move_out_household(&h106).unwrap();
    let h107 = household(store, &building, "107");
    let gone = resident(store, &h107, &["elderly_alone"]);
    resident(store, &h107, &[]);
    visit(store, &h107, 30, VisitOutcome::Met);
    let today = now_local().local_date();
    store
        .retire_resident(&gone, ResidentStatus::Deceased, today)
        .unwrap();
    Street { grid, today }
}

#[test]
fn plan_lists_due_households_most_urgent_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w1");
    let s = street(&store);
    let due = store
        .visits_due(&s.grid, s.today, &VisitPolicy::default())
        .unwrap();
    assert_eq!(rooms(&store, &due), ["104", "105", "102", "101"]);

    let never = &due[0];
    assert_eq!(never.care_categories, ["left_behind_child"]);
    assert_eq!(never.interval_days, 30);
    assert_eq!(
        (never.due_on, never.last_reached_on, never.last_visit),
        (None, None, None)
    );
    assert_eq!(never.days_overdue, 0);
    assert_eq!(never.member_count, 1);

    let failed_knock = &due[1];
    assert_eq!(failed_knock.care_categories, ["elderly_alone", "hardship"]);
    assert_eq!(
        failed_knock.interval_days, 7,
        "the shortest category interval"
    );
    assert_eq!(failed_knock.last_reached_on, Some(s.today.add_days(-20)));
    assert_eq!(failed_knock.due_on, Some(s.today.add_days(-13)));
    assert_eq!(failed_knock.days_overdue, 13);
    assert_eq!(
        failed_knock.last_visit.map(|t| t.local_date()),
        Some(s.today.add_days(-1)),
        "the latest visit shows the failed knock"
    );

    assert_eq!((due[2].interval_days, due[2].days_overdue), (90, 10));
    assert!(due[2].care_categories.is_empty());
    assert_eq!((due[3].interval_days, due[3].days_overdue), (7, 3));
}

#[test]
fn a_reaching_visit_takes_a_household_off_the_plan_and_a_failed_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w1");
    let s = street(&store);
    let policy = VisitPolicy::default();
    let due = store.visits_due(&s.grid, s.today, &policy).unwrap();
    let id = |room: &str| {
        due.iter()
            .find(|d| d.household.room == room)
            .map(|d| d.household.id.clone())
            .unwrap()
    };
    let (h101, h102, h104) = (id("101"), id("102"), id("104"));
    visit(&store, &h104, 0, VisitOutcome::Refused);
    visit(&store, &h101, 0, VisitOutcome::Met);
    visit(&store, &h102, 0, VisitOutcome::Vacant);
    let due = store.visits_due(&s.grid, s.today, &policy).unwrap();
    assert_eq!(rooms(&store, &due), ["104", "105"]);
    // A week later the elder is due again, on the day.
    let later = s.today.add_days(7);
    let due = store.visits_due(&s.grid, later, &policy).unwrap();
    let h101_due = due.iter().find(|d| d.household.id == h101).unwrap();
    assert_eq!((h101_due.due_on, h101_due.days_overdue), (Some(later), 0));
}

#[test]
fn the_policy_decides_intervals_and_who_is_planned() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w1");
    let s = street(&store);
    let care_only = VisitPolicy {
        general_interval_days: None,
        category_interval_days: [("elderly_alone".to_string(), 14)].into(),
    };
    let due = store.visits_due(&s.grid, s.today, &care_only).unwrap();
    // 104's category is not listed and there is no general interval.
    assert_eq!(rooms(&store, &due), ["105"]);
    assert_eq!((due[0].interval_days, due[0].days_overdue), (14, 6));

    let everyone_weekly = VisitPolicy {
        general_interval_days: Some(7),
        category_interval_days: Default::default(),
    };
    let due = store
        .visits_due(&s.grid, s.today, &everyone_weekly)
        .unwrap();
    assert_eq!(
        rooms(&store, &due),
        ["104", "102", "107", "105", "101", "103"]
    );
    assert!(
        store
            .visits_due("no-such-grid", s.today, &everyone_weekly)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_bad_policy_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w1");
    let s = street(&store);
    let refused = |policy: VisitPolicy| match store.visits_due(&s.grid, s.today, &policy) {
        Err(Error::Invalid { field, reason }) => (field, reason),
        other => panic!("expected Invalid, got {other:?}"),
    };
    let policy = VisitPolicy {
        general_interval_days: Some(0),
        ..VisitPolicy::default()
    };
    assert_eq!(
        refused(policy),
        ("general_interval_days", InvalidReason::OutOfRange)
    );
    let mut policy = VisitPolicy::default();
    policy
        .category_interval_days
        .insert("elderly_alone".into(), crate::MAX_INTERVAL_DAYS + 1);
    assert_eq!(
        refused(policy),
        ("category_interval_days", InvalidReason::OutOfRange)
    );
    let mut policy = VisitPolicy::default();
    policy.category_interval_days.insert("独居".into(), 7);
    assert_eq!(refused(policy).0, "category");
}
