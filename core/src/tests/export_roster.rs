//! Export of the roster: the exact CSV bytes of a small grid, the same
//! cells read back from the XLSX with calamine, no full ID number or phone
//! in either, the templates checked, unknown templates and grids refused.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

use super::*;

/// Numbers that must never appear whole in an export.
pub(crate) const FULL_VALUES: &[&str] = &[
    "11010519491231002X",
    "13800138000",
    "13912345678",
    "62345678",
];

/// 502: the fixture's head (elder living alone) and her son (disabled,
/// a veteran; a mobile and a landline). 601: a migrant with a note that
/// looks like a formula and holds a comma, quotes and a phone.
fn small_roster() -> (tempfile::TempDir, Store, Fixture) {
    let (dir, store, f) = one_worker("w1");
    store
        .create_resident(ResidentInput {
            gender: Gender::Male,
            birth_date: None,
            id_number: None,
            phones: vec!["13912345678".into(), "010-62345678".into()],
            relation: "20".into(),
            care: vec!["disabled".into(), "veteran".into()],
            ..resident_input(&f.household, "赵磊")
        })
        .unwrap();
    let other = store
        .create_household(HouseholdInput {
            notes: Some("=1+2,\"见\" 联系13800138000".into()),
            ..household_input(&f.building, "601")
        })
        .unwrap();
    store
        .create_resident(ResidentInput {
            id_number: None,
            phones: vec![],
            registration: Registration::Migrant,
            care: vec![],
            ..resident_input(&other, "李四")
        })
        .unwrap();
    (dir, store, f)
}

/// The cells the roster template gives for [`small_roster`], header first.
fn expected_cells() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "楼栋",
            "单元",
            "房号",
            "姓名",
            "性别",
            "公民身份号码",
            "出生日期",
            "联系电话",
            "与户主关系",
            "户籍类型",
            "人户状态",
            "人员类别",
            "备注",
        ],
        vec![
            "3栋",
            "1",
            "502",
            "张秀英",
            "女",
            "110105********002X",
            "1949-12-31",
            "138****8000",
            "户主",
            "户籍",
            "人户一致",
            "独居老人",
            "",
        ],
        vec![
            "3栋",
            "1",
            "502",
            "赵磊",
            "男",
            "",
            "",
            "139****5678、010-******78",
            "子",
            "户籍",
            "人户一致",
            "退役军人",
            "",
        ],
        vec![
            "3栋",
            "1",
            "601",
            "李四",
            "女",
            "",
            "1949-12-31",
            "",
            "户主",
            "流动",
            "人户一致",
            "",
            "'=1+2,\"见\" 联系138****8000",
        ],
        vec![
            "合计 3 人",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "健康类 1",
            "",
        ],
    ]
}

/// Every cell of the first sheet as text, and whether each is a string.
pub(crate) fn xlsx_cells(bytes: &[u8]) -> Vec<Vec<(String, bool)>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.start(), Some((0, 0)));
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::String(s) => (s.clone(), true),
                    Data::Empty => (String::new(), false),
                    other => (other.to_string(), false),
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_roster_csv_is_exact_masked_quoted_and_neutralised() {
    let (_dir, store, f) = small_roster();
    let file = store
        .export(
            &f.grid,
            "roster_grid_worker",
            ExportFormat::Csv,
            ExportOptions::default(),
        )
        .unwrap();
    let expected = "\u{feff}楼栋,单元,房号,姓名,性别,公民身份号码,出生日期,联系电话,与户主关系,户籍类型,人户状态,人员类别,备注\r\n\
        3栋,1,502,张秀英,女,110105********002X,1949-12-31,138****8000,户主,户籍,人户一致,独居老人,\r\n\
        3栋,1,502,赵磊,男,,,139****5678、010-******78,子,户籍,人户一致,退役军人,\r\n\
        3栋,1,601,李四,女,,1949-12-31,,户主,流动,人户一致,,\"'=1+2,\"\"见\"\" 联系138****8000\"\r\n\
        合计 3 人,,,,,,,,,,,健康类 1,\r\n";
    assert_eq!(String::from_utf8(file.bytes.clone()).unwrap(), expected);
    assert_eq!(&file.bytes[..3], b"\xEF\xBB\xBF");
    assert_eq!((file.rows, file.masked), (3, true));
    assert!(file.file_name.starts_with("网格员花名册_330106001001001_"));
    assert!(file.file_name.ends_with(".csv"));
    let text = String::from_utf8(file.bytes).unwrap();
    for full in FULL_VALUES {
        assert!(!text.contains(full), "{full} in the CSV");
    }
    assert!(!text.contains("残疾人"));
}

#[test]
fn the_roster_xlsx_holds_the_same_cells_as_text() {
    let (_dir, store, f) = small_roster();
    let file = store
        .export(
            &f.grid,
            "roster_grid_worker",
            ExportFormat::Xlsx,
            ExportOptions::default(),
        )
        .unwrap();
    assert!(file.file_name.ends_with(".xlsx"));
    assert_eq!(file.rows, 3);
    let cells = xlsx_cells(&file.bytes);
    let texts: Vec<Vec<&str>> = cells
        .iter()
        .map(|row| row.iter().map(|(t, _)| t.as_str()).collect())
        .collect();
    assert_eq!(texts, expected_cells());
    // The ID number and the phone are strings, not numbers.
    assert!(cells[1][5].1 && cells[1][7].1);
    for row in &cells {
        for (text, _) in row {
            for full in FULL_VALUES {
                assert!(!text.contains(full), "{full} in the XLSX");
            }
        }
    }
}

#[test]
fn unknown_templates_and_grids_are_typed_errors() {
    let (_dir, store, f) = one_worker("w1");
    let options = ExportOptions::default;
    assert!(matches!(
        store.export(&f.grid, "no_such", ExportFormat::Csv, options()),
        Err(Error::Invalid {
            field: "template_id",
            reason: InvalidReason::UnknownCode
        })
    ));
    assert!(matches!(
        store.export(
            "no-grid",
            "roster_grid_worker",
            ExportFormat::Xlsx,
            options()
        ),
        Err(Error::NotFound {
            kind: RecordKind::Grid,
            ..
        })
    ));
}

#[test]
fn the_shipped_templates_name_known_fields_only() {
    let templates = export_templates().unwrap();
    let ids: Vec<&str> = templates.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        ["roster_grid_worker", "households", "visits", "events"]
    );
    assert!(templates.iter().all(|t| !t.headers.is_empty()));
}
