//! The [`Store`] call of exports (`gridbook`'s `views/export`): a grid's
//! roster, households, visits or events as CSV or XLSX in a shipped
//! layout, masked unless the grid head asks otherwise with a reason, and
//! the list of layouts.

use gridbook::{ExportFile, ExportFormat, ExportOptions, ExportTemplate};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// The grid's records in the layout `templateId` (see
    /// `exportTemplates()`) as CSV (UTF-8 with a BOM) or XLSX: the file's
    /// bytes, a file name to share it under, the rows written and whether
    /// it was masked. ID numbers and phones are masked, and care
    /// categories that reveal health are only counted in a summary row,
    /// unless `options` asks for `Masking.Unmasked` with a reason: only
    /// the grid head may (`PrivacyRoleMayNot` otherwise), and the export
    /// is written to the grid's reveal log first. An unknown template is
    /// `Invalid` (`templateId`, `UnknownCode`), an unknown grid `NotFound`.
    pub async fn export(
        &self,
        grid_id: String,
        template_id: String,
        format: ExportFormat,
        options: ExportOptions,
    ) -> Result<ExportFile> {
        self.call(move |s| s.export(&grid_id, &template_id, format, options))
            .await
    }
}

/// The export layouts this build ships: id, title and column headers.
#[uniffi::export]
pub fn export_templates() -> Result<Vec<ExportTemplate>> {
    Ok(gridbook::export_templates()?)
}
