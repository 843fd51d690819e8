//! China's official working-day calendar (工作日) and the deadlines of
//! events counted in it (办理时限).
//!
//! Which days are worked in China is not a rule of weekdays: every year the
//! General Office of the State Council (国务院办公厅) publishes a notice,
//! 国务院办公厅关于YYYY年部分节假日安排的通知, that lists the days off around
//! each public holiday and the weekend days that are worked instead (调休上班).
//! Gridbook ships those notices as data, `cn_holidays.json`, embedded in the
//! library so deadlines compute offline. [`WorkCalendar::china`] is that
//! calendar; [`WorkCalendar::covers`] says which years it knows.
//!
//! **Outside the covered years the calendar does not guess**: a date of a year
//! without a notice is a working day when it is Monday to Friday, and public
//! holidays of that year are not known (so 1 January of an uncovered year
//! counts as a working day when it is a weekday). Deadlines still compute;
//! callers that show them can say "holidays not yet published" when
//! `covers` is false for the year of the deadline.
//!
//! The data covers 2025 and 2026. **2027 is missing**: its notice is
//! published in November of the year before and was not available when this
//! file was written.
//!
//! # Adding a year
//!
//! When the State Council publishes the next year's notice (on www.gov.cn,
//! usually in November):
//! 1. Add the year at the end of `years` in `cn_holidays.json`: the notice's
//!    title (with its document number, 国办发明电〔…〕…号, if given), its
//!    www.gov.cn URL, the date it was published, every holiday's days off
//!    (the name as the notice writes it, the first and the last day off,
//!    weekends inside the range included), and every make-up working day.
//! 2. Bump `version`.
//! 3. In `core/src/tests/calendar.rs`, add a test of the year's dates (its
//!    make-up days work, its holidays do not) and update the tests that
//!    name the covered years, the version and an uncovered year; update the
//!    year list in this doc.
//!
//! The file is checked when it is read: years follow each other without a
//! gap, every date lies in its year, make-up days are Saturdays or Sundays,
//! and no day is both off and worked. The embedded file is trusted but never
//! unwrapped: a test proves it passes these checks, and should it ever not,
//! [`WorkCalendar::china`] falls back to Monday-to-Friday and covers no year
//! (it never panics, and never pretends).
//!
//! Deadlines are in `limits.rs` ([`deadline`], [`TimeLimit`],
//! [`OfficeHours`]), the light of the time left in `light.rs`
//! ([`warning_light`], [`WarningLight`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::validate::Date;

mod light;
mod limits;

pub use light::{DEFAULT_YELLOW_PERCENT, WarningLight, warning_light, warning_light_with};
pub use limits::{MAX_LIMIT_HOURS, MAX_LIMIT_WORKING_DAYS, OfficeHours, TimeLimit, deadline};

/// The holiday notices, as shipped.
const CN_HOLIDAYS: &str = include_str!("cn_holidays.json");

/// The State Council notice a covered year's holidays come from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HolidayNotice {
    /// The year it arranges.
    pub year: i32,
    /// Its title, as published (国务院办公厅关于…年部分节假日安排的通知).
    pub title: String,
    /// Where it is published (www.gov.cn).
    pub url: String,
    /// The day it was published.
    pub published: Date,
}

/// A working-day calendar: which dates are worked, from the State Council's
/// holiday notices for the years it covers and Monday to Friday elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    version: u32,
    notices: BTreeMap<i32, HolidayNotice>,
    /// Every day off of a covered year, with its holiday's name.
    days_off: BTreeMap<Date, String>,
    /// Weekend days of covered years that are worked (调休上班).
    make_up: BTreeSet<Date>,
}

impl WorkCalendar {
    /// China's calendar as shipped with this build (`cn_holidays.json`).
    pub fn china() -> &'static WorkCalendar {
        static CHINA: OnceLock<WorkCalendar> = OnceLock::new();
        CHINA.get_or_init(|| WorkCalendar::parse(CN_HOLIDAYS).unwrap_or_else(|_| Self::weekdays()))
    }

    /// A calendar that covers no year: Monday to Friday are working days.
    pub fn weekdays() -> WorkCalendar {
        WorkCalendar {
            version: 0,
            notices: BTreeMap::new(),
            days_off: BTreeMap::new(),
            make_up: BTreeSet::new(),
        }
    }

    /// The version of the holiday data, raised whenever a year is added or
    /// corrected (0 for [`WorkCalendar::weekdays`]). Worth keeping beside a
    /// deadline computed from it.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Whether the holidays and make-up days of `year` are known. For a year
    /// not covered, Monday to Friday count as working days.
    pub fn covers(&self, year: i32) -> bool {
        self.notices.contains_key(&year)
    }

    /// The notices of the covered years, oldest first.
    pub fn notices(&self) -> impl Iterator<Item = &HolidayNotice> {
        self.notices.values()
    }

    /// Whether `date` is a working day: a make-up day, or Monday to Friday
    /// and not a day off.
    pub fn is_working_day(&self, date: Date) -> bool {
        self.make_up.contains(&date) || (is_weekday(date) && !self.days_off.contains_key(&date))
    }

    /// The holiday `date` is a day off of (春节, 国庆节, …), if any.
    pub fn holiday_name(&self, date: Date) -> Option<&str> {
        self.days_off.get(&date).map(String::as_str)
    }

    /// The number of working days after `from` up to and including `to`;
    /// 0 when `to` is not after `from`. The n-th working day after `from` is
    /// the first day for which this is n.
    pub fn working_days_between(&self, from: Date, to: Date) -> i64 {
        if to <= from {
            return 0;
        }
        let after = from.add_days(1);
        let weekdays = weekdays_before(to.add_days(1)) - weekdays_before(after);
        let off = self
            .days_off
            .range(after..=to)
            .filter(|(date, _)| is_weekday(**date))
            .count();
        let worked = self.make_up.range(after..=to).count();
        weekdays - count(off) + count(worked)
    }

    /// Reads and checks a holiday file shaped like `cn_holidays.json`; the
    /// error says what is wrong (it names dates, never anything personal).
    pub(crate) fn parse(text: &str) -> Result<WorkCalendar, String> {
        let raw: RawCalendar = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut calendar = WorkCalendar {
            version: raw.version,
            ..WorkCalendar::weekdays()
        };
        let mut previous: Option<i32> = None;
        for year in raw.years {
            if previous.is_some_and(|p| p.checked_add(1) != Some(year.year)) {
                return Err(format!("{} does not follow the year before it", year.year));
            }
            previous = Some(year.year);
            calendar.add_year(year)?;
        }
        Ok(calendar)
    }

    fn add_year(&mut self, raw: RawYear) -> Result<(), String> {
        let year = raw.year;
        let in_year = |text: &str| -> Result<Date, String> {
            let date = Date::parse(text).map_err(|_| format!("{year}: {text} is not a date"))?;
            if date.year() == year {
                Ok(date)
            } else {
                Err(format!("{year}: {date} lies in another year"))
            }
        };
        for holiday in &raw.days_off {
            let (first, last) = (in_year(&holiday.first)?, in_year(&holiday.last)?);
            if last < first {
                return Err(format!("{year}: {} ends before it starts", holiday.name));
            }
            let mut day = first;
            while day <= last {
                if self.days_off.insert(day, holiday.name.clone()).is_some() {
                    return Err(format!("{year}: {day} is off twice"));
                }
                day = day.add_days(1);
            }
        }
        for text in &raw.make_up_working_days {
            let day = in_year(text)?;
            if is_weekday(day) {
                return Err(format!(
                    "{year}: make-up day {day} is not a Saturday or Sunday"
                ));
            }
            if self.days_off.contains_key(&day) {
                return Err(format!("{year}: {day} is both off and worked"));
            }
            if !self.make_up.insert(day) {
                return Err(format!("{year}: make-up day {day} is listed twice"));
            }
        }
        let published = Date::parse(&raw.published)
            .map_err(|_| format!("{year}: the publication date is not a date"))?;
        self.notices.insert(
            year,
            HolidayNotice {
                year,
                title: raw.notice,
                url: raw.url,
                published,
            },
        );
        Ok(())
    }
}

/// Monday is 0, Sunday 6.
fn weekday_index(date: Date) -> i64 {
    // 1970-01-01 was a Thursday.
    (date.days_since_epoch() + 3).rem_euclid(7)
}

fn is_weekday(date: Date) -> bool {
    weekday_index(date) < 5
}

/// Mondays to Fridays before `date`, counted from a fixed Monday; only
/// differences of two counts mean anything.
fn weekdays_before(date: Date) -> i64 {
    // 1969-12-29 was a Monday.
    let days = date.days_since_epoch() + 3;
    days.div_euclid(7) * 5 + days.rem_euclid(7).min(5)
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(rename = "about")]
    _about: String,
    version: u32,
    years: Vec<RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i32,
    notice: String,
    url: String,
    published: String,
    days_off: Vec<RawHoliday>,
    make_up_working_days: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    first: String,
    last: String,
}
