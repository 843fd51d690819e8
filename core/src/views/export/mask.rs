//! What a masked export leaves out (PIPL art. 28 and GB/T 35273: ID
//! numbers, phones and health data are sensitive personal information).
//!
//! - ID numbers and phones are masked as on screen (`validate::mask_*`);
//! - free text (household notes, findings, visit notes, addresses in
//!   words) has every run of digits that could be an ID number or a phone
//!   masked, since people type them into notes;
//! - care categories: only those in [`LISTED_CARE`] are written per
//!   person. Every other category, the catalogue's health and disability
//!   ones (残疾人 `disabled`, 失能失智老人 `disabled_elderly`) and any code
//!   this build does not know, is counted instead: the summary row gives
//!   the number of residents holding one ("健康类 1"). A new catalogue
//!   category is therefore withheld until it is added here.
//! - cells that a spreadsheet would read as a formula get a leading
//!   apostrophe ([`neutralise_formula`]), masked or not.
//!
//! An unmasked export ([`Privacy::Unmasked`]) writes every value as stored;
//! the store logs it as a reveal first (`kinds/audit`).

use crate::validate::{mask_id_number, mask_phone};

/// Care categories written per person: they reveal circumstances, not
/// health. Any other category is only counted.
pub(super) const LISTED_CARE: &[&str] = &[
    "elderly_alone",
    "empty_nest",
    "left_behind_child",
    "hardship",
    "veteran",
];

/// The summary label of the withheld categories.
pub(super) const WITHHELD_CARE_LABEL: &str = "健康类";

/// The fields a masked export changes: what an unmasked one reveals.
pub(super) const MASKED_FIELDS: &[&str] = &[
    "id_number",
    "phones",
    "care",
    "household_notes",
    "notes",
    "findings",
    "address",
];

/// Whether an export masks personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Privacy {
    /// As this module says.
    Masked,
    /// Every value as stored (after a logged reveal).
    Unmasked,
}

impl Privacy {
    /// An ID number as the export writes it.
    pub(super) fn id_number(self, value: &str) -> String {
        match self {
            Privacy::Masked => mask_id_number(value),
            Privacy::Unmasked => value.to_string(),
        }
    }

    /// A phone as the export writes it.
    pub(super) fn phone(self, value: &str) -> String {
        match self {
            Privacy::Masked => mask_phone(value),
            Privacy::Unmasked => value.to_string(),
        }
    }

    /// Free text as the export writes it.
    pub(super) fn free_text(self, value: &str) -> String {
        match self {
            Privacy::Masked => mask_free_text(value),
            Privacy::Unmasked => value.to_string(),
        }
    }

    /// Whether a care category is written per person.
    pub(super) fn care_is_listed(self, code: &str) -> bool {
        self == Privacy::Unmasked || LISTED_CARE.contains(&code)
    }
}

/// `text` with every run of digits that could be an ID number (18
/// characters, the last a digit or X) or a phone (7 digits or more) masked.
pub(super) fn mask_free_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            if let Some(c) = chars.get(i) {
                out.push(*c);
            }
            i += 1;
            continue;
        }
        // An ID number's check character may be an X.
        if i - start == 17 && matches!(chars.get(i), Some('X' | 'x')) {
            i += 1;
        }
        let run: String = chars.get(start..i).unwrap_or_default().iter().collect();
        let len = i - start;
        if len == 18 {
            out.push_str(&mask_id_number(&run));
        } else if len >= 7 {
            out.push_str(&mask_phone(&run));
        } else {
            out.push_str(&run);
        }
    }
    out
}

/// A cell starting with `=`, `+`, `-`, `@` (or a tab or carriage return,
/// which some spreadsheets skip before one) gets a leading apostrophe, so
/// a spreadsheet shows it as text instead of running it as a formula.
pub(super) fn neutralise_formula(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_masks_id_numbers_and_phones_only() {
        assert_eq!(
            mask_free_text("身份证11010519491231002X，电话13800138000，3栋502"),
            "身份证110105********002X，电话138****8000，3栋502"
        );
        assert_eq!(mask_free_text("座机62345678"), "座机******78");
        assert_eq!(mask_free_text(""), "");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise_formula("=1+1".into()), "'=1+1");
        assert_eq!(neutralise_formula("-1".into()), "'-1");
        assert_eq!(neutralise_formula("1-1".into()), "1-1");
    }
}
