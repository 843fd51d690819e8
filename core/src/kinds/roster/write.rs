//! The roster's record writes split in two, so that one edit can hold many
//! of them: `check_*` validates a whole input (the error names the first
//! bad field, never its value) and `write_*` puts a checked record into an
//! [`Edit`] in progress, writing only the fields that differ. The single
//! edits of `edit.rs` are one check and one write each; the roster import
//! checks every row first and then writes them all in one `Store::write`.
//! To add a field, check it in its `check_*` and write it in its `write_*`.

use std::collections::BTreeSet;

use automerge::ROOT;

use super::edit::{NAME_MAX, NOTES_MAX, check_tag_codes, record_map};
use super::{
    BuildingInput, HouseholdInput, HouseholdStatus, RELATION_HEAD, ResidentInput, ResidentStatus,
    is_care_category, is_relation_code,
};
use crate::code_list::CodeList;
use crate::crdt::{ensure_map, f, i, map_at, opt_s, s, set, set_field, set_keys};
use crate::docs::{DocId, ROSTER};
use crate::error::{Error, FieldCheck, Result};
use crate::store::Edit;
use crate::validate::{self, Date};
use crate::values::{check_point, optional_text};

/// A building input that passed its checks, ready for [`write_building`].
pub(crate) struct CheckedBuilding {
    number: String,
    estate: Option<String>,
    units: i32,
    floors: i32,
    location: Option<crate::values::GeoPoint>,
}

impl CheckedBuilding {
    /// The bytes of its text (number, estate), which a change writing it
    /// holds besides its fixed fields.
    pub(crate) fn text_bytes(&self) -> usize {
        self.number.len() + self.estate.as_ref().map_or(0, String::len)
    }
}

/// Checks a building input whole; the error names the first bad field.
pub(crate) fn check_building(input: &BuildingInput) -> Result<CheckedBuilding> {
    let number = validate::text(&input.number, 32).field("number")?;
    let estate = optional_text(input.estate.as_deref(), NAME_MAX, "estate")?;
    if !(1..=100).contains(&input.units) {
        return Err(Error::invalid("units", validate::InvalidReason::OutOfRange));
    }
    if !(1..=200).contains(&input.floors) {
        return Err(Error::invalid(
            "floors",
            validate::InvalidReason::OutOfRange,
        ));
    }
    let location = check_point(input.location, "location.lon", "location.lat")?;
    Ok(CheckedBuilding {
        number,
        estate,
        units: input.units,
        floors: input.floors,
        location,
    })
}

/// Writes a checked building into an edit in progress (fields that differ only).
pub(crate) fn write_building(
    edit: &mut Edit,
    grid_id: &str,
    id: &str,
    b: &CheckedBuilding,
) -> Result<()> {
    let doc_id = DocId::roster(grid_id);
    let (obj, fresh) = record_map(edit, &doc_id, grid_id, "buildings", id)?;
    let doc = edit.doc(&doc_id, &ROSTER, grid_id)?;
    set_field(doc, &obj, fresh, "number", s(&b.number))?;
    set_field(doc, &obj, fresh, "estate", opt_s(b.estate.as_deref()))?;
    set_field(doc, &obj, fresh, "units", i(i64::from(b.units)))?;
    set_field(doc, &obj, fresh, "floors", i(i64::from(b.floors)))?;
    set_field(doc, &obj, fresh, "lon", f(b.location.map(|p| p.lon)))?;
    set_field(doc, &obj, fresh, "lat", f(b.location.map(|p| p.lat)))?;
    ensure_map(doc, &obj, "heads")?;
    Ok(())
}

/// A household input that passed its checks, ready for [`write_household`].
/// The building's existence is the caller's to check.
pub(crate) struct CheckedHousehold {
    input: HouseholdInput,
    unit: String,
    room: String,
    tags: BTreeSet<String>,
    location: Option<crate::values::GeoPoint>,
    notes: Option<String>,
}

impl CheckedHousehold {
    /// The bytes of its text (unit, room, tags, notes), which a change
    /// writing it holds besides its fixed fields.
    pub(crate) fn text_bytes(&self) -> usize {
        self.unit.len()
            + self.room.len()
            + self.tags.iter().map(String::len).sum::<usize>()
            + self.notes.as_ref().map_or(0, String::len)
    }
}

/// Checks a household input whole; the error names the first bad field.
pub(crate) fn check_household(input: HouseholdInput) -> Result<CheckedHousehold> {
    let unit = validate::text(&input.unit, 16).field("unit")?;
    let room = validate::text(&input.room, 16).field("room")?;
    if !(-10..=200).contains(&input.floor) {
        return Err(Error::invalid("floor", validate::InvalidReason::OutOfRange));
    }
    let tags = check_tag_codes(&input.tags, "tags")?;
    let location = check_point(input.location, "location.lon", "location.lat")?;
    let notes = optional_text(input.notes.as_deref(), NOTES_MAX, "notes")?;
    Ok(CheckedHousehold {
        input,
        unit,
        room,
        tags,
        location,
        notes,
    })
}

/// Writes a checked household into an edit in progress (fields that differ only).
pub(crate) fn write_household(
    edit: &mut Edit,
    grid_id: &str,
    id: &str,
    h: &CheckedHousehold,
    is_new: bool,
) -> Result<()> {
    let doc_id = DocId::roster(grid_id);
    let (obj, fresh) = record_map(edit, &doc_id, grid_id, "households", id)?;
    let doc = edit.doc(&doc_id, &ROSTER, grid_id)?;
    set_field(doc, &obj, fresh, "building_id", s(&h.input.building_id))?;
    set_field(doc, &obj, fresh, "unit", s(&h.unit))?;
    set_field(doc, &obj, fresh, "floor", i(i64::from(h.input.floor)))?;
    set_field(doc, &obj, fresh, "room", s(&h.room))?;
    set_field(doc, &obj, fresh, "use_kind", s(h.input.use_kind.code()))?;
    if is_new {
        set_field(
            doc,
            &obj,
            fresh,
            "status",
            s(HouseholdStatus::Active.code()),
        )?;
    }
    let tag_map = ensure_map(doc, &obj, "tags")?;
    set_keys(doc, &tag_map, &h.tags)?;
    set_field(doc, &obj, fresh, "lon", f(h.location.map(|p| p.lon)))?;
    set_field(doc, &obj, fresh, "lat", f(h.location.map(|p| p.lat)))?;
    set_field(doc, &obj, fresh, "notes", opt_s(h.notes.as_deref()))?;
    Ok(())
}

/// A resident input that passed its checks, ready for [`write_resident`].
/// The household's existence is the caller's to check.
pub(crate) struct CheckedResident {
    input: ResidentInput,
    name: String,
    birth_date: Option<Date>,
    id_number: Option<String>,
    phones: Vec<String>,
    relation: String,
    care: BTreeSet<String>,
    moved_in: Option<Date>,
}

impl CheckedResident {
    /// The bytes of its text (name, ID number, phones, relation, care
    /// categories), which a change writing it holds besides its fixed fields.
    pub(crate) fn text_bytes(&self) -> usize {
        self.name.len()
            + self.id_number.as_ref().map_or(0, String::len)
            + self.phones.iter().map(String::len).sum::<usize>()
            + self.relation.len()
            + self.care.iter().map(String::len).sum::<usize>()
    }
}

/// Checks a resident input whole; the error names the first bad field.
pub(crate) fn check_resident(input: ResidentInput, today: Date) -> Result<CheckedResident> {
    let name = validate::text(&input.name, NAME_MAX).field("name")?;
    let birth_date = input
        .birth_date
        .map(|d| validate::birth_date(d, today))
        .transpose()
        .field("birth_date")?;
    let id_number = match input.id_number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(number) => Some(validate::id_number(number, today).field("id_number")?),
    };
    let phones = input
        .phones
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| validate::phone(p))
        .collect::<Result<Vec<_>, _>>()
        .field("phones")?;
    if phones.len() > 5 {
        return Err(Error::invalid(
            "phones",
            validate::InvalidReason::TooLong { max: 5 },
        ));
    }
    let relation = input.relation.trim().to_string();
    if !is_relation_code(&relation) {
        return Err(Error::invalid(
            "relation",
            validate::InvalidReason::UnknownCode,
        ));
    }
    let care = check_tag_codes(&input.care, "care")?;
    if !care.iter().all(|code| is_care_category(code)) {
        return Err(Error::invalid("care", validate::InvalidReason::UnknownCode));
    }
    let moved_in = input
        .moved_in
        .map(|d| {
            if d > today {
                Err(validate::InvalidReason::InFuture)
            } else {
                Ok(d)
            }
        })
        .transpose()
        .field("moved_in")?;
    Ok(CheckedResident {
        input,
        name,
        birth_date,
        id_number,
        phones,
        relation,
        care,
        moved_in,
    })
}

/// Writes a checked resident into an edit in progress (fields that differ
/// only). A new resident whose relation is "02" (户主) becomes the head of
/// a household that has none.
pub(crate) fn write_resident(
    edit: &mut Edit,
    grid_id: &str,
    id: &str,
    r: &CheckedResident,
    is_new: bool,
) -> Result<()> {
    let doc_id = DocId::roster(grid_id);
    let household_id = &r.input.household_id;
    let becomes_head = is_new && r.relation == RELATION_HEAD;
    let (obj, fresh) = record_map(edit, &doc_id, grid_id, "residents", id)?;
    let doc = edit.doc(&doc_id, &ROSTER, grid_id)?;
    set_field(doc, &obj, fresh, "household_id", s(household_id))?;
    set_field(doc, &obj, fresh, "name", s(&r.name))?;
    set_field(doc, &obj, fresh, "gender", s(r.input.gender.code()))?;
    let birth_date = r.birth_date.map(|d| d.to_string());
    set_field(doc, &obj, fresh, "birth_date", opt_s(birth_date.as_deref()))?;
    set_field(doc, &obj, fresh, "id_number", opt_s(r.id_number.as_deref()))?;
    let phones = Some(r.phones.join(",")).filter(|p| !p.is_empty());
    set_field(doc, &obj, fresh, "phones", opt_s(phones.as_deref()))?;
    set_field(doc, &obj, fresh, "relation", s(&r.relation))?;
    set_field(
        doc,
        &obj,
        fresh,
        "registration",
        s(r.input.registration.code()),
    )?;
    let state = r.input.residence_state.code();
    set_field(doc, &obj, fresh, "residence_state", s(state))?;
    let moved_in = r.moved_in.map(|d| d.to_string());
    set_field(doc, &obj, fresh, "moved_in", opt_s(moved_in.as_deref()))?;
    if is_new {
        set_field(doc, &obj, fresh, "status", s(ResidentStatus::Active.code()))?;
    }
    let care_map = ensure_map(doc, &obj, "care")?;
    set_keys(doc, &care_map, &r.care)?;
    if becomes_head {
        let households = ensure_map(doc, &ROOT, "households")?;
        if let Some(household) = map_at(doc, &households, household_id)
            && crate::crdt::scalar_str(doc, &household, "head_id").is_none()
        {
            set(doc, &household, "head_id", s(id))?;
            edit.touch(&doc_id, "households", household_id);
        }
    }
    Ok(())
}
