//! Records mirroring the core's roster types (`gridbook::model`), with
//! mechanical conversions. Dates cross the boundary as `YYYY-MM-DD` strings
//! and times of day as `HH:MM` (what `java.time.LocalDate.parse` and
//! `LocalTime.parse` read); a malformed one is a `GridbookError::Invalid`
//! naming the field.
//!
//! Records that hold personal data (`Household`, `Resident` and what contains
//! them) do not implement `Debug`, so they cannot reach a Rust log.

use gridbook::{Date, TimeOfDay};

use crate::codes::{
    DwellingUse, Gender, HouseholdStatus, Registration, ResidenceState, ResidentStatus,
    SearchMatch, WorkerRole,
};
use crate::error::{GridbookError, Result};

/// Parses a `YYYY-MM-DD` date given for `field`.
pub(crate) fn parse_date(field: &str, text: &str) -> Result<Date> {
    Date::parse(text).map_err(|reason| invalid(field, reason))
}

/// Parses an optional `YYYY-MM-DD` date given for `field`.
pub(crate) fn parse_opt_date(field: &str, text: Option<String>) -> Result<Option<Date>> {
    text.map(|text| parse_date(field, &text)).transpose()
}

/// Parses an `HH:MM` time of day given for `field`.
pub(crate) fn parse_time(field: &str, text: &str) -> Result<TimeOfDay> {
    TimeOfDay::parse(text).map_err(|reason| invalid(field, reason))
}

fn invalid(field: &str, reason: gridbook::InvalidReason) -> GridbookError {
    GridbookError::Invalid {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// A point in WGS-84 as the phone's GPS reports it (not GCJ-02).
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct GeoPoint {
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
}

impl From<gridbook::GeoPoint> for GeoPoint {
    fn from(p: gridbook::GeoPoint) -> Self {
        GeoPoint {
            lon: p.lon,
            lat: p.lat,
        }
    }
}

impl From<GeoPoint> for gridbook::GeoPoint {
    fn from(p: GeoPoint) -> Self {
        gridbook::GeoPoint {
            lon: p.lon,
            lat: p.lat,
        }
    }
}

/// A GPS fix: a WGS-84 point and its accuracy.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct GpsFix {
    /// Where the phone was.
    pub point: GeoPoint,
    /// The radius of the fix's uncertainty, in metres.
    pub accuracy_m: f64,
}

impl From<gridbook::GpsFix> for GpsFix {
    fn from(f: gridbook::GpsFix) -> Self {
        GpsFix {
            point: f.point.into(),
            accuracy_m: f.accuracy_m,
        }
    }
}

impl From<GpsFix> for gridbook::GpsFix {
    fn from(f: GpsFix) -> Self {
        gridbook::GpsFix {
            point: f.point.into(),
            accuracy_m: f.accuracy_m,
        }
    }
}

/// An instant with the local UTC offset it was recorded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct LocalTime {
    /// Milliseconds since 1970-01-01T00:00Z.
    pub utc_ms: i64,
    /// The local offset from UTC in minutes (China: 480).
    pub offset_minutes: i32,
}

impl From<gridbook::LocalTime> for LocalTime {
    fn from(t: gridbook::LocalTime) -> Self {
        LocalTime {
            utc_ms: t.utc_ms,
            offset_minutes: t.offset_minutes,
        }
    }
}

impl From<LocalTime> for gridbook::LocalTime {
    fn from(t: LocalTime) -> Self {
        gridbook::LocalTime {
            utc_ms: t.utc_ms,
            offset_minutes: t.offset_minutes,
        }
    }
}

/// Who is using a store: the worker and the device.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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

impl From<gridbook::WorkerIdentity> for WorkerIdentity {
    fn from(w: gridbook::WorkerIdentity) -> Self {
        WorkerIdentity {
            worker_id: w.worker_id,
            name: w.name,
            role: w.role.into(),
            device_label: w.device_label,
        }
    }
}

impl From<WorkerIdentity> for gridbook::WorkerIdentity {
    fn from(w: WorkerIdentity) -> Self {
        gridbook::WorkerIdentity {
            worker_id: w.worker_id,
            name: w.name,
            role: w.role.into(),
            device_label: w.device_label,
        }
    }
}

/// A grid (网格) to create or update.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct GridInput {
    /// The grid's code: letters, digits, `-` and `_`.
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

impl From<GridInput> for gridbook::GridInput {
    fn from(g: GridInput) -> Self {
        gridbook::GridInput {
            code: g.code,
            name: g.name,
            community: g.community,
            street: g.street,
            boundary: g
                .boundary
                .map(|ring| ring.into_iter().map(Into::into).collect()),
        }
    }
}

/// A grid as stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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

impl From<gridbook::Grid> for Grid {
    fn from(g: gridbook::Grid) -> Self {
        Grid {
            id: g.id,
            code: g.code,
            name: g.name,
            community: g.community,
            street: g.street,
            boundary: g
                .boundary
                .map(|ring| ring.into_iter().map(Into::into).collect()),
            retired: g.retired,
        }
    }
}

/// A building (楼栋) to create or update.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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

impl From<BuildingInput> for gridbook::BuildingInput {
    fn from(b: BuildingInput) -> Self {
        gridbook::BuildingInput {
            number: b.number,
            estate: b.estate,
            units: b.units,
            floors: b.floors,
            location: b.location.map(Into::into),
        }
    }
}

/// A building as stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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

impl From<gridbook::Building> for Building {
    fn from(b: gridbook::Building) -> Self {
        Building {
            id: b.id,
            grid_id: b.grid_id,
            number: b.number,
            estate: b.estate,
            units: b.units,
            floors: b.floors,
            location: b.location.map(Into::into),
            retired: b.retired,
        }
    }
}

/// A household (户) at a dwelling, to create or update.
#[derive(Clone, PartialEq, uniffi::Record)]
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
    /// Notes (may hold personal data).
    pub notes: Option<String>,
}

impl From<HouseholdInput> for gridbook::HouseholdInput {
    fn from(h: HouseholdInput) -> Self {
        gridbook::HouseholdInput {
            building_id: h.building_id,
            unit: h.unit,
            floor: h.floor,
            room: h.room,
            use_kind: h.use_kind.into(),
            tags: h.tags,
            location: h.location.map(Into::into),
            notes: h.notes,
        }
    }
}

/// A household as stored.
#[derive(Clone, PartialEq, uniffi::Record)]
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

impl From<gridbook::Household> for Household {
    fn from(h: gridbook::Household) -> Self {
        Household {
            id: h.id,
            grid_id: h.grid_id,
            building_id: h.building_id,
            building_number: h.building_number,
            unit: h.unit,
            floor: h.floor,
            room: h.room,
            use_kind: h.use_kind.into(),
            status: h.status.into(),
            tags: h.tags,
            location: h.location.map(Into::into),
            notes: h.notes,
            head_id: h.head_id,
        }
    }
}

/// A resident (人) to create or update.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct ResidentInput {
    /// The household the resident belongs to.
    pub household_id: String,
    /// Full name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date, `YYYY-MM-DD`; not in the future.
    pub birth_date: Option<String>,
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
    /// Care categories (codes from `careCategories()`).
    pub care: Vec<String>,
    /// When the resident moved in, `YYYY-MM-DD`.
    pub moved_in: Option<String>,
}

impl TryFrom<ResidentInput> for gridbook::ResidentInput {
    type Error = GridbookError;
    fn try_from(r: ResidentInput) -> Result<Self> {
        Ok(gridbook::ResidentInput {
            household_id: r.household_id,
            name: r.name,
            gender: r.gender.into(),
            birth_date: parse_opt_date("birth_date", r.birth_date)?,
            id_number: r.id_number,
            phones: r.phones,
            relation: r.relation,
            registration: r.registration.into(),
            residence_state: r.residence_state.into(),
            care: r.care,
            moved_in: parse_opt_date("moved_in", r.moved_in)?,
        })
    }
}

/// A resident as stored.
#[derive(Clone, PartialEq, uniffi::Record)]
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
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// ID number, unmasked: mask it with `maskResident` before showing or exporting.
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
    /// When the resident moved in, `YYYY-MM-DD`.
    pub moved_in: Option<String>,
    /// When the resident moved out, if they did, `YYYY-MM-DD`.
    pub moved_out: Option<String>,
    /// Active, moved out or deceased.
    pub status: ResidentStatus,
}

impl From<gridbook::Resident> for Resident {
    fn from(r: gridbook::Resident) -> Self {
        Resident {
            id: r.id,
            grid_id: r.grid_id,
            household_id: r.household_id,
            name: r.name,
            gender: r.gender.into(),
            birth_date: r.birth_date.map(|d| d.to_string()),
            id_number: r.id_number,
            phones: r.phones,
            relation: r.relation,
            registration: r.registration.into(),
            residence_state: r.residence_state.into(),
            care: r.care,
            moved_in: r.moved_in.map(|d| d.to_string()),
            moved_out: r.moved_out.map(|d| d.to_string()),
            status: r.status.into(),
        }
    }
}

/// One row of a grid's roster.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct RosterRow {
    /// The household.
    pub household: Household,
    /// Its active members.
    pub member_count: u32,
    /// The time of its latest visit.
    pub last_visit: Option<LocalTime>,
}

impl From<gridbook::RosterRow> for RosterRow {
    fn from(r: gridbook::RosterRow) -> Self {
        RosterRow {
            household: r.household.into(),
            member_count: r.member_count,
            last_visit: r.last_visit.map(Into::into),
        }
    }
}

/// A household with its members and visits.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct HouseholdDetail {
    /// The household.
    pub household: Household,
    /// All its residents, active first.
    pub members: Vec<Resident>,
    /// Its visits, newest first.
    pub visits: Vec<crate::records_logs::Visit>,
}

impl From<gridbook::HouseholdDetail> for HouseholdDetail {
    fn from(d: gridbook::HouseholdDetail) -> Self {
        HouseholdDetail {
            household: d.household.into(),
            members: d.members.into_iter().map(Into::into).collect(),
            visits: d.visits.into_iter().map(Into::into).collect(),
        }
    }
}

/// A search hit: a resident, or a household found by its address.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
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

impl From<gridbook::SearchHit> for SearchHit {
    fn from(h: gridbook::SearchHit) -> Self {
        SearchHit {
            household_id: h.household_id,
            resident_id: h.resident_id,
            display: h.display,
            matched: h.matched.into(),
        }
    }
}

/// A worker of a grid's team.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Worker {
    /// The worker's id.
    pub id: String,
    /// The worker's name.
    pub name: String,
    /// The worker's role.
    pub role: WorkerRole,
}

impl From<gridbook::Worker> for Worker {
    fn from(w: gridbook::Worker) -> Self {
        Worker {
            id: w.id,
            name: w.name,
            role: w.role.into(),
        }
    }
}
