//! The events' merge rule, as a property: three phones (the grid head, a
//! department, the area police officer) take random steps on one event
//! offline, legal and illegal alike, and exchange their changes in random
//! orders. After a full exchange every phone shows the same event, every
//! step a phone acknowledged is in the log, and the derived state is
//! reachable: deriving again from the applied steps alone applies them all
//! and gives the same state.

use proptest::prelude::*;

use super::events::{event_input, open_as, step, sync_all};
use super::*;
use crate::Error;
use crate::kinds::events::workflow::{self, ReportFacts, StepFacts};

#[derive(Debug, Clone)]
enum Op {
    /// A phone takes a step: the action's index in `StepAction::ALL` and a
    /// number that picks the step's data.
    Step {
        phone: usize,
        action: usize,
        pick: usize,
    },
    /// One phone sends everything it has to another.
    Send { from: usize, to: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..3usize, 0..StepAction::ALL.len(), 0..8usize)
            .prop_map(|(phone, action, pick)| Op::Step { phone, action, pick }),
        1 => (0..3usize, 0..3usize).prop_map(|(from, to)| Op::Send { from, to }),
    ]
}

const WORKERS: [&str; 3] = ["head", "dept", "police"];

fn input(event: &str, action: StepAction, pick: usize, minute: i64) -> EventStepInput {
    EventStepInput {
        assignee: Some(WORKERS[pick % 3].to_string()),
        level: Some(2 + (pick % 2) as i32),
        extension: Some(TimeLimit::Hours {
            hours: 1 + pick as i32,
        }),
        satisfaction: (!pick.is_multiple_of(4)).then_some(Satisfaction::Satisfied),
        ..step(event, action, minute)
    }
}

fn facts(step: &EventStep) -> StepFacts {
    StepFacts {
        id: step.id.clone(),
        action: Some(step.action),
        at_ms: step.at.utc_ms,
        worker_id: step.worker_id.clone(),
        role: Some(step.role),
        assignee: step.assignee.clone(),
        level: step.level,
        extension: step.extension,
        satisfaction: step.satisfaction,
    }
}

fn run(ops: Vec<Op>, with_residents: bool) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let phones = [
        open_as(&dir, "head", WorkerRole::GridHead),
        open_as(&dir, "dept", WorkerRole::Department),
        open_as(&dir, "police", WorkerRole::PoliceOfficer),
    ];
    let f = fixture(&phones[0]);
    let residents = if with_residents {
        vec![f.head.clone()]
    } else {
        vec![]
    };
    let id = phones[0]
        .report_event(EventInput {
            residents_involved: residents,
            ..event_input(&f.grid, "fire_lane_blocked")
        })
        .unwrap();
    sync_all(&[&phones[0], &phones[1], &phones[2]]);
    let mut acknowledged = Vec::new();
    for (index, op) in ops.into_iter().enumerate() {
        match op {
            Op::Step {
                phone,
                action,
                pick,
            } => {
                let action = StepAction::ALL[action];
                let minute = 1 + index as i64;
                match phones[phone].take_event_step(input(&id, action, pick, minute)) {
                    Ok(step_id) => acknowledged.push(step_id),
                    Err(
                        Error::StepNotAllowed { .. }
                        | Error::RoleMayNot { .. }
                        | Error::StepRefused { .. }
                        | Error::Invalid { .. },
                    ) => {}
                    Err(other) => prop_assert!(false, "unexpected error {other}"),
                }
            }
            Op::Send { from, to } if from != to => send(&phones[from], &phones[to]),
            Op::Send { .. } => {}
        }
    }
    sync_all(&[&phones[0], &phones[1], &phones[2]]);
    let event = phones[0].event(&id).unwrap();
    for phone in &phones[1..] {
        prop_assert_eq!(&phone.event(&id).unwrap(), &event);
    }
    let logged: Vec<&str> = event.steps.iter().map(|s| s.id.as_str()).collect();
    for step_id in &acknowledged {
        prop_assert!(logged.contains(&step_id.as_str()), "a step was lost");
    }
    prop_assert_eq!(logged.len(), acknowledged.len());
    prop_assert_eq!(event.needs_review, event.steps.iter().any(|s| !s.applied));
    // Reachable: the applied steps alone, derived again, are all legal and
    // lead to the same state.
    let report = ReportFacts {
        reporter_id: "head".into(),
        has_residents: with_residents,
        initial_level: 1,
    };
    let applied: Vec<StepFacts> = event
        .steps
        .iter()
        .filter(|s| s.applied)
        .map(facts)
        .collect();
    let again = workflow::derive(&report, &applied);
    prop_assert!(!again.needs_review);
    prop_assert_eq!(again.state.status, event.status);
    prop_assert_eq!(again.state.level, event.level);
    prop_assert_eq!(&again.state.assignee, &event.assignee);
    assert_rebuild_matches(&phones[1]);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn replicas_taking_steps_offline_agree_on_a_reachable_state(
        ops in proptest::collection::vec(op(), 1..60),
        with_residents in any::<bool>(),
    ) {
        run(ops, with_residents)?;
    }
}

/// A fixed schedule that reaches the unit's steps, so the property above is
/// known to cover more than the grid's first steps.
#[test]
fn a_scripted_schedule_reaches_handling_and_contradicts() {
    let send_all = |from| (0..3).map(move |to| Op::Send { from, to });
    let s = |phone, action: StepAction, pick| Op::Step {
        phone,
        action: StepAction::ALL.iter().position(|a| *a == action).unwrap(),
        pick,
    };
    let mut ops = vec![s(0, StepAction::Accept, 0), s(0, StepAction::Dispatch, 1)];
    ops.extend(send_all(0));
    ops.push(s(1, StepAction::Take, 0));
    ops.extend(send_all(1));
    ops.push(s(1, StepAction::Resolve, 0));
    ops.push(s(0, StepAction::Cancel, 0));
    run(ops, false).unwrap();
}
