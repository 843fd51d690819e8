//! Input validation for the grid workers' roster.
//!
//! Every value that enters Gridbook from a form, an import or a sync peer
//! passes through one of the functions here before it is stored. Each
//! validator takes the raw input and returns either the cleaned, normalised
//! value or an [`InvalidReason`] saying *why* it was rejected.
//!
//! Personal data (ID numbers, phone numbers, names) must never leak into logs
//! or user-facing error text, so an [`InvalidReason`] never carries the
//! rejected value: callers combine it with the *field name* ("phone is not
//! ..."), never with the value. The `mask_*` functions produce display-safe
//! forms of personal data for lists and exports.
//!
//! # Adding a new validator
//!
//! 1. Write a `pub fn name(value: ...) -> Result<Normalised, InvalidReason>`
//!    with a `///` doc comment that states what is accepted and what the
//!    normalised output looks like.
//! 2. Reuse an existing [`InvalidReason`] variant if one fits; otherwise add a
//!    new unit (or non-personal-data) variant with an `#[error("...")]` text
//!    that reads after a field name ("phone *is not ...*"). Never put the
//!    input value, or any part of it, into a variant.
//! 3. Do not panic on any input: no `unwrap`, `expect`, `panic!` or slice
//!    indexing that can go out of bounds; use `get`, iterators and checked
//!    arithmetic.
//! 4. Add tests in the `tests` module below with literal inputs and exact
//!    expected outputs (do not compute expectations with the code under test).

use std::fmt;
use std::str::FromStr;

/// Why a value was rejected. Never carries the rejected value itself.
///
/// Its `Display` is the reason in words, written to follow a field name
/// ("phone is neither …"); Kotlin's `toString()` and Swift's `description`
/// return it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum), uniffi::export(Display))]
pub enum InvalidReason {
    /// The value is empty or contains only whitespace.
    #[error("must not be empty")]
    Empty,
    /// The value has more characters than allowed.
    #[error("is longer than {max} characters")]
    TooLong {
        /// The maximum number of characters allowed.
        max: i64,
    },
    /// The value contains control characters (after trimming).
    #[error("contains control characters")]
    ControlCharacters,
    /// The value is not shaped like an 18-character resident ID number.
    #[error("is not an 18-character ID number")]
    IdNumberFormat,
    /// The birth date embedded in an ID number is not a real date.
    #[error("has a birth date that does not exist")]
    IdNumberBirthDate,
    /// The ID number's ISO 7064 MOD 11-2 check character is wrong.
    #[error("check digit does not match (GB 11643)")]
    IdNumberCheckDigit,
    /// The value is neither a mainland mobile nor a landline number.
    #[error("is neither an 11-digit mobile number nor a landline number")]
    Phone,
    /// The value is not a strict `YYYY-MM-DD` date that exists.
    #[error("is not a date in YYYY-MM-DD form")]
    DateFormat,
    /// The date lies after today.
    #[error("is in the future")]
    InFuture,
    /// The date lies before the year 1900.
    #[error("is before 1900")]
    TooOld,
    /// The value is not a strict `HH:MM` time of day.
    #[error("is not a time in HH:MM form")]
    TimeFormat,
    /// The number is outside its allowed range.
    #[error("is out of range")]
    OutOfRange,
    /// The number is NaN or infinite.
    #[error("is not a number")]
    NotFinite,
    /// The value is not one of the known codes.
    #[error("is not a known code")]
    UnknownCode,
    /// An end time or date is not after its start.
    #[error("must be later than the start")]
    EndsBeforeStart,
    /// An identifier contains characters other than ASCII alphanumerics, `-`, `_`.
    #[error("contains characters outside A-Z, a-z, 0-9, '-', '_'")]
    BadCharacters,
    /// The value does not have the one length it must have (a raw key's bytes).
    #[error("must be exactly {expected} bytes long")]
    WrongLength {
        /// The length required, in bytes.
        expected: i64,
    },
    /// The patrol member is neither assigned to the shift nor in its team.
    #[error("is neither assigned to the shift nor a member of its team")]
    NotOnShift,
    /// The value is required here (a dispatch's assignee, a close's
    /// satisfaction when residents are involved).
    #[error("is required for this step")]
    Required,
    /// The value is not a photo id: the lowercase hex SHA-256 of the photo,
    /// 64 characters.
    #[error("is not a photo id (64 lowercase hex characters)")]
    PhotoId,
    /// A photo, as given, is larger than the cap of its photo limits.
    #[error("is larger than {max_bytes} bytes")]
    PhotoTooLarge {
        /// The cap in bytes.
        max_bytes: i64,
    },
    /// A photo's first bytes are not those of a JPEG, PNG, HEIC or WebP image.
    #[error("is not a JPEG, PNG, HEIC or WebP image")]
    PhotoType,
    /// A photo's first bytes name its type, but its structure is broken
    /// (a truncated or garbled segment, chunk or box).
    #[error("is damaged or truncated")]
    PhotoMalformed,
    /// A photo's bytes do not hash to the id they are stored or sent under.
    #[error("does not match its SHA-256 id")]
    PhotoHashMismatch,
    /// A code a grid gives its own catalogue entry must start with
    /// `local_`: the shipped catalogue never uses that prefix, so a later
    /// version of it can never take a grid's code for something else.
    #[error("must start with local_ (the shipped catalogue's codes are reserved)")]
    ReservedCode,
    /// A boundary that is not a simple closed ring: fewer than 3 distinct
    /// points, no area, or a ring that crosses or touches itself.
    #[error("is not a simple closed ring (at least 3 points, never crossing itself)")]
    NotSimpleRing,
    /// Spending more volunteer points than the balance holds.
    #[error("is more than the balance")]
    ExceedsBalance,
    /// Names no volunteer of the grid: volunteer points are for building
    /// heads, patrol volunteers and the talent pool, never for paid staff.
    #[error("names no volunteer of the grid")]
    NotAVolunteer,
}

// ---------------------------------------------------------------------------
// Date
// ---------------------------------------------------------------------------

/// Smallest year a [`Date`] can hold.
const MIN_YEAR: i32 = 1;
/// Largest year a [`Date`] can hold.
const MAX_YEAR: i32 = 9999;
/// Milliseconds in a day.
const MILLIS_PER_DAY: i128 = 86_400_000;

/// A calendar date (proleptic Gregorian), ordered chronologically.
///
/// Years are limited to 1..=9999 so that every date has a four-digit
/// `YYYY-MM-DD` form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Parses a fixed-width run of ASCII digits; `None` if any byte is not a digit.
fn parse_digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u32, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
        } else {
            None
        }
    })
}

/// Reads `YYYYMMDD` (8 ASCII digits) into a date.
fn date_from_compact(bytes: &[u8]) -> Option<Date> {
    if bytes.len() != 8 {
        return None;
    }
    let year = i32::try_from(parse_digits(bytes.get(0..4)?)?).ok()?;
    let month = u8::try_from(parse_digits(bytes.get(4..6)?)?).ok()?;
    let day = u8::try_from(parse_digits(bytes.get(6..8)?)?).ok()?;
    Date::new(year, month, day)
}

impl Date {
    /// Creates a date; `None` if it does not exist (for example 2023-02-29)
    /// or the year is outside 1..=9999.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses a strict `YYYY-MM-DD` date (four-digit year 0001..=9999,
    /// two-digit month and day, no surrounding whitespace).
    ///
    /// Anything else, including dates that do not exist, is
    /// [`InvalidReason::DateFormat`].
    pub fn parse(text: &str) -> Result<Date, InvalidReason> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return Err(InvalidReason::DateFormat);
        }
        let field = |range: std::ops::Range<usize>| bytes.get(range).and_then(parse_digits);
        let (Some(year), Some(month), Some(day)) = (field(0..4), field(5..7), field(8..10)) else {
            return Err(InvalidReason::DateFormat);
        };
        let (Ok(year), Ok(month), Ok(day)) =
            (i32::try_from(year), u8::try_from(month), u8::try_from(day))
        else {
            return Err(InvalidReason::DateFormat);
        };
        Date::new(year, month, day).ok_or(InvalidReason::DateFormat)
    }

    /// The year, 1..=9999.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1..=31.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (which is 0); negative before it.
    ///
    /// Howard Hinnant's `days_from_civil`.
    pub fn days_since_epoch(&self) -> i64 {
        let month = i64::from(self.month);
        let day = i64::from(self.day);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = if year >= 0 { year } else { year - 399 } / 400;
        let yoe = year - era * 400; // [0, 399]
        let mp = if month > 2 { month - 3 } else { month + 9 }; // [0, 11]
        let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01 (the inverse of
    /// [`Date::days_since_epoch`]); clamped to 0001-01-01..=9999-12-31.
    ///
    /// Howard Hinnant's `civil_from_days`.
    pub fn from_days_since_epoch(days: i64) -> Date {
        // 0001-01-01 and 9999-12-31 relative to the epoch.
        const MIN_DAYS: i64 = -719_162;
        const MAX_DAYS: i64 = 2_932_896;
        let z = days.clamp(MIN_DAYS, MAX_DAYS) + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097; // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
        let mp = (5 * doy + 2) / 153; // [0, 11]
        let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
        let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            // The clamp above keeps every component within its type's range.
            year: i32::try_from(year).unwrap_or(MIN_YEAR),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }

    /// Today's date at a UTC offset of `offset_minutes`, by this device's clock.
    pub fn today(offset_minutes: i32) -> Date {
        Date::from_unix_millis(crate::values::now_ms(), offset_minutes)
    }

    /// The local calendar date of the instant `ms` milliseconds after the Unix
    /// epoch, seen at a UTC offset of `offset_minutes` (e.g. +480 for
    /// China Standard Time).
    pub fn from_unix_millis(ms: i64, offset_minutes: i32) -> Date {
        let local = i128::from(ms) + i128::from(offset_minutes) * 60_000;
        let days = local.div_euclid(MILLIS_PER_DAY);
        let days = i64::try_from(days).unwrap_or(if days < 0 { i64::MIN } else { i64::MAX });
        Date::from_days_since_epoch(days)
    }

    /// The date `days` days later (earlier if negative), clamped to
    /// 0001-01-01..=9999-12-31.
    pub fn add_days(&self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch().saturating_add(days))
    }

    /// The calendar quarter, 1..=4.
    pub fn quarter(&self) -> u8 {
        self.month.div_ceil(3)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = InvalidReason;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

// ---------------------------------------------------------------------------
// TimeOfDay
// ---------------------------------------------------------------------------

/// A time of day in minutes after midnight, 0..=1439.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// 00:00.
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);

    /// Creates a time; `None` unless `hour` is 0..=23 and `minute` 0..=59.
    pub fn new(hour: u8, minute: u8) -> Option<TimeOfDay> {
        if hour < 24 && minute < 60 {
            Some(TimeOfDay(u16::from(hour) * 60 + u16::from(minute)))
        } else {
            None
        }
    }

    /// Parses a strict `HH:MM` time, 00:00..=23:59; anything else is
    /// [`InvalidReason::TimeFormat`].
    pub fn parse(text: &str) -> Result<TimeOfDay, InvalidReason> {
        let bytes = text.as_bytes();
        if bytes.len() != 5 || bytes.get(2) != Some(&b':') {
            return Err(InvalidReason::TimeFormat);
        }
        let hour = bytes.get(0..2).and_then(parse_digits);
        let minute = bytes.get(3..5).and_then(parse_digits);
        match (hour, minute) {
            (Some(h), Some(m)) => match (u8::try_from(h), u8::try_from(m)) {
                (Ok(h), Ok(m)) => TimeOfDay::new(h, m).ok_or(InvalidReason::TimeFormat),
                _ => Err(InvalidReason::TimeFormat),
            },
            _ => Err(InvalidReason::TimeFormat),
        }
    }

    /// Minutes after midnight, 0..=1439.
    pub fn minutes(&self) -> u16 {
        self.0
    }

    /// The time `m` minutes after midnight; `None` if `m` > 1439.
    pub fn from_minutes(m: u16) -> Option<TimeOfDay> {
        if m < 24 * 60 {
            Some(TimeOfDay(m))
        } else {
            None
        }
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl FromStr for TimeOfDay {
    type Err = InvalidReason;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TimeOfDay::parse(s)
    }
}

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

/// Validates free text: trims whitespace (Unicode whitespace, including the
/// ideographic space U+3000), then rejects an empty result
/// ([`InvalidReason::Empty`]), more than `max_chars` characters (counted as
/// `char`s, so each Chinese character counts once; [`InvalidReason::TooLong`])
/// and any control character ([`InvalidReason::ControlCharacters`]).
///
/// Returns the trimmed text.
pub fn text(value: &str, max_chars: usize) -> Result<String, InvalidReason> {
    let trimmed = trimmed_within(value, max_chars)?;
    if trimmed.chars().any(char::is_control) {
        return Err(InvalidReason::ControlCharacters);
    }
    Ok(trimmed.to_owned())
}

/// The value trimmed, if it is neither empty nor longer than `max_chars`.
fn trimmed_within(value: &str, max_chars: usize) -> Result<&str, InvalidReason> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(InvalidReason::Empty);
    }
    if trimmed.chars().count() > max_chars {
        return Err(InvalidReason::TooLong {
            max: i64::try_from(max_chars).unwrap_or(i64::MAX),
        });
    }
    Ok(trimmed)
}

/// Like [`text`], but an empty or whitespace-only value is `Ok(None)`.
pub fn optional_text(value: &str, max_chars: usize) -> Result<Option<String>, InvalidReason> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        text(value, max_chars).map(Some)
    }
}

/// Validates an identifier such as a grid code: trimmed, non-empty
/// ([`InvalidReason::Empty`]), at most `max_chars` characters
/// ([`InvalidReason::TooLong`]) and only ASCII letters, digits, `-` and `_`
/// ([`InvalidReason::BadCharacters`]). Returns the trimmed code.
pub fn code(value: &str, max_chars: usize) -> Result<String, InvalidReason> {
    let trimmed = trimmed_within(value, max_chars)?;
    if !trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(InvalidReason::BadCharacters);
    }
    Ok(trimmed.to_owned())
}

// ---------------------------------------------------------------------------
// ID numbers
// ---------------------------------------------------------------------------

/// ISO 7064 MOD 11-2 weights for the first 17 digits (GB 11643-1999).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder 0..=10.
const ID_CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// Validates a Chinese resident ID number (GB 11643-1999).
///
/// The value is trimmed and must be 18 characters: 17 ASCII digits and a
/// final digit or `X`/`x` ([`InvalidReason::IdNumberFormat`]). The birth date
/// at positions 7..=14 (`YYYYMMDD`) must exist
/// ([`InvalidReason::IdNumberBirthDate`]), must not be after `today`
/// ([`InvalidReason::InFuture`]) nor before 1900 ([`InvalidReason::TooOld`]).
/// Finally the ISO 7064 MOD 11-2 check character must match
/// ([`InvalidReason::IdNumberCheckDigit`]).
///
/// Returns the trimmed number with a lowercase `x` uppercased.
pub fn id_number(value: &str, today: Date) -> Result<String, InvalidReason> {
    let trimmed = value.trim();
    let bytes = trimmed.as_bytes();
    if bytes.len() != 18 {
        return Err(InvalidReason::IdNumberFormat);
    }
    let (body, last) = bytes.split_at(17);
    let check = match last.first() {
        Some(&c) if c.is_ascii_digit() => c,
        Some(b'X' | b'x') => b'X',
        _ => return Err(InvalidReason::IdNumberFormat),
    };
    if !body.iter().all(u8::is_ascii_digit) {
        return Err(InvalidReason::IdNumberFormat);
    }

    let birth = body
        .get(6..14)
        .and_then(date_from_compact)
        .ok_or(InvalidReason::IdNumberBirthDate)?;
    birth_date(birth, today)?;

    let sum: u32 = body
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(&d, w)| u32::from(d - b'0') * w)
        .sum();
    let expected = usize::try_from(sum % 11)
        .ok()
        .and_then(|r| ID_CHECK_CHARS.get(r).copied());
    if expected != Some(check) {
        return Err(InvalidReason::IdNumberCheckDigit);
    }

    let mut normalised = String::with_capacity(18);
    normalised.extend(body.iter().map(|&b| char::from(b)));
    normalised.push(char::from(check));
    Ok(normalised)
}

/// The birth date embedded in an ID number (characters 7..=14, `YYYYMMDD`);
/// `None` if the value is too short or that part is not a real date.
pub fn id_number_birth_date(valid_id: &str) -> Option<Date> {
    valid_id
        .trim()
        .as_bytes()
        .get(6..14)
        .and_then(date_from_compact)
}

// ---------------------------------------------------------------------------
// Phones
// ---------------------------------------------------------------------------

/// Recognises a mainland mobile number, returning its 11 digits.
fn normalise_mobile(value: &str) -> Option<String> {
    let compact: String = value.chars().filter(|&c| c != ' ' && c != '-').collect();
    let digits = compact
        .strip_prefix("+86")
        .or_else(|| compact.strip_prefix("86").filter(|rest| rest.len() == 11))
        .unwrap_or(&compact);
    let bytes = digits.as_bytes();
    let well_formed = bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes.first() == Some(&b'1')
        && matches!(bytes.get(1), Some(b'3'..=b'9'));
    well_formed.then(|| digits.to_owned())
}

/// Recognises a landline number, returning `AREA-LOCAL` or `AREA-LOCAL-EXT`.
fn normalise_landline(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    if bytes.first() != Some(&b'0') {
        return None;
    }
    let leading_digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let separated = matches!(bytes.get(leading_digits), Some(b'-' | b' '));
    let (area, rest) = if separated && (3..=4).contains(&leading_digits) {
        let (area, rest) = bytes.split_at(leading_digits);
        (area, rest.get(1..)?)
    } else {
        // No separator: 010 and 020..=029 are three characters, others four.
        let area_len = match bytes.get(1) {
            Some(b'1') if bytes.get(2) == Some(&b'0') => 3,
            Some(b'2') => 3,
            _ => 4,
        };
        if bytes.len() < area_len {
            return None;
        }
        bytes.split_at(area_len)
    };
    if !area.iter().all(u8::is_ascii_digit) {
        return None;
    }

    let local_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (local, tail) = rest.split_at(local_len);
    if !(7..=8).contains(&local.len()) || matches!(local.first(), Some(b'0' | b'1')) {
        return None;
    }
    let extension = match tail {
        [] => None,
        [b'-', ext @ ..] if (1..=6).contains(&ext.len()) && ext.iter().all(u8::is_ascii_digit) => {
            Some(ext)
        }
        _ => return None,
    };

    let mut out = String::with_capacity(20);
    out.extend(area.iter().map(|&b| char::from(b)));
    out.push('-');
    out.extend(local.iter().map(|&b| char::from(b)));
    if let Some(ext) = extension {
        out.push('-');
        out.extend(ext.iter().map(|&b| char::from(b)));
    }
    Some(out)
}

/// Validates and normalises a phone number.
///
/// * Mobile: 11 digits starting with `1` and a second digit 3..=9, with an
///   optional `+86` or `86` prefix; spaces and `-` are ignored. Normalised to
///   the 11 digits (`"+86 138 0013 8000"` → `"13800138000"`).
/// * Landline: area code `0` plus 2 or 3 digits, an optional `-` or space,
///   a 7- or 8-digit local number not starting with 0 or 1, and an optional
///   extension `-` plus 1..=6 digits. Normalised to `AREA-LOCAL` or
///   `AREA-LOCAL-EXT` (`"0571 87654321-12"` → `"0571-87654321-12"`). Without a
///   separator, area codes 010 and 020..=029 are three characters long and all
///   others four (`"01062345678"` → `"010-62345678"`).
///
/// Anything else is [`InvalidReason::Phone`].
pub fn phone(value: &str) -> Result<String, InvalidReason> {
    let trimmed = value.trim();
    normalise_mobile(trimmed)
        .or_else(|| normalise_landline(trimmed))
        .ok_or(InvalidReason::Phone)
}

// ---------------------------------------------------------------------------
// Dates and numbers
// ---------------------------------------------------------------------------

/// Validates a birth date: [`InvalidReason::InFuture`] if after `today`,
/// [`InvalidReason::TooOld`] if the year is before 1900.
pub fn birth_date(value: Date, today: Date) -> Result<Date, InvalidReason> {
    if value > today {
        Err(InvalidReason::InFuture)
    } else if value.year() < 1900 {
        Err(InvalidReason::TooOld)
    } else {
        Ok(value)
    }
}

/// Checks that `value` is finite and within `min..=max`.
fn finite_in_range(value: f64, min: f64, max: f64) -> Result<f64, InvalidReason> {
    if !value.is_finite() {
        Err(InvalidReason::NotFinite)
    } else if !(min..=max).contains(&value) {
        Err(InvalidReason::OutOfRange)
    } else {
        Ok(value)
    }
}

/// Validates a longitude in degrees: finite ([`InvalidReason::NotFinite`])
/// and within -180..=180 ([`InvalidReason::OutOfRange`]).
pub fn longitude(value: f64) -> Result<f64, InvalidReason> {
    finite_in_range(value, -180.0, 180.0)
}

/// Validates a latitude in degrees: finite ([`InvalidReason::NotFinite`])
/// and within -90..=90 ([`InvalidReason::OutOfRange`]).
pub fn latitude(value: f64) -> Result<f64, InvalidReason> {
    finite_in_range(value, -90.0, 90.0)
}

/// Validates a location accuracy in metres: finite
/// ([`InvalidReason::NotFinite`]) and within 0..=100 000
/// ([`InvalidReason::OutOfRange`]).
pub fn accuracy_metres(value: f64) -> Result<f64, InvalidReason> {
    finite_in_range(value, 0.0, 100_000.0)
}

/// Validates a UTC offset in minutes: -720..=840 (UTC-12:00 to UTC+14:00),
/// else [`InvalidReason::OutOfRange`].
pub fn utc_offset_minutes(value: i32) -> Result<i32, InvalidReason> {
    if (-720..=840).contains(&value) {
        Ok(value)
    } else {
        Err(InvalidReason::OutOfRange)
    }
}

// ---------------------------------------------------------------------------
// Masking
// ---------------------------------------------------------------------------

/// Keeps the last `keep` characters of `chars` and replaces the rest with `*`.
fn mask_all_but_last(chars: &[char], keep: usize) -> String {
    let hidden = chars.len().saturating_sub(keep);
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < hidden { '*' } else { c })
        .collect()
}

/// Masks an ID number for display and export: first 6 and last 4 kept,
/// "110105********0123"-style (8 stars for an 18-char number). Shorter/odd
/// input: keep at most the last 4, replace the rest with '*' (at least half
/// of a short value is always hidden).
pub fn mask_id_number(value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    if chars.len() == 18 {
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| if (6..14).contains(&i) { '*' } else { c })
            .collect()
    } else {
        let keep = (chars.len() / 2).min(4);
        mask_all_but_last(&chars, keep)
    }
}

/// Masks a phone: mobile "138****8000" (first 3, 4 stars, last 4); landline
/// keeps the area code and the last 2 digits of the local number, stars in
/// between ("010-******78"), and an extension is replaced by stars. The value
/// is normalised with [`phone`] first, so "+86 138 0013 8000" masks as
/// "138****8000". Anything else: all but the last 2 chars become '*'.
pub fn mask_phone(value: &str) -> String {
    let Ok(normalised) = phone(value) else {
        let chars: Vec<char> = value.trim().chars().collect();
        return mask_all_but_last(&chars, 2);
    };
    let mut parts = normalised.split('-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(mobile), None, None) => {
            let chars: Vec<char> = mobile.chars().collect();
            chars
                .iter()
                .enumerate()
                .map(|(i, &c)| if (3..7).contains(&i) { '*' } else { c })
                .collect()
        }
        (Some(area), Some(local), extension) => {
            let local_chars: Vec<char> = local.chars().collect();
            let mut out = format!("{area}-{}", mask_all_but_last(&local_chars, 2));
            if let Some(ext) = extension {
                out.push('-');
                out.extend(ext.chars().map(|_| '*'));
            }
            out
        }
        _ => {
            let chars: Vec<char> = normalised.chars().collect();
            mask_all_but_last(&chars, 2)
        }
    }
}

/// Masks a personal name for display: keep the first character, replace the
/// rest with '*' ("张**"); single char -> "*". Surrounding whitespace is
/// trimmed first; an empty name stays empty.
pub fn mask_name(value: &str) -> String {
    let mut chars = value.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count();
            if rest == 0 {
                "*".to_owned()
            } else {
                std::iter::once(first)
                    .chain(std::iter::repeat_n('*', rest))
                    .collect()
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn d(year: i32, month: u8, day: u8) -> Date {
        Date::new(year, month, day).unwrap()
    }

    fn today() -> Date {
        d(2024, 6, 1)
    }

    // ---- ID numbers -------------------------------------------------------
    //
    // Check digits verified by hand, weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
    //  11010519491231002: 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167,
    //      167 mod 11 = 2 -> 'X'.
    //  44052418800101001: 28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195,
    //      195 mod 11 = 8 -> '4'.
    //  44052419800101001: same as above but 9 instead of 8 at weight 1:
    //      196, 196 mod 11 = 9 -> '3'.
    //  11010520300101001: 7+9+0+5+0+20+4+0+18+0+0+9+0+5+0+0+2 = 79,
    //      79 mod 11 = 2 -> 'X'.
    //  11010518990101001: 7+9+0+5+0+20+2+8+54+27+0+9+0+5+0+0+2 = 148,
    //      148 mod 11 = 5 -> '7'.

    /// Every ID number case: the input, the day it is checked on, and the
    /// outcome (the normalised number, or the reason it is refused).
    #[test]
    fn id_numbers_are_normalised_or_refused_with_their_reason() {
        use InvalidReason::*;
        let ok = |number: &str| Ok(number.to_owned());
        let cases: &[(&str, Date, Result<String, InvalidReason>)] = &[
            // Valid, with an X and with a digit as the check character.
            ("11010519491231002X", today(), ok("11010519491231002X")),
            ("440524198001010013", today(), ok("440524198001010013")),
            // A lowercase x is uppercased; spaces, full-width ones too, are trimmed.
            (
                " 11010519491231002x\u{3000}",
                today(),
                ok("11010519491231002X"),
            ),
            // Wrong check characters.
            ("110105194912310021", today(), Err(IdNumberCheckDigit)),
            ("440524198001010014", today(), Err(IdNumberCheckDigit)),
            // Wrong length, letters where digits belong, an unknown check character.
            ("11010519491231002", today(), Err(IdNumberFormat)),
            ("11010519491231002X1", today(), Err(IdNumberFormat)),
            ("1101051949123100AX", today(), Err(IdNumberFormat)),
            ("11010519491231002Y", today(), Err(IdNumberFormat)),
            ("", today(), Err(IdNumberFormat)),
            // 18 bytes but not 18 ASCII characters.
            ("张三1051949123100", today(), Err(IdNumberFormat)),
            // 1949-02-31 does not exist.
            ("110105194902310021", today(), Err(IdNumberBirthDate)),
            // Born in the future; the same number is accepted once that day has come.
            ("11010520300101001X", today(), Err(InFuture)),
            (
                "11010520300101001X",
                d(2030, 1, 1),
                ok("11010520300101001X"),
            ),
            // Check characters right, but born before 1900.
            ("440524188001010014", today(), Err(TooOld)),
            ("110105189901010017", today(), Err(TooOld)),
        ];
        for (input, on, expected) in cases {
            assert_eq!(&id_number(input, *on), expected, "{input:?} on {on}");
        }
    }

    #[test]
    fn id_number_birth_date_extraction() {
        assert_eq!(
            id_number_birth_date("11010519491231002X"),
            Some(d(1949, 12, 31))
        );
        assert_eq!(
            id_number_birth_date("440524188001010014"),
            Some(d(1880, 1, 1))
        );
        assert_eq!(id_number_birth_date("1101051949"), None);
        assert_eq!(id_number_birth_date("110105194902310021"), None);
    }

    // ---- Phones -----------------------------------------------------------

    #[test]
    fn phone_accepts_and_normalises() {
        assert_eq!(phone("13800138000"), Ok("13800138000".to_owned()));
        assert_eq!(phone("+86 138 0013 8000"), Ok("13800138000".to_owned()));
        assert_eq!(phone("8613800138000"), Ok("13800138000".to_owned()));
        assert_eq!(phone("138-0013-8000"), Ok("13800138000".to_owned()));
        assert_eq!(phone("010-62345678"), Ok("010-62345678".to_owned()));
        assert_eq!(phone("0571-8765432"), Ok("0571-8765432".to_owned()));
        assert_eq!(phone("01062345678"), Ok("010-62345678".to_owned()));
        assert_eq!(phone("02187654321"), Ok("021-87654321".to_owned()));
        assert_eq!(phone("05718765432"), Ok("0571-8765432".to_owned()));
        assert_eq!(phone("0571 87654321-12"), Ok("0571-87654321-12".to_owned()));
        assert_eq!(phone("0571-8765432-123"), Ok("0571-8765432-123".to_owned()));
    }

    #[test]
    fn phone_rejects() {
        for bad in [
            "12345678901",
            "1380013800",
            "abc",
            "010-0123456",
            "",
            "   ",
            "138001380001",
            "010-62345678-1234567",
            "010--62345678",
            "010-6234567a",
            "+86 010-62345678",
        ] {
            assert_eq!(phone(bad), Err(InvalidReason::Phone), "{bad:?}");
        }
    }

    // ---- Dates ------------------------------------------------------------

    #[test]
    fn date_leap_days() {
        assert_eq!(Date::parse("2024-02-29"), Ok(d(2024, 2, 29)));
        assert_eq!(Date::parse("2023-02-29"), Err(InvalidReason::DateFormat));
        assert_eq!(Date::new(1900, 2, 29), None);
        assert!(Date::new(2000, 2, 29).is_some());
    }

    #[test]
    fn date_parse_rejects_loose_forms() {
        for bad in [
            "2024-2-9",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "0000-01-01",
            "24-02-09",
            " 2024-02-09",
            "2024/02/09",
            "2024-02-0a",
            "+024-02-09",
            "",
        ] {
            assert_eq!(Date::parse(bad), Err(InvalidReason::DateFormat), "{bad:?}");
        }
        assert_eq!("0001-01-01".parse::<Date>(), Ok(d(1, 1, 1)));
        assert_eq!("9999-12-31".parse::<Date>(), Ok(d(9999, 12, 31)));
    }

    #[test]
    fn date_days_since_epoch_known_values() {
        assert_eq!(d(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(d(1970, 1, 2).days_since_epoch(), 1);
        assert_eq!(d(1969, 12, 31).days_since_epoch(), -1);
        assert_eq!(d(2000, 3, 1).days_since_epoch(), 11_017);
        assert_eq!(d(2024, 2, 29).days_since_epoch(), 19_782);
        assert_eq!(d(1900, 1, 1).days_since_epoch(), -25_567);
        assert_eq!(d(1, 1, 1).days_since_epoch(), -719_162);
        assert_eq!(d(9999, 12, 31).days_since_epoch(), 2_932_896);
    }

    #[test]
    fn date_days_since_epoch_round_trip() {
        let mut days = -719_162_i64;
        while days <= 2_932_896 {
            let date = Date::from_days_since_epoch(days);
            assert_eq!(date.days_since_epoch(), days);
            assert_eq!(Date::new(date.year(), date.month(), date.day()), Some(date));
            days += 97;
        }
        for days in [-1_i64, 0, 1, -25_567, 19_782, 59, 60, -365, -366] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert_eq!(Date::from_days_since_epoch(-1), d(1969, 12, 31));
        assert_eq!(Date::from_days_since_epoch(19_782), d(2024, 2, 29));
    }

    #[test]
    fn date_from_days_clamps() {
        assert_eq!(Date::from_days_since_epoch(i64::MIN), d(1, 1, 1));
        assert_eq!(Date::from_days_since_epoch(i64::MAX), d(9999, 12, 31));
        assert_eq!(d(9999, 12, 31).add_days(1), d(9999, 12, 31));
        assert_eq!(d(1, 1, 1).add_days(i64::MIN), d(1, 1, 1));
    }

    #[test]
    fn date_from_unix_millis_with_offset() {
        // 2024-01-01T16:30:00Z is 2024-01-02 00:30 in China (UTC+8).
        let ms = 1_704_126_600_000_i64;
        assert_eq!(Date::from_unix_millis(ms, 0), d(2024, 1, 1));
        assert_eq!(Date::from_unix_millis(ms, 480), d(2024, 1, 2));
        // One millisecond before local midnight stays on the 1st.
        assert_eq!(
            Date::from_unix_millis(1_704_124_800_000 - 1, 480),
            d(2024, 1, 1)
        );
        assert_eq!(
            Date::from_unix_millis(1_704_124_800_000, 480),
            d(2024, 1, 2)
        );
        // Before the epoch.
        assert_eq!(Date::from_unix_millis(-1, 0), d(1969, 12, 31));
        assert_eq!(Date::from_unix_millis(0, -60), d(1969, 12, 31));
        assert_eq!(Date::from_unix_millis(i64::MIN, -720), d(1, 1, 1));
        assert_eq!(Date::from_unix_millis(i64::MAX, 840), d(9999, 12, 31));
    }

    #[test]
    fn date_add_days_quarter_display() {
        assert_eq!(d(2024, 2, 28).add_days(1), d(2024, 2, 29));
        assert_eq!(d(2024, 2, 28).add_days(2), d(2024, 3, 1));
        assert_eq!(d(2024, 1, 1).add_days(-1), d(2023, 12, 31));
        assert_eq!(d(2024, 1, 1).quarter(), 1);
        assert_eq!(d(2024, 3, 31).quarter(), 1);
        assert_eq!(d(2024, 4, 1).quarter(), 2);
        assert_eq!(d(2024, 9, 30).quarter(), 3);
        assert_eq!(d(2024, 10, 1).quarter(), 4);
        assert_eq!(d(2024, 12, 31).quarter(), 4);
        assert_eq!(d(2024, 3, 5).to_string(), "2024-03-05");
        assert_eq!(d(7, 1, 9).to_string(), "0007-01-09");
        assert!(d(2023, 12, 31) < d(2024, 1, 1));
        assert!(d(2024, 2, 1) < d(2024, 2, 2));
    }

    #[test]
    fn birth_date_bounds() {
        assert_eq!(birth_date(d(1990, 5, 6), today()), Ok(d(1990, 5, 6)));
        assert_eq!(birth_date(today(), today()), Ok(today()));
        assert_eq!(
            birth_date(d(2024, 6, 2), today()),
            Err(InvalidReason::InFuture)
        );
        assert_eq!(
            birth_date(d(1899, 12, 31), today()),
            Err(InvalidReason::TooOld)
        );
        assert_eq!(birth_date(d(1900, 1, 1), today()), Ok(d(1900, 1, 1)));
    }

    // ---- Times ------------------------------------------------------------

    #[test]
    fn time_of_day() {
        assert_eq!(TimeOfDay::parse("00:00").unwrap().minutes(), 0);
        assert_eq!(TimeOfDay::parse("23:59").unwrap().minutes(), 1439);
        assert_eq!("08:30".parse::<TimeOfDay>().unwrap().minutes(), 510);
        for bad in [
            "24:00", "12:60", "8:30", "08:3", "08-30", "0830", "", " 08:30", "ab:cd",
        ] {
            assert_eq!(
                TimeOfDay::parse(bad),
                Err(InvalidReason::TimeFormat),
                "{bad:?}"
            );
        }
        assert_eq!(TimeOfDay::new(9, 5).unwrap().to_string(), "09:05");
        assert_eq!(TimeOfDay::new(24, 0), None);
        assert_eq!(TimeOfDay::new(0, 60), None);
        assert_eq!(TimeOfDay::from_minutes(1439).unwrap().to_string(), "23:59");
        assert_eq!(TimeOfDay::from_minutes(1440), None);
        assert!(TimeOfDay::new(8, 0).unwrap() < TimeOfDay::new(8, 1).unwrap());
    }

    // ---- Text -------------------------------------------------------------

    #[test]
    fn text_trims_and_counts_chars() {
        assert_eq!(text("\u{3000}张三 \u{3000}", 2), Ok("张三".to_owned()));
        assert_eq!(text("张三", 1), Err(InvalidReason::TooLong { max: 1 }));
        assert_eq!(text("  abc  ", 3), Ok("abc".to_owned()));
        assert_eq!(text("\u{3000}\u{3000}", 10), Err(InvalidReason::Empty));
        assert_eq!(text("", 10), Err(InvalidReason::Empty));
        assert_eq!(
            text("a\u{0007}b", 10),
            Err(InvalidReason::ControlCharacters)
        );
        assert_eq!(
            text("line1\nline2", 20),
            Err(InvalidReason::ControlCharacters)
        );
        // Trailing newline is trimmed, not rejected.
        assert_eq!(text("李四\n", 2), Ok("李四".to_owned()));
    }

    #[test]
    fn optional_text_cases() {
        assert_eq!(optional_text("", 5), Ok(None));
        assert_eq!(optional_text(" \u{3000} ", 5), Ok(None));
        assert_eq!(optional_text(" 备注 ", 5), Ok(Some("备注".to_owned())));
        assert_eq!(
            optional_text("123456", 5),
            Err(InvalidReason::TooLong { max: 5 })
        );
    }

    #[test]
    fn code_cases() {
        assert_eq!(code(" grid-01_A ", 10), Ok("grid-01_A".to_owned()));
        assert_eq!(code("", 10), Err(InvalidReason::Empty));
        assert_eq!(code("grid 01", 10), Err(InvalidReason::BadCharacters));
        assert_eq!(code("网格1", 10), Err(InvalidReason::BadCharacters));
        assert_eq!(code("abcdef", 5), Err(InvalidReason::TooLong { max: 5 }));
    }

    // ---- Numbers ----------------------------------------------------------

    #[test]
    fn coordinates_and_numbers() {
        assert_eq!(longitude(f64::NAN), Err(InvalidReason::NotFinite));
        assert_eq!(longitude(f64::INFINITY), Err(InvalidReason::NotFinite));
        assert_eq!(longitude(180.0001), Err(InvalidReason::OutOfRange));
        assert_eq!(longitude(-180.0), Ok(-180.0));
        assert_eq!(longitude(116.397), Ok(116.397));
        assert_eq!(latitude(-90.0), Ok(-90.0));
        assert_eq!(latitude(90.0001), Err(InvalidReason::OutOfRange));
        assert_eq!(latitude(f64::NAN), Err(InvalidReason::NotFinite));
        assert_eq!(accuracy_metres(0.0), Ok(0.0));
        assert_eq!(accuracy_metres(-0.5), Err(InvalidReason::OutOfRange));
        assert_eq!(accuracy_metres(100_000.5), Err(InvalidReason::OutOfRange));
        assert_eq!(
            accuracy_metres(f64::NEG_INFINITY),
            Err(InvalidReason::NotFinite)
        );
        assert_eq!(utc_offset_minutes(480), Ok(480));
        assert_eq!(utc_offset_minutes(-720), Ok(-720));
        assert_eq!(utc_offset_minutes(841), Err(InvalidReason::OutOfRange));
        assert_eq!(utc_offset_minutes(-721), Err(InvalidReason::OutOfRange));
    }

    // ---- Masks ------------------------------------------------------------

    #[test]
    fn masks() {
        assert_eq!(mask_id_number("110105194912310123"), "110105********0123");
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
        assert_eq!(mask_id_number("12345678"), "****5678");
        assert_eq!(mask_id_number("123"), "**3");
        assert_eq!(mask_id_number(""), "");
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("+86 138 0013 8000"), "138****8000");
        assert_eq!(mask_phone("010-62345678"), "010-******78");
        assert_eq!(mask_phone("0571-8765432"), "0571-*****32");
        assert_eq!(mask_phone("0571-8765432-123"), "0571-*****32-***");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_phone("1"), "1");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张"), "*");
        assert_eq!(mask_name(""), "");
    }

    // ---- No personal data in errors ---------------------------------------

    #[test]
    fn errors_do_not_contain_the_value() {
        let id = "110105194912310021";
        let err = id_number(id, today()).unwrap_err();
        assert_eq!(err, InvalidReason::IdNumberCheckDigit);
        assert!(!err.to_string().contains(id));
        assert!(!format!("{err:?}").contains(id));
        assert!(!err.to_string().contains("1949"));

        let bad_phone = "1380013800";
        let err = phone(bad_phone).unwrap_err();
        assert!(!err.to_string().contains(bad_phone));
        assert!(!format!("{err:?}").contains(bad_phone));

        let name = "张三丰";
        let err = text(name, 2).unwrap_err();
        assert_eq!(err.to_string(), "is longer than 2 characters");
        assert!(!err.to_string().contains(name));
    }
}
