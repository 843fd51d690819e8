//! The types a roster import takes and returns. To report something new
//! about a row, add a variant to [`RowOutcome`] or [`CellProblem`].

use std::collections::BTreeMap;

use super::{DEFAULT_MAX_IMPORT_BYTES, DEFAULT_MAX_UNZIPPED_BYTES, ImportField};
use crate::kinds::roster::DwellingUse;
use crate::validate::InvalidReason;

/// How to read a roster file.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RosterImportOptions {
    /// Header text → field, for headers the built-in names do not know or
    /// should read otherwise (compared without spaces).
    pub header_overrides: BTreeMap<String, ImportField>,
    /// The largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// The largest unzipped size of an XLSX file, in bytes.
    pub max_unzipped_bytes: u64,
    /// How a new household's dwelling is used (the file has no column for it).
    pub default_use: DwellingUse,
    /// The relation (GB/T 4761 code) of a new resident whose cell is empty.
    pub default_relation: String,
}

impl Default for RosterImportOptions {
    fn default() -> Self {
        RosterImportOptions {
            header_overrides: BTreeMap::new(),
            max_file_bytes: DEFAULT_MAX_IMPORT_BYTES,
            max_unzipped_bytes: DEFAULT_MAX_UNZIPPED_BYTES,
            default_use: DwellingUse::OwnerOccupied,
            default_relation: "97".to_string(),
        }
    }
}

/// What is wrong with one cell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CellProblem {
    /// The value is refused, for the same reason the API would refuse it.
    #[error("{reason}")]
    Invalid {
        /// Why the value is refused.
        reason: InvalidReason,
    },
    /// The cell holds a formula; type its value instead.
    #[error("holds a formula")]
    Formula,
    /// An earlier row of the file has the same resident.
    #[error("repeats the resident of row {first_row}")]
    DuplicateInFile {
        /// The earlier row.
        first_row: u32,
    },
    /// The roster has this resident with another ID number.
    #[error("contradicts the ID number the roster holds for this resident")]
    DuplicateInRoster,
}

/// One bad cell: its row, its column as headed in the file, its field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}, column {column}: {problem}")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CellError {
    /// The row, counted from 1 as the spreadsheet shows it.
    pub row: u32,
    /// The column's header as written in the file.
    pub column: String,
    /// The field the column holds.
    pub field: ImportField,
    /// What is wrong.
    pub problem: CellProblem,
}

/// What importing one row does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RowOutcome {
    /// A new resident, in a household and building that may be new too.
    Create {
        /// Whether the row's building is created (by this row or an earlier one).
        new_building: bool,
        /// Whether the row's household is created (by this row or an earlier one).
        new_household: bool,
    },
    /// A resident (or their household) already on the roster, with the fields that change.
    Update {
        /// The fields that change, in order.
        fields: Vec<ImportField>,
    },
    /// The row matches the roster as it is.
    Unchanged,
    /// The row has bad cells (see `errors`) and is not imported.
    Error,
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RowReport {
    /// The row, counted from 1 as the spreadsheet shows it.
    pub row: u32,
    /// What importing it does.
    pub outcome: RowOutcome,
    /// Its bad cells.
    pub errors: Vec<CellError>,
}

/// What importing a file does, row by row, with the totals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RosterImportReport {
    /// Every data row, in file order.
    pub rows: Vec<RowReport>,
    /// Buildings created.
    pub buildings_created: u32,
    /// Households created.
    pub households_created: u32,
    /// Residents created.
    pub residents_created: u32,
    /// Rows that update a resident or their household.
    pub rows_updated: u32,
    /// Rows that change nothing.
    pub rows_unchanged: u32,
    /// Rows in error.
    pub rows_in_error: u32,
}

/// What a committed import did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RosterImportOutcome {
    /// The report of the rows (rows in error were skipped).
    pub report: RosterImportReport,
    /// Whether anything was written (false when the file matched the roster).
    pub written: bool,
}
