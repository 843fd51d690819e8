//! Random edits of every record kind, as a grid worker's phone makes them:
//! the one generator behind the merge property test (`convergence.rs`: three
//! replicas in memory exchanging change sets) and the multi-device sync
//! tests (`sync_team.rs`, `sync_faults.rs`: phones syncing through a real
//! server).
//!
//! An edit is `(kind, a, b)`: `kind` (`0..KINDS`) says what the worker does,
//! `a` and `b` pick what it is done to (a building, household, member,
//! visit, shift, ...) and vary the input; an edit with nothing to act on
//! does nothing. Every record the store acknowledges goes into
//! [`Acknowledged`], so the caller can check that it survives every merge.
//! The caller says what a refused edit means ([`OnRefusal`]): the property
//! test fails on any error; the sync tests skip the refusals another
//! worker's edit causes and fail on anything else.
//!
//! To add a kind of edit: give it the next number in `edit_or_refuse` (an
//! arm before the last, catch-all one), raise [`KINDS`] (both tests draw
//! kinds from `0..KINDS`), and record what it creates in [`Acknowledged`]
//! (with its query table in [`table_of`]). The proptest regression seeds
//! then replay different cases: they stay valid, but no longer reproduce
//! the old failures.

use std::collections::BTreeSet;

use gridbook::codes::*;
use gridbook::*;

/// Records and assignments that a store acknowledged: they must survive every sync.
#[derive(Default, Debug)]
pub struct Acknowledged {
    /// (kind, id) of every record created.
    pub records: BTreeSet<(&'static str, String)>,
    /// (shift, member) assignments made.
    pub assignments: BTreeSet<(String, String)>,
    /// (shift, member) assignments removed.
    pub unassigned: BTreeSet<(String, String)>,
}

/// How many kinds of edit there are: [`edit`] takes a `kind` in `0..KINDS`.
pub const KINDS: u8 = 20;

/// What [`edit`] does when the store refuses an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnRefusal {
    /// Every error fails the test (the merge property test).
    Fail,
    /// `Error::Retired` and `Error::NotFound` are skipped, anything else
    /// fails the test: stores syncing through a real server, where another
    /// worker's edit may retire a record first; such refusals are the app's
    /// normal answer.
    SkipRetiredOrNotFound,
}

/// The query table of an acknowledged record's kind (`"visit"` → `"visits"`).
pub fn table_of(kind: &str) -> &'static str {
    match kind {
        "building" => "buildings",
        "household" => "households",
        "resident" => "residents",
        "visit" => "visits",
        "head" => "building_heads",
        "shift" => "shifts",
        "checkin" => "checkins",
        "event" => "events",
        "event_step" => "event_steps",
        "points_entry" => "points_entries",
        other => panic!("unknown kind {other}"),
    }
}

fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    Timestamp {
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

/// A resident of `household` named `name`, the other fields varied by `a`.
pub fn resident(household: &str, name: &str, a: usize) -> ResidentInput {
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

/// Makes edit `kind` (`0..KINDS`) in `grid` on `store`, choosing with `a`
/// and `b`; what the store acknowledged goes into `ack`. A refused edit
/// fails the test or is skipped, as `on_refusal` says.
pub fn edit(
    store: &Store,
    grid: &str,
    kind: u8,
    a: usize,
    b: usize,
    ack: &mut Acknowledged,
    on_refusal: OnRefusal,
) {
    match edit_or_refuse(store, grid, kind, a, b, ack) {
        Ok(()) => {}
        Err(Error::Retired { .. } | Error::NotFound { .. })
            if on_refusal == OnRefusal::SkipRetiredOrNotFound => {}
        Err(other) => panic!("edit failed: {other}"),
    }
}

/// The edit itself; the first error the store returns ends it.
fn edit_or_refuse(
    store: &Store,
    grid: &str,
    kind: u8,
    a: usize,
    b: usize,
    ack: &mut Acknowledged,
) -> Result<()> {
    let buildings: Vec<String> = store.buildings(grid)?.into_iter().map(|x| x.id).collect();
    let roster = store.roster(grid)?;
    let households: Vec<String> = roster.iter().map(|r| r.household.id.clone()).collect();
    let today = store.today();
    match kind {
        0 => {
            let id = store.create_building(
                grid,
                BuildingInput {
                    number: format!("{}栋", a % 50),
                    estate: Some("和睦院".into()),
                    units: 1 + (b % 4) as i32,
                    floors: 6,
                    location: None,
                },
            )?;
            ack.records.insert(("building", id));
        }
        1 => {
            let Some(building) = pick(&buildings, a) else {
                return Ok(());
            };
            let id = store.create_household(HouseholdInput {
                building_id: building,
                unit: format!("{}", 1 + b % 3),
                floor: (a % 18) as i32,
                room: format!("{}", 100 + a % 900),
                use_kind: DwellingUse::ALL[b % DwellingUse::ALL.len()],
                tags: vec![],
                location: None,
                notes: None,
            })?;
            ack.records.insert(("household", id));
        }
        2 => {
            let Some(household) = pick(&households, a) else {
                return Ok(());
            };
            let id = store.create_resident(resident(&household, NAMES[b % NAMES.len()], a))?;
            ack.records.insert(("resident", id));
        }
        3 | 4 => {
            let Some(household) = pick(&households, a) else {
                return Ok(());
            };
            let members = store.household(&household)?.members;
            let Some(member) = pick(&members, b) else {
                return Ok(());
            };
            let mut input = resident(&household, &member.name, b);
            if kind == 4 {
                input.name = NAMES[a % NAMES.len()].into();
            }
            store.update_resident(&member.id, input)?;
        }
        5 => {
            let Some(household) = pick(&households, a) else {
                return Ok(());
            };
            if b.is_multiple_of(3) {
                store.reactivate_household(&household)?;
            } else {
                store.move_out_household(&household)?;
            }
        }
        6 => {
            let Some(row) = pick(&roster, a) else {
                return Ok(());
            };
            let h = row.household;
            store.update_household(
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
            )?;
        }
        7 | 8 => {
            let Some(household) = pick(&households, a) else {
                return Ok(());
            };
            let id = store.log_visit(VisitInput {
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
            })?;
            ack.records.insert(("visit", id));
        }
        9 => {
            let Some(household) = pick(&households, a) else {
                return Ok(());
            };
            let detail = store.household(&household)?;
            // Only a visit's maker amends it (`Error::NotAuthor`).
            let own: Vec<_> = detail
                .visits
                .into_iter()
                .filter(|v| v.worker_id == store.identity().worker_id)
                .collect();
            let Some(visit) = pick(&own, b) else {
                return Ok(());
            };
            store.amend_visit(
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
            )?;
        }
        10 => {
            let Some(building) = pick(&buildings, a) else {
                return Ok(());
            };
            let history = store.building_head_history(&building)?;
            let latest = history
                .iter()
                .map(|h| h.starts_on)
                .max()
                .unwrap_or(Date::new(2020, 1, 1).unwrap());
            let start = latest.add_days((b % 30) as i64 + 1).min(today);
            if start < latest {
                return Ok(());
            }
            let id = store.appoint_building_head(
                &building,
                HeadPerson::Volunteer(NAMES[b % NAMES.len()].into()),
                start,
            )?;
            ack.records.insert(("head", id));
        }
        11 => {
            let teams = store.patrol_teams(grid)?;
            let Some(team) = pick(&teams, a) else {
                return Ok(());
            };
            let id = store.create_shift(ShiftInput {
                team_id: team.id,
                date: today.add_days((b % 20) as i64),
                starts: TimeOfDay::new(18, 30).unwrap(),
                ends: TimeOfDay::new(20, 30).unwrap(),
                route: vec!["东门".into(), "3栋".into()],
            })?;
            ack.records.insert(("shift", id));
        }
        12 | 13 => {
            let shifts = store.upcoming_shifts("m0", today)?;
            let Some(shift) = pick(&shifts, a) else {
                return Ok(());
            };
            let member = format!("m{}", b % 4);
            if kind == 12 || member == "m0" {
                store.assign_to_shift(&shift.id, &member)?;
                ack.assignments.insert((shift.id, member));
            } else {
                store.unassign_from_shift(&shift.id, &member)?;
                ack.unassigned.insert((shift.id, member));
            }
        }
        14 => {
            let shifts = store.upcoming_shifts("m0", today)?;
            let Some(shift) = pick(&shifts, a) else {
                return Ok(());
            };
            let id = store.record_checkin(CheckinInput {
                shift_id: shift.id,
                member_id: "m0".into(),
                at: now(),
                checkpoint: if b.is_multiple_of(2) {
                    "东门".into()
                } else {
                    "3栋".into()
                },
                gps: None,
            })?;
            ack.records.insert(("checkin", id));
        }
        16 => {
            let categories = store.event_categories(grid)?.categories;
            let Some(category) = pick(&categories, a) else {
                return Ok(());
            };
            let id = store.report_event(EventInput {
                grid_id: grid.into(),
                category: category.code,
                description: "楼道堆放杂物".into(),
                urgency: Urgency::ALL[b % Urgency::ALL.len()],
                building_id: pick(&buildings, b),
                household_id: None,
                gps: None,
                address: None,
                source: EventSource::ALL[a % EventSource::ALL.len()],
                source_record_id: None,
                residents_involved: vec![],
                at: now(),
                photos: vec![],
            })?;
            ack.records.insert(("event", id));
        }
        17 => {
            let events = store.events_open(grid)?;
            let Some(event) = pick(&events, a) else {
                return Ok(());
            };
            let Some(input) = legal_step(store, &event, b) else {
                return Ok(());
            };
            let id = store.take_event_step(input)?;
            ack.records.insert(("event_step", id));
        }
        // The grid's event settings: only a grid head's phone changes them,
        // and two of its phones may change one entry concurrently. They are
        // amended, never deleted, so the replicas' equal tables check them.
        18 => {
            if store.identity().role != WorkerRole::GridHead {
                return Ok(());
            }
            if a.is_multiple_of(2) {
                store.set_whistle_level(WhistleLevelInput {
                    grid_id: grid.into(),
                    rank: 1 + (a % 3) as i32,
                    name: ["街道哨", "社区哨", "区级哨"][b % 3].into(),
                    handled_by: "街道城管科".into(),
                    supervised: b.is_multiple_of(2),
                    default_assignee: None,
                })?;
            } else if b.is_multiple_of(4) {
                let code = format!("local_c{}", a % 3);
                match store.retire_event_category(grid, &code) {
                    Err(Error::NotFound { .. }) => {}
                    other => other?,
                }
            } else {
                store.define_event_category(LocalCategoryInput {
                    grid_id: grid.into(),
                    code: format!("local_c{}", a % 3),
                    name: "路面坑洼".into(),
                    group_code: "local_roads".into(),
                    group_name: "道路交通".into(),
                    limit: TimeLimit::WorkingDays {
                        days: 1 + (b % 9) as i32,
                    },
                    close_condition: "坑洼填平".into(),
                    initial_level: 1 + (b % 3) as i32,
                })?;
            }
        }
        // Volunteer points: a grid head awards or sets the month's rule, a
        // grid head or an assistant records an exchange within the balance
        // its phone sees (merged offline exchanges may overdraw; they stand).
        19 => {
            let role = store.identity().role;
            let volunteers = store.volunteers(grid)?;
            let Some(volunteer) = pick(&volunteers, a) else {
                return Ok(());
            };
            let today = store.today();
            if role == WorkerRole::GridHead && b % 3 != 2 {
                if b.is_multiple_of(5) {
                    store.set_points_rule(
                        grid,
                        today,
                        PointsRule {
                            minutes_per_point: 30 + 15 * (a % 3) as u32,
                            expiry: PointsExpiry::AfterYears {
                                years: 1 + (b % 3) as u32,
                            },
                        },
                    )?;
                    return Ok(());
                }
                let id = store.award_points(PointsAward {
                    grid_id: grid.into(),
                    volunteer_id: volunteer.volunteer_id.clone(),
                    points: 1 + (b % 7) as u32,
                    reason: "清理楼道".into(),
                    on: today,
                })?;
                ack.records.insert(("points_entry", id));
            } else if matches!(role, WorkerRole::GridHead | WorkerRole::Assistant) {
                let spent = store.spend_points(PointsSpending {
                    grid_id: grid.into(),
                    volunteer_id: volunteer.volunteer_id.clone(),
                    points: 1 + (b % 3) as u32,
                    item: "洗衣液".into(),
                    on: today,
                });
                match spent {
                    Ok(id) => {
                        ack.records.insert(("points_entry", id));
                    }
                    Err(Error::Invalid {
                        reason: InvalidReason::ExceedsBalance,
                        ..
                    }) => {}
                    Err(other) => return Err(other),
                }
            }
        }
        // Kind 15, and any number without an arm of its own: a resident moves out.
        _ => {
            let Some(household) = pick(&households, a) else {
                return Ok(());
            };
            let members = store.household(&household)?.members;
            let Some(member) = pick(&members, b) else {
                return Ok(());
            };
            if member.status == ResidentStatus::Active {
                store.retire_resident(&member.id, ResidentStatus::MovedOut, today)?;
            }
        }
    }
    Ok(())
}

/// A step the store's worker may take on `event` as this store sees it
/// (picked with `b`), later than every step it knows; `None` if there is none.
fn legal_step(store: &Store, event: &Event, b: usize) -> Option<EventStepInput> {
    let me = store.identity().worker_id.clone();
    let role = store.identity().role;
    let grid = matches!(role, WorkerRole::GridHead | WorkerRole::Assistant);
    let verifier = grid || role == WorkerRole::PoliceOfficer;
    let mine = event.assignee.as_deref() == Some(me.as_str());
    let resolver = event
        .steps
        .iter()
        .rev()
        .find(|s| s.applied && s.action == StepAction::Resolve)
        .map(|s| s.worker_id.clone());
    let mut legal = Vec::new();
    match event.status {
        EventStatus::Reported if grid => legal.push(StepAction::Accept),
        EventStatus::Accepted if grid => legal.push(StepAction::Dispatch),
        EventStatus::Dispatched if mine => legal.push(StepAction::Take),
        EventStatus::Handling if mine => legal.push(StepAction::Resolve),
        EventStatus::Resolved if verifier && resolver.as_deref() != Some(me.as_str()) => {
            legal.push(StepAction::Verify)
        }
        EventStatus::Verified if grid => legal.push(StepAction::Close),
        _ => {}
    }
    if grid && event.level < 3 {
        legal.push(StepAction::Escalate);
    }
    let action = pick(&legal, b)?;
    let latest = event
        .steps
        .iter()
        .map(|s| s.at.utc_ms)
        .fold(event.at.utc_ms, i64::max);
    let mut at = now();
    at.utc_ms = at.utc_ms.max(latest + 1);
    Some(EventStepInput {
        event_id: event.id.clone(),
        action,
        at,
        comment: None,
        photos: vec![],
        assignee: Some(me),
        level: Some(event.level + 1),
        extension: None,
        satisfaction: Some(Satisfaction::Satisfied),
    })
}
