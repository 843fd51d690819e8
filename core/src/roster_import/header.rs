//! The header row: each column's text to the [`ImportField`] it holds.
//! Headers are compared after trimming ASCII and full-width spaces and
//! removing the spaces inside ("姓 名"); the caller's overrides are
//! compared the same way and win over the names below. To accept another
//! spelling, add it to [`KNOWN_HEADERS`].

use std::collections::BTreeMap;

use super::read::Table;
use super::{ImportError, ImportResult, RosterImportOptions};

/// A roster field a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ImportField {
    /// 姓名 (required).
    Name,
    /// 性别.
    Gender,
    /// 公民身份号码.
    IdNumber,
    /// 出生日期.
    BirthDate,
    /// 联系电话: one or more phones, separated by `/`, `,`, `、`, `;` or spaces.
    Phone,
    /// 楼栋 (required).
    Building,
    /// 单元.
    Unit,
    /// 楼层.
    Floor,
    /// 房号 (required).
    Room,
    /// 与户主关系: a GB/T 4761 code or its label.
    Relation,
    /// 户籍类型.
    Registration,
    /// 人户状态.
    ResidenceState,
    /// 人员类别 / 关爱对象: care categories, codes or labels, separated like phones.
    Care,
    /// 备注: the household's notes.
    Notes,
}

impl ImportField {
    /// The field's usual header, which errors name.
    pub fn header(self) -> &'static str {
        match self {
            ImportField::Name => "姓名",
            ImportField::Gender => "性别",
            ImportField::IdNumber => "公民身份号码",
            ImportField::BirthDate => "出生日期",
            ImportField::Phone => "联系电话",
            ImportField::Building => "楼栋",
            ImportField::Unit => "单元",
            ImportField::Floor => "楼层",
            ImportField::Room => "房号",
            ImportField::Relation => "与户主关系",
            ImportField::Registration => "户籍类型",
            ImportField::ResidenceState => "人户状态",
            ImportField::Care => "人员类别",
            ImportField::Notes => "备注",
        }
    }
}

const REQUIRED: &[ImportField] = &[ImportField::Name, ImportField::Building, ImportField::Room];

/// The header texts in common use.
const KNOWN_HEADERS: &[(&str, ImportField)] = &[
    ("姓名", ImportField::Name),
    ("性别", ImportField::Gender),
    ("公民身份号码", ImportField::IdNumber),
    ("身份证号", ImportField::IdNumber),
    ("身份证号码", ImportField::IdNumber),
    ("出生日期", ImportField::BirthDate),
    ("联系电话", ImportField::Phone),
    ("手机号码", ImportField::Phone),
    ("手机号", ImportField::Phone),
    ("电话", ImportField::Phone),
    ("楼栋", ImportField::Building),
    ("楼号", ImportField::Building),
    ("幢", ImportField::Building),
    ("楼栋号", ImportField::Building),
    ("单元", ImportField::Unit),
    ("单元号", ImportField::Unit),
    ("楼层", ImportField::Floor),
    ("房号", ImportField::Room),
    ("门牌号", ImportField::Room),
    ("室", ImportField::Room),
    ("房间号", ImportField::Room),
    ("与户主关系", ImportField::Relation),
    ("户籍类型", ImportField::Registration),
    ("人户状态", ImportField::ResidenceState),
    ("人员类别", ImportField::Care),
    ("关爱对象", ImportField::Care),
    ("备注", ImportField::Notes),
];

/// A header's text as compared: without any whitespace (ASCII or full-width).
pub(super) fn normalise(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The columns of a file: the header row's number and, per field, its
/// column index and header text as written.
pub(super) struct Columns {
    pub(super) header_row: u32,
    pub(super) fields: BTreeMap<ImportField, (usize, String)>,
}

/// Maps the first row of the table to fields.
pub(super) fn map_header(table: &Table, options: &RosterImportOptions) -> ImportResult<Columns> {
    let Some((header_row, cells)) = table.rows.first() else {
        return Err(ImportError::NoHeader);
    };
    let overrides: BTreeMap<String, ImportField> = options
        .header_overrides
        .iter()
        .map(|(text, field)| (normalise(text), *field))
        .collect();
    let mut fields = BTreeMap::new();
    for (index, cell) in cells.iter().enumerate() {
        let key = normalise(&cell.text);
        let field = overrides.get(&key).copied().or_else(|| {
            KNOWN_HEADERS
                .iter()
                .find(|(known, _)| *known == key)
                .map(|(_, f)| *f)
        });
        if let Some(field) = field {
            if fields.contains_key(&field) {
                return Err(ImportError::DuplicateColumn { field });
            }
            fields.insert(field, (index, cell.text.trim().to_string()));
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|f| !fields.contains_key(f)) {
        return Err(ImportError::MissingColumn { field: *missing });
    }
    Ok(Columns {
        header_row: *header_row,
        fields,
    })
}
