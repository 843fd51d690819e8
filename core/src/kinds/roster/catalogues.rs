//! The roster's string code lists, with their Chinese labels: care
//! categories (重点人群) and the GB/T 4761-2008 family-relation codes
//! (家庭关系代码) for a resident's relation to the head of household.
//!
//! Both are closed: an edit naming a code that is not listed here is
//! `Invalid` with `UnknownCode` and writes nothing, so a typo cannot be
//! stored and then silently ignored by the visit plan or a care list. A
//! record that already holds an unlisted code (written by another build)
//! still reads and syncs as it is. To add a care category, add its line to
//! [`CARE_CATEGORIES`] (code: lower-case letters, digits and `_`; its
//! label) and to the table in `bindings/README.md`; the default visit
//! policy (`kinds/visits/plan.rs`) gives it a monthly interval unless it
//! says otherwise.

/// The care categories (重点人群) a resident may be in, with their labels.
pub const CARE_CATEGORIES: &[(&str, &str)] = &[
    ("elderly_alone", "独居老人"),
    ("empty_nest", "空巢老人"),
    ("left_behind_child", "留守儿童"),
    ("hardship", "困难群众"),
    ("disabled", "残疾人"),
    ("disabled_elderly", "失能失智老人"),
    ("veteran", "退役军人"),
];

/// Whether `code` is one of the [`CARE_CATEGORIES`].
pub fn is_care_category(code: &str) -> bool {
    CARE_CATEGORIES.iter().any(|(known, _)| *known == code)
}

/// The relation code of the head of household itself (户主).
pub const RELATION_HEAD: &str = "02";

/// GB/T 4761-2008 family-relation codes (家庭关系代码) with their labels, as
/// a resident's relation to the head of household.
pub const RELATION_CODES: &[(&str, &str)] = &[
    ("01", "本人"),
    ("02", "户主"),
    ("10", "配偶"),
    ("11", "夫"),
    ("12", "妻"),
    ("20", "子"),
    ("21", "独生子"),
    ("22", "长子"),
    ("23", "次子"),
    ("24", "三子"),
    ("25", "四子"),
    ("26", "五子"),
    ("27", "养子或继子"),
    ("28", "女婿"),
    ("29", "其他儿子"),
    ("30", "女"),
    ("31", "独生女"),
    ("32", "长女"),
    ("33", "次女"),
    ("34", "三女"),
    ("35", "四女"),
    ("36", "五女"),
    ("37", "养女或继女"),
    ("38", "儿媳"),
    ("39", "其他女儿"),
    ("40", "孙子、孙女或外孙子、外孙女"),
    ("41", "孙子"),
    ("42", "孙女"),
    ("43", "外孙子"),
    ("44", "外孙女"),
    ("45", "孙媳妇或外孙媳妇"),
    ("46", "孙女婿或外孙女婿"),
    ("47", "曾孙子或外曾孙子"),
    ("48", "曾孙女或外曾孙女"),
    ("49", "其他孙子、孙女或外孙子、外孙女"),
    ("50", "父母"),
    ("51", "父亲"),
    ("52", "母亲"),
    ("53", "公公"),
    ("54", "婆婆"),
    ("55", "岳父"),
    ("56", "岳母"),
    ("57", "继父或养父"),
    ("58", "继母或养母"),
    ("59", "其他父母关系"),
    ("60", "祖父母或外祖父母"),
    ("61", "祖父"),
    ("62", "祖母"),
    ("63", "外祖父"),
    ("64", "外祖母"),
    ("65", "配偶的祖父母或外祖父母"),
    ("66", "曾祖父"),
    ("67", "曾祖母"),
    ("68", "配偶的曾祖父母或外曾祖父母"),
    ("69", "其他祖父母或外祖父母关系"),
    ("70", "兄弟姐妹"),
    ("71", "兄"),
    ("72", "嫂"),
    ("73", "弟"),
    ("74", "弟媳"),
    ("75", "姐姐"),
    ("76", "姐夫"),
    ("77", "妹妹"),
    ("78", "妹夫"),
    ("79", "其他兄弟姐妹"),
    ("80", "其他"),
    ("81", "伯父"),
    ("82", "伯母"),
    ("83", "叔父"),
    ("84", "婶母"),
    ("85", "舅父"),
    ("86", "舅母"),
    ("87", "姨父"),
    ("88", "姨母"),
    ("89", "姑父"),
    ("90", "姑母"),
    ("91", "堂兄弟、堂姐妹"),
    ("92", "表兄弟、表姐妹"),
    ("93", "侄子"),
    ("94", "侄女"),
    ("95", "外甥"),
    ("96", "外甥女"),
    ("97", "其他亲属"),
    ("99", "非亲属"),
];

/// Whether `code` is one of the [`RELATION_CODES`].
pub fn is_relation_code(code: &str) -> bool {
    RELATION_CODES.iter().any(|(known, _)| *known == code)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_relation_codes_are_gb_t_4761_s() {
        // 01, 02, 10-12, 20-97 and 99: 84 codes, in order, none twice.
        assert_eq!(RELATION_CODES.len(), 84);
        let numbers: Vec<u8> = RELATION_CODES
            .iter()
            .map(|(code, _)| code.parse().unwrap())
            .collect();
        let expected: Vec<u8> = [1, 2, 10, 11, 12]
            .into_iter()
            .chain(20..=97)
            .chain([99])
            .collect();
        assert_eq!(numbers, expected);
        assert!(RELATION_CODES.iter().all(|(code, _)| code.len() == 2));
        assert_eq!(RELATION_CODES[1], (RELATION_HEAD, "户主"));
        assert!(is_relation_code("99") && !is_relation_code("98") && !is_relation_code("2"));
    }

    #[test]
    fn care_categories_are_the_listed_codes_only() {
        assert!(is_care_category("elderly_alone"));
        assert!(!is_care_category("elderly"));
        assert!(!is_care_category("Elderly_alone"));
        assert!(!is_care_category(""));
    }
}
