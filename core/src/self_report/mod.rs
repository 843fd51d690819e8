//! Residents' own reports by QR code (扫码自主申报): the form a resident
//! fills in on their phone after scanning the code in the stairwell, its
//! checks, and the QR code itself.
//!
//! The district sync server serves the form and keeps what residents send
//! apart from the roster until a grid worker reviews it; it checks every
//! submission with [`SelfReportDraft::check`], the same checks the roster's
//! edits use (`validate`: the ID number's check digit, phone numbers), so
//! the server, the apps and the form never disagree on what is valid.
//!
//! - [`SelfReportDraft`] is what a form holds, as text: read from the
//!   form's fields ([`SelfReportDraft::from_form`]) or from the server's
//!   stored JSON; [`SelfReportDraft::check`] turns it into a
//!   [`SelfReport`] or into a list of [`FieldError`]s, each naming its form
//!   field and saying in Chinese what is wrong, never repeating the value.
//! - [`qr_svg`] draws a link as a QR code in SVG.
//! - `Store::review_self_report` sets a report the server holds beside the
//!   grid's roster (household by building, unit and room; members by ID
//!   number: new, matching, phone changed, in another household;
//!   `review.rs`).
//! - The phone's review queue (`queue.rs`, table `self_reports`):
//!   `Store::self_reports` lists a grid's waiting reports beside the
//!   roster, `Store::accept_self_report` turns one into ordinary roster
//!   edits by the accepting worker, `Store::reject_self_report` drops it;
//!   each outcome waits until the server is told. With the feature
//!   `client`, `SyncClient::sync_self_reports` tells the server the
//!   outcomes and pulls the grid's reports into the queue
//!   (`sync/self_reports.rs`).
//!
//! To add a field: add it to the draft and the checked record (`form.rs`),
//! give it a [`FieldName`] with its label, and add it to the server's page,
//! whose field names are [`FieldName::key`].

mod form;
mod qr;
mod queue;
mod review;

pub use form::{
    FieldError, FieldName, MAX_MEMBERS, MemberDraft, MemberField, Problem, SelfReport,
    SelfReportDraft, SelfReportMember,
};
pub use qr::{MAX_QR_URL_CHARS, qr_svg};
pub use queue::{QueuedSelfReport, SelfReportOutcome};
pub use review::{
    AcceptedSelfReport, HouseholdMatch, MemberMatch, ReceivedSelfReport, SelfReportReview,
};
