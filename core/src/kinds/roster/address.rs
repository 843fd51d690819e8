//! Addresses as people type them into search: `3-2-401`, `3栋2单元401`,
//! `3号楼2单元401室`, `3幢401`, `三栋`, `2单元`, `401室`, with full-width
//! digits and Chinese numerals up to 九十九. A query is read into the
//! building, unit and room it names; a household matches when every part
//! named equals its own by number (`3栋` is building 3, never 13; `0401`
//! is room 401). A query without a marker (`401`, `3`) is not an address
//! form: the plain text search and the phone and ID suffixes handle it.
//!
//! To accept another marker, add it to the lists below with its part.

/// The parts of an address a query names, each as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct AddressQuery {
    pub(super) building: Option<u64>,
    pub(super) unit: Option<u64>,
    pub(super) room: Option<u64>,
}

/// Markers after a building's number, longest first.
const BUILDING_MARKERS: &[&str] = &["号楼", "栋", "幢", "座", "楼"];
/// Markers after a unit's number.
const UNIT_MARKERS: &[&str] = &["单元"];
/// Markers after a room's number.
const ROOM_MARKERS: &[&str] = &["室", "号", "户"];

/// Chinese numerals and full-width digits as ASCII digits: 三 → 3, 十二 →
/// 12, 二十 → 20, ３ → 3. Other characters are kept.
fn ascii_digits(text: &str) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let value = |c: char| {
        DIGITS
            .iter()
            .position(|d| *d == c)
            .or((c == '两').then_some(2))
    };
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if ('０'..='９').contains(&c) {
            out.push(char::from_digit(u32::from(c) - u32::from('０'), 10).unwrap_or(c));
            i += 1;
            continue;
        }
        let tens = value(c).filter(|_| chars.get(i + 1) == Some(&'十'));
        if c == '十' || tens.is_some() {
            // 十, 十二, 二十, 二十三
            let (high, next) = match tens {
                Some(t) => (t, i + 2),
                None => (1, i + 1),
            };
            let low = chars.get(next).and_then(|c| value(*c));
            out.push_str(&(high * 10 + low.unwrap_or(0)).to_string());
            i = next + usize::from(low.is_some());
            continue;
        }
        match value(c) {
            Some(d) => out.push_str(&d.to_string()),
            None => out.push(c),
        }
        i += 1;
    }
    out
}

/// The number at the start of `text` and the rest, if it starts with digits.
fn leading_number(text: &str) -> Option<(u64, &str)> {
    let end = text
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(text.len(), |(i, _)| i);
    let number = text.get(..end)?.parse().ok()?;
    Some((number, text.get(end..)?))
}

/// The marker `text` starts with among `markers`, and the rest.
fn strip_marker<'a>(text: &'a str, markers: &[&str]) -> Option<&'a str> {
    markers.iter().find_map(|m| text.strip_prefix(m))
}

/// Reads a query as an address form, if it is one.
pub(super) fn parse(query: &str) -> Option<AddressQuery> {
    let text: String = ascii_digits(query)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let dashed: Vec<&str> = text.split(['-', '－', '—']).collect();
    if dashed.len() > 1 {
        let numbers: Option<Vec<u64>> = dashed.iter().map(|p| p.parse().ok()).collect();
        return match numbers?.as_slice() {
            [building, unit, room] => Some(AddressQuery {
                building: Some(*building),
                unit: Some(*unit),
                room: Some(*room),
            }),
            [building, unit] => Some(AddressQuery {
                building: Some(*building),
                unit: Some(*unit),
                room: None,
            }),
            _ => None,
        };
    }
    let mut found = AddressQuery::default();
    let mut rest = text.as_str();
    let mut marked = false;
    while !rest.is_empty() {
        let (number, after) = leading_number(rest)?;
        if let Some(after) = strip_marker(after, UNIT_MARKERS) {
            found.unit = Some(number);
            rest = after;
        } else if let Some(after) = strip_marker(after, BUILDING_MARKERS)
            && found.building.is_none()
            && found.unit.is_none()
        {
            found.building = Some(number);
            rest = after;
        } else if let Some(after) = strip_marker(after, ROOM_MARKERS) {
            found.room = Some(number);
            rest = after;
        } else if after.is_empty() && (found.building.is_some() || found.unit.is_some()) {
            // 3栋2单元401: the number after the unit is the room.
            found.room = Some(number);
            rest = after;
            continue;
        } else {
            return None;
        }
        marked = true;
    }
    (marked && found != AddressQuery::default()).then_some(found)
}

/// The number a stored building, unit or room holds: its digits as one
/// number (`3栋` → 3, `0401` → 401); `None` when it has none.
fn stored_number(text: &str) -> Option<u64> {
    let digits: String = ascii_digits(text)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Whether a building, unit or room as a resident typed it names the one
/// stored: by number when both hold one (`3栋`, `3号楼`, `三栋` and `3` are
/// building 3; `0401` is room 401), else by the trimmed text.
pub(crate) fn same_part(typed: &str, stored: &str) -> bool {
    match (stored_number(typed), stored_number(stored)) {
        (Some(a), Some(b)) => a == b,
        _ => typed.trim() == stored.trim(),
    }
}

impl AddressQuery {
    /// Whether a household with these stored parts is the address named.
    pub(super) fn matches(&self, building: &str, unit: &str, room: &str) -> bool {
        let part = |wanted: Option<u64>, stored: &str| {
            wanted.is_none_or(|w| stored_number(stored) == Some(w))
        };
        part(self.building, building) && part(self.unit, unit) && part(self.room, room)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(building: Option<u64>, unit: Option<u64>, room: Option<u64>) -> Option<AddressQuery> {
        Some(AddressQuery {
            building,
            unit,
            room,
        })
    }

    #[test]
    fn the_forms_people_type_name_the_same_address() {
        let full = q(Some(3), Some(2), Some(401));
        for typed in [
            "3-2-401",
            "3栋2单元401",
            "3号楼2单元401室",
            "3幢2单元401",
            "三栋二单元401",
            "３－２－４０１",
            " 3 栋 2 单元 401 室 ",
        ] {
            assert_eq!(parse(typed), full, "{typed}");
        }
        assert_eq!(parse("三栋"), q(Some(3), None, None));
        assert_eq!(parse("十二号楼"), q(Some(12), None, None));
        assert_eq!(parse("二十三栋"), q(Some(23), None, None));
        assert_eq!(parse("2单元"), q(None, Some(2), None));
        assert_eq!(parse("401室"), q(None, None, Some(401)));
        assert_eq!(parse("3栋401"), q(Some(3), None, Some(401)));
        assert_eq!(parse("3-2"), q(Some(3), Some(2), None));
    }

    #[test]
    fn text_that_is_not_an_address_form_is_left_to_the_other_searches() {
        for typed in [
            "401",
            "3",
            "张三",
            "zs",
            "13800138000",
            "3-2-1-1",
            "a-b",
            "幸福小区",
        ] {
            assert_eq!(parse(typed), None, "{typed}");
        }
    }

    #[test]
    fn parts_match_by_number_never_by_text() {
        let third = AddressQuery {
            building: Some(3),
            ..AddressQuery::default()
        };
        assert!(third.matches("3栋", "1", "101"));
        assert!(!third.matches("13栋", "1", "101"));
        let room = AddressQuery {
            room: Some(401),
            ..AddressQuery::default()
        };
        assert!(room.matches("1栋", "2", "0401"));
        assert!(!room.matches("1栋", "2", "1401"));
        assert!(!third.matches("东楼", "1", "101"));
    }
}
