//! Export (导出) of a grid's roster, visits and events to CSV and XLSX, in
//! the column layouts the street's and district's systems take, so a grid
//! worker fills those systems from one record (多头填报) instead of typing
//! it again.
//!
//! - `templates.json` with `template.rs`: the layouts as data, checked
//!   when first read (a column naming an unknown field is refused);
//! - `rows.rs` (residents, households) and `activity.rs` (visits, events):
//!   the record sets read from the query tables;
//! - `mask.rs`: what a masked export leaves out;
//! - `write.rs`: CSV and XLSX.
//!
//! Exports are masked by default ([`Masking::Masked`]): ID numbers and phones as
//! on screen (`110105********002X`, `138****8000`), ID numbers and phones
//! typed into free text masked too, and care categories that reveal
//! health or disability only counted, in a summary row after the
//! residents ("健康类 1"). An unmasked export ([`Masking::Unmasked`]) is
//! the grid head's, with a purpose, and is written to the grid's reveal
//! log before the file is made (`kinds/audit`).
//!
//! To add a layout: a template in `templates.json` (its fields listed in
//! `template::FIELDS`); to add a record set: its variant in
//! `template::RecordSet`, its fields, and its reader beside the others.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::validate::InvalidReason;

mod activity;
mod mask;
mod rows;
mod template;
mod write;

use mask::Privacy;
use template::RecordSet;

use crate::kinds::RevealReason;
use crate::kinds::audit::ExportReveal;
use crate::kinds::codes::PrivacyAction;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ExportFormat {
    /// CSV: UTF-8 with a byte-order mark, CRLF, RFC 4180 quoting.
    Csv,
    /// An Excel workbook of one sheet.
    Xlsx,
}

/// How much personal data an export shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Masking {
    /// ID numbers and phones masked, health care categories only counted.
    #[default]
    Masked,
    /// Every value as stored, for a purpose: only the grid head may, and
    /// the export is written to the grid's reveal log (which template, how
    /// many rows, why) before the file is made.
    Unmasked {
        /// Why: the purpose and a note.
        reason: RevealReason,
    },
}

/// Options of an export.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ExportOptions {
    /// How much personal data to show; masked by default.
    pub masking: Masking,
}

/// An exported file.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ExportFile {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// A file name: the template's title, the grid's code, the day, the extension.
    pub file_name: String,
    /// The data rows written (without the header and the summary row).
    pub rows: u32,
    /// Whether personal data was masked.
    pub masked: bool,
}

impl std::fmt::Debug for ExportFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportFile")
            .field("bytes", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("rows", &self.rows)
            .field("masked", &self.masked)
            .finish()
    }
}

/// An export template offered to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ExportTemplate {
    /// The id `Store.export` takes.
    pub id: String,
    /// The title shown.
    pub title: String,
    /// The column headers, in order.
    pub headers: Vec<String>,
}

/// The export templates this build ships.
pub fn export_templates() -> Result<Vec<ExportTemplate>> {
    Ok(template::shipped()?
        .iter()
        .map(|t| ExportTemplate {
            id: t.id.clone(),
            title: t.title.clone(),
            headers: t.columns.iter().map(|c| c.header.clone()).collect(),
        })
        .collect())
}

impl Store {
    /// The grid's records in the layout of the template `template_id`
    /// (see [`export_templates`]), as CSV or XLSX, masked (see the module
    /// docs) unless `options` asks for an unmasked export with a reason:
    /// then only the grid head may (`PrivacyRoleMayNot` otherwise) and the
    /// export is written to the reveal log first. An unknown template is
    /// `Invalid` (`template_id`, `UnknownCode`); an unknown grid is `NotFound`.
    pub fn export(
        &self,
        grid_id: &str,
        template_id: &str,
        format: ExportFormat,
        options: ExportOptions,
    ) -> Result<ExportFile> {
        let privacy = match &options.masking {
            Masking::Masked => Privacy::Masked,
            Masking::Unmasked { .. } => {
                self.require_privacy_role(PrivacyAction::ExportUnmasked)?;
                Privacy::Unmasked
            }
        };
        let template = template::shipped()?
            .iter()
            .find(|t| t.id == template_id)
            .ok_or(Error::invalid("template_id", InvalidReason::UnknownCode))?;
        let grid_code: String = self.read(|conn| {
            super::grid_exists(conn, grid_id)?;
            Ok(conn
                .prepare_cached("SELECT coalesce(code, '') FROM grids WHERE id = ?1")?
                .query_row([grid_id], |r| r.get(0))?)
        })?;
        let labels = if template.records == RecordSet::Events {
            activity::EventLabels {
                categories: self
                    .event_categories(grid_id)?
                    .categories
                    .into_iter()
                    .map(|c| (c.code, c.name))
                    .collect(),
                levels: self
                    .whistle_levels(grid_id)?
                    .levels
                    .into_iter()
                    .map(|l| (i64::from(l.rank), l.name))
                    .collect(),
            }
        } else {
            activity::EventLabels::default()
        };
        let fields: Vec<&str> = template.columns.iter().map(|c| c.field.as_str()).collect();
        let table = self.read(|conn| match template.records {
            RecordSet::Residents => rows::residents(conn, grid_id, &fields, privacy),
            RecordSet::Households => rows::households(conn, grid_id, &fields, privacy),
            RecordSet::Visits => activity::visits(conn, grid_id, &fields, privacy),
            RecordSet::Events => activity::events(conn, grid_id, &fields, &labels, privacy),
        })?;
        let header: Vec<String> = template.columns.iter().map(|c| c.header.clone()).collect();
        let mut cells: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&template.columns)
                    .map(|(value, column)| mask::neutralise_formula(rows::render(value, column)))
                    .collect()
            })
            .collect();
        let data_rows = u32::try_from(cells.len()).unwrap_or(u32::MAX);
        if template.records == RecordSet::Residents {
            let withheld = (privacy == Privacy::Masked).then_some(table.withheld_care);
            cells.push(summary_row(template, data_rows, withheld));
        }
        if let Masking::Unmasked { reason } = &options.masking {
            let revealed: Vec<&str> = fields
                .iter()
                .copied()
                .filter(|f| mask::MASKED_FIELDS.contains(f))
                .collect();
            let export = ExportReveal {
                template_id,
                rows: data_rows,
                fields: &revealed,
            };
            self.log_export_reveal(grid_id, export, reason)?;
        }
        let (bytes, extension) = match format {
            ExportFormat::Csv => (write::csv(&header, &cells), "csv"),
            ExportFormat::Xlsx => (write::xlsx(&template.title, &header, &cells)?, "xlsx"),
        };
        let day = self.today().to_string().replace('-', "");
        Ok(ExportFile {
            bytes,
            file_name: format!("{}_{grid_code}_{day}.{extension}", template.title),
            rows: data_rows,
            masked: privacy == Privacy::Masked,
        })
    }
}

/// The residents' summary row: 合计 and the count in the first column, the
/// residents holding a withheld care category in the care column (when
/// masked; an unmasked export lists every category per person).
fn summary_row(
    template: &template::Template,
    residents: u32,
    withheld: Option<usize>,
) -> Vec<String> {
    let mut row = vec![String::new(); template.columns.len()];
    if let Some(first) = row.first_mut() {
        *first = format!("合计 {residents} 人");
    }
    if let Some(withheld) = withheld
        && let Some(care) = template.columns.iter().position(|c| c.field == "care")
        && let Some(cell) = row.get_mut(care)
    {
        *cell = format!("{} {withheld}", mask::WITHHELD_CARE_LABEL);
    }
    row
}
