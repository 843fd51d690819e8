//! The [`Store`] calls for visits, building heads, patrols, conflicts and
//! exchanging changes without a server. Blocking: call off the main thread.

use crate::error::Result;
use crate::records::{Building, parse_date};
use crate::records_logs::{
    ChangeSet, Checkin, CheckinInput, Conflict, HeadAppointment, HeadPerson, ImportReport,
    PatrolTeam, Shift, ShiftInput, TeamMember, Visit, VisitInput,
};
use crate::store::{Store, collect};

#[uniffi::export]
impl Store {
    /// Logs a visit (走访) to a household; returns its id.
    pub fn log_visit(&self, input: VisitInput) -> Result<String> {
        Ok(self.inner.log_visit(input.into())?)
    }

    /// Replaces a visit's fields (findings keep their ids when given).
    pub fn amend_visit(&self, visit_id: String, input: VisitInput) -> Result<()> {
        Ok(self.inner.amend_visit(&visit_id, input.into())?)
    }

    /// A worker's visits on local dates `from..=to` (`YYYY-MM-DD`).
    pub fn visits_by_worker(
        &self,
        worker_id: String,
        from: String,
        to: String,
    ) -> Result<Vec<Visit>> {
        let (from, to) = (parse_date("from", &from)?, parse_date("to", &to)?);
        Ok(collect(self.inner.visits_by_worker(&worker_id, from, to)?))
    }

    /// Appoints a building head (楼栋长) from a date (`YYYY-MM-DD`), ending the
    /// current head's term the same day; returns the appointment's id.
    pub fn appoint_building_head(
        &self,
        building_id: String,
        person: HeadPerson,
        starts_on: String,
    ) -> Result<String> {
        let starts_on = parse_date("starts_on", &starts_on)?;
        Ok(self
            .inner
            .appoint_building_head(&building_id, person.into(), starts_on)?)
    }

    /// Ends a building head's term on a date (`YYYY-MM-DD`); the building then has no head.
    pub fn end_building_head(&self, appointment_id: String, ends_on: String) -> Result<()> {
        let ends_on = parse_date("ends_on", &ends_on)?;
        Ok(self.inner.end_building_head(&appointment_id, ends_on)?)
    }

    /// The current head of every building of a grid that has one.
    pub fn current_building_heads(&self, grid_id: String) -> Result<Vec<HeadAppointment>> {
        Ok(collect(self.inner.current_building_heads(&grid_id)?))
    }

    /// Every appointment of a building, newest first.
    pub fn building_head_history(&self, building_id: String) -> Result<Vec<HeadAppointment>> {
        Ok(collect(self.inner.building_head_history(&building_id)?))
    }

    /// The buildings of a grid that have no current head.
    pub fn buildings_without_head(&self, grid_id: String) -> Result<Vec<Building>> {
        Ok(collect(self.inner.buildings_without_head(&grid_id)?))
    }

    /// Creates a patrol team in a grid; returns its id.
    pub fn create_patrol_team(
        &self,
        grid_id: String,
        name: String,
        members: Vec<TeamMember>,
    ) -> Result<String> {
        let members = collect(members);
        Ok(self.inner.create_patrol_team(&grid_id, &name, members)?)
    }

    /// Adds a member to a patrol team.
    pub fn add_team_member(&self, team_id: String, member: TeamMember) -> Result<()> {
        Ok(self.inner.add_team_member(&team_id, member.into())?)
    }

    /// The patrol teams of a grid.
    pub fn patrol_teams(&self, grid_id: String) -> Result<Vec<PatrolTeam>> {
        Ok(collect(self.inner.patrol_teams(&grid_id)?))
    }

    /// Creates a patrol shift; returns its id.
    pub fn create_shift(&self, input: ShiftInput) -> Result<String> {
        Ok(self.inner.create_shift(input.try_into()?)?)
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
        Ok(collect(self.inner.upcoming_shifts(&member_id, from)?))
    }

    /// A grid's shifts on one day (`YYYY-MM-DD`).
    pub fn shifts_on(&self, grid_id: String, date: String) -> Result<Vec<Shift>> {
        let date = parse_date("date", &date)?;
        Ok(collect(self.inner.shifts_on(&grid_id, date)?))
    }

    /// Records a patrol check-in at a checkpoint of the shift's route; returns its id.
    pub fn record_checkin(&self, input: CheckinInput) -> Result<String> {
        Ok(self.inner.record_checkin(input.into())?)
    }

    /// The check-ins of a shift, in time order.
    pub fn shift_checkins(&self, shift_id: String) -> Result<Vec<Checkin>> {
        Ok(collect(self.inner.shift_checkins(&shift_id)?))
    }

    /// The fields of a grid that several people changed at once, for review.
    /// Resolve one by editing the field; the conflict then disappears.
    pub fn conflicts(&self, grid_id: String) -> Result<Vec<Conflict>> {
        Ok(collect(self.inner.conflicts(&grid_id)?))
    }

    /// Every change stored after `cursor` (0 for everything), as bytes for
    /// `importChanges` on another phone (for example over a local transfer).
    pub fn export_since(&self, cursor: u64) -> Result<ChangeSet> {
        Ok(self.inner.export_since(cursor)?.into())
    }

    /// Merges a change set exported by another replica. Importing the same set twice is harmless.
    pub fn import_changes(&self, bytes: Vec<u8>) -> Result<ImportReport> {
        Ok(self.inner.import(&bytes)?.into())
    }
}
