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
use super::write::{
    check_building, check_household, check_resident, write_building, write_household,
    write_resident,
};
use super::{
    BuildingInput, GridInput, HouseholdInput, HouseholdStatus, Resident, ResidentInput,
    ResidentStatus,
};
use crate::code_list::CodeList;
use crate::crdt::{b, ensure_map, map_at, opt_s, s, set};
use crate::docs::{DocId, ROSTER, new_record_id};
use crate::error::{Error, FieldCheck, Result};
use crate::kinds::RecordKind;
use crate::store::lookup::{self, grid_of};
use crate::store::{Edit, Store};
use crate::validate::{self, Date};
use crate::values::{check_point, optional_text};

pub(super) const NAME_MAX: usize = 64;
pub(super) const NOTES_MAX: usize = 2000;

pub(super) fn check_tag_codes(codes: &[String], field: &'static str) -> Result<BTreeSet<String>> {
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
    Ok(record_map(edit, doc_id, grid_id, collection, id)?.0)
}

/// [`record`], and whether its map was created now (a fresh map holds no
/// value to compare a write with, see `crdt::set_field`).
pub(super) fn record_map(
    edit: &mut Edit,
    doc_id: &DocId,
    grid_id: &str,
    collection: &str,
    id: &str,
) -> Result<(ObjId, bool)> {
    let doc = edit.doc(doc_id, &ROSTER, grid_id)?;
    let map = ensure_map(doc, &ROOT, collection)?;
    let (obj, fresh) = match map_at(doc, &map, id) {
        Some(obj) => (obj, false),
        None => (
            automerge::transaction::Transactable::put_object(
                doc,
                &map,
                id,
                automerge::ObjType::Map,
            )
            .map_err(|e| Error::document(doc_id.as_str(), e))?,
            true,
        ),
    };
    edit.touch(doc_id, collection, id);
    Ok((obj, fresh))
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
        let checked = check_building(&input)?;
        self.write(|edit| write_building(edit, grid_id, id, &checked))
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
        let checked = check_household(input)?;
        self.write(|edit| write_household(edit, &grid_id, id, &checked, is_new))
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
    /// An ID number or phone given masked, as `resident` shows it, keeps
    /// the stored value it masks, so a form filled from the masked record
    /// never overwrites the full values.
    pub fn update_resident(&self, resident_id: &str, input: ResidentInput) -> Result<()> {
        let stored = self.resident_unmasked(resident_id)?;
        self.put_resident(resident_id, keep_masked_values(input, &stored), false)
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
        let checked = check_resident(input, today)?;
        self.write(|edit| write_resident(edit, &grid_id, id, &checked, is_new))
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

/// The input with each masked ID number or phone replaced by the stored
/// value it masks. A masked value that masks nothing stored stays as given
/// and is refused by validation (a `*` is no digit).
fn keep_masked_values(mut input: ResidentInput, stored: &Resident) -> ResidentInput {
    if let (Some(given), Some(full)) = (&input.id_number, &stored.id_number)
        && given.contains('*')
        && *given == validate::mask_id_number(full)
    {
        input.id_number = Some(full.clone());
    }
    let mut unused: Vec<&String> = stored.phones.iter().collect();
    for phone in &mut input.phones {
        if !phone.contains('*') {
            continue;
        }
        if let Some(at) = unused
            .iter()
            .position(|full| validate::mask_phone(full) == *phone)
        {
            *phone = unused.remove(at).clone();
        }
    }
    input
}
