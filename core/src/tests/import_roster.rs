//! Roster import from CSV: encodings, the dry run's report, the
//! all-or-nothing commit in one change, re-import, updates and skipped
//! rows. XLSX files and refused files are in `import_files.rs`, matching
//! and headers in `import_matching.rs`; the helpers here serve all three.

use super::*;
use crate::roster_import::ImportResult;

/// An ID number with its GB 11643 check character computed from 17 digits.
pub(super) fn id_number(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

pub(super) const HEADER: &str = "姓名,性别,身份证号,出生日期,联系电话,楼栋,单元,楼层,房号,与户主关系,户籍类型,人户状态,人员类别,备注";

/// Three residents in two new buildings, as table cells.
pub(super) fn rows() -> Vec<Vec<String>> {
    let lines = [
        format!(
            "张三,男,{},,13800138001,5栋,1,5,501,户主,户籍,人户一致,,",
            id_number("11010519800101123")
        ),
        format!(
            "李四,女,{},1982-02-02,13800138002,5栋,1,5,501,配偶,流动,人在户不在,独居老人,",
            id_number("11010519820202124")
        ),
        format!(
            "王五,男,{},,13900139003,6栋,2,,1203,户主,非户籍,人户一致,退役军人、残疾人,一楼有狗",
            id_number("11010519750303135")
        ),
    ];
    lines
        .iter()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

pub(super) fn csv(header: &str, rows: &[Vec<String>]) -> String {
    let mut text = format!("{header}\r\n");
    for row in rows {
        text.push_str(&row.join(","));
        text.push_str("\r\n");
    }
    text
}

pub(super) fn dry(store: &Store, grid: &str, bytes: &[u8]) -> ImportResult<RosterImportReport> {
    store.import_roster_dry_run(grid, bytes, &RosterImportOptions::default())
}

pub(super) fn outcomes(report: &RosterImportReport) -> Vec<(u32, RowOutcome)> {
    report
        .rows
        .iter()
        .map(|r| (r.row, r.outcome.clone()))
        .collect()
}

fn outbox_count(store: &Store) -> i64 {
    store
        .read(|conn| Ok(conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?))
        .unwrap()
}

pub(super) fn created(new_building: bool, new_household: bool) -> RowOutcome {
    RowOutcome::Create {
        new_building,
        new_household,
    }
}

#[test]
fn utf8_bom_and_gbk_csv_give_the_same_report() {
    let (_dir, store, f) = one_worker("w1");
    let (dump, chunks) = (store.query_table_dump().unwrap(), chunk_count(&store));
    let text = csv(HEADER, &rows());
    let utf8 = dry(&store, &f.grid, text.as_bytes()).unwrap();
    let bom = dry(
        &store,
        &f.grid,
        &[b"\xEF\xBB\xBF", text.as_bytes()].concat(),
    )
    .unwrap();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err());
    let gbk = dry(&store, &f.grid, &gbk).unwrap();
    assert_eq!(utf8, bom);
    assert_eq!(utf8, gbk);
    // A dry run writes nothing.
    assert_eq!(store.query_table_dump().unwrap(), dump);
    assert_eq!(chunk_count(&store), chunks);
    assert_eq!(
        outcomes(&utf8),
        vec![
            (2, created(true, true)),
            (3, created(true, true)),
            (4, created(true, true))
        ]
    );
    assert_eq!(
        (
            utf8.buildings_created,
            utf8.households_created,
            utf8.residents_created,
            utf8.rows_in_error
        ),
        (2, 2, 3, 0)
    );
}

/// A roster of `households` households of three residents each, with valid ID numbers.
pub(super) fn large_rows(households: usize) -> Vec<Vec<String>> {
    let mut rows = Vec::with_capacity(households * 3);
    for h in 0..households {
        for (m, (name, gender, relation)) in [
            ("户主", "男", "户主"),
            ("配偶", "女", "配偶"),
            ("子女", "男", "子"),
        ]
        .into_iter()
        .enumerate()
        {
            let k = h * 3 + m;
            let sequence = (k % 500) * 2 + usize::from(gender == "男");
            let id = id_number(&format!("3301{:02}19800101{sequence:03}", 1 + k / 500));
            rows.push(
                format!(
                    "{name}{h},{gender},{id},,138{k:08},{}号楼,1,,{}0{},{relation},,,,",
                    1 + h / 20,
                    1 + (h % 20) / 2,
                    1 + h % 2
                )
                .split(',')
                .map(str::to_string)
                .collect(),
            );
        }
    }
    rows
}

#[test]
fn a_large_import_is_one_transaction_of_changes_the_sync_protocol_carries() {
    let (_dir, store, f) = one_worker("w1");
    let text = csv(HEADER, &large_rows(1000));
    let (chunks, outbox) = (chunk_count(&store), outbox_count(&store));
    let residents = store.grid_residents(&f.grid).unwrap().len();
    let done = store
        .import_roster(
            &f.grid,
            text.as_bytes(),
            &RosterImportOptions::default(),
            false,
        )
        .unwrap();
    assert_eq!(
        (
            done.report.residents_created,
            done.report.households_created,
            done.report.buildings_created,
            done.report.rows_in_error
        ),
        (3000, 1000, 50, 0)
    );
    // 4,050 records of about 300 bytes by weight: parts of 256 KiB.
    let new_chunks = chunk_count(&store) - chunks;
    assert_eq!(new_chunks, 5);
    assert_eq!(outbox_count(&store), outbox + new_chunks);
    let largest: i64 = store
        .read(|conn| Ok(conn.query_row("SELECT max(length(bytes)) FROM chunks", [], |r| r.get(0))?))
        .unwrap();
    assert!(
        usize::try_from(largest).unwrap() < crate::sync::MAX_CHANGE_BYTES / 2,
        "{largest} bytes"
    );
    assert_eq!(
        store.grid_residents(&f.grid).unwrap().len(),
        residents + 3000
    );
    // The query tables rebuilt from the changes hold the same roster.
    let dump = store.query_table_dump().unwrap();
    store.rebuild().unwrap();
    assert_eq!(store.query_table_dump().unwrap(), dump);
}

#[test]
fn import_is_one_change_and_reimport_changes_nothing() {
    let (_dir, store, f) = one_worker("w1");
    let mut many = rows();
    for n in 0..40 {
        many.push(
            format!(
                "住户{n},女,,1990-01-01,,7栋,1,,{}0{},,,,,",
                1 + n / 4,
                1 + n % 4
            )
            .split(',')
            .map(str::to_string)
            .collect(),
        );
    }
    let text = csv(HEADER, &many);
    let (chunks, outbox) = (chunk_count(&store), outbox_count(&store));
    let done = store
        .import_roster(
            &f.grid,
            text.as_bytes(),
            &RosterImportOptions::default(),
            false,
        )
        .unwrap();
    assert!(done.written);
    assert_eq!(done.report.residents_created, 43);
    assert_eq!(done.report.buildings_created, 3);
    // One roster document touched: exactly one new change, queued once.
    assert_eq!(chunk_count(&store), chunks + 1);
    assert_eq!(outbox_count(&store), outbox + 1);
    let b7 = store
        .buildings(&f.grid)
        .unwrap()
        .into_iter()
        .find(|b| b.number == "7栋")
        .unwrap();
    assert_eq!((b7.units, b7.floors), (1, 10));
    let head = store
        .grid_residents(&f.grid)
        .unwrap()
        .into_iter()
        .find(|r| r.name == "张三")
        .unwrap();
    assert_eq!(head.gender, Gender::Male);
    assert_eq!(head.birth_date, Date::new(1980, 1, 1));
    assert_eq!(
        store
            .household(&head.household_id)
            .unwrap()
            .household
            .head_id,
        Some(head.id)
    );

    let dump = store.query_table_dump().unwrap();
    let again = store
        .import_roster(
            &f.grid,
            text.as_bytes(),
            &RosterImportOptions::default(),
            false,
        )
        .unwrap();
    assert!(!again.written);
    assert_eq!(again.report.rows_unchanged, 43);
    assert!(
        again
            .report
            .rows
            .iter()
            .all(|r| r.outcome == RowOutcome::Unchanged)
    );
    assert_eq!(chunk_count(&store), chunks + 1);
    assert_eq!(store.query_table_dump().unwrap(), dump);
}

#[test]
fn a_changed_phone_updates_only_that_field() {
    let (_dir, store, f) = one_worker("w1");
    let options = RosterImportOptions::default();
    let text = csv(HEADER, &rows());
    store
        .import_roster(&f.grid, text.as_bytes(), &options, false)
        .unwrap();
    let mut changed = rows();
    changed[1][4] = "13700137002".into();
    let text = csv(HEADER, &changed);
    let report = dry(&store, &f.grid, text.as_bytes()).unwrap();
    assert_eq!(
        outcomes(&report),
        vec![
            (2, RowOutcome::Unchanged),
            (
                3,
                RowOutcome::Update {
                    fields: vec![ImportField::Phone]
                }
            ),
            (4, RowOutcome::Unchanged)
        ]
    );
    let chunks = chunk_count(&store);
    store
        .import_roster(&f.grid, text.as_bytes(), &options, false)
        .unwrap();
    assert_eq!(chunk_count(&store), chunks + 1);
    let li = store
        .grid_residents(&f.grid)
        .unwrap()
        .into_iter()
        .find(|r| r.name == "李四")
        .unwrap();
    assert_eq!(li.phones, vec!["13700137002".to_string()]);
    assert_eq!(li.care, vec!["elderly_alone".to_string()]);
    assert_eq!(li.registration, Registration::Migrant);
}

#[test]
fn bad_cells_are_reported_with_the_api_reasons_and_nothing_is_written() {
    let (_dir, store, f) = one_worker("w1");
    let mut bad = rows();
    let good_id = bad[0][2].clone();
    let wrong_check = format!(
        "{}{}",
        &good_id[..17],
        if good_id.ends_with('0') { '1' } else { '0' }
    );
    bad[0][2] = wrong_check.clone();
    bad[1][4] = "12345".into();
    bad[2][1] = "男的".into();
    let text = csv(HEADER, &bad);
    let report = dry(&store, &f.grid, text.as_bytes()).unwrap();
    let errors: Vec<(u32, &str, ImportField, CellProblem)> = report
        .rows
        .iter()
        .flat_map(|r| r.errors.iter())
        .map(|e| (e.row, e.column.as_str(), e.field, e.problem.clone()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (
                2,
                "身份证号",
                ImportField::IdNumber,
                CellProblem::Invalid {
                    reason: InvalidReason::IdNumberCheckDigit
                }
            ),
            (
                3,
                "联系电话",
                ImportField::Phone,
                CellProblem::Invalid {
                    reason: InvalidReason::Phone
                }
            ),
            (
                4,
                "性别",
                ImportField::Gender,
                CellProblem::Invalid {
                    reason: InvalidReason::UnknownCode
                }
            ),
        ]
    );
    assert!(report.rows.iter().all(|r| r.outcome == RowOutcome::Error));
    for e in report.rows.iter().flat_map(|r| r.errors.iter()) {
        let shown = e.to_string();
        for secret in [
            wrong_check.as_str(),
            "12345",
            "男的",
            "张三",
            "李四",
            "王五",
        ] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    let dump = store.query_table_dump().unwrap();
    let chunks = chunk_count(&store);
    let refused = store
        .import_roster(
            &f.grid,
            text.as_bytes(),
            &RosterImportOptions::default(),
            false,
        )
        .unwrap_err();
    assert!(matches!(refused, ImportError::RowsInError { rows: 3 }));
    assert!(!refused.to_string().contains("张三"));
    assert_eq!(store.query_table_dump().unwrap(), dump);
    assert_eq!(chunk_count(&store), chunks);
}

#[test]
fn skipping_rows_in_error_imports_the_others() {
    let (_dir, store, f) = one_worker("w1");
    let mut bad = rows();
    bad[1][4] = "12345".into();
    let text = csv(HEADER, &bad);
    let done = store
        .import_roster(
            &f.grid,
            text.as_bytes(),
            &RosterImportOptions::default(),
            true,
        )
        .unwrap();
    assert_eq!(
        (done.report.residents_created, done.report.rows_in_error),
        (2, 1)
    );
    let names: Vec<String> = store
        .grid_residents(&f.grid)
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert!(names.contains(&"张三".to_string()) && !names.contains(&"李四".to_string()));
}
