//! People: Chinese names, GB 11643 ID numbers, birth dates for an age and
//! phone numbers, with the word lists they draw from.
//!
//! The free functions ([`id_check_char`], [`id_number`], [`person_name`]) are
//! public and re-exported from the generator; the `Gen` methods draw from
//! the generator's own stream. To extend it: add a word list here and a
//! helper that draws from [`SplitMix64`] only; keep the order of draws inside
//! the existing helpers, or every seed's data changes.

use gridbook::Date;
use gridbook::codes::Gender;

use super::Gen;
use crate::rng::SplitMix64;

/// Common surnames, most frequent first (drawn with a bias to the front).
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙", "史",
];
const MALE_CHARS: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫",
    "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "建", "国", "志", "文",
    "海", "德", "福", "生", "荣", "东", "晨", "博", "子", "轩", "然", "睿", "阳", "峰", "成", "永",
];
const FEMALE_CHARS: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "华", "玲", "红", "梅", "琳", "燕",
    "萍", "雪", "慧", "婷", "倩", "颖", "琪", "欣", "怡", "佳", "悦", "涵", "诗", "雨", "梓", "萱",
    "桂", "兰", "凤", "珍", "淑", "晓", "文", "丹",
];
/// Hangzhou districts (户籍 here).
pub(super) const LOCAL_AREAS: &[&str] =
    &["330102", "330105", "330106", "330108", "330109", "330110"];
/// Where migrants' ID numbers were issued.
pub(super) const MIGRANT_AREAS: &[&str] = &[
    "340102", "341222", "410105", "411323", "420106", "430102", "510107", "360102", "320102",
    "370102", "500101", "450102",
];

/// The GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits.
pub fn id_check_char(body: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = body
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip(WEIGHTS)
        .map(|(d, w)| d * w)
        .sum();
    let index = usize::try_from(sum % 11).unwrap_or(0);
    CHECK.get(index).map(|&c| char::from(c)).unwrap_or('0')
}

/// An 18-character ID number for an area code, a birth date and a gender
/// (odd sequence for men, even for women), with its check character.
pub fn id_number(area: &str, birth: Date, male: bool, sequence: u32) -> String {
    let seq = (sequence % 500) * 2 + u32::from(male);
    let body = format!(
        "{area}{:04}{:02}{:02}{seq:03}",
        birth.year(),
        birth.month(),
        birth.day()
    );
    let check = id_check_char(&body);
    format!("{body}{check}")
}

/// A realistic Chinese name: a surname (frequent ones more often) and one or
/// two given-name characters for the gender.
pub fn person_name(rng: &mut SplitMix64, gender: Gender) -> String {
    // The smaller of two draws: frequent surnames come up more often.
    let a = rng.index(SURNAMES.len());
    let b = rng.index(SURNAMES.len());
    let surname = SURNAMES.get(a.min(b)).copied().unwrap_or("王");
    let chars = if gender == Gender::Female {
        FEMALE_CHARS
    } else {
        MALE_CHARS
    };
    let first = rng.pick(chars).copied().unwrap_or("明");
    if rng.chance(0.3) {
        format!("{surname}{first}")
    } else {
        let second = rng.pick(chars).copied().unwrap_or("华");
        format!("{surname}{first}{second}")
    }
}

pub(super) fn random_gender(rng: &mut SplitMix64) -> Gender {
    if rng.chance(0.5) {
        Gender::Male
    } else {
        Gender::Female
    }
}

/// Whole years from `birth` to `on`.
pub(super) fn age_on(birth: Date, on: Date) -> i64 {
    let mut age = i64::from(on.year() - birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

impl Gen<'_> {
    pub(super) fn name(&mut self, gender: Gender) -> String {
        person_name(&mut self.rng, gender)
    }

    pub(super) fn birth_for_age(&mut self, age: i64) -> Date {
        // A birthday in the year before the end date's `age`-th anniversary.
        let days = age * 365 + age / 4 + self.rng.range(0, 364);
        let birth = self.end.add_days(-days);
        if birth.year() < 1901 {
            Date::new(1901, 1, 1).unwrap_or(birth)
        } else {
            birth
        }
    }

    pub(super) fn mobile(&mut self) -> String {
        format!(
            "1{}{:09}",
            self.rng.range(3, 9),
            self.rng.below(1_000_000_000)
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn check_char_matches_the_standard_example() {
        // The worked example of GB 11643-1999.
        assert_eq!(id_check_char("11010519491231002"), 'X');
        let birth = Date::new(1990, 2, 28).unwrap();
        let number = id_number("330106", birth, true, 17);
        let today = Date::new(2025, 1, 1).unwrap();
        assert_eq!(
            gridbook::validate::id_number(&number, today).unwrap(),
            number
        );
        assert_eq!(
            gridbook::validate::id_number_birth_date(&number),
            Some(birth)
        );
    }
}
