//! The grid's map as inline SVG, drawn from the GeoJSON that
//! `Store::grid_map` returns (see `core/src/views/map.rs` for its
//! features): the boundary polygon, buildings shaded by this month's
//! coverage (reached / households), open events as pins coloured by their
//! warning light, patrol checkpoints as diamonds. Longitude and latitude
//! are projected equirectangularly, longitude scaled by cos(latitude), in a
//! box that keeps the aspect ratio. Tooltips (`<title>`) carry building
//! names and counts only.
//!
//! Every mark has a class the tests count: `building-mark`, `event-pin`,
//! `checkpoint-mark`. To draw a new layer: read its features in
//! `features.rs` and draw them in [`map_svg`] with a class of its own and
//! a legend entry.

use std::fmt::Write as _;

use super::features::MapFeatures;
use super::html::{escape, num};

/// The drawing's width, in SVG units; its height follows the grid's shape.
const WIDTH: f64 = 720.0;
/// The tallest drawing allowed.
const MAX_HEIGHT: f64 = 640.0;
/// Space around the grid.
const PAD: f64 = 28.0;

/// The coverage scale: upper bounds of the shares and their fill colours.
pub const COVERAGE_SCALE: [(f64, &str); 5] = [
    (0.2, "#eff3ff"),
    (0.4, "#bdd7e7"),
    (0.6, "#6baed6"),
    (0.8, "#3182bd"),
    (1.0, "#08519c"),
];

/// The fill of a building that reached `share` of its households.
pub fn coverage_fill(share: f64) -> &'static str {
    COVERAGE_SCALE
        .iter()
        .find(|(upto, _)| share < *upto)
        .map_or("#08519c", |(_, fill)| fill)
}

/// A warning light's fill and label.
pub fn light_style(light: Option<&str>) -> (&'static str, &'static str) {
    match light {
        Some("green") => ("#2e9d4a", "绿灯 green"),
        Some("yellow") => ("#f2b705", "黄灯 yellow"),
        Some("red") => ("#d62728", "红灯 red"),
        _ => ("#8c8c8c", "无时限 no deadline"),
    }
}

/// Lon/lat to SVG: equirectangular, longitude scaled by cos(mid latitude).
struct Projection {
    west: f64,
    north: f64,
    kx: f64,
    scale: f64,
    height: f64,
}

impl Projection {
    fn fit(points: &[(f64, f64)]) -> Projection {
        let (mut w, mut e, mut s, mut n) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (lon, lat) in points {
            (w, e, s, n) = (w.min(*lon), e.max(*lon), s.min(*lat), n.max(*lat));
        }
        if points.is_empty() {
            (w, e, s, n) = (0.0, 0.0, 0.0, 0.0);
        }
        let kx = ((s + n) / 2.0).to_radians().cos().abs().max(0.01);
        // A single place still gets a small box around it.
        let span_x = ((e - w) * kx).max(1e-4);
        let span_y = (n - s).max(1e-4);
        let inner = WIDTH - 2.0 * PAD;
        let scale = (inner / span_x).min((MAX_HEIGHT - 2.0 * PAD) / span_y);
        let west = w - (inner / scale - (e - w) * kx) / 2.0 / kx;
        Projection {
            west,
            north: n + (span_y - (n - s)) / 2.0,
            kx,
            scale,
            height: span_y * scale + 2.0 * PAD,
        }
    }

    fn xy(&self, (lon, lat): (f64, f64)) -> (f64, f64) {
        (
            PAD + (lon - self.west) * self.kx * self.scale,
            PAD + (self.north - lat) * self.scale,
        )
    }
}

/// The map as an `<svg>` element with its legend below it.
pub fn map_svg(map: &MapFeatures) -> String {
    let mut all: Vec<(f64, f64)> = map.boundary.clone();
    all.extend(map.buildings.iter().map(|b| b.at));
    all.extend(map.events.iter().map(|e| e.at));
    all.extend(map.checkpoints.iter().map(|c| c.at));
    let p = Projection::fit(&all);
    let mut svg = format!(
        "<svg class=\"map\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"网格地图 grid map\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"#fafaf7\"/>\n",
        w = num(WIDTH),
        h = num(p.height)
    );
    if !map.boundary.is_empty() {
        let points: Vec<String> = map
            .boundary
            .iter()
            .map(|pt| {
                let (x, y) = p.xy(*pt);
                format!("{},{}", num(x), num(y))
            })
            .collect();
        let _ = writeln!(
            svg,
            "<polygon class=\"grid-boundary\" points=\"{}\" fill=\"#e8f0e0\" stroke=\"#5b7f3a\" stroke-width=\"2\" stroke-dasharray=\"6 3\"><title>网格边界 grid boundary</title></polygon>",
            points.join(" ")
        );
    }
    for b in &map.buildings {
        let (x, y) = p.xy(b.at);
        let share = b.reached as f64 / b.households.max(1) as f64;
        let fill = if b.households == 0 {
            "#dddddd"
        } else {
            coverage_fill(share)
        };
        let tip = format!(
            "{}：{} 户 households，本月已走访 {} reached this month ({:.0}%)，待访 {} due，逾期 {} overdue",
            b.number,
            b.households,
            b.reached,
            share * 100.0,
            b.due,
            b.overdue
        );
        let _ = writeln!(
            svg,
            "<g class=\"building-mark\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"16\" height=\"16\" rx=\"2\" fill=\"{fill}\" stroke=\"#33485c\" stroke-width=\"1\"/></g>",
            escape(&tip),
            num(x - 8.0),
            num(y - 8.0)
        );
    }
    for c in &map.checkpoints {
        let (x, y) = p.xy(c.at);
        let _ = writeln!(
            svg,
            "<g class=\"checkpoint-mark\"><title>{}</title><path d=\"M{} {}l6 6l-6 6l-6 -6z\" fill=\"#7b4fa0\" stroke=\"#ffffff\" stroke-width=\"1\"/></g>",
            escape(&format!(
                "巡逻点 checkpoint {}：{} 次签到 check-ins",
                c.name, c.checkins
            )),
            num(x),
            num(y - 6.0)
        );
    }
    for e in &map.events {
        let (x, y) = p.xy(e.at);
        let (fill, label) = light_style(e.light.as_deref());
        let _ = writeln!(
            svg,
            "<g class=\"event-pin\"><title>{}</title><path d=\"M{} {}c-3 -6 -8 -9 -8 -14a8 8 0 1 1 16 0c0 5 -5 8 -8 14z\" fill=\"{fill}\" stroke=\"#222222\" stroke-width=\"1\"/></g>",
            escape(&format!("事件 open event · {label}")),
            num(x),
            num(y)
        );
    }
    svg.push_str("</svg>\n");
    svg.push_str(&legend());
    svg
}

/// The map's legend: the coverage scale, the warning lights, a checkpoint.
fn legend() -> String {
    let mut out = String::from(
        "<div class=\"legend\">\n<span class=\"legend-title\">楼栋本月走访覆盖率 building coverage this month:</span>\n",
    );
    let mut from = 0.0;
    for (upto, fill) in COVERAGE_SCALE {
        let _ = writeln!(
            out,
            "<span class=\"key\"><i style=\"background:{fill}\"></i>{:.0}–{:.0}%</span>",
            from * 100.0,
            upto * 100.0
        );
        from = upto;
    }
    out.push_str("<br>\n<span class=\"legend-title\">事件预警灯 event warning light:</span>\n");
    for light in [Some("green"), Some("yellow"), Some("red"), None] {
        let (fill, label) = light_style(light);
        let _ = writeln!(
            out,
            "<span class=\"key\"><i class=\"pin\" style=\"background:{fill}\"></i>{}</span>",
            escape(label)
        );
    }
    out.push_str("<span class=\"key\"><i class=\"diamond\"></i>巡逻点 checkpoint</span>\n</div>\n");
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sim::report::features::BuildingMark;

    /// The x and y extents of the boundary polygon's points.
    fn extents(svg: &str) -> (f64, f64) {
        let start = svg.find("points=\"").unwrap() + 8;
        let end = start + svg[start..].find('"').unwrap();
        let pts: Vec<(f64, f64)> = svg[start..end]
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        let span = |f: &dyn Fn(&(f64, f64)) -> f64| {
            let v: Vec<f64> = pts.iter().map(f).collect();
            v.iter().copied().fold(f64::MIN, f64::max) - v.iter().copied().fold(f64::MAX, f64::min)
        };
        (span(&|p| p.0), span(&|p| p.1))
    }

    #[test]
    fn longitude_shrinks_by_the_cosine_of_the_latitude() {
        let square = vec![(10.0, 60.0), (10.01, 60.0), (10.01, 60.01), (10.0, 60.01)];
        let map = MapFeatures {
            boundary: square,
            ..MapFeatures::default()
        };
        let (w, h) = extents(&map_svg(&map));
        assert!((w / h - 0.5).abs() < 0.01, "{w} × {h}");
        assert!(h <= MAX_HEIGHT - 2.0 * PAD + 0.1);
    }

    #[test]
    fn a_mark_per_building_with_its_counts_in_the_tooltip() {
        let building = |number: &str, reached| BuildingMark {
            number: number.into(),
            at: (120.1, 30.2),
            households: 10,
            due: 3,
            overdue: 1,
            reached,
        };
        let map = MapFeatures {
            buildings: vec![building("1<栋", 0), building("2栋", 10)],
            ..MapFeatures::default()
        };
        let svg = map_svg(&map);
        assert_eq!(svg.matches("class=\"building-mark\"").count(), 2);
        assert!(svg.contains("1&lt;栋：10 户"));
        assert!(svg.contains(COVERAGE_SCALE[0].1) && svg.contains("#08519c"));
    }
}
