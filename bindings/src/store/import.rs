//! The [`Store`] calls of the roster import (`gridbook`'s `roster_import`):
//! a CSV or XLSX roster, given as bytes or as a file path, first as a dry
//! run that reports each row, then committed in one write. The file
//! variants read the file here, in Rust, refusing one over the size cap
//! before reading it; the app never holds its bytes.
//!
//! A new import option is a field of the core's `RosterImportOptions`,
//! which Kotlin and Swift get as it is.

use std::path::PathBuf;

use gridbook::{RosterImportOptions, RosterImportOutcome, RosterImportReport, read_roster_file};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// Reads a roster file's bytes (CSV in UTF-8 or GBK/GB18030, or XLSX)
    /// and says, row by row, what importing it into the grid would do:
    /// residents, households and buildings created, residents updated with
    /// the fields that change, rows unchanged, and rows in error with each
    /// bad cell's column and reason. Writes nothing. A file refused as a
    /// whole is `ImportRefused`; an unknown grid `NotFound`.
    pub async fn import_roster_dry_run(
        &self,
        grid_id: String,
        bytes: Vec<u8>,
        options: RosterImportOptions,
    ) -> Result<RosterImportReport> {
        self.call(move |s| s.import_roster_dry_run(&grid_id, &bytes, &options))
            .await
    }

    /// Imports a roster file's bytes into the grid in one write. With rows
    /// in error it writes nothing and fails with `ImportRefused`
    /// (`RowsInError`), unless `skipRowsInError`, which imports the other
    /// rows. Importing the same file again writes nothing (`written` is
    /// false).
    pub async fn import_roster(
        &self,
        grid_id: String,
        bytes: Vec<u8>,
        options: RosterImportOptions,
        skip_rows_in_error: bool,
    ) -> Result<RosterImportOutcome> {
        self.call(move |s| s.import_roster(&grid_id, &bytes, &options, skip_rows_in_error))
            .await
    }

    /// `importRosterDryRun` of the file at `path`, read here: a file larger
    /// than `maxFileBytes` is refused before it is read, a missing one is
    /// `ImportRefused` (`FileNotFound`, naming the argument, never the path).
    pub async fn import_roster_file_dry_run(
        &self,
        grid_id: String,
        path: String,
        options: RosterImportOptions,
    ) -> Result<RosterImportReport> {
        self.call(move |s| {
            let bytes = read_roster_file(&PathBuf::from(path), &options)?;
            s.import_roster_dry_run(&grid_id, &bytes, &options)
        })
        .await
    }

    /// `importRoster` of the file at `path`, read as `importRosterFileDryRun`
    /// reads it.
    pub async fn import_roster_file(
        &self,
        grid_id: String,
        path: String,
        options: RosterImportOptions,
        skip_rows_in_error: bool,
    ) -> Result<RosterImportOutcome> {
        self.call(move |s| {
            let bytes = read_roster_file(&PathBuf::from(path), &options)?;
            s.import_roster(&grid_id, &bytes, &options, skip_rows_in_error)
        })
        .await
    }
}

/// The import's defaults: no header overrides, files up to 20 MB (200 MB
/// unzipped), new households owner-occupied, a new resident's empty
/// relation 97 (other).
#[uniffi::export]
pub fn default_roster_import_options() -> RosterImportOptions {
    RosterImportOptions::default()
}
