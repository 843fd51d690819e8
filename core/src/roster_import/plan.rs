//! Rows matched against the roster and against each other, and the
//! checked records that importing them writes. Buildings are matched by
//! number (a missing one is created, with as many units and floors as
//! the file's rows need), households by building, unit and room, residents
//! by ID number, else by name, birth date and household. An empty cell
//! keeps what the roster holds. Every record is checked here with the
//! roster's own `check_*`, once; [`Planned::write`] only writes. To compare
//! a new field, add it to `resident.rs`'s overlay and comparison.

use std::collections::{BTreeMap, HashMap};

use super::cells::ParsedRow;
use super::header::{Columns, ImportField};
use super::read::Table;
use super::report::{CellProblem, RosterImportOptions, RosterImportReport, RowOutcome, RowReport};
use super::row::{PersonKey, PlanState, plan_row};
use crate::docs::DocId;
use crate::error::{Error, Result};
use crate::kinds::roster::{BuildingInput, Household, Resident};
use crate::kinds::roster::{
    CheckedBuilding, CheckedHousehold, CheckedResident, check_building, write_building,
    write_household, write_resident,
};
use crate::store::{Edit, Store};
use crate::sync::MAX_CHANGE_BYTES;
use crate::validate::Date;

/// The grid's roster as the import matches against it.
pub(super) struct Roster {
    pub(super) buildings: HashMap<String, String>,
    pub(super) households: HashMap<(String, String, String), Household>,
    pub(super) households_by_id: HashMap<String, Household>,
    pub(super) by_id_number: HashMap<String, Resident>,
    pub(super) by_person: HashMap<(String, Option<Date>, String), Resident>,
}

impl Roster {
    /// Reads the grid's buildings, households and residents.
    pub(super) fn load(store: &Store, grid_id: &str) -> Result<Roster> {
        let mut buildings = HashMap::new();
        for b in store.buildings(grid_id)? {
            if !b.retired || !buildings.contains_key(&b.number) {
                buildings.insert(b.number.clone(), b.id);
            }
        }
        let mut households = HashMap::new();
        let mut households_by_id = HashMap::new();
        for row in store.roster(grid_id)? {
            let h = row.household;
            let key = (h.building_id.clone(), h.unit.clone(), h.room.clone());
            households.insert(key, h.clone());
            households_by_id.insert(h.id.clone(), h);
        }
        let mut by_id_number = HashMap::new();
        let mut by_person = HashMap::new();
        for r in store.grid_residents(grid_id)? {
            if let Some(id) = &r.id_number {
                by_id_number.insert(id.clone(), r.clone());
            }
            by_person.insert((r.name.clone(), r.birth_date, r.household_id.clone()), r);
        }
        Ok(Roster {
            buildings,
            households,
            households_by_id,
            by_id_number,
            by_person,
        })
    }
}

/// A building the import creates: its id and the units and floors its rows need.
pub(super) struct NewBuilding {
    pub(super) id: String,
    pub(super) units: i32,
    pub(super) floors: i32,
}

/// The report and what importing the rows that are not in error writes.
pub(super) struct Planned {
    pub(super) report: RosterImportReport,
    buildings: Vec<(String, CheckedBuilding)>,
    households: Vec<(String, CheckedHousehold, bool)>,
    residents: Vec<(String, CheckedResident, bool)>,
}

impl Planned {
    /// Writes the planned records in one `Store::write`; returns whether
    /// anything was to be written.
    pub(super) fn write(&self, store: &Store, grid_id: &str) -> Result<bool> {
        if self.buildings.is_empty() && self.households.is_empty() && self.residents.is_empty() {
            return Ok(false);
        }
        let roster = DocId::roster(grid_id);
        store.write(|edit| {
            let mut parts = Parts::new();
            for (id, b) in &self.buildings {
                write_building(edit, grid_id, id, b)?;
                parts.record_written(edit, &roster, b.text_bytes())?;
            }
            for (id, h, is_new) in &self.households {
                write_household(edit, grid_id, id, h, *is_new)?;
                parts.record_written(edit, &roster, h.text_bytes())?;
            }
            for (id, r, is_new) in &self.residents {
                write_resident(edit, grid_id, id, r, *is_new)?;
                parts.record_written(edit, &roster, r.text_bytes())?;
            }
            Ok(())
        })?;
        Ok(true)
    }
}

/// The most bytes of records one change of an import holds, by their
/// weight (their text plus [`RECORD_BYTES`] each): a quarter of the largest
/// change the sync protocol carries, so the change, whose encoding adds
/// less than the weight counts, fits with room to spare.
const PART_BYTES: usize = MAX_CHANGE_BYTES / 4;
/// What a record's change holds besides its text: its map, its fields'
/// keys, operation ids and fixed values (an upper bound; a resident
/// writes about 14 fields).
const RECORD_BYTES: usize = 256;

/// Splits an import's write into changes of the roster document that each
/// hold at most [`PART_BYTES`] of records, all in the one SQLite
/// transaction. A roster of a few hundred rows is one change.
struct Parts {
    weight: usize,
}

impl Parts {
    fn new() -> Parts {
        Parts { weight: 0 }
    }

    /// Counts a record of `text_bytes` written; once the part is full,
    /// commits it as a change of its own.
    fn record_written(
        &mut self,
        edit: &mut Edit<'_>,
        roster: &DocId,
        text_bytes: usize,
    ) -> Result<()> {
        self.weight += text_bytes + RECORD_BYTES;
        if self.weight >= PART_BYTES {
            edit.commit_part(roster)?;
            self.weight = 0;
        }
        Ok(())
    }
}

/// Where a checked record's refusal lands: the field of the import it came from.
fn field_of(api_field: &str) -> ImportField {
    match api_field {
        "birth_date" => ImportField::BirthDate,
        "id_number" => ImportField::IdNumber,
        "phones" => ImportField::Phone,
        "relation" => ImportField::Relation,
        "care" => ImportField::Care,
        "unit" => ImportField::Unit,
        "room" => ImportField::Room,
        "floor" => ImportField::Floor,
        "notes" => ImportField::Notes,
        "number" => ImportField::Building,
        _ => ImportField::Name,
    }
}

/// Turns a refusal of a `check_*` into a cell error of the row.
pub(super) fn refuse(row: &mut ParsedRow, columns: &Columns, error: Error) -> Result<()> {
    let Error::Invalid { field, reason } = error else {
        return Err(error);
    };
    let field = field_of(field);
    let header = columns
        .fields
        .get(&field)
        .map_or(field.header(), |(_, h)| h.as_str())
        .to_string();
    row.error(field, &header, CellProblem::Invalid { reason });
    Ok(())
}

/// Plans the import of every row of the table after the header.
pub(super) fn plan(
    table: &Table,
    columns: &Columns,
    roster: &Roster,
    options: &RosterImportOptions,
    today: Date,
) -> Result<Planned> {
    let mut report = RosterImportReport::default();
    let mut new_buildings: BTreeMap<String, NewBuilding> = BTreeMap::new();
    let mut households_done: HashMap<(String, String, String), (String, bool)> = HashMap::new();
    let mut households = Vec::new();
    let mut residents = Vec::new();
    let mut seen_id_numbers: HashMap<String, u32> = HashMap::new();
    let mut seen_people: HashMap<PersonKey, u32> = HashMap::new();
    for (number, cells) in &table.rows {
        if *number <= columns.header_row {
            continue;
        }
        let mut row = ParsedRow::parse(*number, cells, columns, today);
        let outcome = plan_row(
            &mut row,
            columns,
            roster,
            options,
            today,
            &mut PlanState {
                new_buildings: &mut new_buildings,
                households_done: &mut households_done,
                households: &mut households,
                residents: &mut residents,
                seen_id_numbers: &mut seen_id_numbers,
                seen_people: &mut seen_people,
            },
        )?;
        let outcome = if row.errors.is_empty() {
            outcome
        } else {
            RowOutcome::Error
        };
        match &outcome {
            RowOutcome::Create { .. } => report.residents_created += 1,
            RowOutcome::Update { .. } => report.rows_updated += 1,
            RowOutcome::Unchanged => report.rows_unchanged += 1,
            RowOutcome::Error => report.rows_in_error += 1,
        }
        report.rows.push(RowReport {
            row: *number,
            outcome,
            errors: row.errors,
        });
    }
    let mut buildings = Vec::new();
    for (number, b) in new_buildings {
        let input = BuildingInput {
            number,
            estate: None,
            units: b.units.clamp(1, 100),
            floors: b.floors.clamp(1, 200),
            location: None,
        };
        buildings.push((b.id, check_building(&input)?));
    }
    report.buildings_created = u32::try_from(buildings.len()).unwrap_or(u32::MAX);
    report.households_created =
        u32::try_from(households.iter().filter(|(_, _, new)| *new).count()).unwrap_or(u32::MAX);
    Ok(Planned {
        report,
        buildings,
        households,
        residents,
    })
}
