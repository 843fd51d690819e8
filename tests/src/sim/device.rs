//! A worker's phone: their [`Store`] and a [`SyncClient`] with their
//! device token, and what its syncs cost so far ([`SyncTotals`], from the
//! client's [`SyncProgress`]: request and response body bytes and round
//! trips).
//!
//! To count something more per sync, add a field to [`SyncTotals`] and
//! fill it in [`SyncTotals::add`].

use std::path::Path;

use gridbook::sync::{CancelToken, SyncClient, SyncClientOptions, SyncError, SyncProgress};
use gridbook::{PhotoInfo, Store};

use super::SimError;
use super::team::Member;

/// What a device's syncs moved, summed over syncs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncTotals {
    /// Completed syncs (each one or more round trips).
    pub syncs: u64,
    /// Requests answered.
    pub round_trips: u64,
    /// Request body bytes.
    pub bytes_sent: u64,
    /// Response body bytes.
    pub bytes_received: u64,
    /// This device's changes the server acknowledged.
    pub pushed_changes: u64,
    /// Chunks (changes or snapshots) received.
    pub pulled_chunks: u64,
    /// Photos uploaded.
    pub uploaded_photos: u64,
    /// Photo bytes the server acknowledged.
    pub photo_bytes_sent: u64,
}

impl SyncTotals {
    /// Adds one finished sync.
    pub fn add(&mut self, report: &SyncProgress) {
        self.syncs += 1;
        // The report's counts are signed for Kotlin and Swift, never negative.
        self.round_trips += u64::from(report.round_trips.unsigned_abs());
        self.bytes_sent += report.bytes_sent.unsigned_abs();
        self.bytes_received += report.bytes_received.unsigned_abs();
        self.pushed_changes += report.pushed_changes.unsigned_abs();
        self.pulled_chunks += report.pulled_chunks.unsigned_abs();
        self.uploaded_photos += report.uploaded_photos.unsigned_abs();
        self.photo_bytes_sent += report.photo_bytes_sent.unsigned_abs();
    }

    /// Adds another total.
    pub fn merge(&mut self, other: &SyncTotals) {
        self.syncs += other.syncs;
        self.round_trips += other.round_trips;
        self.bytes_sent += other.bytes_sent;
        self.bytes_received += other.bytes_received;
        self.pushed_changes += other.pushed_changes;
        self.pulled_chunks += other.pulled_chunks;
        self.uploaded_photos += other.uploaded_photos;
        self.photo_bytes_sent += other.photo_bytes_sent;
    }

    /// Bytes both ways.
    pub fn bytes(&self) -> u64 {
        self.bytes_sent + self.bytes_received
    }
}

/// A worker's device: store, sync client and counters.
pub struct Device {
    /// Whose phone it is.
    pub member: Member,
    /// The phone's store.
    pub store: Store,
    client: SyncClient,
    /// Every sync so far.
    pub totals: SyncTotals,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("worker_id", &self.member.worker_id)
            .field("totals", &self.totals)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// Opens (or creates) the store at `path` and a client for `server_url` with `token`.
    pub fn open(
        member: Member,
        path: &Path,
        server_url: &str,
        token: &str,
    ) -> Result<Device, SimError> {
        let store = Store::open(path, member.identity())?;
        let client = SyncClient::new(SyncClientOptions::new(server_url, token))?;
        Ok(Device {
            member,
            store,
            client,
            totals: SyncTotals::default(),
        })
    }

    /// Syncs with the server until neither side has anything new, and
    /// counts it in [`Device::totals`].
    pub fn sync(&mut self) -> Result<SyncProgress, SimError> {
        self.sync_with(&mut |_| {})
    }

    /// [`Device::sync`] with a progress callback.
    pub fn sync_with(
        &mut self,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> Result<SyncProgress, SimError> {
        let report = self
            .client
            .sync(&self.store, progress, &CancelToken::new())?;
        self.totals.add(&report);
        Ok(report)
    }

    /// Downloads the photo `photo_id` of `grid_id` into the store, as an
    /// app does when a worker opens a record that names it (nothing is
    /// requested for a photo the store holds).
    pub fn download_photo(&self, grid_id: &str, photo_id: &str) -> Result<PhotoInfo, SyncError> {
        self.client
            .download_photo(&self.store, grid_id, photo_id, &CancelToken::new())
    }
}
