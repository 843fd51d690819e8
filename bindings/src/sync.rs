//! Syncing a [`Store`] through the district's sync server: `Store.sync`
//! with a [`SyncServer`] record (no client object: the store caches the
//! core's client per server), a [`SyncListener`] the app implements for
//! progress, and `Store.cancelSync`. Nothing here is an object the app passes
//! as an argument, so no object's release can race a call that takes it.
//!
//! `Store.sync` is async and runs the core's blocking sync on the pool
//! (`crate::pool`); the listener is called on that pool thread. Cancellation
//! reaches the core's `CancelToken` two ways: a drop guard in the call's
//! future (a cancelled Kotlin coroutine frees the future) and `cancelSync`
//! (Swift, whose generated async code does not forward Task cancellation,
//! and Stop buttons). To add a sync option, add it to [`SyncSettings`] and to
//! `options` below.
//!
//! `SyncProgress`, `SyncStage` and `SyncStatus` are the core's own types.
//! [`SyncSettings`] is the core's `SyncClientOptions` in milliseconds and
//! plain numbers: a new client option is added to both.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use gridbook::sync::{
    CancelToken, SyncClient, SyncClientOptions, SyncError, SyncLimits, SyncProgress, SyncStatus,
};

use crate::store::Store;
use crate::{GridbookError, Result, pool};

/// The outcome of a finished sync: the last progress, at stage `Done`.
pub type SyncReport = SyncProgress;

/// Receives a sync's progress. Implemented by the app in Kotlin or Swift
/// (Kotlin and Swift also take a lambda or closure: `store.sync(server) { … }`).
///
/// Called on a thread of the library's pool after every step; it must return
/// quickly; post to the UI thread from it. If it throws, the sync stops with
/// `ListenerFailed` (naming `SyncListener.onProgress`, never what was
/// thrown) and is not called again; what was applied stays applied.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// A step of the sync finished.
    fn on_progress(&self, progress: SyncProgress) -> Result<(), ListenerError>;
}

/// What a Kotlin or Swift listener may throw; any other exception arrives
/// the same way, and what was thrown is not kept (it may hold personal
/// data). A `SyncListener` that fails stops its sync with
/// `GridbookError.ListenerFailed`; a `LiveQueryListener` that fails is
/// counted (`Store.listenerFailures`) and the store goes on. (Declared here
/// rather than reusing `GridbookError`: uniffi 0.32's Kotlin cannot lower an
/// error of the core's component from a callback of this one.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ListenerError {
    /// The listener failed; what it threw is not kept (it may hold personal data).
    #[error("the listener failed")]
    Failed,
}

/// Any exception a Kotlin or Swift listener throws: its text is dropped.
impl From<uniffi::UnexpectedUniFFICallbackError> for ListenerError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        ListenerError::Failed
    }
}

/// A sync server and how to talk to it: what `Store.sync` takes. The store
/// keeps one HTTP client per server (the same `url`, `token` and `settings`
/// reuse it, with its open connections).
///
/// It holds the device token: do not log it (Kotlin's generated `toString`
/// prints every field).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncServer {
    /// The server's URL (`https://…`; `http://` only to loopback unless
    /// `settings.allowPlainHttp`).
    pub url: String,
    /// This device's bearer token, from the district's administrator.
    pub token: String,
    /// Timeouts, retries and sizes; start from `defaultSyncSettings()`.
    pub settings: SyncSettings,
}

impl std::fmt::Debug for SyncServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncServer")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .field("settings", &self.settings)
            .finish()
    }
}

/// How a store talks to a sync server: timeouts, retries and how much
/// one request carries. Start from `defaultSyncSettings()` and change what
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
    /// The wait before the first retry in milliseconds; it doubles up to `maxBackoffMs`.
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

/// How many servers' clients a store keeps (an app syncs with one; a test
/// or a district move may use two).
const CACHED_CLIENTS: usize = 2;

/// The listener method named by `ListenerFailed`.
const PROGRESS_LISTENER: &str = "SyncListener.onProgress";

/// The sync side of a [`Store`]: one sync at a time, the cancel tokens of the
/// syncs started and not finished (for `cancelSync`), and the cached clients.
#[derive(Default)]
pub(crate) struct Syncs {
    /// Held by the running sync: a second sync on the store waits for it.
    pub(crate) turn: Mutex<()>,
    /// The syncs started and not yet returned (running or waiting), by number.
    pub(crate) started: Mutex<Vec<(u64, CancelToken)>>,
    next: AtomicU64,
    /// The clients of the servers used last, newest first.
    clients: Mutex<Vec<(SyncServer, Arc<SyncClient>)>>,
}

/// Locks `mutex`, also after a panic elsewhere (the data is a list, never half-written).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Cancels a token when dropped: when the future of `Store.sync` is dropped
/// (the Kotlin coroutine was cancelled, and uniffi frees the future), the
/// sync's thread sees the token at its next check and stops.
struct CancelOnDrop(CancelToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        // Harmless after the sync returned: the token is this sync's own.
        self.0.cancel();
    }
}

/// Takes a started sync off the list when its call returns or is dropped
/// (a dropped call's token is cancelled already, by [`CancelOnDrop`]).
struct Started {
    syncs: Arc<Syncs>,
    number: u64,
}

impl Drop for Started {
    fn drop(&mut self) {
        lock(&self.syncs.started).retain(|(n, _)| *n != self.number);
    }
}

impl Syncs {
    /// Lists a sync's token for `cancel_all` until the guard is dropped.
    fn start(self: &Arc<Self>, token: &CancelToken) -> Started {
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        lock(&self.started).push((number, token.clone()));
        Started {
            syncs: Arc::clone(self),
            number,
        }
    }

    /// Cancels every sync started and not finished.
    pub(crate) fn cancel_all(&self) {
        for (_, token) in lock(&self.started).iter() {
            token.cancel();
        }
    }

    /// The cached client of `server`, or a new one (which is then cached).
    fn client(&self, server: &SyncServer) -> Result<Arc<SyncClient>> {
        if let Some((_, client)) = lock(&self.clients).iter().find(|(s, _)| s == server) {
            return Ok(Arc::clone(client));
        }
        let options = options(
            server.url.clone(),
            server.token.clone(),
            server.settings.clone(),
        );
        let client = Arc::new(SyncClient::new(options)?);
        let mut clients = lock(&self.clients);
        clients.retain(|(s, _)| s != server);
        clients.insert(0, (server.clone(), Arc::clone(&client)));
        clients.truncate(CACHED_CLIENTS);
        Ok(client)
    }

    /// Runs one sync on this thread (a pool thread): waits for its turn, then
    /// syncs, stopping when `token` (listed by [`Syncs::start`]) is cancelled
    /// or the listener throws.
    fn run(
        &self,
        store: &gridbook::Store,
        server: &SyncServer,
        listener: Option<&dyn SyncListener>,
        token: CancelToken,
    ) -> Result<SyncReport> {
        let _turn = lock(&self.turn);
        if token.is_cancelled() {
            return Err(SyncError::Cancelled.into());
        }
        let client = self.client(server)?;
        let mut listener_failed = false;
        let mut progress = |p: &SyncProgress| {
            let Some(listener) = listener.filter(|_| !listener_failed) else {
                return;
            };
            if listener.on_progress(*p).is_err() {
                listener_failed = true;
                token.cancel();
            }
        };
        let result = client.sync(store, &mut progress, &token);
        if listener_failed {
            return Err(GridbookError::ListenerFailed {
                listener: PROGRESS_LISTENER.to_string(),
            });
        }
        Ok(result?)
    }
}

#[uniffi::export]
impl Store {
    /// Syncs this store with `server` until neither side has anything new
    /// for the other, and returns the last progress. `listener` (or null)
    /// hears every step.
    ///
    /// Stopping: cancelling the calling Kotlin coroutine, or `cancelSync()`
    /// (a Stop button; Swift's `sync` wrappers call it when their Task is
    /// cancelled) makes it fail with `Cancelled` within a moment: before its
    /// next request, while waiting to retry, or, with a request in flight,
    /// when that request ends (at most the request timeout). What was applied
    /// before stays applied, and the next sync finishes the job; a failure at
    /// any point leaves the store consistent.
    ///
    /// One sync runs at a time per store: a second `sync` call waits until
    /// the first has returned, then runs (and usually finds little to do).
    pub async fn sync(
        &self,
        server: SyncServer,
        listener: Option<Arc<dyn SyncListener>>,
    ) -> Result<SyncReport> {
        let token = CancelToken::new();
        let _cancel_on_drop = CancelOnDrop(token.clone());
        // Listed at the call's first poll, before the hop to the pool, so a
        // `cancelSync` from then on reaches it.
        let _started = self.syncs.start(&token);
        let (store, syncs) = (self.core()?, Arc::clone(&self.syncs));
        pool::run(move || syncs.run(&store, &server, listener.as_deref(), token)).await
    }

    /// Cancels this store's sync: the running one and any waiting for their
    /// turn fail with `Cancelled` (see `sync`). Syncs started later run as usual.
    /// Not async: it only marks the syncs, never waits, so it can be called from
    /// anywhere (a click handler, a Swift cancellation handler).
    pub fn cancel_sync(&self) {
        self.syncs.cancel_all();
    }

    /// Downloads the photo `photoId` of the grid `gridId` from `server`
    /// when the app shows it, checks it against its id and keeps it in the
    /// photo cache; a photo this store holds already is returned without a
    /// request. Retries like `sync`, and `cancelSync()` stops it.
    ///
    /// Errors: `Rejected` with status 404 when the server holds no complete
    /// photo by that id in that grid; `Forbidden` for a grid not assigned
    /// to this worker; `Invalid` when the bytes do not hash to the id
    /// (nothing is stored).
    pub async fn download_photo(
        &self,
        server: SyncServer,
        grid_id: String,
        photo_id: String,
    ) -> Result<gridbook::PhotoInfo> {
        let token = CancelToken::new();
        let _cancel_on_drop = CancelOnDrop(token.clone());
        let _started = self.syncs.start(&token);
        let (store, syncs) = (self.core()?, Arc::clone(&self.syncs));
        pool::run(move || {
            let client = syncs.client(&server)?;
            Ok(client.download_photo(&store, &grid_id, &photo_id, &token)?)
        })
        .await
    }

    /// Brings the grid's review queue of residents' own reports and the
    /// server in step: sends the reviews made on this phone (the server
    /// deletes those reports), then pulls the reports the server holds for
    /// the grid into the queue (`selfReports` lists them). Needs the whole
    /// grid assigned to this worker (`Forbidden` otherwise); a failure
    /// leaves the queue as it was.
    pub async fn sync_self_reports(
        &self,
        server: SyncServer,
        grid_id: String,
    ) -> Result<gridbook::sync::SelfReportSync> {
        let token = CancelToken::new();
        let _cancel_on_drop = CancelOnDrop(token.clone());
        let _started = self.syncs.start(&token);
        let (store, syncs) = (self.core()?, Arc::clone(&self.syncs));
        pool::run(move || {
            let client = syncs.client(&server)?;
            // China's day: an ID number's birth date may not be later.
            let today = gridbook::Date::today(480);
            Ok(client.sync_self_reports(&store, &grid_id, today)?)
        })
        .await
    }

    /// What this store has waiting for the server.
    pub async fn sync_status(&self) -> Result<SyncStatus> {
        self.call(|s| s.sync_status()).await
    }
}
