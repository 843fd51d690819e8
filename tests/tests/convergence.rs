//! Property test of merging: three replicas make random offline edits of
//! every record kind and exchange change sets in random orders. Afterwards
//! all replicas hold identical query rows, identical to a rebuild from the
//! documents, and every acknowledged record and assignment is there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeSet;

use gridbook::codes::*;
use gridbook::*;
use proptest::prelude::*;

const REPLICAS: usize = 3;

#[derive(Debug, Clone)]
enum Step {
    Edit {
        replica: usize,
        kind: u8,
        a: usize,
        b: usize,
    },
    Sync {
        from: usize,
        to: usize,
        incremental: bool,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..REPLICAS, 0u8..16, 0usize..1000, 0usize..1000)
            .prop_map(|(replica, kind, a, b)| Step::Edit { replica, kind, a, b }),
        1 => (0..REPLICAS, 0..REPLICAS, any::<bool>())
            .prop_map(|(from, to, incremental)| Step::Sync { from, to, incremental }),
    ]
}

struct Replica {
    store: Store,
    /// What this replica last exported to each peer.
    cursors: [u64; REPLICAS],
}

/// Everything a replica's write call acknowledged, to check nothing is lost.
#[derive(Default)]
struct Acknowledged {
    records: BTreeSet<(&'static str, String)>,
    assignments: BTreeSet<(String, String)>,
    unassigned: BTreeSet<(String, String)>,
}

fn now() -> LocalTime {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    LocalTime {
        utc_ms: ms - 3_600_000,
        offset_minutes: 480,
    }
}

fn pick<T: Clone>(items: &[T], index: usize) -> Option<T> {
    if items.is_empty() {
        None
    } else {
        Some(items[index % items.len()].clone())
    }
}

const PHONES: [&str; 4] = ["13800138000", "13911112222", "0571-87654321", "15000001111"];
const NAMES: [&str; 4] = ["王秀兰", "李建国", "张伟", "刘芳"];
const CARE: [&str; 3] = ["elderly_alone", "left_behind_child", "disabled"];

fn resident(household: &str, name: &str, a: usize) -> ResidentInput {
    ResidentInput {
        household_id: household.into(),
        name: name.into(),
        gender: if a.is_multiple_of(2) {
            Gender::Male
        } else {
            Gender::Female
        },
        birth_date: Date::new(
            1950 + (a % 60) as i32,
            1 + (a % 12) as u8,
            1 + (a % 28) as u8,
        ),
        id_number: if a.is_multiple_of(3) {
            Some("11010519491231002X".into())
        } else {
            None
        },
        phones: vec![PHONES[a % PHONES.len()].into()],
        relation: if a.is_multiple_of(4) {
            "02".into()
        } else {
            "20".into()
        },
        registration: Registration::Local,
        residence_state: ResidenceState::Consistent,
        care: vec![CARE[a % CARE.len()].into()],
        moved_in: None,
    }
}

fn edit(store: &Store, grid: &str, kind: u8, a: usize, b: usize, ack: &mut Acknowledged) {
    let buildings: Vec<String> = store
        .buildings(grid)
        .unwrap()
        .into_iter()
        .map(|x| x.id)
        .collect();
    let roster = store.roster(grid).unwrap();
    let households: Vec<String> = roster.iter().map(|r| r.household.id.clone()).collect();
    let today = store.today();
    match kind {
        0 => {
            let id = store
                .create_building(
                    grid,
                    BuildingInput {
                        number: format!("{}栋", a % 50),
                        estate: Some("和睦院".into()),
                        units: 1 + (b % 4) as u32,
                        floors: 6,
                        location: None,
                    },
                )
                .unwrap();
            ack.records.insert(("building", id));
        }
        1 => {
            let Some(building) = pick(&buildings, a) else {
                return;
            };
            let id = store
                .create_household(HouseholdInput {
                    building_id: building,
                    unit: format!("{}", 1 + b % 3),
                    floor: (a % 18) as i32,
                    room: format!("{}", 100 + a % 900),
                    use_kind: DwellingUse::ALL[b % DwellingUse::ALL.len()],
                    tags: vec![],
                    location: None,
                    notes: None,
                })
                .unwrap();
            ack.records.insert(("household", id));
        }
        2 => {
            let Some(household) = pick(&households, a) else {
                return;
            };
            let id = store
                .create_resident(resident(&household, NAMES[b % NAMES.len()], a))
                .unwrap();
            ack.records.insert(("resident", id));
        }
        3 | 4 => {
            let Some(household) = pick(&households, a) else {
                return;
            };
            let members = store.household(&household).unwrap().members;
            let Some(member) = pick(&members, b) else {
                return;
            };
            let mut input = resident(&household, &member.name, b);
            if kind == 4 {
                input.name = NAMES[a % NAMES.len()].into();
            }
            store.update_resident(&member.id, input).unwrap();
        }
        5 => {
            let Some(household) = pick(&households, a) else {
                return;
            };
            if b.is_multiple_of(3) {
                store.reactivate_household(&household).unwrap();
            } else {
                store.move_out_household(&household).unwrap();
            }
        }
        6 => {
            let Some(row) = pick(&roster, a) else { return };
            let h = row.household;
            store
                .update_household(
                    &h.id,
                    HouseholdInput {
                        building_id: h.building_id,
                        unit: h.unit,
                        floor: h.floor,
                        room: h.room,
                        use_kind: h.use_kind,
                        tags: if b.is_multiple_of(2) {
                            vec!["rental_check".into()]
                        } else {
                            vec![]
                        },
                        location: None,
                        notes: Some(format!("备注{}", b % 5)),
                    },
                )
                .unwrap();
        }
        7 | 8 => {
            let Some(household) = pick(&households, a) else {
                return;
            };
            let id = store
                .log_visit(VisitInput {
                    household_id: household,
                    at: now(),
                    kind: VisitKind::ALL[a % VisitKind::ALL.len()],
                    outcome: VisitOutcome::ALL[b % VisitOutcome::ALL.len()],
                    residents_seen: vec![],
                    notes: Some("敲门走访".into()),
                    findings: vec![FindingInput {
                        id: None,
                        kind: FindingKind::Request,
                        text: "需要帮助".into(),
                        resolution: Resolution::Open,
                    }],
                    gps: None,
                })
                .unwrap();
            ack.records.insert(("visit", id));
        }
        9 => {
            let Some(household) = pick(&households, a) else {
                return;
            };
            let detail = store.household(&household).unwrap();
            let Some(visit) = pick(&detail.visits, b) else {
                return;
            };
            store
                .amend_visit(
                    &visit.id,
                    VisitInput {
                        household_id: household,
                        at: visit.at,
                        kind: visit.kind,
                        outcome: VisitOutcome::ALL[a % VisitOutcome::ALL.len()],
                        residents_seen: vec![],
                        notes: Some(format!("补记{}", b % 3)),
                        findings: visit
                            .findings
                            .iter()
                            .map(|f| FindingInput {
                                id: Some(f.id.clone()),
                                kind: f.kind,
                                text: f.text.clone(),
                                resolution: Resolution::SolvedOnSite,
                            })
                            .collect(),
                        gps: None,
                    },
                )
                .unwrap();
        }
        10 => {
            let Some(building) = pick(&buildings, a) else {
                return;
            };
            let history = store.building_head_history(&building).unwrap();
            let latest = history
                .iter()
                .map(|h| h.starts_on)
                .max()
                .unwrap_or(Date::new(2020, 1, 1).unwrap());
            let start = latest.add_days((b % 30) as i64 + 1).min(today);
            if start < latest {
                return;
            }
            let id = store
                .appoint_building_head(
                    &building,
                    HeadPerson::Volunteer(NAMES[b % NAMES.len()].into()),
                    start,
                )
                .unwrap();
            ack.records.insert(("head", id));
        }
        11 => {
            let teams = store.patrol_teams(grid).unwrap();
            let Some(team) = pick(&teams, a) else { return };
            let id = store
                .create_shift(ShiftInput {
                    team_id: team.id,
                    date: today.add_days((b % 20) as i64),
                    starts: TimeOfDay::new(18, 30).unwrap(),
                    ends: TimeOfDay::new(20, 30).unwrap(),
                    route: vec!["东门".into(), "3栋".into()],
                })
                .unwrap();
            ack.records.insert(("shift", id));
        }
        12 | 13 => {
            let shifts = store.upcoming_shifts("m0", today).unwrap();
            let Some(shift) = pick(&shifts, a) else {
                return;
            };
            let member = format!("m{}", b % 4);
            if kind == 12 || member == "m0" {
                store.assign_to_shift(&shift.id, &member).unwrap();
                ack.assignments.insert((shift.id, member));
            } else {
                store.unassign_from_shift(&shift.id, &member).unwrap();
                ack.unassigned.insert((shift.id, member));
            }
        }
        14 => {
            let shifts = store.upcoming_shifts("m0", today).unwrap();
            let Some(shift) = pick(&shifts, a) else {
                return;
            };
            let id = store
                .record_checkin(CheckinInput {
                    shift_id: shift.id,
                    member_id: "m0".into(),
                    at: now(),
                    checkpoint: if b.is_multiple_of(2) {
                        "东门".into()
                    } else {
                        "3栋".into()
                    },
                    gps: None,
                })
                .unwrap();
            ack.records.insert(("checkin", id));
        }
        _ => {
            let Some(household) = pick(&households, a) else {
                return;
            };
            let members = store.household(&household).unwrap().members;
            let Some(member) = pick(&members, b) else {
                return;
            };
            if member.status == ResidentStatus::Active {
                store
                    .retire_resident(&member.id, ResidentStatus::MovedOut, today)
                    .unwrap();
            }
        }
    }
}

fn sync(replicas: &mut [Replica], from: usize, to: usize, incremental: bool) {
    if from == to {
        return;
    }
    let since = if incremental {
        replicas[from].cursors[to]
    } else {
        0
    };
    let set = replicas[from].store.export_since(since).unwrap();
    replicas[to].store.import(&set.bytes).unwrap();
    replicas[from].cursors[to] = set.cursor;
}

fn present(store: &Store, grid: &str, kind: &str, id: &str) -> bool {
    let dump = store.query_table_dump().unwrap();
    let table = match kind {
        "building" => "buildings",
        "household" => "households",
        "resident" => "residents",
        "visit" => "visits",
        "head" => "building_heads",
        "shift" => "shifts",
        "checkin" => "checkins",
        _ => unreachable!(),
    };
    let _ = grid;
    dump[table]
        .iter()
        .any(|row| row.starts_with(&format!("Text({id:?})")))
}

fn run(steps: Vec<Step>, compact_after: u32) {
    let dir = tempfile::tempdir().unwrap();
    let mut replicas: Vec<Replica> = (0..REPLICAS)
        .map(|i| Replica {
            store: Store::open_with(
                dir.path().join(format!("r{i}.db")),
                WorkerIdentity {
                    worker_id: format!("w{i}"),
                    name: format!("网格员{i}"),
                    role: WorkerRole::Assistant,
                    device_label: format!("phone {i}"),
                },
                OpenOptions {
                    compact_after_changes: compact_after,
                    ..Default::default()
                },
            )
            .unwrap(),
            cursors: [0; REPLICAS],
        })
        .collect();
    let mut ack = Acknowledged::default();
    let first = &replicas[0].store;
    let grid = first
        .create_grid(GridInput {
            code: "330106001001001".into(),
            name: "试验网格".into(),
            community: None,
            street: None,
            boundary: None,
        })
        .unwrap();
    let building = first
        .create_building(
            &grid,
            BuildingInput {
                number: "1栋".into(),
                estate: None,
                units: 2,
                floors: 6,
                location: None,
            },
        )
        .unwrap();
    let household = first
        .create_household(HouseholdInput {
            building_id: building,
            unit: "1".into(),
            floor: 1,
            room: "101".into(),
            use_kind: DwellingUse::OwnerOccupied,
            tags: vec![],
            location: None,
            notes: None,
        })
        .unwrap();
    first
        .create_resident(resident(&household, "赵敏", 0))
        .unwrap();
    let team = first
        .create_patrol_team(
            &grid,
            "巡逻队",
            vec![TeamMember {
                member_id: "m0".into(),
                name: "队员".into(),
            }],
        )
        .unwrap();
    let shift = first
        .create_shift(ShiftInput {
            team_id: team,
            date: first.today(),
            starts: TimeOfDay::new(18, 30).unwrap(),
            ends: TimeOfDay::new(20, 30).unwrap(),
            route: vec!["东门".into(), "3栋".into()],
        })
        .unwrap();
    first.assign_to_shift(&shift, "m0").unwrap();
    for to in 1..REPLICAS {
        sync(&mut replicas, 0, to, true);
    }

    for step in steps {
        match step {
            Step::Edit {
                replica,
                kind,
                a,
                b,
            } => edit(&replicas[replica].store, &grid, kind, a, b, &mut ack),
            Step::Sync {
                from,
                to,
                incremental,
            } => sync(&mut replicas, from, to, incremental),
        }
    }
    // Everyone meets: two rounds of all pairs, incremental.
    for _ in 0..2 {
        for from in 0..REPLICAS {
            for to in 0..REPLICAS {
                sync(&mut replicas, from, to, true);
            }
        }
    }

    let reference = replicas[0].store.query_table_dump().unwrap();
    for (index, replica) in replicas.iter().enumerate() {
        let dump = replica.store.query_table_dump().unwrap();
        for (table, rows) in &reference {
            assert_eq!(
                &dump[table], rows,
                "replica {index} differs from replica 0 in {table}"
            );
        }
        replica.store.rebuild().unwrap();
        let rebuilt = replica.store.query_table_dump().unwrap();
        for (table, rows) in &reference {
            assert_eq!(
                &rebuilt[table], rows,
                "replica {index} differs from its rebuild in {table}"
            );
        }
    }
    let store = &replicas[0].store;
    for (kind, id) in &ack.records {
        assert!(
            present(store, &grid, kind, id),
            "acknowledged {kind} {id} lost"
        );
    }
    for (shift, member) in ack.assignments.difference(&ack.unassigned) {
        let members = &reference["shift_members"];
        assert!(
            members.contains(&format!("Text({shift:?})|Text({member:?})")),
            "assignment of {member} to {shift} lost"
        );
    }
    // Every conflict names two or more values and exactly one in effect.
    for conflict in store.conflicts(&grid).unwrap() {
        assert!(conflict.values.len() >= 2, "{conflict:?}");
        assert_eq!(
            conflict.values.iter().filter(|v| v.is_winner).count(),
            1,
            "{conflict:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_whatever_the_edits_and_sync_order(steps in proptest::collection::vec(step(), 10..60)) {
        run(steps, 256);
    }

    #[test]
    fn replicas_converge_with_frequent_compaction(steps in proptest::collection::vec(step(), 10..60)) {
        run(steps, 4);
    }
}
