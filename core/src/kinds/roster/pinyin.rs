//! Finding a name by what people type on a phone keyboard: full pinyin
//! (zhangsan), initials (zs), a mix (zhangs, zhs) or the hanzi with pinyin
//! after it (张s). Each character of the name may be matched by itself or
//! by any prefix of any of its readings, so a polyphonic character
//! (行 xing/hang) matches either reading. Common polyphonic surnames are
//! read as surnames when they begin the name (曾 zeng, not ceng).
//!
//! Readings come from the `pinyin` crate (the python-pinyin data). Matching
//! is done in memory over a grid's residents: a grid holds about 900, and
//! a name has two to four characters, so no index is needed.
//!
//! To read another surname differently, add it to [`SURNAMES`].

use pinyin::ToPinyinMulti;

/// Surnames whose reading as a surname differs from the character's
/// common reading; the first character of a name is read this way only.
const SURNAMES: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('查', "zha"),
    ('朴', "piao"),
    ('盖', "ge"),
    ('覃', "qin"),
    ('缪', "miao"),
    ('翟', "zhai"),
    ('召', "shao"),
];

/// How a name matched a pinyin query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum PinyinMatch {
    /// The query reads the whole name (zhangsan, zs for 张三).
    Whole,
    /// The query reads the name's beginning (zhang, zhangs).
    Start,
    /// The query reads characters inside the name (xiuying for 王秀英).
    Inside,
}

/// The query as matched: lower case, without spaces or apostrophes
/// (xi'an, zhang san); `None` if it holds no ASCII letter, so a search for
/// digits or hanzi alone never goes through pinyin.
pub(crate) fn normalise(query: &str) -> Option<Vec<char>> {
    let chars: Vec<char> = query
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\'' && *c != '’')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    chars.iter().any(char::is_ascii_lowercase).then_some(chars)
}

/// How `name` matches the normalised `query`, if it does.
pub(crate) fn matches(name: &str, query: &[char]) -> Option<PinyinMatch> {
    let name: Vec<char> = name.chars().collect();
    let readings: Vec<Vec<&'static str>> = name
        .iter()
        .enumerate()
        .map(|(i, c)| readings(*c, i == 0))
        .collect();
    (0..name.len())
        .filter_map(|start| {
            let end = consume(&name, &readings, start, query)?;
            Some(match (start, end == name.len()) {
                (0, true) => PinyinMatch::Whole,
                (0, false) => PinyinMatch::Start,
                _ => PinyinMatch::Inside,
            })
        })
        .min()
}

/// The readings of a character: its surname reading first when it begins
/// a name, then every reading the data gives it.
fn readings(c: char, first: bool) -> Vec<&'static str> {
    let mut all: Vec<&'static str> = Vec::new();
    if first && let Some((_, surname)) = SURNAMES.iter().find(|(s, _)| *s == c) {
        all.push(surname);
    }
    if let Some(multi) = c.to_pinyin_multi() {
        for reading in multi {
            let plain = reading.plain();
            if !all.contains(&plain) {
                all.push(plain);
            }
        }
    }
    all
}

/// Consumes the whole query against the name from character `at`; returns
/// the index after the last character used, the longest way that works.
fn consume(name: &[char], readings: &[Vec<&str>], at: usize, query: &[char]) -> Option<usize> {
    if query.is_empty() {
        return Some(at);
    }
    let c = *name.get(at)?;
    let mut best: Option<usize> = None;
    let mut keep = |end: Option<usize>| {
        if let Some(end) = end {
            best = Some(best.map_or(end, |b: usize| b.max(end)));
        }
    };
    if query.first() == Some(&c) {
        keep(consume(name, readings, at + 1, &query[1..]));
    }
    for reading in readings.get(at).into_iter().flatten() {
        let shared = reading
            .chars()
            .zip(query.iter())
            .take_while(|(r, q)| r == *q)
            .count();
        for taken in 1..=shared {
            keep(consume(name, readings, at + 1, &query[taken..]));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(name: &str, query: &str) -> Option<PinyinMatch> {
        matches(name, &normalise(query)?)
    }

    #[test]
    fn full_pinyin_initials_and_mixes_find_a_name() {
        for query in [
            "zs",
            "zhangs",
            "zhangsan",
            "张s",
            "ZhangSan",
            "zhang san",
            "zhs",
            "张san",
        ] {
            assert_eq!(found("张三", query), Some(PinyinMatch::Whole), "{query}");
        }
        assert_eq!(found("张三", "zhang"), Some(PinyinMatch::Start));
        assert_eq!(found("张三", "z"), Some(PinyinMatch::Start));
        assert_eq!(found("王秀英", "xiuying"), Some(PinyinMatch::Inside));
        assert_eq!(found("王秀英", "wxy"), Some(PinyinMatch::Whole));
        for query in ["ls", "zhangsi", "sz", "zhangsanfeng", "张四"] {
            assert_eq!(found("张三", query), None, "{query}");
        }
        // Digits or hanzi alone are not pinyin queries.
        assert_eq!(normalise("138"), None);
        assert_eq!(normalise("张三"), None);
    }

    #[test]
    fn polyphonic_surnames_read_as_surnames() {
        for (name, query) in [
            ("曾小红", "zengxh"),
            ("单雄", "shanx"),
            ("解放", "xief"),
            ("仇红梅", "qiuhm"),
            ("区志强", "ouzq"),
        ] {
            assert_eq!(
                found(name, query),
                Some(PinyinMatch::Whole),
                "{name} {query}"
            );
        }
        // Inside a name the character keeps its other readings too.
        assert_eq!(found("李行", "lixing"), Some(PinyinMatch::Whole));
        assert_eq!(found("李行", "lihang"), Some(PinyinMatch::Whole));
    }
}
