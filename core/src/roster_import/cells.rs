//! One row's cells to typed values. Every cell is checked on its own, so a
//! row reports all its bad cells at once, each with the API's own
//! [`InvalidReason`]. Code lists take their code or their Chinese label
//! (男, 户籍, 人户一致, 独居老人, 配偶…) and the common synonyms below. To
//! accept another label, add it to the list of its field.

use std::collections::BTreeSet;

use super::header::{Columns, ImportField};
use super::read::Cell;
use super::report::{CellError, CellProblem};
use crate::code_list::CodeList;
use crate::kinds::roster::{CARE_CATEGORIES, Gender, RELATION_CODES, Registration, ResidenceState};
use crate::validate::{self, Date, InvalidReason};

/// A row's values; `None` is an empty cell or an absent column.
#[derive(Default)]
pub(super) struct ParsedRow {
    pub(super) row: u32,
    pub(super) name: Option<String>,
    pub(super) gender: Option<Gender>,
    pub(super) id_number: Option<String>,
    pub(super) birth_date: Option<Date>,
    pub(super) phones: Option<Vec<String>>,
    pub(super) building: Option<String>,
    pub(super) unit: Option<String>,
    pub(super) floor: Option<i32>,
    pub(super) room: Option<String>,
    pub(super) relation: Option<String>,
    pub(super) registration: Option<Registration>,
    pub(super) residence_state: Option<ResidenceState>,
    pub(super) care: Option<BTreeSet<String>>,
    pub(super) notes: Option<String>,
    pub(super) errors: Vec<CellError>,
}

const SEPARATORS: &[char] = &['/', ',', '，', '、', ';', '；', ' ', '\u{3000}'];

const GENDER_LABELS: &[(&str, Gender)] = &[
    ("男性", Gender::Male),
    ("女性", Gender::Female),
    ("m", Gender::Male),
    ("f", Gender::Female),
];
const REGISTRATION_LABELS: &[(&str, Registration)] = &[
    ("户籍人口", Registration::Local),
    ("本地", Registration::Local),
    ("非户籍", Registration::Migrant),
    ("流动人口", Registration::Migrant),
    ("外来", Registration::Migrant),
    ("境外人员", Registration::Foreign),
];

impl ParsedRow {
    /// Parses the mapped cells of one row.
    pub(super) fn parse(row: u32, cells: &[Cell], columns: &Columns, today: Date) -> ParsedRow {
        let mut parsed = ParsedRow {
            row,
            ..ParsedRow::default()
        };
        for (field, (index, header)) in &columns.fields {
            let Some(cell) = cells.get(*index) else {
                parsed.check_required(*field, header);
                continue;
            };
            if cell.formula {
                parsed.error(*field, header, CellProblem::Formula);
                continue;
            }
            let text = cell.text.trim();
            if text.is_empty() {
                parsed.check_required(*field, header);
                continue;
            }
            if let Err(reason) = parsed.set(*field, text, today) {
                parsed.error(*field, header, CellProblem::Invalid { reason });
            }
        }
        parsed.derive_from_id_number();
        parsed
    }

    fn check_required(&mut self, field: ImportField, header: &str) {
        if matches!(
            field,
            ImportField::Name | ImportField::Building | ImportField::Room
        ) {
            self.error(
                field,
                header,
                CellProblem::Invalid {
                    reason: InvalidReason::Empty,
                },
            );
        }
    }

    pub(super) fn error(&mut self, field: ImportField, header: &str, problem: CellProblem) {
        self.errors.push(CellError {
            row: self.row,
            column: header.to_string(),
            field,
            problem,
        });
    }

    fn set(&mut self, field: ImportField, text: &str, today: Date) -> Result<(), InvalidReason> {
        match field {
            ImportField::Name => self.name = Some(validate::text(text, 64)?),
            ImportField::Gender => self.gender = Some(code_or_label(text, GENDER_LABELS)?),
            ImportField::IdNumber => self.id_number = Some(validate::id_number(text, today)?),
            ImportField::BirthDate => {
                self.birth_date = Some(validate::birth_date(parse_date(text)?, today)?)
            }
            ImportField::Phone => {
                let phones = split(text)
                    .map(validate::phone)
                    .collect::<Result<Vec<_>, _>>()?;
                if phones.len() > 5 {
                    return Err(InvalidReason::TooLong { max: 5 });
                }
                self.phones = Some(phones);
            }
            ImportField::Building => self.building = Some(validate::text(text, 32)?),
            ImportField::Unit => self.unit = Some(validate::text(strip(text, "单元"), 16)?),
            ImportField::Floor => {
                let floor: i32 = strip(text, "层")
                    .parse()
                    .map_err(|_| InvalidReason::NotFinite)?;
                if !(-10..=200).contains(&floor) {
                    return Err(InvalidReason::OutOfRange);
                }
                self.floor = Some(floor);
            }
            ImportField::Room => self.room = Some(validate::text(strip(text, "室"), 16)?),
            ImportField::Relation => self.relation = Some(lookup(text, RELATION_CODES)?),
            ImportField::Registration => {
                self.registration = Some(code_or_label(text, REGISTRATION_LABELS)?)
            }
            ImportField::ResidenceState => self.residence_state = Some(code_or_label(text, &[])?),
            ImportField::Care => {
                let care = split(text)
                    .map(|c| lookup(c, CARE_CATEGORIES))
                    .collect::<Result<BTreeSet<_>, _>>()?;
                self.care = Some(care);
            }
            ImportField::Notes => self.notes = validate::optional_text(text, 2000)?,
        }
        Ok(())
    }

    /// Gender and birth date read from a valid ID number when their cells are empty.
    fn derive_from_id_number(&mut self) {
        let Some(id) = self.id_number.as_deref() else {
            return;
        };
        if self.birth_date.is_none() {
            self.birth_date = validate::id_number_birth_date(id);
        }
        if self.gender.is_none() {
            self.gender = id.chars().nth(16).and_then(|c| c.to_digit(10)).map(|d| {
                if d % 2 == 1 {
                    Gender::Male
                } else {
                    Gender::Female
                }
            });
        }
    }
}

fn split(text: &str) -> impl Iterator<Item = &str> {
    text.split(SEPARATORS)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn strip<'a>(text: &'a str, suffix: &str) -> &'a str {
    text.strip_suffix(suffix).unwrap_or(text).trim()
}

/// A code list's value from its code, its label or one of `extra` (case-insensitive).
fn code_or_label<T: CodeList>(text: &str, extra: &[(&str, T)]) -> Result<T, InvalidReason> {
    let lower = text.to_lowercase();
    T::ALL
        .iter()
        .copied()
        .find(|v| v.code() == lower || v.label() == text)
        .or_else(|| extra.iter().find(|(l, _)| *l == lower).map(|(_, v)| *v))
        .ok_or(InvalidReason::UnknownCode)
}

/// A string code from its code or its label.
fn lookup(text: &str, list: &[(&str, &str)]) -> Result<String, InvalidReason> {
    list.iter()
        .find(|(code, label)| *code == text || *label == text)
        .map(|(code, _)| (*code).to_string())
        .ok_or(InvalidReason::UnknownCode)
}

/// A date as `YYYY-MM-DD`, `YYYY/M/D`, `YYYY.M.D`, `YYYY年M月D日` or `YYYYMMDD`.
fn parse_date(text: &str) -> Result<Date, InvalidReason> {
    let digits_only = text.chars().all(|c| c.is_ascii_digit());
    let parts: Vec<&str> = if digits_only && text.len() == 8 {
        vec![&text[..4], &text[4..6], &text[6..]]
    } else {
        text.trim_end_matches('日')
            .split(['-', '/', '.', '年', '月'])
            .collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return Err(InvalidReason::DateFormat);
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse()) else {
        return Err(InvalidReason::DateFormat);
    };
    Date::new(y, m, d).ok_or(InvalidReason::DateFormat)
}
