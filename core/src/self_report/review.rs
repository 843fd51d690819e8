//! A resident's report side by side with the grid's roster
//! ([`Store::review_self_report`]), and its acceptance as ordinary roster
//! edits by the worker who accepts it, in one transaction with the queue's
//! outcome (`apply_self_report`, which `Store::accept_self_report` of the
//! review queue calls).
//!
//! The household is matched by building, unit and room (by number: `3栋`,
//! `3号楼` and `3` are building 3), each member by ID number across the
//! grid. To match on more (a name, a birth date), add a [`MemberMatch`]
//! variant, decide it in `match_member`, and say in `apply_self_report`
//! what accepting it writes.

use super::{SelfReport, SelfReportMember};
use crate::docs::new_record_id;
use crate::error::{Error, Result};
use crate::kinds::RecordKind;
use crate::kinds::codes::{DwellingUse, Registration, ResidenceState};
use crate::kinds::roster::{
    CheckedResident, check_household, check_resident, same_address_part, write_household,
    write_resident,
};
use crate::kinds::{HouseholdInput, Resident, ResidentInput};
use crate::store::lookup::grid_of_active;
use crate::store::{Edit, Store};
use crate::validate::InvalidReason;

/// A report as the server keeps it for review.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReceivedSelfReport {
    /// The server's id of the report (a UUID).
    pub id: String,
    /// When the server received it (Unix seconds).
    pub received_at: i64,
    /// The report, checked again by the core when it was read.
    pub report: SelfReport,
}

/// How a report's address stands against the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum HouseholdMatch {
    /// No building of the grid has the report's building: the worker must
    /// enter the building first; the report cannot be accepted as it is.
    UnknownBuilding,
    /// The building exists, no household lives at that unit and room:
    /// accepting creates the household.
    New {
        /// The building.
        building_id: String,
    },
    /// A household of the grid lives at that address.
    Existing {
        /// The household.
        household_id: String,
    },
}

/// How one member of a report stands against the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MemberMatch {
    /// No resident of the grid has the ID number: accepting creates one.
    New,
    /// A resident of the household has the ID number and the phone given
    /// (or none was given): accepting writes nothing.
    Matches {
        /// The resident.
        resident_id: String,
    },
    /// A resident of the household has the ID number, not the phone given:
    /// accepting puts the new phone first among theirs.
    PhoneChanged {
        /// The resident.
        resident_id: String,
    },
    /// A resident of another household of the grid has the ID number: a
    /// move the worker checks in person; accepting leaves them as they are.
    ElsewhereInGrid {
        /// The resident.
        resident_id: String,
        /// The household they belong to now.
        household_id: String,
    },
}

/// A report beside the roster: its address and each member matched.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SelfReportReview {
    /// The report's id.
    pub id: String,
    /// The address against the roster.
    pub household: HouseholdMatch,
    /// Each member, in the report's order.
    pub members: Vec<MemberMatch>,
}

/// What accepting a report wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AcceptedSelfReport {
    /// The household, created or existing.
    pub household_id: String,
    /// Whether it was created.
    pub created_household: bool,
    /// The residents created, in the report's order.
    pub created_residents: Vec<String>,
    /// The residents whose phones were updated.
    pub updated_phones: Vec<String>,
    /// The positions in the report of the members left for the worker
    /// (found in another household).
    pub left_for_review: Vec<u32>,
}

impl Store {
    /// `report` beside the roster of `grid_id`: the household matched by
    /// building, unit and room, each member by ID number. Reads only.
    pub fn review_self_report(
        &self,
        grid_id: &str,
        report: &ReceivedSelfReport,
    ) -> Result<SelfReportReview> {
        let household = self.match_household(grid_id, &report.report)?;
        let residents = self.grid_residents(grid_id)?;
        let home = match &household {
            HouseholdMatch::Existing { household_id } => Some(household_id.as_str()),
            _ => None,
        };
        let members = report
            .report
            .members
            .iter()
            .map(|m| match_member(m, home, &residents))
            .collect();
        Ok(SelfReportReview {
            id: report.id.clone(),
            household,
            members,
        })
    }

    fn match_household(&self, grid_id: &str, report: &SelfReport) -> Result<HouseholdMatch> {
        let building = self
            .buildings(grid_id)?
            .into_iter()
            .find(|b| !b.retired && same_address_part(&report.building, &b.number));
        let Some(building) = building else {
            return Ok(HouseholdMatch::UnknownBuilding);
        };
        let existing = self.roster(grid_id)?.into_iter().find(|row| {
            let h = &row.household;
            h.building_id == building.id
                && same_address_part(&report.unit, &h.unit)
                && same_address_part(&report.room, &h.room)
        });
        Ok(match existing {
            Some(row) => HouseholdMatch::Existing {
                household_id: row.household.id,
            },
            None => HouseholdMatch::New {
                building_id: building.id,
            },
        })
    }

    /// Writes `report` into the roster of `grid_id` as this store's
    /// worker's own edits, checked as the roster's edits check them: the
    /// household created if new, each new member created (registration
    /// `local` and residence `consistent` until the worker says otherwise),
    /// a changed phone put first. Members found in another household are
    /// left as they are and listed. Every record is checked before anything
    /// is written, and the records and `outcome` (the review queue's row of
    /// the report, marked accepted) are one transaction: a refused member,
    /// a retired building or a crash leaves nothing of the report. Fails
    /// with `Error::Invalid` on the field `building` (`UnknownCode`) when
    /// no building of the grid matches. Accepting twice writes nothing the
    /// second time: every member then matches.
    pub(crate) fn apply_self_report(
        &self,
        grid_id: &str,
        report: &ReceivedSelfReport,
        outcome: impl FnOnce(&mut Edit) -> Result<()>,
    ) -> Result<AcceptedSelfReport> {
        let review = self.review_self_report(grid_id, report)?;
        let r = &report.report;
        let today = self.today();
        let (household_id, new_household) = match review.household {
            HouseholdMatch::UnknownBuilding => {
                return Err(Error::Invalid {
                    field: "building",
                    reason: InvalidReason::UnknownCode,
                });
            }
            HouseholdMatch::Existing { household_id } => (household_id, None),
            HouseholdMatch::New { building_id } => {
                let checked = check_household(HouseholdInput {
                    building_id: building_id.clone(),
                    unit: r.unit.clone(),
                    floor: r.floor,
                    room: r.room.clone(),
                    use_kind: DwellingUse::Other,
                    tags: vec![],
                    location: None,
                    notes: None,
                })?;
                (new_record_id(), Some((building_id, checked)))
            }
        };
        let mut accepted = AcceptedSelfReport {
            household_id: household_id.clone(),
            created_household: new_household.is_some(),
            created_residents: vec![],
            updated_phones: vec![],
            left_for_review: vec![],
        };
        // (id, checked record, whether new)
        let mut residents: Vec<(String, CheckedResident, bool)> = Vec::new();
        for (index, (member, matched)) in r.members.iter().zip(review.members).enumerate() {
            match matched {
                MemberMatch::New => {
                    let id = new_record_id();
                    let checked = check_resident(new_resident(&household_id, member), today)?;
                    residents.push((id.clone(), checked, true));
                    accepted.created_residents.push(id);
                }
                MemberMatch::PhoneChanged { resident_id } => {
                    let mut input = self.resident_unmasked(&resident_id)?.to_input();
                    if let Some(phone) = &member.phone {
                        input.phones.retain(|p| p != phone);
                        input.phones.insert(0, phone.clone());
                    }
                    residents.push((resident_id.clone(), check_resident(input, today)?, false));
                    accepted.updated_phones.push(resident_id);
                }
                MemberMatch::Matches { .. } => {}
                MemberMatch::ElsewhereInGrid { .. } => accepted
                    .left_for_review
                    .push(u32::try_from(index).unwrap_or(u32::MAX)),
            }
        }
        self.write(|edit| {
            if let Some((building_id, checked)) = &new_household {
                grid_of_active(edit.tx, RecordKind::Building, "buildings", building_id)?;
                write_household(edit, grid_id, &household_id, checked, true)?;
            }
            for (id, checked, is_new) in &residents {
                write_resident(edit, grid_id, id, checked, *is_new)?;
            }
            outcome(edit)
        })?;
        Ok(accepted)
    }
}

/// How `member` stands against the grid's residents, given the household
/// the report's address matched (if any).
fn match_member(
    member: &SelfReportMember,
    home: Option<&str>,
    residents: &[Resident],
) -> MemberMatch {
    let Some(found) = residents
        .iter()
        .find(|r| r.id_number.as_deref() == Some(member.id_number.as_str()))
    else {
        return MemberMatch::New;
    };
    let resident_id = found.id.clone();
    if home != Some(found.household_id.as_str()) {
        return MemberMatch::ElsewhereInGrid {
            resident_id,
            household_id: found.household_id.clone(),
        };
    }
    match &member.phone {
        Some(phone) if !found.phones.contains(phone) => MemberMatch::PhoneChanged { resident_id },
        _ => MemberMatch::Matches { resident_id },
    }
}

fn new_resident(household_id: &str, member: &SelfReportMember) -> ResidentInput {
    ResidentInput {
        household_id: household_id.to_owned(),
        name: member.name.clone(),
        gender: member.gender,
        birth_date: member.birth_date,
        id_number: Some(member.id_number.clone()),
        phones: member.phone.iter().cloned().collect(),
        relation: member.relation.clone(),
        registration: Registration::Local,
        residence_state: ResidenceState::Consistent,
        care: vec![],
        moved_in: None,
    }
}
