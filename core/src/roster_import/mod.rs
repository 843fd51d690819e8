//! Roster import (花名册导入): a CSV or XLSX roster read into the grid's
//! buildings, households and residents, first as a dry run that says what
//! each row would do, then as one all-or-nothing write.
//!
//! - `read.rs`: bytes to a table of text cells: CSV in UTF-8 (with or
//!   without BOM) or GB18030/GBK, told apart by decoding; XLSX through
//!   calamine after the size and zip-bomb checks; formula cells marked;
//! - `header.rs`: header text to [`ImportField`] (the names in common use,
//!   and the caller's overrides);
//! - `cells.rs`: one row's cells to typed values, each bad cell an error
//!   naming its column with the API's own [`InvalidReason`];
//! - `plan.rs`: the roster as the import matches against it, the report,
//!   and the checked records to write, written in one `Store::write`;
//! - `row.rs`: one row matched against the roster and the rows before it
//!   (buildings by number, households by building, unit and room,
//!   residents by ID number, else by name, birth date and household);
//! - `resident.rs`: the household and resident a row asks for, and the
//!   fields that change;
//! - `report.rs`: the report's types.
//!
//! A file on disk is read with [`read_roster_file`], which refuses one over
//! the size cap before reading it.
//!
//! To accept another header spelling, add it to `header.rs`; another label
//! of a code list, to `cells.rs`; another column, a variant of
//! [`ImportField`] with its headers, its parse in `cells.rs` and its
//! comparison and overlay in `resident.rs`.

use crate::error::Error;
use crate::store::Store;

mod cells;
mod header;
mod plan;
mod read;
mod report;
mod resident;
mod row;

pub use header::ImportField;
pub use read::read_roster_file;
pub use report::{
    CellError, CellProblem, RosterImportOptions, RosterImportOutcome, RosterImportReport,
    RowOutcome, RowReport,
};

/// The default cap on the size of an imported file: 20 MB.
pub const DEFAULT_MAX_IMPORT_BYTES: u64 = 20 * 1024 * 1024;
/// The default cap on the unzipped size of an XLSX file: 200 MB.
pub const DEFAULT_MAX_UNZIPPED_BYTES: u64 = 200 * 1024 * 1024;

/// Why a roster file was refused as a whole. Names the column or the cause,
/// never a cell's value.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is larger than the cap.
    #[error("the file is larger than {max_bytes} bytes")]
    TooLarge {
        /// The cap, in bytes.
        max_bytes: u64,
    },
    /// The XLSX file would unzip to more than the cap (a zip bomb).
    #[error("the spreadsheet unzips to more than {max_bytes} bytes")]
    ZipBomb {
        /// The cap on the unzipped size, in bytes.
        max_bytes: u64,
    },
    /// The file is neither a CSV text nor an XLSX workbook.
    #[error("the file is not a CSV or XLSX spreadsheet")]
    NotASpreadsheet,
    /// The CSV text is neither UTF-8 nor GB18030 (GBK).
    #[error("the CSV file is neither UTF-8 nor GBK/GB18030 text")]
    UnknownEncoding,
    /// The CSV text could not be split into fields at a row.
    #[error("the CSV file is malformed at row {row}")]
    MalformedCsv {
        /// The row, counted from 1.
        row: u64,
    },
    /// The XLSX workbook could not be read.
    #[error("the spreadsheet could not be read")]
    MalformedSpreadsheet,
    /// The file has no header row.
    #[error("the file has no header row")]
    NoHeader,
    /// A required column is missing.
    #[error("the required column {} is missing", .field.header())]
    MissingColumn {
        /// The field (姓名, 楼栋 or 房号).
        field: ImportField,
    },
    /// Two columns map to the same field.
    #[error("the column {} appears twice", .field.header())]
    DuplicateColumn {
        /// The field both columns map to.
        field: ImportField,
    },
    /// Rows are in error and the caller did not ask to skip them; nothing was written.
    #[error("{rows} rows are in error; nothing was imported")]
    RowsInError {
        /// How many rows are in error.
        rows: u32,
    },
    /// The file to read does not exist.
    #[error("the file does not exist")]
    FileNotFound,
    /// The file to read exists but could not be read (a folder, no
    /// permission, an I/O error).
    #[error("the file could not be read: {kind}")]
    FileUnreadable {
        /// The kind of failure, in words (never the path).
        kind: std::io::ErrorKind,
    },
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] Error),
}

/// What [`Store::import_roster`] and its dry run return.
pub type ImportResult<T> = std::result::Result<T, ImportError>;

impl Store {
    /// Reads a roster file (CSV or XLSX) and says, row by row, what
    /// importing it into the grid would do. Writes nothing.
    pub fn import_roster_dry_run(
        &self,
        grid_id: &str,
        bytes: &[u8],
        options: &RosterImportOptions,
    ) -> ImportResult<RosterImportReport> {
        Ok(self.plan_logged(grid_id, bytes, options)?.report)
    }

    /// Plans an import and logs its counts, or why the file was refused.
    fn plan_logged(
        &self,
        grid_id: &str,
        bytes: &[u8],
        options: &RosterImportOptions,
    ) -> ImportResult<plan::Planned> {
        match self.plan_import(grid_id, bytes, options) {
            Ok(planned) => {
                let r = &planned.report;
                tracing::info!(
                    rows = r.rows.len(),
                    residents_created = r.residents_created,
                    households_created = r.households_created,
                    rows_updated = r.rows_updated,
                    rows_unchanged = r.rows_unchanged,
                    rows_in_error = r.rows_in_error,
                    "roster file read"
                );
                Ok(planned)
            }
            Err(error) => {
                // ImportError names the column or the cause, never a cell.
                tracing::info!(%error, bytes = bytes.len(), "roster file refused");
                Err(error)
            }
        }
    }

    /// Imports a roster file into the grid in one write: one transaction,
    /// and one change of the grid's roster document, or several for a roster
    /// of more than a few hundred rows, each well under the largest change
    /// the sync protocol carries. With rows in error it
    /// writes nothing and returns [`ImportError::RowsInError`], unless
    /// `skip_rows_in_error`, which imports the other rows. Importing the
    /// same file again writes nothing.
    pub fn import_roster(
        &self,
        grid_id: &str,
        bytes: &[u8],
        options: &RosterImportOptions,
        skip_rows_in_error: bool,
    ) -> ImportResult<RosterImportOutcome> {
        let planned = self.plan_logged(grid_id, bytes, options)?;
        let in_error = planned.report.rows_in_error;
        if in_error > 0 && !skip_rows_in_error {
            return Err(ImportError::RowsInError { rows: in_error });
        }
        let written = planned.write(self, grid_id)?;
        Ok(RosterImportOutcome {
            report: planned.report,
            written,
        })
    }

    fn plan_import(
        &self,
        grid_id: &str,
        bytes: &[u8],
        options: &RosterImportOptions,
    ) -> ImportResult<plan::Planned> {
        self.read(|conn| {
            crate::store::lookup::grid_of_active(
                conn,
                crate::kinds::RecordKind::Grid,
                "grids",
                grid_id,
            )
        })?;
        let table = read::read_table(bytes, options)?;
        let columns = header::map_header(&table, options)?;
        let roster = plan::Roster::load(self, grid_id)?;
        Ok(plan::plan(
            &table,
            &columns,
            &roster,
            options,
            self.today(),
        )?)
    }
}
