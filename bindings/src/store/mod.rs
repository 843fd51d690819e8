//! The [`Store`] object: one SQLite file on the phone, opened for a worker.
//!
//! Its exported methods forward to the core's `gridbook::Store` and convert
//! the core's errors with `?`. They live beside the core's record kinds, one
//! file each: `roster.rs` (grids, buildings, households, residents, building
//! heads), `visits.rs` (visits and the visit plan), `events.rs` (grid events
//! and their closed loop), `photos.rs` (photos and their upload states),
//! `patrol.rs` (teams,
//! shifts, check-ins), `exchange.rs` (conflicts and change sets without a
//! server), `maintenance.rs` (opening with options, compaction, rebuild),
//! `import.rs` (the roster import, from bytes or a file path),
//! `live.rs` (listeners for live queries), `quarantine.rs` (discarding a
//! grid the sync server refused) and `reports.rs` (visit and patrol
//! coverage, the grid summary); syncing is in `crate::sync`. A new record
//! kind adds a file here and a
//! `mod` line below.
//!
//! Every exported method is `async` (Kotlin `suspend fun`, Swift `async`):
//! it forwards in one line through [`Store::call`], which runs the core call
//! on the blocking pool (`crate::pool`). A `Store` may be shared between
//! threads and tasks; calls are serialised inside the core. A new method
//! follows the same shape: `self.call(move |s| s.method(&arg)).await`.

mod events;
mod exchange;
mod export;
mod import;
mod live;
mod maintenance;
mod patrol;
mod photos;
mod points;
mod privacy;
mod quarantine;
mod reports;
mod roster;
mod self_reports;
mod visits;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use gridbook::{OpenOptions, StoreKey, Worker, WorkerIdentity};

use crate::sync::Syncs;
use crate::{GridbookError, Result, pool};

pub use export::export_templates;
pub use import::default_roster_import_options;
pub use live::LiveQueryListener;
pub use maintenance::{StoreOptions, default_store_options};
pub use visits::default_visit_policy;

/// A Gridbook store: one SQLite file on the phone holding a worker's grids.
///
/// Close it before deleting or moving the file: Kotlin `closeAndWait()`,
/// Swift `close()`, which return once the file is closed. Kotlin's `close()`
/// (and `use`) releases the store when its running calls return. Any call
/// after closing fails with `Closed`.
#[derive(uniffi::Object)]
pub struct Store {
    /// The core's store; `None` once closed.
    inner: Mutex<Option<Arc<gridbook::Store>>>,
    /// Kept apart from `inner` so `identity()` and `today()` answer after closing.
    identity: WorkerIdentity,
    local_offset_minutes: i32,
    /// This store's syncs: their cancel tokens, their turn, the cached clients.
    pub(crate) syncs: Arc<Syncs>,
}

impl Store {
    fn new(inner: gridbook::Store) -> Arc<Store> {
        Arc::new(Store {
            identity: inner.identity().clone(),
            local_offset_minutes: inner.local_offset_minutes(),
            inner: Mutex::new(Some(Arc::new(inner))),
            syncs: Arc::default(),
        })
    }

    /// Runs `f` on the core's store on the blocking pool; the one hop every
    /// exported method makes. The store stays alive until `f` returns, even if
    /// the app releases it (or cancels the call) meanwhile.
    pub(crate) async fn call<T, E, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        E: Into<GridbookError>,
        F: FnOnce(&gridbook::Store) -> std::result::Result<T, E> + Send + 'static,
    {
        let store = self.core()?;
        pool::run(move || f(&store).map_err(Into::into)).await
    }

    /// The core's store, for a call that hops to the pool itself (sync), or
    /// `Closed`.
    pub(crate) fn core(&self) -> Result<Arc<gridbook::Store>> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(closed)
    }
}

/// The error of every call on a closed store.
fn closed() -> GridbookError {
    GridbookError::Closed {
        detail: "the store was closed; open it again to go on".into(),
    }
}

/// Waits until the calls still holding `store` have returned (polling: a
/// close is rare and they end soon, a sync being cancelled), then drops it,
/// which closes its SQLite connections.
fn drop_when_last(mut store: Arc<gridbook::Store>) {
    loop {
        match Arc::try_unwrap(store) {
            Ok(last) => return drop(last),
            Err(shared) => {
                store = shared;
                std::thread::sleep(CLOSE_POLL);
            }
        }
    }
}

/// How often `close` looks whether the last running call has returned.
const CLOSE_POLL: Duration = Duration::from_millis(2);

impl Drop for Store {
    /// Released without `close` (Kotlin `close()`, Swift's last reference):
    /// live queries still hear `Closed` and end instead of waiting for ever.
    fn drop(&mut self) {
        let store = self
            .inner
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(store) = store {
            store.close_listeners();
        }
    }
}

/// Opens the core's store on the blocking pool.
async fn open(path: String, identity: WorkerIdentity, options: OpenOptions) -> Result<Arc<Store>> {
    pool::run(move || {
        Ok(Store::new(gridbook::Store::open_with(
            path, identity, options,
        )?))
    })
    .await
}

#[uniffi::export]
impl Store {
    /// Opens or creates the store at `path` for the worker using this device.
    ///
    /// `key` encrypts the file: `StoreKey.Raw` with 32 bytes from the Android
    /// Keystore or iOS Keychain (opens in about a millisecond), or
    /// `StoreKey.Passphrase` (derived at every open, about a tenth of a second
    /// per connection); null for a plain file. A raw key of another length is
    /// `Invalid` naming `key`, before the file is created. Fails with
    /// `NotADatabase` for a wrong key or a key of the other kind,
    /// `WorkerMismatch` if the file belongs to another worker, `SchemaTooNew`
    /// if a newer app wrote it; the file is left as it was.
    #[uniffi::constructor]
    pub async fn open(
        path: String,
        identity: WorkerIdentity,
        key: Option<StoreKey>,
    ) -> Result<Arc<Store>> {
        let options = OpenOptions {
            key,
            ..OpenOptions::default()
        };
        open(path, identity, options).await
    }

    /// The worker and device this store was opened for (names normalised).
    pub async fn identity(&self) -> WorkerIdentity {
        // Held in memory: no hop to the pool.
        self.identity.clone()
    }

    /// Closes the store and returns once its file is closed, so that it can
    /// be deleted or moved (a worker signing out). A running sync is
    /// cancelled and calls already running finish first; every later call
    /// fails with `Closed`. Closing again does nothing. In Kotlin this is
    /// `closeAndWait()`, beside `AutoCloseable.close()`.
    pub async fn close(&self) -> Result<()> {
        let taken = self
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(store) = taken else {
            return Ok(());
        };
        self.syncs.cancel_all();
        // Live queries re-read on this last notification, get `Closed`, and end.
        store.close_listeners();
        pool::run(move || {
            drop_when_last(store);
            Ok(())
        })
        .await
    }

    /// The worker as the sync server vouched for them in the last sync (id,
    /// name, role), or null before the first sync. From the next open the
    /// store writes this name and role instead of the ones it was opened with.
    pub async fn vouched_identity(&self) -> Result<Option<Worker>> {
        self.call(|s| s.vouched_identity()).await
    }
}
