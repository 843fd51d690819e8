//! Deadlines counted in a [`WorkCalendar`] from a start and a [`TimeLimit`].
//!
//! All local times are taken at the start's own UTC offset
//! (`Timestamp::offset_minutes`, +480 in China), which the deadline keeps;
//! the offset does not change in between (China has no daylight saving).

use crate::error::{Error, FieldCheck, Result};
use crate::validate::{self, Date, InvalidReason, TimeOfDay};
use crate::values::Timestamp;

use super::WorkCalendar;

/// The longest limit in hours, calendar or working ([`TimeLimit::Hours`],
/// [`TimeLimit::WorkingHours`]); longer ones are refused.
pub const MAX_LIMIT_HOURS: i32 = 10_000;
/// The longest limit in working days ([`TimeLimit::WorkingDays`]).
pub const MAX_LIMIT_WORKING_DAYS: i32 = 1_000;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;
/// Starts before 2000-01-01T00:00Z are refused: no event is older than the
/// system.
const EARLIEST_START_MS: i64 = 946_684_800_000;
/// Starts from 9000-01-01T00:00Z are refused, so that the longest limit ends
/// well inside the years a [`Date`] can hold.
const LATEST_START_MS: i64 = 221_845_392_000_000;
/// Days searched for the next working day: a calendar's longest run of days
/// off is a week or so, a year is far beyond it.
const MAX_DAYS_OFF_IN_A_ROW: i32 = 366;

/// The office hours of a working day, when working hours and working-day
/// deadlines run. Places differ (cities set their own office hours, many
/// with a later summer afternoon, 夏季作息), so callers pass their own; the
/// default is a common day of street and community offices, 08:30–12:00 and
/// 13:30–17:30 (7.5 hours). Opens ≤ lunch starts ≤ lunch ends ≤ closes,
/// with at least an hour of office time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OfficeHours {
    /// When the office opens.
    pub opens: TimeOfDay,
    /// When the lunch break starts (equal to the end of lunch for none).
    pub lunch_starts: TimeOfDay,
    /// When the lunch break ends.
    pub lunch_ends: TimeOfDay,
    /// When the office closes: working-day deadlines end then.
    pub closes: TimeOfDay,
}

impl Default for OfficeHours {
    fn default() -> Self {
        OfficeHours {
            opens: clock(8, 30),
            lunch_starts: clock(12, 0),
            lunch_ends: clock(13, 30),
            closes: clock(17, 30),
        }
    }
}

/// A time of day from literals known to be valid (a test pins the default hours).
fn clock(hour: u8, minute: u8) -> TimeOfDay {
    TimeOfDay::new(hour, minute).unwrap_or(TimeOfDay::MIDNIGHT)
}

impl OfficeHours {
    /// Checks the order opens ≤ lunch starts ≤ lunch ends ≤ closes, with at
    /// least an hour of office time in the day.
    fn check(&self) -> Result<()> {
        use InvalidReason::{EndsBeforeStart, OutOfRange};
        let office_ms: i64 = self.sessions().iter().map(|(a, b)| b - a).sum();
        // The first broken rule names its field.
        let rules = [
            (self.closes <= self.opens, "hours.closes", EndsBeforeStart),
            (
                self.lunch_starts < self.opens,
                "hours.lunch_starts",
                OutOfRange,
            ),
            (
                self.lunch_starts > self.closes,
                "hours.lunch_starts",
                OutOfRange,
            ),
            (
                self.lunch_ends < self.lunch_starts,
                "hours.lunch_ends",
                EndsBeforeStart,
            ),
            (
                self.lunch_ends > self.closes,
                "hours.lunch_ends",
                OutOfRange,
            ),
            (office_ms < HOUR_MS, "hours", OutOfRange),
        ];
        match rules.into_iter().find(|(broken, ..)| *broken) {
            Some((_, field, reason)) => Err(Error::invalid(field, reason)),
            None => Ok(()),
        }
    }

    /// The morning and the afternoon, in milliseconds after local midnight.
    fn sessions(&self) -> [(i64, i64); 2] {
        let ms = |t: TimeOfDay| i64::from(t.minutes()) * MINUTE_MS;
        [
            (ms(self.opens), ms(self.lunch_starts)),
            (ms(self.lunch_ends), ms(self.closes)),
        ]
    }
}

/// How long an event may take (办理时限), by its category and level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TimeLimit {
    /// Calendar hours, nights and holidays included: urgent safety hazards
    /// (2 hours, 24 hours).
    Hours {
        /// 0 to 10,000.
        hours: i32,
    },
    /// Working days: the limit ends when the office closes on the n-th
    /// working day after the day of the start. The start's own day never
    /// counts, whatever its hour (开始的当日不计入), so a start on a
    /// Saturday or a holiday counts from the next working day, which is day 1.
    /// 0 means the same working day: the close of the start's day, or of the
    /// next working day when the start is on a day off or after closing.
    WorkingDays {
        /// 0 to 1,000.
        days: i32,
    },
    /// Working hours (工作时), counted only within the office hours of
    /// working days, as the 数字城管 catalogues give them (4 个工作时).
    WorkingHours {
        /// 0 to 10,000.
        hours: i32,
    },
}

impl TimeLimit {
    /// Checks the limit's range; errors name the field `limit`.
    fn check(self) -> Result<()> {
        let (value, max) = match self {
            TimeLimit::Hours { hours } | TimeLimit::WorkingHours { hours } => {
                (hours, MAX_LIMIT_HOURS)
            }
            TimeLimit::WorkingDays { days } => (days, MAX_LIMIT_WORKING_DAYS),
        };
        if (0..=max).contains(&value) {
            Ok(())
        } else {
            Err(Error::invalid("limit", InvalidReason::OutOfRange))
        }
    }
}

/// When an event started at `start` with `limit` is due, at the start's UTC
/// offset. Working days and hours follow `calendar` (see
/// [`WorkCalendar::is_working_day`]) and `hours`.
///
/// Errors: `limit` out of its range; `start` before 2000 or from the year
/// 9000 on; `start.offset_minutes` outside -720..=840; `hours` in the wrong
/// order or shorter than an hour (`hours.closes`, `hours.lunch_starts`,
/// `hours.lunch_ends`, `hours`).
pub fn deadline(
    start: Timestamp,
    limit: TimeLimit,
    calendar: &WorkCalendar,
    hours: &OfficeHours,
) -> Result<Timestamp> {
    validate::utc_offset_minutes(start.offset_minutes).field("start.offset_minutes")?;
    if !(EARLIEST_START_MS..LATEST_START_MS).contains(&start.utc_ms) {
        return Err(Error::invalid("start", InvalidReason::OutOfRange));
    }
    limit.check()?;
    hours.check()?;
    let local = Local::of(start);
    let utc_ms = match limit {
        TimeLimit::Hours { hours } => start.utc_ms + i64::from(hours) * HOUR_MS,
        TimeLimit::WorkingDays { days } => {
            let closes = i64::from(hours.closes.minutes()) * MINUTE_MS;
            let mut day = local.date;
            if days == 0 && !(calendar.is_working_day(day) && local.ms <= closes) {
                day = next_working_day(calendar, day)?;
            }
            for _ in 0..days {
                day = next_working_day(calendar, day)?;
            }
            local.to_utc(day, closes)
        }
        TimeLimit::WorkingHours { hours: 0 } => start.utc_ms,
        TimeLimit::WorkingHours { hours: h } => {
            working_hours_end(calendar, hours, local, i64::from(h) * HOUR_MS)?
        }
    };
    Ok(Timestamp {
        utc_ms,
        offset_minutes: start.offset_minutes,
    })
}

/// A start seen on its local clock.
#[derive(Clone, Copy)]
struct Local {
    date: Date,
    /// Milliseconds after local midnight.
    ms: i64,
    offset_ms: i64,
}

impl Local {
    fn of(at: Timestamp) -> Local {
        let offset_ms = i64::from(at.offset_minutes) * MINUTE_MS;
        let local_ms = at.utc_ms + offset_ms;
        Local {
            date: Date::from_days_since_epoch(local_ms.div_euclid(DAY_MS)),
            ms: local_ms.rem_euclid(DAY_MS),
            offset_ms,
        }
    }

    /// The instant `ms` after local midnight of `date`, in UTC milliseconds.
    fn to_utc(self, date: Date, ms: i64) -> i64 {
        date.days_since_epoch() * DAY_MS + ms - self.offset_ms
    }
}

fn next_working_day(calendar: &WorkCalendar, after: Date) -> Result<Date> {
    let mut day = after;
    for _ in 0..MAX_DAYS_OFF_IN_A_ROW {
        day = day.add_days(1);
        if calendar.is_working_day(day) {
            return Ok(day);
        }
    }
    // Only a calendar with a year of days off gets here.
    Err(Error::invalid("limit", InvalidReason::OutOfRange))
}

/// Spends `remaining` milliseconds of office time from `start` on.
fn working_hours_end(
    calendar: &WorkCalendar,
    hours: &OfficeHours,
    start: Local,
    mut remaining: i64,
) -> Result<i64> {
    let mut day = start.date;
    let mut from = start.ms;
    loop {
        if calendar.is_working_day(day) {
            for (opens, closes) in hours.sessions() {
                let begin = opens.max(from);
                if begin >= closes {
                    continue;
                }
                // An end exactly at a session's close stays there, not at the next opening.
                if remaining <= closes - begin {
                    return Ok(start.to_utc(day, begin + remaining));
                }
                remaining -= closes - begin;
            }
        }
        day = next_working_day(calendar, day)?;
        from = 0;
    }
}
