//! The phone's review queue of residents' reports (table `self_reports`,
//! schema version 10; device-local like the outbox). The sync client puts
//! in it what the server holds for a grid ([`Store::queue_self_reports`]);
//! the worker lists the waiting reports beside the roster
//! ([`Store::self_reports`]), accepts one as their own roster edits
//! ([`Store::accept_self_report`]) or rejects it
//! ([`Store::reject_self_report`]); either outcome waits in the queue
//! ([`Store::self_report_outcomes`]) until the sync client has told the
//! server, which deletes its copy, and the row goes
//! ([`Store::forget_self_report`]).
//!
//! To keep more about a review (who, a note), add a column in a new
//! migration and write it in `record_outcome`.

use rusqlite::{OptionalExtension, params};

use super::{AcceptedSelfReport, ReceivedSelfReport, SelfReport, SelfReportReview};
use crate::error::{Error, Result};
use crate::store::{Edit, Store};
use crate::validate::{Date, InvalidReason};
use crate::values::now_ms;

/// China's UTC offset in minutes: the day a stored report is checked
/// against again when it is read.
const CHINA_OFFSET_MINUTES: i32 = 480;

/// A report waiting in this phone's queue, beside the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QueuedSelfReport {
    /// The report as the server sent it.
    pub received: ReceivedSelfReport,
    /// How it stands against the roster now.
    pub review: SelfReportReview,
}

/// A review made on this phone that the server has not been told yet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SelfReportOutcome {
    /// The grid.
    pub grid_id: String,
    /// The server's id of the report.
    pub report_id: String,
    /// Accepted (true) or rejected.
    pub accepted: bool,
}

fn unknown_report() -> Error {
    Error::Invalid {
        field: "report_id",
        reason: InvalidReason::UnknownCode,
    }
}

impl Store {
    /// Puts the reports the server holds for `grid_id` in the queue: the
    /// new ones are added, the waiting ones the server no longer holds
    /// (reviewed on another phone, or past their retention) are dropped,
    /// the ones reviewed here and not yet told stay. Returns how many were
    /// added.
    pub fn queue_self_reports(&self, grid_id: &str, reports: &[ReceivedSelfReport]) -> Result<u32> {
        self.write(|edit| {
            let held: Vec<String> = edit
                .tx
                .prepare_cached(
                    "SELECT id FROM self_reports WHERE grid_id = ?1 AND outcome IS NULL",
                )?
                .query_map([grid_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in held
                .iter()
                .filter(|id| !reports.iter().any(|r| &r.id == *id))
            {
                edit.tx
                    .prepare_cached("DELETE FROM self_reports WHERE id = ?1")?
                    .execute([id])?;
            }
            let mut added = 0u32;
            for r in reports {
                added += u32::try_from(
                    edit.tx
                        .prepare_cached(
                            "INSERT OR IGNORE INTO self_reports (id, grid_id, received_at, report)
                             VALUES (?1, ?2, ?3, ?4)",
                        )?
                        .execute(params![r.id, grid_id, r.received_at, r.report.to_json()])?,
                )
                .unwrap_or(0);
            }
            Ok(added)
        })
    }

    /// The reports of `grid_id` waiting for review on this phone, oldest
    /// first, each beside the roster (`review_self_report`).
    pub fn self_reports(&self, grid_id: &str) -> Result<Vec<QueuedSelfReport>> {
        let rows: Vec<(String, i64, String)> = self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, received_at, report FROM self_reports
                     WHERE grid_id = ?1 AND outcome IS NULL ORDER BY received_at, id",
                )?
                .query_map([grid_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?)
        })?;
        let today = Date::today(CHINA_OFFSET_MINUTES);
        rows.into_iter()
            .filter_map(|(id, received_at, json)| {
                let report = SelfReport::from_json(&json, today)?;
                Some((id, received_at, report))
            })
            .map(|(id, received_at, report)| {
                let received = ReceivedSelfReport {
                    id,
                    received_at,
                    report,
                };
                let review = self.review_self_report(grid_id, &received)?;
                Ok(QueuedSelfReport { received, review })
            })
            .collect()
    }

    /// The waiting report `report_id` and its grid.
    fn waiting_report(&self, report_id: &str) -> Result<(String, ReceivedSelfReport)> {
        let row: Option<(String, i64, String)> = self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT grid_id, received_at, report FROM self_reports
                     WHERE id = ?1 AND outcome IS NULL",
                )?
                .query_row([report_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?)
        })?;
        let (grid_id, received_at, json) = row.ok_or_else(unknown_report)?;
        let report = SelfReport::from_json(&json, Date::today(CHINA_OFFSET_MINUTES)).ok_or(
            Error::Invalid {
                field: "report",
                reason: InvalidReason::OutOfRange,
            },
        )?;
        Ok((
            grid_id,
            ReceivedSelfReport {
                id: report_id.to_owned(),
                received_at,
                report,
            },
        ))
    }

    fn record_outcome(&self, report_id: &str, outcome: &str) -> Result<()> {
        self.write(|edit| mark_reviewed(edit, report_id, outcome))
    }

    /// Accepts the waiting report `report_id` as this worker's own roster
    /// edits (see `review_self_report` for what each match writes) and
    /// queues the outcome for the server, in one transaction: a refused
    /// member or a crash leaves neither. Fails with `Error::Invalid` on
    /// `report_id` (`UnknownCode`) for a report not waiting here, and on
    /// `building` when the grid has no such building (nothing written; the
    /// report keeps waiting).
    pub fn accept_self_report(&self, report_id: &str) -> Result<AcceptedSelfReport> {
        let (grid_id, received) = self.waiting_report(report_id)?;
        self.apply_self_report(&grid_id, &received, |edit| {
            mark_reviewed(edit, report_id, "accepted")
        })
    }

    /// Rejects the waiting report `report_id`: nothing enters the roster;
    /// the outcome is queued for the server. Fails with `Error::Invalid` on
    /// `report_id` for a report not waiting here.
    pub fn reject_self_report(&self, report_id: &str) -> Result<()> {
        self.waiting_report(report_id)?;
        self.record_outcome(report_id, "rejected")
    }

    /// The reviews made here that the server has not been told of, oldest
    /// review first.
    pub fn self_report_outcomes(&self) -> Result<Vec<SelfReportOutcome>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT grid_id, id, outcome FROM self_reports
                     WHERE outcome IS NOT NULL ORDER BY reviewed_at_ms, id",
                )?
                .query_map([], |r| {
                    Ok(SelfReportOutcome {
                        grid_id: r.get(0)?,
                        report_id: r.get(1)?,
                        accepted: r.get::<_, String>(2)? == "accepted",
                    })
                })?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Drops a reviewed report once the server was told (or no longer
    /// holds it). A report still waiting is kept.
    pub fn forget_self_report(&self, report_id: &str) -> Result<()> {
        self.write(|edit| {
            edit.tx
                .prepare_cached("DELETE FROM self_reports WHERE id = ?1 AND outcome IS NOT NULL")?
                .execute([report_id])?;
            Ok(())
        })
    }
}

/// Marks a waiting report reviewed with `outcome` inside an edit.
fn mark_reviewed(edit: &mut Edit, report_id: &str, outcome: &str) -> Result<()> {
    edit.tx
        .prepare_cached(
            "UPDATE self_reports SET outcome = ?2, reviewed_at_ms = ?3
             WHERE id = ?1 AND outcome IS NULL",
        )?
        .execute(params![report_id, outcome, now_ms()])?;
    Ok(())
}
