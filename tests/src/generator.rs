//! A seeded generator of a realistic grid (网格): buildings, households,
//! residents with valid ID numbers and phones, care categories, building
//! heads, patrol teams, years of visits and evening patrol shifts with
//! check-ins.
//!
//! Everything is written through the public [`Store`] API, one call per
//! edit, the way a worker's phone writes. For a given [`GridSpec`] (seed and
//! end date included) the sequence of API calls and their inputs is the same
//! on every run; record ids differ because the store draws them at random.
//!
//! To extend it: add a word list or a distribution next to the others below,
//! draw from [`SplitMix64`] only (never from the clock or a hash map's
//! order), and count what you write in [`Counts`]. New kinds of records go
//! in their own `write_*` step of [`generate`], before the timeline if
//! visits or shifts refer to them.

use gridbook::codes::{
    DwellingUse, FindingKind, Gender, Registration, ResidenceState, ResidentStatus, Resolution,
    VisitKind, VisitOutcome,
};
use gridbook::{
    BuildingInput, CheckinInput, Date, FindingInput, GeoPoint, GpsFix, GridInput, HeadPerson,
    HouseholdInput, LocalTime, ResidentInput, ShiftInput, Store, TeamMember, TimeOfDay, VisitInput,
};

use crate::rng::SplitMix64;
use crate::timefmt::local_instant;

/// China Standard Time, the offset every generated time is recorded in.
const OFFSET: i32 = 480;

/// The shape of a generated grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridSpec {
    /// Households to create.
    pub households: u32,
    /// Buildings to create ("1栋", "2栋", …).
    pub buildings: u32,
    /// Years of history: visits and shifts fall within this many years before the end date.
    pub years: u32,
    /// Visits to log.
    pub visits: u32,
    /// Patrol shifts to create.
    pub shifts: u32,
    /// Check-ins recorded on each shift.
    pub checkins_per_shift: u32,
    /// The PRNG seed.
    pub seed: u64,
    /// The last day of the history; `None` for yesterday in the store's local time.
    pub end_date: Option<Date>,
}

impl GridSpec {
    /// Five years of one grid: 300 households in 40 buildings (~900 residents),
    /// 12,000 visits and 1,800 evening shifts with 10 check-ins each.
    pub fn five_year_grid() -> GridSpec {
        GridSpec {
            households: 300,
            buildings: 40,
            years: 5,
            visits: 12_000,
            shifts: 1_800,
            checkins_per_shift: 10,
            seed: 0x6772_6964_626f_6f6b,
            end_date: None,
        }
    }

    /// A small grid for tests: 24 households in 4 buildings, one year.
    pub fn small() -> GridSpec {
        GridSpec {
            households: 24,
            buildings: 4,
            years: 1,
            visits: 120,
            shifts: 12,
            checkins_per_shift: 4,
            seed: 42,
            end_date: None,
        }
    }
}

/// How many records of each kind the generator wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Buildings.
    pub buildings: u32,
    /// Households.
    pub households: u32,
    /// Residents.
    pub residents: u32,
    /// Residents with at least one care category.
    pub care_residents: u32,
    /// Building-head appointments (including successions).
    pub building_heads: u32,
    /// Patrol teams.
    pub teams: u32,
    /// Visits.
    pub visits: u32,
    /// Findings recorded with the visits.
    pub findings: u32,
    /// Patrol shifts.
    pub shifts: u32,
    /// Members assigned to shifts (one per member and shift).
    pub shift_assignments: u32,
    /// Check-ins.
    pub checkins: u32,
    /// Households marked as moved out at the end of the history.
    pub moved_out_households: u32,
    /// Residents marked as moved out or deceased at the end of the history.
    pub retired_residents: u32,
    /// Store API calls that wrote something.
    pub api_writes: u32,
}

/// What the generator wrote: the ids of the records (for benchmarks and tests) and counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedGrid {
    /// The grid.
    pub grid_id: String,
    /// Buildings, in number order.
    pub building_ids: Vec<String>,
    /// Households, in creation order.
    pub household_ids: Vec<String>,
    /// Residents, in creation order.
    pub resident_ids: Vec<String>,
    /// Worker and volunteer ids of the patrol teams; the store's own worker first.
    pub worker_ids: Vec<String>,
    /// Patrol teams.
    pub team_ids: Vec<String>,
    /// Shifts, oldest first.
    pub shift_ids: Vec<String>,
    /// The first day of the history.
    pub start_date: Option<Date>,
    /// The last day of the history.
    pub end_date: Option<Date>,
    /// How many records of each kind were written.
    pub counts: Counts,
}

// ---------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------

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
const LOCAL_AREAS: &[&str] = &["330102", "330105", "330106", "330108", "330109", "330110"];
/// Where migrants' ID numbers were issued.
const MIGRANT_AREAS: &[&str] = &[
    "340102", "341222", "410105", "411323", "420106", "430102", "510107", "360102", "320102",
    "370102", "500101", "450102",
];
const ESTATES: &[&str] = &["幸福小区", "和睦家园", "金桂苑"];
const CHECKPOINTS: &[&str] = &[
    "北门岗亭",
    "南门",
    "小区广场",
    "地下车库入口",
    "东门",
    "垃圾分类亭",
    "健身区",
    "快递柜",
    "配电房",
    "消防通道",
];
const FINDINGS: &[(FindingKind, &str)] = &[
    (FindingKind::Problem, "楼道堆放杂物，存在消防隐患"),
    (FindingKind::Problem, "电动车在楼道内充电"),
    (FindingKind::Request, "反映电梯经常故障"),
    (FindingKind::Request, "咨询高龄津贴申领"),
    (FindingKind::Problem, "下水管道堵塞"),
    (FindingKind::Request, "希望增加小区路灯"),
    (FindingKind::Problem, "楼顶防水层破损漏水"),
    (FindingKind::Request, "咨询医保异地备案"),
    (FindingKind::Problem, "邻里噪音纠纷"),
    (FindingKind::Request, "申请居家养老服务"),
    (FindingKind::Problem, "消防通道被车辆占用"),
    (FindingKind::Request, "反映垃圾投放点有异味"),
];
const MET_NOTES: &[&str] = &[
    "家中一切正常",
    "老人身体状况良好",
    "已宣传反诈知识",
    "已发放燃气安全告知书",
    "已核对家庭成员信息",
    "住户表示满意",
];
const HOUSEHOLD_TAGS: &[&str] = &["has_pet", "ev_owner", "needs_elevator", "gas_alarm"];

// ---------------------------------------------------------------------------
// Person plans
// ---------------------------------------------------------------------------

/// Who lives in a household, before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HouseholdKind {
    ElderlyAlone,
    ElderlyCouple,
    Family,
    Grandparents,
    Renters,
}

struct PersonPlan {
    relation: &'static str,
    gender: Gender,
    age: i64,
    registration: Registration,
    care: Vec<String>,
}

struct HouseholdState {
    id: String,
    building: usize,
    residents: Vec<String>,
    adult_locals: Vec<String>,
    has_care: bool,
}

struct BuildingState {
    id: String,
    location: GeoPoint,
    units: u32,
    floors: u32,
}

/// One timeline event: a visit or a shift, written in time order so that the
/// store's document cache sees the same access pattern as a phone.
enum Event {
    Visit(Box<VisitInput>),
    Shift {
        team: usize,
        date: Date,
        members: Vec<String>,
        route: Vec<String>,
    },
}

struct Gen<'a> {
    store: &'a Store,
    rng: SplitMix64,
    spec: &'a GridSpec,
    start: Date,
    end: Date,
    out: GeneratedGrid,
    buildings: Vec<BuildingState>,
    households: Vec<HouseholdState>,
    /// Team index → member ids.
    team_members: Vec<Vec<String>>,
    /// Residents who move out or die at the end of the history.
    departures: Vec<(String, ResidentStatus)>,
    /// Volunteers drawn so far (for their ids).
    volunteers: u32,
    /// Households that move out at the end of the history.
    leaving_households: Vec<String>,
}

/// Fills `store` with a grid shaped by `spec`, one API call per edit, and
/// returns the ids and counts of what it wrote.
pub fn generate(store: &Store, spec: &GridSpec) -> gridbook::Result<GeneratedGrid> {
    let end = spec.end_date.unwrap_or_else(|| store.today().add_days(-1));
    let days = i64::from(spec.years.max(1)) * 365;
    let start = end.add_days(1 - days);
    let mut g = Gen {
        store,
        rng: SplitMix64::new(spec.seed),
        spec,
        start,
        end,
        out: GeneratedGrid {
            start_date: Some(start),
            end_date: Some(end),
            ..GeneratedGrid::default()
        },
        buildings: Vec::new(),
        households: Vec::new(),
        team_members: Vec::new(),
        departures: Vec::new(),
        volunteers: 0,
        leaving_households: Vec::new(),
    };
    g.write_grid()?;
    g.write_buildings()?;
    g.write_households()?;
    g.write_building_heads()?;
    g.write_teams()?;
    g.write_timeline()?;
    g.write_departures()?;
    Ok(g.out)
}

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

fn random_gender(rng: &mut SplitMix64) -> Gender {
    if rng.chance(0.5) {
        Gender::Male
    } else {
        Gender::Female
    }
}

/// Whole years from `birth` to `on`.
fn age_on(birth: Date, on: Date) -> i64 {
    let mut age = i64::from(on.year() - birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

impl Gen<'_> {
    fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        self.rng.pick(items).copied().unwrap_or("")
    }

    fn name(&mut self, gender: Gender) -> String {
        person_name(&mut self.rng, gender)
    }

    fn birth_for_age(&mut self, age: i64) -> Date {
        // A birthday in the year before the end date's `age`-th anniversary.
        let days = age * 365 + age / 4 + self.rng.range(0, 364);
        let birth = self.end.add_days(-days);
        if birth.year() < 1901 {
            Date::new(1901, 1, 1).unwrap_or(birth)
        } else {
            birth
        }
    }

    fn mobile(&mut self) -> String {
        format!(
            "1{}{:09}",
            self.rng.range(3, 9),
            self.rng.below(1_000_000_000)
        )
    }

    fn point_near(&mut self, center: GeoPoint, spread_deg: f64) -> GeoPoint {
        GeoPoint {
            lon: center.lon + (self.rng.unit() - 0.5) * 2.0 * spread_deg,
            lat: center.lat + (self.rng.unit() - 0.5) * 2.0 * spread_deg,
        }
    }

    fn fix_near(&mut self, center: GeoPoint) -> Option<GpsFix> {
        if self.rng.chance(0.08) {
            return None;
        }
        let point = self.point_near(center, 0.0002);
        let accuracy_m = 5.0 + self.rng.unit() * 30.0;
        Some(GpsFix { point, accuracy_m })
    }

    fn write_grid(&mut self) -> gridbook::Result<()> {
        let center = GeoPoint {
            lon: 120.1,
            lat: 30.2,
        };
        let boundary = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
            .iter()
            .map(|(dx, dy)| GeoPoint {
                lon: center.lon + dx * 0.004,
                lat: center.lat + dy * 0.003,
            })
            .collect();
        let sequence = self.rng.range(1, 99);
        self.out.grid_id = self.store.create_grid(GridInput {
            code: format!("330106007{sequence:03}001"),
            name: format!("幸福社区第{sequence}网格"),
            community: Some("幸福社区".into()),
            street: Some("西溪街道".into()),
            boundary: Some(boundary),
        })?;
        self.out.counts.api_writes += 1;
        Ok(())
    }

    fn write_buildings(&mut self) -> gridbook::Result<()> {
        let n = self.spec.buildings.max(1);
        for number in 1..=n {
            let index = number - 1;
            let estate_index = usize::try_from(index * 3 / n).unwrap_or(0);
            let estate = ESTATES.get(estate_index).copied().unwrap_or("幸福小区");
            let (row, col) = (f64::from(index / 8), f64::from(index % 8));
            let location = GeoPoint {
                lon: 120.1 - 0.003 + col * 0.0008,
                lat: 30.2 - 0.0018 + row * 0.0007,
            };
            let units = u32::try_from(self.rng.range(1, 4)).unwrap_or(2);
            let floors = u32::try_from(self.rng.range(6, 18)).unwrap_or(6);
            let id = self.store.create_building(
                &self.out.grid_id,
                BuildingInput {
                    number: format!("{number}栋"),
                    estate: Some(estate.into()),
                    units,
                    floors,
                    location: Some(location),
                },
            )?;
            self.out.counts.api_writes += 1;
            self.out.counts.buildings += 1;
            self.out.building_ids.push(id.clone());
            self.buildings.push(BuildingState {
                id,
                location,
                units,
                floors,
            });
        }
        Ok(())
    }

    fn plan_household(&mut self, kind: HouseholdKind) -> Vec<PersonPlan> {
        let mut people = Vec::new();
        let person =
            |relation, gender, age, registration: Registration, care: &[&str]| PersonPlan {
                relation,
                gender,
                age,
                registration,
                care: care.iter().map(|c| (*c).to_string()).collect(),
            };
        let opposite = |g: Gender| {
            if g == Gender::Male {
                Gender::Female
            } else {
                Gender::Male
            }
        };
        match kind {
            HouseholdKind::ElderlyAlone => {
                let gender = if self.rng.chance(0.6) {
                    Gender::Female
                } else {
                    Gender::Male
                };
                let age = self.rng.range(70, 92);
                let mut care = vec!["elderly_alone"];
                if self.rng.chance(0.15) {
                    care.push("disabled_elderly");
                }
                people.push(person("02", gender, age, Registration::Local, &care));
            }
            HouseholdKind::ElderlyCouple => {
                let age = self.rng.range(62, 88);
                let spouse_age = (age + self.rng.range(-5, 1)).max(60);
                let care = ["empty_nest"];
                people.push(person("02", Gender::Male, age, Registration::Local, &care));
                people.push(person(
                    "10",
                    Gender::Female,
                    spouse_age,
                    Registration::Local,
                    &care,
                ));
            }
            HouseholdKind::Family => {
                let registration = self
                    .rng
                    .weighted(&[
                        (Registration::Local, 85),
                        (Registration::Migrant, 14),
                        (Registration::Foreign, 1),
                    ])
                    .unwrap_or(Registration::Local);
                let age = self.rng.range(28, 58);
                let gender = if self.rng.chance(0.75) {
                    Gender::Male
                } else {
                    Gender::Female
                };
                people.push(person("02", gender, age, registration, &[]));
                if self.rng.chance(0.88) {
                    let spouse_age = (age + self.rng.range(-4, 4)).max(22);
                    people.push(person(
                        "10",
                        opposite(gender),
                        spouse_age,
                        registration,
                        &[],
                    ));
                }
                let children = self
                    .rng
                    .weighted(&[(0, 8), (1, 42), (2, 38), (3, 12)])
                    .unwrap_or(1);
                let oldest = (age - 22).clamp(0, 30);
                for _ in 0..children {
                    let child_gender = random_gender(&mut self.rng);
                    let relation = if child_gender == Gender::Male {
                        "20"
                    } else {
                        "30"
                    };
                    let child_age = self.rng.range(0, oldest);
                    people.push(person(relation, child_gender, child_age, registration, &[]));
                }
                if self.rng.chance(0.25) {
                    let parent_gender = random_gender(&mut self.rng);
                    let relation = if parent_gender == Gender::Male {
                        "51"
                    } else {
                        "52"
                    };
                    let parent_age = (age + self.rng.range(24, 32)).min(96);
                    people.push(person(
                        relation,
                        parent_gender,
                        parent_age,
                        registration,
                        &[],
                    ));
                }
            }
            HouseholdKind::Grandparents => {
                let age = self.rng.range(56, 76);
                people.push(person("02", Gender::Male, age, Registration::Local, &[]));
                let spouse_age = (age + self.rng.range(-4, 2)).max(50);
                people.push(person(
                    "10",
                    Gender::Female,
                    spouse_age,
                    Registration::Local,
                    &[],
                ));
                let grandchildren = self.rng.range(1, 2);
                for _ in 0..grandchildren {
                    let g = random_gender(&mut self.rng);
                    let child_age = self.rng.range(4, 15);
                    people.push(person(
                        "40",
                        g,
                        child_age,
                        Registration::Local,
                        &["left_behind_child"],
                    ));
                }
            }
            HouseholdKind::Renters => {
                let size = self.rng.weighted(&[(1, 40), (2, 40), (3, 20)]).unwrap_or(1);
                let age = self.rng.range(20, 38);
                let gender = random_gender(&mut self.rng);
                people.push(person("02", gender, age, Registration::Migrant, &[]));
                for i in 1..size {
                    if i == 1 && self.rng.chance(0.5) {
                        let spouse_age = (age + self.rng.range(-3, 3)).max(20);
                        people.push(person(
                            "10",
                            opposite(gender),
                            spouse_age,
                            Registration::Migrant,
                            &[],
                        ));
                    } else {
                        let g = random_gender(&mut self.rng);
                        let other_age = self.rng.range(20, 40);
                        people.push(person("99", g, other_age, Registration::Migrant, &[]));
                    }
                }
            }
        }
        people
    }

    fn write_households(&mut self) -> gridbook::Result<()> {
        // Every dwelling of every building: (unit, floor, door), shuffled.
        let mut slots: Vec<Vec<(u32, u32, u32)>> = Vec::new();
        for building in &self.buildings {
            let mut list = Vec::new();
            for unit in 1..=building.units {
                for floor in 1..=building.floors {
                    for door in 1..=2 {
                        list.push((unit, floor, door));
                    }
                }
            }
            slots.push(list);
        }
        for list in &mut slots {
            self.rng.shuffle(list);
        }
        let building_count = self.buildings.len();
        for k in 0..usize::try_from(self.spec.households).unwrap_or(0) {
            // Round-robin over buildings, skipping full ones.
            let Some((building, (unit, floor, door))) = (0..building_count)
                .map(|step| (k + step) % building_count)
                .find_map(|b| slots.get_mut(b).and_then(Vec::pop).map(|slot| (b, slot)))
            else {
                break;
            };
            let kind = self
                .rng
                .weighted(&[
                    (HouseholdKind::ElderlyAlone, 10),
                    (HouseholdKind::ElderlyCouple, 10),
                    (HouseholdKind::Family, 58),
                    (HouseholdKind::Grandparents, 7),
                    (HouseholdKind::Renters, 15),
                ])
                .unwrap_or(HouseholdKind::Family);
            let use_kind = if kind == HouseholdKind::Renters || self.rng.chance(0.05) {
                DwellingUse::Rented
            } else {
                DwellingUse::OwnerOccupied
            };
            let mut tags = Vec::new();
            if self.rng.chance(0.12) {
                tags.push(self.pick_str(HOUSEHOLD_TAGS).to_string());
            }
            let notes = (kind == HouseholdKind::ElderlyAlone && self.rng.chance(0.5))
                .then(|| "独居，需每周探访".to_string());
            let building_id = self
                .buildings
                .get(building)
                .map(|b| b.id.clone())
                .unwrap_or_default();
            let household_id = self.store.create_household(HouseholdInput {
                building_id,
                unit: unit.to_string(),
                floor: i32::try_from(floor).unwrap_or(1),
                room: format!("{floor}{door:02}"),
                use_kind,
                tags,
                location: None,
                notes,
            })?;
            self.out.counts.api_writes += 1;
            self.out.counts.households += 1;
            self.out.household_ids.push(household_id.clone());
            if kind == HouseholdKind::Renters && self.rng.chance(0.08) {
                self.leaving_households.push(household_id.clone());
            }
            let hardship = kind != HouseholdKind::Renters && self.rng.chance(0.04);
            let mut state = HouseholdState {
                id: household_id,
                building,
                residents: Vec::new(),
                adult_locals: Vec::new(),
                has_care: false,
            };
            let plans = self.plan_household(kind);
            for (index, mut plan) in plans.into_iter().enumerate() {
                if hardship && index == 0 {
                    plan.care.push("hardship".into());
                }
                self.write_resident(&mut state, kind, plan)?;
            }
            self.households.push(state);
        }
        Ok(())
    }

    fn write_resident(
        &mut self,
        household: &mut HouseholdState,
        kind: HouseholdKind,
        mut plan: PersonPlan,
    ) -> gridbook::Result<()> {
        let birth = self.birth_for_age(plan.age);
        let age = age_on(birth, self.end);
        let male = plan.gender == Gender::Male;
        let id_number = match plan.registration {
            Registration::Foreign => None,
            _ if self.rng.chance(0.02) => None,
            registration => {
                let areas = if registration == Registration::Local {
                    LOCAL_AREAS
                } else {
                    MIGRANT_AREAS
                };
                let area = self.pick_str(areas);
                let sequence = u32::try_from(self.rng.below(500)).unwrap_or(0);
                Some(id_number(area, birth, male, sequence))
            }
        };
        let mut phones = Vec::new();
        if age >= 16 && self.rng.chance(0.92) {
            if age >= 70 && self.rng.chance(0.25) {
                phones.push(format!(
                    "0571-{}{:07}",
                    self.rng.range(2, 8),
                    self.rng.below(10_000_000)
                ));
            } else {
                phones.push(self.mobile());
            }
            if self.rng.chance(0.08) {
                phones.push(self.mobile());
            }
        }
        let residence_state = match plan.registration {
            Registration::Local if self.rng.chance(0.08) => ResidenceState::RegisteredNotPresent,
            Registration::Local => ResidenceState::Consistent,
            _ => ResidenceState::PresentNotRegistered,
        };
        if self.rng.chance(0.02) {
            plan.care.push("disabled".into());
        }
        if male && age >= 45 && self.rng.chance(0.04) {
            plan.care.push("veteran".into());
        }
        let days_alive = (self.end.days_since_epoch() - birth.days_since_epoch()).max(0);
        let max_stay = if kind == HouseholdKind::Renters {
            3 * 365
        } else {
            30 * 365
        };
        let moved_in = Some(
            self.end
                .add_days(-self.rng.range(0, days_alive.min(max_stay))),
        );
        let has_care = !plan.care.is_empty();
        let name = self.name(plan.gender);
        let id = self.store.create_resident(ResidentInput {
            household_id: household.id.clone(),
            name,
            gender: plan.gender,
            birth_date: Some(birth),
            id_number,
            phones,
            relation: plan.relation.to_string(),
            registration: plan.registration,
            residence_state,
            care: plan.care,
            moved_in,
        })?;
        self.out.counts.api_writes += 1;
        self.out.counts.residents += 1;
        if has_care {
            self.out.counts.care_residents += 1;
            household.has_care = true;
        }
        if plan.registration == Registration::Local && (30..=75).contains(&age) {
            household.adult_locals.push(id.clone());
        }
        if age >= 80 && self.rng.chance(0.04) {
            self.departures.push((id.clone(), ResidentStatus::Deceased));
        } else if matches!(plan.relation, "20" | "30")
            && (20..=32).contains(&age)
            && self.rng.chance(0.1)
        {
            self.departures.push((id.clone(), ResidentStatus::MovedOut));
        }
        household.residents.push(id.clone());
        self.out.resident_ids.push(id);
        Ok(())
    }

    fn head_person(&mut self, candidates: &[String]) -> HeadPerson {
        match self.rng.pick(candidates) {
            Some(resident) if self.rng.chance(0.75) => HeadPerson::Resident(resident.clone()),
            _ => {
                let gender = random_gender(&mut self.rng);
                HeadPerson::Volunteer(self.name(gender))
            }
        }
    }

    fn write_building_heads(&mut self) -> gridbook::Result<()> {
        let days = self.end.days_since_epoch() - self.start.days_since_epoch();
        for b in 0..self.buildings.len() {
            if !self.rng.chance(0.85) {
                continue;
            }
            let candidates: Vec<String> = self
                .households
                .iter()
                .filter(|h| h.building == b)
                .flat_map(|h| h.adult_locals.iter().cloned())
                .collect();
            let building_id = self
                .buildings
                .get(b)
                .map(|s| s.id.clone())
                .unwrap_or_default();
            let first = self.head_person(&candidates);
            let starts_on = self.start.add_days(self.rng.range(0, 120.min(days)));
            self.store
                .appoint_building_head(&building_id, first, starts_on)?;
            self.out.counts.api_writes += 1;
            self.out.counts.building_heads += 1;
            if self.rng.chance(0.25) && days > 200 {
                let next = self.head_person(&candidates);
                let next_start = self.start.add_days(self.rng.range(200, days));
                self.store
                    .appoint_building_head(&building_id, next, next_start)?;
                self.out.counts.api_writes += 1;
                self.out.counts.building_heads += 1;
            }
        }
        Ok(())
    }

    fn volunteer(&mut self) -> TeamMember {
        self.volunteers += 1;
        let gender = random_gender(&mut self.rng);
        TeamMember {
            member_id: format!("v-{:04}", self.volunteers),
            name: self.name(gender),
        }
    }

    fn write_teams(&mut self) -> gridbook::Result<()> {
        let me = self.store.identity().clone();
        self.out.worker_ids.push(me.worker_id.clone());
        let mut team_one = vec![TeamMember {
            member_id: me.worker_id.clone(),
            name: me.name.clone(),
        }];
        for _ in 0..4 {
            team_one.push(self.volunteer());
        }
        let assistant_gender = random_gender(&mut self.rng);
        let mut team_two = vec![TeamMember {
            member_id: "w-assist-01".into(),
            name: self.name(assistant_gender),
        }];
        for _ in 0..3 {
            team_two.push(self.volunteer());
        }
        let late_joiner = self.volunteer();
        let teams = [("平安巡逻一队", team_one), ("平安巡逻二队", team_two)];
        for (name, members) in teams {
            let ids: Vec<String> = members.iter().map(|m| m.member_id.clone()).collect();
            let team_id = self
                .store
                .create_patrol_team(&self.out.grid_id, name, members)?;
            self.out.counts.api_writes += 1;
            self.out.counts.teams += 1;
            for id in &ids {
                if !self.out.worker_ids.contains(id) {
                    self.out.worker_ids.push(id.clone());
                }
            }
            self.out.team_ids.push(team_id);
            self.team_members.push(ids);
        }
        // A volunteer who joined the second team later.
        if let (Some(team_id), Some(members)) =
            (self.out.team_ids.get(1), self.team_members.get_mut(1))
        {
            let id = late_joiner.member_id.clone();
            self.store.add_team_member(team_id, late_joiner)?;
            self.out.counts.api_writes += 1;
            members.push(id.clone());
            self.out.worker_ids.push(id);
        }
        Ok(())
    }

    fn visit(&mut self, household: usize, at: LocalTime) -> VisitInput {
        let (id, residents, has_care, location) = match self.households.get(household) {
            Some(h) => (
                h.id.clone(),
                h.residents.clone(),
                h.has_care,
                self.buildings.get(h.building).map(|b| b.location),
            ),
            None => (String::new(), Vec::new(), false, None),
        };
        let kind = if has_care {
            self.rng.weighted(&[
                (VisitKind::Routine, 45),
                (VisitKind::SpecialCare, 35),
                (VisitKind::FollowUp, 10),
                (VisitKind::Survey, 10),
            ])
        } else {
            self.rng.weighted(&[
                (VisitKind::Routine, 70),
                (VisitKind::FollowUp, 15),
                (VisitKind::Survey, 15),
            ])
        }
        .unwrap_or(VisitKind::Routine);
        let outcome = self
            .rng
            .weighted(&[
                (VisitOutcome::Met, 72),
                (VisitOutcome::NobodyHome, 24),
                (VisitOutcome::Refused, 4),
            ])
            .unwrap_or(VisitOutcome::Met);
        let mut residents_seen = Vec::new();
        let mut findings = Vec::new();
        let mut notes = None;
        match outcome {
            VisitOutcome::Met => {
                let mut members = residents;
                self.rng.shuffle(&mut members);
                let seen =
                    usize::try_from(self.rng.range(1, i64::try_from(members.len()).unwrap_or(1)))
                        .unwrap_or(1);
                residents_seen = members.into_iter().take(seen).collect();
                let found = self
                    .rng
                    .weighted(&[(0usize, 78), (1, 18), (2, 4)])
                    .unwrap_or(0);
                for _ in 0..found {
                    let (kind, text) = self
                        .rng
                        .pick(FINDINGS)
                        .copied()
                        .unwrap_or((FindingKind::Problem, "楼道堆放杂物，存在消防隐患"));
                    let resolution = self
                        .rng
                        .weighted(&[
                            (Resolution::SolvedOnSite, 40),
                            (Resolution::Escalated, 25),
                            (Resolution::Open, 35),
                        ])
                        .unwrap_or(Resolution::Open);
                    findings.push(FindingInput {
                        id: None,
                        kind,
                        text: text.to_string(),
                        resolution,
                    });
                }
                if self.rng.chance(0.3) {
                    notes = Some(self.pick_str(MET_NOTES).to_string());
                }
            }
            VisitOutcome::NobodyHome if self.rng.chance(0.5) => {
                notes = Some("敲门无人应答，已留联系卡".to_string());
            }
            _ => {}
        }
        let gps = match location {
            Some(center) => self.fix_near(center),
            None => None,
        };
        VisitInput {
            household_id: id,
            at,
            kind,
            outcome,
            residents_seen,
            notes,
            findings,
            gps,
        }
    }

    fn write_timeline(&mut self) -> gridbook::Result<()> {
        let days = (self.end.days_since_epoch() - self.start.days_since_epoch() + 1).max(1);
        // Households with someone in a care category are visited three times as often.
        let weighted: Vec<usize> = self
            .households
            .iter()
            .enumerate()
            .flat_map(|(i, h)| std::iter::repeat_n(i, if h.has_care { 3 } else { 1 }))
            .collect();
        let mut events: Vec<(i64, Event)> = Vec::new();
        if !weighted.is_empty() {
            for _ in 0..self.spec.visits {
                let household = self.rng.pick(&weighted).copied().unwrap_or(0);
                let day = self.start.add_days(self.rng.range(0, days - 1));
                // Door-knocking between 08:30 and 19:30.
                let at = local_instant(day, self.rng.range(510, 1170), OFFSET);
                let input = self.visit(household, at);
                events.push((at.utc_ms, Event::Visit(Box::new(input))));
            }
        }
        let shifts = i64::from(self.spec.shifts);
        let teams = self.team_members.len().max(1);
        let mut checkpoints: Vec<String> = CHECKPOINTS.iter().map(|c| (*c).to_string()).collect();
        for building in 1..=self.spec.buildings.min(12) {
            checkpoints.push(format!("{building}栋"));
        }
        for s in 0..shifts {
            let date = self.start.add_days(s * days / shifts.max(1));
            // Teams take turns by the week.
            let team = usize::try_from(s / 7).unwrap_or(0) % teams;
            let mut members = self.team_members.get(team).cloned().unwrap_or_default();
            self.rng.shuffle(&mut members);
            let on_duty = self
                .rng
                .weighted(&[(1usize, 10), (2, 70), (3, 20)])
                .unwrap_or(2);
            members.truncate(on_duty);
            let mut route = checkpoints.clone();
            self.rng.shuffle(&mut route);
            route.truncate(5);
            let starts = local_instant(date, 18 * 60 + 30, OFFSET);
            events.push((
                starts.utc_ms,
                Event::Shift {
                    team,
                    date,
                    members,
                    route,
                },
            ));
        }
        // Stable: equal times keep generation order.
        events.sort_by_key(|(at, _)| *at);
        for (_, event) in events {
            match event {
                Event::Visit(input) => {
                    let finding_count = u32::try_from(input.findings.len()).unwrap_or(0);
                    self.store.log_visit(*input)?;
                    self.out.counts.api_writes += 1;
                    self.out.counts.visits += 1;
                    self.out.counts.findings += finding_count;
                }
                Event::Shift {
                    team,
                    date,
                    members,
                    route,
                } => self.write_shift(team, date, &members, route)?,
            }
        }
        Ok(())
    }

    fn write_shift(
        &mut self,
        team: usize,
        date: Date,
        members: &[String],
        route: Vec<String>,
    ) -> gridbook::Result<()> {
        let team_id = self.out.team_ids.get(team).cloned().unwrap_or_default();
        let (Some(starts), Some(ends)) = (TimeOfDay::new(18, 30), TimeOfDay::new(20, 30)) else {
            return Ok(());
        };
        let shift_id = self.store.create_shift(ShiftInput {
            team_id,
            date,
            starts,
            ends,
            route: route.clone(),
        })?;
        self.out.counts.api_writes += 1;
        self.out.counts.shifts += 1;
        for member in members {
            self.store.assign_to_shift(&shift_id, member)?;
            self.out.counts.api_writes += 1;
            self.out.counts.shift_assignments += 1;
        }
        let n = i64::from(self.spec.checkins_per_shift);
        let center = GeoPoint {
            lon: 120.1,
            lat: 30.2,
        };
        if !members.is_empty() && !route.is_empty() {
            for k in 0..n {
                let index = usize::try_from(k).unwrap_or(0);
                let checkpoint = route.get(index % route.len()).cloned().unwrap_or_default();
                let member_id = members
                    .get(index % members.len())
                    .cloned()
                    .unwrap_or_default();
                // Spread over 18:30..20:25, so every check-in falls within the shift.
                let minute = 18 * 60 + 30 + k * 115 / n.max(1) + self.rng.range(0, 4);
                let at = local_instant(date, minute, OFFSET);
                let spot = self.point_near(center, 0.002);
                let gps = self.fix_near(spot);
                self.store.record_checkin(CheckinInput {
                    shift_id: shift_id.clone(),
                    member_id,
                    at,
                    checkpoint,
                    gps,
                })?;
                self.out.counts.api_writes += 1;
                self.out.counts.checkins += 1;
            }
        }
        self.out.shift_ids.push(shift_id);
        Ok(())
    }

    fn write_departures(&mut self) -> gridbook::Result<()> {
        let days = (self.end.days_since_epoch() - self.start.days_since_epoch()).clamp(0, 180);
        for (resident_id, status) in std::mem::take(&mut self.departures) {
            let on = self.end.add_days(-self.rng.range(0, days));
            self.store.retire_resident(&resident_id, status, on)?;
            self.out.counts.api_writes += 1;
            self.out.counts.retired_residents += 1;
        }
        for household_id in std::mem::take(&mut self.leaving_households) {
            self.store.move_out_household(&household_id)?;
            self.out.counts.api_writes += 1;
            self.out.counts.moved_out_households += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use gridbook::WorkerIdentity;
    use gridbook::codes::WorkerRole;

    fn store(dir: &std::path::Path) -> Store {
        Store::open(
            dir.join("grid.db"),
            WorkerIdentity {
                worker_id: "w-test".into(),
                name: "测试员".into(),
                role: WorkerRole::GridHead,
                device_label: "测试手机".into(),
            },
        )
        .unwrap()
    }

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

    #[test]
    fn small_grid_has_the_requested_shape_and_valid_data() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let spec = GridSpec::small();
        let grid = generate(&store, &spec).unwrap();
        let c = &grid.counts;
        assert_eq!(c.households, spec.households);
        assert_eq!(c.buildings, spec.buildings);
        assert_eq!(c.visits, spec.visits);
        assert_eq!(c.shifts, spec.shifts);
        assert_eq!(c.checkins, spec.shifts * spec.checkins_per_shift);
        assert!(c.residents >= spec.households, "{c:?}");
        assert_eq!(
            grid.resident_ids.len(),
            usize::try_from(c.residents).unwrap()
        );
        assert_eq!(
            store.roster(&grid.grid_id).unwrap().len(),
            grid.household_ids.len()
        );

        let dump = store.query_table_dump().unwrap();
        assert_eq!(dump["visits"].len(), usize::try_from(c.visits).unwrap());
        assert_eq!(dump["checkins"].len(), usize::try_from(c.checkins).unwrap());
        assert_eq!(
            dump["buildings"].len(),
            usize::try_from(c.buildings).unwrap()
        );

        let today = store.today();
        let mut with_id = 0;
        for id in &grid.resident_ids {
            let r = store.resident(id).unwrap();
            if let Some(number) = &r.id_number {
                with_id += 1;
                assert!(gridbook::validate::id_number(number, today).is_ok());
                assert_eq!(
                    gridbook::validate::id_number_birth_date(number),
                    r.birth_date
                );
            }
            for phone in &r.phones {
                assert!(gridbook::validate::phone(phone).is_ok());
            }
        }
        assert!(
            with_id * 10 >= grid.resident_ids.len() * 8,
            "most residents have an ID number"
        );

        for shift_id in &grid.shift_ids {
            for checkin in store.shift_checkins(shift_id).unwrap() {
                let (_, hour, minute) = crate::timefmt::local_parts(checkin.at);
                let minutes = hour * 60 + minute;
                assert!((18 * 60 + 30..=20 * 60 + 30).contains(&minutes));
            }
        }
    }

    #[test]
    fn same_seed_writes_the_same_grid() {
        let end = Date::new(2024, 6, 30);
        let spec = GridSpec {
            end_date: end,
            ..GridSpec::small()
        };
        let strip = |store: &Store, grid: &GeneratedGrid| {
            // Ids are random UUIDs: compare what the roster shows instead.
            let mut rows: Vec<String> = store
                .roster(&grid.grid_id)
                .unwrap()
                .into_iter()
                .map(|r| {
                    format!(
                        "{} {} {} {} {:?} {:?}",
                        r.household.building_number,
                        r.household.unit,
                        r.household.room,
                        r.member_count,
                        r.household.status,
                        r.last_visit
                    )
                })
                .collect();
            let mut names: Vec<String> = grid
                .resident_ids
                .iter()
                .map(|id| {
                    let r = store.resident(id).unwrap();
                    format!("{} {:?} {:?}", r.name, r.id_number, r.phones)
                })
                .collect();
            rows.append(&mut names);
            rows
        };
        let a_dir = tempfile::tempdir().unwrap();
        let a = store(a_dir.path());
        let grid_a = generate(&a, &spec).unwrap();
        let b_dir = tempfile::tempdir().unwrap();
        let b = store(b_dir.path());
        let grid_b = generate(&b, &spec).unwrap();
        assert_eq!(grid_a.counts, grid_b.counts);
        assert_eq!(strip(&a, &grid_a), strip(&b, &grid_b));
    }
}
