//! A member's service on a patrol shift: from their first check-in on it
//! to their last (签到, 签退), clipped to the shift's planned hours, so one
//! check-in alone is no service, a clock set wrong cannot stretch a shift,
//! and a cancelled shift counts nothing. Volunteer points
//! (`kinds/points`) and patrol coverage (`views/patrol.rs`) both count
//! time this one way. To count it differently, change it here for both.

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::store::rows::date;
use crate::validate::{Date, TimeOfDay};

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_DAY: i64 = 86_400_000;

/// One member's service on one shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShiftService {
    pub(crate) member_id: String,
    pub(crate) date: Date,
    pub(crate) minutes: i64,
}

/// The service of every member (or of `member`) on the grid's shifts
/// between `from` and `to`, both included; shifts with no service left out.
pub(crate) fn shift_service(
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
