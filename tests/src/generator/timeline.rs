//! The timeline: all visits and patrol shifts drawn first, then written in
//! time order, so the store's document cache sees the same access pattern as
//! a phone used over the years.
//!
//! To extend it: a new kind of dated record gets an [`Event`] variant, is
//! drawn in `Gen::write_timeline` after the existing draws, and is written
//! in the final loop.

use gridbook::{Date, VisitInput};

use super::patrols::CHECKPOINTS;
use super::{Gen, OFFSET};
use crate::timefmt::local_instant;

/// One timeline event: a visit or a shift, written in time order so that the
/// store's document cache sees the same access pattern as a phone.
enum Event {
    Visit(Box<VisitInput>),
    Shift {
        team: usize,
        date: Date,
        members: Vec<String>,
        route: Vec<String>,
    },
}

impl Gen<'_> {
    pub(super) fn write_timeline(&mut self) -> gridbook::Result<()> {
        let days = (self.end.days_since_epoch() - self.start.days_since_epoch() + 1).max(1);
        // Households with someone in a care category are visited three times as often.
        let weighted: Vec<usize> = self
            .households
            .iter()
            .enumerate()
            .flat_map(|(i, h)| std::iter::repeat_n(i, if h.has_care { 3 } else { 1 }))
            .collect();
        let mut events: Vec<(i64, Event)> = Vec::new();
        if !weighted.is_empty() {
            for _ in 0..self.spec.visits {
                let household = self.rng.pick(&weighted).copied().unwrap_or(0);
                let day = self.start.add_days(self.rng.range(0, days - 1));
                // Door-knocking between 08:30 and 19:30.
                let at = local_instant(day, self.rng.range(510, 1170), OFFSET);
                let input = self.visit(household, at);
                events.push((at.utc_ms, Event::Visit(Box::new(input))));
            }
        }
        let shifts = i64::from(self.spec.shifts);
        let teams = self.team_members.len().max(1);
        let mut checkpoints: Vec<String> = CHECKPOINTS.iter().map(|c| (*c).to_string()).collect();
        for building in 1..=self.spec.buildings.min(12) {
            checkpoints.push(format!("{building}栋"));
        }
        for s in 0..shifts {
            let date = self.start.add_days(s * days / shifts.max(1));
            // Teams take turns by the week.
            let team = usize::try_from(s / 7).unwrap_or(0) % teams;
            let mut members = self.team_members.get(team).cloned().unwrap_or_default();
            self.rng.shuffle(&mut members);
            let on_duty = self
                .rng
                .weighted(&[(1usize, 10), (2, 70), (3, 20)])
                .unwrap_or(2);
            members.truncate(on_duty);
            let mut route = checkpoints.clone();
            self.rng.shuffle(&mut route);
            route.truncate(5);
            let starts = local_instant(date, 18 * 60 + 30, OFFSET);
            events.push((
                starts.utc_ms,
                Event::Shift {
                    team,
                    date,
                    members,
                    route,
                },
            ));
        }
        // Stable: equal times keep generation order.
        events.sort_by_key(|(at, _)| *at);
        for (_, event) in events {
            match event {
                Event::Visit(input) => {
                    let finding_count = u32::try_from(input.findings.len()).unwrap_or(0);
                    self.store.log_visit(*input)?;
                    self.out.counts.api_writes += 1;
                    self.out.counts.visits += 1;
                    self.out.counts.findings += finding_count;
                }
                Event::Shift {
                    team,
                    date,
                    members,
                    route,
                } => self.write_shift(team, date, &members, route)?,
            }
        }
        Ok(())
    }
}
