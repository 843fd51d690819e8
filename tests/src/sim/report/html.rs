//! HTML and SVG text for the report: escaping and the few building blocks
//! every section uses (a section, a table, a number). Every text that goes
//! into the page passes through [`escape`], whatever its origin.
//!
//! To add a building block, write a function returning a `String` of
//! markup here, escaping each text it takes.

use std::fmt::Write as _;

/// Escapes `text` for HTML and SVG content and for attribute values in
/// double or single quotes: `& < > " '`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number for SVG coordinates: at most one decimal, no "-0".
pub fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 || !rounded.is_finite() {
        "0".to_string()
    } else if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// A `<section>` with an id, a heading (escaped) and a body of markup.
pub fn section(id: &str, title: &str, body: &str) -> String {
    format!(
        "<section id=\"{}\">\n<h2>{}</h2>\n{body}</section>\n",
        escape(id),
        escape(title)
    )
}

/// A paragraph of escaped text, with an optional class.
pub fn para(class: &str, text: &str) -> String {
    if class.is_empty() {
        format!("<p>{}</p>\n", escape(text))
    } else {
        format!("<p class=\"{}\">{}</p>\n", escape(class), escape(text))
    }
}

/// A table: a header row and rows of cells, all escaped. Cells that look
/// like numbers are right-aligned.
pub fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table>\n<thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let numeric = cell
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '—');
            if numeric {
                let _ = write!(out, "<td class=\"n\">{}</td>", escape(cell));
            } else {
                let _ = write!(out, "<td>{}</td>", escape(cell));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_both_quotes() {
        assert_eq!(
            escape("<b title='x'>\"a\" & b</b>"),
            "&lt;b title=&#39;x&#39;&gt;&quot;a&quot; &amp; b&lt;/b&gt;"
        );
        assert_eq!(escape("3号楼"), "3号楼");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.04), "12");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(3.25), "3.3");
        assert_eq!(num(f64::NAN), "0");
    }

    #[test]
    fn table_cells_are_escaped() {
        let t = table(&["a<"], &[vec!["<x>".into(), "12".into()]]);
        assert!(t.contains("<th>a&lt;</th>"));
        assert!(t.contains("<td>&lt;x&gt;</td>"));
        assert!(t.contains("<td class=\"n\">12</td>"));
    }
}
