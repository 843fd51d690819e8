//! The code lists' Chinese labels and the masks of personal data, as plain
//! functions for pickers and list rows, so apps show the same words and
//! masks as the core's exports. To export a new code list's labels, add an
//! `export_label!` line below.

use gridbook::codes::{
    CARE_CATEGORIES, CodeList, DwellingUse, EventSource, EventStatus, FindingKind, Gender,
    HouseholdStatus, PointsAction, PointsEntryKind, PrivacyAction, RELATION_CODES, Registration,
    ResidenceState, ResidentStatus, Resolution, RevealPurpose, RevealSubject, Satisfaction,
    StepAction, StepRefusal, Urgency, VisitKind, VisitOutcome, VolunteerSource, WarningLight,
    WorkerRole,
};
use gridbook::{CoveragePeriod, Resident};

/// A code and its Chinese label, for pickers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CodeLabel {
    /// The stored code, for example `elderly_alone`.
    pub code: String,
    /// The label shown to grid workers, for example 独居老人.
    pub label: String,
}

fn code_labels(list: &[(&str, &str)]) -> Vec<CodeLabel> {
    list.iter()
        .map(|(code, label)| CodeLabel {
            code: (*code).to_string(),
            label: (*label).to_string(),
        })
        .collect()
}

/// The care categories a resident can have (`Resident.care` holds their
/// codes), in display order; any other code is refused as `UnknownCode`.
#[uniffi::export]
pub fn care_categories() -> Vec<CodeLabel> {
    code_labels(CARE_CATEGORIES)
}

/// The GB/T 4761-2008 family-relation codes a resident's relation to the
/// head of household may take (`ResidentInput.relation`), in code order;
/// any other code is refused as `UnknownCode`.
#[uniffi::export]
pub fn relation_codes() -> Vec<CodeLabel> {
    code_labels(RELATION_CODES)
}

/// Exports a function returning the core's Chinese label of a code list value.
macro_rules! export_label {
    ($(#[$meta:meta])* $function:ident($list:ty)) => {
        $(#[$meta])*
        #[uniffi::export]
        pub fn $function(value: $list) -> String {
            value.label().to_string()
        }
    };
}

export_label!(
    /// The Chinese label of a gender (男, 女, 未知).
    gender_label(Gender)
);
export_label!(
    /// The Chinese label of a dwelling use (自住, 出租 …).
    dwelling_use_label(DwellingUse)
);
export_label!(
    /// The Chinese label of a household status (在住, 迁出).
    household_status_label(HouseholdStatus)
);
export_label!(
    /// The Chinese label of a registration kind (户籍 …).
    registration_label(Registration)
);
export_label!(
    /// The Chinese label of a residence state (人户一致 …).
    residence_state_label(ResidenceState)
);
export_label!(
    /// The Chinese label of a resident status (在住, 迁出, 死亡).
    resident_status_label(ResidentStatus)
);
export_label!(
    /// The Chinese label of a visit kind (敲门扫楼, 回访 …).
    visit_kind_label(VisitKind)
);
export_label!(
    /// The Chinese label of a visit outcome (见面, 无人在家 …).
    visit_outcome_label(VisitOutcome)
);
export_label!(
    /// The Chinese label of a finding kind (诉求, 问题隐患).
    finding_kind_label(FindingKind)
);
export_label!(
    /// The Chinese label of a resolution (当场解决, 上报, 待跟进).
    resolution_label(Resolution)
);
export_label!(
    /// The Chinese label of a worker role (网格长, 协管员 …).
    worker_role_label(WorkerRole)
);
export_label!(
    /// The Chinese label of an event's urgency (一般, 紧急).
    urgency_label(Urgency)
);
export_label!(
    /// The Chinese label of where an event came from (敲门扫楼, 12345热线 …).
    event_source_label(EventSource)
);
export_label!(
    /// The Chinese label of an event's status (已上报, 已受理 … 已结案).
    event_status_label(EventStatus)
);
export_label!(
    /// The Chinese label of a step of an event's loop (受理, 派遣 … 结案).
    step_action_label(StepAction)
);
export_label!(
    /// Why a step was refused, in Chinese (仅承办人可操作 …).
    step_refusal_label(StepRefusal)
);
export_label!(
    /// The Chinese label of a resident's satisfaction (满意, 基本满意, 不满意).
    satisfaction_label(Satisfaction)
);
export_label!(
    /// The Chinese label of an event's warning light (绿灯, 黄灯, 红灯).
    warning_light_label(WarningLight)
);
export_label!(
    /// The Chinese label of a line of a points ledger (服务积分, 奖励积分, 兑换, 过期).
    points_entry_kind_label(PointsEntryKind)
);
export_label!(
    /// The Chinese label of what is done to the points ledger (奖励积分, 兑换积分 …).
    points_action_label(PointsAction)
);
export_label!(
    /// The Chinese label of why someone holds volunteer points (楼栋长, 社区人才库 …).
    volunteer_source_label(VolunteerSource)
);
export_label!(
    /// The Chinese label of a coverage period (本周, 本月, 本季度).
    coverage_period_label(CoveragePeriod)
);
export_label!(
    /// The Chinese label of why personal data is revealed (联系住户, 核实身份 …).
    reveal_purpose_label(RevealPurpose)
);
export_label!(
    /// The Chinese label of what a reveal showed (查看住户完整信息, 导出未脱敏数据).
    reveal_subject_label(RevealSubject)
);
export_label!(
    /// The Chinese label of what is done with personal data, for a refusal
    /// (查看完整证件号码和电话, 导出未脱敏数据, 查看查阅记录).
    privacy_action_label(PrivacyAction)
);

/// The same resident with the ID number and phones masked
/// (`110105********002X`, `138****8000`). The store's reads are masked
/// already; this masks a resident the app holds from `Store.revealResident`
/// again once it is no longer needed on screen.
#[uniffi::export]
pub fn mask_resident(resident: Resident) -> Resident {
    use gridbook::validate::{mask_id_number, mask_phone};
    Resident {
        id_number: resident.id_number.as_deref().map(mask_id_number),
        phones: resident.phones.iter().map(|p| mask_phone(p)).collect(),
        ..resident
    }
}

/// A name masked for display (`王*`, `欧阳**`): the same rule as the names in
/// search hits and exports.
#[uniffi::export]
pub fn mask_name(name: String) -> String {
    gridbook::validate::mask_name(&name)
}

/// The usual column header of a roster field (姓名, 公民身份号码, 房号 …),
/// as the import's errors and reports name it.
#[uniffi::export]
pub fn import_field_label(value: gridbook::ImportField) -> String {
    value.header().to_string()
}
