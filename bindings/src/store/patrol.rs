//! The [`Store`] calls of patrols (`gridbook`'s `kinds/patrol`): teams,
//! shifts and check-ins. Dates given as arguments are `YYYY-MM-DD` text,
//! parsed here so that a malformed one names its argument.

use gridbook::ffi::parse_date;
use gridbook::{Checkin, CheckinInput, PatrolTeam, Shift, ShiftInput, TeamMember};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// Creates a patrol team in a grid; returns its id.
    pub fn create_patrol_team(
        &self,
        grid_id: String,
        name: String,
        members: Vec<TeamMember>,
    ) -> Result<String> {
        Ok(self.inner.create_patrol_team(&grid_id, &name, members)?)
    }

    /// Adds a member to a patrol team.
    pub fn add_team_member(&self, team_id: String, member: TeamMember) -> Result<()> {
        Ok(self.inner.add_team_member(&team_id, member)?)
    }

    /// The patrol teams of a grid.
    pub fn patrol_teams(&self, grid_id: String) -> Result<Vec<PatrolTeam>> {
        Ok(self.inner.patrol_teams(&grid_id)?)
    }

    /// Creates a patrol shift; returns its id.
    pub fn create_shift(&self, input: ShiftInput) -> Result<String> {
        Ok(self.inner.create_shift(input)?)
    }

    /// Signs a member up for a shift.
    pub fn assign_to_shift(&self, shift_id: String, member_id: String) -> Result<()> {
        Ok(self.inner.assign_to_shift(&shift_id, &member_id)?)
    }

    /// Takes a member off a shift.
    pub fn unassign_from_shift(&self, shift_id: String, member_id: String) -> Result<()> {
        Ok(self.inner.unassign_from_shift(&shift_id, &member_id)?)
    }

    /// Cancels a shift.
    pub fn cancel_shift(&self, shift_id: String) -> Result<()> {
        Ok(self.inner.cancel_shift(&shift_id)?)
    }

    /// A member's shifts on or after a date (`YYYY-MM-DD`), soonest first; cancelled shifts left out.
    pub fn upcoming_shifts(&self, member_id: String, from: String) -> Result<Vec<Shift>> {
        let from = parse_date("from", &from)?;
        Ok(self.inner.upcoming_shifts(&member_id, from)?)
    }

    /// A grid's shifts on one day (`YYYY-MM-DD`).
    pub fn shifts_on(&self, grid_id: String, date: String) -> Result<Vec<Shift>> {
        let date = parse_date("date", &date)?;
        Ok(self.inner.shifts_on(&grid_id, date)?)
    }

    /// Records a patrol check-in at a checkpoint of the shift's route; returns its id.
    pub fn record_checkin(&self, input: CheckinInput) -> Result<String> {
        Ok(self.inner.record_checkin(input)?)
    }

    /// The check-ins of a shift, in time order.
    pub fn shift_checkins(&self, shift_id: String) -> Result<Vec<Checkin>> {
        Ok(self.inner.shift_checkins(&shift_id)?)
    }
}
