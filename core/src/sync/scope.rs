//! Which documents of a grid an assignment covers (`schema/sync-protocol.md`,
//! "Departments"). The sync server keeps one scope per assignment and holds
//! both directions to it: a page carries only the documents the scope
//! allows, and a push to any other document is refused whole.
//!
//! PIPL's minimum-necessary rule is the reason: a department (报到单位) that
//! grid events are dispatched to works through a Gridbook account with an
//! events-only assignment, and never receives the roster (residents, their
//! phones and ID numbers) or the visits.
//!
//! To let a scope see another kind, add the kind's name to its list below;
//! to add a scope, add a variant with its code, and say in the protocol
//! document what it receives.

use crate::docs::DocId;

/// The document kinds an [`AssignmentScope::Events`] assignment covers.
/// Kept as names, not registered kinds, so the list can name kinds that land
/// later: a name no registered kind has matches nothing (a document id of an
/// unknown kind does not parse), so the scope fails closed. The grid's event
/// settings (its own categories and level names) come with the events, so
/// that a department reads the names the grid uses.
pub const EVENT_DOC_KINDS: &[&str] = &["events", "event_settings", "photos"];

/// Which documents of a grid an assignment lets its worker pull and push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum AssignmentScope {
    /// Every document of the grid: the grid's own team.
    #[default]
    All,
    /// Only event documents (and their photos, [`EVENT_DOC_KINDS`]): a
    /// department that events are dispatched to.
    Events,
}

impl AssignmentScope {
    /// The stable code, as the server stores it and the admin CLI takes it
    /// (`all`, `events`).
    pub fn code(self) -> &'static str {
        match self {
            AssignmentScope::All => "all",
            AssignmentScope::Events => "events",
        }
    }

    /// The scope with this code, if it is one.
    pub fn parse(code: &str) -> Option<AssignmentScope> {
        match code {
            "all" => Some(AssignmentScope::All),
            "events" => Some(AssignmentScope::Events),
            _ => None,
        }
    }

    /// Whether the scope covers the document with this id. An id that is
    /// not a document of a registered kind is covered by no narrow scope.
    pub fn allows_doc(self, doc_id: &str) -> bool {
        match self {
            AssignmentScope::All => true,
            AssignmentScope::Events => {
                DocId::parse(doc_id).is_some_and(|(_, kind, _)| self.allows_kind(kind.name))
            }
        }
    }

    /// Whether the scope covers documents of the kind with this name.
    pub fn allows_kind(self, kind: &str) -> bool {
        match self {
            AssignmentScope::All => true,
            AssignmentScope::Events => EVENT_DOC_KINDS.contains(&kind),
        }
    }

    /// Whether every document this scope covers is covered by `wider`: a
    /// cursor reached under this scope holds for `wider` too (nothing it
    /// skipped is covered by `wider`).
    pub fn within(self, wider: AssignmentScope) -> bool {
        match (self, wider) {
            (_, AssignmentScope::All) => true,
            (AssignmentScope::All, AssignmentScope::Events) => false,
            (AssignmentScope::Events, AssignmentScope::Events) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str = "5b0c1f3e-8a2d-4c6b-9e7f-0a1b2c3d4e5f";

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for scope in [AssignmentScope::All, AssignmentScope::Events] {
            assert_eq!(AssignmentScope::parse(scope.code()), Some(scope));
        }
        assert_eq!(AssignmentScope::All.code(), "all");
        assert_eq!(AssignmentScope::Events.code(), "events");
        assert_eq!(AssignmentScope::parse("Events"), None);
        assert_eq!(AssignmentScope::parse(""), None);
        assert_eq!(AssignmentScope::default(), AssignmentScope::All);
    }

    #[test]
    fn all_covers_every_document() {
        for doc in [
            format!("roster/{GRID}"),
            format!("visits/{GRID}/2026Q3"),
            format!("events/{GRID}/2026Q3"),
        ] {
            assert!(AssignmentScope::All.allows_doc(&doc), "{doc}");
        }
    }

    #[test]
    fn events_never_covers_the_roster_visits_or_patrols() {
        let scope = AssignmentScope::Events;
        for doc in [
            format!("roster/{GRID}"),
            format!("visits/{GRID}/2026Q3"),
            format!("patrol/{GRID}/2026Q4"),
        ] {
            assert!(!scope.allows_doc(&doc), "{doc}");
        }
        // Ids that are no document fail closed.
        for doc in ["", "events", "events/", "events/not-a-grid", "roster/x/y/z"] {
            assert!(!scope.allows_doc(doc), "{doc}");
        }
    }

    #[test]
    fn events_covers_the_event_and_photo_kinds_by_name() {
        // The document kinds themselves land on another branch; until then
        // an `events/...` id does not parse, and the scope allows nothing.
        assert!(AssignmentScope::Events.allows_kind("events"));
        assert!(AssignmentScope::Events.allows_kind("photos"));
        assert!(!AssignmentScope::Events.allows_kind("roster"));
        assert!(!AssignmentScope::Events.allows_kind("visits"));
        assert!(!AssignmentScope::Events.allows_kind("patrol"));
        assert!(!AssignmentScope::Events.allows_kind("event"));
    }

    #[test]
    fn only_events_within_events_and_everything_within_all() {
        use AssignmentScope::{All, Events};
        assert!(Events.within(All));
        assert!(All.within(All));
        assert!(Events.within(Events));
        assert!(!All.within(Events));
    }
}
