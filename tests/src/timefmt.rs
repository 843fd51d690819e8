//! Turning store times into text for terminals: local date and time of a
//! [`Timestamp`], and the current instant as one.
//!
//! To add a format, build it from [`local_parts`] so that every printout
//! uses the offset the time was recorded in.

use gridbook::{Date, Timestamp};

const MS_PER_DAY: i64 = 86_400_000;

/// The current instant in UTC milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The current instant in China Standard Time (+480).
pub fn now_china() -> Timestamp {
    Timestamp {
        utc_ms: now_ms(),
        offset_minutes: 480,
    }
}

/// The instant at `minutes` after local midnight of `date`, at `offset_minutes`.
pub fn local_instant(date: Date, minutes: i64, offset_minutes: i32) -> Timestamp {
    let midnight_utc = date.days_since_epoch() * MS_PER_DAY - i64::from(offset_minutes) * 60_000;
    Timestamp {
        utc_ms: midnight_utc + minutes * 60_000,
        offset_minutes,
    }
}

/// The local date and the hour and minute of a time.
pub fn local_parts(at: Timestamp) -> (Date, i64, i64) {
    let local_ms = at.utc_ms + i64::from(at.offset_minutes) * 60_000;
    let minute_of_day = local_ms.rem_euclid(MS_PER_DAY) / 60_000;
    (at.local_date(), minute_of_day / 60, minute_of_day % 60)
}

/// "YYYY-MM-DD HH:MM" in the time's own offset.
pub fn format_local(at: Timestamp) -> String {
    let (date, hour, minute) = local_parts(at);
    format!("{date} {hour:02}:{minute:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_instant_round_trips() {
        let date = Date::new(2024, 3, 5);
        assert!(date.is_some());
        if let Some(date) = date {
            let at = local_instant(date, 18 * 60 + 30, 480);
            assert_eq!(format_local(at), "2024-03-05 18:30");
            assert_eq!(at.local_date(), date);
        }
    }
}
