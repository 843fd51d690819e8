//! The [`Store`] calls of patrols (`gridbook`'s `kinds/patrol`): teams,
//! shifts and check-ins.

use gridbook::{Checkin, CheckinInput, Date, PatrolTeam, Shift, ShiftInput, TeamMember};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// Creates a patrol team in a grid; returns its id.
    pub async fn create_patrol_team(
        &self,
        grid_id: String,
        name: String,
        members: Vec<TeamMember>,
    ) -> Result<String> {
        self.call(move |s| s.create_patrol_team(&grid_id, &name, members))
            .await
    }

    /// Adds a member to a patrol team.
    pub async fn add_team_member(&self, team_id: String, member: TeamMember) -> Result<()> {
        self.call(move |s| s.add_team_member(&team_id, member))
            .await
    }

    /// The patrol teams of a grid.
    pub async fn patrol_teams(&self, grid_id: String) -> Result<Vec<PatrolTeam>> {
        self.call(move |s| s.patrol_teams(&grid_id)).await
    }

    /// Creates a patrol shift; returns its id.
    pub async fn create_shift(&self, input: ShiftInput) -> Result<String> {
        self.call(move |s| s.create_shift(input)).await
    }

    /// Signs a member up for a shift.
    pub async fn assign_to_shift(&self, shift_id: String, member_id: String) -> Result<()> {
        self.call(move |s| s.assign_to_shift(&shift_id, &member_id))
            .await
    }

    /// Takes a member off a shift.
    pub async fn unassign_from_shift(&self, shift_id: String, member_id: String) -> Result<()> {
        self.call(move |s| s.unassign_from_shift(&shift_id, &member_id))
            .await
    }

    /// Cancels a shift.
    pub async fn cancel_shift(&self, shift_id: String) -> Result<()> {
        self.call(move |s| s.cancel_shift(&shift_id)).await
    }

    /// A member's shifts on or after a date, soonest first; cancelled shifts left out.
    pub async fn upcoming_shifts(&self, member_id: String, from: Date) -> Result<Vec<Shift>> {
        self.call(move |s| s.upcoming_shifts(&member_id, from))
            .await
    }

    /// A grid's shifts on one day.
    pub async fn shifts_on(&self, grid_id: String, date: Date) -> Result<Vec<Shift>> {
        self.call(move |s| s.shifts_on(&grid_id, date)).await
    }

    /// Records a patrol check-in at a checkpoint of the shift's route; returns its id.
    pub async fn record_checkin(&self, input: CheckinInput) -> Result<String> {
        self.call(move |s| s.record_checkin(input)).await
    }

    /// The check-ins of a shift, in time order.
    pub async fn shift_checkins(&self, shift_id: String) -> Result<Vec<Checkin>> {
        self.call(move |s| s.shift_checkins(&shift_id)).await
    }
}
