//! Housekeeping: incomplete photo uploads that were abandoned (a phone
//! lost, reset, or its photo deleted mid-upload) are deleted, so their bytes
//! do not stay in the database for ever (complete photos are never
//! deleted); and residents' self-reports that no worker reviewed within the
//! retention period ([`crate::self_report::SelfReportSettings::retention`],
//! default 30 days, flag `--self-report-retention-days`) are deleted
//! ([`purge_self_reports`]).
//!
//! An upload is abandoned once its first chunk arrived at least the
//! configured age ago ([`DEFAULT_ABANDON_PHOTO_UPLOADS_AFTER_HOURS`], flag
//! `--abandon-photo-uploads-after-hours`) and it is still incomplete. The
//! `photos` table records when an upload began (`created_at`), not when its
//! last chunk arrived, and its schema is frozen, so the age counts from the
//! first chunk: an upload still crawling along after the age is dropped
//! too. That costs nothing but a restart: the phone asks the status of
//! each photo before sending it (`received` 0 for an upload the server no
//! longer has) and sends from the server's count, and a chunk sent after
//! the purge is refused 409 `offset_mismatch`, after which the phone asks
//! the status again and starts from 0 (`schema/sync-protocol.md`,
//! "Photos"). A photo is at most 5 MiB; a week is far longer than any
//! upload that is still going to finish.
//!
//! Two ways in: [`spawn_housekeeping`], the server's pass when it starts
//! and then every [`HOUSEKEEPING_INTERVAL`], and the `admin
//! purge-abandoned-uploads` command ([`crate::admin::Admin::purge_abandoned_uploads`]).
//! Both call [`purge_abandoned_uploads`]. Several server processes over one
//! PostgreSQL database each run the pass; the deletes are idempotent.
//!
//! To add another kind of housekeeping: a [`crate::storage::Storage`]
//! method that does it in one statement or transaction, a function here
//! beside [`purge_abandoned_uploads`], and a call in the loop of
//! [`spawn_housekeeping`] (with its own setting in `config.rs` if it needs one).

use std::sync::Arc;
use std::time::Duration;

use crate::storage::{PurgedUploads, Storage, StorageResult};

/// The default age after which an incomplete photo upload is deleted: a week.
pub const DEFAULT_ABANDON_PHOTO_UPLOADS_AFTER_HOURS: u64 = 7 * 24;

/// How often the server's housekeeping pass runs (and once at start). An
/// upload is thus deleted at most this long after it became abandoned.
pub const HOUSEKEEPING_INTERVAL: Duration = Duration::from_secs(3600);

/// Deletes the incomplete uploads begun `age` or longer ago. An `age` of
/// zero deletes every incomplete upload, even one in progress (its phone
/// starts it over).
pub async fn purge_abandoned_uploads(
    storage: &dyn Storage,
    age: Duration,
) -> StorageResult<PurgedUploads> {
    let age = i64::try_from(age.as_secs()).unwrap_or(i64::MAX);
    let begun_by = crate::storage::now_unix().saturating_sub(age);
    storage.purge_abandoned_uploads(begun_by).await
}

/// Deletes the residents' self-reports received `retention` or longer ago
/// and not reviewed since (a review deletes a report at once); returns how
/// many.
pub async fn purge_self_reports(storage: &dyn Storage, retention: Duration) -> StorageResult<u64> {
    let age = i64::try_from(retention.as_secs()).unwrap_or(i64::MAX);
    let received_by = crate::storage::now_unix().saturating_sub(age);
    storage.purge_self_reports(received_by).await
}

/// Starts the server's housekeeping: a pass at once, then one every
/// [`HOUSEKEEPING_INTERVAL`], until the returned task is aborted. A failed
/// pass is logged and retried at the next one. Call from inside the tokio
/// runtime.
pub fn spawn_housekeeping(
    storage: Arc<dyn Storage>,
    abandon_uploads_after: Duration,
    self_report_retention: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(HOUSEKEEPING_INTERVAL);
        // A server suspended for hours needs one pass, not one per hour missed.
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let started = std::time::Instant::now();
            match purge_abandoned_uploads(storage.as_ref(), abandon_uploads_after).await {
                Ok(PurgedUploads { uploads: 0, .. }) => {}
                Ok(purged) => tracing::info!(
                    uploads = purged.uploads,
                    bytes = purged.bytes,
                    older_than_hours = abandon_uploads_after.as_secs() / 3600,
                    duration_ms = started.elapsed().as_millis() as u64,
                    "abandoned photo uploads purged"
                ),
                Err(e) => tracing::warn!(error = %e, "purging abandoned photo uploads failed"),
            }
            match purge_self_reports(storage.as_ref(), self_report_retention).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(
                    self_reports = purged,
                    older_than_days = self_report_retention.as_secs() / 86_400,
                    "self-reports past their retention purged"
                ),
                Err(e) => tracing::warn!(error = %e, "purging old self-reports failed"),
            }
        }
    })
}
