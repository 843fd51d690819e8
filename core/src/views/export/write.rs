//! The cells of an export written as CSV or XLSX. Every cell is text
//! already masked and neutralised (see `mask.rs`); a new format is one
//! more function here taking the header and the rows.

use rust_xlsxwriter::{Format, Workbook};

use crate::error::{Error, Result};

/// CSV as Excel in China opens it: UTF-8 with a byte-order mark, CRLF line
/// ends, fields quoted as RFC 4180 says (when they hold a comma, a quote
/// or a line break; quotes doubled).
pub(super) fn csv(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for line in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for (i, cell) in line.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if cell.contains([',', '"', '\r', '\n']) {
                out.push('"');
                out.push_str(&cell.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(cell);
            }
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The characters a sheet's name may not hold.
const SHEET_NAME_FORBIDDEN: &[char] = &['[', ']', ':', '*', '?', '/', '\\'];

/// An XLSX workbook of one sheet named `title`: the header row bold, every
/// cell written as a string, so ID numbers keep their leading digits and
/// their X and phones their leading zero.
pub(super) fn xlsx(title: &str, header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let failed = |e: rust_xlsxwriter::XlsxError| Error::document("export.xlsx", e);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let name: String = title
        .chars()
        .filter(|c| !SHEET_NAME_FORBIDDEN.contains(c))
        .take(31)
        .collect();
    if !name.is_empty() {
        sheet.set_name(name).map_err(failed)?;
    }
    let bold = Format::new().set_bold();
    for (col, text) in header.iter().enumerate() {
        let col = u16::try_from(col).map_err(|e| Error::document("export.xlsx", e))?;
        sheet
            .write_string_with_format(0, col, text, &bold)
            .map_err(failed)?;
        // Wide enough for an ID number; headers are short.
        sheet.set_column_width(col, 20).map_err(failed)?;
    }
    for (r, cells) in rows.iter().enumerate() {
        let row = u32::try_from(r + 1).map_err(|e| Error::document("export.xlsx", e))?;
        for (col, text) in cells.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let col = u16::try_from(col).map_err(|e| Error::document("export.xlsx", e))?;
            sheet.write_string(row, col, text).map_err(failed)?;
        }
    }
    workbook.save_to_buffer().map_err(failed)
}
