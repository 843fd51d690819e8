//! Who may write what in the points ledger, on the phone and on the sync
//! server alike: the phone refuses the call with `Error::PointsRoleMayNot`,
//! the server a push (a `registry::EntryCheck` per collection, run by
//! `sync::check_authors` with the role the server keeps). Volunteers never
//! write their own points.

use super::PointsAction;
use crate::code_list::CodeList;
use crate::identity::WorkerRole;
use crate::registry::EntryRefusal;

/// Whether a worker with `role` may take `action`: the grid head awards and
/// sets the rule; the grid head and assistants run the exchange and the
/// talent pool.
pub(crate) fn role_may(action: PointsAction, role: WorkerRole) -> bool {
    match action {
        PointsAction::Award | PointsAction::SetRule => role == WorkerRole::GridHead,
        PointsAction::Spend | PointsAction::Enrol => {
            matches!(role, WorkerRole::GridHead | WorkerRole::Assistant)
        }
    }
}

fn check(action: PointsAction, role: &str) -> Result<(), EntryRefusal> {
    match WorkerRole::from_code(role) {
        Some(role) if role_may(action, role) => Ok(()),
        _ => Err(EntryRefusal::RoleMayNot(action.code())),
    }
}

/// A pushed ledger entry: its kind's action. An entry of a kind this build
/// does not know is refused: every entry moves balances.
pub(crate) fn check_pushed_entry(
    entry: &serde_json::Map<String, serde_json::Value>,
    role: &str,
) -> Result<(), EntryRefusal> {
    let action = match entry.get("kind").and_then(serde_json::Value::as_str) {
        Some("award") => PointsAction::Award,
        Some("spend") => PointsAction::Spend,
        _ => return Err(EntryRefusal::RoleMayNot("points_entry")),
    };
    check(action, role)
}

/// A pushed rule: the grid head's only.
pub(crate) fn check_pushed_rule(
    _entry: &serde_json::Map<String, serde_json::Value>,
    role: &str,
) -> Result<(), EntryRefusal> {
    check(PointsAction::SetRule, role)
}

/// A pushed talent-pool enrolment or withdrawal.
pub(crate) fn check_pushed_enrolment(
    _entry: &serde_json::Map<String, serde_json::Value>,
    role: &str,
) -> Result<(), EntryRefusal> {
    check(PointsAction::Enrol, role)
}
