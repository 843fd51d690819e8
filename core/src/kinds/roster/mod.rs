//! The roster (花名册): grids, buildings with their building-head
//! appointments (楼栋长), households and residents, all in the grid's
//! roster document `roster/<grid>`.
//!
//! - this file: the records as the API takes and returns them, each
//!   record's conversion back to its input (`to_input`, for edit screens),
//!   and the code lists of the roster that are enums;
//! - `catalogues.rs`: the string code lists (care categories, GB/T 4761
//!   relation codes) with their labels;
//! - `edit.rs`: the edits, each validating its whole input first;
//! - `write.rs`: each record's check and its write into an edit in
//!   progress, which the edits and the roster import share;
//! - `heads.rs`: building-head appointments (edits);
//! - `project.rs`: the roster's query tables written from the document;
//! - `query.rs`: the reads;
//! - `address.rs` and `pinyin.rs`: how search reads an address or a name typed
//!   the ways people type them.
//!
//! Types that carry personal data implement `Debug` by hand so that names,
//! ID numbers and phones never reach a log through `{:?}`. To add a field:
//! add it here, write it in `edit.rs`, project it in `project.rs`, read it
//! in `query.rs`, add its column in a new migration and list it in
//! `schema/README.md`. A field of an input that is optional gets a uniffi
//! default (Kotlin and Swift callers may leave it out); `to_input` lists
//! every field of the input, so the compiler asks for the new one there.

use crate::code_list::code_enum;
use crate::kinds::RecordKind;
use crate::registry::{Collection, Kind};
use crate::validate::{Date, mask_id_number, mask_name, mask_phone};
use crate::values::{GeoPoint, Timestamp};

pub use catalogues::{
    CARE_CATEGORIES, RELATION_CODES, RELATION_HEAD, is_care_category, is_relation_code,
};

mod address;
pub(crate) use address::same_part as same_address_part;
mod catalogues;
mod edit;
mod heads;
mod pinyin;
mod project;
pub(crate) mod query;
mod write;

pub(crate) use write::{
    CheckedBuilding, CheckedHousehold, CheckedResident, check_building, check_household,
    check_resident, write_building, write_household, write_resident,
};

/// The roster's registration: its collections live in the grid's roster
/// document (`docs::ROSTER`), which the store owns.
pub(crate) static KIND: Kind = Kind {
    docs: &[],
    collections: &[
        Collection::singleton(RecordKind::Grid, "grid", project::project_grid),
        Collection::records(RecordKind::Building, "buildings", project::project_building)
            .with_dependents(project::households_of_building),
        Collection::records(
            RecordKind::Household,
            "households",
            project::project_household,
        ),
        Collection::records(RecordKind::Resident, "residents", project::project_resident),
    ],
    tables: &[
        "grids",
        "buildings",
        "households",
        "residents",
        "resident_care",
        "building_heads",
    ],
    // Who appointed a building head.
    author_fields: &["appointed_by"],
    entry_checks: &[],
    refresh_on_open: None,
};

/// A grid (网格) to create or update.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GridInput {
    /// The grid's code: letters, digits, `-` and `_` (for example the 15-digit form).
    pub code: String,
    /// The grid's name.
    pub name: String,
    /// The community (社区) it belongs to.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub community: Option<String>,
    /// The street or township (街道/乡镇).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub street: Option<String>,
    /// The boundary ring in WGS-84, at least 3 points, if drawn.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub boundary: Option<Vec<GeoPoint>>,
}

/// A grid as stored.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
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

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Grid {
    /// This grid as the input `Store.updateGrid` takes: change the fields to
    /// edit and pass it back; passed unchanged it changes nothing.
    pub fn to_input(&self) -> GridInput {
        GridInput {
            code: self.code.clone(),
            name: self.name.clone(),
            community: self.community.clone(),
            street: self.street.clone(),
            boundary: self.boundary.clone(),
        }
    }
}

/// A building (楼栋) to create or update.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BuildingInput {
    /// The building's number or name ("3栋", "12").
    pub number: String,
    /// The estate (小区) it stands in.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub estate: Option<String>,
    /// The number of units (单元), 1 to 100.
    pub units: i32,
    /// The number of floors above ground, 1 to 200.
    pub floors: i32,
    /// Where it stands.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub location: Option<GeoPoint>,
}

/// A building as stored.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
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
    pub units: i32,
    /// Its number of floors.
    pub floors: i32,
    /// Where it stands.
    pub location: Option<GeoPoint>,
    /// Whether it was retired (demolished or moved to another grid).
    pub retired: bool,
}

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Building {
    /// This building as the input `Store.updateBuilding` takes: change the
    /// fields to edit and pass it back; passed unchanged it changes nothing.
    pub fn to_input(&self) -> BuildingInput {
        BuildingInput {
            number: self.number.clone(),
            estate: self.estate.clone(),
            units: self.units,
            floors: self.floors,
            location: self.location,
        }
    }
}

/// A household (户) at a dwelling, to create or update.
#[derive(Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
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
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub tags: Vec<String>,
    /// The dwelling's location, if it differs from the building's.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub location: Option<GeoPoint>,
    /// Notes (may hold personal data; masked in exports).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub notes: Option<String>,
}

/// A household as stored.
#[derive(Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
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

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Household {
    /// This household as the input `Store.updateHousehold` takes: change the
    /// fields to edit and pass it back; passed unchanged it changes nothing.
    /// Its status and head are not part of it: they change through
    /// `Store.moveOutHousehold`, `Store.reactivateHousehold` and
    /// `Store.setHouseholdHead`.
    pub fn to_input(&self) -> HouseholdInput {
        HouseholdInput {
            building_id: self.building_id.clone(),
            unit: self.unit.clone(),
            floor: self.floor,
            room: self.room.clone(),
            use_kind: self.use_kind,
            tags: self.tags.clone(),
            location: self.location,
            notes: self.notes.clone(),
        }
    }
}

impl std::fmt::Debug for HouseholdInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HouseholdInput")
            .field("building_id", &self.building_id)
            .field("room", &self.room)
            .field("notes", &self.notes.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
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
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ResidentInput {
    /// The household the resident belongs to.
    pub household_id: String,
    /// Full name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date; not in the future.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub birth_date: Option<Date>,
    /// Resident ID number (18 characters, GB 11643 check digit).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id_number: Option<String>,
    /// Phones: 11-digit mobiles or landlines with area code.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub phones: Vec<String>,
    /// Relation to the head of household (GB/T 4761 code, "02" for the head).
    pub relation: String,
    /// Registration kind.
    pub registration: Registration,
    /// Residence state.
    pub residence_state: ResidenceState,
    /// Care categories: codes from the closed list `careCategories()` returns.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub care: Vec<String>,
    /// When the resident moved in.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
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
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
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
    /// ID number, unmasked: mask it (`maskResident`) before showing or exporting.
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

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Resident {
    /// This resident as the input `Store.updateResident` takes: change the
    /// fields to edit and pass it back; passed unchanged it changes nothing.
    /// Convert the resident as read, not a masked copy: a masked ID number
    /// or phone would be refused. Status and move-out date are not part of
    /// it: they change through `Store.retireResident`.
    pub fn to_input(&self) -> ResidentInput {
        ResidentInput {
            household_id: self.household_id.clone(),
            name: self.name.clone(),
            gender: self.gender,
            birth_date: self.birth_date,
            id_number: self.id_number.clone(),
            phones: self.phones.clone(),
            relation: self.relation.clone(),
            registration: self.registration,
            residence_state: self.residence_state,
            care: self.care.clone(),
            moved_in: self.moved_in,
        }
    }
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

/// Who heads a building: a resident of the grid or a named volunteer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum HeadPerson {
    /// A resident of the grid, by id (`residentId` in Kotlin and Swift).
    Resident(#[cfg_attr(feature = "uniffi", uniffi(name = "resident_id"))] String),
    /// A volunteer who is not on the roster, by name (`name` in Kotlin and Swift).
    Volunteer(#[cfg_attr(feature = "uniffi", uniffi(name = "name"))] String),
}

/// A building-head appointment (楼栋长) as stored.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
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

/// One row of a grid's roster.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RosterRow {
    /// The household.
    pub household: Household,
    /// Its active members.
    pub member_count: i32,
    /// The time of its latest visit.
    pub last_visit: Option<Timestamp>,
}

/// Where a search matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SearchMatch {
    /// The resident's name.
    Name,
    /// The resident's name read in pinyin: full (zhangsan), initials (zs)
    /// or mixed (zhangs, 张s).
    Pinyin,
    /// The end of one of the resident's phones.
    PhoneSuffix,
    /// The end of the resident's ID number.
    IdNumberSuffix,
    /// The household's address.
    Address,
}

/// A search hit: a resident, or a household found by its address.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
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

code_enum!(
    /// A resident's gender.
    Gender, fallback Unknown, {
        /// Male.
        Male = "male", "男";
        /// Female.
        Female = "female", "女";
        /// Not recorded.
        Unknown = "unknown", "未知";
    }
);

code_enum!(
    /// How a dwelling is used.
    DwellingUse, fallback Other, {
        /// Lived in by its owner (自住).
        OwnerOccupied = "owner_occupied", "自住";
        /// Rented out (出租).
        Rented = "rented", "出租";
        /// Empty (空置).
        Vacant = "vacant", "空置";
        /// A shop or business (经营).
        Business = "business", "经营";
        /// Anything else.
        Other = "other", "其他";
    }
);

code_enum!(
    /// Whether a household still lives at its dwelling. Soft delete: a moved-out
    /// household keeps its history.
    HouseholdStatus, fallback Active, {
        /// Living here.
        Active = "active", "在住";
        /// Moved away (迁出).
        MovedOut = "moved_out", "迁出";
    }
);

code_enum!(
    /// A resident's registration kind.
    Registration, fallback Local, {
        /// Registered here (户籍人口).
        Local = "local", "户籍";
        /// Migrant from elsewhere in China (流动人口).
        Migrant = "migrant", "流动";
        /// From outside mainland China (境外人员).
        Foreign = "foreign", "境外";
    }
);

code_enum!(
    /// Whether a resident lives where their hukou is (人户状态).
    ResidenceState, fallback Consistent, {
        /// Lives at the registered address (人户一致).
        Consistent = "consistent", "人户一致";
        /// Lives here, registered elsewhere (人在户不在).
        PresentNotRegistered = "present_not_registered", "人在户不在";
        /// Registered here, lives elsewhere (户在人不在).
        RegisteredNotPresent = "registered_not_present", "户在人不在";
    }
);

code_enum!(
    /// Whether a resident is still part of the household.
    ResidentStatus, fallback Active, {
        /// Part of the household.
        Active = "active", "在住";
        /// Moved out (迁出).
        MovedOut = "moved_out", "迁出";
        /// Deceased (死亡).
        Deceased = "deceased", "死亡";
    }
);
