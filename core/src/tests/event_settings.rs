//! A grid's own event settings: categories it adds to the shipped catalogue
//! and the names and routing it gives the whistle levels, written by the
//! grid head only, read the same by the grid's team and its departments,
//! and refused whole on bad input.

use super::events::{event_input, open_as, step, sync_all, t, team};
use super::*;
use crate::{Error, InvalidReason, TimeLimit};

fn pothole(grid: &str) -> LocalCategoryInput {
    LocalCategoryInput {
        grid_id: grid.into(),
        code: "local_pothole".into(),
        name: "路面坑洼".into(),
        group_code: "local_roads".into(),
        group_name: "道路交通".into(),
        limit: TimeLimit::WorkingDays { days: 5 },
        close_condition: "坑洼填平，现场复核".into(),
        initial_level: 2,
    }
}

fn invalid(result: Result<(), Error>) -> (&'static str, InvalidReason) {
    match result {
        Err(Error::Invalid { field, reason }) => (field, reason),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn codes(store: &Store, grid: &str) -> Vec<(String, bool)> {
    store
        .event_categories(grid)
        .unwrap()
        .categories
        .into_iter()
        .map(|c| (c.code, c.local))
        .collect()
}

#[test]
fn a_grid_category_is_offered_reported_and_read_by_the_department() {
    let team = team();
    let grid = &team.f.grid;
    team.head.define_event_category(pothole(grid)).unwrap();
    let listed = team.head.event_categories(grid).unwrap();
    assert_eq!(listed.version, 1);
    assert_eq!(listed.categories.len(), 16);
    let own = listed.categories.last().unwrap();
    assert_eq!(
        own,
        &EventCategory {
            code: "local_pothole".into(),
            name: "路面坑洼".into(),
            group_code: "local_roads".into(),
            group_name: "道路交通".into(),
            limit: TimeLimit::WorkingDays { days: 5 },
            close_condition: "坑洼填平，现场复核".into(),
            initial_level: 2,
            local: true,
        }
    );
    let id = team
        .head
        .report_event(event_input(grid, "local_pothole"))
        .unwrap();
    let event = team.head.event(&id).unwrap();
    assert_eq!((event.category.as_str(), event.level), ("local_pothole", 2));
    // Another grid does not offer it.
    let other = team.head.create_grid(grid_input()).unwrap();
    assert_eq!(
        team.head.event_categories(&other).unwrap().categories.len(),
        15
    );
    let refused = team
        .head
        .report_event(event_input(&other, "local_pothole"))
        .unwrap_err();
    assert!(matches!(
        refused,
        Error::Invalid {
            field: "category",
            reason: InvalidReason::UnknownCode
        }
    ));
    // The department, which holds no roster, reads the same catalogue.
    sync_all(&[&team.head, &team.dept]);
    assert_eq!(team.dept.event_categories(grid).unwrap(), listed);
    assert_eq!(team.dept.event(&id).unwrap().category, "local_pothole");
    assert_rebuild_matches(&team.head);
    assert_rebuild_matches(&team.dept);
}

#[test]
fn a_shipped_group_keeps_its_name_and_a_change_applies_to_later_reports() {
    let team = team();
    let grid = &team.f.grid;
    let in_safety = LocalCategoryInput {
        group_code: "safety".into(),
        group_name: "别的名字".into(),
        ..pothole(grid)
    };
    team.head.define_event_category(in_safety.clone()).unwrap();
    let first = team
        .head
        .report_event(event_input(grid, "local_pothole"))
        .unwrap();
    team.head
        .define_event_category(LocalCategoryInput {
            initial_level: 1,
            limit: TimeLimit::Hours { hours: 8 },
            ..in_safety
        })
        .unwrap();
    let own = team
        .head
        .event_categories(grid)
        .unwrap()
        .categories
        .pop()
        .unwrap();
    assert_eq!(
        (own.group_name.as_str(), own.initial_level, own.limit),
        ("安全隐患", 1, TimeLimit::Hours { hours: 8 })
    );
    let second = team
        .head
        .report_event(EventInput {
            at: t(1),
            ..event_input(grid, "local_pothole")
        })
        .unwrap();
    assert_eq!(team.head.event(&first).unwrap().level, 2);
    assert_eq!(team.head.event(&second).unwrap().level, 1);
}

#[test]
fn a_retired_category_is_no_longer_offered_and_its_events_keep_it() {
    let team = team();
    let grid = &team.f.grid;
    team.head.define_event_category(pothole(grid)).unwrap();
    let id = team
        .head
        .report_event(event_input(grid, "local_pothole"))
        .unwrap();
    team.head
        .retire_event_category(grid, "local_pothole")
        .unwrap();
    assert!(
        !codes(&team.head, grid)
            .iter()
            .any(|(c, _)| c == "local_pothole")
    );
    assert!(matches!(
        team.head.report_event(event_input(grid, "local_pothole")),
        Err(Error::Invalid {
            field: "category",
            reason: InvalidReason::UnknownCode
        })
    ));
    team.head
        .take_event_step(step(&id, StepAction::Accept, 1))
        .unwrap();
    assert_eq!(team.head.event(&id).unwrap().category, "local_pothole");
    // Defining it again offers it again.
    team.head.define_event_category(pothole(grid)).unwrap();
    assert_eq!(
        codes(&team.head, grid).last().unwrap(),
        &("local_pothole".to_string(), true)
    );
    assert_eq!(
        invalid(team.head.retire_event_category(grid, "gas_leak")),
        ("code", InvalidReason::ReservedCode)
    );
    assert!(matches!(
        team.head.retire_event_category(grid, "local_never"),
        Err(Error::NotFound {
            kind: RecordKind::EventCatalogue,
            ..
        })
    ));
}

#[test]
fn the_grid_names_and_routes_its_whistle_levels() {
    let team = team();
    let grid = &team.f.grid;
    team.head
        .set_whistle_level(WhistleLevelInput {
            grid_id: grid.clone(),
            rank: 2,
            name: "街道哨".into(),
            handled_by: "街道城管科、房管所".into(),
            supervised: true,
            default_assignee: Some("dept".into()),
        })
        .unwrap();
    let levels = team.head.whistle_levels(grid).unwrap();
    let named: Vec<(i32, &str, &str, bool, Option<&str>)> = levels
        .levels
        .iter()
        .map(|l| {
            (
                l.rank,
                l.name.as_str(),
                l.handled_by.as_str(),
                l.supervised,
                l.default_assignee.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        named,
        vec![
            (1, "常规哨", "网格和社区", false, None),
            (2, "街道哨", "街道城管科、房管所", true, Some("dept")),
            (3, "攻坚哨", "区级职能部门", true, None),
        ]
    );
    // The code stays the shipped one; other grids keep the shipped names.
    assert_eq!(levels.levels[1].code, "joint");
    let other = team.head.create_grid(grid_input()).unwrap();
    assert_eq!(
        team.head.whistle_levels(&other).unwrap().levels[1].name,
        "联合哨"
    );
    sync_all(&[&team.head, &team.dept, &team.police]);
    assert_eq!(team.dept.whistle_levels(grid).unwrap(), levels);
    assert_eq!(team.police.whistle_levels(grid).unwrap(), levels);
    assert_rebuild_matches(&team.police);
}

#[test]
fn two_devices_of_the_grid_head_renaming_a_level_offline_converge() {
    let dir = tempfile::tempdir().unwrap();
    let phone = open_as(&dir, "head", WorkerRole::GridHead);
    let f = fixture(&phone);
    let tablet = Store::open(
        dir.path().join("head-tablet.db"),
        WorkerIdentity {
            role: WorkerRole::GridHead,
            device_label: "tablet".into(),
            ..identity("head")
        },
    )
    .unwrap();
    sync_all(&[&phone, &tablet]);
    let level = |store: &Store, name: &str| {
        store
            .set_whistle_level(WhistleLevelInput {
                grid_id: f.grid.clone(),
                rank: 1,
                name: name.into(),
                handled_by: "网格".into(),
                supervised: false,
                default_assignee: None,
            })
            .unwrap();
    };
    level(&phone, "网格哨");
    level(&tablet, "社区哨");
    sync_all(&[&phone, &tablet]);
    let on_phone = phone.whistle_levels(&f.grid).unwrap();
    assert_eq!(on_phone, tablet.whistle_levels(&f.grid).unwrap());
    assert!(["网格哨", "社区哨"].contains(&on_phone.levels[0].name.as_str()));
    assert_rebuild_matches(&phone);
}

#[test]
fn only_the_grid_head_changes_the_settings_and_a_refusal_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let head = open_as(&dir, "head", WorkerRole::GridHead);
    let f = fixture(&head);
    let assistant = open_as(&dir, "assistant", WorkerRole::Assistant);
    sync_all(&[&head, &assistant]);
    let unsent = assistant.sync_status().unwrap().unsent_changes;
    let refused = assistant.define_event_category(pothole(&f.grid));
    assert!(matches!(
        refused,
        Err(Error::GridHeadOnly {
            role: WorkerRole::Assistant
        })
    ));
    assert!(matches!(
        assistant.retire_event_category(&f.grid, "local_pothole"),
        Err(Error::GridHeadOnly { .. })
    ));
    assert_eq!(assistant.sync_status().unwrap().unsent_changes, unsent);
    assert_eq!(codes(&assistant, &f.grid).len(), 15);
}

#[test]
fn bad_settings_are_refused_naming_the_field_and_write_nothing() {
    let team = team();
    let grid = &team.f.grid;
    let head = &team.head;
    let unsent = head.sync_status().unwrap().unsent_changes;
    let cases: Vec<(LocalCategoryInput, (&str, InvalidReason))> = vec![
        (
            LocalCategoryInput {
                code: "pothole".into(),
                ..pothole(grid)
            },
            ("code", InvalidReason::ReservedCode),
        ),
        (
            LocalCategoryInput {
                code: "local pothole".into(),
                ..pothole(grid)
            },
            ("code", InvalidReason::BadCharacters),
        ),
        (
            LocalCategoryInput {
                group_code: "roads".into(),
                ..pothole(grid)
            },
            ("group_code", InvalidReason::ReservedCode),
        ),
        (
            LocalCategoryInput {
                group_name: " ".into(),
                ..pothole(grid)
            },
            ("group_name", InvalidReason::Empty),
        ),
        (
            LocalCategoryInput {
                name: "".into(),
                ..pothole(grid)
            },
            ("name", InvalidReason::Empty),
        ),
        (
            LocalCategoryInput {
                limit: TimeLimit::Hours { hours: 0 },
                ..pothole(grid)
            },
            ("limit.amount", InvalidReason::OutOfRange),
        ),
        (
            LocalCategoryInput {
                initial_level: 4,
                ..pothole(grid)
            },
            ("initial_level", InvalidReason::OutOfRange),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(invalid(head.define_event_category(input)), expected);
    }
    assert!(matches!(
        head.define_event_category(LocalCategoryInput {
            grid_id: "00000000-0000-4000-8000-000000000000".into(),
            ..pothole(grid)
        }),
        Err(Error::NotFound {
            kind: RecordKind::Grid,
            ..
        })
    ));
    let level = WhistleLevelInput {
        grid_id: grid.clone(),
        rank: 0,
        name: "零".into(),
        handled_by: "网格".into(),
        supervised: false,
        default_assignee: None,
    };
    assert_eq!(
        invalid(head.set_whistle_level(level.clone())),
        ("rank", InvalidReason::OutOfRange)
    );
    assert_eq!(
        invalid(head.set_whistle_level(WhistleLevelInput {
            rank: 1,
            name: "很长的名字".repeat(5),
            ..level.clone()
        })),
        ("name", InvalidReason::TooLong { max: 20 })
    );
    assert_eq!(
        invalid(head.set_whistle_level(WhistleLevelInput {
            rank: 1,
            default_assignee: Some("a b".into()),
            ..level
        })),
        ("default_assignee", InvalidReason::BadCharacters)
    );
    assert_eq!(head.sync_status().unwrap().unsent_changes, unsent);
    assert_eq!(codes(head, grid).len(), 15);
    assert_eq!(head.whistle_levels(grid).unwrap().levels[0].name, "常规哨");
}
