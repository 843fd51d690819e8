//! Patrols (义务巡逻): teams in the roster document; shifts and their
//! check-ins in the patrol document of the shift's quarter,
//! `patrol/<grid>/<YYYY>Q<n>`. Members of a team or a shift are keys of a
//! map, so two coordinators adding different members offline both end up on
//! it.
//!
//! - this file: the records, the shift's conversion back to its input
//!   (`to_input`) and the stored form of a check-in;
//! - `edit.rs`: teams, shifts, assignments and check-ins;
//! - `tables.rs`: the patrol tables written from the documents, and the reads;
//! - `service.rs`: a member's time on a shift, from their check-ins.
//!
//! To add a field to shifts or check-ins, add it here, write it in
//! `edit.rs`, and project and read it in `tables.rs` with its column in a
//! new migration. A field of an input that is optional gets a uniffi
//! default; `to_input` lists every field of the input, so the compiler
//! asks for the new one there.

use serde::{Deserialize, Serialize};

use crate::kinds::RecordKind;
use crate::registry::{Collection, DocSpec, Kind, Partition};
use crate::validate::{Date, TimeOfDay};
use crate::values::{GpsFix, Timestamp};

mod edit;
mod service;
mod tables;

pub(crate) use service::shift_service;

/// The patrol documents: one per grid and calendar quarter.
pub(crate) static PATROL_DOC: DocSpec = DocSpec {
    name: "patrol",
    partition: Partition::Quarter,
    genesis: &["shifts", "checkins"],
};

/// The patrols' registration: teams in the roster document, shifts and
/// check-ins in the patrol documents.
pub(crate) static KIND: Kind = Kind {
    docs: &[&PATROL_DOC],
    collections: &[
        Collection::records(RecordKind::PatrolTeam, "teams", tables::project_team),
        Collection::records(RecordKind::Shift, "shifts", tables::project_shift),
        Collection::entries(
            RecordKind::Checkin,
            "checkins",
            tables::project_checkin,
            tables::project_all_checkins,
        ),
    ],
    // Who recorded a check-in.
    author_fields: &["recorded_by"],
    entry_checks: &[],
    refresh_on_open: None,
    tables: &[
        "patrol_teams",
        "team_members",
        "shifts",
        "shift_members",
        "checkins",
    ],
};

/// A patrol team member: a worker of the grid or a volunteer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TeamMember {
    /// The member's id (a worker id, or any id the coordinator gives a volunteer).
    pub member_id: String,
    /// The member's name.
    pub name: String,
}

/// A patrol team as stored.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PatrolTeam {
    /// The team's id.
    pub id: String,
    /// The grid.
    pub grid_id: String,
    /// The team's name.
    pub name: String,
    /// Its members, by id.
    pub members: Vec<TeamMember>,
}

/// A patrol shift to create.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ShiftInput {
    /// The team that patrols.
    pub team_id: String,
    /// The day.
    pub date: Date,
    /// Start time, local.
    pub starts: TimeOfDay,
    /// End time, local, later than the start on the same day.
    pub ends: TimeOfDay,
    /// The route: building ids or checkpoint names, in order.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub route: Vec<String>,
}

/// A patrol shift as stored.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Shift {
    /// The shift's id.
    pub id: String,
    /// The grid.
    pub grid_id: String,
    /// The team.
    pub team_id: String,
    /// The day.
    pub date: Date,
    /// Start time.
    pub starts: TimeOfDay,
    /// End time.
    pub ends: TimeOfDay,
    /// The route, in order.
    pub route: Vec<String>,
    /// The members assigned, sorted.
    pub members: Vec<String>,
}

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Shift {
    /// This shift as the input `Store.createShift` takes, to plan another
    /// shift like it (change the date, then create it). A shift is never
    /// edited in place; its members are assigned separately
    /// (`Store.assignToShift`).
    pub fn to_input(&self) -> ShiftInput {
        ShiftInput {
            team_id: self.team_id.clone(),
            date: self.date,
            starts: self.starts,
            ends: self.ends,
            route: self.route.clone(),
        }
    }
}

/// A patrol check-in to record.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckinInput {
    /// The shift.
    pub shift_id: String,
    /// The member checking in.
    pub member_id: String,
    /// When.
    pub at: Timestamp,
    /// The checkpoint reached (one of the shift's route).
    pub checkpoint: String,
    /// Where the phone was.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub gps: Option<GpsFix>,
}

/// A patrol check-in as stored.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Checkin {
    /// The check-in's id.
    pub id: String,
    /// The shift.
    pub shift_id: String,
    /// The member.
    pub member_id: String,
    /// When.
    pub at: Timestamp,
    /// The checkpoint.
    pub checkpoint: String,
    /// Where the phone was.
    pub gps: Option<GpsFix>,
}

/// A check-in as stored in `patrol/<grid>/<quarter>` under `checkins/<id>`:
/// one entry (see `entries.rs`), written once and never amended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct StoredCheckin {
    pub(crate) shift_id: String,
    pub(crate) member_id: String,
    pub(crate) at_ms: i64,
    pub(crate) offset_min: i32,
    pub(crate) checkpoint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) gps: Option<[f64; 3]>,
    /// The worker whose phone recorded it (the member may be a volunteer
    /// without one); the sync server vouches for it. Empty in check-ins of
    /// older builds.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub(crate) recorded_by: String,
}
