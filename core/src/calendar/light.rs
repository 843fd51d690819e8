//! The warning light of an event's time left (红黄绿灯督办).

use crate::code_list::code_enum;
use crate::values::Timestamp;

/// The share of the allowed time, in percent, below which the time left is
/// shown yellow by [`warning_light`]: the last third, so that a limit of
/// three working days turns yellow in the afternoon of the day before.
pub const DEFAULT_YELLOW_PERCENT: i32 = 33;

code_enum! {
    /// How much time an event has left (红黄绿灯): green while more than a
    /// share of its allowed time is left, yellow in that last share, red once
    /// it is overdue. Computed, never stored.
    WarningLight, fallback Red, {
        /// More than the yellow share of the allowed time is left.
        Green = "green", "绿灯";
        /// Less than the yellow share is left, or none; not overdue yet.
        Yellow = "yellow", "黄灯";
        /// The deadline has passed.
        Red = "red", "红灯";
    }
}

/// The light of an event started at `start` and due at `deadline`, at
/// `now`, with yellow in the last [`DEFAULT_YELLOW_PERCENT`] percent of the
/// allowed time.
pub fn warning_light(start: Timestamp, deadline: Timestamp, now: Timestamp) -> WarningLight {
    warning_light_with(start, deadline, now, DEFAULT_YELLOW_PERCENT)
}

/// The light of an event, yellow once less than `yellow_percent` (clamped to
/// 0..=100) of the time from `start` to `deadline` is left. The time is
/// elapsed time, nights and holidays included. Red strictly after the
/// deadline; at the deadline itself, or when no time was allowed, yellow.
pub fn warning_light_with(
    start: Timestamp,
    deadline: Timestamp,
    now: Timestamp,
    yellow_percent: i32,
) -> WarningLight {
    if now.utc_ms > deadline.utc_ms {
        return WarningLight::Red;
    }
    let left = i128::from(deadline.utc_ms) - i128::from(now.utc_ms);
    let allowed = i128::from(deadline.utc_ms) - i128::from(start.utc_ms);
    let percent = i128::from(yellow_percent.clamp(0, 100));
    if left == 0 || allowed <= 0 || left * 100 < allowed * percent {
        WarningLight::Yellow
    } else {
        WarningLight::Green
    }
}
