//! Coordinate systems of Chinese maps. Phones' GPS gives WGS-84 (CGCS2000,
//! China's own datum, is within centimetres of it at a grid's scale), and
//! Gridbook stores WGS-84 only. Amap (高德) and Tencent maps draw in GCJ-02,
//! the state's obfuscated system, and Baidu maps in BD-09, a further shift
//! of GCJ-02. [`convert`] moves a point between them for display.
//!
//! The formulas are the public ones every Chinese map integration uses
//! (the Krasovsky 1940 ellipsoid constants and the two trigonometric
//! series); the tests check them against the published vectors of the
//! widely used `coordtransform` libraries. GCJ-02 has no closed-form
//! inverse, and the published BD-09 inverse is approximate: [`convert`]
//! finishes both by fixed-point iteration to under a millimetre, where
//! those libraries stop after one step (centimetres off), so a point
//! converted there and back is the point. Outside China's rough bounding
//! box the obfuscation does not apply and a point is returned unchanged.
//!
//! To add a system: a variant of [`CoordSystem`], its conversion to and
//! from WGS-84 in [`to_wgs84`] and [`from_wgs84`], and a test vector.

use crate::code_list::code_enum;
use crate::values::GeoPoint;

code_enum!(
    /// A geographic coordinate system a map SDK draws in.
    CoordSystem, fallback Wgs84, {
        /// WGS-84, as GPS gives it and Gridbook stores it (and OpenStreetMap, Google outside China).
        Wgs84 = "wgs84", "WGS-84（GPS）";
        /// GCJ-02, the system of Amap (高德) and Tencent maps.
        Gcj02 = "gcj02", "GCJ-02（高德、腾讯地图）";
        /// BD-09, the system of Baidu maps.
        Bd09 = "bd09", "BD-09（百度地图）";
    }
);

/// The system with this code (`wgs84`, `gcj02`, `bd09`), as an app keeps
/// its map SDK's choice in settings; any other code is
/// `Invalid("coord_system", UnknownCode)`, never a silent WGS-84.
pub fn coord_system(code: &str) -> crate::error::Result<CoordSystem> {
    use crate::code_list::CodeList;
    CoordSystem::from_code(code.trim()).ok_or(crate::error::Error::Invalid {
        field: "coord_system",
        reason: crate::validate::InvalidReason::UnknownCode,
    })
}

/// Semi-major axis of the Krasovsky 1940 ellipsoid, in metres.
const A: f64 = 6_378_245.0;
/// Its first eccentricity squared.
const EE: f64 = 0.006_693_421_622_965_943;
/// BD-09's constant: π × 3000 / 180.
const X_PI: f64 = std::f64::consts::PI * 3000.0 / 180.0;
/// When the GCJ-02 inversion stops: 1e-10 degrees is about 0.01 mm.
const INVERSE_TOLERANCE_DEG: f64 = 1e-10;
/// The inversion converges in 3 to 4 steps; this only bounds a pathological input.
const INVERSE_MAX_STEPS: usize = 20;

/// Converts `point` from the system `from` to the system `to`. A point
/// outside China (where GCJ-02 does not apply) comes back unchanged.
pub fn convert(point: GeoPoint, from: CoordSystem, to: CoordSystem) -> GeoPoint {
    if from == to || !in_china(point) {
        return point;
    }
    from_wgs84(to_wgs84(point, from), to)
}

/// Whether a point is inside the rough bounding box of China the GCJ-02
/// formulas are defined on (the box the public implementations use).
pub fn in_china(point: GeoPoint) -> bool {
    (72.004..=137.8347).contains(&point.lon) && (0.8293..=55.8271).contains(&point.lat)
}

fn to_wgs84(point: GeoPoint, from: CoordSystem) -> GeoPoint {
    match from {
        CoordSystem::Wgs84 => point,
        CoordSystem::Gcj02 => gcj02_to_wgs84(point),
        CoordSystem::Bd09 => gcj02_to_wgs84(bd09_to_gcj02_refined(point)),
    }
}

fn from_wgs84(point: GeoPoint, to: CoordSystem) -> GeoPoint {
    match to {
        CoordSystem::Wgs84 => point,
        CoordSystem::Gcj02 => wgs84_to_gcj02(point),
        CoordSystem::Bd09 => gcj02_to_bd09(wgs84_to_gcj02(point)),
    }
}

/// The GCJ-02 shift of a WGS-84 point, in degrees (lon, lat).
fn gcj02_shift(point: GeoPoint) -> (f64, f64) {
    let x = point.lon - 105.0;
    let y = point.lat - 35.0;
    let rad_lat = point.lat.to_radians();
    let magic = 1.0 - EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat =
        shift_lat(x, y) * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * std::f64::consts::PI);
    let d_lon = shift_lon(x, y) * 180.0 / (A / sqrt_magic * rad_lat.cos() * std::f64::consts::PI);
    (d_lon, d_lat)
}

fn shift_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    ret
}

fn shift_lon(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    ret
}

fn wgs84_to_gcj02(point: GeoPoint) -> GeoPoint {
    let (d_lon, d_lat) = gcj02_shift(point);
    GeoPoint {
        lon: point.lon + d_lon,
        lat: point.lat + d_lat,
    }
}

/// Inverts `forward` at `target` by fixed-point iteration from `start`:
/// both shifts vary slowly, so each step's error is a small fraction of
/// the last.
fn invert(target: GeoPoint, start: GeoPoint, forward: fn(GeoPoint) -> GeoPoint) -> GeoPoint {
    let mut guess = start;
    for _ in 0..INVERSE_MAX_STEPS {
        let there = forward(guess);
        let (err_lon, err_lat) = (there.lon - target.lon, there.lat - target.lat);
        guess = GeoPoint {
            lon: guess.lon - err_lon,
            lat: guess.lat - err_lat,
        };
        if err_lon.abs() < INVERSE_TOLERANCE_DEG && err_lat.abs() < INVERSE_TOLERANCE_DEG {
            break;
        }
    }
    guess
}

/// Inverts [`wgs84_to_gcj02`], starting from the point itself.
fn gcj02_to_wgs84(gcj: GeoPoint) -> GeoPoint {
    invert(gcj, gcj, wgs84_to_gcj02)
}

fn gcj02_to_bd09(point: GeoPoint) -> GeoPoint {
    let (x, y) = (point.lon, point.lat);
    let z = (x * x + y * y).sqrt() + 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) + 0.000003 * (x * X_PI).cos();
    GeoPoint {
        lon: z * theta.cos() + 0.0065,
        lat: z * theta.sin() + 0.006,
    }
}

/// Inverts [`gcj02_to_bd09`] exactly: the published inverse
/// ([`bd09_to_gcj02`]) is centimetres off, so a few fixed-point steps
/// from it finish the job.
fn bd09_to_gcj02_refined(bd: GeoPoint) -> GeoPoint {
    invert(bd, bd09_to_gcj02(bd), gcj02_to_bd09)
}

/// The published BD-09 to GCJ-02 formula (not an exact inverse).
fn bd09_to_gcj02(point: GeoPoint) -> GeoPoint {
    let (x, y) = (point.lon - 0.0065, point.lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * X_PI).cos();
    GeoPoint {
        lon: z * theta.cos(),
        lat: z * theta.sin(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code_list::CodeList;
    use crate::spatial::distance_m;

    const TIANANMEN: GeoPoint = GeoPoint {
        lon: 116.404,
        lat: 39.915,
    };

    fn close(a: GeoPoint, b: GeoPoint, tolerance_deg: f64) -> bool {
        (a.lon - b.lon).abs() < tolerance_deg && (a.lat - b.lat).abs() < tolerance_deg
    }

    /// The vectors the `coordtransform` libraries publish for (116.404, 39.915).
    #[test]
    fn the_forward_formulas_give_the_published_vectors() {
        let gcj = convert(TIANANMEN, CoordSystem::Wgs84, CoordSystem::Gcj02);
        assert!(
            close(
                gcj,
                GeoPoint {
                    lon: 116.410_244_499_169_38,
                    lat: 39.916_404_281_501_64
                },
                1e-12
            ),
            "{gcj:?}"
        );
        // GCJ-02 to BD-09 and back, both closed-form.
        let bd = gcj02_to_bd09(TIANANMEN);
        assert!(
            close(
                bd,
                GeoPoint {
                    lon: 116.410_369_493_710_29,
                    lat: 39.921_336_993_510_21
                },
                1e-12
            ),
            "{bd:?}"
        );
        let from_bd = bd09_to_gcj02(TIANANMEN);
        assert!(
            close(
                from_bd,
                GeoPoint {
                    lon: 116.397_627_291_193_15,
                    lat: 39.908_656_739_576_31
                },
                1e-12
            ),
            "{from_bd:?}"
        );
    }

    #[test]
    fn the_inverses_are_exact_where_the_published_ones_are_centimetres_off() {
        let wgs = convert(TIANANMEN, CoordSystem::Gcj02, CoordSystem::Wgs84);
        let back = convert(wgs, CoordSystem::Wgs84, CoordSystem::Gcj02);
        assert!(close(back, TIANANMEN, 1e-9), "{back:?}");
        // The libraries' one-step inverse, for comparison: 5 cm away.
        let one_step = GeoPoint {
            lon: 116.397_755_500_830_61,
            lat: 39.913_595_718_498_36,
        };
        let off = distance_m(wgs, one_step);
        assert!(off > 0.03 && off < 0.1, "{off} m");
        // BD-09 round trips through WGS-84.
        let bd = convert(TIANANMEN, CoordSystem::Wgs84, CoordSystem::Bd09);
        let again = convert(bd, CoordSystem::Bd09, CoordSystem::Wgs84);
        assert!(close(again, TIANANMEN, 1e-9), "{again:?}");
    }

    #[test]
    fn outside_china_a_point_is_unchanged() {
        let paris = GeoPoint {
            lon: 2.3522,
            lat: 48.8566,
        };
        let new_york = GeoPoint {
            lon: -74.006,
            lat: 40.7128,
        };
        for point in [paris, new_york] {
            for to in CoordSystem::ALL {
                assert_eq!(convert(point, CoordSystem::Wgs84, *to), point);
                assert_eq!(convert(point, *to, CoordSystem::Wgs84), point);
            }
        }
        assert!(!in_china(GeoPoint {
            lon: 72.0,
            lat: 30.0
        }));
        assert!(in_china(GeoPoint {
            lon: 120.15,
            lat: 30.28
        }));
    }

    #[test]
    fn a_coordinate_system_is_read_from_its_code_and_an_unknown_one_refused() {
        assert_eq!(coord_system("gcj02").ok(), Some(CoordSystem::Gcj02));
        assert_eq!(coord_system(" bd09 ").ok(), Some(CoordSystem::Bd09));
        for unknown in ["wgs-84", "GCJ02", "", "mercator"] {
            assert!(matches!(
                coord_system(unknown),
                Err(crate::error::Error::Invalid {
                    field: "coord_system",
                    reason: crate::validate::InvalidReason::UnknownCode,
                })
            ));
        }
    }
}
