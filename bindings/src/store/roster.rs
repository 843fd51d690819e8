//! The [`Store`] calls of the roster (`gridbook`'s `kinds/roster`): grids,
//! buildings, the team's workers, households, residents, the roster list,
//! search and building heads. Dates given as arguments are `YYYY-MM-DD`
//! text, parsed here so that a malformed one names its argument.

use gridbook::codes::ResidentStatus;
use gridbook::ffi::parse_date;
use gridbook::{
    Building, BuildingInput, Grid, GridInput, HeadAppointment, HeadPerson, HouseholdDetail,
    HouseholdInput, Resident, ResidentInput, RosterRow, SearchHit, Worker,
};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// The grids held in this store, retired ones included.
    pub fn grids(&self) -> Result<Vec<Grid>> {
        Ok(self.inner.grids()?)
    }

    /// Creates a grid; returns its id.
    pub fn create_grid(&self, input: GridInput) -> Result<String> {
        Ok(self.inner.create_grid(input)?)
    }

    /// Replaces a grid's fields.
    pub fn update_grid(&self, grid_id: String, input: GridInput) -> Result<()> {
        Ok(self.inner.update_grid(&grid_id, input)?)
    }

    /// Retires a grid (soft delete).
    pub fn retire_grid(&self, grid_id: String) -> Result<()> {
        Ok(self.inner.retire_grid(&grid_id)?)
    }

    /// The buildings of a grid.
    pub fn buildings(&self, grid_id: String) -> Result<Vec<Building>> {
        Ok(self.inner.buildings(&grid_id)?)
    }

    /// Creates a building in a grid; returns its id.
    pub fn create_building(&self, grid_id: String, input: BuildingInput) -> Result<String> {
        Ok(self.inner.create_building(&grid_id, input)?)
    }

    /// Replaces a building's fields.
    pub fn update_building(&self, building_id: String, input: BuildingInput) -> Result<()> {
        Ok(self.inner.update_building(&building_id, input)?)
    }

    /// Retires a building (demolished or moved to another grid).
    pub fn retire_building(&self, building_id: String) -> Result<()> {
        Ok(self.inner.retire_building(&building_id)?)
    }

    /// The workers of a grid's team.
    pub fn workers(&self, grid_id: String) -> Result<Vec<Worker>> {
        Ok(self.inner.workers(&grid_id)?)
    }

    /// A grid's roster: its households with member counts and last visits, in address order.
    pub fn roster(&self, grid_id: String) -> Result<Vec<RosterRow>> {
        Ok(self.inner.roster(&grid_id)?)
    }

    /// Searches a grid's residents by name, phone or ID-number ending, and
    /// households by address; at most `limit` hits, with masked display lines.
    pub fn search(&self, grid_id: String, query: String, limit: i32) -> Result<Vec<SearchHit>> {
        Ok(self.inner.search(&grid_id, &query, limit)?)
    }

    /// A household with its members and visits, newest visit first.
    pub fn household(&self, household_id: String) -> Result<HouseholdDetail> {
        Ok(self.inner.household(&household_id)?)
    }

    /// Creates a household at a dwelling; returns its id.
    pub fn create_household(&self, input: HouseholdInput) -> Result<String> {
        Ok(self.inner.create_household(input)?)
    }

    /// Replaces a household's fields.
    pub fn update_household(&self, household_id: String, input: HouseholdInput) -> Result<()> {
        Ok(self.inner.update_household(&household_id, input)?)
    }

    /// Marks a household as moved out (soft delete: its history stays).
    pub fn move_out_household(&self, household_id: String) -> Result<()> {
        Ok(self.inner.move_out_household(&household_id)?)
    }

    /// Brings a moved-out household back.
    pub fn reactivate_household(&self, household_id: String) -> Result<()> {
        Ok(self.inner.reactivate_household(&household_id)?)
    }

    /// Makes one of the household's residents its head.
    pub fn set_household_head(&self, household_id: String, resident_id: String) -> Result<()> {
        Ok(self.inner.set_household_head(&household_id, &resident_id)?)
    }

    /// One resident, unmasked: mask with `maskResident` before display.
    pub fn resident(&self, resident_id: String) -> Result<Resident> {
        Ok(self.inner.resident(&resident_id)?)
    }

    /// The active residents of a grid with a care category (a code from `careCategories()`).
    pub fn residents_by_care(&self, grid_id: String, category: String) -> Result<Vec<Resident>> {
        Ok(self.inner.residents_by_care(&grid_id, &category)?)
    }

    /// Creates a resident in a household; returns its id.
    pub fn create_resident(&self, input: ResidentInput) -> Result<String> {
        Ok(self.inner.create_resident(input)?)
    }

    /// Replaces a resident's fields.
    pub fn update_resident(&self, resident_id: String, input: ResidentInput) -> Result<()> {
        Ok(self.inner.update_resident(&resident_id, input)?)
    }

    /// Records that a resident moved out or died on a date (`YYYY-MM-DD`, not
    /// in the future); `status` must not be `Active`.
    pub fn retire_resident(
        &self,
        resident_id: String,
        status: ResidentStatus,
        on: String,
    ) -> Result<()> {
        let on = parse_date("moved_out", &on)?;
        Ok(self.inner.retire_resident(&resident_id, status, on)?)
    }

    /// Appoints a building head (楼栋长) from a date (`YYYY-MM-DD`), ending the
    /// current head's term the same day; returns the appointment's id.
    pub fn appoint_building_head(
        &self,
        building_id: String,
        person: HeadPerson,
        starts_on: String,
    ) -> Result<String> {
        let starts_on = parse_date("starts_on", &starts_on)?;
        Ok(self
            .inner
            .appoint_building_head(&building_id, person, starts_on)?)
    }

    /// Ends a building head's term on a date (`YYYY-MM-DD`); the building then has no head.
    pub fn end_building_head(&self, appointment_id: String, ends_on: String) -> Result<()> {
        let ends_on = parse_date("ends_on", &ends_on)?;
        Ok(self.inner.end_building_head(&appointment_id, ends_on)?)
    }

    /// The current head of every building of a grid that has one.
    pub fn current_building_heads(&self, grid_id: String) -> Result<Vec<HeadAppointment>> {
        Ok(self.inner.current_building_heads(&grid_id)?)
    }

    /// Every appointment of a building, newest first.
    pub fn building_head_history(&self, building_id: String) -> Result<Vec<HeadAppointment>> {
        Ok(self.inner.building_head_history(&building_id)?)
    }

    /// The buildings of a grid that have no current head.
    pub fn buildings_without_head(&self, grid_id: String) -> Result<Vec<Building>> {
        Ok(self.inner.buildings_without_head(&grid_id)?)
    }
}
