//! Inline SVG charts for the report: a line chart of shares over days
//! ([`line_chart`]), horizontal bars ([`bar_chart`]) and pairs of bars per
//! row ([`pair_chart`]). Each takes plain rows (labels, values, tooltips)
//! and escapes every text; none needs JavaScript.
//!
//! To add a chart kind, write a function here taking its rows and
//! returning an `<svg>` element, with axes or value labels and `<title>`
//! tooltips.

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

/// One bar of a bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The row's label.
    pub label: String,
    /// The bar's length, in any unit.
    pub value: f64,
    /// The value as shown after the bar.
    pub text: String,
}

/// Label column width and row height of the bar charts.
const LABEL_W: f64 = 210.0;
const ROW_H: f64 = 22.0;

fn bars_svg_open(class: &str, label: &str, height: f64) -> String {
    format!(
        "<svg class=\"chart {}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">\n",
        escape(class),
        escape(label),
        w = num(WIDTH),
        h = num(height)
    )
}

/// Horizontal bars, one row each, in `fill`, longest bar = the chart's width.
pub fn bar_chart(label: &str, rows: &[Bar], fill: &str) -> String {
    let height = ROW_H * rows.len().max(1) as f64 + 8.0;
    let max = rows.iter().map(|r| r.value).fold(0.0, f64::max).max(1e-9);
    let span = WIDTH - LABEL_W - 90.0;
    let mut svg = bars_svg_open("bar-chart", label, height);
    for (i, r) in rows.iter().enumerate() {
        let top = 4.0 + ROW_H * i as f64;
        let len = (r.value / max * span).max(if r.value > 0.0 { 1.0 } else { 0.0 });
        let _ = writeln!(
            svg,
            "<g class=\"bar\"><title>{label}：{text}</title><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"tick\">{label}</text><rect x=\"{bx}\" y=\"{by}\" width=\"{len}\" height=\"{bh}\" fill=\"{}\"/><text x=\"{vx}\" y=\"{ty}\" class=\"tick\">{text}</text></g>",
            escape(fill),
            label = escape(&r.label),
            text = escape(&r.text),
            lx = num(LABEL_W - 8.0),
            ty = num(top + 15.0),
            bx = num(LABEL_W),
            by = num(top + 3.0),
            len = num(len),
            bh = num(ROW_H - 6.0),
            vx = num(LABEL_W + len + 6.0)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// One row of a pair chart: two values shown as two thin bars.
#[derive(Debug, Clone, PartialEq)]
pub struct PairBar {
    /// The row's label.
    pub label: String,
    /// The first value and how it is shown.
    pub first: (f64, String),
    /// The second value and how it is shown.
    pub second: (f64, String),
}

/// Two bars per row (e.g. bytes up and down), with a legend naming them.
pub fn pair_chart(label: &str, rows: &[PairBar], names: (&str, &str)) -> String {
    let row_h = ROW_H * 1.5;
    let height = row_h * rows.len().max(1) as f64 + 34.0;
    let max = rows
        .iter()
        .flat_map(|r| [r.first.0, r.second.0])
        .fold(0.0, f64::max)
        .max(1e-9);
    let span = WIDTH - LABEL_W - 100.0;
    let colours = ("#3b7dd8", "#e07b39");
    let mut svg = bars_svg_open("pair-chart", label, height);
    for (i, r) in rows.iter().enumerate() {
        let top = 4.0 + row_h * i as f64;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"tick\">{}</text>",
            num(LABEL_W - 8.0),
            num(top + 18.0),
            escape(&r.label)
        );
        for (k, ((value, text), colour, name)) in [
            (&r.first, colours.0, names.0),
            (&r.second, colours.1, names.1),
        ]
        .into_iter()
        .enumerate()
        {
            let by = top + 3.0 + 13.0 * k as f64;
            let len = (value / max * span).max(if *value > 0.0 { 1.0 } else { 0.0 });
            let _ = writeln!(
                svg,
                "<g class=\"bar\"><title>{}：{} {}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"11\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" class=\"tick small\">{}</text></g>",
                escape(&r.label),
                escape(name),
                escape(text),
                num(LABEL_W),
                num(by),
                num(len),
                num(LABEL_W + len + 6.0),
                num(by + 10.0),
                escape(text)
            );
        }
    }
    let ly = height - 14.0;
    let _ = writeln!(
        svg,
        "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"10\" fill=\"{}\"/><text x=\"{tx}\" y=\"{ty}\" class=\"tick\">{}</text><rect x=\"{x2}\" y=\"{y}\" width=\"12\" height=\"10\" fill=\"{}\"/><text x=\"{tx2}\" y=\"{ty}\" class=\"tick\">{}</text>",
        colours.0,
        escape(names.0),
        colours.1,
        escape(names.1),
        x = num(LABEL_W),
        y = num(ly),
        tx = num(LABEL_W + 16.0),
        ty = num(ly + 9.0),
        x2 = num(LABEL_W + 180.0),
        tx2 = num(LABEL_W + 196.0)
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

    #[test]
    fn bars_scale_to_the_longest_and_escape_labels() {
        let rows = [
            Bar {
                label: "1<号楼".into(),
                value: 10.0,
                text: "10".into(),
            },
            Bar {
                label: "2号楼".into(),
                value: 0.0,
                text: "0".into(),
            },
        ];
        let svg = bar_chart("走访", &rows, "#123456");
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        assert!(svg.contains("1&lt;号楼"));
        assert!(svg.contains(&format!("width=\"{}\"", num(WIDTH - LABEL_W - 90.0))));
    }
}
