//! Change notifications: after a write or a merge commits, the store tells
//! its listeners which records changed, in which grids, and whether the
//! change was made here, merged from another replica, or a rebuild; and
//! [`StoreChange::affects`] decides whether a change touches one of the
//! apps' live queries ([`LiveQuery`]), so that Kotlin and Swift only re-read.
//!
//! Where the facts come from: the projection driver notes every record it
//! re-projects (`store/project.rs`, through `DocContext::note`), projection
//! functions note the records whose derived rows they refresh (a
//! household's latest visit or member count), a document projected whole
//! notes its grid, and the edit notes when the outbox or a cursor changed.
//! Nothing is read back from the database: collecting costs a set insert per
//! projected record, and nothing at all while no listener is registered.
//!
//! Delivery: synchronously, on the thread whose write committed, after the
//! SQLite transaction committed and after the writer lock is released, so a
//! slow listener delays only the call that wrote, never other writers or
//! readers, and a rolled-back write notifies nobody. Synchronous rather than
//! queued because a queue needs a thread per store and makes "the change was
//! delivered" unobservable to the caller; listeners are expected to only
//! signal (the bindings' live queries post to a conflated channel). A
//! listener that panics or returns an error is counted
//! ([`Store::listener_failures`]) and skipped; the store is not poisoned.
//!
//! To add a live query: a [`LiveQuery`] variant and its arm in
//! [`StoreChange::affects`] (which kinds, in which grid or with which id),
//! a test in `core/src/tests/notify.rs`, and the one-line functions in the
//! bindings' `LiveQueries.kt` and `LiveQueries.swift`.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::Store;
use crate::kinds::RecordKind;
use crate::registry::Projected;

/// Where a change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ChangeOrigin {
    /// An edit made on this device.
    Local,
    /// Changes from another replica, merged (a sync or an imported change set).
    Merge,
    /// Every query table was rebuilt from the documents.
    Rebuild,
    /// The store is being closed: the last notification, to every query; a
    /// re-read fails, so a live query ends there.
    Closed,
}

/// One record whose rows changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangedRecord {
    /// The grid the record belongs to.
    pub grid_id: String,
    /// The record's kind.
    pub kind: RecordKind,
    /// The record's id.
    pub id: String,
}

/// What one committed write or merge changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreChange {
    /// Where the change came from.
    pub origin: ChangeOrigin,
    /// The records whose rows changed, derived ones included (a household
    /// whose latest visit changed), sorted by grid, kind and id.
    pub records: Vec<ChangedRecord>,
    /// Grids whose records may all have changed (a grid received whole).
    pub whole_grids: Vec<String>,
    /// Whether anything at all may have changed (a rebuild).
    pub everything: bool,
    /// Whether the sync status changed: the outbox or a grid's sync cursor.
    pub sync_state: bool,
}

/// A query an app keeps on screen and re-reads when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum LiveQuery {
    /// The roster of a grid (`Store.roster`).
    Roster {
        /// The grid.
        grid_id: String,
    },
    /// One household with its residents and visits (`Store.household`).
    Household {
        /// The household.
        household_id: String,
    },
    /// The households of a grid due for a visit (`Store.visitsDue`).
    VisitsDue {
        /// The grid.
        grid_id: String,
    },
    /// The conflicts of a grid (`Store.conflicts`).
    Conflicts {
        /// The grid.
        grid_id: String,
    },
    /// What waits to be sent (`Store.syncStatus`).
    SyncStatus,
    /// The events of a grid (`Store.eventsOpen`, `eventsByLevel`,
    /// `eventsNeedingReview`, `event`): a report or a step in the grid.
    Events {
        /// The grid.
        grid_id: String,
    },
    /// The photos of a grid and their upload states (`Store.photoStates`):
    /// a photo attached, downloaded, dropped from the cache, or its upload
    /// moved on. Reading a photo changes nothing here.
    Photos {
        /// The grid.
        grid_id: String,
    },
    /// The volunteer points of a grid (`Store.pointsAccount`,
    /// `pointsBoard`, `volunteers`): an award, an exchange, a rule, the
    /// talent pool, and the patrols that service points come from.
    Points {
        /// The grid.
        grid_id: String,
    },
}

impl StoreChange {
    /// Whether this change may alter the result of `query`: the app re-reads
    /// the query when it does. Conservative: a grid received whole or a
    /// rebuild affects every query of its grids.
    pub fn affects(&self, query: &LiveQuery) -> bool {
        let in_grid = |grid: &str, kinds: &[RecordKind]| {
            self.everything
                || self.whole_grids.iter().any(|g| g == grid)
                || self
                    .records
                    .iter()
                    .any(|r| r.grid_id == grid && (kinds.is_empty() || kinds.contains(&r.kind)))
        };
        match query {
            // A visit or a resident changes its household's row (latest
            // visit, member count), which the projection notes.
            LiveQuery::Roster { grid_id } => {
                in_grid(grid_id, &[RecordKind::Household, RecordKind::Building])
            }
            LiveQuery::Household { household_id } => {
                self.everything
                    || !self.whole_grids.is_empty()
                    || self
                        .records
                        .iter()
                        .any(|r| r.kind == RecordKind::Household && r.id == *household_id)
            }
            LiveQuery::VisitsDue { grid_id } => in_grid(
                grid_id,
                &[
                    RecordKind::Household,
                    RecordKind::Resident,
                    RecordKind::Visit,
                ],
            ),
            // Every kind's fields can conflict.
            LiveQuery::Conflicts { grid_id } => in_grid(grid_id, &[]),
            LiveQuery::SyncStatus => self.sync_state,
            LiveQuery::Events { grid_id } => {
                // A category's or level's new name shows in the list.
                in_grid(
                    grid_id,
                    &[
                        RecordKind::Event,
                        RecordKind::EventStep,
                        RecordKind::EventCatalogue,
                    ],
                )
            }
            LiveQuery::Photos { grid_id } => in_grid(grid_id, &[RecordKind::Photo]),
            LiveQuery::Points { grid_id } => in_grid(
                grid_id,
                &[
                    RecordKind::PointsEntry,
                    RecordKind::PointsRule,
                    RecordKind::Volunteer,
                    RecordKind::Checkin,
                    RecordKind::Shift,
                    RecordKind::PatrolTeam,
                    RecordKind::Worker,
                    RecordKind::Resident,
                ],
            ),
        }
    }
}

/// A listener's failure: the store counts it and goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a change listener failed")]
pub struct ListenerFailed;

/// A registered listener.
type Listener = Arc<dyn Fn(&StoreChange) -> Result<(), ListenerFailed> + Send + Sync>;

/// What one edit collected, turned into a [`StoreChange`] once it committed.
pub(crate) struct ChangeLog {
    pub(crate) projected: Projected,
    pub(crate) sync_state: bool,
    pub(crate) merged: bool,
    pub(crate) rebuilt: bool,
}

impl ChangeLog {
    /// The change to deliver, or `None` when nothing visible changed.
    fn into_change(self) -> Option<StoreChange> {
        let origin = match (self.rebuilt, self.merged) {
            (true, _) => ChangeOrigin::Rebuild,
            (false, true) => ChangeOrigin::Merge,
            (false, false) => ChangeOrigin::Local,
        };
        let records: BTreeSet<ChangedRecord> = self
            .projected
            .records
            .into_iter()
            .map(|(kind, grid_id, id)| ChangedRecord { grid_id, kind, id })
            .collect();
        let change = StoreChange {
            origin,
            records: records.into_iter().collect(),
            whole_grids: self.projected.whole_grids.into_iter().collect(),
            // The edit collected nothing because nobody listened when it
            // began; a listener added meanwhile must still hear of it.
            everything: self.rebuilt || !self.projected.enabled,
            sync_state: self.sync_state,
        };
        let visible = change.everything
            || change.sync_state
            || !change.records.is_empty()
            || !change.whole_grids.is_empty();
        visible.then_some(change)
    }
}

/// The listeners of one store.
#[derive(Default)]
pub(crate) struct Listeners {
    list: Mutex<Vec<(u64, Listener)>>,
    /// How many are registered, read without the lock on every write.
    count: AtomicUsize,
    next_id: AtomicU64,
    failures: AtomicU64,
}

impl Listeners {
    fn lock(&self) -> MutexGuard<'_, Vec<(u64, Listener)>> {
        // Listeners run outside the lock, so a poisoned lock only means a
        // panic while pushing or removing; the list itself is intact.
        self.list.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a write should collect what it changes.
    pub(crate) fn any(&self) -> bool {
        self.count.load(Ordering::Acquire) > 0
    }

    /// Delivers what a committed edit changed to every listener registered now.
    pub(crate) fn deliver(&self, log: ChangeLog) {
        if !self.any() {
            return;
        }
        let Some(change) = log.into_change() else {
            return;
        };
        let listeners: Vec<Listener> = self.lock().iter().map(|(_, l)| l.clone()).collect();
        for listener in listeners {
            let outcome = catch_unwind(AssertUnwindSafe(|| listener(&change)));
            if !matches!(outcome, Ok(Ok(()))) {
                self.failures.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

impl Store {
    /// Registers `listener` for every committed change; returns its id for
    /// `Store.unsubscribe`.
    ///
    /// It is called on the thread that wrote, after the write committed and
    /// outside the store's locks: it may read the store, but it should only
    /// signal and return (a slow listener delays the call that wrote).
    pub fn subscribe(
        &self,
        listener: impl Fn(&StoreChange) -> Result<(), ListenerFailed> + Send + Sync + 'static,
    ) -> u64 {
        let id = self.listeners.next_id.fetch_add(1, Ordering::Relaxed);
        let mut list = self.listeners.lock();
        list.push((id, Arc::new(listener)));
        self.listeners.count.store(list.len(), Ordering::Release);
        id
    }

    /// Registers `listener` for the changes that affect `query` only
    /// (`StoreChange.affects`); it receives where each came from.
    pub fn subscribe_query(
        &self,
        query: LiveQuery,
        listener: impl Fn(ChangeOrigin) -> Result<(), ListenerFailed> + Send + Sync + 'static,
    ) -> u64 {
        self.subscribe(move |change| {
            if change.affects(&query) {
                listener(change.origin)
            } else {
                Ok(())
            }
        })
    }

    /// Removes a listener; returns whether it was registered. A change being
    /// delivered on another thread at this moment may still reach it once.
    pub fn unsubscribe(&self, id: u64) -> bool {
        let mut list = self.listeners.lock();
        let before = list.len();
        list.retain(|(other, _)| *other != id);
        self.listeners.count.store(list.len(), Ordering::Release);
        list.len() != before
    }

    /// Tells every listener that the store is closing (origin `Closed`,
    /// affecting every query), then removes them all, so that nothing keeps
    /// waiting for a change that cannot come. Called by whoever closes the
    /// store before dropping it (the bindings' `close`).
    pub fn close_listeners(&self) {
        let change = StoreChange {
            origin: ChangeOrigin::Closed,
            records: Vec::new(),
            whole_grids: Vec::new(),
            everything: true,
            sync_state: true,
        };
        let listeners: Vec<(u64, Listener)> = {
            let mut list = self.listeners.lock();
            self.listeners.count.store(0, Ordering::Release);
            std::mem::take(&mut *list)
        };
        for (_, listener) in listeners {
            let outcome = catch_unwind(AssertUnwindSafe(|| listener(&change)));
            if !matches!(outcome, Ok(Ok(()))) {
                self.listeners.failures.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// How many listeners are registered.
    pub fn listener_count(&self) -> usize {
        self.listeners.lock().len()
    }

    /// How many times a listener panicked or returned an error since the
    /// store was opened (the change was delivered to the others).
    pub fn listener_failures(&self) -> u64 {
        self.listeners.failures.load(Ordering::Relaxed)
    }
}
