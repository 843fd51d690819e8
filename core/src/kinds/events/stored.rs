//! The stored forms of reports and steps: one JSON entry each (see
//! `entries.rs`), written once. Fields are added with `#[serde(default)]`
//! so that entries of older builds still read; unknown fields of newer
//! builds are ignored.

use serde::{Deserialize, Serialize};

use crate::calendar::TimeLimit;

/// A time limit as stored: its unit (`hours`, `working_days`,
/// `working_hours`) and the amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredLimit {
    pub(crate) unit: String,
    pub(crate) amount: i32,
}

impl StoredLimit {
    pub(crate) fn of(limit: TimeLimit) -> StoredLimit {
        let (unit, amount) = match limit {
            TimeLimit::Hours { hours } => ("hours", hours),
            TimeLimit::WorkingDays { days } => ("working_days", days),
            TimeLimit::WorkingHours { hours } => ("working_hours", hours),
        };
        StoredLimit {
            unit: unit.to_string(),
            amount,
        }
    }

    /// The limit, if its unit is known and its amount positive.
    pub(crate) fn read(&self) -> Option<TimeLimit> {
        let amount = self.amount;
        if amount <= 0 {
            return None;
        }
        match self.unit.as_str() {
            "hours" => Some(TimeLimit::Hours { hours: amount }),
            "working_days" => Some(TimeLimit::WorkingDays { days: amount }),
            "working_hours" => Some(TimeLimit::WorkingHours { hours: amount }),
            _ => None,
        }
    }

    /// The amount of a limit, whatever its unit.
    pub(crate) fn amount(limit: TimeLimit) -> i32 {
        StoredLimit::of(limit).amount
    }
}

/// A report as stored under `events/<id>`: one entry, written once by its
/// reporter. The category's level and limit are kept as they were then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredEvent {
    pub(crate) category: String,
    pub(crate) description: String,
    pub(crate) urgency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) building_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) household_id: Option<String>,
    /// `[lon, lat, accuracy_m]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) gps: Option<[f64; 3]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) address: Option<String>,
    pub(crate) source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) source_record_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) residents: Vec<String>,
    pub(crate) at_ms: i64,
    pub(crate) offset_min: i32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) photos: Vec<String>,
    pub(crate) reporter_id: String,
    pub(crate) level: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) limit: Option<StoredLimit>,
}

/// A step as stored under `event_steps/<step id>`: one entry, written once
/// by the worker who took it, with the role they had then (which the sync
/// server checks against the one it keeps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredStep {
    pub(crate) event_id: String,
    pub(crate) action: String,
    pub(crate) worker_id: String,
    pub(crate) role: String,
    pub(crate) at_ms: i64,
    pub(crate) offset_min: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) photos: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) assignee: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) level: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) extension: Option<StoredLimit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) satisfaction: Option<String>,
}
