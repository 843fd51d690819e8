//! Patrols: a volunteer's evening (sign up, check in along the route), the
//! grid head's weekly shift plan, and the grid's preparation before the
//! team starts.

use gridbook::{
    CheckinInput, Date, GeoPoint, GpsFix, HeadPerson, ShiftInput, Store, TeamMember, TimeOfDay,
};

use super::{OFFSET, Tally, Worker};
use crate::sim::team::{Member, Role};
use crate::timefmt::local_instant;

const ROUTE: &[&str] = &["北门岗亭", "小区广场", "地下车库入口", "东门", "快递柜"];

impl Worker {
    /// A volunteer's evening: signs up for their team's shift if not on
    /// it yet, then checks in at 3–5 checkpoints of its route.
    pub(super) fn patrol(&mut self, store: &Store, grid: &str, date: Date) -> gridbook::Result<()> {
        let me = self.member.worker_id.clone();
        let teams: Vec<String> = store
            .patrol_teams(grid)?
            .into_iter()
            .filter(|t| t.members.iter().any(|m| m.member_id == me))
            .map(|t| t.id)
            .collect();
        let Some(shift) = store
            .shifts_on(grid, date)?
            .into_iter()
            .find(|s| teams.contains(&s.team_id))
        else {
            return Ok(());
        };
        if !shift.members.contains(&me) {
            store.assign_to_shift(&shift.id, &me)?;
            self.tally.shift_signups += 1;
        }
        let stops = self.rng.range(3, 5);
        let mut last = None;
        for k in 0..stops {
            let checkpoint = shift
                .route
                .get(usize::try_from(k).unwrap_or(0) % shift.route.len().max(1))
                .cloned()
                .unwrap_or_default();
            let minute = 18 * 60 + 35 + k * 25 + self.rng.range(0, 10);
            let id = store.record_checkin(CheckinInput {
                shift_id: shift.id.clone(),
                member_id: me.clone(),
                at: local_instant(date, minute, OFFSET),
                checkpoint,
                gps: Some(GpsFix {
                    point: GeoPoint {
                        lon: 120.1 + (self.rng.unit() - 0.5) * 0.004,
                        lat: 30.2 + (self.rng.unit() - 0.5) * 0.004,
                    },
                    accuracy_m: 8.0 + self.rng.unit() * 20.0,
                }),
            })?;
            self.tally.checkins += 1;
            last = Some((id, minute));
        }
        if let Some((checkin, minute)) = last
            && self.rng.chance(0.08)
        {
            self.report_from_patrol(store, grid, date, minute + 5, checkin)?;
        }
        Ok(())
    }
}

/// Creates the evening shifts of `days` days from `from` (alternating
/// between the grid's patrol teams), skipping days that have one. Returns
/// how many it created.
pub fn plan_shifts(store: &Store, grid: &str, from: Date, days: i64) -> gridbook::Result<u64> {
    let teams = store.patrol_teams(grid)?;
    let (Some(starts), Some(ends)) = (TimeOfDay::new(18, 30), TimeOfDay::new(20, 30)) else {
        return Ok(0);
    };
    let mut created = 0;
    for k in 0..days {
        let date = from.add_days(k);
        if !store.shifts_on(grid, date)?.is_empty() {
            continue;
        }
        let index = usize::try_from(date.days_since_epoch().rem_euclid(2)).unwrap_or(0);
        let Some(team) = teams.get(index % teams.len().max(1)) else {
            return Ok(created);
        };
        store.create_shift(ShiftInput {
            team_id: team.id.clone(),
            date,
            starts,
            ends,
            route: ROUTE.iter().map(|s| (*s).to_string()).collect(),
        })?;
        created += 1;
    }
    Ok(created)
}

/// The grid head's preparation before the team starts: puts the patrol
/// volunteers on the patrol teams (alternately), appoints the
/// building-head workers for the first buildings (the k-th building head
/// for the k-th building) and plans the first week's shifts.
pub fn prepare_grid(
    store: &Store,
    grid: &str,
    team: &[Member],
    start: Date,
) -> gridbook::Result<Tally> {
    let mut tally = Tally::default();
    let teams = store.patrol_teams(grid)?;
    let buildings = store.buildings(grid)?;
    let volunteers = team.iter().filter(|m| m.role == Role::PatrolVolunteer);
    for (k, member) in volunteers.enumerate() {
        if let Some(t) = teams.get(k % teams.len().max(1)) {
            store.add_team_member(
                &t.id,
                TeamMember {
                    member_id: member.worker_id.clone(),
                    name: member.name.clone(),
                },
            )?;
        }
    }
    let heads = team.iter().filter(|m| m.role == Role::BuildingHead);
    for (k, member) in heads.enumerate() {
        if let Some(b) = buildings.get(k) {
            store.appoint_building_head(
                &b.id,
                HeadPerson::Volunteer(member.name.clone()),
                start,
            )?;
            tally.appointments += 1;
        }
    }
    tally.shifts_created += plan_shifts(store, grid, start, 7)?;
    Ok(tally)
}
