//! The reveals: each checks the worker's role and the reason first, writes
//! its log entry, and only then shows anything. When the entry cannot be
//! written, nothing is shown. To add a reveal, check the role with
//! [`Store::require_privacy_role`] and write its entry with
//! [`Store::log_reveal`] before reading.

use super::{AUDIT_DOC, PrivacyAction, RevealReason, RevealSubject, StoredReveal, may};
use crate::code_list::CodeList;
use crate::docs::new_record_id;
use crate::entries;
use crate::error::{Error, FieldCheck, Result};
use crate::kinds::RecordKind;
use crate::kinds::roster::Resident;
use crate::store::Store;
use crate::store::lookup::grid_of;
use crate::validate;
use crate::values::now_ms;

/// The fields a resident's reveal shows unmasked.
const RESIDENT_FIELDS: &[&str] = &["id_number", "phones"];

/// What an export's reveal names.
pub(crate) struct ExportReveal<'a> {
    /// The export's template.
    pub(crate) template_id: &'a str,
    /// The data rows it holds.
    pub(crate) rows: u32,
    /// The fields it shows unmasked.
    pub(crate) fields: &'a [&'a str],
}

impl Store {
    /// Fails with [`Error::PrivacyRoleMayNot`] unless this store's worker may take `action`.
    pub(crate) fn require_privacy_role(&self, action: PrivacyAction) -> Result<()> {
        let role = self.identity().role;
        if may(action, role) {
            Ok(())
        } else {
            Err(Error::PrivacyRoleMayNot {
                action: action.code(),
                role,
            })
        }
    }

    /// One resident with the full ID number and phones, for a purpose.
    /// The grid head, an assistant or the police officer may; anyone else
    /// gets `PrivacyRoleMayNot`. The reveal is written to the grid's reveal
    /// log before the resident is read: who, when, which resident, why.
    /// The note is required, up to 200 characters (`Invalid("note", ...)`).
    pub fn reveal_resident(&self, resident_id: &str, reason: RevealReason) -> Result<Resident> {
        self.require_privacy_role(PrivacyAction::RevealResident)?;
        let grid_id =
            self.read(|conn| grid_of(conn, RecordKind::Resident, "residents", resident_id))?;
        let stored = self.reveal_entry(RevealSubject::Resident, &reason)?;
        let stored = StoredReveal {
            resident_id: resident_id.to_string(),
            fields: RESIDENT_FIELDS.iter().map(|f| (*f).to_string()).collect(),
            ..stored
        };
        self.log_reveal(&grid_id, &stored)?;
        self.resident_unmasked(resident_id)
    }

    /// Writes the log entry of an unmasked export, before the file is made.
    /// Only the grid head may.
    pub(crate) fn log_export_reveal(
        &self,
        grid_id: &str,
        export: ExportReveal<'_>,
        reason: &RevealReason,
    ) -> Result<()> {
        self.require_privacy_role(PrivacyAction::ExportUnmasked)?;
        let stored = StoredReveal {
            template_id: export.template_id.to_string(),
            rows: export.rows,
            fields: export.fields.iter().map(|f| (*f).to_string()).collect(),
            ..self.reveal_entry(RevealSubject::Export, reason)?
        };
        self.log_reveal(grid_id, &stored)
    }

    /// The entry of a reveal by this store's worker, now, with its reason checked.
    fn reveal_entry(&self, subject: RevealSubject, reason: &RevealReason) -> Result<StoredReveal> {
        let note = validate::text(&reason.note, 200).field("note")?;
        Ok(StoredReveal {
            subject: subject.code().to_string(),
            purpose: reason.purpose.code().to_string(),
            note,
            at_ms: now_ms(),
            recorded_by: self.identity().worker_id.clone(),
            ..StoredReveal::default()
        })
    }

    /// Writes one entry into the grid's reveal log under a new id.
    fn log_reveal(&self, grid_id: &str, stored: &StoredReveal) -> Result<()> {
        let value = entries::encode(stored)?;
        let id = new_record_id();
        self.write(|edit| edit.put_grid_entry(&AUDIT_DOC, grid_id, "reveals", &id, &value))?;
        tracing::info!(
            subject = %stored.subject,
            purpose = %stored.purpose,
            rows = stored.rows,
            "personal data revealed, on the reveal log"
        );
        Ok(())
    }
}
