//! The [`Store`] calls of the review queue of residents' own reports
//! (`gridbook`'s `self_report`): the waiting reports beside the roster,
//! accepting one as the worker's own roster edits, rejecting one. The
//! queue is filled and the outcomes sent by `syncSelfReports` (`sync.rs`).

use gridbook::self_report::{AcceptedSelfReport, QueuedSelfReport};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// The residents' reports of the grid waiting for review on this
    /// phone, oldest first, each beside the roster: the household matched
    /// by building, unit and room (new, existing, or a building the grid
    /// does not have), each member by ID number (new, matches, phone
    /// changed, or in another household). The values are the resident's
    /// own: show them only to review.
    pub async fn self_reports(&self, grid_id: String) -> Result<Vec<QueuedSelfReport>> {
        self.call(move |s| s.self_reports(&grid_id)).await
    }

    /// Accepts a waiting report as this worker's own roster edits: the
    /// household created if new, new members created, a changed phone put
    /// first; members found in another household are left for the worker
    /// and listed. The outcome is sent at the next `syncSelfReports`.
    /// `Invalid` on `reportId` for a report not waiting here, on
    /// `building` when the grid has no such building (nothing written).
    pub async fn accept_self_report(&self, report_id: String) -> Result<AcceptedSelfReport> {
        self.call(move |s| s.accept_self_report(&report_id)).await
    }

    /// Rejects a waiting report: nothing enters the roster; the outcome is
    /// sent at the next `syncSelfReports`, and the server deletes it.
    /// `Invalid` on `reportId` for a report not waiting here.
    pub async fn reject_self_report(&self, report_id: String) -> Result<()> {
        self.call(move |s| s.reject_self_report(&report_id)).await
    }
}
