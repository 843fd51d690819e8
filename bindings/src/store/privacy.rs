//! The [`Store`] calls of the audited reveal (`gridbook`'s `kinds/audit`):
//! one resident's full ID number and phones for a purpose, and the grid's
//! reveal log. An unmasked export is asked for in `ExportOptions`.

use gridbook::{Resident, RevealEntry, RevealReason};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// One resident with the full ID number and phones, for a purpose
    /// (`RevealReason`: a purpose and a note of up to 200 characters,
    /// required). The grid head, an assistant or the police officer may;
    /// anyone else gets `PrivacyRoleMayNot`. The reveal is written to the
    /// grid's reveal log, which syncs to the grid head and the server,
    /// before anything is shown. Show the values only while needed, and
    /// never keep them: `Store.resident` reads masked again.
    pub async fn reveal_resident(
        &self,
        resident_id: String,
        reason: RevealReason,
    ) -> Result<Resident> {
        self.call(move |s| s.reveal_resident(&resident_id, reason))
            .await
    }

    /// The grid's reveal log, newest first: who saw which resident's full
    /// ID number and phones, or exported unmasked, when and why, as far as
    /// this phone has synced. Only the grid head may read it
    /// (`PrivacyRoleMayNot` otherwise).
    pub async fn reveal_log(&self, grid_id: String) -> Result<Vec<RevealEntry>> {
        self.call(move |s| s.reveal_log(&grid_id)).await
    }
}
