//! The reveal log (查阅记录): a record of every time a worker saw personal
//! data unmasked, as PIPL Art. 51 and GB/T 35273 §7.2 ask.
//!
//! Everything the store lists or exports is masked: ID numbers as
//! `110105********002X`, phones as `138****8000`. Seeing one resident's
//! full ID number and phones ([`Store::reveal_resident`]) or exporting
//! without masking (`Masking::Unmasked` of an export) is a deliberate call
//! with a purpose ([`RevealPurpose`] and a note), by a role allowed to make
//! it ([`may`]), and it first writes an entry into the grid's audit
//! document `audit/<grid>`: who, on which device, when, which resident or
//! which export, which fields, and why. The entry syncs with the grid's
//! other documents to the server and the grid's team (never to a
//! department, whose scope is events only); the grid head lists it with
//! [`Store::reveal_log`]. Entries are written once under a new id and never
//! changed.
//!
//! The files: this one (records, document, registration, who may);
//! `edit.rs` the reveals; `tables.rs` projection and the list. To record a
//! new kind of reveal: a value in [`RevealSubject`], its write in `edit.rs`
//! and its columns in `tables.rs`.
//!
//! [`Store::reveal_resident`]: crate::Store::reveal_resident
//! [`Store::reveal_log`]: crate::Store::reveal_log

use serde::{Deserialize, Serialize};

use crate::code_list::code_enum;
use crate::identity::WorkerRole;
use crate::kinds::RecordKind;
use crate::registry::{Collection, DocSpec, Kind, Partition};

mod edit;
mod tables;

pub(crate) use edit::ExportReveal;

/// The audit document: one per grid. The genesis maps are frozen once shipped.
pub(crate) static AUDIT_DOC: DocSpec = DocSpec {
    name: "audit",
    partition: Partition::Grid,
    genesis: &["reveals"],
};

/// The reveal log's registration.
pub(crate) static KIND: Kind = Kind {
    docs: &[&AUDIT_DOC],
    collections: &[Collection::entries(
        RecordKind::Reveal,
        "reveals",
        tables::project_reveal,
        tables::project_all_reveals,
    )],
    // Who revealed: the sync server refuses an entry naming another worker.
    author_fields: &["recorded_by"],
    entry_checks: &[],
    refresh_on_open: None,
    tables: &["reveal_log"],
};

code_enum!(
    /// Why a worker reveals personal data (查阅目的).
    RevealPurpose, fallback Other, {
        /// To reach the resident or their family (联系住户).
        ContactResident = "contact_resident", "联系住户";
        /// To check a person's identity on the spot (核实身份).
        VerifyIdentity = "verify_identity", "核实身份";
        /// To handle a grid event that concerns them (事件处置).
        HandleEvent = "handle_event", "事件处置";
        /// To file the roster with a system above the grid (上报上级系统).
        ReportUpstream = "report_upstream", "上报上级系统";
        /// Another purpose, said in the note (其他).
        Other = "other", "其他";
    }
);

code_enum!(
    /// What a reveal showed.
    RevealSubject, fallback Resident, {
        /// One resident's full ID number and phones.
        Resident = "resident", "查看住户完整信息";
        /// An export without masking.
        Export = "export", "导出未脱敏数据";
    }
);

code_enum!(
    /// What a worker does with personal data, for the check of who may.
    PrivacyAction, fallback RevealResident, {
        /// See one resident's full ID number and phones (the grid head, an
        /// assistant or the police officer).
        RevealResident = "reveal_resident", "查看完整证件号码和电话";
        /// Export without masking (the grid head).
        ExportUnmasked = "export_unmasked", "导出未脱敏数据";
        /// Read the reveal log (the grid head).
        ReadRevealLog = "read_reveal_log", "查看查阅记录";
    }
);

/// Whether a worker with `role` may take `action`: the staff who work with
/// residents' identities see one resident's; only the grid head exports
/// everything unmasked and reads who looked. Building heads, patrol
/// volunteers and departments never see unmasked data.
pub(crate) fn may(action: PrivacyAction, role: WorkerRole) -> bool {
    match action {
        PrivacyAction::RevealResident => matches!(
            role,
            WorkerRole::GridHead | WorkerRole::Assistant | WorkerRole::PoliceOfficer
        ),
        PrivacyAction::ExportUnmasked | PrivacyAction::ReadRevealLog => {
            role == WorkerRole::GridHead
        }
    }
}

/// Why personal data is revealed: the purpose and a note (required, up to
/// 200 characters), which the log keeps beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RevealReason {
    /// The purpose.
    pub purpose: RevealPurpose,
    /// What for, in a few words (回访独居老人, 派出所协查).
    pub note: String,
}

/// One entry of the reveal log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RevealEntry {
    /// The entry's id.
    pub id: String,
    /// What was revealed.
    pub subject: RevealSubject,
    /// The resident whose data was shown; empty for an export.
    pub resident_id: String,
    /// The export's template; empty for a resident.
    pub template_id: String,
    /// The export's rows; 0 for a resident.
    pub rows: u32,
    /// The fields shown unmasked, by the stored names `Conflict.field` uses
    /// too: the ID number's and `phones` for a resident, the masked
    /// columns of an export (`care` …).
    pub fields: Vec<String>,
    /// The purpose.
    pub purpose: RevealPurpose,
    /// The note given with it.
    pub note: String,
    /// The worker who revealed; the sync server vouches for it.
    pub recorded_by: String,
    /// When (UTC milliseconds, the device's clock).
    pub at_ms: i64,
}

/// An entry as stored under `reveals/<id>`, written once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredReveal {
    /// A [`RevealSubject`] code.
    pub(crate) subject: String,
    pub(crate) resident_id: String,
    pub(crate) template_id: String,
    pub(crate) rows: u32,
    pub(crate) fields: Vec<String>,
    /// A [`RevealPurpose`] code.
    pub(crate) purpose: String,
    pub(crate) note: String,
    pub(crate) at_ms: i64,
    pub(crate) recorded_by: String,
}
