//! Syncing a [`Store`] through the district's sync server: the [`SyncClient`]
//! object, a [`SyncListener`] the app implements for progress, and a
//! [`CancelHandle`] to stop a running sync from another thread.
//!
//! `SyncClient::sync` blocks until the sync ends (seconds to minutes on a weak
//! link): call it off the main thread. The listener is called on that same
//! thread; post to the UI thread from it.

use std::sync::Arc;

use gridbook::sync::{CancelToken, SyncClientOptions};

use crate::codes::mirror_enum;
use crate::error::Result;
use crate::store::Store;

mirror_enum!(
    /// What a sync is doing.
    SyncStage = gridbook::sync::SyncStage {
        /// Sending a request and waiting for the answer.
        Exchanging,
        /// Waiting before retrying a failed request.
        WaitingToRetry,
        /// Applying a response to the store.
        Applying,
        /// Finished.
        Done,
    }
);

/// Progress of a running sync, reported after every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SyncProgress {
    /// The current stage.
    pub stage: SyncStage,
    /// Requests answered so far.
    pub round_trips: u32,
    /// Failed attempts that were retried.
    pub retries: u32,
    /// This device's changes the server has acknowledged so far.
    pub pushed_changes: u64,
    /// Changes still waiting to be sent.
    pub unsent_changes: u64,
    /// Chunks received so far.
    pub pulled_chunks: u64,
    /// Request bytes sent.
    pub bytes_sent: u64,
    /// Response bytes received.
    pub bytes_received: u64,
}

impl From<gridbook::sync::SyncProgress> for SyncProgress {
    fn from(p: gridbook::sync::SyncProgress) -> Self {
        SyncProgress {
            stage: p.stage.into(),
            round_trips: p.round_trips,
            retries: p.retries,
            pushed_changes: p.pushed_changes,
            unsent_changes: p.unsent_changes,
            pulled_chunks: p.pulled_chunks,
            bytes_sent: p.bytes_sent,
            bytes_received: p.bytes_received,
        }
    }
}

/// The outcome of a finished sync: the last progress, at stage `Done`.
pub type SyncReport = SyncProgress;

/// What a store has waiting for the server, for an "unsent" badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatus {
    /// Changes written here that the server has not acknowledged.
    pub unsent_changes: u64,
    /// Their size in bytes.
    pub unsent_bytes: u64,
}

/// Receives a sync's progress. Implemented by the app in Kotlin or Swift.
///
/// Called on the thread running `SyncClient.sync`, after every step; it must
/// return quickly and must not throw.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// A step of the sync finished.
    fn on_progress(&self, progress: SyncProgress);
}

/// Stops a running sync from another thread: make one per sync, pass it to
/// `SyncClient.sync`, and call `cancel()` (for example when the user leaves
/// the screen).
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelHandle {
    token: CancelToken,
}

#[uniffi::export]
impl CancelHandle {
    /// A handle that is not cancelled.
    #[uniffi::constructor]
    pub fn new() -> Arc<CancelHandle> {
        Arc::new(CancelHandle::default())
    }

    /// Asks the sync to stop; it then fails with `Cancelled`. It stops before
    /// its next request or while waiting to retry; a request in flight ends
    /// within the request timeout. What was applied before stays applied.
    pub fn cancel(&self) {
        self.token.cancel();
    }

    /// Whether `cancel` was called.
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

/// A client for one sync server and one device token.
#[derive(uniffi::Object)]
pub struct SyncClient {
    inner: gridbook::sync::SyncClient,
}

#[uniffi::export]
impl SyncClient {
    /// A client for the server at `server_url` (`https://…`) with this
    /// device's bearer `token`, with the default timeouts and retries for a
    /// phone on a weak link. `extra_root_certificate_pem` is a district's own
    /// CA certificate to trust besides the system's, or null. Fails with
    /// `Config` on a malformed URL or certificate.
    #[uniffi::constructor]
    pub fn new(
        server_url: String,
        token: String,
        extra_root_certificate_pem: Option<Vec<u8>>,
    ) -> Result<Arc<SyncClient>> {
        let options = SyncClientOptions {
            extra_root_certificate_pem,
            ..SyncClientOptions::new(server_url, token)
        };
        let inner = gridbook::sync::SyncClient::new(options)?;
        Ok(Arc::new(SyncClient { inner }))
    }

    /// Syncs `store` with the server until neither side has anything new for
    /// the other. Blocking: call off the main thread. `listener` hears every
    /// step; `cancel` stops it (failing with `Cancelled`). A failure at any
    /// point leaves the store consistent, and the next sync finishes the job.
    pub fn sync(
        &self,
        store: Arc<Store>,
        listener: Arc<dyn SyncListener>,
        cancel: Arc<CancelHandle>,
    ) -> Result<SyncReport> {
        let mut progress = |p: &gridbook::sync::SyncProgress| listener.on_progress((*p).into());
        let report = self
            .inner
            .sync(&store.inner, &mut progress, &cancel.token)?;
        Ok(report.into())
    }
}

#[uniffi::export]
impl Store {
    /// What this store has waiting for the server.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let status = self.inner.sync_status()?;
        Ok(SyncStatus {
            unsent_changes: status.unsent_changes,
            unsent_bytes: status.unsent_bytes,
        })
    }
}
