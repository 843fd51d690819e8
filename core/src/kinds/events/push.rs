//! The sync server's check of pushed event steps (a `registry::EntryCheck`
//! of the `event_steps` collection, run by `sync::check_authors` when the
//! server knows the pusher's role).

use super::codes::StepAction;
use super::workflow::role_may;
use crate::code_list::CodeList;
use crate::identity::WorkerRole;
use crate::registry::EntryRefusal;

/// The sync server's check of a pushed step: it names the role the server
/// keeps, and that role may take its action. An action this build does not
/// know passes (a newer phone's; every replica leaves it unapplied).
pub(crate) fn check_pushed_step(
    entry: &serde_json::Map<String, serde_json::Value>,
    role: &str,
) -> Result<(), EntryRefusal> {
    match entry.get("role") {
        Some(serde_json::Value::String(written)) if written == role => {}
        _ => return Err(EntryRefusal::Forged("role")),
    }
    let Some(action) = entry
        .get("action")
        .and_then(serde_json::Value::as_str)
        .and_then(StepAction::from_code)
    else {
        return Ok(());
    };
    match WorkerRole::from_code(role) {
        Some(role) if role_may(action, role) => Ok(()),
        _ => Err(EntryRefusal::RoleMayNot(action.code())),
    }
}
