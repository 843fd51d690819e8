//! The records as the API takes and returns them.
//!
//! Inputs (`*Input`) are what an app's form produces; the store validates
//! them whole before anything is written. Outputs are read from the query
//! tables. Types that carry personal data implement `Debug` by hand so that
//! names, ID numbers and phones never reach a log through `{:?}`. To add a
//! field: add it here, write it in the matching `edit_*` module, read it in
//! `project.rs`, add its column in a new `schema/` migration, and list it in
//! `schema/README.md`.

use crate::codes::{
    DwellingUse, FindingKind, Gender, HouseholdStatus, Registration, ResidenceState,
    ResidentStatus, Resolution, VisitKind, VisitOutcome, WorkerRole,
};
use crate::validate::{Date, TimeOfDay, mask_id_number, mask_name, mask_phone};

/// A point in WGS-84, as phones' GPS report it (not GCJ-02; convert for display on Chinese maps).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
}

/// A GPS fix: a WGS-84 point and its accuracy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpsFix {
    /// Where the phone was.
    pub point: GeoPoint,
    /// The radius of the fix's uncertainty, in metres.
    pub accuracy_m: f64,
}

/// An instant with the local UTC offset it was recorded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalTime {
    /// Milliseconds since 1970-01-01T00:00Z.
    pub utc_ms: i64,
    /// The local offset from UTC in minutes (China: +480).
    pub offset_minutes: i32,
}

impl LocalTime {
    /// The local calendar date of this instant.
    pub fn local_date(&self) -> Date {
        Date::from_unix_millis(self.utc_ms, self.offset_minutes)
    }
}

/// Who is using this store: the worker and the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerIdentity {
    /// The worker's id, as issued by the grid's coordinator.
    pub worker_id: String,
    /// The worker's name as colleagues know it.
    pub name: String,
    /// The worker's role in the team.
    pub role: WorkerRole,
    /// A label for the device ("张三的手机"), shown next to the changes it made.
    pub device_label: String,
}

/// A grid (网格) to create or update.
#[derive(Debug, Clone, PartialEq)]
pub struct GridInput {
    /// The grid's code: letters, digits, `-` and `_` (for example the 15-digit form).
    pub code: String,
    /// The grid's name.
    pub name: String,
    /// The community (社区) it belongs to.
    pub community: Option<String>,
    /// The street or township (街道/乡镇).
    pub street: Option<String>,
    /// The boundary ring in WGS-84, at least 3 points, if drawn.
    pub boundary: Option<Vec<GeoPoint>>,
}

/// A grid as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The grid's id.
    pub id: String,
    /// The grid's code.
    pub code: String,
    /// The grid's name.
    pub name: String,
    /// The community.
    pub community: Option<String>,
    /// The street or township.
    pub street: Option<String>,
    /// The boundary ring, if drawn.
    pub boundary: Option<Vec<GeoPoint>>,
    /// Whether the grid was retired.
    pub retired: bool,
}

/// A building (楼栋) to create or update.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildingInput {
    /// The building's number or name ("3栋", "12").
    pub number: String,
    /// The estate (小区) it stands in.
    pub estate: Option<String>,
    /// The number of units (单元).
    pub units: u32,
    /// The number of floors above ground.
    pub floors: u32,
    /// Where it stands.
    pub location: Option<GeoPoint>,
}

/// A building as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Building {
    /// The building's id.
    pub id: String,
    /// The grid it belongs to.
    pub grid_id: String,
    /// Its number or name.
    pub number: String,
    /// Its estate.
    pub estate: Option<String>,
    /// Its number of units.
    pub units: u32,
    /// Its number of floors.
    pub floors: u32,
    /// Where it stands.
    pub location: Option<GeoPoint>,
    /// Whether it was retired (demolished or moved to another grid).
    pub retired: bool,
}

/// A household (户) at a dwelling, to create or update.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdInput {
    /// The building of the dwelling.
    pub building_id: String,
    /// The unit (单元), for example "1".
    pub unit: String,
    /// The floor; negative for basements.
    pub floor: i32,
    /// The room (门牌), for example "502".
    pub room: String,
    /// How the dwelling is used.
    pub use_kind: DwellingUse,
    /// Free tags (lower-case codes).
    pub tags: Vec<String>,
    /// The dwelling's location, if it differs from the building's.
    pub location: Option<GeoPoint>,
    /// Notes (may hold personal data; masked in exports).
    pub notes: Option<String>,
}

/// A household as stored.
#[derive(Clone, PartialEq)]
pub struct Household {
    /// The household's id.
    pub id: String,
    /// The grid, inherited from the building.
    pub grid_id: String,
    /// The building.
    pub building_id: String,
    /// The building's number, for display.
    pub building_number: String,
    /// The unit.
    pub unit: String,
    /// The floor.
    pub floor: i32,
    /// The room.
    pub room: String,
    /// How the dwelling is used.
    pub use_kind: DwellingUse,
    /// Active or moved out.
    pub status: HouseholdStatus,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// The dwelling's location.
    pub location: Option<GeoPoint>,
    /// Notes.
    pub notes: Option<String>,
    /// The head of household, a resident of this household.
    pub head_id: Option<String>,
}

impl std::fmt::Debug for Household {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Household")
            .field("id", &self.id)
            .field("building_number", &self.building_number)
            .field("status", &self.status)
            .field("notes", &self.notes.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// A resident (人) to create or update.
#[derive(Clone, PartialEq)]
pub struct ResidentInput {
    /// The household the resident belongs to.
    pub household_id: String,
    /// Full name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date; not in the future.
    pub birth_date: Option<Date>,
    /// Resident ID number (18 characters, GB 11643 check digit).
    pub id_number: Option<String>,
    /// Phones: 11-digit mobiles or landlines with area code.
    pub phones: Vec<String>,
    /// Relation to the head of household (GB/T 4761 code, "02" for the head).
    pub relation: String,
    /// Registration kind.
    pub registration: Registration,
    /// Residence state.
    pub residence_state: ResidenceState,
    /// Care categories (codes, see [`crate::codes::CARE_CATEGORIES`]).
    pub care: Vec<String>,
    /// When the resident moved in.
    pub moved_in: Option<Date>,
}

impl std::fmt::Debug for ResidentInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResidentInput")
            .field("household_id", &self.household_id)
            .field("name", &mask_name(&self.name))
            .finish_non_exhaustive()
    }
}

/// A resident as stored.
#[derive(Clone, PartialEq)]
pub struct Resident {
    /// The resident's id.
    pub id: String,
    /// The grid.
    pub grid_id: String,
    /// The household.
    pub household_id: String,
    /// Full name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// ID number, unmasked: mask it with [`Resident::masked`] before showing or exporting.
    pub id_number: Option<String>,
    /// Phones, normalised.
    pub phones: Vec<String>,
    /// Relation to the head (GB/T 4761).
    pub relation: String,
    /// Registration kind.
    pub registration: Registration,
    /// Residence state.
    pub residence_state: ResidenceState,
    /// Care categories, sorted.
    pub care: Vec<String>,
    /// When the resident moved in.
    pub moved_in: Option<Date>,
    /// When the resident moved out, if they did.
    pub moved_out: Option<Date>,
    /// Active, moved out or deceased.
    pub status: ResidentStatus,
}

impl Resident {
    /// The same resident with ID number and phones masked for display or export.
    pub fn masked(&self) -> Resident {
        Resident {
            id_number: self.id_number.as_deref().map(mask_id_number),
            phones: self.phones.iter().map(|p| mask_phone(p)).collect(),
            ..self.clone()
        }
    }
}

impl std::fmt::Debug for Resident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resident")
            .field("id", &self.id)
            .field("household_id", &self.household_id)
            .field("name", &mask_name(&self.name))
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// One finding of a visit: a request or a problem.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingInput {
    /// The finding's id when amending an existing one; `None` for a new one.
    pub id: Option<String>,
    /// Request or problem.
    pub kind: FindingKind,
    /// What was found.
    pub text: String,
    /// Solved on the spot, escalated or open.
    pub resolution: Resolution,
}

/// A visit (走访) to log or amend.
#[derive(Debug, Clone, PartialEq)]
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

/// A finding as stored.
#[derive(Debug, Clone, PartialEq)]
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

/// A visit as stored.
#[derive(Debug, Clone, PartialEq)]
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

/// Who heads a building: a resident of the grid or a named volunteer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadPerson {
    /// A resident of the grid, by id.
    Resident(String),
    /// A volunteer who is not on the roster, by name.
    Volunteer(String),
}

/// A building-head appointment (楼栋长) as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadAppointment {
    /// The appointment's id.
    pub id: String,
    /// The building.
    pub building_id: String,
    /// The head.
    pub person: HeadPerson,
    /// First day as head.
    pub starts_on: Date,
    /// Last day as head: an explicit end, or the start of the head who superseded this one.
    pub ends_on: Option<Date>,
    /// Whether this is the building's current head.
    pub is_current: bool,
    /// The worker who made the appointment.
    pub appointed_by: String,
}

/// A patrol team member: a worker of the grid or a volunteer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    /// The member's id (a worker id, or any id the coordinator gives a volunteer).
    pub member_id: String,
    /// The member's name.
    pub name: String,
}

/// A patrol team as stored.
#[derive(Debug, Clone, PartialEq)]
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
    pub route: Vec<String>,
}

/// A patrol shift as stored.
#[derive(Debug, Clone, PartialEq)]
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

/// A patrol check-in to record.
#[derive(Debug, Clone, PartialEq)]
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

/// A patrol check-in as stored.
#[derive(Debug, Clone, PartialEq)]
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

/// One row of a grid's roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRow {
    /// The household.
    pub household: Household,
    /// Its active members.
    pub member_count: u32,
    /// The time of its latest visit.
    pub last_visit: Option<LocalTime>,
}

/// A household with its members and visits, newest visit first.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdDetail {
    /// The household.
    pub household: Household,
    /// All its residents, active first.
    pub members: Vec<Resident>,
    /// Its visits, newest first.
    pub visits: Vec<Visit>,
}

/// A worker of a grid's team, known from the roster document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    /// The worker's id.
    pub id: String,
    /// The worker's name.
    pub name: String,
    /// The worker's role.
    pub role: WorkerRole,
}

/// One of the concurrent values of a field.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictValue {
    /// The value, as JSON (a string, number, boolean or null).
    pub value: serde_json::Value,
    /// The worker whose device wrote it, if the device is known.
    pub worker_id: Option<String>,
    /// The device's CRDT actor id (hex).
    pub actor: String,
    /// When the change that wrote it was made (device clock, UTC ms).
    pub at_ms: Option<i64>,
    /// Whether this is the value in effect.
    pub is_winner: bool,
}

/// A field that two or more people changed concurrently. Resolve it by editing the field.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The kind of record.
    pub record_kind: crate::RecordKind,
    /// The record's id.
    pub record_id: String,
    /// The field (`heads` for concurrent building-head appointments).
    pub field: String,
    /// The values, the one in effect marked.
    pub values: Vec<ConflictValue>,
}

/// Where a search matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchMatch {
    /// The resident's name.
    Name,
    /// The end of one of the resident's phones.
    PhoneSuffix,
    /// The end of the resident's ID number.
    IdNumberSuffix,
    /// The household's address.
    Address,
}

/// A search hit: a resident, or a household found by its address.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The household.
    pub household_id: String,
    /// The resident, when the hit is a person.
    pub resident_id: Option<String>,
    /// A display line: masked name and address.
    pub display: String,
    /// What matched.
    pub matched: SearchMatch,
}
