//! The closed loop of an event as a pure state machine: [`RULES`], the one
//! table of which step may be taken from which status and by whom, and
//! [`derive`], which folds an event's steps through it.
//!
//! The merge rule: every replica holds the same set of steps after a sync
//! (steps are append-only entries). [`derive`] orders them by time, then by
//! step id, and applies each one the table allows at its place in that
//! order; a step it does not allow (a unit resolved while the grid
//! concurrently cancelled) stays in the log unapplied and marks the event
//! as needing review. So every replica derives the same state, and that
//! state is always reached through legal transitions. Escalations take the
//! highest level, so concurrent escalations commute.
//!
//! Roles: the grid's own actions (accept, cancel, send back, dispatch,
//! grant an extension, close, self-resolve, escalate) belong to the grid
//! head and assistants. The area police officer verifies and rejects
//! verifications, as an on-site check independent of the unit, but does not
//! dispatch or close: a police officer's own reports go through the grid
//! like anyone's. A department's account acts as the assignee. Who the
//! reporter or the assignee is, is checked by worker id, whatever the role.
//!
//! To add an action: its line in `StepAction` (mod.rs), its rule here, and
//! what it changes in [`apply`].

use super::{EventStatus, Satisfaction, StepAction, StepRefusal};
use crate::calendar::TimeLimit;
use crate::identity::WorkerRole;

use EventStatus as S;
use StepAction as A;

/// Who may take a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    /// The grid: a grid head or an assistant.
    Grid,
    /// The worker who reported the event.
    Reporter,
    /// The event's current assignee.
    Assignee,
    /// A grid head, assistant or police officer who did not resolve it.
    Verifier,
}

const GRID_ROLES: &[WorkerRole] = &[WorkerRole::GridHead, WorkerRole::Assistant];
const VERIFIER_ROLES: &[WorkerRole] = &[
    WorkerRole::GridHead,
    WorkerRole::Assistant,
    WorkerRole::PoliceOfficer,
];

/// One line of the workflow: an action, the statuses it may be taken from,
/// who may take it and the status it leads to (`None`: unchanged).
pub(crate) struct Rule {
    pub(crate) action: StepAction,
    pub(crate) from: &'static [EventStatus],
    pub(crate) who: Who,
    pub(crate) to: Option<EventStatus>,
}

const OPEN: &[S] = &[
    S::Reported,
    S::Returned,
    S::Accepted,
    S::Dispatched,
    S::Handling,
    S::Resolved,
    S::Verified,
];
const UNIT: &[S] = &[S::Dispatched, S::Handling];

#[rustfmt::skip]
/// The workflow, one line per action.
pub(crate) const RULES: &[Rule] = &[
    Rule { action: A::Accept,             from: &[S::Reported],   who: Who::Grid,     to: Some(S::Accepted) },
    Rule { action: A::Cancel,             from: &[S::Reported, S::Returned, S::Accepted, S::Dispatched, S::Handling],
                                                                  who: Who::Grid,     to: Some(S::Cancelled) },
    Rule { action: A::SendBack,           from: &[S::Reported],   who: Who::Grid,     to: Some(S::Returned) },
    Rule { action: A::Supplement,         from: &[S::Returned],   who: Who::Reporter, to: Some(S::Reported) },
    Rule { action: A::Dispatch,           from: &[S::Accepted],   who: Who::Grid,     to: Some(S::Dispatched) },
    Rule { action: A::Take,               from: &[S::Dispatched], who: Who::Assignee, to: Some(S::Handling) },
    Rule { action: A::RequestExtension,   from: UNIT,             who: Who::Assignee, to: None },
    Rule { action: A::GrantExtension,     from: UNIT,             who: Who::Grid,     to: None },
    Rule { action: A::ReturnByUnit,       from: UNIT,             who: Who::Assignee, to: Some(S::Accepted) },
    Rule { action: A::Resolve,            from: &[S::Handling],   who: Who::Assignee, to: Some(S::Resolved) },
    Rule { action: A::Verify,             from: &[S::Resolved],   who: Who::Verifier, to: Some(S::Verified) },
    Rule { action: A::RejectVerification, from: &[S::Resolved],   who: Who::Verifier, to: Some(S::Handling) },
    Rule { action: A::Close,              from: &[S::Verified],   who: Who::Grid,     to: Some(S::Closed) },
    Rule { action: A::SelfResolve,        from: &[S::Accepted],   who: Who::Grid,     to: Some(S::Closed) },
    Rule { action: A::Escalate,           from: OPEN,             who: Who::Grid,     to: None },
];

/// The rule of an action.
pub(crate) fn rule(action: StepAction) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.action == action)
}

/// Whether a role may ever take an action (before who the worker is and
/// the event's state are known): what the sync server can check.
pub(crate) fn role_may(action: StepAction, role: WorkerRole) -> bool {
    match rule(action).map(|rule| rule.who) {
        Some(Who::Grid) => GRID_ROLES.contains(&role),
        Some(Who::Verifier) => VERIFIER_ROLES.contains(&role),
        Some(Who::Reporter | Who::Assignee) => true,
        None => false,
    }
}

/// What the derivation needs of a report.
#[derive(Debug, Clone)]
pub(crate) struct ReportFacts {
    pub(crate) reporter_id: String,
    pub(crate) has_residents: bool,
    pub(crate) initial_level: i32,
}

/// What the derivation needs of a step.
#[derive(Debug, Clone)]
pub(crate) struct StepFacts {
    pub(crate) id: String,
    /// `None`: an action this build does not know; never applied.
    pub(crate) action: Option<StepAction>,
    pub(crate) at_ms: i64,
    pub(crate) worker_id: String,
    pub(crate) role: Option<WorkerRole>,
    pub(crate) assignee: Option<String>,
    pub(crate) level: Option<i32>,
    pub(crate) extension: Option<TimeLimit>,
    pub(crate) satisfaction: Option<Satisfaction>,
}

/// The state of an event after some of its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct State {
    pub(crate) status: EventStatus,
    pub(crate) level: i32,
    pub(crate) assignee: Option<String>,
    /// Who resolved it, until a rejected verification or a return.
    pub(crate) resolver: Option<String>,
    pub(crate) pending_extension: Option<TimeLimit>,
    /// Extensions granted, in order.
    pub(crate) extensions: Vec<TimeLimit>,
    /// When it was (last) accepted, the start of the handling clock.
    pub(crate) accepted_at_ms: Option<i64>,
}

impl State {
    pub(crate) fn new(report: &ReportFacts) -> State {
        State {
            status: S::Reported,
            level: report.initial_level,
            assignee: None,
            resolver: None,
            pending_extension: None,
            extensions: Vec::new(),
            accepted_at_ms: None,
        }
    }
}

/// Why a step may not be taken where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// An action this build does not know.
    UnknownAction,
    /// Not from this status.
    Status(EventStatus),
    /// Not by this role.
    Role(WorkerRole),
    /// Not by a role this build does not know.
    UnknownRole,
    /// Not by this worker.
    Worker(StepRefusal),
    /// A field the action needs is missing or out of range.
    Missing(&'static str),
}

/// The derived state of an event and how its steps were taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Derived {
    pub(crate) state: State,
    /// The steps' indices in the derived order.
    pub(crate) order: Vec<usize>,
    /// Whether each step (by index) was applied.
    pub(crate) applied: Vec<bool>,
    /// Whether a step was not applied.
    pub(crate) needs_review: bool,
}

/// Whether `step` may be taken in `state`.
pub(crate) fn check(report: &ReportFacts, state: &State, step: &StepFacts) -> Result<(), Refusal> {
    let action = step.action.ok_or(Refusal::UnknownAction)?;
    let rule = rule(action).ok_or(Refusal::UnknownAction)?;
    if !rule.from.contains(&state.status) {
        return Err(Refusal::Status(state.status));
    }
    let role = step.role.ok_or(Refusal::UnknownRole)?;
    if !role_may(action, role) {
        return Err(Refusal::Role(role));
    }
    match rule.who {
        Who::Reporter if step.worker_id != report.reporter_id => {
            return Err(Refusal::Worker(StepRefusal::NotReporter));
        }
        Who::Assignee if state.assignee.as_deref() != Some(step.worker_id.as_str()) => {
            return Err(Refusal::Worker(StepRefusal::NotAssignee));
        }
        Who::Verifier if state.resolver.as_deref() == Some(step.worker_id.as_str()) => {
            return Err(Refusal::Worker(StepRefusal::ResolverMayNotVerify));
        }
        _ => {}
    }
    match action {
        A::Dispatch if step.assignee.as_deref().is_none_or(str::is_empty) => {
            Err(Refusal::Missing("assignee"))
        }
        A::RequestExtension if step.extension.is_none() => Err(Refusal::Missing("extension")),
        A::GrantExtension if state.pending_extension.is_none() => {
            Err(Refusal::Worker(StepRefusal::NoExtensionRequested))
        }
        A::Escalate if !step.level.is_some_and(super::catalogue::is_level) => {
            Err(Refusal::Missing("level"))
        }
        A::SelfResolve if state.level != 1 => Err(Refusal::Worker(StepRefusal::NotRoutineLevel)),
        A::Close | A::SelfResolve if report.has_residents && step.satisfaction.is_none() => {
            Err(Refusal::Missing("satisfaction"))
        }
        _ => Ok(()),
    }
}

/// The state after a step [`check`] allowed.
pub(crate) fn apply(state: &mut State, step: &StepFacts) {
    let Some(action) = step.action else { return };
    if let Some(to) = rule(action).and_then(|rule| rule.to) {
        state.status = to;
    }
    match action {
        A::Accept => state.accepted_at_ms = Some(step.at_ms),
        A::Dispatch => state.assignee.clone_from(&step.assignee),
        A::ReturnByUnit => {
            state.assignee = None;
            state.resolver = None;
            state.pending_extension = None;
        }
        A::Resolve => state.resolver = Some(step.worker_id.clone()),
        A::RejectVerification => state.resolver = None,
        A::RequestExtension => state.pending_extension = step.extension,
        A::GrantExtension => {
            if let Some(granted) = step.extension.or(state.pending_extension.take()) {
                state.extensions.push(granted);
            }
            state.pending_extension = None;
        }
        A::Escalate => state.level = state.level.max(step.level.unwrap_or(1)),
        _ => {}
    }
}

/// The state of an event: its steps in order (time, then id), each applied
/// if it is legal where it stands.
pub(crate) fn derive(report: &ReportFacts, steps: &[StepFacts]) -> Derived {
    let mut order: Vec<usize> = (0..steps.len()).collect();
    order.sort_by(|&a, &b| match (steps.get(a), steps.get(b)) {
        (Some(a), Some(b)) => (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)),
        _ => std::cmp::Ordering::Equal,
    });
    let mut state = State::new(report);
    let mut applied = vec![false; steps.len()];
    for &index in &order {
        let Some(step) = steps.get(index) else {
            continue;
        };
        if check(report, &state, step).is_ok() {
            apply(&mut state, step);
            if let Some(slot) = applied.get_mut(index) {
                *slot = true;
            }
        }
    }
    let needs_review = applied.iter().any(|a| !a);
    Derived {
        state,
        order,
        applied,
        needs_review,
    }
}
