//! The [`Store`] calls of the roster (`gridbook`'s `kinds/roster`): grids,
//! buildings, the team's workers, households, residents, the roster list,
//! search and building heads.

use gridbook::codes::ResidentStatus;
use gridbook::{
    Building, BuildingInput, Date, Grid, GridInput, HeadAppointment, HeadPerson, HouseholdDetail,
    HouseholdInput, Resident, ResidentInput, RosterRow, SearchHit, Worker,
};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// The grids held in this store, retired ones included.
    pub async fn grids(&self) -> Result<Vec<Grid>> {
        self.call(|s| s.grids()).await
    }

    /// Creates a grid; returns its id.
    pub async fn create_grid(&self, input: GridInput) -> Result<String> {
        self.call(move |s| s.create_grid(input)).await
    }

    /// Replaces a grid's fields.
    pub async fn update_grid(&self, grid_id: String, input: GridInput) -> Result<()> {
        self.call(move |s| s.update_grid(&grid_id, input)).await
    }

    /// Retires a grid (soft delete).
    pub async fn retire_grid(&self, grid_id: String) -> Result<()> {
        self.call(move |s| s.retire_grid(&grid_id)).await
    }

    /// The buildings of a grid.
    pub async fn buildings(&self, grid_id: String) -> Result<Vec<Building>> {
        self.call(move |s| s.buildings(&grid_id)).await
    }

    /// Creates a building in a grid; returns its id.
    pub async fn create_building(&self, grid_id: String, input: BuildingInput) -> Result<String> {
        self.call(move |s| s.create_building(&grid_id, input)).await
    }

    /// Replaces a building's fields.
    pub async fn update_building(&self, building_id: String, input: BuildingInput) -> Result<()> {
        self.call(move |s| s.update_building(&building_id, input))
            .await
    }

    /// Retires a building (demolished or moved to another grid).
    pub async fn retire_building(&self, building_id: String) -> Result<()> {
        self.call(move |s| s.retire_building(&building_id)).await
    }

    /// The workers of a grid's team.
    pub async fn workers(&self, grid_id: String) -> Result<Vec<Worker>> {
        self.call(move |s| s.workers(&grid_id)).await
    }

    /// A grid's roster: its households with member counts and last visits, in address order.
    pub async fn roster(&self, grid_id: String) -> Result<Vec<RosterRow>> {
        self.call(move |s| s.roster(&grid_id)).await
    }

    /// Searches a grid's residents by name, phone or ID-number ending, and
    /// households by address; at most `limit` hits, with masked display lines.
    pub async fn search(
        &self,
        grid_id: String,
        query: String,
        limit: i32,
    ) -> Result<Vec<SearchHit>> {
        self.call(move |s| s.search(&grid_id, &query, limit)).await
    }

    /// A household with its members and visits, newest visit first.
    pub async fn household(&self, household_id: String) -> Result<HouseholdDetail> {
        self.call(move |s| s.household(&household_id)).await
    }

    /// Creates a household at a dwelling; returns its id.
    pub async fn create_household(&self, input: HouseholdInput) -> Result<String> {
        self.call(move |s| s.create_household(input)).await
    }

    /// Replaces a household's fields.
    pub async fn update_household(
        &self,
        household_id: String,
        input: HouseholdInput,
    ) -> Result<()> {
        self.call(move |s| s.update_household(&household_id, input))
            .await
    }

    /// Marks a household as moved out (soft delete: its history stays).
    pub async fn move_out_household(&self, household_id: String) -> Result<()> {
        self.call(move |s| s.move_out_household(&household_id))
            .await
    }

    /// Brings a moved-out household back.
    pub async fn reactivate_household(&self, household_id: String) -> Result<()> {
        self.call(move |s| s.reactivate_household(&household_id))
            .await
    }

    /// Makes one of the household's residents its head.
    pub async fn set_household_head(
        &self,
        household_id: String,
        resident_id: String,
    ) -> Result<()> {
        self.call(move |s| s.set_household_head(&household_id, &resident_id))
            .await
    }

    /// One resident, with the ID number and phones masked
    /// (`110105********002X`, `138****8000`). Passing it back to
    /// `updateResident` keeps the stored values of the masked fields; the
    /// full values are shown by `revealResident`, on the record.
    pub async fn resident(&self, resident_id: String) -> Result<Resident> {
        self.call(move |s| s.resident(&resident_id)).await
    }

    /// The active residents of a grid with a care category (a code from
    /// `careCategories()`), ID numbers and phones masked.
    pub async fn residents_by_care(
        &self,
        grid_id: String,
        category: String,
    ) -> Result<Vec<Resident>> {
        self.call(move |s| s.residents_by_care(&grid_id, &category))
            .await
    }

    /// Creates a resident in a household; returns its id.
    pub async fn create_resident(&self, input: ResidentInput) -> Result<String> {
        self.call(move |s| s.create_resident(input)).await
    }

    /// Replaces a resident's fields.
    pub async fn update_resident(&self, resident_id: String, input: ResidentInput) -> Result<()> {
        self.call(move |s| s.update_resident(&resident_id, input))
            .await
    }

    /// Records that a resident moved out or died on a date (not in the
    /// future); `status` must not be `Active`.
    pub async fn retire_resident(
        &self,
        resident_id: String,
        status: ResidentStatus,
        on: Date,
    ) -> Result<()> {
        self.call(move |s| s.retire_resident(&resident_id, status, on))
            .await
    }

    /// Appoints a building head (楼栋长) from a date, ending the
    /// current head's term the same day; returns the appointment's id.
    pub async fn appoint_building_head(
        &self,
        building_id: String,
        person: HeadPerson,
        starts_on: Date,
    ) -> Result<String> {
        self.call(move |s| s.appoint_building_head(&building_id, person, starts_on))
            .await
    }

    /// Ends a building head's term on a date; the building then has no head.
    pub async fn end_building_head(&self, appointment_id: String, ends_on: Date) -> Result<()> {
        self.call(move |s| s.end_building_head(&appointment_id, ends_on))
            .await
    }

    /// The current head of every building of a grid that has one.
    pub async fn current_building_heads(&self, grid_id: String) -> Result<Vec<HeadAppointment>> {
        self.call(move |s| s.current_building_heads(&grid_id)).await
    }

    /// Every appointment of a building, newest first.
    pub async fn building_head_history(&self, building_id: String) -> Result<Vec<HeadAppointment>> {
        self.call(move |s| s.building_head_history(&building_id))
            .await
    }

    /// The buildings of a grid that have no current head.
    pub async fn buildings_without_head(&self, grid_id: String) -> Result<Vec<Building>> {
        self.call(move |s| s.buildings_without_head(&grid_id)).await
    }
}
