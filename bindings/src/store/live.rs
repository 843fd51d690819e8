//! Live queries: a listener the app registers with `Store.subscribe` for one
//! `LiveQuery` (the roster of a grid, a household, the visits due, the
//! conflicts, the sync status) hears, after each committed write or merge
//! that affects the query, where the change came from; the app then re-reads
//! the query. Which changes affect which query is decided in the core
//! (`gridbook::StoreChange::affects`); the hand-written `LiveQueries.kt` and
//! `LiveQueries.swift` turn this into a Kotlin `Flow` and a Swift
//! `AsyncThrowingStream`. A new live query is a `LiveQuery` variant in the
//! core; nothing changes here.

use std::sync::Arc;

use gridbook::{ChangeOrigin, ListenerFailed, LiveQuery};

use super::Store;
use crate::Result;
use crate::sync::ListenerError;

/// Hears that a live query's result may have changed. Implemented by the app
/// in Kotlin or Swift (the `LiveQueries` helpers do it for you).
///
/// Called on the thread that wrote or synced, after the change committed and
/// outside the store's locks: only signal (post to a channel) and return.
#[uniffi::export(with_foreign)]
pub trait LiveQueryListener: Send + Sync {
    /// A committed write (`Local`), merge (`Merge`) or rebuild (`Rebuild`)
    /// affected the query: re-read it.
    fn on_change(&self, origin: ChangeOrigin) -> Result<(), ListenerError>;
}

#[uniffi::export]
impl Store {
    /// Registers `listener` for the changes that affect `query`; returns the
    /// id to pass to `unsubscribe`. The store holds the listener until then,
    /// or until the store is closed, when it hears `ChangeOrigin.Closed` last.
    /// Fails with `Closed` on a closed store.
    pub fn subscribe(&self, query: LiveQuery, listener: Arc<dyn LiveQueryListener>) -> Result<i64> {
        let id = self.core()?.subscribe_query(query, move |origin| {
            listener.on_change(origin).map_err(|_| ListenerFailed)
        });
        // Ids count up from 1: i64 holds them for the life of any process.
        Ok(i64::try_from(id).unwrap_or(i64::MAX))
    }

    /// Removes the listener registered under `id`; returns whether there was
    /// one. A change being delivered on another thread at this moment may
    /// still reach it once.
    pub fn unsubscribe(&self, id: i64) -> bool {
        let Ok(store) = self.core() else {
            return false; // closing removed every listener
        };
        u64::try_from(id).is_ok_and(|id| store.unsubscribe(id))
    }

    /// How many listeners are registered (for tests and leak checks); 0 once closed.
    pub fn listener_count(&self) -> i64 {
        self.core().map_or(0, |store| {
            i64::try_from(store.listener_count()).unwrap_or(i64::MAX)
        })
    }

    /// How many times a listener threw since the store was opened; `Closed`
    /// once closed.
    pub fn listener_failures(&self) -> Result<i64> {
        let store = self.core()?;
        Ok(i64::try_from(store.listener_failures()).unwrap_or(i64::MAX))
    }
}
