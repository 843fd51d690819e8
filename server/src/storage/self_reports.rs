//! What the storage keeps of residents' own reports (扫码自主申报): the
//! reports waiting for review and the secret their links are signed with.
//! The tables are `self_reports`, `server_secrets` and `self_report_links`
//! (server schema 5); both backends implement the methods of
//! [`super::Storage`] that read and write them.

/// The name of the secret that keys the HMAC of self-report links
/// (`crate::self_report::link`).
pub const SELF_REPORT_LINK_SECRET: &str = "self_report_links";

/// A resident's report as stored: the checked form as JSON
/// (`gridbook::self_report::SelfReport::to_json`), never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSelfReport {
    /// The report's id (a random UUID).
    pub report_id: String,
    /// The grid whose link it came through.
    pub grid_id: String,
    /// When it arrived (Unix seconds).
    pub received_at: i64,
    /// The report as JSON.
    pub report: String,
}

impl std::fmt::Debug for StoredSelfReport {
    // The report names residents: its length only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSelfReport")
            .field("report_id", &self.report_id)
            .field("grid_id", &self.grid_id)
            .field("received_at", &self.received_at)
            .field("report", &format_args!("<{} bytes>", self.report.len()))
            .finish()
    }
}
