//! The working-day calendar on dates the State Council's notices fix, and
//! the checks of its holiday file. Helpers for `deadlines.rs` live here:
//! local times written as text and converted by [`at`], which does not use
//! the code under test.

use crate::{Date, TimeOfDay, Timestamp, WorkCalendar};

pub(super) fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

/// `YYYY-MM-DD HH:MM` on the local clock of `offset_minutes`.
pub(super) fn at(text: &str, offset_minutes: i32) -> Timestamp {
    let (date, time) = text.split_once(' ').unwrap();
    let minutes = i64::from(TimeOfDay::parse(time).unwrap().minutes());
    Timestamp {
        utc_ms: d(date).days_since_epoch() * 86_400_000
            + (minutes - i64::from(offset_minutes)) * 60_000,
        offset_minutes,
    }
}

pub(super) fn cst(text: &str) -> Timestamp {
    at(text, 480)
}

pub(super) fn china() -> &'static WorkCalendar {
    WorkCalendar::china()
}

fn working(dates: &[&str]) -> Vec<bool> {
    dates.iter().map(|t| china().is_working_day(d(t))).collect()
}

fn every_day(first: &str, last: &str) -> Vec<Date> {
    let (first, last) = (d(first), d(last));
    (0..=last.days_since_epoch() - first.days_since_epoch())
        .map(|n| first.add_days(n))
        .collect()
}

#[test]
fn the_helper_converts_local_times() {
    assert_eq!(cst("2026-01-01 00:00").utc_ms, 1_767_196_800_000);
}

#[test]
fn the_shipped_notices_pass_the_checks_and_cover_2025_and_2026() {
    let parsed = WorkCalendar::parse(include_str!("../calendar/cn_holidays.json")).unwrap();
    assert_eq!(&parsed, china());
    assert_eq!(china().version(), 1);
    assert!(china().covers(2025) && china().covers(2026));
    assert!(!china().covers(2024) && !china().covers(2027));
    let years: Vec<i32> = china().notices().map(|n| n.year).collect();
    assert_eq!(years, [2025, 2026]);
    for notice in china().notices() {
        assert!(notice.title.starts_with(&format!(
            "国务院办公厅关于{}年部分节假日安排的通知",
            notice.year
        )));
        assert!(notice.url.starts_with("https://www.gov.cn/"));
        assert_eq!(notice.published.year(), notice.year - 1);
    }
}

#[test]
fn a_holiday_file_that_breaks_a_rule_is_refused() {
    let year = |y: i32, off: &str, worked: &str| {
        format!(
            r#"{{"year": {y}, "notice": "n", "url": "u", "published": "{}-11-01",
                "days_off": [{{"name": "x", "first": "{off}", "last": "{off}"}}],
                "make_up_working_days": [{worked}]}}"#,
            y - 1
        )
    };
    let file = |years: &[String]| {
        format!(
            r#"{{"about": "", "version": 1, "years": [{}]}}"#,
            years.join(",")
        )
    };
    let good = year(2030, "2030-01-01", r#""2030-01-05""#);
    assert!(WorkCalendar::parse(&file(std::slice::from_ref(&good))).is_ok());
    let bad = [
        // A make-up day on a Monday.
        file(&[year(2030, "2030-01-01", r#""2030-01-07""#)]),
        // A day off in another year.
        file(&[year(2030, "2031-01-01", "")]),
        // A day both off and worked.
        file(&[year(2030, "2030-01-05", r#""2030-01-05""#)]),
        // A gap between years.
        file(&[good.clone(), year(2032, "2032-01-01", "")]),
        // Not a date.
        file(&[year(2030, "2030-02-30", "")]),
        // A misspelt field.
        file(&[good.replace("make_up_working_days", "make_up_days")]),
    ];
    for text in bad {
        assert!(WorkCalendar::parse(&text).is_err(), "{text}");
    }
}

#[test]
fn the_2025_notice_moves_weekends_around_the_spring_festival_and_national_day() {
    assert_eq!(
        working(&[
            "2025-01-01",
            "2025-01-26",
            "2025-02-08",
            "2025-04-27",
            "2025-09-28",
            "2025-10-11"
        ]),
        [false, true, true, true, true, true]
    );
    for day in every_day("2025-01-28", "2025-02-04")
        .into_iter()
        .chain(every_day("2025-10-01", "2025-10-08"))
    {
        assert!(!china().is_working_day(day), "{day}");
    }
    // Ordinary days around them: a Monday works, a Sunday does not.
    assert_eq!(
        working(&["2025-02-10", "2025-02-09", "2025-10-09", "2025-10-12"]),
        [true, false, true, false]
    );
    assert_eq!(
        china().holiday_name(d("2025-10-08")),
        Some("国庆节、中秋节")
    );
    assert_eq!(china().holiday_name(d("2025-01-26")), None);
}

#[test]
fn the_2026_notice_moves_weekends_around_its_holidays() {
    assert_eq!(
        working(&[
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10"
        ]),
        [true, true, true, true, true, true]
    );
    for (first, last) in [
        ("2026-01-01", "2026-01-03"),
        ("2026-02-15", "2026-02-23"),
        ("2026-04-04", "2026-04-06"),
        ("2026-05-01", "2026-05-05"),
        ("2026-06-19", "2026-06-21"),
        ("2026-09-25", "2026-09-27"),
        ("2026-10-01", "2026-10-07"),
    ] {
        for day in every_day(first, last) {
            assert!(!china().is_working_day(day), "{day}");
        }
    }
    // National Day 2026 ends on the 7th: Thursday the 8th and Friday the 9th work.
    assert_eq!(
        working(&["2026-10-08", "2026-10-09", "2026-10-11"]),
        [true, true, false]
    );
    assert_eq!(china().holiday_name(d("2026-02-17")), Some("春节"));
}

#[test]
fn a_year_without_a_notice_counts_monday_to_friday() {
    // 2027-01-01 is a Friday: its holiday is not known yet, so it counts.
    assert_eq!(
        working(&["2027-01-01", "2027-01-02", "2027-01-03", "2024-10-01"]),
        [true, false, false, true]
    );
    let plain = WorkCalendar::weekdays();
    assert!(!plain.covers(2026) && plain.version() == 0);
    assert!(plain.is_working_day(d("2026-10-01")) && !plain.is_working_day(d("2026-10-10")));
}

#[test]
fn working_days_between_counts_the_days_after_from_through_to() {
    let between = |a, b| china().working_days_between(d(a), d(b));
    assert_eq!(between("2026-09-30", "2026-10-10"), 3);
    // Sun 26 Jan works, the festival does not, Sat 8 Feb works.
    assert_eq!(between("2025-01-24", "2025-02-10"), 7);
    assert_eq!(between("2026-03-06", "2026-03-06"), 0);
    assert_eq!(between("2026-03-09", "2026-03-06"), 0);
    // Across the edge of the data: 2026-12-31 (Thu) and 2027-01-01 (Fri).
    assert_eq!(between("2026-12-30", "2027-01-03"), 2);
}
