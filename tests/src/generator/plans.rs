//! Household plans: who lives in each kind of household (relation code,
//! gender, age, registration, care categories), decided before anything is
//! written.
//!
//! To extend it: add a [`HouseholdKind`] variant, give it a weight in
//! `Gen::write_households` and a branch in `Gen::plan_household`. Relation
//! codes are the GB/T 4761 ones the store expects ("02" head, "10" spouse, …).

use gridbook::codes::{Gender, Registration};

use super::Gen;
use super::people::random_gender;

/// Who lives in a household, before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HouseholdKind {
    ElderlyAlone,
    ElderlyCouple,
    Family,
    Grandparents,
    Renters,
}

/// One planned resident of a household.
pub(super) struct PersonPlan {
    pub(super) relation: &'static str,
    pub(super) gender: Gender,
    pub(super) age: i64,
    pub(super) registration: Registration,
    pub(super) care: Vec<String>,
}

impl Gen<'_> {
    pub(super) fn plan_household(&mut self, kind: HouseholdKind) -> Vec<PersonPlan> {
        let mut people = Vec::new();
        let person =
            |relation, gender, age, registration: Registration, care: &[&str]| PersonPlan {
                relation,
                gender,
                age,
                registration,
                care: care.iter().map(|c| (*c).to_string()).collect(),
            };
        let opposite = |g: Gender| {
            if g == Gender::Male {
                Gender::Female
            } else {
                Gender::Male
            }
        };
        match kind {
            HouseholdKind::ElderlyAlone => {
                let gender = if self.rng.chance(0.6) {
                    Gender::Female
                } else {
                    Gender::Male
                };
                let age = self.rng.range(70, 92);
                let mut care = vec!["elderly_alone"];
                if self.rng.chance(0.15) {
                    care.push("disabled_elderly");
                }
                people.push(person("02", gender, age, Registration::Local, &care));
            }
            HouseholdKind::ElderlyCouple => {
                let age = self.rng.range(62, 88);
                let spouse_age = (age + self.rng.range(-5, 1)).max(60);
                let care = ["empty_nest"];
                people.push(person("02", Gender::Male, age, Registration::Local, &care));
                people.push(person(
                    "10",
                    Gender::Female,
                    spouse_age,
                    Registration::Local,
                    &care,
                ));
            }
            HouseholdKind::Family => {
                let registration = self
                    .rng
                    .weighted(&[
                        (Registration::Local, 85),
                        (Registration::Migrant, 14),
                        (Registration::Foreign, 1),
                    ])
                    .unwrap_or(Registration::Local);
                let age = self.rng.range(28, 58);
                let gender = if self.rng.chance(0.75) {
                    Gender::Male
                } else {
                    Gender::Female
                };
                people.push(person("02", gender, age, registration, &[]));
                if self.rng.chance(0.88) {
                    let spouse_age = (age + self.rng.range(-4, 4)).max(22);
                    people.push(person(
                        "10",
                        opposite(gender),
                        spouse_age,
                        registration,
                        &[],
                    ));
                }
                let children = self
                    .rng
                    .weighted(&[(0, 8), (1, 42), (2, 38), (3, 12)])
                    .unwrap_or(1);
                let oldest = (age - 22).clamp(0, 30);
                for _ in 0..children {
                    let child_gender = random_gender(&mut self.rng);
                    let relation = if child_gender == Gender::Male {
                        "20"
                    } else {
                        "30"
                    };
                    let child_age = self.rng.range(0, oldest);
                    people.push(person(relation, child_gender, child_age, registration, &[]));
                }
                if self.rng.chance(0.25) {
                    let parent_gender = random_gender(&mut self.rng);
                    let relation = if parent_gender == Gender::Male {
                        "51"
                    } else {
                        "52"
                    };
                    let parent_age = (age + self.rng.range(24, 32)).min(96);
                    people.push(person(
                        relation,
                        parent_gender,
                        parent_age,
                        registration,
                        &[],
                    ));
                }
            }
            HouseholdKind::Grandparents => {
                let age = self.rng.range(56, 76);
                people.push(person("02", Gender::Male, age, Registration::Local, &[]));
                let spouse_age = (age + self.rng.range(-4, 2)).max(50);
                people.push(person(
                    "10",
                    Gender::Female,
                    spouse_age,
                    Registration::Local,
                    &[],
                ));
                let grandchildren = self.rng.range(1, 2);
                for _ in 0..grandchildren {
                    let g = random_gender(&mut self.rng);
                    let child_age = self.rng.range(4, 15);
                    people.push(person(
                        "40",
                        g,
                        child_age,
                        Registration::Local,
                        &["left_behind_child"],
                    ));
                }
            }
            HouseholdKind::Renters => {
                let size = self.rng.weighted(&[(1, 40), (2, 40), (3, 20)]).unwrap_or(1);
                let age = self.rng.range(20, 38);
                let gender = random_gender(&mut self.rng);
                people.push(person("02", gender, age, Registration::Migrant, &[]));
                for i in 1..size {
                    if i == 1 && self.rng.chance(0.5) {
                        let spouse_age = (age + self.rng.range(-3, 3)).max(20);
                        people.push(person(
                            "10",
                            opposite(gender),
                            spouse_age,
                            Registration::Migrant,
                            &[],
                        ));
                    } else {
                        let g = random_gender(&mut self.rng);
                        let other_age = self.rng.range(20, 40);
                        people.push(person("99", g, other_age, Registration::Migrant, &[]));
                    }
                }
            }
        }
        people
    }
}
