//! Roster import from XLSX workbooks built here with the zip writer (the
//! few parts a workbook needs, cells as inline strings), and the files
//! refused whole: not a spreadsheet, too large, a zip bomb, an unknown
//! encoding; and a formula cell refused on its own.

use std::io::Write;

use zip::write::SimpleFileOptions;

use super::import_roster::{HEADER, csv, dry, rows};
use super::*;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// One cell of a test sheet.
enum X {
    Text(String),
    Number(String),
    Formula(&'static str),
}

fn column(index: usize) -> char {
    (b'A' + u8::try_from(index).unwrap()) as char
}

fn sheet_xml(rows: &[Vec<X>]) -> String {
    let mut xml = format!("<worksheet xmlns=\"{MAIN}\"><sheetData>");
    for (r, row) in rows.iter().enumerate() {
        xml.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", column(c), r + 1);
            match cell {
                X::Text(t) if t.is_empty() => {}
                X::Text(t) => xml.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{t}</t></is></c>"
                )),
                X::Number(n) => xml.push_str(&format!("<c r=\"{at}\"><v>{n}</v></c>")),
                X::Formula(f) => xml.push_str(&format!("<c r=\"{at}\"><f>{f}</f><v>1</v></c>")),
            }
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn xlsx(rows: &[Vec<X>]) -> Vec<u8> {
    let types = String::from(
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
         <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>",
    );
    let root_rels = format!(
        "<Relationships xmlns=\"{RELS}\"><Relationship Id=\"rId1\" Type=\"{DOC_RELS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
    );
    let workbook = format!(
        "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOC_RELS}\"><sheets><sheet name=\"花名册\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
    );
    let workbook_rels = format!(
        "<Relationships xmlns=\"{RELS}\"><Relationship Id=\"rId1\" Type=\"{DOC_RELS}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
    );
    zip_of(&[
        ("[Content_Types].xml", types.into_bytes()),
        ("_rels/.rels", root_rels.into_bytes()),
        ("xl/workbook.xml", workbook.into_bytes()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.into_bytes()),
        ("xl/worksheets/sheet1.xml", sheet_xml(rows).into_bytes()),
    ])
}

/// The test rows as a sheet: phones as numbers, as spreadsheets hold them.
fn sheet_rows() -> Vec<Vec<X>> {
    let mut sheet = vec![HEADER.split(',').map(|h| X::Text(h.into())).collect()];
    for row in rows() {
        sheet.push(
            row.into_iter()
                .enumerate()
                .map(|(c, v)| if c == 4 { X::Number(v) } else { X::Text(v) })
                .collect(),
        );
    }
    sheet
}

#[test]
fn an_xlsx_imports_like_the_csv() {
    let (_dir, store, f) = one_worker("w1");
    let from_csv = dry(&store, &f.grid, csv(HEADER, &rows()).as_bytes()).unwrap();
    let book = xlsx(&sheet_rows());
    let from_xlsx = dry(&store, &f.grid, &book).unwrap();
    assert_eq!(from_xlsx, from_csv);
    let done = store
        .import_roster(&f.grid, &book, &RosterImportOptions::default(), false)
        .unwrap();
    assert_eq!(done.report.residents_created, 3);
    let again = dry(&store, &f.grid, csv(HEADER, &rows()).as_bytes()).unwrap();
    assert_eq!(again.rows_unchanged, 3);
}

#[test]
fn a_formula_cell_is_refused_on_its_own() {
    let (_dir, store, f) = one_worker("w1");
    let mut sheet = sheet_rows();
    sheet[2][4] = X::Formula("E2+1");
    let report = dry(&store, &f.grid, &xlsx(&sheet)).unwrap();
    assert_eq!(report.rows_in_error, 1);
    let row = &report.rows[1];
    assert_eq!((row.row, &row.outcome), (3, &RowOutcome::Error));
    assert_eq!(row.errors.len(), 1);
    assert_eq!(row.errors[0].field, ImportField::Phone);
    assert_eq!(row.errors[0].problem, CellProblem::Formula);
    assert_eq!(
        row.errors[0].to_string(),
        "row 3, column 联系电话: holds a formula"
    );
}

#[test]
fn files_that_are_not_rosters_are_refused_whole() {
    let (_dir, store, f) = one_worker("w1");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    assert!(matches!(
        dry(&store, &f.grid, &png),
        Err(ImportError::NotASpreadsheet)
    ));
    let not_a_workbook = zip_of(&[("readme.txt", b"hello".to_vec())]);
    assert!(matches!(
        dry(&store, &f.grid, &not_a_workbook),
        Err(ImportError::NotASpreadsheet)
    ));
    assert!(matches!(
        dry(&store, &f.grid, b"\x81\x20\xFF\xFE,\n"),
        Err(ImportError::UnknownEncoding)
    ));
    assert!(matches!(
        dry(&store, &f.grid, b""),
        Err(ImportError::NoHeader)
    ));

    let text = csv(HEADER, &rows());
    let small = RosterImportOptions {
        max_file_bytes: 100,
        ..RosterImportOptions::default()
    };
    let refused = store
        .import_roster_dry_run(&f.grid, text.as_bytes(), &small)
        .unwrap_err();
    assert!(matches!(refused, ImportError::TooLarge { max_bytes: 100 }));

    let mut bomb_sheet = sheet_rows();
    bomb_sheet.push(vec![X::Text("0".repeat(2 * 1024 * 1024))]);
    let bomb = xlsx(&bomb_sheet);
    assert!(bomb.len() < 64 * 1024);
    let capped = RosterImportOptions {
        max_unzipped_bytes: 1024 * 1024,
        ..RosterImportOptions::default()
    };
    let refused = store
        .import_roster_dry_run(&f.grid, &bomb, &capped)
        .unwrap_err();
    assert!(matches!(
        refused,
        ImportError::ZipBomb {
            max_bytes: 1_048_576
        }
    ));
    for error in [
        refused,
        ImportError::NotASpreadsheet,
        ImportError::UnknownEncoding,
    ] {
        assert!(!error.to_string().contains("张三"));
    }
}

#[test]
fn a_roster_file_is_read_from_disk_within_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("花名册.csv");
    let text = csv(HEADER, &rows());
    std::fs::write(&path, text.as_bytes()).unwrap();
    let options = RosterImportOptions::default();
    assert_eq!(read_roster_file(&path, &options).unwrap(), text.as_bytes());

    let small = RosterImportOptions {
        max_file_bytes: 100,
        ..RosterImportOptions::default()
    };
    assert!(matches!(
        read_roster_file(&path, &small),
        Err(ImportError::TooLarge { max_bytes: 100 })
    ));
    let missing = read_roster_file(&dir.path().join("无此文件.csv"), &options).unwrap_err();
    assert!(matches!(missing, ImportError::FileNotFound));
    assert!(!missing.to_string().contains("无此文件"));
    assert!(matches!(
        read_roster_file(dir.path(), &options),
        Err(ImportError::FileUnreadable {
            kind: std::io::ErrorKind::IsADirectory
        })
    ));
}
