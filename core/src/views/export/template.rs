//! Export templates as data: `templates.json`, read and checked once.
//!
//! A template names its record set and lists its columns in order, each
//! with its header, the source field and, for code fields, a value mapping
//! (`"label"`: the Chinese label, `"code"`: the stored code, or an object
//! from code to text, a code it does not list falling back to the label)
//! and, for date and time fields, a date format (`"iso"` 2025-06-02,
//! `"compact"` 20250602, `"chinese"` 2025年6月2日, `"iso_minutes"`
//! 2025-06-02 14:30). Every field a template may name is in [`FIELDS`]
//! with its type; a template naming another field, a mapping on a field
//! that holds no code or a date format on one that holds no date is
//! refused when the file is read, and the test of the shipped file fails.
//! To add a field: its line in [`FIELDS`] and its value in `rows.rs`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The shipped templates.
const TEMPLATES_JSON: &str = include_str!("templates.json");

/// The record set a template exports, one row per record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RecordSet {
    /// Active residents, in roster order.
    Residents,
    /// Households, in roster order.
    Households,
    /// Visits, oldest first.
    Visits,
    /// Events, oldest report first.
    Events,
}

/// What a field holds, which decides the options a column may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldType {
    /// Text or a number, written as it is.
    Text,
    /// A code (or several) with a label.
    Code,
    /// A date or a time.
    Date,
}

/// Every field a template may name: record set, field, type.
pub(super) const FIELDS: &[(RecordSet, &str, FieldType)] = &[
    (RecordSet::Residents, "building", FieldType::Text),
    (RecordSet::Residents, "estate", FieldType::Text),
    (RecordSet::Residents, "unit", FieldType::Text),
    (RecordSet::Residents, "floor", FieldType::Text),
    (RecordSet::Residents, "room", FieldType::Text),
    (RecordSet::Residents, "name", FieldType::Text),
    (RecordSet::Residents, "gender", FieldType::Code),
    (RecordSet::Residents, "id_number", FieldType::Text),
    (RecordSet::Residents, "birth_date", FieldType::Date),
    (RecordSet::Residents, "phones", FieldType::Text),
    (RecordSet::Residents, "relation", FieldType::Code),
    (RecordSet::Residents, "registration", FieldType::Code),
    (RecordSet::Residents, "residence_state", FieldType::Code),
    (RecordSet::Residents, "care", FieldType::Code),
    (RecordSet::Residents, "moved_in", FieldType::Date),
    (RecordSet::Residents, "household_notes", FieldType::Text),
    (RecordSet::Households, "building", FieldType::Text),
    (RecordSet::Households, "estate", FieldType::Text),
    (RecordSet::Households, "unit", FieldType::Text),
    (RecordSet::Households, "floor", FieldType::Text),
    (RecordSet::Households, "room", FieldType::Text),
    (RecordSet::Households, "use_kind", FieldType::Code),
    (RecordSet::Households, "status", FieldType::Code),
    (RecordSet::Households, "member_count", FieldType::Text),
    (RecordSet::Households, "last_visit", FieldType::Date),
    (RecordSet::Households, "notes", FieldType::Text),
    (RecordSet::Visits, "at", FieldType::Date),
    (RecordSet::Visits, "address", FieldType::Text),
    (RecordSet::Visits, "worker", FieldType::Text),
    (RecordSet::Visits, "kind", FieldType::Code),
    (RecordSet::Visits, "outcome", FieldType::Code),
    (RecordSet::Visits, "findings", FieldType::Text),
    (RecordSet::Visits, "notes", FieldType::Text),
    (RecordSet::Events, "id", FieldType::Text),
    (RecordSet::Events, "category", FieldType::Code),
    (RecordSet::Events, "level", FieldType::Code),
    (RecordSet::Events, "status", FieldType::Code),
    (RecordSet::Events, "urgency", FieldType::Code),
    (RecordSet::Events, "source", FieldType::Code),
    (RecordSet::Events, "address", FieldType::Text),
    (RecordSet::Events, "reported_at", FieldType::Date),
    (RecordSet::Events, "deadline", FieldType::Date),
    (RecordSet::Events, "closed_at", FieldType::Date),
];

/// How a code is written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub(super) enum ValueMap {
    /// `"label"` or `"code"`.
    Named(NamedMap),
    /// From code to text; other codes are written as their label.
    Table(BTreeMap<String, String>),
}

/// The named value mappings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum NamedMap {
    /// The Chinese label.
    Label,
    /// The stored code.
    Code,
}

/// How a date or time is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub(super) enum DateFormat {
    /// 2025-06-02.
    #[default]
    Iso,
    /// 20250602.
    Compact,
    /// 2025年6月2日.
    Chinese,
    /// 2025-06-02 14:30 (local time; a date alone is written as `Iso`).
    IsoMinutes,
}

/// One column of a template.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Column {
    /// The header text.
    pub(super) header: String,
    /// The source field, one of [`FIELDS`] for the template's record set.
    pub(super) field: String,
    /// For code fields: how codes are written (the label by default).
    #[serde(default)]
    pub(super) map: Option<ValueMap>,
    /// For date fields: the format (`iso` by default).
    #[serde(default)]
    pub(super) date: Option<DateFormat>,
}

/// An export layout.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Template {
    /// The stable id callers name.
    pub(super) id: String,
    /// The title: the sheet's name and the start of the file name.
    pub(super) title: String,
    /// The records it exports.
    pub(super) records: RecordSet,
    /// Its columns, in order.
    pub(super) columns: Vec<Column>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    #[allow(dead_code)]
    version: u32,
    templates: Vec<Template>,
}

/// Why a template file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum TemplateError {
    /// The JSON did not parse into templates.
    #[error("the template file is not valid: {0}")]
    Syntax(String),
    /// Two templates share an id.
    #[error("two templates have the same id")]
    DuplicateId,
    /// A template has no columns.
    #[error("a template has no columns")]
    NoColumns,
    /// A column names a field its record set does not have.
    #[error("a column names a field its record set does not have")]
    UnknownField,
    /// A value mapping on a field that holds no code.
    #[error("a value mapping is given for a field that holds no code")]
    MapOnNonCode,
    /// A date format on a field that holds no date.
    #[error("a date format is given for a field that holds no date")]
    DateOnNonDate,
}

/// The type of `field` in `records`, if a template may name it.
pub(super) fn field_type(records: RecordSet, field: &str) -> Option<FieldType> {
    FIELDS
        .iter()
        .find(|(set, name, _)| *set == records && *name == field)
        .map(|(_, _, kind)| *kind)
}

/// Reads and checks a template file.
pub(super) fn parse(json: &str) -> std::result::Result<Vec<Template>, TemplateError> {
    let file: TemplateFile =
        serde_json::from_str(json).map_err(|e| TemplateError::Syntax(e.to_string()))?;
    for (i, template) in file.templates.iter().enumerate() {
        if file.templates[..i].iter().any(|t| t.id == template.id) {
            return Err(TemplateError::DuplicateId);
        }
        if template.columns.is_empty() {
            return Err(TemplateError::NoColumns);
        }
        for column in &template.columns {
            let kind =
                field_type(template.records, &column.field).ok_or(TemplateError::UnknownField)?;
            if column.map.is_some() && kind != FieldType::Code {
                return Err(TemplateError::MapOnNonCode);
            }
            if column.date.is_some() && kind != FieldType::Date {
                return Err(TemplateError::DateOnNonDate);
            }
        }
    }
    Ok(file.templates)
}

/// The shipped templates, read once.
pub(super) fn shipped() -> Result<&'static [Template]> {
    static TEMPLATES: OnceLock<std::result::Result<Vec<Template>, TemplateError>> = OnceLock::new();
    match TEMPLATES.get_or_init(|| parse(TEMPLATES_JSON)) {
        Ok(templates) => Ok(templates),
        Err(e) => Err(Error::document("export templates", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_column(records: &str, column: &str) -> String {
        format!(
            r#"{{"version": 1, "templates": [{{"id": "t", "title": "T", "records": "{records}",
            "columns": [{column}]}}]}}"#
        )
    }

    #[test]
    fn the_shipped_file_is_valid() {
        assert!(parse(TEMPLATES_JSON).is_ok());
    }

    #[test]
    fn bad_templates_are_refused_by_cause() {
        let refused = |records: &str, column: &str| parse(&one_column(records, column)).err();
        assert_eq!(
            refused("residents", r#"{"header": "X", "field": "salary"}"#),
            Some(TemplateError::UnknownField)
        );
        // A field of another record set.
        assert_eq!(
            refused("visits", r#"{"header": "X", "field": "id_number"}"#),
            Some(TemplateError::UnknownField)
        );
        assert_eq!(
            refused(
                "residents",
                r#"{"header": "X", "field": "name", "map": "label"}"#
            ),
            Some(TemplateError::MapOnNonCode)
        );
        assert_eq!(
            refused("events", r#"{"header": "X", "field": "id", "date": "iso"}"#),
            Some(TemplateError::DateOnNonDate)
        );
        assert!(matches!(
            refused("people", r#"{"header": "X", "field": "name"}"#),
            Some(TemplateError::Syntax(_))
        ));
        assert!(
            refused(
                "residents",
                r#"{"header": "X", "field": "gender", "map": {"male": "M"}}"#
            )
            .is_none()
        );
    }
}
