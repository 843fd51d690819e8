//! Which household or resident an edit touches: the households of a
//! [`Target`], in roster order, and residents in a stable order (record
//! ids are random, so sorting by them would change the story between runs).

use gridbook::codes::ResidentStatus;
use gridbook::{Resident, RosterRow, Store};

use super::{Target, Worker};

impl Worker {
    /// The households a target covers, in roster order (active ones only).
    pub(super) fn households(
        store: &Store,
        grid: &str,
        target: Target,
    ) -> gridbook::Result<Vec<RosterRow>> {
        let buildings = store.buildings(grid)?;
        let rows: Vec<RosterRow> = store
            .roster(grid)?
            .into_iter()
            .filter(|r| r.household.status == gridbook::codes::HouseholdStatus::Active)
            .collect();
        let building_of = |k: usize| {
            buildings
                .get(k % buildings.len().max(1))
                .map(|b| b.id.clone())
        };
        Ok(match target {
            Target::All => rows,
            Target::Hot => {
                let hot = building_of(0);
                rows.into_iter()
                    .filter(|r| hot.as_deref() == Some(r.household.building_id.as_str()))
                    .collect()
            }
            Target::Focus => {
                let focus = [building_of(0), building_of(1)];
                rows.into_iter()
                    .filter(|r| {
                        focus
                            .iter()
                            .flatten()
                            .any(|b| *b == r.household.building_id)
                    })
                    .collect()
            }
            Target::Building(k) => {
                let own = building_of(k);
                rows.into_iter()
                    .filter(|r| own.as_deref() == Some(r.household.building_id.as_str()))
                    .collect()
            }
            Target::Half(h) => {
                let n = rows.len();
                rows.into_iter()
                    .enumerate()
                    .filter(|(i, _)| (i * 2 / n.max(1)) == h)
                    .map(|(_, r)| r)
                    .collect()
            }
            Target::Rented => rows
                .into_iter()
                .filter(|r| r.household.use_kind == gridbook::codes::DwellingUse::Rented)
                .collect(),
        })
    }

    pub(super) fn pick_household(
        &mut self,
        store: &Store,
        grid: &str,
        target: Target,
    ) -> gridbook::Result<Option<RosterRow>> {
        let mut rows = Self::households(store, grid, target)?;
        if rows.is_empty() {
            rows = Self::households(store, grid, Target::All)?;
        }
        let i = self.rng.index(rows.len());
        Ok(rows.into_iter().nth(i))
    }

    /// A household's active residents, in a stable order (ids are random).
    pub(super) fn residents(store: &Store, household_id: &str) -> gridbook::Result<Vec<Resident>> {
        let mut members: Vec<Resident> = store
            .household(household_id)?
            .members
            .into_iter()
            .filter(|m| m.status == ResidentStatus::Active)
            .collect();
        members.sort_by(|a, b| (&a.name, a.birth_date).cmp(&(&b.name, b.birth_date)));
        Ok(members)
    }

    pub(super) fn pick_resident(
        &mut self,
        store: &Store,
        grid: &str,
        focus: bool,
    ) -> gridbook::Result<Option<Resident>> {
        let target = if focus { Target::Hot } else { Target::All };
        let Some(row) = self.pick_household(store, grid, target)? else {
            return Ok(None);
        };
        let members = Self::residents(store, &row.household.id)?;
        let i = self.rng.index(members.len());
        Ok(members.into_iter().nth(i))
    }
}
