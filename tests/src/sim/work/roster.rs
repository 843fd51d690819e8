//! Roster edits: phones, care categories, registration checks, household
//! notes, new residents, move-outs and building-head appointments.

use gridbook::{Date, HeadPerson, HouseholdInput, Resident, ResidentInput, Store};

use super::{Target, Worker};
use crate::generator::id_number;
use crate::sim::team::Role;

const NOTES: &[&str] = &[
    "老人独居，子女每周探望",
    "家中有高龄老人，需重点关注",
    "出租屋，租客已登记",
    "住户白天上班，晚上走访为宜",
    "已安装烟感报警器",
    "门牌号已更换",
];

impl Worker {
    pub(super) fn change_phone(
        &mut self,
        store: &Store,
        grid: &str,
        focus: bool,
    ) -> gridbook::Result<()> {
        let Some(r) = self.pick_resident(store, grid, focus)? else {
            return Ok(());
        };
        let phone = format!(
            "1{}{:09}",
            self.rng.pick(&[3, 5, 7, 8, 9]).copied().unwrap_or(3),
            self.rng.below(1_000_000_000)
        );
        let mut input = resident_input(&r);
        input.phones = vec![phone];
        store.update_resident(&r.id, input)?;
        self.tally.resident_updates += 1;
        Ok(())
    }

    pub(super) fn change_care(&mut self, store: &Store, grid: &str) -> gridbook::Result<()> {
        let Some(r) = self.pick_resident(store, grid, false)? else {
            return Ok(());
        };
        let mut input = resident_input(&r);
        let category = self
            .rng
            .pick(&["elderly_alone", "empty_nest", "left_behind_child"])
            .copied()
            .unwrap_or("empty_nest");
        if let Some(i) = input.care.iter().position(|c| c == category) {
            input.care.remove(i);
        } else {
            input.care.push(category.to_string());
        }
        store.update_resident(&r.id, input)?;
        self.tally.resident_updates += 1;
        Ok(())
    }

    pub(super) fn check_registration(&mut self, store: &Store, grid: &str) -> gridbook::Result<()> {
        let Some(row) = self.pick_household(store, grid, Target::Rented)? else {
            return Ok(());
        };
        let members = Self::residents(store, &row.household.id)?;
        let Some(r) = members.get(self.rng.index(members.len())) else {
            return Ok(());
        };
        let mut input = resident_input(r);
        input.residence_state = self
            .rng
            .pick(&[
                gridbook::codes::ResidenceState::Consistent,
                gridbook::codes::ResidenceState::PresentNotRegistered,
            ])
            .copied()
            .unwrap_or(gridbook::codes::ResidenceState::Consistent);
        input.registration = gridbook::codes::Registration::Migrant;
        store.update_resident(&r.id, input)?;
        self.tally.resident_updates += 1;
        Ok(())
    }

    pub(super) fn change_notes(
        &mut self,
        store: &Store,
        grid: &str,
        focus: bool,
    ) -> gridbook::Result<()> {
        let target = match (self.member.role, focus) {
            (Role::BuildingHead, _) => Target::Building(self.slot),
            (_, true) => Target::Hot,
            (_, false) => Target::All,
        };
        let Some(row) = self.pick_household(store, grid, target)? else {
            return Ok(());
        };
        let h = row.household;
        let note = self.rng.pick(NOTES).copied().unwrap_or("门牌号已更换");
        store.update_household(
            &h.id,
            HouseholdInput {
                building_id: h.building_id.clone(),
                unit: h.unit.clone(),
                floor: h.floor,
                room: h.room.clone(),
                use_kind: h.use_kind,
                tags: h.tags.clone(),
                location: h.location,
                notes: Some(note.to_string()),
            },
        )?;
        self.tally.household_updates += 1;
        Ok(())
    }

    pub(super) fn new_resident(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
    ) -> gridbook::Result<()> {
        let Some(row) = self.pick_household(store, grid, Target::All)? else {
            return Ok(());
        };
        let male = self.rng.chance(0.5);
        let birth = date.add_days(-self.rng.range(20, 400));
        let sequence = u32::try_from(self.rng.range(100, 999)).unwrap_or(100);
        let name = format!(
            "{}{}",
            self.rng
                .pick(&["张", "李", "王", "陈", "刘"])
                .copied()
                .unwrap_or("张"),
            self.rng
                .pick(&["子涵", "一诺", "梓轩", "欣怡", "浩宇"])
                .copied()
                .unwrap_or("一诺")
        );
        store.create_resident(ResidentInput {
            household_id: row.household.id,
            name,
            gender: if male {
                gridbook::codes::Gender::Male
            } else {
                gridbook::codes::Gender::Female
            },
            birth_date: Some(birth),
            id_number: Some(id_number("330106", birth, male, sequence)),
            phones: Vec::new(),
            relation: "20".into(),
            registration: gridbook::codes::Registration::Local,
            residence_state: gridbook::codes::ResidenceState::Consistent,
            care: Vec::new(),
            moved_in: Some(date),
        })?;
        self.tally.new_residents += 1;
        Ok(())
    }

    pub(super) fn move_out(&mut self, store: &Store, grid: &str) -> gridbook::Result<()> {
        if !self.rng.chance(0.3) {
            return self.change_notes(store, grid, false);
        }
        let Some(row) = self.pick_household(store, grid, Target::Half(1))? else {
            return Ok(());
        };
        store.move_out_household(&row.household.id)?;
        self.tally.moved_out += 1;
        Ok(())
    }

    pub(super) fn appoint(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
    ) -> gridbook::Result<()> {
        let without = store.buildings_without_head(grid)?;
        let Some(building) = without.get(self.rng.index(without.len())) else {
            return self.change_notes(store, grid, false);
        };
        let name = format!(
            "{}师傅",
            self.rng
                .pick(&["马", "黄", "郑", "何"])
                .copied()
                .unwrap_or("马")
        );
        store.appoint_building_head(&building.id, HeadPerson::Volunteer(name), date)?;
        self.tally.appointments += 1;
        Ok(())
    }
}

/// A resident's current values as an update input.
fn resident_input(r: &Resident) -> ResidentInput {
    ResidentInput {
        household_id: r.household_id.clone(),
        name: r.name.clone(),
        gender: r.gender,
        birth_date: r.birth_date,
        id_number: r.id_number.clone(),
        phones: r.phones.clone(),
        relation: r.relation.clone(),
        registration: r.registration,
        residence_state: r.residence_state,
        care: r.care.clone(),
        moved_in: r.moved_in,
    }
}
