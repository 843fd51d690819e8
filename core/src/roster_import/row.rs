//! One row planned: its duplicates in the file and against the roster,
//! its building, household and resident matched or created, each record
//! checked once with the roster's `check_*`. A row that gains an error
//! plans nothing. To match on something new, add it here.

use std::collections::{BTreeMap, HashMap};

use super::cells::ParsedRow;
use super::header::{Columns, ImportField};
use super::plan::{NewBuilding, Roster, refuse};
use super::report::{CellProblem, RosterImportOptions, RowOutcome};
use super::resident::{desired_household, desired_resident, floor_of_room, household_changes};
use crate::docs::new_record_id;
use crate::error::Result;
use crate::kinds::roster::{CheckedHousehold, CheckedResident, check_household, check_resident};
use crate::validate::Date;

/// A resident as the file names them when it gives no ID number:
/// name, birth date, building, unit and room.
pub(super) type PersonKey = (String, Option<Date>, String, String, String);

/// What the rows planned so far hold.
pub(super) struct PlanState<'a> {
    pub(super) new_buildings: &'a mut BTreeMap<String, NewBuilding>,
    pub(super) households_done: &'a mut HashMap<(String, String, String), (String, bool)>,
    pub(super) households: &'a mut Vec<(String, CheckedHousehold, bool)>,
    pub(super) residents: &'a mut Vec<(String, CheckedResident, bool)>,
    pub(super) seen_id_numbers: &'a mut HashMap<String, u32>,
    pub(super) seen_people: &'a mut HashMap<PersonKey, u32>,
}

/// Plans one row; a row that gains an error plans nothing.
pub(super) fn plan_row(
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
    let (input, mut changed) =
        desired_resident(row, existing, &household_id, &dwelling, roster, options);
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
        entry.floors = entry
            .floors
            .max(row.floor.unwrap_or_else(|| floor_of_room(&room)));
    }
    if planned_household.is_none() {
        state
            .households_done
            .insert(dwelling, (household_id.clone(), new_household));
        if let Some(checked) = household {
            if let Some(h) = existing_household {
                changed.extend(household_changes(row, h));
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
