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
use super::resident::{desired_household, desired_resident};
use crate::docs::new_record_id;
use crate::error::{Error, Result};
use crate::kinds::roster::{BuildingInput, Household, Resident};
use crate::kinds::roster::{
    CheckedBuilding, CheckedHousehold, CheckedResident, check_building, check_household,
    check_resident, write_building, write_household, write_resident,
};
use crate::store::Store;
use crate::validate::Date;

/// The grid's roster as the import matches against it.
pub(super) struct Roster {
    buildings: HashMap<String, String>,
    pub(super) households: HashMap<(String, String, String), Household>,
    pub(super) households_by_id: HashMap<String, Household>,
    by_id_number: HashMap<String, Resident>,
    by_person: HashMap<(String, Option<Date>, String), Resident>,
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
struct NewBuilding {
    id: String,
    units: i32,
    floors: i32,
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
        store.write(|edit| {
            for (id, b) in &self.buildings {
                write_building(edit, grid_id, id, b)?;
            }
            for (id, h, is_new) in &self.households {
                write_household(edit, grid_id, id, h, *is_new)?;
            }
            for (id, r, is_new) in &self.residents {
                write_resident(edit, grid_id, id, r, *is_new)?;
            }
            Ok(())
        })?;
        Ok(true)
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
fn refuse(row: &mut ParsedRow, columns: &Columns, error: Error) -> Result<()> {
    let Error::Invalid { field, reason } = error else {
        return Err(error);
    };
    let field = field_of(field);
    let header = columns
        .fields
        .get(&field)
        .map_or(field.header(), |(_, h)| h.as_str())
        .to_string();
    row.error(field, &header, CellProblem::Invalid(reason));
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
    let mut seen_people: HashMap<(String, Option<Date>, String, String, String), u32> =
        HashMap::new();
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

/// What the rows planned so far hold.
struct PlanState<'a> {
    new_buildings: &'a mut BTreeMap<String, NewBuilding>,
    households_done: &'a mut HashMap<(String, String, String), (String, bool)>,
    households: &'a mut Vec<(String, CheckedHousehold, bool)>,
    residents: &'a mut Vec<(String, CheckedResident, bool)>,
    seen_id_numbers: &'a mut HashMap<String, u32>,
    seen_people: &'a mut HashMap<(String, Option<Date>, String, String, String), u32>,
}

/// Plans one row; a row that gains an error plans nothing.
fn plan_row(
    row: &mut ParsedRow,
    columns: &Columns,
    roster: &Roster,
    options: &RosterImportOptions,
    today: Date,
    state: &mut PlanState,
) -> Result<RowOutcome> {
    if !row.errors.is_empty() {
        return Ok(RowOutcome::Error);
    }
    let (Some(name), Some(building), Some(room)) =
        (row.name.clone(), row.building.clone(), row.room.clone())
    else {
        return Ok(RowOutcome::Error);
    };
    let unit = row.unit.clone().unwrap_or_else(|| "1".to_string());
    let header = |f: ImportField| {
        columns
            .fields
            .get(&f)
            .map_or(f.header(), |(_, h)| h.as_str())
            .to_string()
    };
    // Duplicates within the file.
    let person = (
        name.clone(),
        row.birth_date,
        building.clone(),
        unit.clone(),
        room.clone(),
    );
    if let Some(id) = row.id_number.clone() {
        if let Some(first_row) = state.seen_id_numbers.get(&id) {
            let problem = CellProblem::DuplicateInFile {
                first_row: *first_row,
            };
            row.error(
                ImportField::IdNumber,
                &header(ImportField::IdNumber),
                problem,
            );
            return Ok(RowOutcome::Error);
        }
    } else if let Some(first_row) = state.seen_people.get(&person) {
        let problem = CellProblem::DuplicateInFile {
            first_row: *first_row,
        };
        row.error(ImportField::Name, &header(ImportField::Name), problem);
        return Ok(RowOutcome::Error);
    }
    // The building and the household.
    let existing_building = roster.buildings.get(&building).cloned();
    let new_building = existing_building.is_none();
    let building_id = match &existing_building {
        Some(id) => id.clone(),
        None => state
            .new_buildings
            .get(&building)
            .map_or_else(new_record_id, |b| b.id.clone()),
    };
    let dwelling = (building_id.clone(), unit.clone(), room.clone());
    let existing_household = roster.households.get(&dwelling);
    let planned_household = state.households_done.get(&dwelling).cloned();
    let household_id = match (existing_household, &planned_household) {
        (Some(h), _) => h.id.clone(),
        (None, Some((id, _))) => id.clone(),
        (None, None) => new_record_id(),
    };
    let new_household = existing_household.is_none();
    let household = if planned_household.is_none() {
        let input = desired_household(row, existing_household, &building_id, &unit, &room, options);
        match input {
            Some(input) => match check_household(input) {
                Ok(checked) => Some(checked),
                Err(e) => return refuse(row, columns, e).map(|()| RowOutcome::Error),
            },
            None => None,
        }
    } else {
        None
    };
    // The resident.
    let by_id = row
        .id_number
        .as_ref()
        .and_then(|id| roster.by_id_number.get(id));
    let by_person = existing_household.and_then(|h| {
        roster
            .by_person
            .get(&(name.clone(), row.birth_date, h.id.clone()))
    });
    if let (None, Some(found), Some(id)) = (by_id, by_person, &row.id_number)
        && found.id_number.as_ref().is_some_and(|known| known != id)
    {
        let problem = CellProblem::DuplicateInRoster;
        row.error(
            ImportField::IdNumber,
            &header(ImportField::IdNumber),
            problem,
        );
        return Ok(RowOutcome::Error);
    }
    let existing = by_id.or(by_person);
    let (input, mut changed) = desired_resident(row, existing, &household_id, roster, options);
    let checked = match check_resident(input, today) {
        Ok(checked) => checked,
        Err(e) => return refuse(row, columns, e).map(|()| RowOutcome::Error),
    };
    // The row is good: plan it.
    if let Some(id) = row.id_number.clone() {
        state.seen_id_numbers.insert(id, row.row);
    }
    state.seen_people.entry(person).or_insert(row.row);
    if new_building {
        let entry = state
            .new_buildings
            .entry(building.clone())
            .or_insert(NewBuilding {
                id: building_id.clone(),
                units: 1,
                floors: 1,
            });
        entry.units = entry.units.max(unit.parse().unwrap_or(1));
        entry.floors = entry.floors.max(
            row.floor
                .unwrap_or_else(|| super::resident::floor_of_room(&room)),
        );
    }
    if planned_household.is_none() {
        state
            .households_done
            .insert(dwelling, (household_id.clone(), new_household));
        if let Some(checked) = household {
            if let Some(h) = existing_household {
                changed.extend(super::resident::household_changes(row, h));
            }
            state
                .households
                .push((household_id.clone(), checked, new_household));
        }
    }
    changed.sort();
    changed.dedup();
    Ok(match existing {
        None => {
            state.residents.push((new_record_id(), checked, true));
            RowOutcome::Create {
                new_building,
                new_household,
            }
        }
        Some(_) if changed.is_empty() => RowOutcome::Unchanged,
        Some(r) => {
            state.residents.push((r.id.clone(), checked, false));
            RowOutcome::Update { fields: changed }
        }
    })
}
