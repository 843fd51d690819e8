//! Deadlines and warning lights with exact expected instants, on the
//! calendar's known dates, and their properties over random starts.

use super::calendar::{at, china, cst};
use crate::WarningLight;
use crate::calendar::{self, MAX_LIMIT_HOURS, MAX_LIMIT_WORKING_DAYS};
use crate::{Date, Error, InvalidReason, OfficeHours, TimeLimit, TimeOfDay, Timestamp};

fn due(start: Timestamp, limit: TimeLimit) -> Timestamp {
    calendar::deadline(start, limit, china(), &OfficeHours::default()).unwrap()
}

fn refused_field(result: crate::Result<Timestamp>) -> (&'static str, InvalidReason) {
    match result {
        Err(Error::Invalid { field, reason }) => (field, reason),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn three_working_days_from_the_eve_of_national_day_end_on_the_make_up_saturday() {
    let end = due(cst("2026-09-30 16:00"), TimeLimit::WorkingDays { days: 3 });
    assert_eq!(end, cst("2026-10-10 17:30"));
}

#[test]
fn the_start_day_never_counts_and_a_day_off_counts_from_the_next_working_day() {
    let one = TimeLimit::WorkingDays { days: 1 };
    assert_eq!(due(cst("2026-03-06 09:00"), one), cst("2026-03-09 17:30"));
    assert_eq!(due(cst("2026-03-06 20:00"), one), cst("2026-03-09 17:30"));
    assert_eq!(due(cst("2026-03-07 10:00"), one), cst("2026-03-09 17:30"));
    assert_eq!(due(cst("2025-01-29 10:00"), one), cst("2025-02-05 17:30"));
    // Friday before the festival: the make-up Saturday is day 1.
    assert_eq!(due(cst("2026-02-13 10:00"), one), cst("2026-02-14 17:30"));
}

#[test]
fn zero_working_days_is_the_close_of_the_same_working_day() {
    let zero = TimeLimit::WorkingDays { days: 0 };
    assert_eq!(due(cst("2026-03-06 10:00"), zero), cst("2026-03-06 17:30"));
    assert_eq!(due(cst("2026-03-06 17:30"), zero), cst("2026-03-06 17:30"));
    assert_eq!(due(cst("2026-03-06 18:00"), zero), cst("2026-03-09 17:30"));
    assert_eq!(due(cst("2026-03-07 10:00"), zero), cst("2026-03-09 17:30"));
}

#[test]
fn working_hours_run_only_in_office_hours_of_working_days() {
    let wh = |hours| TimeLimit::WorkingHours { hours };
    assert_eq!(due(cst("2026-01-30 16:00"), wh(4)), cst("2026-02-02 11:00"));
    // Through lunch; an end at noon stays at noon.
    assert_eq!(due(cst("2026-03-09 11:00"), wh(2)), cst("2026-03-09 14:30"));
    assert_eq!(due(cst("2026-03-09 10:00"), wh(2)), cst("2026-03-09 12:00"));
    assert_eq!(due(cst("2026-03-09 12:30"), wh(1)), cst("2026-03-09 14:30"));
    assert_eq!(due(cst("2026-03-09 07:00"), wh(1)), cst("2026-03-09 09:30"));
    // Friday before the festival runs on into the make-up Saturday.
    assert_eq!(due(cst("2026-02-13 17:00"), wh(1)), cst("2026-02-14 09:00"));
    // After the make-up Saturday the festival; 7.5 hours a day.
    assert_eq!(due(cst("2026-02-14 08:30"), wh(8)), cst("2026-02-24 09:00"));
    assert_eq!(due(cst("2026-03-09 11:00"), wh(0)), cst("2026-03-09 11:00"));
}

#[test]
fn calendar_hours_run_through_nights_and_holidays() {
    assert_eq!(
        due(cst("2026-10-01 23:00"), TimeLimit::Hours { hours: 2 }),
        cst("2026-10-02 01:00")
    );
    assert_eq!(
        due(cst("2026-02-15 09:15"), TimeLimit::Hours { hours: 24 }),
        cst("2026-02-16 09:15")
    );
}

#[test]
fn a_start_in_another_offset_is_counted_on_its_own_clock_and_keeps_it() {
    let three = TimeLimit::WorkingDays { days: 3 };
    assert_eq!(
        due(at("2026-09-30 16:00", 0), three),
        at("2026-10-10 17:30", 0)
    );
    // One instant: Saturday 01:00 in Beijing, Friday 12:00 in New York.
    let instant = cst("2026-01-31 01:00").utc_ms;
    let zero = TimeLimit::WorkingDays { days: 0 };
    let ny = Timestamp {
        utc_ms: instant,
        offset_minutes: -300,
    };
    assert_eq!(due(ny, zero), at("2026-01-30 17:30", -300));
    let beijing = Timestamp {
        utc_ms: instant,
        offset_minutes: 480,
    };
    assert_eq!(due(beijing, zero), cst("2026-02-02 17:30"));
}

#[test]
fn limits_out_of_range_are_refused_naming_limit() {
    let start = cst("2026-03-09 10:00");
    let try_due = |limit| calendar::deadline(start, limit, china(), &OfficeHours::default());
    let out = ("limit", InvalidReason::OutOfRange);
    assert_eq!(
        refused_field(try_due(TimeLimit::Hours {
            hours: MAX_LIMIT_HOURS + 1
        })),
        out
    );
    assert_eq!(
        refused_field(try_due(TimeLimit::WorkingDays {
            days: MAX_LIMIT_WORKING_DAYS + 1
        })),
        out
    );
    assert_eq!(
        refused_field(try_due(TimeLimit::WorkingHours { hours: -1 })),
        out
    );
    assert_eq!(
        refused_field(try_due(TimeLimit::WorkingDays { days: i32::MIN })),
        out
    );
    for limit in [
        TimeLimit::Hours {
            hours: MAX_LIMIT_HOURS,
        },
        TimeLimit::WorkingDays {
            days: MAX_LIMIT_WORKING_DAYS,
        },
        TimeLimit::WorkingHours {
            hours: MAX_LIMIT_HOURS,
        },
    ] {
        assert!(try_due(limit).unwrap() > start);
    }
}

#[test]
fn bad_office_hours_and_starts_are_refused_naming_the_field() {
    let t = |text| TimeOfDay::parse(text).unwrap();
    let hours = OfficeHours::default();
    assert_eq!(
        (
            hours.opens,
            hours.lunch_starts,
            hours.lunch_ends,
            hours.closes
        ),
        (t("08:30"), t("12:00"), t("13:30"), t("17:30"))
    );
    let limit = TimeLimit::WorkingHours { hours: 1 };
    let start = cst("2026-03-09 10:00");
    let with =
        |hours: OfficeHours| refused_field(calendar::deadline(start, limit, china(), &hours));
    let cases = [
        (
            OfficeHours {
                closes: t("08:30"),
                ..hours
            },
            "hours.closes",
            InvalidReason::EndsBeforeStart,
        ),
        (
            OfficeHours {
                lunch_starts: t("08:00"),
                ..hours
            },
            "hours.lunch_starts",
            InvalidReason::OutOfRange,
        ),
        (
            OfficeHours {
                lunch_ends: t("11:00"),
                ..hours
            },
            "hours.lunch_ends",
            InvalidReason::EndsBeforeStart,
        ),
        (
            OfficeHours {
                lunch_ends: t("18:00"),
                ..hours
            },
            "hours.lunch_ends",
            InvalidReason::OutOfRange,
        ),
        (
            OfficeHours {
                lunch_starts: t("08:40"),
                lunch_ends: t("17:00"),
                ..hours
            },
            "hours",
            InvalidReason::OutOfRange,
        ),
    ];
    for (bad, field, reason) in cases {
        assert_eq!(with(bad), (field, reason));
    }
    let no_lunch = OfficeHours {
        lunch_starts: t("12:00"),
        lunch_ends: t("12:00"),
        ..hours
    };
    assert_eq!(
        calendar::deadline(start, limit, china(), &no_lunch).unwrap(),
        cst("2026-03-09 11:00")
    );
    let try_start = |start| refused_field(calendar::deadline(start, limit, china(), &hours));
    let bad_offset = Timestamp {
        offset_minutes: 900,
        ..start
    };
    assert_eq!(
        try_start(bad_offset),
        ("start.offset_minutes", InvalidReason::OutOfRange)
    );
    assert_eq!(
        try_start(cst("1999-12-31 10:00")),
        ("start", InvalidReason::OutOfRange)
    );
    assert_eq!(
        try_start(Timestamp {
            utc_ms: i64::MAX,
            ..start
        }),
        ("start", InvalidReason::OutOfRange)
    );
}

#[test]
fn the_warning_light_turns_yellow_in_the_last_third_and_red_once_overdue() {
    let start = cst("2026-03-09 10:00");
    let deadline = cst("2026-03-09 11:40"); // 100 minutes allowed
    let light = |now: Timestamp| calendar::warning_light(start, deadline, now);
    let minus = |ms: i64| Timestamp {
        utc_ms: deadline.utc_ms - ms,
        ..deadline
    };
    assert_eq!(light(cst("2026-03-09 09:00")), WarningLight::Green);
    assert_eq!(light(start), WarningLight::Green);
    assert_eq!(light(minus(33 * 60_000)), WarningLight::Green);
    assert_eq!(light(minus(33 * 60_000 - 1)), WarningLight::Yellow);
    assert_eq!(light(deadline), WarningLight::Yellow);
    assert_eq!(light(minus(-1)), WarningLight::Red);
    let quarter = |now| calendar::warning_light_with(start, deadline, now, 25);
    assert_eq!(quarter(minus(25 * 60_000)), WarningLight::Green);
    assert_eq!(quarter(minus(25 * 60_000 - 1)), WarningLight::Yellow);
    // Offsets do not matter, only instants.
    let elsewhere = Timestamp {
        offset_minutes: 0,
        ..minus(60_000)
    };
    assert_eq!(light(elsewhere), WarningLight::Yellow);
    // No time allowed: yellow until it passes.
    assert_eq!(
        calendar::warning_light(start, start, start),
        WarningLight::Yellow
    );
}

#[test]
fn the_warning_light_is_a_code_list() {
    use crate::codes::CodeList;
    let codes: Vec<_> = WarningLight::ALL
        .iter()
        .map(|l| (l.code(), l.label()))
        .collect();
    assert_eq!(
        codes,
        [("green", "绿灯"), ("yellow", "黄灯"), ("red", "红灯")]
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Starts from 2024 to 2028, so both covered and uncovered years occur.
    fn start() -> impl Strategy<Value = Timestamp> {
        (1_704_067_200_000i64..1_830_297_600_000, -720i32..=840).prop_map(
            |(utc_ms, offset_minutes)| Timestamp {
                utc_ms,
                offset_minutes,
            },
        )
    }

    fn limits(n: i32) -> [TimeLimit; 3] {
        [
            TimeLimit::Hours { hours: n },
            TimeLimit::WorkingDays { days: n },
            TimeLimit::WorkingHours { hours: n },
        ]
    }

    proptest! {
        #[test]
        fn a_deadline_is_never_before_its_start_and_grows_with_the_limit(start in start(), n in 0i32..300) {
            for (shorter, longer) in limits(n).into_iter().zip(limits(n + 1)) {
                let (a, b) = (due(start, shorter), due(start, longer));
                prop_assert!(a.utc_ms >= start.utc_ms && a.utc_ms <= b.utc_ms);
                prop_assert_eq!(a.offset_minutes, start.offset_minutes);
            }
        }

        #[test]
        fn working_days_land_at_the_close_of_the_nth_working_day(start in start(), n in 1i32..300) {
            let end = due(start, TimeLimit::WorkingDays { days: n });
            let day = end.local_date();
            prop_assert!(china().is_working_day(day));
            prop_assert_eq!(china().working_days_between(start.local_date(), day), i64::from(n));
            let local_minutes = (end.utc_ms + i64::from(end.offset_minutes) * 60_000).rem_euclid(86_400_000) / 60_000;
            prop_assert_eq!(local_minutes, 17 * 60 + 30);
        }

        #[test]
        fn working_days_between_counts_day_by_day(from in 19_700i64..21_200, span in 0i64..800) {
            let from = Date::from_days_since_epoch(from);
            let to = from.add_days(span);
            let counted = (1..=span).filter(|n| china().is_working_day(from.add_days(*n))).count();
            prop_assert_eq!(china().working_days_between(from, to), counted as i64);
        }
    }
}
