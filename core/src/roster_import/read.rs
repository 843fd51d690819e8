//! A roster file's bytes to a [`Table`] of text cells. The format is told
//! from the bytes: a zip (`PK\x03\x04`) is an XLSX workbook, known binary
//! formats and text with NUL bytes are refused, anything else is CSV. CSV
//! text is UTF-8 when it starts with a BOM or decodes as UTF-8, else
//! GB18030 (a superset of GBK), else refused. An XLSX file is checked
//! before calamine parses it: its size, and the bytes its entries really
//! inflate to (read through a bounded reader, not the sizes it declares).
//! To accept another format, detect it in [`read_table`] and give it a
//! reader that returns a [`Table`].

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use super::{ImportError, ImportResult, RosterImportOptions};
use crate::validate::Date;

/// One cell: its text (trimmed later) and whether it held a formula.
#[derive(Debug, Clone, Default)]
pub(super) struct Cell {
    pub(super) text: String,
    pub(super) formula: bool,
}

/// The non-empty rows of the first sheet, each with its row number as the
/// user sees it (counted from 1).
pub(super) struct Table {
    pub(super) rows: Vec<(u32, Vec<Cell>)>,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const BINARY_MAGICS: &[&[u8]] = &[
    b"\xD0\xCF\x11\xE0", // OLE2: XLS, DOC
    b"\x89PNG",
    b"\xFF\xD8\xFF",
    b"%PDF",
    b"GIF8",
    b"\x1F\x8B", // gzip
];

/// Reads a roster file from disk for [`Store::import_roster`] or its dry
/// run, refusing it by its size on disk before reading it: over
/// `options.max_file_bytes` it is [`ImportError::TooLarge`]. A missing file
/// is [`ImportError::FileNotFound`], anything else that stops the read
/// [`ImportError::FileUnreadable`]; neither names the path.
///
/// [`Store::import_roster`]: crate::Store::import_roster
pub fn read_roster_file(path: &Path, options: &RosterImportOptions) -> ImportResult<Vec<u8>> {
    let unreadable = |error: std::io::Error| match error.kind() {
        std::io::ErrorKind::NotFound => ImportError::FileNotFound,
        kind => ImportError::FileUnreadable { kind },
    };
    let file = File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(ImportError::FileUnreadable {
            kind: std::io::ErrorKind::IsADirectory,
        });
    }
    let max = options.max_file_bytes;
    if metadata.len() > max {
        return Err(ImportError::TooLarge { max_bytes: max });
    }
    // The file may grow between the two calls: read one byte past the cap at most.
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or_default());
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > max {
        return Err(ImportError::TooLarge { max_bytes: max });
    }
    Ok(bytes)
}

/// Reads the bytes as CSV or XLSX.
pub(super) fn read_table(bytes: &[u8], options: &RosterImportOptions) -> ImportResult<Table> {
    if bytes.len() as u64 > options.max_file_bytes {
        return Err(ImportError::TooLarge {
            max_bytes: options.max_file_bytes,
        });
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return read_xlsx(bytes, options.max_unzipped_bytes);
    }
    if BINARY_MAGICS.iter().any(|m| bytes.starts_with(m)) || bytes.contains(&0) {
        return Err(ImportError::NotASpreadsheet);
    }
    read_csv(&decode(bytes)?)
}

/// Decodes CSV bytes: BOM, then UTF-8, then GB18030.
pub(super) fn decode(bytes: &[u8]) -> ImportResult<String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|_| ImportError::UnknownEncoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or(ImportError::UnknownEncoding)
}

fn read_csv(text: &str) -> ImportResult<Table> {
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let record = record.map_err(|_| ImportError::MalformedCsv {
            row: u64::from(number),
        })?;
        let cells: Vec<Cell> = record
            .iter()
            .map(|text| Cell {
                text: text.to_string(),
                formula: false,
            })
            .collect();
        push_row(&mut rows, number, cells);
    }
    Ok(Table { rows })
}

fn push_row(rows: &mut Vec<(u32, Vec<Cell>)>, number: u32, cells: Vec<Cell>) {
    if cells.iter().any(|c| c.formula || !is_blank(&c.text)) {
        rows.push((number, cells));
    }
}

/// Whether text is empty once ASCII and full-width spaces are trimmed.
pub(super) fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// Refuses a zip whose entries inflate to more than `max_unzipped` bytes.
fn check_unzipped_size(bytes: &[u8], max_unzipped: u64) -> ImportResult<()> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ImportError::NotASpreadsheet)?;
    let bomb = ImportError::ZipBomb {
        max_bytes: max_unzipped,
    };
    let mut declared: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|_| ImportError::MalformedSpreadsheet)?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > max_unzipped {
        return Err(bomb);
    }
    let mut total: u64 = 0;
    let mut buffer = vec![0u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|_| ImportError::MalformedSpreadsheet)?;
        loop {
            let n = entry
                .read(&mut buffer)
                .map_err(|_| ImportError::MalformedSpreadsheet)?;
            if n == 0 {
                break;
            }
            total = total.saturating_add(n as u64);
            if total > max_unzipped {
                return Err(bomb);
            }
        }
    }
    let has_workbook = archive
        .file_names()
        .any(|n| n.is_ok_and(|n| n == "xl/workbook.xml"));
    if !has_workbook {
        return Err(ImportError::NotASpreadsheet);
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], max_unzipped: u64) -> ImportResult<Table> {
    check_unzipped_size(bytes, max_unzipped)?;
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| ImportError::MalformedSpreadsheet)?;
    let Some(sheet) = workbook.sheet_names().into_iter().next() else {
        return Err(ImportError::NoHeader);
    };
    let data = workbook
        .worksheet_range(&sheet)
        .map_err(|_| ImportError::MalformedSpreadsheet)?;
    let formulas = workbook
        .worksheet_formula(&sheet)
        .map_err(|_| ImportError::MalformedSpreadsheet)?;
    let (top, left) = data.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (r, row) in data.rows().enumerate() {
        let abs_row = top.saturating_add(u32::try_from(r).unwrap_or(u32::MAX));
        let mut cells: Vec<Cell> = (0..left).map(|_| Cell::default()).collect();
        for (c, value) in row.iter().enumerate() {
            let abs_col = left.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
            let formula = formulas
                .get_value((abs_row, abs_col))
                .is_some_and(|f| !f.is_empty());
            cells.push(Cell {
                text: cell_text(value),
                formula,
            });
        }
        push_row(&mut rows, abs_row.saturating_add(1), cells);
    }
    Ok(Table { rows })
}

/// A cell's value as the text a CSV would hold: whole numbers without a
/// fraction (phones typed as numbers), dates as `YYYY-MM-DD`.
fn cell_text(value: &Data) -> String {
    match value {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e16 => format!("{x:.0}"),
        Data::Float(x) => x.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            // Excel's serial day 25569 is 1970-01-01.
            let days = d.as_f64().floor() as i64 - 25569;
            Date::from_days_since_epoch(days).to_string()
        }
        Data::Error(_) => "#ERROR".to_string(),
    }
}
