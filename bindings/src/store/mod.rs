//! The [`Store`] object: one SQLite file on the phone, opened for a worker.
//!
//! Its exported methods forward to the core's `gridbook::Store` and convert
//! the core's errors with `?`. They live beside the core's record kinds, one
//! file each: `roster.rs` (grids, buildings, households, residents, building
//! heads), `visits.rs` (visits and the visit plan), `patrol.rs` (teams,
//! shifts, check-ins), `exchange.rs` (conflicts and change sets without a
//! server), `maintenance.rs` (opening with options, compaction, rebuild),
//! `live.rs` (listeners for live queries) and `quarantine.rs` (discarding a
//! grid the sync server refused); syncing is in `crate::sync`. A new record
//! kind adds a file here and a
//! `mod` line below.
//!
//! Every call is blocking (SQLite on the calling thread): call it off the
//! main thread (Kotlin `Dispatchers.IO`, Swift `Task.detached`). A `Store`
//! may be shared between threads; calls are serialised inside the core.

mod exchange;
mod live;
mod maintenance;
mod patrol;
mod quarantine;
mod roster;
mod visits;

use std::sync::Arc;

use gridbook::{OpenOptions, StoreKey, Worker, WorkerIdentity};

use crate::Result;

pub use live::{ListenerError, LiveQueryListener};
pub use maintenance::{StoreOptions, default_store_options};
pub use visits::default_visit_policy;

/// A Gridbook store: one SQLite file on the phone holding a worker's grids.
/// Close it (Kotlin `close()`/`use`, Swift: drop the last reference) before
/// deleting or moving the file.
#[derive(uniffi::Object)]
pub struct Store {
    pub(crate) inner: gridbook::Store,
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
    /// if a newer app wrote it; the file is left as it was. Blocking: call off
    /// the main thread.
    #[uniffi::constructor]
    pub fn open(
        path: String,
        identity: WorkerIdentity,
        key: Option<StoreKey>,
    ) -> Result<Arc<Store>> {
        let options = OpenOptions {
            key,
            ..OpenOptions::default()
        };
        let inner = gridbook::Store::open_with(path, identity, options)?;
        Ok(Arc::new(Store { inner }))
    }

    /// The worker and device this store was opened for (names normalised).
    pub fn identity(&self) -> WorkerIdentity {
        self.inner.identity().clone()
    }

    /// The worker as the sync server vouched for them in the last sync (id,
    /// name, role), or null before the first sync. From the next open the
    /// store writes this name and role instead of the ones it was opened with.
    pub fn vouched_identity(&self) -> Result<Option<Worker>> {
        Ok(self.inner.vouched_identity()?)
    }
}
