//! What an export costs on a phone, for `gridbench`, on the five-year grid:
//! the roster template (`roster_grid_worker`, every active resident) to
//! XLSX (`export_xlsx_ms`) and to CSV (`export_csv_ms`), medians, with the
//! files' sizes and the rows written.
//!
//! To add a measurement: a field in [`ExportBench`], timed in [`measure`].

use std::time::Instant;

use gridbook::{ExportFormat, ExportOptions, Store};

use crate::sim::SimError;
use crate::stats::{median, millis};

/// Repetitions of each export.
const RUNS: usize = 5;

/// The template measured.
pub const TEMPLATE: &str = "roster_grid_worker";

/// The export measurements of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExportBench {
    /// Median ms of the roster template to XLSX.
    pub xlsx_ms: f64,
    /// Its file's bytes.
    pub xlsx_bytes: usize,
    /// Median ms of the roster template to CSV.
    pub csv_ms: f64,
    /// Its file's bytes.
    pub csv_bytes: usize,
    /// The data rows written (residents).
    pub rows: u32,
}

/// Times [`RUNS`] exports of the roster template in each format.
pub fn measure(store: &Store, grid: &str) -> Result<ExportBench, SimError> {
    let time = |format: ExportFormat| -> Result<(f64, usize, u32), SimError> {
        let mut samples = Vec::with_capacity(RUNS);
        let mut last = None;
        for _ in 0..RUNS {
            let start = Instant::now();
            let file = store.export(grid, TEMPLATE, format, ExportOptions::default())?;
            samples.push(millis(start.elapsed()));
            last = Some((file.bytes.len(), file.rows));
        }
        let (bytes, rows) = last.unwrap_or_default();
        Ok((median(&samples), bytes, rows))
    };
    let (xlsx_ms, xlsx_bytes, rows) = time(ExportFormat::Xlsx)?;
    let (csv_ms, csv_bytes, _) = time(ExportFormat::Csv)?;
    Ok(ExportBench {
        xlsx_ms,
        xlsx_bytes,
        csv_ms,
        csv_bytes,
        rows,
    })
}
