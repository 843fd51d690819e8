//! What each role does in one edit, through the public `Store` API only,
//! reading the worker's own (possibly stale) store to decide: the grid head
//! keeps the roster (phones, care categories, notes, new residents,
//! move-outs), plans the week's patrol shifts and appoints building heads;
//! assistants knock on doors (visits with findings) and correct phones and
//! notes; the police officer checks registrations of rented dwellings;
//! building heads visit and annotate their own building; patrol volunteers
//! sign up for the evening's shift and check in along its route.
//!
//! Several roles visit the households of the first two buildings (whose
//! heads are the building-head workers) and correct phones and notes in the
//! first one, so workers who are offline at the same time change the same
//! records and the merge lists conflicts for review.
//!
//! An edit the store refuses (a household moved out meanwhile, a shift not
//! seen yet) is counted in [`Tally::refused`] and the simulation goes on;
//! any other error stops it. To add an edit: a counter in [`Tally`], a
//! weighted arm in the role's `*_edit` method, drawing only from the
//! worker's [`SplitMix64`].

//!
//! Files: this one (the worker, its tally, which edit each role picks),
//! `pick.rs` (which household or resident an edit touches), `visits.rs`,
//! `roster.rs` (household, resident and building-head edits) and
//! `patrol.rs` (shifts, sign-ups, check-ins, and the grid's preparation),
//! `events.rs` (grid events: reports, the grid's and the department's steps)
//! and `points.rs` (the grid head's awards, an assistant's exchanges).

use gridbook::codes::VisitKind;
use gridbook::{Date, Store};

use super::SimError;
use super::team::{Member, Role};
use crate::rng::SplitMix64;

mod events;
mod patrol;
mod pick;
mod points;
mod roster;
mod visits;

pub use events::{DEPARTMENT_ID, PHOTO_SIDE, photos_to_view};
pub use patrol::{plan_shifts, prepare_grid};

/// China Standard Time.
const OFFSET: i32 = 480;

/// What one worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Visits logged.
    pub visits: u64,
    /// Findings recorded with them.
    pub findings: u64,
    /// Household updates (notes, use).
    pub household_updates: u64,
    /// Resident updates (phones, care categories, registration).
    pub resident_updates: u64,
    /// Residents added.
    pub new_residents: u64,
    /// Households moved out.
    pub moved_out: u64,
    /// Building heads appointed.
    pub appointments: u64,
    /// Patrol shifts created.
    pub shifts_created: u64,
    /// Signing up for a shift.
    pub shift_signups: u64,
    /// Patrol check-ins.
    pub checkins: u64,
    /// Edits the store refused (stale view), skipped.
    pub refused: u64,
    /// Grid events reported.
    pub events_reported: u64,
    /// Steps taken on events.
    pub event_steps: u64,
    /// Event steps the store refused: the event had moved on (a concurrent
    /// step synced in meanwhile) or was not the worker's to move.
    pub event_refused: u64,
    /// Photos attached to reports and steps.
    pub photos_attached: u64,
    /// Reports the grid cancelled (注销) as repeating an open event.
    pub events_cancelled: u64,
    /// Dispatched events the department returned (退办).
    pub events_returned: u64,
    /// Returned events the grid dispatched again.
    pub events_redispatched: u64,
    /// Photos the department downloaded to view its events.
    pub photos_downloaded: u64,
    /// Volunteer points awarded by the grid head.
    pub points_awarded: u64,
    /// Volunteer points exchanges recorded.
    pub points_exchanged: u64,
}

impl Tally {
    /// Every edit that was stored.
    pub fn edits(&self) -> u64 {
        self.visits
            + self.household_updates
            + self.resident_updates
            + self.new_residents
            + self.moved_out
            + self.appointments
            + self.shifts_created
            + self.shift_signups
            + self.checkins
            + self.events_reported
            + self.event_steps
            + self.points_awarded
            + self.points_exchanged
    }
}

/// A worker playing their role: their own random stream and tally.
#[derive(Debug, Clone)]
pub struct Worker {
    /// Who.
    pub member: Member,
    /// Their rank among the team's members of the same role (0 for the first).
    pub slot: usize,
    /// What they did so far.
    pub tally: Tally,
    /// The ids of the events they reported.
    pub reported_events: Vec<String>,
    rng: SplitMix64,
}

/// Whether the store refused an edit because the worker's view was stale
/// or the record retired, or refused an event's step at its current state.
fn is_refusal(e: &gridbook::Error) -> bool {
    matches!(
        e,
        gridbook::Error::Invalid { .. }
            | gridbook::Error::NotFound { .. }
            | gridbook::Error::Retired { .. }
            | gridbook::Error::StepNotAllowed { .. }
            | gridbook::Error::RoleMayNot { .. }
            | gridbook::Error::StepRefused { .. }
    )
}

impl Worker {
    /// A worker with a random stream derived from `seed` and their team index.
    pub fn new(member: Member, slot: usize, seed: u64, index: usize) -> Worker {
        let mut mix = SplitMix64::new(
            seed ^ 0x5157_0000 ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407),
        );
        Worker {
            member,
            slot,
            tally: Tally::default(),
            reported_events: Vec::new(),
            rng: SplitMix64::new(mix.next_u64()),
        }
    }

    /// One edit of the worker's role on `date` at `minute` after midnight.
    pub fn edit(
        &mut self,
        store: &Store,
        grid_id: &str,
        date: Date,
        minute: i64,
    ) -> Result<(), SimError> {
        let outcome = match self.member.role {
            Role::GridHead => self.head_edit(store, grid_id, date, minute),
            Role::Assistant => self.assistant_edit(store, grid_id, date, minute),
            Role::PoliceOfficer => self.police_edit(store, grid_id, date, minute),
            Role::BuildingHead => self.building_head_edit(store, grid_id, date, minute),
            Role::PatrolVolunteer => self
                .supplement_returned(store, grid_id, date, minute)
                .and_then(|()| self.patrol(store, grid_id, date)),
            Role::Department => self.department_edit(store, date, minute),
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(e) if is_refusal(&e) => {
                self.tally.refused += 1;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    fn head_edit(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
    ) -> gridbook::Result<()> {
        if store.shifts_on(grid, date.add_days(1))?.is_empty() {
            self.tally.shifts_created += plan_shifts(store, grid, date, 7)?;
            return Ok(());
        }
        if self.rng.chance(0.4) {
            return self.handle_events(store, grid, date, minute, 6);
        }
        match self.rng.weighted(&[
            (0u8, 3),
            (1, 3),
            (2, 2),
            (3, 1),
            (4, 1),
            (5, 2),
            (6, 1),
            (7, 1),
        ]) {
            Some(0) => self.change_phone(store, grid, true),
            Some(1) => self.change_notes(store, grid, true),
            Some(2) => self.change_care(store, grid),
            Some(3) => self.new_resident(store, grid, date),
            Some(4) => self.appoint(store, grid, date),
            Some(5) => self.visit(
                store,
                grid,
                date,
                minute,
                Target::Focus,
                VisitKind::SpecialCare,
            ),
            Some(7) => self.award_points(store, grid, date),
            _ => self.move_out(store, grid),
        }
    }

    fn assistant_edit(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
    ) -> gridbook::Result<()> {
        match self
            .rng
            .weighted(&[(0u8, 10), (1, 1), (2, 1), (3, 2), (4, 2), (5, 1)])
        {
            Some(4) => {
                self.supplement_returned(store, grid, date, minute)?;
                self.handle_events(store, grid, date, minute, 3)
            }
            Some(1) => self.change_phone(store, grid, true),
            Some(2) => self.change_notes(store, grid, true),
            Some(3) => self.visit(store, grid, date, minute, Target::Focus, VisitKind::Routine),
            Some(5) => self.exchange_points(store, grid, date),
            _ => {
                let half = Target::Half(self.slot % 2);
                self.visit(store, grid, date, minute, half, VisitKind::Routine)
            }
        }
    }

    fn police_edit(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
    ) -> gridbook::Result<()> {
        if self.rng.chance(0.6) {
            self.visit(store, grid, date, minute, Target::Rented, VisitKind::Survey)
        } else {
            self.check_registration(store, grid)
        }
    }

    fn building_head_edit(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
    ) -> gridbook::Result<()> {
        let building = Target::Building(self.slot);
        self.supplement_returned(store, grid, date, minute)?;
        if self.rng.chance(0.12) {
            self.report_in_building(store, grid, date, minute)
        } else if self.rng.chance(0.7) {
            self.visit(store, grid, date, minute, building, VisitKind::Routine)
        } else {
            self.change_notes(store, grid, true)
        }
    }
}

/// Which households an edit picks from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    All,
    /// The first two buildings' households, visited by several roles.
    Focus,
    /// The first building's households, whose phones and notes several roles correct.
    Hot,
    /// One building (a building head's own: the k-th).
    Building(usize),
    /// One half of the roster (an assistant's round).
    Half(usize),
    /// Rented dwellings.
    Rented,
}
