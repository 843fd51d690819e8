//! The records a row asks for: a household or a resident as the roster
//! holds it, with the row's non-empty cells laid over it, and the fields
//! that differ. To import a new field, lay it over here and compare it in
//! [`desired_resident`] or [`household_changes`].

use super::cells::ParsedRow;
use super::header::ImportField;
use super::plan::Roster;

/// A dwelling: building id, unit and room.
pub(super) type Dwelling = (String, String, String);
use super::report::RosterImportOptions;
use crate::kinds::roster::{
    Gender, Household, HouseholdInput, Registration, ResidenceState, Resident, ResidentInput,
};

/// The floor a room number implies: "502" is on floor 5, "1203" on 12; 1 otherwise.
pub(super) fn floor_of_room(room: &str) -> i32 {
    if room.len() >= 3 && room.chars().all(|c| c.is_ascii_digit()) {
        let floor = room[..room.len() - 2].parse().unwrap_or(1);
        if (1..=200).contains(&floor) {
            return floor;
        }
    }
    1
}

/// The household the row asks for: a new one, or the roster's with the
/// row's floor and notes; `None` when the roster's already is.
pub(super) fn desired_household(
    row: &ParsedRow,
    existing: Option<&Household>,
    building_id: &str,
    unit: &str,
    room: &str,
    options: &RosterImportOptions,
) -> Option<HouseholdInput> {
    let Some(h) = existing else {
        return Some(HouseholdInput {
            building_id: building_id.to_string(),
            unit: unit.to_string(),
            floor: row.floor.unwrap_or_else(|| floor_of_room(room)),
            room: room.to_string(),
            use_kind: options.default_use,
            tags: Vec::new(),
            location: None,
            notes: row.notes.clone(),
        });
    };
    let current = h.to_input();
    let mut input = current.clone();
    if let Some(floor) = row.floor {
        input.floor = floor;
    }
    if let Some(notes) = &row.notes {
        input.notes = Some(notes.clone());
    }
    (input != current).then_some(input)
}

/// The household fields the row changes.
pub(super) fn household_changes(row: &ParsedRow, h: &Household) -> Vec<ImportField> {
    let mut changed = Vec::new();
    if row.floor.is_some_and(|f| f != h.floor) {
        changed.push(ImportField::Floor);
    }
    if row.notes.is_some() && row.notes != h.notes {
        changed.push(ImportField::Notes);
    }
    changed
}

/// The resident the row asks for, with the fields that change from the
/// roster's (none for a new resident).
pub(super) fn desired_resident(
    row: &ParsedRow,
    existing: Option<&Resident>,
    household_id: &str,
    dwelling: &Dwelling,
    roster: &Roster,
    options: &RosterImportOptions,
) -> (ResidentInput, Vec<ImportField>) {
    let current = existing.map_or_else(
        || ResidentInput {
            household_id: household_id.to_string(),
            name: String::new(),
            gender: Gender::Unknown,
            birth_date: None,
            id_number: None,
            phones: Vec::new(),
            relation: options.default_relation.clone(),
            registration: Registration::Local,
            residence_state: ResidenceState::Consistent,
            care: Vec::new(),
            moved_in: None,
        },
        Resident::to_input,
    );
    let mut input = current.clone();
    input.household_id = household_id.to_string();
    if let Some(name) = &row.name {
        input.name = name.clone();
    }
    if let Some(gender) = row.gender {
        input.gender = gender;
    }
    if let Some(date) = row.birth_date {
        input.birth_date = Some(date);
    }
    if let Some(id) = &row.id_number {
        input.id_number = Some(id.clone());
    }
    if let Some(phones) = &row.phones {
        input.phones = phones.clone();
    }
    if let Some(relation) = &row.relation {
        input.relation = relation.clone();
    }
    if let Some(registration) = row.registration {
        input.registration = registration;
    }
    if let Some(state) = row.residence_state {
        input.residence_state = state;
    }
    if let Some(care) = &row.care {
        input.care = care.iter().cloned().collect();
    }
    if existing.is_none() {
        return (input, Vec::new());
    }
    let mut changed = Vec::new();
    let checks = [
        (input.name != current.name, ImportField::Name),
        (input.gender != current.gender, ImportField::Gender),
        (
            input.birth_date != current.birth_date,
            ImportField::BirthDate,
        ),
        (input.id_number != current.id_number, ImportField::IdNumber),
        (input.phones != current.phones, ImportField::Phone),
        (input.relation != current.relation, ImportField::Relation),
        (
            input.registration != current.registration,
            ImportField::Registration,
        ),
        (
            input.residence_state != current.residence_state,
            ImportField::ResidenceState,
        ),
        (input.care != current.care, ImportField::Care),
    ];
    changed.extend(checks.iter().filter(|(c, _)| *c).map(|(_, f)| *f));
    if input.household_id != current.household_id {
        changed.extend(moved_fields(roster, &current.household_id, dwelling));
    }
    (input, changed)
}

/// The address fields that differ between a resident's old household and
/// the row's dwelling (building id, unit, room).
fn moved_fields(roster: &Roster, old: &str, dwelling: &Dwelling) -> Vec<ImportField> {
    let Some(a) = roster.households_by_id.get(old) else {
        return vec![ImportField::Building, ImportField::Unit, ImportField::Room];
    };
    let (building_id, unit, room) = dwelling;
    let mut fields = Vec::new();
    if &a.building_id != building_id {
        fields.push(ImportField::Building);
    }
    if &a.unit != unit {
        fields.push(ImportField::Unit);
    }
    if &a.room != room {
        fields.push(ImportField::Room);
    }
    fields
}
