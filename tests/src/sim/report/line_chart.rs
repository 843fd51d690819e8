//! The line chart of the report: shares over days with axes, 0–100 %
//! ([`line_chart`]), cut where the measure starts again. It takes plain
//! points (labels, values, tooltips) and escapes every text.
//!
//! To chart another share over days, build [`LinePoint`]s and call
//! [`line_chart`]; a second line would be a new argument with its colour
//! and a legend.

use std::fmt::Write as _;

use super::html::{escape, num};

/// Width of every chart, in SVG units.
const WIDTH: f64 = 720.0;

/// One point of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct LinePoint {
    /// The x-axis label (a date).
    pub label: String,
    /// The share, 0 to 1.
    pub value: f64,
    /// The tooltip.
    pub tip: String,
}

/// Shares over days as a line with axes (0–100 %). `breaks` are the
/// indices where the measure starts again (a new calendar month): the line
/// is cut there and a dashed line marks it.
pub fn line_chart(label: &str, points: &[LinePoint], breaks: &[usize]) -> String {
    let (left, right, top, bottom) = (52.0, 16.0, 16.0, 44.0);
    let height = 300.0;
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let n = points.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + plot_h * (1.0 - v.clamp(0.0, 1.0));
    let mut svg = format!(
        "<svg class=\"chart line-chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">\n",
        escape(label),
        w = num(WIDTH),
        h = num(height)
    );
    for step in 0..=4 {
        let v = f64::from(step) / 4.0;
        let _ = writeln!(
            svg,
            "<line x1=\"{l}\" x2=\"{r}\" y1=\"{yy}\" y2=\"{yy}\" stroke=\"#e3e3e3\"/><text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\" class=\"tick\">{p}%</text>",
            l = num(left),
            r = num(WIDTH - right),
            yy = num(y(v)),
            tx = num(left - 6.0),
            ty = num(y(v) + 4.0),
            p = step * 25
        );
    }
    let _ = writeln!(
        svg,
        "<line x1=\"{l}\" x2=\"{l}\" y1=\"{t}\" y2=\"{b}\" stroke=\"#555555\"/><line x1=\"{l}\" x2=\"{r}\" y1=\"{b}\" y2=\"{b}\" stroke=\"#555555\"/>",
        l = num(left),
        r = num(WIDTH - right),
        t = num(top),
        b = num(top + plot_h)
    );
    let every = points.len().div_ceil(10).max(1);
    for (i, p) in points.iter().enumerate() {
        if i % every == 0 || i + 1 == points.len() {
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"tick\">{}</text>",
                num(x(i)),
                num(top + plot_h + 18.0),
                escape(&p.label)
            );
        }
    }
    for b in breaks.iter().filter(|b| **b > 0 && **b < points.len()) {
        let bx = (x(*b - 1) + x(*b)) / 2.0;
        let _ = writeln!(
            svg,
            "<line class=\"month-break\" x1=\"{bx}\" x2=\"{bx}\" y1=\"{t}\" y2=\"{bt}\" stroke=\"#999999\" stroke-dasharray=\"4 3\"/><text x=\"{tx}\" y=\"{ty}\" class=\"tick\">月初重新计数 new month</text>",
            bx = num(bx),
            t = num(top),
            bt = num(top + plot_h),
            tx = num(bx + 4.0),
            ty = num(top + 12.0)
        );
    }
    let mut start = 0;
    let mut cuts: Vec<usize> = breaks.to_vec();
    cuts.push(points.len());
    for end in cuts {
        let segment: Vec<String> = (start..end.min(points.len()))
            .filter_map(|i| {
                points
                    .get(i)
                    .map(|p| format!("{},{}", num(x(i)), num(y(p.value))))
            })
            .collect();
        if segment.len() > 1 {
            let _ = writeln!(
                svg,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"2.5\"/>",
                segment.join(" ")
            );
        }
        start = end.max(start);
    }
    for (i, p) in points.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<circle class=\"point\" cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"#2b6cb0\"><title>{}</title></circle>",
            num(x(i)),
            num(y(p.value)),
            escape(&p.tip)
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis\">日期 date</text>",
        num(left + plot_w / 2.0),
        num(height - 6.0)
    );
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(label: &str, value: f64) -> LinePoint {
        LinePoint {
            label: label.into(),
            value,
            tip: format!("<{label}>"),
        }
    }

    #[test]
    fn a_month_break_cuts_the_line() {
        let points = [
            point("a", 0.1),
            point("b", 0.2),
            point("c", 0.0),
            point("d", 0.1),
        ];
        let svg = line_chart("覆盖", &points, &[2]);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("class=\"point\"").count(), 4);
        assert_eq!(svg.matches("class=\"month-break\"").count(), 1);
        assert!(svg.contains("&lt;a&gt;"));
        assert!(!svg.contains("<a>"));
    }
}
