//! A seeded generator of a realistic grid (网格): buildings, households,
//! residents with valid ID numbers and phones, care categories, building
//! heads, patrol teams, years of visits and evening patrol shifts with
//! check-ins.
//!
//! Everything is written through the public [`Store`] API, one call per
//! edit, the way a worker's phone writes. For a given [`GridSpec`] (seed and
//! end date included) the sequence of API calls and their inputs is the same
//! on every run; record ids differ because the store draws them at random.
//!
//! This file holds the generator state (`Gen`), the entry point
//! [`generate`] (which fixes the order of the `write_*` steps), the grid
//! itself and the geometry helpers shared by the steps. The steps live in:
//!
//! - `spec`: the public [`GridSpec`], [`Counts`] and [`GeneratedGrid`];
//! - `people`: names, ID numbers, birth dates and phone numbers;
//! - `buildings`: buildings and their building heads;
//! - `plans`: who lives in each kind of household, before anything is written;
//! - `households`: households, residents and end-of-history departures;
//! - `patrols`: patrol teams and the shifts with their check-ins;
//! - `visits`: what a single visit records;
//! - `timeline`: visits and shifts interleaved in time order.
//!
//! To extend it: add a word list or a distribution next to the code that uses
//! it, draw from [`SplitMix64`] only (never from the clock or a hash map's
//! order), and count what you write in [`Counts`]. New kinds of records go
//! in their own `write_*` step of [`generate`], before the timeline if
//! visits or shifts refer to them. Every draw changes the data for a seed:
//! keep the order of the existing draws (and of the steps) when you move code.

use gridbook::codes::ResidentStatus;
use gridbook::{Date, GeoPoint, GpsFix, GridInput, Store};

use crate::rng::SplitMix64;
use buildings::BuildingState;
use households::HouseholdState;

mod buildings;
mod households;
mod patrols;
mod people;
mod plans;
mod spec;
mod timeline;
mod visits;

pub use people::{id_check_char, id_number, person_name};
pub use spec::{Counts, GeneratedGrid, GridSpec};
pub(crate) use visits::draw_findings;

/// China Standard Time, the offset every generated time is recorded in.
const OFFSET: i32 = 480;

struct Gen<'a> {
    store: &'a Store,
    rng: SplitMix64,
    spec: &'a GridSpec,
    start: Date,
    end: Date,
    out: GeneratedGrid,
    buildings: Vec<BuildingState>,
    households: Vec<HouseholdState>,
    /// Team index → member ids.
    team_members: Vec<Vec<String>>,
    /// Residents who move out or die at the end of the history.
    departures: Vec<(String, ResidentStatus)>,
    /// Volunteers drawn so far (for their ids).
    volunteers: u32,
    /// Households that move out at the end of the history.
    leaving_households: Vec<String>,
}

/// Fills `store` with a grid shaped by `spec`, one API call per edit, and
/// returns the ids and counts of what it wrote.
pub fn generate(store: &Store, spec: &GridSpec) -> gridbook::Result<GeneratedGrid> {
    let end = spec.end_date.unwrap_or_else(|| store.today().add_days(-1));
    let days = i64::from(spec.years.max(1)) * 365;
    let start = end.add_days(1 - days);
    let mut g = Gen {
        store,
        rng: SplitMix64::new(spec.seed),
        spec,
        start,
        end,
        out: GeneratedGrid {
            start_date: Some(start),
            end_date: Some(end),
            ..GeneratedGrid::default()
        },
        buildings: Vec::new(),
        households: Vec::new(),
        team_members: Vec::new(),
        departures: Vec::new(),
        volunteers: 0,
        leaving_households: Vec::new(),
    };
    g.write_grid()?;
    g.write_buildings()?;
    g.write_households()?;
    g.write_building_heads()?;
    g.write_teams()?;
    g.write_timeline()?;
    g.write_departures()?;
    Ok(g.out)
}

impl Gen<'_> {
    pub(super) fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        self.rng.pick(items).copied().unwrap_or("")
    }

    pub(super) fn point_near(&mut self, center: GeoPoint, spread_deg: f64) -> GeoPoint {
        GeoPoint {
            lon: center.lon + (self.rng.unit() - 0.5) * 2.0 * spread_deg,
            lat: center.lat + (self.rng.unit() - 0.5) * 2.0 * spread_deg,
        }
    }

    pub(super) fn fix_near(&mut self, center: GeoPoint) -> Option<GpsFix> {
        if self.rng.chance(0.08) {
            return None;
        }
        let point = self.point_near(center, 0.0002);
        let accuracy_m = 5.0 + self.rng.unit() * 30.0;
        Some(GpsFix { point, accuracy_m })
    }

    fn write_grid(&mut self) -> gridbook::Result<()> {
        let center = GeoPoint {
            lon: 120.1,
            lat: 30.2,
        };
        let boundary = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
            .iter()
            .map(|(dx, dy)| GeoPoint {
                lon: center.lon + dx * 0.004,
                lat: center.lat + dy * 0.003,
            })
            .collect();
        let sequence = self.rng.range(1, 99);
        self.out.grid_id = self.store.create_grid(GridInput {
            code: format!("330106007{sequence:03}001"),
            name: format!("幸福社区第{sequence}网格"),
            community: Some("幸福社区".into()),
            street: Some("西溪街道".into()),
            boundary: Some(boundary),
        })?;
        self.out.counts.api_writes += 1;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use gridbook::WorkerIdentity;
    use gridbook::codes::WorkerRole;

    fn store(dir: &std::path::Path) -> Store {
        Store::open(
            dir.join("grid.db"),
            WorkerIdentity {
                worker_id: "w-test".into(),
                name: "测试员".into(),
                role: WorkerRole::GridHead,
                device_label: "测试手机".into(),
            },
        )
        .unwrap()
    }

    #[test]
    fn small_grid_has_the_requested_shape_and_valid_data() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let spec = GridSpec::small();
        let grid = generate(&store, &spec).unwrap();
        let c = &grid.counts;
        assert_eq!(c.households, spec.households);
        assert_eq!(c.buildings, spec.buildings);
        assert_eq!(c.visits, spec.visits);
        assert_eq!(c.shifts, spec.shifts);
        assert_eq!(c.checkins, spec.shifts * spec.checkins_per_shift);
        assert!(c.residents >= spec.households, "{c:?}");
        assert_eq!(
            grid.resident_ids.len(),
            usize::try_from(c.residents).unwrap()
        );
        assert_eq!(
            store.roster(&grid.grid_id).unwrap().len(),
            grid.household_ids.len()
        );

        let dump = store.query_table_dump().unwrap();
        assert_eq!(dump["visits"].len(), usize::try_from(c.visits).unwrap());
        assert_eq!(dump["checkins"].len(), usize::try_from(c.checkins).unwrap());
        assert_eq!(
            dump["buildings"].len(),
            usize::try_from(c.buildings).unwrap()
        );

        let today = store.today();
        let mut with_id = 0;
        let reason = gridbook::RevealReason {
            purpose: gridbook::codes::RevealPurpose::VerifyIdentity,
            note: "核对生成的花名册".into(),
        };
        for id in &grid.resident_ids {
            let r = store.reveal_resident(id, reason.clone()).unwrap();
            if let Some(number) = &r.id_number {
                with_id += 1;
                assert!(gridbook::validate::id_number(number, today).is_ok());
                assert_eq!(
                    gridbook::validate::id_number_birth_date(number),
                    r.birth_date
                );
            }
            for phone in &r.phones {
                assert!(gridbook::validate::phone(phone).is_ok());
            }
        }
        assert!(
            with_id * 10 >= grid.resident_ids.len() * 8,
            "most residents have an ID number"
        );

        for shift_id in &grid.shift_ids {
            for checkin in store.shift_checkins(shift_id).unwrap() {
                let (_, hour, minute) = crate::timefmt::local_parts(checkin.at);
                let minutes = hour * 60 + minute;
                assert!((18 * 60 + 30..=20 * 60 + 30).contains(&minutes));
            }
        }
    }

    #[test]
    fn same_seed_writes_the_same_grid() {
        let end = Date::new(2024, 6, 30);
        let spec = GridSpec {
            end_date: end,
            ..GridSpec::small()
        };
        let strip = |store: &Store, grid: &GeneratedGrid| {
            // Ids are random UUIDs: compare what the roster shows instead.
            let mut rows: Vec<String> = store
                .roster(&grid.grid_id)
                .unwrap()
                .into_iter()
                .map(|r| {
                    format!(
                        "{} {} {} {} {:?} {:?}",
                        r.household.building_number,
                        r.household.unit,
                        r.household.room,
                        r.member_count,
                        r.household.status,
                        r.last_visit
                    )
                })
                .collect();
            let mut names: Vec<String> = grid
                .resident_ids
                .iter()
                .map(|id| {
                    let r = store.resident(id).unwrap();
                    format!("{} {:?} {:?}", r.name, r.id_number, r.phones)
                })
                .collect();
            rows.append(&mut names);
            rows
        };
        let a_dir = tempfile::tempdir().unwrap();
        let a = store(a_dir.path());
        let grid_a = generate(&a, &spec).unwrap();
        let b_dir = tempfile::tempdir().unwrap();
        let b = store(b_dir.path());
        let grid_b = generate(&b, &spec).unwrap();
        assert_eq!(grid_a.counts, grid_b.counts);
        assert_eq!(strip(&a, &grid_a), strip(&b, &grid_b));
    }
}
