//! The roster: households placed in the buildings' dwellings, their
//! residents (with ID numbers, phones and care categories), and the
//! departures (deaths, moves) written at the end of the history.
//!
//! To extend it: per-household facts the later steps need go in
//! [`HouseholdState`]; new resident fields are drawn in
//! `Gen::write_resident`, after the existing draws so that a seed's data
//! only changes where you meant it to.

use gridbook::codes::{DwellingUse, Gender, Registration, ResidenceState, ResidentStatus};
use gridbook::{HouseholdInput, ResidentInput};

use super::Gen;
use super::people::{LOCAL_AREAS, MIGRANT_AREAS, age_on, id_number};
use super::plans::{HouseholdKind, PersonPlan};

const HOUSEHOLD_TAGS: &[&str] = &["has_pet", "ev_owner", "needs_elevator", "gas_alarm"];

/// A household as written: its id, its building and who lives there.
pub(super) struct HouseholdState {
    pub(super) id: String,
    pub(super) building: usize,
    pub(super) residents: Vec<String>,
    pub(super) adult_locals: Vec<String>,
    pub(super) has_care: bool,
}

impl Gen<'_> {
    pub(super) fn write_households(&mut self) -> gridbook::Result<()> {
        // Every dwelling of every building: (unit, floor, door), shuffled.
        let mut slots: Vec<Vec<(i32, i32, i32)>> = Vec::new();
        for building in &self.buildings {
            let mut list = Vec::new();
            for unit in 1..=building.units {
                for floor in 1..=building.floors {
                    for door in 1..=2 {
                        list.push((unit, floor, door));
                    }
                }
            }
            slots.push(list);
        }
        for list in &mut slots {
            self.rng.shuffle(list);
        }
        let building_count = self.buildings.len();
        for k in 0..usize::try_from(self.spec.households).unwrap_or(0) {
            // Round-robin over buildings, skipping full ones.
            let Some((building, (unit, floor, door))) = (0..building_count)
                .map(|step| (k + step) % building_count)
                .find_map(|b| slots.get_mut(b).and_then(Vec::pop).map(|slot| (b, slot)))
            else {
                break;
            };
            let kind = self
                .rng
                .weighted(&[
                    (HouseholdKind::ElderlyAlone, 10),
                    (HouseholdKind::ElderlyCouple, 10),
                    (HouseholdKind::Family, 58),
                    (HouseholdKind::Grandparents, 7),
                    (HouseholdKind::Renters, 15),
                ])
                .unwrap_or(HouseholdKind::Family);
            let use_kind = if kind == HouseholdKind::Renters || self.rng.chance(0.05) {
                DwellingUse::Rented
            } else {
                DwellingUse::OwnerOccupied
            };
            let mut tags = Vec::new();
            if self.rng.chance(0.12) {
                tags.push(self.pick_str(HOUSEHOLD_TAGS).to_string());
            }
            let notes = (kind == HouseholdKind::ElderlyAlone && self.rng.chance(0.5))
                .then(|| "独居，需每周探访".to_string());
            let building_id = self
                .buildings
                .get(building)
                .map(|b| b.id.clone())
                .unwrap_or_default();
            let household_id = self.store.create_household(HouseholdInput {
                building_id,
                unit: unit.to_string(),
                floor,
                room: format!("{floor}{door:02}"),
                use_kind,
                tags,
                location: None,
                notes,
            })?;
            self.out.counts.api_writes += 1;
            self.out.counts.households += 1;
            self.out.household_ids.push(household_id.clone());
            if kind == HouseholdKind::Renters && self.rng.chance(0.08) {
                self.leaving_households.push(household_id.clone());
            }
            let hardship = kind != HouseholdKind::Renters && self.rng.chance(0.04);
            let mut state = HouseholdState {
                id: household_id,
                building,
                residents: Vec::new(),
                adult_locals: Vec::new(),
                has_care: false,
            };
            let plans = self.plan_household(kind);
            for (index, mut plan) in plans.into_iter().enumerate() {
                if hardship && index == 0 {
                    plan.care.push("hardship".into());
                }
                self.write_resident(&mut state, kind, plan)?;
            }
            self.households.push(state);
        }
        Ok(())
    }

    fn write_resident(
        &mut self,
        household: &mut HouseholdState,
        kind: HouseholdKind,
        mut plan: PersonPlan,
    ) -> gridbook::Result<()> {
        let birth = self.birth_for_age(plan.age);
        let age = age_on(birth, self.end);
        let male = plan.gender == Gender::Male;
        let id_number = match plan.registration {
            Registration::Foreign => None,
            _ if self.rng.chance(0.02) => None,
            registration => {
                let areas = if registration == Registration::Local {
                    LOCAL_AREAS
                } else {
                    MIGRANT_AREAS
                };
                let area = self.pick_str(areas);
                let sequence = u32::try_from(self.rng.below(500)).unwrap_or(0);
                Some(id_number(area, birth, male, sequence))
            }
        };
        let mut phones = Vec::new();
        if age >= 16 && self.rng.chance(0.92) {
            if age >= 70 && self.rng.chance(0.25) {
                phones.push(format!(
                    "0571-{}{:07}",
                    self.rng.range(2, 8),
                    self.rng.below(10_000_000)
                ));
            } else {
                phones.push(self.mobile());
            }
            if self.rng.chance(0.08) {
                phones.push(self.mobile());
            }
        }
        let residence_state = match plan.registration {
            Registration::Local if self.rng.chance(0.08) => ResidenceState::RegisteredNotPresent,
            Registration::Local => ResidenceState::Consistent,
            _ => ResidenceState::PresentNotRegistered,
        };
        if self.rng.chance(0.02) {
            plan.care.push("disabled".into());
        }
        if male && age >= 45 && self.rng.chance(0.04) {
            plan.care.push("veteran".into());
        }
        let days_alive = (self.end.days_since_epoch() - birth.days_since_epoch()).max(0);
        let max_stay = if kind == HouseholdKind::Renters {
            3 * 365
        } else {
            30 * 365
        };
        let moved_in = Some(
            self.end
                .add_days(-self.rng.range(0, days_alive.min(max_stay))),
        );
        let has_care = !plan.care.is_empty();
        let name = self.name(plan.gender);
        let id = self.store.create_resident(ResidentInput {
            household_id: household.id.clone(),
            name,
            gender: plan.gender,
            birth_date: Some(birth),
            id_number,
            phones,
            relation: plan.relation.to_string(),
            registration: plan.registration,
            residence_state,
            care: plan.care,
            moved_in,
        })?;
        self.out.counts.api_writes += 1;
        self.out.counts.residents += 1;
        if has_care {
            self.out.counts.care_residents += 1;
            household.has_care = true;
        }
        if plan.registration == Registration::Local && (30..=75).contains(&age) {
            household.adult_locals.push(id.clone());
        }
        if age >= 80 && self.rng.chance(0.04) {
            self.departures.push((id.clone(), ResidentStatus::Deceased));
        } else if matches!(plan.relation, "20" | "30")
            && (20..=32).contains(&age)
            && self.rng.chance(0.1)
        {
            self.departures.push((id.clone(), ResidentStatus::MovedOut));
        }
        household.residents.push(id.clone());
        self.out.resident_ids.push(id);
        Ok(())
    }

    pub(super) fn write_departures(&mut self) -> gridbook::Result<()> {
        let days = (self.end.days_since_epoch() - self.start.days_since_epoch()).clamp(0, 180);
        for (resident_id, status) in std::mem::take(&mut self.departures) {
            let on = self.end.add_days(-self.rng.range(0, days));
            self.store.retire_resident(&resident_id, status, on)?;
            self.out.counts.api_writes += 1;
            self.out.counts.retired_residents += 1;
        }
        for household_id in std::mem::take(&mut self.leaving_households) {
            self.store.move_out_household(&household_id)?;
            self.out.counts.api_writes += 1;
            self.out.counts.moved_out_households += 1;
        }
        Ok(())
    }
}
