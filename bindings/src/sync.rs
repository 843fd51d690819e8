//! Syncing a [`Store`] through the district's sync server: the [`SyncClient`]
//! object, a [`SyncListener`] the app implements for progress, and a
//! [`CancelHandle`] to stop a running sync from another thread.
//!
//! `SyncClient::sync` blocks until the sync ends (seconds to minutes on a weak
//! link): call it off the main thread. The listener is called on that same
//! thread; post to the UI thread from it.
//!
//! `SyncProgress` and `SyncStage` are the core's own types. [`SyncSettings`]
//! is the core's `SyncClientOptions` in milliseconds and plain numbers, and
//! [`SyncStatus`] leaves out the per-grid cursors: a new client option or
//! status field is added to both.

use std::sync::Arc;
use std::time::Duration;

use gridbook::sync::{BlockedGrid, CancelToken, SyncClientOptions, SyncLimits, SyncProgress};

use crate::Result;
use crate::store::Store;

/// The outcome of a finished sync: the last progress, at stage `Done`.
pub type SyncReport = SyncProgress;

/// What a store has waiting for the server, for an "unsent" badge, and the
/// grids the server refused, for a "blocked" notice.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatus {
    /// Changes written here that the server has not acknowledged (held
    /// ones included).
    pub unsent_changes: i64,
    /// Their size in bytes.
    pub unsent_bytes: i64,
    /// Of `unsent_changes`, those held in grids the server refused.
    pub held_changes: i64,
    /// The grids the server refused, each with its reason, its held changes
    /// and the confirmation `Store.discardQuarantinedGrid` takes.
    pub blocked_grids: Vec<BlockedGrid>,
    /// Whether the server says the worker may create grids (null before the
    /// first sync with a server that says): hide "create grid" when false.
    pub can_create_grids: Option<bool>,
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

/// How a [`SyncClient`] talks to its server: timeouts, retries and how much
/// one request carries. Start from [`default_sync_settings`] and change what
/// the app needs (a longer request timeout on 2G, fewer attempts for a
/// foreground "sync now").
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncSettings {
    /// Give up connecting after this many milliseconds.
    pub connect_timeout_ms: i64,
    /// Give up on one request (sending and receiving) after this many milliseconds.
    pub request_timeout_ms: i64,
    /// How many times to try one request before the sync fails (at least 1).
    pub max_attempts: i32,
    /// The wait before the first retry in milliseconds; it doubles up to `max_backoff_ms`.
    pub initial_backoff_ms: i64,
    /// The longest wait between retries in milliseconds.
    pub max_backoff_ms: i64,
    /// Push at most this many bytes of changes per request (one change is always sent).
    pub max_push_bytes: i64,
    /// Ask the server for pages of at most this many bytes.
    pub max_response_bytes: i32,
    /// A district's own CA certificate (PEM) to trust besides the system's, or null.
    pub extra_root_certificate_pem: Option<Vec<u8>>,
    /// For development only: allow `http://` to a host that is not loopback,
    /// sending the token and residents' data unencrypted. Off by default:
    /// plain HTTP then goes only to `127.0.0.0/8`, `::1` and `localhost`,
    /// and any other `http://` URL fails with `Config`. Never turn it on in
    /// a build that reaches grid workers.
    #[uniffi(default = false)]
    pub allow_plain_http: bool,
}

/// The settings for a phone on a weak link: 10 s to connect, 60 s per
/// request, 5 attempts with backoff from 0.5 s to 30 s, 1 MiB pushed and
/// 4 MiB pulled per request, and plain HTTP only to loopback.
#[uniffi::export]
pub fn default_sync_settings() -> SyncSettings {
    let d = SyncClientOptions::new("", "");
    let millis = |t: Duration| i64::try_from(t.as_millis()).unwrap_or(i64::MAX);
    SyncSettings {
        connect_timeout_ms: millis(d.connect_timeout),
        request_timeout_ms: millis(d.request_timeout),
        max_attempts: i32::try_from(d.max_attempts).unwrap_or(i32::MAX),
        initial_backoff_ms: millis(d.initial_backoff),
        max_backoff_ms: millis(d.max_backoff),
        max_push_bytes: i64::try_from(d.limits.max_push_bytes).unwrap_or(i64::MAX),
        max_response_bytes: i32::try_from(d.limits.max_response_bytes).unwrap_or(i32::MAX),
        extra_root_certificate_pem: d.extra_root_certificate_pem,
        allow_plain_http: d.allow_plain_http,
    }
}

/// The core's options from the app's settings. A negative number becomes
/// zero, which the core refuses as `Config` naming the setting, like a zero.
fn options(server_url: String, token: String, s: SyncSettings) -> SyncClientOptions {
    let millis = |ms: i64| Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    SyncClientOptions {
        connect_timeout: millis(s.connect_timeout_ms),
        request_timeout: millis(s.request_timeout_ms),
        max_attempts: u32::try_from(s.max_attempts).unwrap_or(0),
        initial_backoff: millis(s.initial_backoff_ms),
        max_backoff: millis(s.max_backoff_ms),
        limits: SyncLimits {
            max_push_bytes: usize::try_from(s.max_push_bytes).unwrap_or(0),
            max_response_bytes: u32::try_from(s.max_response_bytes).unwrap_or(0),
        },
        extra_root_certificate_pem: s.extra_root_certificate_pem,
        allow_plain_http: s.allow_plain_http,
        ..SyncClientOptions::new(server_url, token)
    }
}

/// A client for one sync server and one device token.
#[derive(uniffi::Object)]
pub struct SyncClient {
    inner: gridbook::sync::SyncClient,
}

#[uniffi::export]
impl SyncClient {
    /// A client for the server at `server_url` (`https://…`; `http://` only
    /// to loopback) with this device's bearer `token`, with the default
    /// timeouts and retries for a phone on a weak link.
    /// `extra_root_certificate_pem` is a district's own CA certificate to
    /// trust besides the system's, or null. Fails with `Config` on a
    /// malformed URL or certificate, or plain HTTP to another host.
    #[uniffi::constructor]
    pub fn new(
        server_url: String,
        token: String,
        extra_root_certificate_pem: Option<Vec<u8>>,
    ) -> Result<Arc<SyncClient>> {
        let settings = SyncSettings {
            extra_root_certificate_pem,
            ..default_sync_settings()
        };
        Self::with_settings(server_url, token, settings)
    }

    /// A client with the app's own [`SyncSettings`]. Fails with `Config`
    /// naming the setting on a malformed URL or certificate, a zero timeout,
    /// limit or attempt count, a first backoff longer than the longest, or
    /// plain HTTP to a host that is not loopback without `allow_plain_http`.
    #[uniffi::constructor]
    pub fn with_settings(
        server_url: String,
        token: String,
        settings: SyncSettings,
    ) -> Result<Arc<SyncClient>> {
        let inner = gridbook::sync::SyncClient::new(options(server_url, token, settings))?;
        Ok(Arc::new(SyncClient { inner }))
    }

    /// Syncs `store` with the server until neither side has anything new for
    /// the other. Blocking: call off the main thread. `listener` hears every
    /// step; `cancel` stops it (failing with `Cancelled`). A failure at any
    /// point leaves the store consistent, and the next sync finishes the job.
    ///
    /// In Kotlin prefer `store.sync(client, listener, cancel)`: with the
    /// store as the receiver, a `close()` of the store on another thread
    /// waits for the sync to return (see `README.md`).
    pub fn sync(
        &self,
        store: Arc<Store>,
        listener: Arc<dyn SyncListener>,
        cancel: Arc<CancelHandle>,
    ) -> Result<SyncReport> {
        self.run(&store, listener.as_ref(), &cancel)
    }
}

impl SyncClient {
    fn run(
        &self,
        store: &Store,
        listener: &dyn SyncListener,
        cancel: &CancelHandle,
    ) -> Result<SyncReport> {
        let mut progress = |p: &SyncProgress| listener.on_progress(*p);
        let report = self
            .inner
            .sync(&store.inner, &mut progress, &cancel.token)?;
        Ok(report)
    }
}

#[uniffi::export]
impl Store {
    /// Syncs this store with the server through `client`, as
    /// `client.sync(store, listener, cancel)` does. Blocking: call off the
    /// main thread. With the store as the receiver, Kotlin's generated code
    /// keeps it alive for the whole call: a `close()` on another thread takes
    /// effect when the sync returns (an object passed as an argument has no
    /// such guard in uniffi 0.32's Kotlin).
    pub fn sync(
        &self,
        client: Arc<SyncClient>,
        listener: Arc<dyn SyncListener>,
        cancel: Arc<CancelHandle>,
    ) -> Result<SyncReport> {
        client.run(self, listener.as_ref(), &cancel)
    }

    /// What this store has waiting for the server.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let status = self.inner.sync_status()?;
        Ok(SyncStatus {
            unsent_changes: status.unsent_changes,
            unsent_bytes: status.unsent_bytes,
            held_changes: status.held_changes,
            blocked_grids: status.blocked_grids,
            can_create_grids: status.can_create_grids,
        })
    }
}
