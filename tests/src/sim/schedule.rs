//! When a worker works and syncs on a simulated day, drawn from their
//! role's [`Habits`](super::team::Habits): a working day or not, edits at
//! random minutes of their hours, and 0..n syncs at random times of the day
//! (so they work offline in between, sometimes for days).
//!
//! A day's plan depends only on the seed, the worker's index and the day,
//! so adding a worker does not change the others' days. To add a kind of
//! event, add an [`Action`] variant and handle it where the plan is run.

use crate::rng::SplitMix64;

use super::team::Role;

/// What a worker does at a moment of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// One edit of their role.
    Edit,
    /// A sync with the server.
    Sync,
}

/// One planned event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Event {
    /// Minutes after local midnight.
    pub minute: i64,
    /// The worker's index in the team.
    pub worker: usize,
    /// What they do.
    pub action: Action,
}

/// A generator for one worker and day, independent of the others.
pub fn day_rng(seed: u64, worker: usize, day: i64) -> SplitMix64 {
    let mut mix = SplitMix64::new(
        seed ^ (worker as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (day as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F),
    );
    SplitMix64::new(mix.next_u64())
}

/// The events of worker `worker` (of `role`) on simulated day `day`.
pub fn plan_day(seed: u64, worker: usize, role: Role, day: i64) -> Vec<Event> {
    let mut rng = day_rng(seed, worker, day);
    let habits = role.habits();
    let mut events = Vec::new();
    let (from, to) = habits.hours;
    if rng.chance(habits.work_day) {
        let edits = if role == Role::PatrolVolunteer {
            // Check-ins are decided by the shift, at the evening's checkpoints.
            1
        } else {
            rng.range(habits.edits.0, habits.edits.1)
        };
        for _ in 0..edits {
            events.push(Event {
                minute: rng.range(from, to),
                worker,
                action: Action::Edit,
            });
        }
    }
    if rng.chance(habits.sync_day) {
        for _ in 0..rng.range(habits.syncs.0, habits.syncs.1) {
            // Any time from breakfast to bedtime, not only at work.
            events.push(Event {
                minute: rng.range(7 * 60, 22 * 60 + 30),
                worker,
                action: Action::Sync,
            });
        }
    }
    events
}
