//! The self-report form: its drafts (text as typed), its checks and the
//! checked record. Every error names a form field ([`FieldName`]) and a
//! [`Problem`], never the value.

use serde::{Deserialize, Serialize};

use crate::code_list::CodeList;
use crate::kinds::codes::{Gender, is_relation_code};
use crate::validate::{self, Date, InvalidReason, mask_id_number, mask_name};

/// The most members one report may list.
pub const MAX_MEMBERS: usize = 12;
/// The longest building, unit or room, in characters.
const MAX_ADDRESS_CHARS: usize = 20;
/// The longest name, in characters.
const MAX_NAME_CHARS: usize = 50;
/// The lowest and highest floor accepted (basements are negative).
const FLOORS: std::ops::RangeInclusive<i32> = -10..=200;

/// A field of a member of the household.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberField {
    /// 姓名.
    Name,
    /// 性别: a `Gender` code, `male` or `female`.
    Gender,
    /// 身份证号.
    IdNumber,
    /// 出生日期, `YYYY-MM-DD`, optional.
    BirthDate,
    /// 手机号: required for the first member, optional for the others.
    Phone,
    /// 与户主关系: a GB/T 4761 relation code.
    Relation,
}

impl MemberField {
    /// Every member field, in the form's order.
    pub const ALL: [MemberField; 6] = [
        MemberField::Name,
        MemberField::Gender,
        MemberField::IdNumber,
        MemberField::BirthDate,
        MemberField::Phone,
        MemberField::Relation,
    ];

    fn suffix(self) -> &'static str {
        match self {
            MemberField::Name => "name",
            MemberField::Gender => "gender",
            MemberField::IdNumber => "id_number",
            MemberField::BirthDate => "birth_date",
            MemberField::Phone => "phone",
            MemberField::Relation => "relation",
        }
    }

    fn label(self) -> &'static str {
        match self {
            MemberField::Name => "姓名",
            MemberField::Gender => "性别",
            MemberField::IdNumber => "身份证号",
            MemberField::BirthDate => "出生日期",
            MemberField::Phone => "手机号",
            MemberField::Relation => "与户主关系",
        }
    }
}

/// A field of the form, as the error names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldName {
    /// 楼栋.
    Building,
    /// 单元.
    Unit,
    /// 楼层.
    Floor,
    /// 房号.
    Room,
    /// The privacy notice's acceptance.
    Consent,
    /// The list of members as a whole (none, or too many).
    Members,
    /// A field of the member at `index` (from 0).
    Member {
        /// The member's position in the form, from 0.
        index: usize,
        /// Which field.
        field: MemberField,
    },
}

impl FieldName {
    /// The form field's name: `building`, `unit`, `floor`, `room`,
    /// `consent`, `members`, or `m<index>_<field>` (`m0_id_number`).
    pub fn key(&self) -> String {
        match self {
            FieldName::Building => "building".into(),
            FieldName::Unit => "unit".into(),
            FieldName::Floor => "floor".into(),
            FieldName::Room => "room".into(),
            FieldName::Consent => "consent".into(),
            FieldName::Members => "members".into(),
            FieldName::Member { index, field } => format!("m{index}_{}", field.suffix()),
        }
    }

    /// The field's Chinese label.
    pub fn label(&self) -> &'static str {
        match self {
            FieldName::Building => "楼栋",
            FieldName::Unit => "单元",
            FieldName::Floor => "楼层",
            FieldName::Room => "房号",
            FieldName::Consent => "个人信息处理告知",
            FieldName::Members => "家庭成员",
            FieldName::Member { field, .. } => field.label(),
        }
    }
}

/// Why a field was refused. Never carries the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The value failed the roster's own check.
    #[error("{0}")]
    Invalid(InvalidReason),
    /// The privacy notice was not accepted.
    #[error("the privacy notice was not accepted")]
    NotAccepted,
    /// No member was given.
    #[error("no member was given")]
    NoMembers,
    /// More than [`MAX_MEMBERS`] members were given.
    #[error("more than {MAX_MEMBERS} members were given")]
    TooManyMembers,
    /// Another member of the report has the same ID number.
    #[error("repeats another member's ID number")]
    DuplicateIdNumber,
}

/// One refused field: which, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {problem}", field.key())]
pub struct FieldError {
    /// The field.
    pub field: FieldName,
    /// Why it was refused.
    pub problem: Problem,
}

impl FieldError {
    fn new(field: FieldName, problem: Problem) -> FieldError {
        FieldError { field, problem }
    }

    fn invalid(field: FieldName, reason: InvalidReason) -> FieldError {
        FieldError::new(field, Problem::Invalid(reason))
    }

    /// What to show the resident beside the field, in Chinese
    /// (身份证号校验位不正确). Names the field, never the value.
    pub fn message(&self) -> String {
        let label = self.field.label();
        let reason = match &self.problem {
            Problem::NotAccepted => return "请先阅读并同意个人信息处理告知".into(),
            Problem::NoMembers => return "请至少填写一位家庭成员".into(),
            Problem::TooManyMembers => return format!("家庭成员最多{MAX_MEMBERS}位"),
            Problem::DuplicateIdNumber => return "与另一位成员的身份证号重复".into(),
            Problem::Invalid(reason) => reason,
        };
        match reason {
            InvalidReason::Empty => format!("请填写{label}"),
            InvalidReason::TooLong { max } => format!("{label}不能超过{max}个字"),
            InvalidReason::ControlCharacters | InvalidReason::BadCharacters => {
                format!("{label}含有不允许的字符")
            }
            InvalidReason::IdNumberFormat => "身份证号应为18位，最后一位可为X".into(),
            InvalidReason::IdNumberBirthDate => "身份证号中的出生日期不存在".into(),
            InvalidReason::IdNumberCheckDigit => "身份证号校验位不正确".into(),
            InvalidReason::InFuture => format!("{label}中的日期不能晚于今天"),
            InvalidReason::TooOld => format!("{label}中的日期不能早于1900年"),
            InvalidReason::Phone => "手机号格式不正确（11位手机号或带区号的固定电话）".into(),
            InvalidReason::DateFormat => format!("{label}应为“年-月-日”，如 1980-01-31"),
            InvalidReason::UnknownCode => format!("请选择{label}"),
            InvalidReason::OutOfRange => format!("{label}超出范围"),
            _ => format!("{label}不正确"),
        }
    }
}

/// One member as typed into the form: every field is text.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDraft {
    /// 姓名.
    pub name: String,
    /// 性别: `male` or `female`.
    pub gender: String,
    /// 身份证号.
    pub id_number: String,
    /// 出生日期, `YYYY-MM-DD` or empty.
    pub birth_date: String,
    /// 手机号, or empty.
    pub phone: String,
    /// 与户主关系, a GB/T 4761 code.
    pub relation: String,
}

impl MemberDraft {
    fn field(&self, field: MemberField) -> &str {
        match field {
            MemberField::Name => &self.name,
            MemberField::Gender => &self.gender,
            MemberField::IdNumber => &self.id_number,
            MemberField::BirthDate => &self.birth_date,
            MemberField::Phone => &self.phone,
            MemberField::Relation => &self.relation,
        }
    }

    fn field_mut(&mut self, field: MemberField) -> &mut String {
        match field {
            MemberField::Name => &mut self.name,
            MemberField::Gender => &mut self.gender,
            MemberField::IdNumber => &mut self.id_number,
            MemberField::BirthDate => &mut self.birth_date,
            MemberField::Phone => &mut self.phone,
            MemberField::Relation => &mut self.relation,
        }
    }

    /// The value of a field, by its [`MemberField`] (for re-filling a form).
    pub fn value(&self, field: MemberField) -> &str {
        self.field(field)
    }
}

impl std::fmt::Debug for MemberDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberDraft")
            .field("name", &mask_name(&self.name))
            .finish_non_exhaustive()
    }
}

/// A household and its members as typed into the form, before the checks.
/// It is also the stored form of a checked report (JSON, see
/// [`SelfReport::to_json`]).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfReportDraft {
    /// 楼栋, for example "3" or "3栋".
    pub building: String,
    /// 单元.
    pub unit: String,
    /// 楼层, an integer as text.
    pub floor: String,
    /// 房号.
    pub room: String,
    /// The members, in the form's order.
    pub members: Vec<MemberDraft>,
}

impl std::fmt::Debug for SelfReportDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfReportDraft")
            .field("members", &self.members.len())
            .finish_non_exhaustive()
    }
}

impl SelfReportDraft {
    /// Reads a posted form's fields (name, value pairs; the first of a
    /// repeated name counts). Members are the indices named by any
    /// `m<index>_<field>` up to [`MAX_MEMBERS`]; a higher index gives
    /// [`Problem::TooManyMembers`]. Returns the draft, whether the privacy
    /// notice was accepted (`consent` = `yes`), and the errors found
    /// reading it (the checks of [`SelfReportDraft::check`] come on top).
    pub fn from_form<'a>(
        fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (SelfReportDraft, bool, Vec<FieldError>) {
        let mut draft = SelfReportDraft::default();
        let mut seen: Vec<String> = Vec::new();
        let mut consent = false;
        let mut errors = Vec::new();
        for (key, value) in fields {
            if seen.iter().any(|k| k == key) {
                continue;
            }
            seen.push(key.to_owned());
            match key {
                "building" => draft.building = value.to_owned(),
                "unit" => draft.unit = value.to_owned(),
                "floor" => draft.floor = value.to_owned(),
                "room" => draft.room = value.to_owned(),
                "consent" => consent = value == "yes",
                _ => {
                    let Some((index, field)) = member_key(key) else {
                        continue;
                    };
                    if index >= MAX_MEMBERS {
                        let error = FieldError::new(FieldName::Members, Problem::TooManyMembers);
                        if !errors.contains(&error) {
                            errors.push(error);
                        }
                        continue;
                    }
                    if draft.members.len() <= index {
                        draft.members.resize_with(index + 1, MemberDraft::default);
                    }
                    if let Some(member) = draft.members.get_mut(index) {
                        *member.field_mut(field) = value.to_owned();
                    }
                }
            }
        }
        // A gap left by a member removed from the form is not a member.
        draft.members.retain(|m| *m != MemberDraft::default());
        (draft, consent, errors)
    }

    /// Checks every field with the roster's own checks, as of `today` (the
    /// ID number's birth date may not be later): the report, or every
    /// error found, in the form's order.
    pub fn check(&self, today: Date) -> Result<SelfReport, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut take = |field: FieldName, result: Result<String, InvalidReason>| match result {
            Ok(value) => value,
            Err(reason) => {
                errors.push(FieldError::invalid(field, reason));
                String::new()
            }
        };
        let building = take(
            FieldName::Building,
            validate::text(&self.building, MAX_ADDRESS_CHARS),
        );
        let unit = take(
            FieldName::Unit,
            validate::text(&self.unit, MAX_ADDRESS_CHARS),
        );
        let floor_text = take(FieldName::Floor, validate::text(&self.floor, 4));
        let room = take(
            FieldName::Room,
            validate::text(&self.room, MAX_ADDRESS_CHARS),
        );
        let floor = match floor_text.parse::<i32>() {
            Ok(floor) if FLOORS.contains(&floor) => floor,
            _ => {
                if !floor_text.is_empty() {
                    errors.push(FieldError::invalid(
                        FieldName::Floor,
                        InvalidReason::OutOfRange,
                    ));
                }
                0
            }
        };
        if self.members.is_empty() {
            errors.push(FieldError::new(FieldName::Members, Problem::NoMembers));
        }
        if self.members.len() > MAX_MEMBERS {
            errors.push(FieldError::new(FieldName::Members, Problem::TooManyMembers));
        }
        let mut members = Vec::new();
        for (index, draft) in self.members.iter().take(MAX_MEMBERS).enumerate() {
            match check_member(index, draft, today) {
                Ok(member) => {
                    if members
                        .iter()
                        .any(|m: &SelfReportMember| m.id_number == member.id_number)
                    {
                        errors.push(FieldError::new(
                            FieldName::Member {
                                index,
                                field: MemberField::IdNumber,
                            },
                            Problem::DuplicateIdNumber,
                        ));
                    }
                    members.push(member);
                }
                Err(mut found) => errors.append(&mut found),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SelfReport {
            building,
            unit,
            floor,
            room,
            members,
        })
    }
}

/// `m<index>_<field>` as its parts.
fn member_key(key: &str) -> Option<(usize, MemberField)> {
    let rest = key.strip_prefix('m')?;
    let (index, suffix) = rest.split_once('_')?;
    if index.is_empty() || index.len() > 3 || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = MemberField::ALL
        .into_iter()
        .find(|f| f.suffix() == suffix)?;
    Some((index.parse().ok()?, field))
}

fn check_member(
    index: usize,
    draft: &MemberDraft,
    today: Date,
) -> Result<SelfReportMember, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name_of = |field| FieldName::Member { index, field };
    let mut fail = |field, reason| errors.push(FieldError::invalid(name_of(field), reason));
    let name = validate::text(&draft.name, MAX_NAME_CHARS)
        .map_err(|r| fail(MemberField::Name, r))
        .unwrap_or_default();
    let gender = match Gender::from_code(draft.gender.trim()) {
        Some(g @ (Gender::Male | Gender::Female)) => g,
        _ => {
            fail(MemberField::Gender, InvalidReason::UnknownCode);
            Gender::Unknown
        }
    };
    let id_number = validate::id_number(&draft.id_number, today)
        .map_err(|r| {
            fail(
                MemberField::IdNumber,
                if draft.id_number.trim().is_empty() {
                    InvalidReason::Empty
                } else {
                    r
                },
            )
        })
        .unwrap_or_default();
    let birth_date = match draft.birth_date.trim() {
        "" => None,
        text => Date::parse(text)
            .and_then(|d| validate::birth_date(d, today))
            .map_err(|r| fail(MemberField::BirthDate, r))
            .ok(),
    };
    let phone = match draft.phone.trim() {
        "" if index == 0 => {
            fail(MemberField::Phone, InvalidReason::Empty);
            None
        }
        "" => None,
        text => validate::phone(text)
            .map_err(|r| fail(MemberField::Phone, r))
            .ok(),
    };
    let relation = draft.relation.trim().to_owned();
    if !is_relation_code(&relation) {
        fail(MemberField::Relation, InvalidReason::UnknownCode);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SelfReportMember {
        name,
        gender,
        id_number,
        birth_date,
        phone,
        relation,
    })
}

/// One member of a checked report.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SelfReportMember {
    /// 姓名, trimmed.
    pub name: String,
    /// 性别: male or female.
    pub gender: Gender,
    /// 身份证号, checked (GB 11643), `x` uppercased.
    pub id_number: String,
    /// 出生日期, if given.
    pub birth_date: Option<Date>,
    /// 手机号, normalised like the roster's, if given.
    pub phone: Option<String>,
    /// 与户主关系: a GB/T 4761 code.
    pub relation: String,
}

impl std::fmt::Debug for SelfReportMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfReportMember")
            .field("name", &mask_name(&self.name))
            .field("id_number", &mask_id_number(&self.id_number))
            .finish_non_exhaustive()
    }
}

/// A checked report: a household's address and its members.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SelfReport {
    /// 楼栋, trimmed.
    pub building: String,
    /// 单元, trimmed.
    pub unit: String,
    /// 楼层.
    pub floor: i32,
    /// 房号, trimmed.
    pub room: String,
    /// The members, at least one.
    pub members: Vec<SelfReportMember>,
}

impl std::fmt::Debug for SelfReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfReport")
            .field("members", &self.members)
            .finish_non_exhaustive()
    }
}

impl SelfReport {
    /// The report as a draft of normalised text (what the server stores).
    pub fn to_draft(&self) -> SelfReportDraft {
        SelfReportDraft {
            building: self.building.clone(),
            unit: self.unit.clone(),
            floor: self.floor.to_string(),
            room: self.room.clone(),
            members: self
                .members
                .iter()
                .map(|m| MemberDraft {
                    name: m.name.clone(),
                    gender: m.gender.code().to_owned(),
                    id_number: m.id_number.clone(),
                    birth_date: m.birth_date.map(|d| d.to_string()).unwrap_or_default(),
                    phone: m.phone.clone().unwrap_or_default(),
                    relation: m.relation.clone(),
                })
                .collect(),
        }
    }

    /// The report as JSON: its draft of normalised text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.to_draft()).unwrap_or_default()
    }

    /// Reads a report stored by [`SelfReport::to_json`] and checks it again
    /// as of `today`; `None` if it is not such JSON or no longer passes.
    pub fn from_json(text: &str, today: Date) -> Option<SelfReport> {
        serde_json::from_str::<SelfReportDraft>(text)
            .ok()?
            .check(today)
            .ok()
    }
}
