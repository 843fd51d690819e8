//! Geometry of the grid on the ground: distances between WGS-84 points, the
//! coordinate systems Chinese map SDKs draw in (`coords.rs`), and the order
//! to walk a day's buildings in (`route.rs`). Pure functions in the values
//! layer: no table, no document. The store's map, GPS checks and walking
//! route build on them.
//!
//! Geometry goes through the `geo` crate (great-circle distances here);
//! Gridbook's own [`GeoPoint`] stays the type at the API, converted at the
//! boundary of this module.
//!
//! To add a geometric function: write it here (or in a file of its own
//! when it grows), taking and returning [`GeoPoint`], with tests on real
//! coordinates of a grid.

use geo::{Distance, Haversine, Point};

use crate::values::GeoPoint;

mod coords;
mod route;

pub use coords::{CoordSystem, convert, in_china};
pub use route::walking_order;

/// The great-circle distance between two points, in metres (haversine on
/// the mean Earth radius: within 0.5 % of the ellipsoid, far below GPS
/// error at a grid's scale).
pub fn distance_m(a: GeoPoint, b: GeoPoint) -> f64 {
    Haversine.distance(point(a), point(b))
}

fn point(p: GeoPoint) -> Point<f64> {
    Point::new(p.lon, p.lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_match_known_ones() {
        // One hundredth of a degree of latitude is about 1.11 km anywhere.
        let a = GeoPoint {
            lon: 120.15,
            lat: 30.28,
        };
        let north = GeoPoint { lat: 30.29, ..a };
        let d = distance_m(a, north);
        assert!((d - 1_111.95).abs() < 0.5, "{d}");
        // And a hundredth of a degree of longitude shrinks with cos(latitude).
        let east = GeoPoint { lon: 120.16, ..a };
        let d = distance_m(a, east);
        assert!(
            (d - 1_111.95 * 30.28_f64.to_radians().cos()).abs() < 1.0,
            "{d}"
        );
        assert_eq!(distance_m(a, a), 0.0);
    }
}
