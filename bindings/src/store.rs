//! The [`Store`] object: opens a core store and forwards the roster calls
//! (grids, buildings, households, residents, roster, search). Visits,
//! building heads, patrols, conflicts and change exchange are in
//! `store_logs`.
//!
//! Every call is blocking (SQLite on the calling thread): call it off the
//! main thread (Kotlin `Dispatchers.IO`, Swift `Task.detached`). A `Store`
//! may be shared between threads; calls are serialised inside the core.

use std::sync::Arc;

use gridbook::OpenOptions;

use crate::codes::ResidentStatus;
use crate::error::Result;
use crate::records::{
    Building, BuildingInput, Grid, GridInput, HouseholdDetail, HouseholdInput, Resident,
    ResidentInput, RosterRow, SearchHit, Worker, WorkerIdentity, parse_date,
};

/// A Gridbook store: one SQLite file on the phone holding a worker's grids.
/// Close it (Kotlin `close()`/`use`, Swift: drop the last reference) before
/// deleting or moving the file.
#[derive(uniffi::Object)]
pub struct Store {
    pub(crate) inner: gridbook::Store,
}

#[uniffi::export]
impl Store {
    /// Opens or creates the store at `path` for the worker using this device.
    ///
    /// `key` is the SQLCipher key of an encrypted file, or null for a plain
    /// file. Fails with `NotADatabase` for a wrong key, `WorkerMismatch` if
    /// the file belongs to another worker, `SchemaTooNew` if a newer app wrote
    /// it. Blocking: call off the main thread.
    #[uniffi::constructor]
    pub fn open(path: String, identity: WorkerIdentity, key: Option<String>) -> Result<Arc<Store>> {
        let options = OpenOptions {
            key,
            ..OpenOptions::default()
        };
        let inner = gridbook::Store::open_with(path, identity.into(), options)?;
        Ok(Arc::new(Store { inner }))
    }

    /// The worker and device this store was opened for (names normalised).
    pub fn identity(&self) -> WorkerIdentity {
        self.inner.identity().clone().into()
    }

    /// The worker as the sync server vouched for them in the last sync (id,
    /// name, role), or null before the first sync. From the next open the
    /// store writes this name and role instead of the ones it was opened with.
    pub fn vouched_identity(&self) -> Result<Option<Worker>> {
        Ok(self.inner.vouched_identity()?.map(Worker::from))
    }

    /// The grids held in this store, retired ones included.
    pub fn grids(&self) -> Result<Vec<Grid>> {
        Ok(collect(self.inner.grids()?))
    }

    /// Creates a grid; returns its id.
    pub fn create_grid(&self, input: GridInput) -> Result<String> {
        Ok(self.inner.create_grid(input.into())?)
    }

    /// Replaces a grid's fields.
    pub fn update_grid(&self, grid_id: String, input: GridInput) -> Result<()> {
        Ok(self.inner.update_grid(&grid_id, input.into())?)
    }

    /// Retires a grid (soft delete).
    pub fn retire_grid(&self, grid_id: String) -> Result<()> {
        Ok(self.inner.retire_grid(&grid_id)?)
    }

    /// The buildings of a grid.
    pub fn buildings(&self, grid_id: String) -> Result<Vec<Building>> {
        Ok(collect(self.inner.buildings(&grid_id)?))
    }

    /// Creates a building in a grid; returns its id.
    pub fn create_building(&self, grid_id: String, input: BuildingInput) -> Result<String> {
        Ok(self.inner.create_building(&grid_id, input.into())?)
    }

    /// Replaces a building's fields.
    pub fn update_building(&self, building_id: String, input: BuildingInput) -> Result<()> {
        Ok(self.inner.update_building(&building_id, input.into())?)
    }

    /// Retires a building (demolished or moved to another grid).
    pub fn retire_building(&self, building_id: String) -> Result<()> {
        Ok(self.inner.retire_building(&building_id)?)
    }

    /// The workers of a grid's team.
    pub fn workers(&self, grid_id: String) -> Result<Vec<Worker>> {
        Ok(collect(self.inner.workers(&grid_id)?))
    }

    /// A grid's roster: its households with member counts and last visits, in address order.
    pub fn roster(&self, grid_id: String) -> Result<Vec<RosterRow>> {
        Ok(collect(self.inner.roster(&grid_id)?))
    }

    /// Searches a grid's residents by name, phone or ID-number ending, and
    /// households by address; at most `limit` hits, with masked display lines.
    pub fn search(&self, grid_id: String, query: String, limit: u32) -> Result<Vec<SearchHit>> {
        Ok(collect(self.inner.search(&grid_id, &query, limit)?))
    }

    /// A household with its members and visits, newest visit first.
    pub fn household(&self, household_id: String) -> Result<HouseholdDetail> {
        Ok(self.inner.household(&household_id)?.into())
    }

    /// Creates a household at a dwelling; returns its id.
    pub fn create_household(&self, input: HouseholdInput) -> Result<String> {
        Ok(self.inner.create_household(input.into())?)
    }

    /// Replaces a household's fields.
    pub fn update_household(&self, household_id: String, input: HouseholdInput) -> Result<()> {
        Ok(self.inner.update_household(&household_id, input.into())?)
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
        Ok(self.inner.resident(&resident_id)?.into())
    }

    /// The active residents of a grid with a care category (a code from `careCategories()`).
    pub fn residents_by_care(&self, grid_id: String, category: String) -> Result<Vec<Resident>> {
        Ok(collect(self.inner.residents_by_care(&grid_id, &category)?))
    }

    /// Creates a resident in a household; returns its id.
    pub fn create_resident(&self, input: ResidentInput) -> Result<String> {
        Ok(self.inner.create_resident(input.try_into()?)?)
    }

    /// Replaces a resident's fields.
    pub fn update_resident(&self, resident_id: String, input: ResidentInput) -> Result<()> {
        Ok(self
            .inner
            .update_resident(&resident_id, input.try_into()?)?)
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
        Ok(self
            .inner
            .retire_resident(&resident_id, status.into(), on)?)
    }
}

/// Converts every item of a core result list.
pub(crate) fn collect<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(Into::into).collect()
}

/// The same resident with the ID number and phones masked
/// (`110105********002X`, `138****8000`), for display or export.
#[uniffi::export]
pub fn mask_resident(resident: Resident) -> Resident {
    use gridbook::validate::{mask_id_number, mask_phone};
    Resident {
        id_number: resident.id_number.as_deref().map(mask_id_number),
        phones: resident.phones.iter().map(|p| mask_phone(p)).collect(),
        ..resident
    }
}

/// A name masked for display (`王*`, `欧阳**`): the same rule as the names in
/// search hits and exports.
#[uniffi::export]
pub fn mask_name(name: String) -> String {
    gridbook::validate::mask_name(&name)
}
