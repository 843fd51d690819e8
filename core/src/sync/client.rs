//! The HTTP sync client (cargo feature `client`): blocking reqwest over
//! rustls, with connect and request timeouts, retries with exponential
//! backoff, a progress callback and cancellation.
//!
//! One [`SyncClient::sync`] call sends requests until the server has nothing
//! more and the outbox is empty; usually that is one request. Every request
//! is safe to repeat (see `schema/sync-protocol.md`), so a failure at any
//! point leaves the store consistent and the next sync finishes the job.
//! To add a retry rule, change [`retry_after`]; to report more progress, add
//! a field to [`SyncProgress`] and fill it in [`SyncClient::sync`].

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::device::SyncLimits;
use super::wire::SyncResponse;
use super::{
    CONTENT_TYPE, MAX_RESPONSE_BYTES, MAX_SERVER_PHOTO_BYTES, PHOTO_CHUNK_BYTES,
    PHOTO_HASH_MISMATCH, PHOTO_SIZE_HEADER, ProtocolError, SYNC_PATH, photo_path,
};
use crate::store::Store;
use crate::store::photos::{PhotoInfo, PhotoUpload};

/// Settings of a [`SyncClient`].
#[derive(Debug, Clone)]
pub struct SyncClientOptions {
    /// The server's base URL, for example `https://sync.example.gov.cn`.
    pub server_url: String,
    /// This device's bearer token, issued by the server's administrator.
    pub token: String,
    /// Give up connecting after this long.
    pub connect_timeout: Duration,
    /// Give up on one request (sending and receiving) after this long.
    pub request_timeout: Duration,
    /// How many times to try one request before failing the sync.
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles up to `max_backoff`.
    pub initial_backoff: Duration,
    /// The longest wait between retries.
    pub max_backoff: Duration,
    /// How much one request carries.
    pub limits: SyncLimits,
    /// A PEM certificate to trust besides the system's (a district's own CA).
    pub extra_root_certificate_pem: Option<Vec<u8>>,
    /// For development only: allow `http://` to a host that is not loopback,
    /// which sends the device token and residents' data unencrypted. Without
    /// it, plain HTTP goes only to loopback (`127.0.0.0/8`, `::1`,
    /// `localhost`) and anything else needs `https://`. Never set it in a
    /// build that reaches grid workers.
    pub allow_plain_http: bool,
}

impl SyncClientOptions {
    /// Options with the defaults for a phone on a weak link.
    pub fn new(server_url: impl Into<String>, token: impl Into<String>) -> Self {
        SyncClientOptions {
            server_url: server_url.into(),
            token: token.into(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            limits: SyncLimits::default(),
            extra_root_certificate_pem: None,
            allow_plain_http: false,
        }
    }

    /// Checks that the options can work: non-zero timeouts, limits and
    /// attempts, and a first backoff no longer than the longest. The error
    /// names the option.
    pub fn validate(&self) -> Result<(), SyncError> {
        let refuse = |what: &str| Err(SyncError::Config(what.to_string()));
        if self.connect_timeout.is_zero() {
            return refuse("connect_timeout must be longer than zero");
        }
        if self.request_timeout.is_zero() {
            return refuse("request_timeout must be longer than zero");
        }
        if self.max_attempts == 0 {
            return refuse("max_attempts must be at least 1");
        }
        if self.initial_backoff > self.max_backoff {
            return refuse("initial_backoff must not be longer than max_backoff");
        }
        if self.limits.max_push_bytes == 0 {
            return refuse("max_push_bytes must be at least 1");
        }
        if self.limits.max_response_bytes == 0 {
            return refuse("max_response_bytes must be at least 1");
        }
        Ok(())
    }
}

/// Why a sync stopped. Messages name the cause, never data or tokens.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server refused the token (missing, unknown or revoked): ask for a new one.
    #[error("the server did not accept this device's token")]
    Unauthorized,
    /// The server refused access to a grid or to this device's changes.
    #[error("the server refused access: {0}")]
    Forbidden(String),
    /// The server refused the request as malformed or too large; retrying will not help.
    #[error("the server rejected the request ({status}): {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The server's explanation.
        message: String,
    },
    /// The server could not be reached or kept failing after every retry.
    #[error("the server could not be reached: {0}")]
    Unreachable(String),
    /// The sync was cancelled; what was applied before stays applied.
    #[error("the sync was cancelled")]
    Cancelled,
    /// The server's response did not decode or did not match the request.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// The store failed while preparing or applying a sync.
    #[error(transparent)]
    Store(#[from] crate::Error),
    /// The client could not be configured (a bad URL or certificate).
    #[error("sync client configuration: {0}")]
    Config(String),
    /// The server URL is `http://` to a host that is not loopback: the token
    /// would cross the network unencrypted. Use `https://`, or, in
    /// development only, [`SyncClientOptions::allow_plain_http`].
    #[error(
        "refusing plain http:// to a host that is not loopback: the device token would cross \
         the network unencrypted; use https:// (allow_plain_http is for development only)"
    )]
    PlainHttp,
}

/// What a sync is doing, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SyncStage {
    /// Sending a request and waiting for the answer.
    Exchanging,
    /// Waiting before retrying a failed request.
    WaitingToRetry,
    /// Applying a response to the store.
    Applying,
    /// Finished.
    Done,
}

/// Progress of one sync (`Store.sync`), reported after every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncProgress {
    /// The current stage.
    pub stage: SyncStage,
    /// Requests answered so far.
    pub round_trips: i32,
    /// Failed attempts that were retried.
    pub retries: i32,
    /// This device's changes the server has acknowledged so far.
    pub pushed_changes: i64,
    /// Changes still waiting in the outbox.
    pub unsent_changes: i64,
    /// Chunks received so far.
    pub pulled_chunks: i64,
    /// Request bytes sent (bodies).
    pub bytes_sent: i64,
    /// Response bytes received (bodies).
    pub bytes_received: i64,
    /// Photos attached here that the server confirmed in this sync.
    pub uploaded_photos: i64,
    /// Photos attached here still to upload (waiting, being uploaded or
    /// failed; those of a grid the server refused wait for it).
    pub unsent_photos: i64,
    /// Photo bytes the server acknowledged in this sync.
    pub photo_bytes_sent: i64,
}

/// A count or size for [`SyncProgress`], whose fields are signed for Kotlin
/// and Swift; saturating, never wrapping.
fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The store's unsent changes, as [`SyncProgress::unsent_changes`] counts them.
fn unsent(store: &Store) -> Result<i64, SyncError> {
    Ok(store.sync_status()?.unsent_changes)
}

/// The photos attached here and not yet on the server.
fn unsent_photos(store: &Store) -> Result<i64, SyncError> {
    Ok(count(store.photos_to_upload(i64::MAX)?.len()))
}

/// Where the server stands on one photo (`GET ...?status`).
#[derive(Debug, Clone, Copy)]
struct RemotePhoto {
    received: u64,
    complete: bool,
}

impl RemotePhoto {
    /// The JSON the server answers a status request or a chunk with.
    fn parse(body: &[u8]) -> Result<RemotePhoto, SyncError> {
        let json: serde_json::Value = serde_json::from_slice(body)
            .map_err(|_| SyncError::Unreachable("the server's photo status is not JSON".into()))?;
        let received = json.get("received").and_then(serde_json::Value::as_u64);
        let complete = json.get("complete").and_then(serde_json::Value::as_bool);
        match (received, complete) {
            (Some(received), Some(complete)) => Ok(RemotePhoto { received, complete }),
            _ => Err(SyncError::Unreachable(
                "the server's photo status lacks a field".into(),
            )),
        }
    }
}

/// The reason a photo's upload failed for good, as the app shows it
/// (`PhotoUpload::Failed`); None for a failure to retry in a later sync.
fn final_failure(error: &SyncError) -> Option<String> {
    // A timeout or "too many requests" after every retry is the network's
    // state, not the photo's.
    if retry_after(error) {
        return None;
    }
    match error {
        SyncError::Forbidden(_) => Some("forbidden".into()),
        SyncError::Rejected { status: 422, .. } => Some(PHOTO_HASH_MISMATCH.into()),
        SyncError::Rejected { status: 413, .. } => Some("too_large".into()),
        SyncError::Rejected { status, .. } => Some(format!("rejected_{status}")),
        // The phone's own copy no longer hashes to its id: no upload can
        // succeed, and the server would refuse it anyway.
        SyncError::Store(crate::Error::Invalid {
            reason: crate::InvalidReason::PhotoHashMismatch,
            ..
        }) => Some("local_copy_damaged".into()),
        _ => None,
    }
}

/// How many times one upload starts over from the server's count after a
/// chunk was refused as out of place, before it is marked failed.
const MAX_RESUMES: u32 = 3;

/// The outcome of a finished sync.
pub type SyncReport = SyncProgress;

/// A flag to cancel a running sync from another thread.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        CancelToken::default()
    }
    /// Asks the sync to stop. It stops before its next request or while
    /// waiting to retry; a request in flight ends within the request timeout.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A client for one sync server and one device token.
#[derive(Debug)]
pub struct SyncClient {
    http: reqwest::blocking::Client,
    endpoint: String,
    base: String,
    options: SyncClientOptions,
}

/// The most requests one sync sends before it stops and reports progress.
const MAX_ROUND_TRIPS: i32 = 10_000;

impl SyncClient {
    /// A client with these options. Fails on a malformed URL or certificate,
    /// options that cannot work ([`SyncClientOptions::validate`]), and
    /// plain HTTP to a host that is not loopback ([`SyncError::PlainHttp`]),
    /// all before any connection is made.
    pub fn new(options: SyncClientOptions) -> Result<SyncClient, SyncError> {
        options.validate()?;
        let base = options.server_url.trim_end_matches('/');
        check_server_url(base, options.allow_plain_http)?;
        let builder = reqwest::blocking::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            // The protocol has no redirects; following one could lead the
            // token to a URL that was never checked.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("gridbook/", env!("CARGO_PKG_VERSION")));
        let tls = super::tls::client_config(options.extra_root_certificate_pem.as_deref())?;
        let builder = builder.tls_backend_preconfigured(tls);
        let http = builder
            .build()
            .map_err(|e| SyncError::Config(e.to_string()))?;
        Ok(SyncClient {
            http,
            endpoint: format!("{base}{SYNC_PATH}"),
            base: base.to_string(),
            options,
        })
    }

    /// Syncs `store` with the server until neither side has anything new
    /// for the other. Blocks: call it off the UI thread. `progress` is called
    /// after every step; `cancel` stops it between steps.
    pub fn sync(
        &self,
        store: &Store,
        progress: &mut dyn FnMut(&SyncProgress),
        cancel: &CancelToken,
    ) -> Result<SyncReport, SyncError> {
        let outcome = self.sync_until_done(store, progress, cancel);
        match &outcome {
            Ok(report) => tracing::info!(
                round_trips = report.round_trips,
                retries = report.retries,
                pushed_changes = report.pushed_changes,
                pulled_chunks = report.pulled_chunks,
                bytes_sent = report.bytes_sent,
                bytes_received = report.bytes_received,
                uploaded_photos = report.uploaded_photos,
                "sync finished"
            ),
            Err(error) => tracing::warn!(%error, "sync failed"),
        }
        outcome
    }

    fn sync_until_done(
        &self,
        store: &Store,
        progress: &mut dyn FnMut(&SyncProgress),
        cancel: &CancelToken,
    ) -> Result<SyncReport, SyncError> {
        let mut report = SyncProgress {
            stage: SyncStage::Exchanging,
            round_trips: 0,
            retries: 0,
            pushed_changes: 0,
            unsent_changes: unsent(store)?,
            pulled_chunks: 0,
            bytes_sent: 0,
            bytes_received: 0,
            uploaded_photos: 0,
            unsent_photos: unsent_photos(store)?,
            photo_bytes_sent: 0,
        };
        let mut limits = self.options.limits;
        loop {
            if cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let request = store.sync_request(&limits)?;
            let body = request.encode();
            report.stage = SyncStage::Exchanging;
            progress(&report);
            let answer = match self.exchange(body, &mut report, progress, cancel) {
                Err(SyncError::Rejected { status: 413, .. }) if request.push.len() > 1 => {
                    // A server with a lower body limit: push less per request.
                    limits.max_push_bytes = (limits.max_push_bytes / 2).max(1);
                    continue;
                }
                other => other?,
            };
            let response = SyncResponse::decode(&answer)?;
            report.stage = SyncStage::Applying;
            progress(&report);
            let applied = store.apply_sync_response(&request, &response)?;
            report.round_trips = report.round_trips.saturating_add(1);
            let acked = i64::from(applied.acked_changes);
            report.pushed_changes = report.pushed_changes.saturating_add(acked);
            report.unsent_changes = report.unsent_changes.saturating_sub(acked).max(0);
            let pulled: usize = response.grids.iter().map(|page| page.chunks.len()).sum();
            report.pulled_chunks = report.pulled_chunks.saturating_add(count(pulled));
            if !applied.more {
                break;
            }
            if report.round_trips >= MAX_ROUND_TRIPS {
                return Err(SyncError::Unreachable(
                    "the server kept sending more; sync again later".into(),
                ));
            }
        }
        report.unsent_changes = unsent(store)?;
        // Only now: every change that may name these photos has been
        // pushed, so no other phone meets a reference to a photo the server
        // has never seen.
        self.upload_photos(store, &mut report, progress, cancel)?;
        report.unsent_photos = unsent_photos(store)?;
        report.stage = SyncStage::Done;
        progress(&report);
        Ok(report)
    }

    /// Sends one request body, retrying what may succeed later; returns the response body.
    fn exchange(
        &self,
        body: Vec<u8>,
        report: &mut SyncProgress,
        progress: &mut dyn FnMut(&SyncProgress),
        cancel: &CancelToken,
    ) -> Result<Vec<u8>, SyncError> {
        let mut backoff = self.options.initial_backoff;
        let mut attempt = 1;
        loop {
            report.bytes_sent = report.bytes_sent.saturating_add(count(body.len()));
            let failure = match self.post(&body) {
                Ok(answer) => {
                    report.bytes_received =
                        report.bytes_received.saturating_add(count(answer.len()));
                    return Ok(answer);
                }
                Err(failure) => failure,
            };
            let retryable = retry_after(&failure);
            if !retryable || attempt >= self.options.max_attempts.max(1) {
                return Err(failure);
            }
            tracing::info!(attempt, error = %failure, "sync request failed; retrying");
            attempt += 1;
            report.retries = report.retries.saturating_add(1);
            report.stage = SyncStage::WaitingToRetry;
            progress(report);
            sleep_unless_cancelled(jittered(backoff), cancel)?;
            backoff = (backoff * 2).min(self.options.max_backoff);
        }
    }

    /// Uploads the photos attached here that the server does not hold,
    /// resuming each from the count the server reports. A refusal that no
    /// retry can change (forbidden, hash mismatch, too large) marks the
    /// photo failed with its reason and the sync goes on; a network failure
    /// after every retry ends the sync with the photo left uploading, to
    /// resume next time.
    fn upload_photos(
        &self,
        store: &Store,
        report: &mut SyncProgress,
        progress: &mut dyn FnMut(&SyncProgress),
        cancel: &CancelToken,
    ) -> Result<(), SyncError> {
        let blocked: Vec<String> = store
            .sync_status()?
            .blocked_grids
            .into_iter()
            .map(|b| b.grid_id)
            .collect();
        for photo in store.photos_to_upload(i64::MAX)? {
            // A refused grid's changes are held: its photos wait with them.
            if blocked.contains(&photo.grid_id) {
                continue;
            }
            if cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            match self.upload_photo(store, &photo, report, progress, cancel) {
                Ok(()) => {
                    report.uploaded_photos = report.uploaded_photos.saturating_add(1);
                    report.unsent_photos = report.unsent_photos.saturating_sub(1).max(0);
                }
                Err(error) => match final_failure(&error) {
                    Some(reason) => {
                        store.mark_upload_failed(&photo.id, &reason)?;
                    }
                    None => return Err(error),
                },
            }
            progress(report);
        }
        Ok(())
    }

    /// Sends one photo in chunks from where the server stands.
    fn upload_photo(
        &self,
        store: &Store,
        photo: &PhotoInfo,
        report: &mut SyncProgress,
        progress: &mut dyn FnMut(&SyncProgress),
        cancel: &CancelToken,
    ) -> Result<(), SyncError> {
        let path = photo_path(&photo.grid_id, &photo.id);
        if u64::try_from(photo.size_bytes).map_or(true, |size| size > MAX_SERVER_PHOTO_BYTES) {
            return Err(SyncError::Rejected {
                status: 413,
                message: format!(
                    "the server takes photos of at most {MAX_SERVER_PHOTO_BYTES} bytes"
                ),
            });
        }
        let bytes = store.photo(&photo.id)?;
        let size = bytes.len();
        let mut resumes = 0;
        // A photo never sent starts at 0 without asking: one round trip
        // less per new photo. Should the server hold bytes of it (another
        // phone sent the same photo), the first chunk is refused 409 and
        // the count is asked then.
        let mut remote = if photo.upload == PhotoUpload::Waiting {
            RemotePhoto {
                received: 0,
                complete: false,
            }
        } else {
            self.retrying(report, progress, cancel, || self.photo_status(&path))?
        };
        loop {
            if remote.complete {
                store.mark_uploaded(&photo.id)?;
                return Ok(());
            }
            let offset = usize::try_from(remote.received)
                .unwrap_or(usize::MAX)
                .min(size);
            let sent = i64::try_from(offset).unwrap_or(i64::MAX);
            store.mark_upload_progress(&photo.id, sent)?;
            let end = offset.saturating_add(PHOTO_CHUNK_BYTES).min(size);
            let chunk = bytes.get(offset..end).unwrap_or_default();
            report.stage = SyncStage::Exchanging;
            progress(report);
            let answer = self.retrying(report, progress, cancel, || {
                self.put_chunk(&path, offset, size, chunk)
            });
            match answer {
                Ok(next) => {
                    let acked = next.received.saturating_sub(remote.received);
                    report.photo_bytes_sent = report
                        .photo_bytes_sent
                        .saturating_add(i64::try_from(acked).unwrap_or(i64::MAX));
                    remote = next;
                }
                // The server holds another count than this phone thought
                // (another phone uploaded the same photo, or an answer was
                // lost): start again from the server's count.
                Err(SyncError::Rejected { status: 409, .. }) if resumes < MAX_RESUMES => {
                    resumes += 1;
                    remote =
                        self.retrying(report, progress, cancel, || self.photo_status(&path))?;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Downloads the photo `photo_id` of `grid_id` from the server on
    /// demand, checks it against its id and keeps it in the store's cache
    /// (`Store::store_downloaded_photo`). A photo the store holds already
    /// is returned without a request. Retries like a sync; never reports
    /// progress.
    ///
    /// Errors: [`SyncError::Rejected`] with status 404 when the server holds
    /// no complete photo by that id in that grid; [`SyncError::Forbidden`]
    /// for a grid not assigned to this worker; [`SyncError::Store`] when
    /// the bytes do not hash to the id (nothing is stored).
    pub fn download_photo(
        &self,
        store: &Store,
        grid_id: &str,
        photo_id: &str,
        cancel: &CancelToken,
    ) -> Result<PhotoInfo, SyncError> {
        if let Ok(info) = store.photo_info(photo_id) {
            return Ok(info);
        }
        let path = photo_path(grid_id, photo_id);
        let mut report = SyncProgress {
            stage: SyncStage::Exchanging,
            round_trips: 0,
            retries: 0,
            pushed_changes: 0,
            unsent_changes: 0,
            pulled_chunks: 0,
            bytes_sent: 0,
            bytes_received: 0,
            uploaded_photos: 0,
            unsent_photos: 0,
            photo_bytes_sent: 0,
        };
        let bytes = self.retrying(&mut report, &mut |_| {}, cancel, || {
            let request = self.http.get(format!("{}{path}", self.base));
            self.send(request, MAX_SERVER_PHOTO_BYTES.saturating_add(1))
        })?;
        Ok(store.store_downloaded_photo(grid_id, photo_id, &bytes)?)
    }

    fn photo_status(&self, path: &str) -> Result<RemotePhoto, SyncError> {
        let request = self.http.get(format!("{}{path}?status", self.base));
        RemotePhoto::parse(&self.send(request, 4096)?)
    }

    fn put_chunk(
        &self,
        path: &str,
        offset: usize,
        size: usize,
        chunk: &[u8],
    ) -> Result<RemotePhoto, SyncError> {
        let request = self
            .http
            .put(format!("{}{path}?offset={offset}", self.base))
            .header(PHOTO_SIZE_HEADER, size.to_string())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(chunk.to_vec());
        RemotePhoto::parse(&self.send(request, 4096)?)
    }

    /// Runs one request, retrying what may succeed later with the sync's
    /// backoff; counts retries in `report`.
    fn retrying<T>(
        &self,
        report: &mut SyncProgress,
        progress: &mut dyn FnMut(&SyncProgress),
        cancel: &CancelToken,
        mut request: impl FnMut() -> Result<T, SyncError>,
    ) -> Result<T, SyncError> {
        let mut backoff = self.options.initial_backoff;
        let mut attempt = 1;
        loop {
            if cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let failure = match request() {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            if !retry_after(&failure) || attempt >= self.options.max_attempts.max(1) {
                return Err(failure);
            }
            attempt += 1;
            report.retries = report.retries.saturating_add(1);
            report.stage = SyncStage::WaitingToRetry;
            progress(report);
            sleep_unless_cancelled(jittered(backoff), cancel)?;
            backoff = (backoff * 2).min(self.options.max_backoff);
        }
    }

    fn post(&self, body: &[u8]) -> Result<Vec<u8>, SyncError> {
        let request = self
            .http
            .post(&self.endpoint)
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .body(body.to_vec());
        // Room for the largest page plus framing; more is not a page.
        self.send(request, u64::from(MAX_RESPONSE_BYTES) * 2)
    }

    /// A request to `path` on the server (for the other endpoints' modules).
    pub(super) fn request(
        &self,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::blocking::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    /// Sends a request with the token and reads at most `limit` bytes of
    /// its answer; a status other than 200 becomes its [`SyncError`].
    pub(super) fn send(
        &self,
        request: reqwest::blocking::RequestBuilder,
        limit: u64,
    ) -> Result<Vec<u8>, SyncError> {
        let response = request
            .bearer_auth(&self.options.token)
            .send()
            .map_err(|e| SyncError::Unreachable(describe(&e)))?;
        let status = response.status().as_u16();
        let mut answer = Vec::new();
        response
            .take(limit)
            .read_to_end(&mut answer)
            .map_err(|e| SyncError::Unreachable(format!("reading the response: {}", e.kind())))?;
        match status {
            200 => Ok(answer),
            401 => Err(SyncError::Unauthorized),
            403 => Err(SyncError::Forbidden(error_message(&answer))),
            400..=499 => Err(SyncError::Rejected {
                status,
                message: error_message(&answer),
            }),
            _ => Err(SyncError::Unreachable(format!("server error {status}"))),
        }
    }
}

/// Whether a failed request may succeed if sent again.
fn retry_after(failure: &SyncError) -> bool {
    match failure {
        SyncError::Unreachable(_) => true,
        SyncError::Rejected { status, .. } => *status == 408 || *status == 429,
        _ => false,
    }
}

/// The server's error message from a JSON error body, without echoing anything else.
fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "no explanation".into())
}

/// A reqwest error without its URL (it may carry a host name the user typed, never a token).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        "the connection failed".into()
    }
}

/// Up to a quarter more or less than `base`, so that a team's phones do not retry in step.
fn jittered(base: Duration) -> Duration {
    let random = uuid::Uuid::new_v4().as_bytes()[0];
    let quarter = base / 4;
    base - quarter + quarter * u32::from(random) / 128
}

fn sleep_unless_cancelled(duration: Duration, cancel: &CancelToken) -> Result<(), SyncError> {
    let until = Instant::now() + duration;
    while Instant::now() < until {
        if cancel.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        std::thread::sleep(Duration::from_millis(20).min(until - Instant::now()));
    }
    Ok(())
}

/// Refuses a server URL the token must not be sent to: anything but
/// `https://`, and `http://` to a host that is not loopback unless
/// `allow_plain_http`.
fn check_server_url(url: &str, allow_plain_http: bool) -> Result<(), SyncError> {
    let not_https = || SyncError::Config("the server URL must start with https://".into());
    let parsed = reqwest::Url::parse(url).map_err(|_| not_https())?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_plain_http || is_loopback(&parsed) => Ok(()),
        "http" => Err(SyncError::PlainHttp),
        _ => Err(not_https()),
    }
}

/// Whether the URL's host is loopback: `localhost`, `127.0.0.0/8` or `::1`
/// (also as `::ffff:127.x.y.z`). The URL parser has already normalised the
/// host (lower case, IPv4 in dotted decimal, IPv6 in brackets).
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host == "localhost" {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn refusal(change: impl FnOnce(&mut SyncClientOptions)) -> String {
        let mut options = SyncClientOptions::new("https://sync.example.org", "token");
        change(&mut options);
        match SyncClient::new(options) {
            Err(SyncError::Config(message)) => message,
            Err(other) => panic!("expected Config, got {other:?}"),
            Ok(_) => panic!("expected Config, got a client"),
        }
    }

    #[test]
    fn options_that_cannot_work_are_refused_by_name() {
        assert!(SyncClient::new(SyncClientOptions::new("https://sync.example.org", "t")).is_ok());
        type Change = fn(&mut SyncClientOptions);
        let cases: [(&str, Change); 8] = [
            ("connect_timeout", |o| o.connect_timeout = Duration::ZERO),
            ("request_timeout", |o| o.request_timeout = Duration::ZERO),
            ("max_attempts", |o| o.max_attempts = 0),
            ("initial_backoff", |o| o.initial_backoff = o.max_backoff * 2),
            ("max_push_bytes", |o| o.limits.max_push_bytes = 0),
            ("max_response_bytes", |o| o.limits.max_response_bytes = 0),
            ("server URL", |o| {
                o.server_url = "ftp://sync.example.org".into()
            }),
            ("certificate", |o| {
                o.extra_root_certificate_pem = Some(b"not a certificate".to_vec())
            }),
        ];
        for (name, change) in cases {
            let message = refusal(change);
            assert!(message.contains(name), "{name}: {message}");
        }
    }

    #[test]
    fn plain_http_goes_only_to_loopback() {
        let client = |url: &str, allow: bool| {
            let mut options = SyncClientOptions::new(url, "token");
            options.allow_plain_http = allow;
            SyncClient::new(options)
        };
        for url in [
            "http://127.0.0.1:8722",
            "http://127.8.9.10",
            "http://localhost:8722/",
            "http://LOCALHOST",
            "http://[::1]:8722",
            "http://[::ffff:127.0.0.1]:8722",
            "https://sync.example.org",
            "https://192.168.1.10:8722",
        ] {
            assert!(client(url, false).is_ok(), "{url}");
        }
        for url in [
            "http://sync.example.org",
            "http://10.0.2.2:8722",
            "http://192.168.1.10:8722",
            "http://0.0.0.0:8722",
            "http://[2001:db8::1]:8722",
            "http://[::]:8722",
            "http://localhost.example.org",
            "http://127.0.0.1.nip.io",
            "http://localhost@sync.example.org",
        ] {
            match client(url, false) {
                Err(SyncError::PlainHttp) => {}
                other => panic!("{url}: expected PlainHttp, got {other:?}"),
            }
            assert!(client(url, true).is_ok(), "{url} with allow_plain_http");
        }
        for url in ["ftp://127.0.0.1", "127.0.0.1:8722", "http//localhost", ""] {
            match client(url, true) {
                Err(SyncError::Config(message)) => assert!(message.contains("https://")),
                other => panic!("{url}: expected Config, got {other:?}"),
            }
        }
        let message = SyncError::PlainHttp.to_string();
        assert!(
            message.contains("https://") && message.contains("loopback"),
            "{message}"
        );
    }

    #[test]
    fn photo_status_answers_parse_and_refusals_map_to_their_reasons() {
        let status = RemotePhoto::parse(br#"{"size":10,"received":4,"complete":false}"#).unwrap();
        assert_eq!((status.received, status.complete), (4, false));
        let never = RemotePhoto::parse(br#"{"size":null,"received":0,"complete":false}"#).unwrap();
        assert_eq!(never.received, 0);
        for bad in [
            &b"not json"[..],
            br#"{"received":"4","complete":false}"#,
            b"{}",
        ] {
            assert!(matches!(
                RemotePhoto::parse(bad),
                Err(SyncError::Unreachable(_))
            ));
        }
        let rejected = |status| SyncError::Rejected {
            status,
            message: String::new(),
        };
        assert_eq!(
            final_failure(&SyncError::Forbidden(String::new())).as_deref(),
            Some("forbidden")
        );
        assert_eq!(
            final_failure(&rejected(422)).as_deref(),
            Some("hash_mismatch")
        );
        assert_eq!(final_failure(&rejected(413)).as_deref(), Some("too_large"));
        assert_eq!(
            final_failure(&rejected(400)).as_deref(),
            Some("rejected_400")
        );
        // What a later sync may get through leaves the photo as it is.
        for passing in [
            rejected(408),
            rejected(429),
            SyncError::Unreachable(String::new()),
            SyncError::Unauthorized,
            SyncError::Cancelled,
        ] {
            assert_eq!(final_failure(&passing), None);
        }
    }
}
