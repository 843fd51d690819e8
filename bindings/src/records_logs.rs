//! Records mirroring the core's visit, building-head, patrol, conflict and
//! change-set types, with mechanical conversions (dates as `YYYY-MM-DD`,
//! times of day as `HH:MM`, see `records`).

use crate::codes::{FindingKind, RecordKind, Resolution, VisitKind, VisitOutcome};
use crate::error::{GridbookError, Result};
use crate::records::{GpsFix, LocalTime, parse_date, parse_time};

/// One finding of a visit: a request or a problem.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FindingInput {
    /// The finding's id when amending an existing one; null for a new one.
    pub id: Option<String>,
    /// Request or problem.
    pub kind: FindingKind,
    /// What was found.
    pub text: String,
    /// Solved on the spot, escalated or open.
    pub resolution: Resolution,
}

impl From<FindingInput> for gridbook::FindingInput {
    fn from(f: FindingInput) -> Self {
        gridbook::FindingInput {
            id: f.id,
            kind: f.kind.into(),
            text: f.text,
            resolution: f.resolution.into(),
        }
    }
}

/// A visit (走访) to log or amend.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VisitInput {
    /// The household visited.
    pub household_id: String,
    /// When.
    pub at: LocalTime,
    /// Why.
    pub kind: VisitKind,
    /// What happened at the door.
    pub outcome: VisitOutcome,
    /// The residents seen (ids of the household's residents).
    pub residents_seen: Vec<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Requests and problems found.
    pub findings: Vec<FindingInput>,
    /// Where the phone was.
    pub gps: Option<GpsFix>,
}

impl From<VisitInput> for gridbook::VisitInput {
    fn from(v: VisitInput) -> Self {
        gridbook::VisitInput {
            household_id: v.household_id,
            at: v.at.into(),
            kind: v.kind.into(),
            outcome: v.outcome.into(),
            residents_seen: v.residents_seen,
            notes: v.notes,
            findings: v.findings.into_iter().map(Into::into).collect(),
            gps: v.gps.map(Into::into),
        }
    }
}

/// A finding as stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Finding {
    /// The finding's id within its visit.
    pub id: String,
    /// Request or problem.
    pub kind: FindingKind,
    /// What was found.
    pub text: String,
    /// What became of it.
    pub resolution: Resolution,
}

impl From<gridbook::Finding> for Finding {
    fn from(f: gridbook::Finding) -> Self {
        Finding {
            id: f.id,
            kind: f.kind.into(),
            text: f.text,
            resolution: f.resolution.into(),
        }
    }
}

/// A visit as stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Visit {
    /// The visit's id.
    pub id: String,
    /// The grid.
    pub grid_id: String,
    /// The household.
    pub household_id: String,
    /// The worker who made it.
    pub worker_id: String,
    /// When.
    pub at: LocalTime,
    /// Why.
    pub kind: VisitKind,
    /// What happened at the door.
    pub outcome: VisitOutcome,
    /// The residents seen, sorted.
    pub residents_seen: Vec<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Findings, by id.
    pub findings: Vec<Finding>,
    /// Where the phone was.
    pub gps: Option<GpsFix>,
}

impl From<gridbook::Visit> for Visit {
    fn from(v: gridbook::Visit) -> Self {
        Visit {
            id: v.id,
            grid_id: v.grid_id,
            household_id: v.household_id,
            worker_id: v.worker_id,
            at: v.at.into(),
            kind: v.kind.into(),
            outcome: v.outcome.into(),
            residents_seen: v.residents_seen,
            notes: v.notes,
            findings: v.findings.into_iter().map(Into::into).collect(),
            gps: v.gps.map(Into::into),
        }
    }
}

/// Who heads a building: a resident of the grid or a named volunteer.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum HeadPerson {
    /// A resident of the grid.
    Resident {
        /// The resident's id.
        resident_id: String,
    },
    /// A volunteer who is not on the roster.
    Volunteer {
        /// The volunteer's name.
        name: String,
    },
}

impl From<gridbook::HeadPerson> for HeadPerson {
    fn from(p: gridbook::HeadPerson) -> Self {
        match p {
            gridbook::HeadPerson::Resident(resident_id) => HeadPerson::Resident { resident_id },
            gridbook::HeadPerson::Volunteer(name) => HeadPerson::Volunteer { name },
        }
    }
}

impl From<HeadPerson> for gridbook::HeadPerson {
    fn from(p: HeadPerson) -> Self {
        match p {
            HeadPerson::Resident { resident_id } => gridbook::HeadPerson::Resident(resident_id),
            HeadPerson::Volunteer { name } => gridbook::HeadPerson::Volunteer(name),
        }
    }
}

/// A building-head appointment (楼栋长) as stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HeadAppointment {
    /// The appointment's id.
    pub id: String,
    /// The building.
    pub building_id: String,
    /// The head.
    pub person: HeadPerson,
    /// First day as head, `YYYY-MM-DD`.
    pub starts_on: String,
    /// Last day as head, `YYYY-MM-DD`: an explicit end, or the start of the head who superseded this one.
    pub ends_on: Option<String>,
    /// Whether this is the building's current head.
    pub is_current: bool,
    /// The worker who made the appointment.
    pub appointed_by: String,
}

impl From<gridbook::HeadAppointment> for HeadAppointment {
    fn from(a: gridbook::HeadAppointment) -> Self {
        HeadAppointment {
            id: a.id,
            building_id: a.building_id,
            person: a.person.into(),
            starts_on: a.starts_on.to_string(),
            ends_on: a.ends_on.map(|d| d.to_string()),
            is_current: a.is_current,
            appointed_by: a.appointed_by,
        }
    }
}

/// A patrol team member: a worker of the grid or a volunteer.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TeamMember {
    /// The member's id (a worker id, or any id the coordinator gives a volunteer).
    pub member_id: String,
    /// The member's name.
    pub name: String,
}

impl From<gridbook::TeamMember> for TeamMember {
    fn from(m: gridbook::TeamMember) -> Self {
        TeamMember {
            member_id: m.member_id,
            name: m.name,
        }
    }
}

impl From<TeamMember> for gridbook::TeamMember {
    fn from(m: TeamMember) -> Self {
        gridbook::TeamMember {
            member_id: m.member_id,
            name: m.name,
        }
    }
}

/// A patrol team as stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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

impl From<gridbook::PatrolTeam> for PatrolTeam {
    fn from(t: gridbook::PatrolTeam) -> Self {
        PatrolTeam {
            id: t.id,
            grid_id: t.grid_id,
            name: t.name,
            members: t.members.into_iter().map(Into::into).collect(),
        }
    }
}

/// A patrol shift to create.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ShiftInput {
    /// The team that patrols.
    pub team_id: String,
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Start time, local `HH:MM`.
    pub starts: String,
    /// End time, local `HH:MM`, later than the start on the same day.
    pub ends: String,
    /// The route: building ids or checkpoint names, in order.
    pub route: Vec<String>,
}

impl TryFrom<ShiftInput> for gridbook::ShiftInput {
    type Error = GridbookError;
    fn try_from(s: ShiftInput) -> Result<Self> {
        Ok(gridbook::ShiftInput {
            team_id: s.team_id,
            date: parse_date("date", &s.date)?,
            starts: parse_time("starts", &s.starts)?,
            ends: parse_time("ends", &s.ends)?,
            route: s.route,
        })
    }
}

/// A patrol shift as stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Shift {
    /// The shift's id.
    pub id: String,
    /// The grid.
    pub grid_id: String,
    /// The team.
    pub team_id: String,
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Start time, `HH:MM`.
    pub starts: String,
    /// End time, `HH:MM`.
    pub ends: String,
    /// The route, in order.
    pub route: Vec<String>,
    /// The members assigned, sorted.
    pub members: Vec<String>,
}

impl From<gridbook::Shift> for Shift {
    fn from(s: gridbook::Shift) -> Self {
        Shift {
            id: s.id,
            grid_id: s.grid_id,
            team_id: s.team_id,
            date: s.date.to_string(),
            starts: s.starts.to_string(),
            ends: s.ends.to_string(),
            route: s.route,
            members: s.members,
        }
    }
}

/// A patrol check-in to record.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CheckinInput {
    /// The shift.
    pub shift_id: String,
    /// The member checking in.
    pub member_id: String,
    /// When.
    pub at: LocalTime,
    /// The checkpoint reached (one of the shift's route).
    pub checkpoint: String,
    /// Where the phone was.
    pub gps: Option<GpsFix>,
}

impl From<CheckinInput> for gridbook::CheckinInput {
    fn from(c: CheckinInput) -> Self {
        gridbook::CheckinInput {
            shift_id: c.shift_id,
            member_id: c.member_id,
            at: c.at.into(),
            checkpoint: c.checkpoint,
            gps: c.gps.map(Into::into),
        }
    }
}

/// A patrol check-in as stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Checkin {
    /// The check-in's id.
    pub id: String,
    /// The shift.
    pub shift_id: String,
    /// The member.
    pub member_id: String,
    /// When.
    pub at: LocalTime,
    /// The checkpoint.
    pub checkpoint: String,
    /// Where the phone was.
    pub gps: Option<GpsFix>,
}

impl From<gridbook::Checkin> for Checkin {
    fn from(c: gridbook::Checkin) -> Self {
        Checkin {
            id: c.id,
            shift_id: c.shift_id,
            member_id: c.member_id,
            at: c.at.into(),
            checkpoint: c.checkpoint,
            gps: c.gps.map(Into::into),
        }
    }
}

/// One of the concurrent values of a field.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct ConflictValue {
    /// The value as JSON text (a string, number, boolean or null).
    pub value_json: String,
    /// The worker whose device wrote it, if the device is known.
    pub worker_id: Option<String>,
    /// The device's CRDT actor id (hex).
    pub actor: String,
    /// When the change that wrote it was made (device clock, UTC ms).
    pub at_ms: Option<i64>,
    /// Whether this is the value in effect.
    pub is_winner: bool,
}

impl From<gridbook::ConflictValue> for ConflictValue {
    fn from(v: gridbook::ConflictValue) -> Self {
        ConflictValue {
            value_json: v.value.to_string(),
            worker_id: v.worker_id,
            actor: v.actor,
            at_ms: v.at_ms,
            is_winner: v.is_winner,
        }
    }
}

/// A field that two or more people changed concurrently. Resolve it by editing the field.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct Conflict {
    /// The kind of record.
    pub record_kind: RecordKind,
    /// The record's id.
    pub record_id: String,
    /// The field (`heads` for concurrent building-head appointments).
    pub field: String,
    /// The values, the one in effect marked.
    pub values: Vec<ConflictValue>,
}

impl From<gridbook::Conflict> for Conflict {
    fn from(c: gridbook::Conflict) -> Self {
        Conflict {
            record_kind: c.record_kind.into(),
            record_id: c.record_id,
            field: c.field,
            values: c.values.into_iter().map(Into::into).collect(),
        }
    }
}

/// Changes exported from a store, with the cursor to export from next time.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChangeSet {
    /// The encoded change set, for `Store.importChanges` on another replica.
    pub bytes: Vec<u8>,
    /// Pass this to the next `Store.exportSince` to get only newer changes.
    pub cursor: u64,
    /// How many chunks (changes or snapshots) the set holds.
    pub chunks: u32,
}

impl From<gridbook::ChangeSet> for ChangeSet {
    fn from(c: gridbook::ChangeSet) -> Self {
        ChangeSet {
            bytes: c.bytes,
            cursor: c.cursor,
            chunks: c.chunks,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ImportReport {
    /// Changes this store did not have, now stored.
    pub new_changes: u32,
    /// Changes it already had, skipped.
    pub known_changes: u32,
    /// Snapshots that brought something new.
    pub new_snapshots: u32,
    /// Records re-projected into the query tables.
    pub records_updated: u32,
}

impl From<gridbook::ImportReport> for ImportReport {
    fn from(r: gridbook::ImportReport) -> Self {
        ImportReport {
            new_changes: r.new_changes,
            known_changes: r.known_changes,
            new_snapshots: r.new_snapshots,
            records_updated: r.records_updated,
        }
    }
}
