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

use geo::{
    Area, Centroid, Coord, Distance, Haversine, Intersects, LineString, MultiPoint, Point, Polygon,
    Validation,
};

use crate::values::GeoPoint;

mod coords;
mod route;

pub use coords::{CoordSystem, convert, coord_system, in_china};
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

/// The centre of some points (a building's households, a checkpoint's
/// fixes); `None` for none.
pub fn centroid(points: &[GeoPoint]) -> Option<GeoPoint> {
    let points: MultiPoint<f64> = points.iter().map(|p| point(*p)).collect();
    points.centroid().map(|c| GeoPoint {
        lon: c.x(),
        lat: c.y(),
    })
}

/// The ring as a polygon: closed (the last point joined to the first), a
/// repeated closing point dropped.
fn polygon(ring: &[GeoPoint]) -> Polygon<f64> {
    let mut coords: Vec<Coord<f64>> = ring.iter().map(|p| Coord { x: p.lon, y: p.lat }).collect();
    if coords.len() > 1 && coords.first() == coords.last() {
        coords.pop();
    }
    Polygon::new(LineString::from(coords), vec![])
}

/// Whether `ring` is a simple closed ring: at least 3 distinct points,
/// enclosing an area, and never crossing or touching itself (the last
/// point is joined back to the first; a closing copy of the first point
/// may be given or not).
pub fn is_simple_ring(ring: &[GeoPoint]) -> bool {
    let polygon = polygon(ring);
    // Validation alone accepts a ring of points on one line; 1e-12 square
    // degrees is about a hundredth of a square metre.
    polygon.exterior().0.len() >= 4 && polygon.unsigned_area() > 1e-12 && polygon.is_valid()
}

/// Whether `p` lies inside `ring` or on its edge.
pub fn ring_contains(ring: &[GeoPoint], p: GeoPoint) -> bool {
    polygon(ring).intersects(&point(p))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ring(points: &[(f64, f64)]) -> Vec<GeoPoint> {
        points
            .iter()
            .map(|&(lon, lat)| GeoPoint { lon, lat })
            .collect()
    }

    #[test]
    fn a_boundary_must_be_a_simple_ring() {
        let square = ring(&[
            (120.0, 30.0),
            (120.01, 30.0),
            (120.01, 30.01),
            (120.0, 30.01),
        ]);
        assert!(is_simple_ring(&square));
        let closed = [square.clone(), vec![square[0]]].concat();
        assert!(is_simple_ring(&closed));
        // A bow tie crosses itself.
        let bow_tie = ring(&[
            (120.0, 30.0),
            (120.01, 30.01),
            (120.01, 30.0),
            (120.0, 30.01),
        ]);
        assert!(!is_simple_ring(&bow_tie));
        // Collinear, repeated or too few points enclose nothing.
        assert!(!is_simple_ring(&ring(&[
            (120.0, 30.0),
            (120.01, 30.0),
            (120.02, 30.0)
        ])));
        assert!(!is_simple_ring(&ring(&[
            (120.0, 30.0),
            (120.0, 30.0),
            (120.01, 30.0)
        ])));
        assert!(!is_simple_ring(&ring(&[(120.0, 30.0), (120.01, 30.0)])));
        assert!(!is_simple_ring(&[]));
        assert!(ring_contains(
            &square,
            GeoPoint {
                lon: 120.005,
                lat: 30.005
            }
        ));
        assert!(
            ring_contains(
                &square,
                GeoPoint {
                    lon: 120.0,
                    lat: 30.005
                }
            ),
            "on the edge"
        );
        assert!(!ring_contains(
            &square,
            GeoPoint {
                lon: 120.02,
                lat: 30.005
            }
        ));
    }

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

    #[test]
    fn the_centroid_of_points_is_their_centre() {
        let c = centroid(&ring(&[(120.0, 30.0), (120.02, 30.0), (120.01, 30.03)])).unwrap();
        assert!(
            (c.lon - 120.01).abs() < 1e-12 && (c.lat - 30.01).abs() < 1e-12,
            "{c:?}"
        );
        assert_eq!(centroid(&[]), None);
    }
}
