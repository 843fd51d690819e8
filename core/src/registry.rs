//! How a record kind plugs into the store: the documents it owns, the
//! collections (top-level maps) it keeps in them, how each collection is
//! projected into query tables, and which query tables it owns.
//!
//! The machinery (document ids, the write path, merging, projection,
//! rebuild, compaction) knows no kind by name: it reads these descriptions.
//! A kind declares one [`Kind`] in its module, and `kinds/mod.rs` lists it
//! in [`crate::kinds::REGISTRY`], the one list this module reads. To give
//! kinds a new hook, add a field here and call it from the machinery.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};

use automerge::{Automerge, ObjId};
use rusqlite::Transaction;

use crate::error::Result;
use crate::kinds::RecordKind;

/// A record to project: its collection and key within one document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RecordRef {
    pub(crate) collection: String,
    pub(crate) key: String,
}

impl RecordRef {
    pub(crate) fn new(collection: &str, key: &str) -> RecordRef {
        RecordRef {
            collection: collection.to_string(),
            key: key.to_string(),
        }
    }
}

/// The context of one document being projected.
pub(crate) struct DocContext<'a> {
    pub(crate) doc: &'a Automerge,
    pub(crate) doc_id: &'a str,
    pub(crate) grid_id: &'a str,
    /// What the write projected so far, for change notifications.
    pub(crate) projected: &'a RefCell<Projected>,
}

impl DocContext<'_> {
    /// Notes that a record's rows (or rows derived from other records, such
    /// as a household's latest visit) were rewritten in this document's grid.
    /// Projection functions call it for every record whose rows they refresh
    /// besides the one they project (the driver notes that one).
    pub(crate) fn note(&self, kind: RecordKind, id: &str) {
        self.projected.borrow_mut().note(kind, self.grid_id, id);
    }
}

/// The records one write projected: collected while projecting, read by the
/// store's change notifications (`store/notify.rs`) once the write commits.
/// Collecting is off while nobody listens, so it then costs one branch.
#[derive(Debug, Default)]
pub(crate) struct Projected {
    /// Whether to collect at all.
    pub(crate) enabled: bool,
    /// `(kind, grid, id)` of every record whose rows were rewritten.
    pub(crate) records: HashSet<(RecordKind, String, String)>,
    /// Grids projected whole, record by record unnoted (a bootstrap, a rebuild).
    pub(crate) whole_grids: BTreeSet<String>,
}

impl Projected {
    /// A log that collects only if `enabled`.
    pub(crate) fn new(enabled: bool) -> Projected {
        Projected {
            enabled,
            ..Projected::default()
        }
    }

    pub(crate) fn note(&mut self, kind: RecordKind, grid_id: &str, id: &str) {
        if self.enabled {
            self.records
                .insert((kind, grid_id.to_string(), id.to_string()));
        }
    }

    pub(crate) fn note_whole_grid(&mut self, grid_id: &str) {
        if self.enabled && !self.whole_grids.contains(grid_id) {
            self.whole_grids.insert(grid_id.to_string());
        }
    }
}

/// A kind of Automerge document.
#[derive(Debug)]
pub(crate) struct DocSpec {
    /// The name in document ids and in the `docs` table.
    pub(crate) name: &'static str,
    /// How documents of this kind are cut.
    pub(crate) partition: Partition,
    /// The top-level maps the genesis change creates, in order. Frozen: the
    /// genesis must be the same bytes on every replica, old ones included.
    pub(crate) genesis: &'static [&'static str],
}

impl PartialEq for DocSpec {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for DocSpec {}

/// How the documents of a kind are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Partition {
    /// One document per grid: `<kind>/<grid>`.
    Grid,
    /// One document per grid and calendar quarter: `<kind>/<grid>/<YYYY>Q<n>`.
    Quarter,
}

/// How the records of a collection are laid out in their document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// The collection's map is itself the one record (the grid); its key is `""`.
    Singleton,
    /// One map of fields per record, under the record's id.
    Records,
    /// One JSON entry per record under its id (see `entries.rs`).
    Entries,
}

/// Re-projects one record: deletes its rows and inserts them again from the
/// document. `obj` is the record's map (`None` when it is gone or for entries).
pub(crate) type ProjectFn = fn(&Transaction, &DocContext, &str, Option<ObjId>) -> Result<()>;

/// Projects every record of a collection none of whose records has rows yet,
/// in one pass; returns how many it projected.
pub(crate) type ProjectAllFn = fn(&Transaction, &DocContext, &ObjId) -> Result<usize>;

/// The records whose rows derive from records of a collection (a
/// household's address text comes from its building) and must be
/// re-projected with them; called once with every touched key of the
/// collection, so it can scan the document once.
pub(crate) type DependentsFn = fn(&Automerge, &BTreeSet<&str>) -> Vec<RecordRef>;

/// One collection of records: a top-level map of a document.
pub(crate) struct Collection {
    /// The map's key at the document's root.
    pub(crate) name: &'static str,
    /// The kind its records are reported as in change notifications; `None`
    /// for records no query shows (a device's registration).
    pub(crate) kind: Option<RecordKind>,
    /// How its records are laid out.
    pub(crate) layout: Layout,
    /// Re-projects one record.
    pub(crate) project: ProjectFn,
    /// A faster whole-collection projection for rebuilds and bootstraps.
    pub(crate) project_all: Option<ProjectAllFn>,
    /// Records derived from one of this collection's.
    pub(crate) dependents: Option<DependentsFn>,
}

impl Collection {
    /// A collection of records, each a map of fields.
    pub(crate) const fn records(
        kind: RecordKind,
        name: &'static str,
        project: ProjectFn,
    ) -> Collection {
        Collection {
            name,
            kind: Some(kind),
            layout: Layout::Records,
            project,
            project_all: None,
            dependents: None,
        }
    }

    /// The one record at the document's root key.
    pub(crate) const fn singleton(
        kind: RecordKind,
        name: &'static str,
        project: ProjectFn,
    ) -> Collection {
        Collection {
            layout: Layout::Singleton,
            ..Collection::records(kind, name, project)
        }
    }

    /// A collection of entries, with its whole-collection projection.
    pub(crate) const fn entries(
        kind: RecordKind,
        name: &'static str,
        project: ProjectFn,
        project_all: ProjectAllFn,
    ) -> Collection {
        Collection {
            layout: Layout::Entries,
            project_all: Some(project_all),
            ..Collection::records(kind, name, project)
        }
    }

    /// The same collection, never reported in change notifications.
    pub(crate) const fn unreported(self) -> Collection {
        Collection { kind: None, ..self }
    }

    /// The same collection with records derived from its records.
    pub(crate) const fn with_dependents(self, dependents: DependentsFn) -> Collection {
        Collection {
            dependents: Some(dependents),
            ..self
        }
    }
}

/// A record kind as the machinery sees it.
pub(crate) struct Kind {
    /// The documents it owns (a kind may keep collections in another kind's document too).
    pub(crate) docs: &'static [&'static DocSpec],
    /// Its collections.
    pub(crate) collections: &'static [Collection],
    /// The query tables it writes, emptied by a rebuild.
    pub(crate) tables: &'static [&'static str],
    /// The fields of its records that name the worker who did something
    /// (who made a visit, who appointed a head). The sync server vouches for
    /// them: a pushed change may set them to its own worker only
    /// (`sync::check_authors`, wherever in a document they appear).
    // Only the server's checks read them; the phone keeps them as the kind's
    // declaration.
    #[cfg_attr(not(any(test, feature = "hub")), allow(dead_code))]
    pub(crate) author_fields: &'static [&'static str],
    /// Checks the sync server makes on the entries pushed into one of its
    /// collections when it knows the pusher's role (an event step's action
    /// must be one the role may take): `sync::check_authors`.
    #[cfg_attr(not(any(test, feature = "hub")), allow(dead_code))]
    pub(crate) entry_checks: &'static [EntryCheck],
    /// Re-derives the kind's query columns that depend on data shipped in
    /// the library rather than on the documents (an event's deadline on the
    /// holiday calendar), when that data changed since the file last saw it.
    /// Called at every open, in one write: it must cost one lookup when
    /// nothing changed.
    pub(crate) refresh_on_open: Option<RefreshFn>,
}

/// Re-derives columns that depend on shipped data ([`Kind::refresh_on_open`]).
pub(crate) type RefreshFn = fn(&Transaction) -> Result<()>;

/// Why the sync server refuses a pushed entry ([`EntryCheck`]); fixed texts only.
#[cfg_attr(not(any(test, feature = "hub")), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryRefusal {
    /// The entry names another value than the server's in an author field
    /// (the role the server keeps).
    Forged(&'static str),
    /// The pusher's role may not write this entry (an action's code).
    RoleMayNot(&'static str),
}

/// Checks a pushed entry (a JSON object) against the pusher's role code.
pub(crate) type EntryCheckFn =
    fn(&serde_json::Map<String, serde_json::Value>, &str) -> Result<(), EntryRefusal>;

/// A check of the entries of one collection, in the documents of one kind.
#[cfg_attr(not(any(test, feature = "hub")), allow(dead_code))]
pub(crate) struct EntryCheck {
    /// The document kind.
    pub(crate) doc: &'static DocSpec,
    /// The collection (a map of its genesis).
    pub(crate) collection: &'static str,
    /// The check.
    pub(crate) check: EntryCheckFn,
}

/// Every registered kind, in the registry's order (which is the order a
/// document's collections are projected in a rebuild).
pub(crate) fn kinds() -> impl Iterator<Item = &'static Kind> {
    crate::kinds::REGISTRY.iter().copied()
}

/// Every field, of any kind, that names the worker who did something.
#[cfg(any(test, feature = "hub"))]
pub(crate) fn author_fields() -> impl Iterator<Item = &'static str> {
    kinds().flat_map(|kind| kind.author_fields.iter().copied())
}

/// Every check of pushed entries, of any kind.
#[cfg(any(test, feature = "hub"))]
pub(crate) fn entry_checks() -> impl Iterator<Item = &'static EntryCheck> {
    kinds().flat_map(|kind| kind.entry_checks.iter())
}

/// Every document kind.
pub(crate) fn doc_specs() -> impl Iterator<Item = &'static DocSpec> {
    kinds().flat_map(|kind| kind.docs.iter().copied())
}

/// The document kind with this name.
pub(crate) fn doc_spec(name: &str) -> Option<&'static DocSpec> {
    doc_specs().find(|spec| spec.name == name)
}

/// Every collection of every kind.
pub(crate) fn collections() -> impl Iterator<Item = &'static Collection> {
    kinds().flat_map(|kind| kind.collections.iter())
}

/// The collection with this name.
pub(crate) fn collection(name: &str) -> Option<&'static Collection> {
    collections().find(|collection| collection.name == name)
}

/// Every query table, the machinery's `conflicts` included.
pub(crate) fn query_tables() -> impl Iterator<Item = &'static str> {
    kinds()
        .flat_map(|kind| kind.tables.iter().copied())
        .chain(std::iter::once("conflicts"))
}
