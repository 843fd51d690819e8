//! Patrol coverage (巡逻覆盖): over the shifts dated in a range of days,
//! how many were held and cancelled, which checkpoints their routes named
//! and which a check-in covered, and the time members spent on patrol.
//!
//! - **Planned** is every shift dated in the range, cancelled ones
//!   included; **cancelled** those cancelled; **held** those not cancelled
//!   with at least one check-in. The rest (planned, neither held nor
//!   cancelled) were missed or lie ahead.
//! - **Checkpoints** are the distinct stops named on the routes of the
//!   shifts not cancelled (a route lists building ids or checkpoint names);
//!   a stop is covered when a check-in of one of those shifts names it.
//! - **Time on patrol**: the patrol kind records check-ins at checkpoints
//!   and no separate check-out, so a member's first check-in on a shift is
//!   their check-in and their last is their check-out, clipped to the
//!   shift's planned hours: the patrol kind's `shift_service`, the same
//!   minutes volunteer points are earned from. A member with a single
//!   check-in on a shift has no check-out: that check-in is *unmatched*,
//!   counts no time and is counted as unmatched.
//! - A cancelled shift counts as cancelled only: its check-ins, kept when
//!   it was cancelled, count toward neither coverage nor time.
//!
//! Figures are per grid, never per member: nothing here ranks people.
//! To add a figure: read what it needs in [`Store::patrol_coverage`]'s two
//! queries, add a field to [`PatrolCoverage`] and count it there.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::params;

use super::grid_exists;
use crate::error::{Error, Result};
use crate::kinds::patrol::shift_service;
use crate::store::Store;
use crate::validate::{Date, InvalidReason};

/// A grid's patrols on a range of days (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PatrolCoverage {
    /// The grid.
    pub grid_id: String,
    /// The first day.
    pub from: Date,
    /// The last day.
    pub to: Date,
    /// Shifts dated in the range, cancelled ones included.
    pub shifts_planned: i64,
    /// Shifts not cancelled with at least one check-in.
    pub shifts_held: i64,
    /// Shifts cancelled.
    pub shifts_cancelled: i64,
    /// Distinct stops named on the routes of the shifts not cancelled.
    pub checkpoints_named: i64,
    /// Of those, stops a check-in of those shifts covered.
    pub checkpoints_covered: i64,
    /// The stops named and not covered, sorted.
    pub uncovered_checkpoints: Vec<String>,
    /// Members who checked in on a shift, counted once per shift.
    pub member_shifts: i64,
    /// Time on patrol: minutes from each member's first to last check-in on
    /// a shift, within the shift's planned hours, summed over members and
    /// shifts (hours are this over 60); the minutes volunteer points count.
    pub volunteer_minutes: i64,
    /// Members' lone check-ins on a shift, which have no check-out and count no time.
    pub unmatched_checkins: i64,
}

impl Store {
    /// The patrols of a grid's shifts dated on the local dates `from..=to`:
    /// shifts planned, held and cancelled, the checkpoints their routes
    /// named and those covered, and the minutes members spent on patrol
    /// between their first and last check-in. See the module docs.
    pub fn patrol_coverage(&self, grid_id: &str, from: Date, to: Date) -> Result<PatrolCoverage> {
        if to < from {
            return Err(Error::invalid("to", InvalidReason::EndsBeforeStart));
        }
        let (first, last) = (from.to_string(), to.to_string());
        let range = params![grid_id, first, last];
        let (shifts, checkins) = self.read(|conn| {
            grid_exists(conn, grid_id)?;
            let shifts = conn
                .prepare_cached(
                    "SELECT id, route, retired FROM shifts
                     WHERE grid_id = ?1 AND date BETWEEN ?2 AND ?3",
                )?
                .query_map(range, |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, bool>(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let checkins = conn
                .prepare_cached(
                    "SELECT c.shift_id, c.member_id, c.checkpoint
                     FROM checkins c JOIN shifts s ON s.id = c.shift_id
                     WHERE s.grid_id = ?1 AND s.date BETWEEN ?2 AND ?3 AND s.retired = 0",
                )?
                .query_map(range, |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((shifts, checkins))
        })?;

        let mut named: BTreeSet<String> = BTreeSet::new();
        let mut cancelled = 0;
        for (_, route, retired) in &shifts {
            if *retired {
                cancelled += 1;
            } else {
                named.extend(serde_json::from_str::<Vec<String>>(route).unwrap_or_default());
            }
        }
        let mut held: BTreeSet<&str> = BTreeSet::new();
        let mut covered: BTreeSet<&str> = BTreeSet::new();
        // Check-ins per (shift, member): one alone is unmatched.
        let mut spans: BTreeMap<(&str, &str), i64> = BTreeMap::new();
        for (shift, member, checkpoint) in &checkins {
            held.insert(shift);
            if named.contains(checkpoint) {
                covered.insert(checkpoint);
            }
            *spans.entry((shift, member)).or_default() += 1;
        }
        let volunteer_minutes: i64 = self
            .read(|conn| shift_service(conn, grid_id, None, from, to))?
            .iter()
            .map(|s| s.minutes)
            .fold(0, i64::saturating_add);
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        Ok(PatrolCoverage {
            grid_id: grid_id.to_string(),
            from,
            to,
            shifts_planned: count(shifts.len()),
            shifts_held: count(held.len()),
            shifts_cancelled: cancelled,
            checkpoints_named: count(named.len()),
            checkpoints_covered: count(covered.len()),
            uncovered_checkpoints: named
                .iter()
                .filter(|n| !covered.contains(n.as_str()))
                .cloned()
                .collect(),
            member_shifts: count(spans.len()),
            volunteer_minutes,
            unmatched_checkins: count(spans.values().filter(|n| **n == 1).count()),
        })
    }
}
