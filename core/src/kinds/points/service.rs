//! Who a grid's volunteers are, and their service on patrol shifts.
//!
//! A member's service on a shift runs from their first check-in on it to
//! their last, clipped to the shift's planned hours: one check-in alone is
//! no service, a clock set wrong cannot stretch a shift, and a cancelled
//! shift counts nothing. Only check-ins count, never time a phone was online.
//!
//! To let another group hold points, add its query to [`volunteers`] with a
//! [`VolunteerSource`] of its own.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};

use super::{Volunteer, VolunteerSource};
use crate::code_list::CodeList;
use crate::error::Result;
use crate::identity::WorkerRole;
use crate::store::rows::date;
use crate::validate::{Date, TimeOfDay, mask_name};

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_DAY: i64 = 86_400_000;

/// The team roles that hold points: the unpaid ones.
pub(super) const VOLUNTEER_ROLES: [WorkerRole; 2] =
    [WorkerRole::BuildingHead, WorkerRole::PatrolVolunteer];

/// The grid's volunteers, sorted by id: workers of the team with a
/// volunteer role, patrol-team members who are not workers of the team, and
/// residents enrolled in the talent pool. Names are masked.
pub(super) fn volunteers(conn: &Connection, grid_id: &str) -> Result<Vec<Volunteer>> {
    let mut found: BTreeMap<String, Volunteer> = BTreeMap::new();
    let mut add = |id: String, name: Option<String>, source: VolunteerSource| {
        found.entry(id.clone()).or_insert(Volunteer {
            volunteer_id: id,
            display_name: mask_name(name.as_deref().unwrap_or_default()),
            source,
        });
    };
    let mut workers = conn.prepare_cached(
        "SELECT id, name, role FROM workers WHERE grid_id = ?1 AND role IN (?2, ?3)",
    )?;
    let rows = workers.query_map(
        params![
            grid_id,
            VOLUNTEER_ROLES[0].code(),
            VOLUNTEER_ROLES[1].code()
        ],
        |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?)),
    )?;
    for row in rows {
        let (id, name, role) = row?;
        let source = if role == WorkerRole::BuildingHead.code() {
            VolunteerSource::BuildingHead
        } else {
            VolunteerSource::PatrolVolunteer
        };
        add(id, name, source);
    }
    let mut pool = conn.prepare_cached(
        "SELECT t.resident_id, r.name FROM talent_pool t
         LEFT JOIN residents r ON r.id = t.resident_id
         WHERE t.grid_id = ?1 AND NOT t.withdrawn",
    )?;
    for row in pool.query_map([grid_id], |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (id, name) = row?;
        add(id, name, VolunteerSource::TalentPool);
    }
    let mut members = conn.prepare_cached(
        "SELECT m.member_id, MIN(m.name) FROM team_members m
         JOIN patrol_teams t ON t.id = m.team_id
         WHERE t.grid_id = ?1
           AND m.member_id NOT IN (SELECT id FROM workers WHERE grid_id = ?1)
         GROUP BY m.member_id",
    )?;
    for row in members.query_map([grid_id], |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (id, name) = row?;
        add(id, name, VolunteerSource::TeamMember);
    }
    Ok(found.into_values().collect())
}

/// One volunteer's service on one shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ShiftService {
    pub(super) member_id: String,
    pub(super) date: Date,
    pub(super) minutes: i64,
}

/// The service of every member (or of `member`) on the grid's shifts
/// between `from` and `to`, both included; shifts with no service left out.
pub(super) fn shift_service(
    conn: &Connection,
    grid_id: &str,
    member: Option<&str>,
    from: Date,
    to: Date,
) -> Result<Vec<ShiftService>> {
    // One member's check-ins by their index; a month's by its shifts.
    let sql = if member.is_some() {
        "SELECT c.member_id, s.date, s.starts, s.ends,
                MIN(c.at_ms + c.offset_min * 60000), MAX(c.at_ms + c.offset_min * 60000)
         FROM checkins c JOIN shifts s ON s.id = c.shift_id
         WHERE c.grid_id = ?1 AND c.member_id = ?4
           AND NOT s.retired AND s.date BETWEEN ?2 AND ?3
         GROUP BY c.member_id, s.id"
    } else {
        "SELECT c.member_id, s.date, s.starts, s.ends,
                MIN(c.at_ms + c.offset_min * 60000), MAX(c.at_ms + c.offset_min * 60000)
         FROM shifts s JOIN checkins c ON c.shift_id = s.id
         WHERE s.grid_id = ?1 AND NOT s.retired AND s.date BETWEEN ?2 AND ?3
           AND c.member_id IS NOT NULL AND ?4 IS NULL
         GROUP BY c.member_id, s.id"
    };
    let mut query = conn.prepare_cached(sql)?;
    let rows = query.query_map(
        params![grid_id, from.to_string(), to.to_string(), member],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        },
    )?;
    let mut service = Vec::new();
    for row in rows {
        let (member_id, day, starts, ends, first, last) = row?;
        let (Some(day), Some(starts), Some(ends), Some(first), Some(last)) = (
            date(day),
            starts.and_then(|t| TimeOfDay::parse(&t).ok()),
            ends.and_then(|t| TimeOfDay::parse(&t).ok()),
            first,
            last,
        ) else {
            continue;
        };
        let midnight = day.days_since_epoch().saturating_mul(MS_PER_DAY);
        let minute_of = |local_ms: i64| {
            local_ms
                .saturating_sub(midnight)
                .div_euclid(MS_PER_MINUTE)
                .clamp(i64::from(starts.minutes()), i64::from(ends.minutes()))
        };
        let minutes = minute_of(last) - minute_of(first);
        if minutes > 0 {
            service.push(ShiftService {
                member_id,
                date: day,
                minutes,
            });
        }
    }
    Ok(service)
}
