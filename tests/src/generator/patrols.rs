//! Patrols: the two patrol teams (the store's own worker leads the first),
//! the checkpoints on their routes, and each evening shift with its members
//! and check-ins.
//!
//! To extend it: add checkpoints to [`CHECKPOINTS`], team members in
//! `Gen::write_teams`, or per-shift records in `Gen::write_shift`. Which
//! shifts exist and when they are written is decided by the timeline
//! (`timeline.rs`).

use gridbook::{CheckinInput, Date, GeoPoint, ShiftInput, TeamMember, TimeOfDay};

use super::people::random_gender;
use super::{Gen, OFFSET};
use crate::timefmt::local_instant;

/// Places on a patrol route (buildings are added by the timeline).
pub(super) const CHECKPOINTS: &[&str] = &[
    "北门岗亭",
    "南门",
    "小区广场",
    "地下车库入口",
    "东门",
    "垃圾分类亭",
    "健身区",
    "快递柜",
    "配电房",
    "消防通道",
];

impl Gen<'_> {
    fn volunteer(&mut self) -> TeamMember {
        self.volunteers += 1;
        let gender = random_gender(&mut self.rng);
        TeamMember {
            member_id: format!("v-{:04}", self.volunteers),
            name: self.name(gender),
        }
    }

    pub(super) fn write_teams(&mut self) -> gridbook::Result<()> {
        let me = self.store.identity().clone();
        self.out.worker_ids.push(me.worker_id.clone());
        let mut team_one = vec![TeamMember {
            member_id: me.worker_id.clone(),
            name: me.name.clone(),
        }];
        for _ in 0..4 {
            team_one.push(self.volunteer());
        }
        let assistant_gender = random_gender(&mut self.rng);
        let mut team_two = vec![TeamMember {
            member_id: "w-assist-01".into(),
            name: self.name(assistant_gender),
        }];
        for _ in 0..3 {
            team_two.push(self.volunteer());
        }
        let late_joiner = self.volunteer();
        let teams = [("平安巡逻一队", team_one), ("平安巡逻二队", team_two)];
        for (name, members) in teams {
            let ids: Vec<String> = members.iter().map(|m| m.member_id.clone()).collect();
            let team_id = self
                .store
                .create_patrol_team(&self.out.grid_id, name, members)?;
            self.out.counts.api_writes += 1;
            self.out.counts.teams += 1;
            for id in &ids {
                if !self.out.worker_ids.contains(id) {
                    self.out.worker_ids.push(id.clone());
                }
            }
            self.out.team_ids.push(team_id);
            self.team_members.push(ids);
        }
        // A volunteer who joined the second team later.
        if let (Some(team_id), Some(members)) =
            (self.out.team_ids.get(1), self.team_members.get_mut(1))
        {
            let id = late_joiner.member_id.clone();
            self.store.add_team_member(team_id, late_joiner)?;
            self.out.counts.api_writes += 1;
            members.push(id.clone());
            self.out.worker_ids.push(id);
        }
        Ok(())
    }

    pub(super) fn write_shift(
        &mut self,
        team: usize,
        date: Date,
        members: &[String],
        route: Vec<String>,
    ) -> gridbook::Result<()> {
        let team_id = self.out.team_ids.get(team).cloned().unwrap_or_default();
        let (Some(starts), Some(ends)) = (TimeOfDay::new(18, 30), TimeOfDay::new(20, 30)) else {
            return Ok(());
        };
        let shift_id = self.store.create_shift(ShiftInput {
            team_id,
            date,
            starts,
            ends,
            route: route.clone(),
        })?;
        self.out.counts.api_writes += 1;
        self.out.counts.shifts += 1;
        for member in members {
            self.store.assign_to_shift(&shift_id, member)?;
            self.out.counts.api_writes += 1;
            self.out.counts.shift_assignments += 1;
        }
        let n = i64::from(self.spec.checkins_per_shift);
        let center = GeoPoint {
            lon: 120.1,
            lat: 30.2,
        };
        if !members.is_empty() && !route.is_empty() {
            for k in 0..n {
                let index = usize::try_from(k).unwrap_or(0);
                let checkpoint = route.get(index % route.len()).cloned().unwrap_or_default();
                let member_id = members
                    .get(index % members.len())
                    .cloned()
                    .unwrap_or_default();
                // Spread over 18:30..20:25, so every check-in falls within the shift.
                let minute = 18 * 60 + 30 + k * 115 / n.max(1) + self.rng.range(0, 4);
                let at = local_instant(date, minute, OFFSET);
                let spot = self.point_near(center, 0.002);
                let gps = self.fix_near(spot);
                self.store.record_checkin(CheckinInput {
                    shift_id: shift_id.clone(),
                    member_id,
                    at,
                    checkpoint,
                    gps,
                })?;
                self.out.counts.api_writes += 1;
                self.out.counts.checkins += 1;
            }
        }
        self.out.shift_ids.push(shift_id);
        Ok(())
    }
}
