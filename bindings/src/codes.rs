//! The core's code lists (`gridbook::codes`) mirrored as enums, so that Kotlin
//! `when` and Swift `switch` are checked for exhaustiveness. Each mirror is one
//! `mirror_enum!` line per variant; a variant added in the core fails this
//! crate's build until it is added here.

use gridbook::codes as core;

/// Declares a uniffi enum with the same unit variants as a core enum, and
/// `From` conversions both ways.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident = $core:ty { $($(#[$vmeta:meta])* $variant:ident,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl From<$core> for $name {
            fn from(value: $core) -> Self {
                match value {
                    $(<$core>::$variant => $name::$variant,)+
                }
            }
        }

        impl From<$name> for $core {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => <$core>::$variant,)+
                }
            }
        }
    };
}
pub(crate) use mirror_enum;

mirror_enum!(
    /// A resident's gender.
    Gender = core::Gender {
        /// Male (男).
        Male,
        /// Female (女).
        Female,
        /// Not recorded (未知).
        Unknown,
    }
);

mirror_enum!(
    /// How a dwelling is used.
    DwellingUse = core::DwellingUse {
        /// Lived in by its owner (自住).
        OwnerOccupied,
        /// Rented out (出租).
        Rented,
        /// Empty (空置).
        Vacant,
        /// A shop or business (经营).
        Business,
        /// Anything else (其他).
        Other,
    }
);

mirror_enum!(
    /// Whether a household still lives at its dwelling.
    HouseholdStatus = core::HouseholdStatus {
        /// Lives there (在住).
        Active,
        /// Moved out (迁出).
        MovedOut,
    }
);

mirror_enum!(
    /// A resident's registration kind (户籍).
    Registration = core::Registration {
        /// Registered locally (户籍).
        Local,
        /// A migrant (流动).
        Migrant,
        /// A foreign national (境外).
        Foreign,
    }
);

mirror_enum!(
    /// Whether a resident lives where their hukou is (人户状态).
    ResidenceState = core::ResidenceState {
        /// Lives at the registered address (人户一致).
        Consistent,
        /// Lives here, registered elsewhere (人在户不在).
        PresentNotRegistered,
        /// Registered here, lives elsewhere (户在人不在).
        RegisteredNotPresent,
    }
);

mirror_enum!(
    /// Whether a resident is still part of the household.
    ResidentStatus = core::ResidentStatus {
        /// Part of the household (在住).
        Active,
        /// Moved out (迁出).
        MovedOut,
        /// Deceased (死亡).
        Deceased,
    }
);

mirror_enum!(
    /// Why a visit was made.
    VisitKind = core::VisitKind {
        /// Routine door-knock (敲门扫楼).
        Routine,
        /// A follow-up (回访).
        FollowUp,
        /// A care visit (关爱探访).
        SpecialCare,
        /// A survey (专项调查).
        Survey,
    }
);

mirror_enum!(
    /// What happened at the door.
    VisitOutcome = core::VisitOutcome {
        /// Met the household (见面).
        Met,
        /// Nobody home (无人在家).
        NobodyHome,
        /// Refused the visit (拒访).
        Refused,
        /// The dwelling is empty (空置).
        Vacant,
        /// The household has moved away (已搬离).
        MovedAway,
    }
);

mirror_enum!(
    /// What a visit's finding is.
    FindingKind = core::FindingKind {
        /// A request from the household (诉求).
        Request,
        /// A problem or hazard (问题隐患).
        Problem,
    }
);

mirror_enum!(
    /// What became of a finding.
    Resolution = core::Resolution {
        /// Solved on the spot (当场解决).
        SolvedOnSite,
        /// Escalated (上报).
        Escalated,
        /// Still open (待跟进).
        Open,
    }
);

mirror_enum!(
    /// A worker's role in the grid team.
    WorkerRole = core::WorkerRole {
        /// Grid head (网格长).
        GridHead,
        /// Assistant (协管员).
        Assistant,
        /// Area police officer (片区民警).
        PoliceOfficer,
        /// Building head (楼栋长).
        BuildingHead,
        /// Patrol volunteer (巡逻志愿者).
        PatrolVolunteer,
    }
);

mirror_enum!(
    /// The kinds of record the store holds, named in errors and conflicts.
    RecordKind = gridbook::RecordKind {
        /// A grid (网格).
        Grid,
        /// A building (楼栋).
        Building,
        /// A household (户).
        Household,
        /// A resident (人).
        Resident,
        /// A visit (走访).
        Visit,
        /// A building-head appointment (楼栋长).
        HeadAppointment,
        /// A patrol team.
        PatrolTeam,
        /// A patrol shift.
        Shift,
        /// A patrol check-in.
        Checkin,
        /// A worker of the grid's team.
        Worker,
    }
);

mirror_enum!(
    /// Where a search matched.
    SearchMatch = gridbook::SearchMatch {
        /// The resident's name.
        Name,
        /// The end of one of the resident's phones.
        PhoneSuffix,
        /// The end of the resident's ID number.
        IdNumberSuffix,
        /// The household's address.
        Address,
    }
);

/// A code and its Chinese label, for pickers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CodeLabel {
    /// The stored code, for example `elderly_alone`.
    pub code: String,
    /// The label shown to grid workers, for example 独居老人.
    pub label: String,
}

/// The care categories a resident can have (`Resident.care` holds their codes), in display order.
#[uniffi::export]
pub fn care_categories() -> Vec<CodeLabel> {
    core::CARE_CATEGORIES
        .iter()
        .map(|(code, label)| CodeLabel {
            code: (*code).to_string(),
            label: (*label).to_string(),
        })
        .collect()
}

/// Exports a function returning the core's Chinese label of a mirrored code
/// list value, so apps show the same words as the core's exports.
macro_rules! export_label {
    ($(#[$meta:meta])* $function:ident($name:ident = $core:ty)) => {
        $(#[$meta])*
        #[uniffi::export]
        pub fn $function(value: $name) -> String {
            use gridbook::codes::CodeList;
            <$core>::from(value).label().to_string()
        }
    };
}

export_label!(
    /// The Chinese label of a gender (男, 女, 未知).
    gender_label(Gender = core::Gender)
);
export_label!(
    /// The Chinese label of a dwelling use (自住, 出租 …).
    dwelling_use_label(DwellingUse = core::DwellingUse)
);
export_label!(
    /// The Chinese label of a household status (在住, 迁出).
    household_status_label(HouseholdStatus = core::HouseholdStatus)
);
export_label!(
    /// The Chinese label of a registration kind (户籍 …).
    registration_label(Registration = core::Registration)
);
export_label!(
    /// The Chinese label of a residence state (人户一致 …).
    residence_state_label(ResidenceState = core::ResidenceState)
);
export_label!(
    /// The Chinese label of a resident status (在住, 迁出, 死亡).
    resident_status_label(ResidentStatus = core::ResidentStatus)
);
export_label!(
    /// The Chinese label of a visit kind (敲门扫楼, 回访 …).
    visit_kind_label(VisitKind = core::VisitKind)
);
export_label!(
    /// The Chinese label of a visit outcome (见面, 无人在家 …).
    visit_outcome_label(VisitOutcome = core::VisitOutcome)
);
export_label!(
    /// The Chinese label of a finding kind (诉求, 问题隐患).
    finding_kind_label(FindingKind = core::FindingKind)
);
export_label!(
    /// The Chinese label of a resolution (当场解决, 上报, 待跟进).
    resolution_label(Resolution = core::Resolution)
);
export_label!(
    /// The Chinese label of a worker role (网格长, 协管员 …).
    worker_role_label(WorkerRole = core::WorkerRole)
);
