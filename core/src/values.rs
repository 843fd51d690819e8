//! Value types that several record kinds share: WGS-84 points, GPS fixes
//! and instants with their local offset, and the checks every kind applies
//! to them. A value type used by one kind only belongs in that kind's module.

use crate::error::{Error, FieldCheck, Result};
use crate::validate::{self, Date, InvalidReason};

/// A point in WGS-84, as phones' GPS report it (not GCJ-02; convert for display on Chinese maps).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GeoPoint {
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
}

/// A GPS fix: a WGS-84 point and its accuracy.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GpsFix {
    /// Where the phone was.
    pub point: GeoPoint,
    /// The radius of the fix's uncertainty, in metres.
    pub accuracy_m: f64,
}

/// An instant with the local UTC offset it was recorded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Timestamp {
    /// Milliseconds since 1970-01-01T00:00Z.
    pub utc_ms: i64,
    /// The local offset from UTC in minutes (China: +480).
    pub offset_minutes: i32,
}

impl Timestamp {
    /// The local calendar date of this instant.
    pub fn local_date(&self) -> Date {
        Date::from_unix_millis(self.utc_ms, self.offset_minutes)
    }
}

/// How far ahead of this device's clock a recorded time may be (clocks drift).
pub(crate) const CLOCK_SKEW_MS: i64 = 60 * 60 * 1000;

/// The current time in UTC milliseconds.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Checks a point given for the fields `field_lon` and `field_lat`.
pub(crate) fn check_point(
    point: Option<GeoPoint>,
    field_lon: &'static str,
    field_lat: &'static str,
) -> Result<Option<GeoPoint>> {
    match point {
        None => Ok(None),
        Some(p) => Ok(Some(GeoPoint {
            lon: validate::longitude(p.lon).field(field_lon)?,
            lat: validate::latitude(p.lat).field(field_lat)?,
        })),
    }
}

/// Checks an optional free text given for `field`: absent or blank is
/// `None`, anything else must pass [`validate::text`].
pub(crate) fn optional_text(
    value: Option<&str>,
    max_chars: usize,
    field: &'static str,
) -> Result<Option<String>> {
    value
        .map(|v| validate::optional_text(v, max_chars))
        .transpose()
        .field(field)
        .map(Option::flatten)
}

/// Checks a recorded instant: a valid offset, not in the future beyond clock
/// drift, not before the system existed.
pub(crate) fn check_time(at: Timestamp, field: &'static str) -> Result<Timestamp> {
    validate::utc_offset_minutes(at.offset_minutes).field("offset_minutes")?;
    if at.utc_ms > now_ms() + CLOCK_SKEW_MS {
        return Err(Error::invalid(field, InvalidReason::InFuture));
    }
    // 2000-01-01: nothing in a grid's records is older than the system.
    if at.utc_ms < 946_684_800_000 {
        return Err(Error::invalid(field, InvalidReason::TooOld));
    }
    Ok(at)
}

/// Checks a GPS fix: its point and its accuracy.
pub(crate) fn check_gps(gps: Option<GpsFix>) -> Result<Option<GpsFix>> {
    match gps {
        None => Ok(None),
        Some(fix) => Ok(Some(GpsFix {
            point: check_point(Some(fix.point), "gps.lon", "gps.lat")?.unwrap_or(fix.point),
            accuracy_m: validate::accuracy_metres(fix.accuracy_m).field("gps.accuracy_m")?,
        })),
    }
}
