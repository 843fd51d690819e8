//! Grid events refused: a role that may not take a step, a step not legal
//! where the event stands, bad input, an unknown category, records of
//! another grid, a missing satisfaction. Each writes nothing.

use super::events::{Team, event_input, step, sync_all, team};
use super::*;
use crate::{Error, InvalidReason};

#[test]
fn roles_that_may_not_take_a_step_are_refused() {
    let Team {
        head,
        dept,
        police,
        f,
        ..
    } = team();
    let id = head
        .report_event(event_input(&f.grid, "street_vending"))
        .unwrap();
    sync_all(&[&head, &dept, &police]);
    let refused = |store: &Store, action| match store.take_event_step(EventStepInput {
        assignee: Some("dept".into()),
        ..step(&id, action, 1)
    }) {
        Err(Error::RoleMayNot { action, role }) => (action, role),
        other => panic!("expected RoleMayNot, got {other:?}"),
    };
    assert_eq!(
        refused(&dept, StepAction::Accept),
        ("accept", WorkerRole::Department)
    );
    assert_eq!(
        refused(&police, StepAction::Cancel),
        ("cancel", WorkerRole::PoliceOfficer)
    );
    head.take_event_step(step(&id, StepAction::Accept, 1))
        .unwrap();
    sync_all(&[&head, &dept, &police]);
    let later = |store: &Store, action| match store.take_event_step(EventStepInput {
        assignee: Some("dept".into()),
        ..step(&id, action, 2)
    }) {
        Err(Error::RoleMayNot { action, role }) => (action, role),
        other => panic!("expected RoleMayNot, got {other:?}"),
    };
    assert_eq!(
        later(&police, StepAction::Dispatch),
        ("dispatch", WorkerRole::PoliceOfficer)
    );
    assert_eq!(
        later(&dept, StepAction::SelfResolve),
        ("self_resolve", WorkerRole::Department)
    );
    assert!(dept.event(&id).unwrap().steps.len() == 1);
}

#[test]
fn illegal_steps_and_bad_input_write_nothing() {
    let Team { head, f, .. } = team();
    let id = head
        .report_event(event_input(&f.grid, "security_hazard"))
        .unwrap();
    head.take_event_step(step(&id, StepAction::Accept, 5))
        .unwrap();
    let before = (
        head.query_table_dump().unwrap(),
        chunk_count(&head),
        head.sync_status().unwrap().unsent_changes,
    );
    let refusals: Vec<(EventStepInput, &str)> = vec![
        (
            step(&id, StepAction::Take, 6),
            "StepNotAllowed take accepted",
        ),
        (
            step(&id, StepAction::Close, 6),
            "StepNotAllowed close accepted",
        ),
        (
            step(&id, StepAction::Accept, 6),
            "StepNotAllowed accept accepted",
        ),
        (step(&id, StepAction::Dispatch, 6), "Invalid assignee"),
        (
            step(&id, StepAction::GrantExtension, 6),
            "StepNotAllowed grant_extension accepted",
        ),
        (step(&id, StepAction::Cancel, 4), "Invalid at"),
        (
            EventStepInput {
                photos: vec!["AB".repeat(32)],
                ..step(&id, StepAction::Cancel, 6)
            },
            "Invalid photos",
        ),
        (
            step("no-such-event", StepAction::Cancel, 6),
            "NotFound event",
        ),
    ];
    for (input, expected) in refusals {
        let got = match head.take_event_step(input) {
            Err(Error::StepNotAllowed { action, status }) => {
                format!("StepNotAllowed {action} {status}")
            }
            Err(Error::Invalid { field, .. }) => format!("Invalid {field}"),
            Err(Error::NotFound { kind, .. }) => format!("NotFound {kind}"),
            other => panic!("{expected}: got {other:?}"),
        };
        assert_eq!(got, expected);
    }
    let after = (
        head.query_table_dump().unwrap(),
        chunk_count(&head),
        head.sync_status().unwrap().unsent_changes,
    );
    assert!(before == after, "a refused step wrote something");
}

#[test]
fn an_unknown_category_and_strangers_of_another_grid_are_refused() {
    let Team { head, f, .. } = team();
    let other_grid = head
        .create_grid(GridInput {
            code: "330106001001002".into(),
            ..grid_input()
        })
        .unwrap();
    let building = head
        .create_building(&other_grid, building_input("9栋"))
        .unwrap();
    let household = head
        .create_household(household_input(&building, "101"))
        .unwrap();
    let stranger = head
        .create_resident(ResidentInput {
            id_number: None,
            ..resident_input(&household, "陈明")
        })
        .unwrap();
    let before = head.query_table_dump().unwrap();
    assert!(matches!(
        head.report_event(event_input(&f.grid, "gas_leaks")),
        Err(Error::Invalid {
            field: "category",
            reason: InvalidReason::UnknownCode
        })
    ));
    let refused = |input: EventInput| match head.report_event(input) {
        Err(Error::NotFound { kind, .. }) => kind,
        other => panic!("expected NotFound, got {other:?}"),
    };
    let base = event_input(&f.grid, "family_dispute");
    assert_eq!(
        refused(EventInput {
            residents_involved: vec![f.head.clone(), stranger],
            ..base.clone()
        }),
        RecordKind::Resident
    );
    assert_eq!(
        refused(EventInput {
            household_id: Some(household),
            ..base.clone()
        }),
        RecordKind::Household
    );
    assert_eq!(
        refused(EventInput {
            building_id: Some(building),
            ..base.clone()
        }),
        RecordKind::Building
    );
    assert_eq!(
        refused(EventInput {
            source_record_id: Some("3f1d2c3b-0000-4000-8000-000000000000".into()),
            ..base.clone()
        }),
        RecordKind::Visit
    );
    assert_eq!(head.query_table_dump().unwrap(), before);
    // A visit of the grid is a valid source.
    let visit = head.log_visit(visit_input(&f.household)).unwrap();
    head.report_event(EventInput {
        source_record_id: Some(visit),
        ..base
    })
    .unwrap();
}

#[test]
fn closing_an_event_with_residents_needs_their_satisfaction() {
    let Team { head, f, .. } = team();
    let id = head
        .report_event(EventInput {
            residents_involved: vec![f.head.clone()],
            ..event_input(&f.grid, "elderly_alone_help")
        })
        .unwrap();
    head.take_event_step(step(&id, StepAction::Accept, 1))
        .unwrap();
    assert!(matches!(
        head.take_event_step(step(&id, StepAction::SelfResolve, 2)),
        Err(Error::Invalid {
            field: "satisfaction",
            reason: InvalidReason::Required
        })
    ));
    head.take_event_step(EventStepInput {
        satisfaction: Some(Satisfaction::BasicallySatisfied),
        ..step(&id, StepAction::SelfResolve, 2)
    })
    .unwrap();
    let event = head.event(&id).unwrap();
    assert_eq!(event.status, EventStatus::Closed);
    assert_eq!(
        event.steps[1].satisfaction,
        Some(Satisfaction::BasicallySatisfied)
    );
    // Without residents, none is asked for.
    let other = head
        .report_event(event_input(&f.grid, "elderly_alone_help"))
        .unwrap();
    head.take_event_step(step(&other, StepAction::Accept, 1))
        .unwrap();
    head.take_event_step(step(&other, StepAction::SelfResolve, 2))
        .unwrap();
}

#[test]
fn a_bad_report_names_its_field_and_writes_nothing() {
    let Team { head, f, .. } = team();
    let before = head.query_table_dump().unwrap();
    let field = |input: EventInput| match head.report_event(input) {
        Err(Error::Invalid { field, reason }) => (field, reason),
        other => panic!("expected Invalid, got {other:?}"),
    };
    let base = event_input(&f.grid, "gas_leak");
    assert_eq!(
        field(EventInput {
            description: "  ".into(),
            ..base.clone()
        }),
        ("description", InvalidReason::Empty)
    );
    assert_eq!(
        field(EventInput {
            description: "漏".repeat(2001),
            ..base.clone()
        }),
        ("description", InvalidReason::TooLong { max: 2000 })
    );
    assert_eq!(
        field(EventInput {
            photos: vec!["0".repeat(63)],
            ..base.clone()
        }),
        ("photos", InvalidReason::PhotoId)
    );
    assert_eq!(
        field(EventInput {
            photos: vec!["0".repeat(64); 21],
            ..base.clone()
        }),
        ("photos", InvalidReason::TooLong { max: 20 })
    );
    assert_eq!(
        field(EventInput {
            gps: Some(GpsFix {
                point: GeoPoint {
                    lon: 200.0,
                    lat: 30.0
                },
                accuracy_m: 5.0
            }),
            ..base.clone()
        })
        .0,
        "gps.lon"
    );
    assert_eq!(
        field(EventInput {
            at: Timestamp {
                utc_ms: crate::values::now_ms() + 3 * 3_600_000,
                offset_minutes: 480
            },
            ..base.clone()
        }),
        ("at", InvalidReason::InFuture)
    );
    assert!(matches!(
        head.report_event(EventInput {
            grid_id: "no-such-grid".into(),
            ..base
        }),
        Err(Error::NotFound {
            kind: RecordKind::Grid,
            ..
        })
    ));
    assert_eq!(head.query_table_dump().unwrap(), before);
}
