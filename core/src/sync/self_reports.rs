//! The sync client's side of residents' own reports: fetching a grid's
//! reports waiting for review (`GET /v1/grids/{grid}/self-reports`),
//! telling the server one was reviewed (`POST
//! /v1/grids/{grid}/self-reports/{id}/review`, which deletes it), and both
//! against the phone's review queue ([`SyncClient::sync_self_reports`]).
//! Every report is checked again by the core on arrival. To add an
//! endpoint, add a method here over `SyncClient::request` and
//! `SyncClient::send`.

use super::client::{SyncClient, SyncError};
use crate::self_report::{ReceivedSelfReport, SelfReport};
use crate::store::Store;
use crate::validate::Date;

/// What bringing a grid's review queue and the server in step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SelfReportSync {
    /// Reviews the server was told of (and the queue forgot).
    pub outcomes_sent: u32,
    /// Reports added to the queue.
    pub queued: u32,
}

/// The largest list of reports read: a grid's month of reports, and more.
const MAX_LIST_BYTES: u64 = 8 * 1024 * 1024;

impl SyncClient {
    /// Brings the phone's review queue of `grid_id` and the server in step:
    /// first tells the server every review made here in that grid (a report
    /// the server no longer holds counts as told), then puts the reports it
    /// holds into the queue (`Store::queue_self_reports`). Call it for a
    /// grid the worker reviews (it needs the whole grid assigned:
    /// [`SyncError::Forbidden`] otherwise); a failure leaves the queue as
    /// it was, and the next call finishes the job.
    pub fn sync_self_reports(
        &self,
        store: &Store,
        grid_id: &str,
        today: Date,
    ) -> Result<SelfReportSync, SyncError> {
        let mut done = SelfReportSync::default();
        for outcome in store
            .self_report_outcomes()?
            .into_iter()
            .filter(|o| o.grid_id == grid_id)
        {
            match self.review_self_report(grid_id, &outcome.report_id, outcome.accepted) {
                Ok(()) | Err(SyncError::Rejected { status: 404, .. }) => {
                    store.forget_self_report(&outcome.report_id)?;
                    done.outcomes_sent += 1;
                }
                Err(other) => return Err(other),
            }
        }
        let reports = self.self_reports(grid_id, today)?;
        done.queued = store.queue_self_reports(grid_id, &reports)?;
        Ok(done)
    }

    /// The reports of `grid_id` waiting for review, oldest first, each
    /// checked again as of `today`; a report that no longer passes (a
    /// server of another version) is left out. Errors as the sync's:
    /// [`SyncError::Forbidden`] for a grid not assigned to this worker
    /// with its roster.
    pub fn self_reports(
        &self,
        grid_id: &str,
        today: Date,
    ) -> Result<Vec<ReceivedSelfReport>, SyncError> {
        let path = format!("/v1/grids/{grid_id}/self-reports");
        let body = self.send(self.request(reqwest::Method::GET, &path), MAX_LIST_BYTES)?;
        let list: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|_| SyncError::Unreachable("the server's answer is not JSON".into()))?;
        let reports = list
            .get("reports")
            .and_then(|r| r.as_array())
            .map(Vec::as_slice)
            .unwrap_or_default();
        Ok(reports
            .iter()
            .filter_map(|r| {
                let report = SelfReport::from_json(&r.get("report")?.to_string(), today)?;
                Some(ReceivedSelfReport {
                    id: r.get("id")?.as_str()?.to_owned(),
                    received_at: r.get("received_at")?.as_i64()?,
                    report,
                })
            })
            .collect())
    }

    /// Tells the server the report `report_id` of `grid_id` was reviewed,
    /// accepted or not; the server deletes it. [`SyncError::Rejected`] with
    /// status 404 when the server holds no such report (reviewed already).
    pub fn review_self_report(
        &self,
        grid_id: &str,
        report_id: &str,
        accepted: bool,
    ) -> Result<(), SyncError> {
        let path = format!("/v1/grids/{grid_id}/self-reports/{report_id}/review");
        let outcome = if accepted { "accepted" } else { "rejected" };
        let request = self
            .request(reqwest::Method::POST, &path)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::json!({ "outcome": outcome }).to_string());
        self.send(request, 4096)?;
        Ok(())
    }
}
