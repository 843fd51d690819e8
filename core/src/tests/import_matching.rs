//! Roster import: how rows are matched (duplicates in the file and
//! against the roster) and how headers are mapped (their variants, the
//! caller's overrides, a missing required column).

use super::import_roster::{HEADER, created, csv, dry, id_number, outcomes, rows};
use super::*;

#[test]
fn duplicates_in_the_file_and_against_the_roster_are_errors() {
    let (_dir, store, f) = one_worker("w1");
    let known = store.resident(&f.head).unwrap();
    let household = store.household(&known.household_id).unwrap().household;
    let mut dup = rows();
    dup.push(dup[0].clone());
    let mut other = dup[0].clone();
    other[0] = known.name.clone();
    other[2] = id_number("11010519491231001");
    other[3] = known.birth_date.unwrap().to_string();
    other[5] = household.building_number.clone();
    other[6] = household.unit.clone();
    other[8] = household.room.clone();
    dup.push(other);
    let report = dry(&store, &f.grid, csv(HEADER, &dup).as_bytes()).unwrap();
    let problems: Vec<(u32, ImportField, CellProblem)> = report
        .rows
        .iter()
        .flat_map(|r| r.errors.iter())
        .map(|e| (e.row, e.field, e.problem.clone()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (
                5,
                ImportField::IdNumber,
                CellProblem::DuplicateInFile { first_row: 2 }
            ),
            (6, ImportField::IdNumber, CellProblem::DuplicateInRoster),
        ]
    );
}

#[test]
fn headers_are_mapped_by_their_variants_and_the_callers_overrides() {
    let (_dir, store, f) = one_worker("w1");
    let text = "住户姓名, 楼 号 ,门牌号,手机号码\n张三,9栋,101,13800138001\n";
    let refused = dry(&store, &f.grid, text.as_bytes()).unwrap_err();
    assert!(matches!(
        refused,
        ImportError::MissingColumn {
            field: ImportField::Name
        }
    ));
    assert!(refused.to_string().contains("姓名"));
    let mut options = RosterImportOptions::default();
    options
        .header_overrides
        .insert("住户姓名".into(), ImportField::Name);
    let report = store
        .import_roster_dry_run(&f.grid, text.as_bytes(), &options)
        .unwrap();
    assert_eq!(outcomes(&report), vec![(2, created(true, true))]);
    let full_width = "姓\u{3000}名,楼栋号,室\n张三,9栋,101\n";
    let report = dry(&store, &f.grid, full_width.as_bytes()).unwrap();
    assert_eq!(outcomes(&report), vec![(2, created(true, true))]);
}

#[test]
fn a_resident_found_by_id_number_moves_to_the_rows_household() {
    let (_dir, store, f) = one_worker("w1");
    let options = RosterImportOptions::default();
    let text = csv(HEADER, &rows());
    store
        .import_roster(&f.grid, text.as_bytes(), &options, false)
        .unwrap();
    let mut moved = rows();
    moved[2][8] = "1204".into();
    let text = csv(HEADER, &moved);
    let report = dry(&store, &f.grid, text.as_bytes()).unwrap();
    assert_eq!(
        outcomes(&report)[2],
        (
            4,
            RowOutcome::Update {
                fields: vec![ImportField::Room]
            }
        )
    );
    assert_eq!(report.households_created, 1);
    store
        .import_roster(&f.grid, text.as_bytes(), &options, false)
        .unwrap();
    let wang = store
        .grid_residents(&f.grid)
        .unwrap()
        .into_iter()
        .find(|r| r.name == "王五")
        .unwrap();
    let home = store.household(&wang.household_id).unwrap().household;
    assert_eq!((home.room.as_str(), home.floor), ("1204", 12));
}
