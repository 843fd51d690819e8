//! How a record kind plugs into the store: the documents it owns, the
//! collections (top-level maps) it keeps in them, how each collection is
//! projected into query tables, and which query tables it owns.
//!
//! The machinery (document ids, the write path, merging, projection,
//! rebuild, compaction) knows no kind by name: it reads these descriptions.
//! A kind declares one [`Kind`] in its module, and `kinds/mod.rs` lists it
//! in [`crate::kinds::REGISTRY`], the one list this module reads. To give
//! kinds a new hook, add a field here and call it from the machinery.

use automerge::{Automerge, ObjId};
use rusqlite::Transaction;

use crate::error::Result;

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

/// The records whose rows derive from a record (a household's address text
/// comes from its building) and must be re-projected with it.
pub(crate) type DependentsFn = fn(&Automerge, &str) -> Vec<RecordRef>;

/// One collection of records: a top-level map of a document.
pub(crate) struct Collection {
    /// The map's key at the document's root.
    pub(crate) name: &'static str,
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
    pub(crate) const fn records(name: &'static str, project: ProjectFn) -> Collection {
        Collection {
            name,
            layout: Layout::Records,
            project,
            project_all: None,
            dependents: None,
        }
    }

    /// The one record at the document's root key.
    pub(crate) const fn singleton(name: &'static str, project: ProjectFn) -> Collection {
        Collection {
            layout: Layout::Singleton,
            ..Collection::records(name, project)
        }
    }

    /// A collection of entries, with its whole-collection projection.
    pub(crate) const fn entries(
        name: &'static str,
        project: ProjectFn,
        project_all: ProjectAllFn,
    ) -> Collection {
        Collection {
            layout: Layout::Entries,
            project_all: Some(project_all),
            ..Collection::records(name, project)
        }
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
