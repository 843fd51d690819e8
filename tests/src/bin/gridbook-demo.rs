//! `gridbook-demo`: two grid workers, two phones, one grid.
//!
//! The grid head 王芳 sets up a small grid and hands it to her assistant
//! 李强. Both then work offline: he logs visits and edits a household's
//! notes while she moves that household out; both change the same
//! resident's phone, each appoints a different head for the same building,
//! and each adds a different volunteer to the same patrol shift. Then the
//! phones swap change sets both ways and the demo prints what each sees,
//! the conflicts left for a person to review, and checks that both stores
//! hold exactly the same rows (exit 1 if not).
//!
//! Personal data is printed masked only. To extend the story, add a step
//! in [`run`] through the public `Store` API and print its effect in
//! [`show_view`] or [`show_conflicts`].

use std::collections::BTreeMap;
use std::process::ExitCode;

use gridbook::codes::{
    CodeList, DwellingUse, FindingKind, Gender, Registration, ResidenceState, Resolution,
    VisitKind, VisitOutcome, WorkerRole,
};
use gridbook::validate::{mask_id_number, mask_name, mask_phone};
use gridbook::{
    BuildingInput, Conflict, Date, FindingInput, GeoPoint, GpsFix, GridInput, HeadPerson,
    HouseholdInput, RecordKind, ResidentInput, ShiftInput, Store, TeamMember, TimeOfDay,
    VisitInput, WorkerIdentity,
};
use gridbook_harness::generator::id_number;
use gridbook_harness::scratch::ScratchDir;
use gridbook_harness::timefmt::{format_local, now_china};

type BoxError = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("两部手机的数据不一致：同步后查询表不同。");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("演示失败：{e}");
            ExitCode::FAILURE
        }
    }
}

fn section(title: &str) {
    println!();
    println!(
        "━━ {title} {}",
        "━".repeat(60usize.saturating_sub(title.chars().count() * 2))
    );
}

fn step(who: &str, what: &str) {
    println!("  [{who}] {what}");
}

/// A resident as the head writes them on the first visit.
struct Person {
    name: &'static str,
    gender: Gender,
    birth: (i32, u8, u8),
    phone: &'static str,
    relation: &'static str,
    care: &'static [&'static str],
}

fn resident_input(household_id: &str, p: &Person, seq: u32) -> Result<ResidentInput, BoxError> {
    let (y, m, d) = p.birth;
    let birth = Date::new(y, m, d).ok_or("bad birth date")?;
    Ok(ResidentInput {
        household_id: household_id.to_string(),
        name: p.name.to_string(),
        gender: p.gender,
        birth_date: Some(birth),
        id_number: Some(id_number("330106", birth, p.gender == Gender::Male, seq)),
        phones: vec![p.phone.to_string()],
        relation: p.relation.to_string(),
        registration: Registration::Local,
        residence_state: ResidenceState::Consistent,
        care: p.care.iter().map(|c| (*c).to_string()).collect(),
        moved_in: Date::new(2015, 5, 1),
    })
}

/// The ids of the records the story refers to.
struct Setup {
    grid_id: String,
    buildings: Vec<String>,
    /// 1栋1单元502, 1栋2单元301, 2栋1单元101, 3栋1单元602.
    households: Vec<String>,
    /// The head of 1栋1单元502, whose phone both workers change.
    zhang: String,
    shift_id: String,
}

fn setup(head: &Store) -> Result<Setup, BoxError> {
    let grid_id = head.create_grid(GridInput {
        code: "330106007003001".into(),
        name: "幸福社区第3网格".into(),
        community: Some("幸福社区".into()),
        street: Some("西溪街道".into()),
        boundary: None,
    })?;
    let mut buildings = Vec::new();
    for (i, number) in ["1栋", "2栋", "3栋"].iter().enumerate() {
        let offset = f64::from(u32::try_from(i).unwrap_or(0)) * 0.0008;
        buildings.push(head.create_building(
            &grid_id,
            BuildingInput {
                number: (*number).into(),
                estate: Some("幸福小区".into()),
                units: 2,
                floors: 6 + 3 * i32::try_from(i).unwrap_or(0),
                location: Some(GeoPoint {
                    lon: 120.1 + offset,
                    lat: 30.2,
                }),
            },
        )?);
    }
    let dwellings = [
        (0, "1", 5, "502"),
        (0, "2", 3, "301"),
        (1, "1", 1, "101"),
        (2, "1", 6, "602"),
    ];
    let mut households = Vec::new();
    for (building, unit, floor, room) in dwellings {
        let building_id = buildings.get(building).cloned().ok_or("missing building")?;
        households.push(head.create_household(HouseholdInput {
            building_id,
            unit: unit.into(),
            floor,
            room: room.into(),
            use_kind: if room == "301" {
                DwellingUse::Rented
            } else {
                DwellingUse::OwnerOccupied
            },
            tags: Vec::new(),
            location: None,
            notes: None,
        })?);
    }
    let people: [(usize, Person); 7] = [
        (
            0,
            Person {
                name: "张建国",
                gender: Gender::Male,
                birth: (1968, 3, 12),
                phone: "13800571234",
                relation: "02",
                care: &[],
            },
        ),
        (
            0,
            Person {
                name: "刘秀英",
                gender: Gender::Female,
                birth: (1970, 9, 2),
                phone: "13905712345",
                relation: "10",
                care: &[],
            },
        ),
        (
            0,
            Person {
                name: "张子轩",
                gender: Gender::Male,
                birth: (2012, 6, 18),
                phone: "",
                relation: "20",
                care: &[],
            },
        ),
        (
            1,
            Person {
                name: "周浩",
                gender: Gender::Male,
                birth: (1994, 1, 25),
                phone: "18657101234",
                relation: "02",
                care: &[],
            },
        ),
        (
            2,
            Person {
                name: "陈桂兰",
                gender: Gender::Female,
                birth: (1941, 11, 8),
                phone: "0571-87654321",
                relation: "02",
                care: &["elderly_alone"],
            },
        ),
        (
            3,
            Person {
                name: "吴德福",
                gender: Gender::Male,
                birth: (1950, 4, 30),
                phone: "13732101234",
                relation: "02",
                care: &["empty_nest"],
            },
        ),
        (
            3,
            Person {
                name: "郑淑珍",
                gender: Gender::Female,
                birth: (1952, 8, 16),
                phone: "15968101234",
                relation: "10",
                care: &["empty_nest"],
            },
        ),
    ];
    let mut zhang = String::new();
    for (seq, (household, person)) in (11u32..).zip(people.iter()) {
        let household_id = households.get(*household).ok_or("missing household")?;
        let id = head.create_resident(resident_input(household_id, person, seq)?)?;
        if zhang.is_empty() {
            zhang = id;
        }
    }
    let team_id = head.create_patrol_team(
        &grid_id,
        "平安巡逻一队",
        vec![
            TeamMember {
                member_id: "w-wangfang".into(),
                name: "王芳".into(),
            },
            TeamMember {
                member_id: "w-liqiang".into(),
                name: "李强".into(),
            },
            TeamMember {
                member_id: "v-0001".into(),
                name: "赵敏".into(),
            },
            TeamMember {
                member_id: "v-0002".into(),
                name: "孙涛".into(),
            },
        ],
    )?;
    let shift_id = head.create_shift(ShiftInput {
        team_id,
        date: head.today(),
        starts: TimeOfDay::new(18, 30).ok_or("bad time")?,
        ends: TimeOfDay::new(20, 30).ok_or("bad time")?,
        route: vec![
            "北门岗亭".into(),
            "1栋".into(),
            "小区广场".into(),
            "3栋".into(),
        ],
    })?;
    head.assign_to_shift(&shift_id, "w-wangfang")?;
    Ok(Setup {
        grid_id,
        buildings,
        households,
        zhang,
        shift_id,
    })
}

fn run() -> Result<bool, BoxError> {
    let scratch = ScratchDir::new("gridbook-demo")?;
    let head = Store::open(
        scratch.join("wangfang.db"),
        WorkerIdentity {
            worker_id: "w-wangfang".into(),
            name: "王芳".into(),
            role: WorkerRole::GridHead,
            device_label: "王芳的手机".into(),
        },
    )?;
    let assistant = Store::open(
        scratch.join("liqiang.db"),
        WorkerIdentity {
            worker_id: "w-liqiang".into(),
            name: "李强".into(),
            role: WorkerRole::Assistant,
            device_label: "李强的手机".into(),
        },
    )?;

    println!("Gridbook 演示：两位网格员、两部手机、一个网格（个人信息均已脱敏）");

    section("1. 王芳（网格长）建立网格");
    let s = setup(&head)?;
    step(
        "王芳",
        "建立 幸福社区第3网格：3 栋楼、4 户、7 位居民、巡逻队和今晚的巡逻班次",
    );
    let first = head.export_since(0)?;
    let head_cursor = first.cursor;

    section("2. 李强（协管员）导入网格");
    let report = assistant.import(&first.bytes)?;
    step(
        "李强",
        &format!(
            "导入 {} 个变更（{} 字节），更新 {} 条记录",
            report.new_changes,
            first.bytes.len(),
            report.records_updated
        ),
    );
    let assistant_cursor = assistant.export_since(0)?.cursor;

    section("3. 两人离线各自工作");
    let [h502, h301, h101, h602] = s.households.as_slice() else {
        return Err("expected four households".into());
    };
    let now = now_china();
    let minutes_ago = |m: i64| gridbook::Timestamp {
        utc_ms: now.utc_ms - m * 60_000,
        offset_minutes: now.offset_minutes,
    };
    let fix = |lon: f64| {
        Some(GpsFix {
            point: GeoPoint { lon, lat: 30.2001 },
            accuracy_m: 12.0,
        })
    };
    // 李强 knocks on doors.
    let seen = assistant
        .household(h502)?
        .members
        .first()
        .map(|m| m.id.clone());
    assistant.log_visit(VisitInput {
        household_id: h502.clone(),
        at: minutes_ago(95),
        kind: VisitKind::Routine,
        outcome: VisitOutcome::Met,
        residents_seen: seen.into_iter().collect(),
        notes: Some("已核对家庭成员信息".into()),
        findings: vec![FindingInput {
            id: None,
            kind: FindingKind::Problem,
            text: "楼道堆放杂物，存在消防隐患".into(),
            resolution: Resolution::Open,
        }],
        gps: fix(120.1),
    })?;
    step("李强", "走访 1栋1单元502：发现楼道堆放杂物（待跟进）");
    let seen = assistant
        .household(h101)?
        .members
        .first()
        .map(|m| m.id.clone());
    assistant.log_visit(VisitInput {
        household_id: h101.clone(),
        at: minutes_ago(60),
        kind: VisitKind::SpecialCare,
        outcome: VisitOutcome::Met,
        residents_seen: seen.into_iter().collect(),
        notes: Some("老人身体状况良好".into()),
        findings: vec![FindingInput {
            id: None,
            kind: FindingKind::Request,
            text: "咨询高龄津贴申领".into(),
            resolution: Resolution::SolvedOnSite,
        }],
        gps: fix(120.1008),
    })?;
    step("李强", "关爱探访 2栋1单元101：老人咨询高龄津贴，当场解答");
    assistant.log_visit(VisitInput {
        household_id: h602.clone(),
        at: minutes_ago(40),
        kind: VisitKind::Routine,
        outcome: VisitOutcome::NobodyHome,
        residents_seen: Vec::new(),
        notes: Some("敲门无人应答，已留联系卡".into()),
        findings: Vec::new(),
        gps: fix(120.1016),
    })?;
    step("李强", "走访 3栋1单元602：无人在家");

    // The rented flat: she records the move-out, he (not knowing) edits its notes.
    head.move_out_household(h301)?;
    step("王芳", "登记 1栋2单元301 整户迁出");
    let current = assistant.household(h301)?.household;
    assistant.update_household(
        h301,
        HouseholdInput {
            building_id: current.building_id,
            unit: current.unit,
            floor: current.floor,
            room: current.room,
            use_kind: current.use_kind,
            tags: current.tags,
            location: current.location,
            notes: Some("租户反映门锁损坏，已联系房东".into()),
        },
    )?;
    step("李强", "同时给 1栋2单元301 添加备注（门锁损坏）");

    // Both change the same resident's phone: a conflict.
    for (store, who, phone) in [
        (&head, "王芳", "13357101111"),
        (&assistant, "李强", "18868102222"),
    ] {
        let r = store.resident(&s.zhang)?;
        store.update_resident(
            &s.zhang,
            ResidentInput {
                household_id: r.household_id,
                name: r.name.clone(),
                gender: r.gender,
                birth_date: r.birth_date,
                id_number: r.id_number,
                phones: vec![phone.to_string()],
                relation: r.relation,
                registration: r.registration,
                residence_state: r.residence_state,
                care: r.care,
                moved_in: r.moved_in,
            },
        )?;
        step(
            who,
            &format!("把 {} 的电话改为 {}", mask_name(&r.name), mask_phone(phone)),
        );
    }

    // Two building heads for 1栋, appointed concurrently.
    let building_one = s.buildings.first().ok_or("missing building")?;
    let today = head.today();
    head.appoint_building_head(building_one, HeadPerson::Resident(s.zhang.clone()), today)?;
    step(
        "王芳",
        &format!("任命居民 {} 为 1栋 楼栋长", mask_name("张建国")),
    );
    assistant.appoint_building_head(building_one, HeadPerson::Volunteer("何丽华".into()), today)?;
    step(
        "李强",
        &format!("任命志愿者 {} 为 1栋 楼栋长", mask_name("何丽华")),
    );

    // Each adds a different volunteer to tonight's shift.
    head.assign_to_shift(&s.shift_id, "v-0001")?;
    step("王芳", "把志愿者 v-0001 排进今晚的巡逻班次");
    assistant.assign_to_shift(&s.shift_id, "v-0002")?;
    step("李强", "把志愿者 v-0002 排进今晚的巡逻班次");

    section("4. 回到有网的地方，交换变更");
    let from_head = head.export_since(head_cursor)?;
    let from_assistant = assistant.export_since(assistant_cursor)?;
    let into_assistant = assistant.import(&from_head.bytes)?;
    let into_head = head.import(&from_assistant.bytes)?;
    step(
        "王芳 → 李强",
        &format!(
            "{} 个变更，新 {}，已有 {}",
            from_head.chunks, into_assistant.new_changes, into_assistant.known_changes
        ),
    );
    step(
        "李强 → 王芳",
        &format!(
            "{} 个变更，新 {}，已有 {}",
            from_assistant.chunks, into_head.new_changes, into_head.known_changes
        ),
    );

    section("5. 王芳的手机上看到的");
    show_view(&head, &s)?;
    section("6. 李强的手机上看到的");
    show_view(&assistant, &s)?;

    section("7. 待人工确认的冲突");
    let head_conflicts = head.conflicts(&s.grid_id)?;
    show_conflicts(&head, &s.grid_id, &head_conflicts)?;
    let same_conflicts = head_conflicts == assistant.conflicts(&s.grid_id)?;
    println!(
        "  两部手机列出的冲突{}",
        if same_conflicts {
            "相同"
        } else {
            "不同！"
        }
    );

    section("8. 一致性检查");
    let a = head.query_table_dump()?;
    let b = assistant.query_table_dump()?;
    let rows: usize = a.values().map(Vec::len).sum();
    if a == b && same_conflicts {
        println!(
            "  ✓ 两部手机的查询表完全一致（{} 张表，共 {rows} 行）",
            a.len()
        );
        Ok(true)
    } else {
        for (table, rows) in &a {
            if b.get(table) != Some(rows) {
                println!("  ✗ 表 {table} 不同");
            }
        }
        Ok(false)
    }
}

/// Worker and volunteer names by id, for "who did it".
fn names(store: &Store, grid_id: &str) -> Result<BTreeMap<String, String>, BoxError> {
    let mut names = BTreeMap::new();
    for worker in store.workers(grid_id)? {
        names.insert(
            worker.id,
            format!("{}（{}）", worker.name, worker.role.label()),
        );
    }
    for team in store.patrol_teams(grid_id)? {
        for member in team.members {
            names.entry(member.member_id.clone()).or_insert_with(|| {
                format!("{}（志愿者 {}）", mask_name(&member.name), member.member_id)
            });
        }
    }
    Ok(names)
}

fn who(names: &BTreeMap<String, String>, id: &str) -> String {
    names.get(id).cloned().unwrap_or_else(|| id.to_string())
}

fn relation_label(code: &str) -> &'static str {
    match code {
        "02" => "户主",
        "10" => "配偶",
        "20" => "儿子",
        "30" => "女儿",
        "40" => "孙辈",
        "51" => "父亲",
        "52" => "母亲",
        _ => "其他",
    }
}

fn care_label(code: &str) -> &str {
    gridbook::codes::CARE_CATEGORIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, label)| *label)
        .unwrap_or(code)
}

fn show_view(store: &Store, s: &Setup) -> Result<(), BoxError> {
    let names = names(store, &s.grid_id)?;
    println!("  户籍台账：");
    for row in store.roster(&s.grid_id)? {
        let h = &row.household;
        let last = row
            .last_visit
            .map(format_local)
            .unwrap_or_else(|| "未走访".into());
        println!(
            "    {}{}单元{}  {}·{}  {} 人  最近走访 {}{}",
            h.building_number,
            h.unit,
            h.room,
            h.use_kind.label(),
            h.status.label(),
            row.member_count,
            last,
            h.notes
                .as_deref()
                .map(|n| format!("  备注：{n}"))
                .unwrap_or_default()
        );
    }
    let detail = store.household(s.households.first().map(String::as_str).unwrap_or(""))?;
    println!("  1栋1单元502 的成员：");
    for m in &detail.members {
        let r = m.masked();
        let care: Vec<&str> = r.care.iter().map(|c| care_label(c)).collect();
        println!(
            "    {} {} {}  {}  电话 {}  身份证 {}{}",
            mask_name(&r.name),
            r.gender.label(),
            relation_label(&r.relation),
            r.status.label(),
            if r.phones.is_empty() {
                "无".to_string()
            } else {
                r.phones.join("、")
            },
            r.id_number.unwrap_or_else(|| "无".into()),
            if care.is_empty() {
                String::new()
            } else {
                format!("  {}", care.join("、"))
            }
        );
    }
    println!("  走访记录：");
    let mut visits = Vec::new();
    for household_id in &s.households {
        let detail = store.household(household_id)?;
        let address = format!(
            "{}{}单元{}",
            detail.household.building_number, detail.household.unit, detail.household.room
        );
        for v in detail.visits {
            visits.push((v.at, address.clone(), v));
        }
    }
    visits.sort_by_key(|(at, _, _)| *at);
    for (at, address, v) in visits {
        println!(
            "    {}  {}  {}·{}  {}",
            format_local(at),
            address,
            v.kind.label(),
            v.outcome.label(),
            who(&names, &v.worker_id)
        );
        for f in &v.findings {
            println!(
                "      └ {}：{}（{}）",
                f.kind.label(),
                f.text,
                f.resolution.label()
            );
        }
    }
    println!("  楼栋长：");
    for head in store.current_building_heads(&s.grid_id)? {
        let building = store
            .buildings(&s.grid_id)?
            .into_iter()
            .find(|b| b.id == head.building_id)
            .map(|b| b.number)
            .unwrap_or_default();
        let history = store.building_head_history(&head.building_id)?;
        println!(
            "    {}：{}（{} 起，{} 任命；历任 {} 人）",
            building,
            head_person(store, &head.person),
            head.starts_on,
            who(&names, &head.appointed_by),
            history.len()
        );
    }
    println!("  今晚巡逻班次：");
    for shift in store.shifts_on(&s.grid_id, store.today())? {
        let members: Vec<String> = shift.members.iter().map(|m| who(&names, m)).collect();
        println!(
            "    {} {}–{}  路线 {}  队员 {}",
            shift.date,
            shift.starts,
            shift.ends,
            shift.route.join("→"),
            members.join("、")
        );
    }
    Ok(())
}

fn head_person(store: &Store, person: &HeadPerson) -> String {
    match person {
        HeadPerson::Resident(id) => store
            .resident(id)
            .map(|r| format!("居民 {}", mask_name(&r.name)))
            .unwrap_or_else(|_| "居民（未知）".into()),
        HeadPerson::Volunteer(name) => format!("志愿者 {}", mask_name(name)),
    }
}

/// A conflict value for display, with personal data masked.
fn conflict_value(store: &Store, field: &str, value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => match field {
            "phones" => text
                .split(',')
                .map(mask_phone)
                .collect::<Vec<_>>()
                .join("、"),
            "name" => mask_name(text),
            "id_number" => mask_id_number(text),
            _ => text.clone(),
        },
        serde_json::Value::Object(map) => {
            let text = |key: &str| map.get(key).and_then(|v| v.as_str()).map(String::from);
            let person = match (text("resident_id"), text("volunteer_name")) {
                (Some(id), _) => head_person(store, &HeadPerson::Resident(id)),
                (None, Some(name)) => head_person(store, &HeadPerson::Volunteer(name)),
                (None, None) => "（无）".into(),
            };
            format!("{person}，{} 起", text("starts_on").unwrap_or_default())
        }
        serde_json::Value::Null => "（空）".into(),
        other => other.to_string(),
    }
}

fn record_label(store: &Store, grid_id: &str, conflict: &Conflict) -> String {
    match conflict.record_kind {
        RecordKind::Resident => store
            .resident(&conflict.record_id)
            .map(|r| format!("居民 {}", mask_name(&r.name)))
            .unwrap_or_else(|_| "居民".into()),
        RecordKind::Building => store
            .buildings(grid_id)
            .ok()
            .and_then(|bs| bs.into_iter().find(|b| b.id == conflict.record_id))
            .map(|b| format!("楼栋 {}", b.number))
            .unwrap_or_else(|| "楼栋".into()),
        RecordKind::Household => store
            .household(&conflict.record_id)
            .map(|d| {
                format!(
                    "住户 {}{}单元{}",
                    d.household.building_number, d.household.unit, d.household.room
                )
            })
            .unwrap_or_else(|_| "住户".into()),
        other => format!("{} {}", other.as_str(), conflict.record_id),
    }
}

fn show_conflicts(store: &Store, grid_id: &str, conflicts: &[Conflict]) -> Result<(), BoxError> {
    if conflicts.is_empty() {
        println!("  （没有冲突）");
        return Ok(());
    }
    let names = names(store, grid_id)?;
    for conflict in conflicts {
        println!(
            "  {} 的「{}」被两人同时修改：",
            record_label(store, grid_id, conflict),
            field_label(&conflict.field)
        );
        for v in &conflict.values {
            let author = v
                .worker_id
                .as_deref()
                .map(|w| who(&names, w))
                .unwrap_or_else(|| "未知设备".into());
            let when = v
                .at_ms
                .map(|ms| {
                    format_local(gridbook::Timestamp {
                        utc_ms: ms,
                        offset_minutes: 480,
                    })
                })
                .unwrap_or_else(|| "时间未知".into());
            println!(
                "    {} {}  —— {}，{}",
                if v.is_winner {
                    "✓ 生效"
                } else {
                    "  备选"
                },
                conflict_value(store, &conflict.field, &v.value),
                author,
                when
            );
        }
    }
    Ok(())
}

fn field_label(field: &str) -> &str {
    match field {
        "phones" => "电话",
        "name" => "姓名",
        "notes" => "备注",
        "heads" => "楼栋长",
        "status" => "状态",
        other => other,
    }
}
