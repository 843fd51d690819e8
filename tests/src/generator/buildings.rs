//! Buildings ("1栋", "2栋", …) laid out on a small lattice inside the grid,
//! and their building heads (楼栋长), some of whom are later succeeded.
//!
//! To extend it: keep per-building state in [`BuildingState`] (the other
//! steps read it through `Gen::buildings`), and add new per-building records
//! in a `write_*` step called from `generate` after the households if they
//! refer to residents.

use gridbook::{BuildingInput, GeoPoint, HeadPerson};

use super::Gen;
use super::people::random_gender;

const ESTATES: &[&str] = &["幸福小区", "和睦家园", "金桂苑"];

/// A building as written: its id, where it stands and how many dwellings it has.
pub(super) struct BuildingState {
    pub(super) id: String,
    pub(super) location: GeoPoint,
    pub(super) units: i32,
    pub(super) floors: i32,
}

impl Gen<'_> {
    pub(super) fn write_buildings(&mut self) -> gridbook::Result<()> {
        let n = self.spec.buildings.max(1);
        for number in 1..=n {
            let index = number - 1;
            let estate_index = usize::try_from(index * 3 / n).unwrap_or(0);
            let estate = ESTATES.get(estate_index).copied().unwrap_or("幸福小区");
            let (row, col) = (f64::from(index / 8), f64::from(index % 8));
            let location = GeoPoint {
                lon: 120.1 - 0.003 + col * 0.0008,
                lat: 30.2 - 0.0018 + row * 0.0007,
            };
            let units = i32::try_from(self.rng.range(1, 4)).unwrap_or(2);
            let floors = i32::try_from(self.rng.range(6, 18)).unwrap_or(6);
            let id = self.store.create_building(
                &self.out.grid_id,
                BuildingInput {
                    number: format!("{number}栋"),
                    estate: Some(estate.into()),
                    units,
                    floors,
                    location: Some(location),
                },
            )?;
            self.out.counts.api_writes += 1;
            self.out.counts.buildings += 1;
            self.out.building_ids.push(id.clone());
            self.buildings.push(BuildingState {
                id,
                location,
                units,
                floors,
            });
        }
        Ok(())
    }

    fn head_person(&mut self, candidates: &[String]) -> HeadPerson {
        match self.rng.pick(candidates) {
            Some(resident) if self.rng.chance(0.75) => HeadPerson::Resident(resident.clone()),
            _ => {
                let gender = random_gender(&mut self.rng);
                HeadPerson::Volunteer(self.name(gender))
            }
        }
    }

    pub(super) fn write_building_heads(&mut self) -> gridbook::Result<()> {
        let days = self.end.days_since_epoch() - self.start.days_since_epoch();
        for b in 0..self.buildings.len() {
            if !self.rng.chance(0.85) {
                continue;
            }
            let candidates: Vec<String> = self
                .households
                .iter()
                .filter(|h| h.building == b)
                .flat_map(|h| h.adult_locals.iter().cloned())
                .collect();
            let building_id = self
                .buildings
                .get(b)
                .map(|s| s.id.clone())
                .unwrap_or_default();
            let first = self.head_person(&candidates);
            let starts_on = self.start.add_days(self.rng.range(0, 120.min(days)));
            self.store
                .appoint_building_head(&building_id, first, starts_on)?;
            self.out.counts.api_writes += 1;
            self.out.counts.building_heads += 1;
            if self.rng.chance(0.25) && days > 200 {
                let next = self.head_person(&candidates);
                let next_start = self.start.add_days(self.rng.range(200, days));
                self.store
                    .appoint_building_head(&building_id, next, next_start)?;
                self.out.counts.api_writes += 1;
                self.out.counts.building_heads += 1;
            }
        }
        Ok(())
    }
}
