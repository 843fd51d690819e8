//! The bar charts of the report: horizontal bars ([`bar_chart`]) and
//! pairs of bars per row ([`pair_chart`]). Each takes plain rows (labels,
//! values, the values as shown) and escapes every text; none needs
//! JavaScript.
//!
//! To add a bar chart kind, write a function here taking its rows and
//! returning an `<svg>` element with value labels and `<title>` tooltips.

use std::fmt::Write as _;

use super::html::{escape, num};

/// Width of every chart, in SVG units.
const WIDTH: f64 = 720.0;

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
