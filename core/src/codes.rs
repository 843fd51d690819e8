//! The code lists of the domain, each an enum with a stable string code that
//! is what the documents and query tables store.
//!
//! To add a value to a list, add a line to its `code_enum!` invocation; never
//! change or reuse a code that has shipped, since replicas on older versions
//! keep it in their documents (an unknown code read from a document is kept
//! as the list's fallback value, see [`CodeList::from_code_or_default`]).

/// A closed list of codes with a stable text form.
pub trait CodeList: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The stored code.
    fn code(self) -> &'static str;
    /// The Chinese label shown to grid workers.
    fn label(self) -> &'static str;
    /// The value read when a document holds an unknown code.
    fn fallback() -> Self;
    /// The value of a code, if it is known.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.code() == code)
    }
    /// The value of a code, or the fallback for codes this build does not know.
    fn from_code_or_default(code: Option<&str>) -> Self {
        code.and_then(Self::from_code)
            .unwrap_or_else(Self::fallback)
    }
}

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, fallback $fallback:ident, { $($(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }
        impl CodeList for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)+];
            fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }
            fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }
            fn fallback() -> Self {
                $name::$fallback
            }
        }
    };
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

code_enum!(
    /// Why a visit was made.
    VisitKind, fallback Routine, {
        /// Routine door-knock (敲门扫楼).
        Routine = "routine", "敲门扫楼";
        /// Follow-up of an earlier finding (回访).
        FollowUp = "follow_up", "回访";
        /// Care visit for a resident in a care category (关爱探访).
        SpecialCare = "special_care", "关爱探访";
        /// Survey or census (专项调查).
        Survey = "survey", "专项调查";
    }
);

code_enum!(
    /// What happened at the door.
    VisitOutcome, fallback Met, {
        /// Someone was met (见面).
        Met = "met", "见面";
        /// Nobody answered (未遇).
        NobodyHome = "nobody_home", "无人在家";
        /// The household declined (拒访).
        Refused = "refused", "拒访";
        /// The dwelling is empty (空置).
        Vacant = "vacant", "空置";
        /// The household has moved away (已搬离).
        MovedAway = "moved_away", "已搬离";
    }
);

code_enum!(
    /// What a visit found.
    FindingKind, fallback Problem, {
        /// A resident's request (诉求).
        Request = "request", "诉求";
        /// A problem or hazard (问题隐患).
        Problem = "problem", "问题隐患";
    }
);

code_enum!(
    /// What became of a finding.
    Resolution, fallback Open, {
        /// Solved on the spot (当场解决).
        SolvedOnSite = "solved_on_site", "当场解决";
        /// Escalated to the street or district (上报).
        Escalated = "escalated", "上报";
        /// Still open, to follow up.
        Open = "open", "待跟进";
    }
);

code_enum!(
    /// A worker's role in the grid's team.
    WorkerRole, fallback Assistant, {
        /// Grid head (网格长).
        GridHead = "grid_head", "网格长";
        /// Grid worker or assistant (网格员/协管员).
        Assistant = "assistant", "协管员";
        /// Area police officer (片区民警).
        PoliceOfficer = "police_officer", "片区民警";
        /// Building head (楼栋长).
        BuildingHead = "building_head", "楼栋长";
        /// Patrol volunteer (巡逻志愿者).
        PatrolVolunteer = "patrol_volunteer", "巡逻志愿者";
    }
);

/// Built-in care categories (重点人群) with their labels. Categories are
/// configurable: any lower-case code of letters, digits and `_` is accepted.
pub const CARE_CATEGORIES: &[(&str, &str)] = &[
    ("elderly_alone", "独居老人"),
    ("empty_nest", "空巢老人"),
    ("left_behind_child", "留守儿童"),
    ("hardship", "困难群众"),
    ("disabled", "残疾人"),
    ("disabled_elderly", "失能失智老人"),
    ("veteran", "退役军人"),
];

/// GB/T 4761-2008 family-relation codes accepted for "relation to the head".
pub fn is_relation_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let value = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
    matches!(value, 1 | 2 | 10..=12 | 20..=97 | 99)
}

/// The relation code of the head of household itself (户主).
pub const RELATION_HEAD: &str = "02";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_fall_back() {
        for value in VisitOutcome::ALL {
            assert_eq!(VisitOutcome::from_code(value.code()), Some(*value));
        }
        assert_eq!(HouseholdStatus::from_code("gone"), None);
        assert_eq!(
            HouseholdStatus::from_code_or_default(Some("gone")),
            HouseholdStatus::Active
        );
        assert_eq!(DwellingUse::Rented.label(), "出租");
    }

    #[test]
    fn relation_codes_follow_gb_t_4761() {
        assert!(is_relation_code("02"));
        assert!(is_relation_code("10"));
        assert!(is_relation_code("99"));
        assert!(!is_relation_code("00"));
        assert!(!is_relation_code("98"));
        assert!(!is_relation_code("2"));
        assert!(!is_relation_code("0a"));
    }
}
