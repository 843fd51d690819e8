//! GPS sanity: a visit whose fix is farther than a distance (150 m by
//! default) from its household (the household's own location, else its
//! building's), or a visit or patrol check-in whose fix lies outside the
//! grid's boundary, is listed for review with the distance. Nothing is
//! ever refused for its fix: between tall buildings GPS is often tens of
//! metres off, and a worker must never lose a visit to it. Check-ins are
//! checked against the boundary only: checkpoints are named, not placed.
//!
//! To check another record kind: select its fixes in a query like those
//! below and push its flags; [`GpsFlag::kind`] tells them apart.

use rusqlite::params;

use crate::error::{Error, Result};
use crate::kinds::RecordKind;
use crate::spatial::{distance_m, ring_contains};
use crate::store::Store;
use crate::validate::{Date, InvalidReason};
use crate::values::{GeoPoint, GpsFix, Timestamp};

/// The distance past which a visit's fix is listed, by default.
pub const DEFAULT_GPS_REVIEW_METRES: f64 = 150.0;

/// The farthest distance a caller may set: beyond a few kilometres the
/// check says nothing about a grid.
const MAX_REVIEW_METRES: f64 = 10_000.0;

/// A visit or check-in whose GPS fix does not fit where it was made.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GpsFlag {
    /// `Visit` or `Checkin`.
    pub kind: RecordKind,
    /// The visit's or check-in's id.
    pub record_id: String,
    /// Who made it: the visit's worker, the check-in's patrol member.
    pub worker_id: String,
    /// When.
    pub at: Timestamp,
    /// The fix as recorded.
    pub fix: GpsFix,
    /// Metres from the household (a visit whose household or building has
    /// a location); `None` otherwise.
    pub distance_m: Option<f64>,
    /// Whether the fix lies outside the grid's boundary (false when the
    /// grid has none drawn).
    pub outside_boundary: bool,
}

/// One record's fix with where it should have been.
struct Fix {
    kind: RecordKind,
    id: String,
    worker_id: String,
    at: Timestamp,
    fix: GpsFix,
    expected: Option<GeoPoint>,
}

impl Fix {
    /// The columns both queries start with: id, worker, instant, offset,
    /// lon, lat, accuracy; no expected place.
    fn read(r: &rusqlite::Row, kind: RecordKind) -> rusqlite::Result<Fix> {
        Ok(Fix {
            kind,
            id: r.get(0)?,
            worker_id: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            at: Timestamp {
                utc_ms: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                offset_minutes: r.get::<_, Option<i32>>(3)?.unwrap_or(0),
            },
            fix: GpsFix {
                point: GeoPoint {
                    lon: r.get(4)?,
                    lat: r.get(5)?,
                },
                accuracy_m: r.get::<_, Option<f64>>(6)?.unwrap_or(0.0),
            },
            expected: None,
        })
    }
}

impl Store {
    /// The visits and patrol check-ins of a grid on the local dates
    /// `from..=to` whose GPS fix is farther than `max_distance_m` (default
    /// 150 m) from the household visited, or outside the grid's boundary;
    /// oldest first. For review only: no record is changed or refused.
    pub fn gps_review(
        &self,
        grid_id: &str,
        from: Date,
        to: Date,
        max_distance_m: Option<f64>,
    ) -> Result<Vec<GpsFlag>> {
        if to < from {
            return Err(Error::invalid("to", InvalidReason::EndsBeforeStart));
        }
        let limit = max_distance_m.unwrap_or(DEFAULT_GPS_REVIEW_METRES);
        if !limit.is_finite() || limit <= 0.0 || limit > MAX_REVIEW_METRES {
            return Err(Error::invalid("max_distance_m", InvalidReason::OutOfRange));
        }
        let boundary = self
            .grids()?
            .into_iter()
            .find(|g| g.id == grid_id)
            .and_then(|g| g.boundary);
        let fixes = self.read(|conn| {
            let point = |lon: Option<f64>, lat: Option<f64>| match (lon, lat) {
                (Some(lon), Some(lat)) => Some(GeoPoint { lon, lat }),
                _ => None,
            };
            let mut fixes: Vec<Fix> = conn
                .prepare_cached(
                    "SELECT v.id, v.worker_id, v.at_ms, v.offset_min, v.lon, v.lat, v.accuracy_m,
                            coalesce(h.lon, b.lon), coalesce(h.lat, b.lat)
                     FROM visits v
                     LEFT JOIN households h ON h.id = v.household_id
                     LEFT JOIN buildings b ON b.id = h.building_id
                     WHERE v.grid_id = ?1 AND v.local_date BETWEEN ?2 AND ?3
                       AND v.lon IS NOT NULL AND v.lat IS NOT NULL",
                )?
                .query_map(params![grid_id, from.to_string(), to.to_string()], |r| {
                    Ok(Fix {
                        expected: point(r.get(7)?, r.get(8)?),
                        ..Fix::read(r, RecordKind::Visit)?
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let checkins = conn
                .prepare_cached(
                    "SELECT id, member_id, at_ms, offset_min, lon, lat, accuracy_m
                     FROM checkins
                     WHERE grid_id = ?1 AND lon IS NOT NULL AND lat IS NOT NULL",
                )?
                .query_map([grid_id], |r| Fix::read(r, RecordKind::Checkin))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            // Check-ins keep no local date column: their instant and offset give it.
            fixes.extend(checkins.into_iter().filter(|c| {
                let day = c.at.local_date();
                from <= day && day <= to
            }));
            Ok(fixes)
        })?;
        let mut flags: Vec<GpsFlag> = fixes
            .into_iter()
            .filter_map(|fix| {
                let distance = fix.expected.map(|place| distance_m(place, fix.fix.point));
                let outside = boundary
                    .as_deref()
                    .is_some_and(|ring| !ring_contains(ring, fix.fix.point));
                let far = distance.is_some_and(|d| d > limit);
                (far || outside).then_some(GpsFlag {
                    kind: fix.kind,
                    record_id: fix.id,
                    worker_id: fix.worker_id,
                    at: fix.at,
                    fix: fix.fix,
                    distance_m: distance,
                    outside_boundary: outside,
                })
            })
            .collect();
        flags.sort_by(|a, b| (a.at.utc_ms, &a.record_id).cmp(&(b.at.utc_ms, &b.record_id)));
        Ok(flags)
    }
}
