//! What the Kotlin and Swift bindings need from the core beyond the uniffi
//! derives on its records and enums (cargo feature `uniffi`): the custom
//! types that cross the boundary as text or as a plain map, and the one
//! error of the generated API, [`GridbookError`] (in `error.rs`), mapped
//! from the core's errors.
//!
//! A value type used in an exported record either derives `uniffi::Record`
//! or `uniffi::Enum` where it is declared, or, when its foreign form differs
//! from its Rust form (a date as `YYYY-MM-DD` text), gets a
//! `uniffi::custom_type!` here. A custom type that can fail to lift must fail
//! with a [`GridbookError`]: uniffi hands a lift error of the method's own
//! error type to the app as that error, and anything else as an internal
//! error.

mod error;

use std::collections::{BTreeMap, HashMap};

use crate::roster_import::ImportField;
use crate::validate::{Date, InvalidReason, TimeOfDay};

pub use error::{GridbookError, ImportRefusal, api_field_name};

/// The error a malformed date or time inside a record lifts to. Lifting
/// does not know the record's field, so it names the type (`date`, `time`).
fn lift_error(field: &str, reason: InvalidReason) -> uniffi::deps::anyhow::Error {
    GridbookError::invalid(field, reason).into()
}

/// [`Date`] under the name it has in Kotlin and Swift, where `Date` would
/// shadow Foundation's.
type IsoDate = Date;

uniffi::custom_type!(
    /// A calendar date: `java.time.LocalDate` in Kotlin, Foundation's
    /// `DateComponents` (year, month, day) in Swift; `YYYY-MM-DD` text on
    /// the wire (see core/uniffi.toml).
    IsoDate, String, {
    lower: |date| date.to_string(),
    try_lift: |text| Date::parse(&text).map_err(|reason| lift_error("date", reason)),
});

uniffi::custom_type!(
    /// A time of day to the minute: `java.time.LocalTime` in Kotlin,
    /// `DateComponents` (hour, minute) in Swift; `HH:MM` text on the wire.
    TimeOfDay, String, {
    lower: |time| time.to_string(),
    try_lift: |text| TimeOfDay::parse(&text).map_err(|reason| lift_error("time", reason)),
});

/// `serde_json::Value` under the name it has in Kotlin and Swift.
type JsonValue = serde_json::Value;

uniffi::custom_type!(
    /// A JSON value (a string, number, boolean or null) as JSON text.
    JsonValue, String, {
    remote,
    lower: |value| value.to_string(),
    try_lift: |text| Ok(serde_json::from_str(&text)?),
});

/// The visit policy's intervals under the name they have in Kotlin and Swift.
type CareIntervals = BTreeMap<String, i32>;

uniffi::custom_type!(
    /// Days between visits by care category code.
    CareIntervals, HashMap<String, i32>, {
    remote,
    lower: |intervals| intervals.into_iter().collect(),
    try_lift: |intervals| Ok(intervals.into_iter().collect()),
});

/// An import's header overrides under the name they have in Kotlin and Swift.
type HeaderOverrides = BTreeMap<String, ImportField>;

uniffi::custom_type!(
    /// Header text to the roster field its column holds.
    HeaderOverrides, HashMap<String, ImportField>, {
    remote,
    lower: |overrides| overrides.into_iter().collect(),
    try_lift: |overrides| Ok(overrides.into_iter().collect()),
});
