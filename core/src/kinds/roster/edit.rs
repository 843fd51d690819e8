//! Edits of the roster: grids, buildings, households and residents
//! (building-head appointments are in `heads.rs`).
//!
//! Each public method validates its whole input before it touches a
//! document, so a rejected call changes nothing. Updates take the full
//! desired state of a record and write only the fields that differ, so two
//! workers editing different fields of one record offline both keep their
//! edit. To add a field, write it here and project it in `project.rs`.

use std::collections::BTreeSet;

use automerge::{AutoCommit, ObjId, ROOT};

use super::query;
use super::{
    BuildingInput, GridInput, HouseholdInput, HouseholdStatus, RELATION_HEAD, ResidentInput,
    ResidentStatus, is_care_category, is_relation_code,
};
use crate::code_list::CodeList;
use crate::crdt::{b, ensure_map, f, i, map_at, opt_s, s, set, set_keys};
use crate::docs::{DocId, ROSTER, new_record_id};
use crate::error::{Error, FieldCheck, Result};
use crate::kinds::RecordKind;
use crate::store::lookup::{self, grid_of};
use crate::store::{Edit, Store};
use crate::validate::{self, Date};
use crate::values::{check_point, optional_text};

pub(super) const NAME_MAX: usize = 64;
const NOTES_MAX: usize = 2000;

fn check_tag_codes(codes: &[String], field: &'static str) -> Result<BTreeSet<String>> {
    codes
        .iter()
        .map(|code| {
            let code = validate::code(code, 32).field(field)?;
            if code.chars().any(|c| c.is_ascii_uppercase() || c == '-') {
                return Err(Error::invalid(
                    field,
                    validate::InvalidReason::BadCharacters,
                ));
            }
            Ok(code)
        })
        .collect()
}

pub(super) fn record(
    edit: &mut Edit,
    doc_id: &DocId,
    grid_id: &str,
    collection: &str,
    id: &str,
) -> Result<ObjId> {
    let doc = edit.doc(doc_id, &ROSTER, grid_id)?;
    let map = ensure_map(doc, &ROOT, collection)?;
    let obj = ensure_map(doc, &map, id)?;
    edit.touch(doc_id, collection, id);
    Ok(obj)
}

impl Store {
    /// Writes fields of one record of a grid's roster document in one edit:
    /// `write` gets the document and the record's map, created if new.
    fn write_roster_record(
        &self,
        grid_id: &str,
        collection: &str,
        id: &str,
        write: impl FnOnce(&mut AutoCommit, &ObjId) -> Result<()>,
    ) -> Result<()> {
        let doc_id = DocId::roster(grid_id);
        self.write(|edit| {
            let obj = record(edit, &doc_id, grid_id, collection, id)?;
            let doc = edit.doc(&doc_id, &ROSTER, grid_id)?;
            write(doc, &obj)
        })
    }

    /// Creates a grid and its roster document; returns the grid's id.
    pub fn create_grid(&self, input: GridInput) -> Result<String> {
        let id = new_record_id();
        self.put_grid(&id, input)?;
        Ok(id)
    }

    /// Updates a grid's code, name, community, street or boundary.
    pub fn update_grid(&self, grid_id: &str, input: GridInput) -> Result<()> {
        self.read(|conn| lookup::require(conn, RecordKind::Grid, "grids", grid_id))?;
        self.put_grid(grid_id, input)
    }

    fn put_grid(&self, grid_id: &str, input: GridInput) -> Result<()> {
        let code = validate::code(&input.code, 32).field("code")?;
        let name = validate::text(&input.name, NAME_MAX).field("name")?;
        let community = optional_text(input.community.as_deref(), NAME_MAX, "community")?;
        let street = optional_text(input.street.as_deref(), NAME_MAX, "street")?;
        let boundary = match input.boundary {
            None => None,
            Some(ring) => {
                let mut points = Vec::with_capacity(ring.len());
                for point in &ring {
                    let p = check_point(Some(*point), "boundary.lon", "boundary.lat")?;
                    if let Some(p) = p {
                        points.push([p.lon, p.lat]);
                    }
                }
                if !crate::spatial::is_simple_ring(&ring) {
                    return Err(Error::invalid(
                        "boundary",
                        validate::InvalidReason::NotSimpleRing,
                    ));
                }
                Some(serde_json::to_string(&points).map_err(|e| Error::document("boundary", e))?)
            }
        };
        let doc_id = DocId::roster(grid_id);
        self.write(|edit| {
            let doc = edit.doc(&doc_id, &ROSTER, grid_id)?;
            let grid = ensure_map(doc, &ROOT, "grid")?;
            set(doc, &grid, "code", s(&code))?;
            set(doc, &grid, "name", s(&name))?;
            set(doc, &grid, "community", opt_s(community.as_deref()))?;
            set(doc, &grid, "street", opt_s(street.as_deref()))?;
            set(doc, &grid, "boundary", opt_s(boundary.as_deref()))?;
            edit.touch(&doc_id, "grid", "");
            Ok(())
        })
    }

    /// Retires a grid (soft delete; its records stay).
    pub fn retire_grid(&self, grid_id: &str) -> Result<()> {
        self.read(|conn| lookup::require(conn, RecordKind::Grid, "grids", grid_id))?;
        let doc_id = DocId::roster(grid_id);
        self.write(|edit| {
            let doc = edit.doc(&doc_id, &ROSTER, grid_id)?;
            let grid = ensure_map(doc, &ROOT, "grid")?;
            set(doc, &grid, "retired", b(true))?;
            edit.touch(&doc_id, "grid", "");
            Ok(())
        })
    }

    /// Adds a building to a grid; returns its id.
    pub fn create_building(&self, grid_id: &str, input: BuildingInput) -> Result<String> {
        self.read(|conn| lookup::grid_of_active(conn, RecordKind::Grid, "grids", grid_id))?;
        let id = new_record_id();
        self.put_building(grid_id, &id, input)?;
        Ok(id)
    }

    /// Updates a building.
    pub fn update_building(&self, building_id: &str, input: BuildingInput) -> Result<()> {
        let grid_id =
            self.read(|conn| grid_of(conn, RecordKind::Building, "buildings", building_id))?;
        self.put_building(&grid_id, building_id, input)
    }

    fn put_building(&self, grid_id: &str, id: &str, input: BuildingInput) -> Result<()> {
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
        self.write_roster_record(grid_id, "buildings", id, |doc, obj| {
            set(doc, obj, "number", s(&number))?;
            set(doc, obj, "estate", opt_s(estate.as_deref()))?;
            set(doc, obj, "units", i(i64::from(input.units)))?;
            set(doc, obj, "floors", i(i64::from(input.floors)))?;
            set(doc, obj, "lon", f(location.map(|p| p.lon)))?;
            set(doc, obj, "lat", f(location.map(|p| p.lat)))?;
            ensure_map(doc, obj, "heads")?;
            Ok(())
        })
    }

    /// Retires a building (demolished, or handed to another grid).
    pub fn retire_building(&self, building_id: &str) -> Result<()> {
        let grid_id =
            self.read(|conn| grid_of(conn, RecordKind::Building, "buildings", building_id))?;
        self.write_roster_record(&grid_id, "buildings", building_id, |doc, obj| {
            set(doc, obj, "retired", b(true))
        })
    }

    /// Adds a household at a dwelling of a building; returns its id.
    pub fn create_household(&self, input: HouseholdInput) -> Result<String> {
        let id = new_record_id();
        self.put_household(&id, input, true)?;
        Ok(id)
    }

    /// Updates a household's dwelling, use, tags, location or notes.
    pub fn update_household(&self, household_id: &str, input: HouseholdInput) -> Result<()> {
        self.read(|conn| grid_of(conn, RecordKind::Household, "households", household_id))?;
        self.put_household(household_id, input, false)
    }

    fn put_household(&self, id: &str, input: HouseholdInput, is_new: bool) -> Result<()> {
        let grid_id = self.read(|conn| {
            lookup::grid_of_active(conn, RecordKind::Building, "buildings", &input.building_id)
        })?;
        let unit = validate::text(&input.unit, 16).field("unit")?;
        let room = validate::text(&input.room, 16).field("room")?;
        if !(-10..=200).contains(&input.floor) {
            return Err(Error::invalid("floor", validate::InvalidReason::OutOfRange));
        }
        let tags = check_tag_codes(&input.tags, "tags")?;
        let location = check_point(input.location, "location.lon", "location.lat")?;
        let notes = optional_text(input.notes.as_deref(), NOTES_MAX, "notes")?;
        self.write_roster_record(&grid_id, "households", id, |doc, obj| {
            set(doc, obj, "building_id", s(&input.building_id))?;
            set(doc, obj, "unit", s(&unit))?;
            set(doc, obj, "floor", i(i64::from(input.floor)))?;
            set(doc, obj, "room", s(&room))?;
            set(doc, obj, "use_kind", s(input.use_kind.code()))?;
            if is_new {
                set(doc, obj, "status", s(HouseholdStatus::Active.code()))?;
            }
            let tag_map = ensure_map(doc, obj, "tags")?;
            set_keys(doc, &tag_map, &tags)?;
            set(doc, obj, "lon", f(location.map(|p| p.lon)))?;
            set(doc, obj, "lat", f(location.map(|p| p.lat)))?;
            set(doc, obj, "notes", opt_s(notes.as_deref()))?;
            Ok(())
        })
    }

    /// Marks a household as moved out. Soft delete: its residents and visits
    /// stay, and a concurrent edit on another phone cannot bring it back.
    pub fn move_out_household(&self, household_id: &str) -> Result<()> {
        self.set_household_status(household_id, HouseholdStatus::MovedOut)
    }

    /// Marks a moved-out household as living here again.
    pub fn reactivate_household(&self, household_id: &str) -> Result<()> {
        self.set_household_status(household_id, HouseholdStatus::Active)
    }

    fn set_household_status(&self, household_id: &str, status: HouseholdStatus) -> Result<()> {
        let grid_id =
            self.read(|conn| grid_of(conn, RecordKind::Household, "households", household_id))?;
        self.write_roster_record(&grid_id, "households", household_id, |doc, obj| {
            set(doc, obj, "status", s(status.code()))
        })
    }

    /// Makes a resident of the household its head (户主).
    pub fn set_household_head(&self, household_id: &str, resident_id: &str) -> Result<()> {
        let grid_id =
            self.read(|conn| grid_of(conn, RecordKind::Household, "households", household_id))?;
        let member_of = self.read(|conn| query::resident_household(conn, resident_id))?;
        if member_of != household_id {
            return Err(Error::invalid(
                "head_id",
                validate::InvalidReason::UnknownCode,
            ));
        }
        self.write_roster_record(&grid_id, "households", household_id, |doc, obj| {
            set(doc, obj, "head_id", s(resident_id))
        })
    }

    /// Adds a resident to a household; returns their id. A resident whose
    /// relation is "02" (户主) becomes the household's head if it has none.
    pub fn create_resident(&self, input: ResidentInput) -> Result<String> {
        let id = new_record_id();
        self.put_resident(&id, input, true)?;
        Ok(id)
    }

    /// Updates a resident (name, ID number, phones, care categories, …).
    pub fn update_resident(&self, resident_id: &str, input: ResidentInput) -> Result<()> {
        self.read(|conn| grid_of(conn, RecordKind::Resident, "residents", resident_id))?;
        self.put_resident(resident_id, input, false)
    }

    fn put_resident(&self, id: &str, input: ResidentInput, is_new: bool) -> Result<()> {
        let today = self.today();
        let grid_id = self.read(|conn| {
            grid_of(
                conn,
                RecordKind::Household,
                "households",
                &input.household_id,
            )
        })?;
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
        let doc_id = DocId::roster(&grid_id);
        let household_id = input.household_id.clone();
        let becomes_head = is_new && relation == RELATION_HEAD;
        self.write(|edit| {
            let obj = record(edit, &doc_id, &grid_id, "residents", id)?;
            let doc = edit.doc(&doc_id, &ROSTER, &grid_id)?;
            set(doc, &obj, "household_id", s(&household_id))?;
            set(doc, &obj, "name", s(&name))?;
            set(doc, &obj, "gender", s(input.gender.code()))?;
            set(
                doc,
                &obj,
                "birth_date",
                opt_s(birth_date.map(|d| d.to_string()).as_deref()),
            )?;
            set(doc, &obj, "id_number", opt_s(id_number.as_deref()))?;
            set(
                doc,
                &obj,
                "phones",
                opt_s(Some(phones.join(",")).filter(|p| !p.is_empty()).as_deref()),
            )?;
            set(doc, &obj, "relation", s(&relation))?;
            set(doc, &obj, "registration", s(input.registration.code()))?;
            set(
                doc,
                &obj,
                "residence_state",
                s(input.residence_state.code()),
            )?;
            set(
                doc,
                &obj,
                "moved_in",
                opt_s(moved_in.map(|d| d.to_string()).as_deref()),
            )?;
            if is_new {
                set(doc, &obj, "status", s(ResidentStatus::Active.code()))?;
            }
            let care_map = ensure_map(doc, &obj, "care")?;
            set_keys(doc, &care_map, &care)?;
            if becomes_head {
                let households = ensure_map(doc, &ROOT, "households")?;
                if let Some(household) = map_at(doc, &households, &household_id)
                    && crate::crdt::scalar_str(doc, &household, "head_id").is_none()
                {
                    set(doc, &household, "head_id", s(id))?;
                    edit.touch(&doc_id, "households", &household_id);
                }
            }
            Ok(())
        })
    }

    /// Records that a resident moved out or died on a date. Soft delete: the
    /// record stays; a concurrent edit cannot bring the resident back.
    pub fn retire_resident(
        &self,
        resident_id: &str,
        status: ResidentStatus,
        on: Date,
    ) -> Result<()> {
        if status == ResidentStatus::Active {
            return Err(Error::invalid(
                "status",
                validate::InvalidReason::UnknownCode,
            ));
        }
        if on > self.today() {
            return Err(Error::invalid(
                "moved_out",
                validate::InvalidReason::InFuture,
            ));
        }
        let grid_id =
            self.read(|conn| grid_of(conn, RecordKind::Resident, "residents", resident_id))?;
        self.write_roster_record(&grid_id, "residents", resident_id, |doc, obj| {
            set(doc, obj, "status", s(status.code()))?;
            set(doc, obj, "moved_out", s(&on.to_string()))
        })
    }
}
