//! Small readers for the column shapes the query tables share: dates as
//! `YYYY-MM-DD` text, points as two nullable columns, lists as
//! comma-separated text, counts as the API's `i32`. A value a replica wrote that does not read is
//! returned as empty, never as an error (see `project.rs`).

use crate::validate::Date;
use crate::values::GeoPoint;

/// A `YYYY-MM-DD` column.
pub(crate) fn date(text: Option<String>) -> Option<Date> {
    text.and_then(|t| Date::parse(&t).ok())
}

/// A point stored as `lon` and `lat` columns.
pub(crate) fn point(lon: Option<f64>, lat: Option<f64>) -> Option<GeoPoint> {
    match (lon, lat) {
        (Some(lon), Some(lat)) => Some(GeoPoint { lon, lat }),
        _ => None,
    }
}

/// A comma-separated list column.
pub(crate) fn split_list(text: Option<String>) -> Vec<String> {
    text.map(|t| {
        t.split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}

/// A count column as the API's `i32` (Kotlin `Int`, Swift `Int32`),
/// saturating: a count never wraps into a negative number.
pub(crate) fn saturating_i32(n: i64) -> i32 {
    i32::try_from(n.max(0)).unwrap_or(i32::MAX)
}
