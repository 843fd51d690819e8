//! Grid events (网格吹哨 部门报到): building heads, patrol volunteers and
//! door-knocking grid workers report what they find; the grid head and
//! assistants accept, self-resolve routine ones, dispatch the others to the
//! department (escalating some to the joint whistle) and verify and close
//! what the department resolved; the department takes and resolves what
//! is dispatched to it.
//!
//! Everyone decides on their own, possibly stale, store, so a step can
//! meet an event that moved on elsewhere: the store refuses it, the worker
//! counts it in [`Tally::event_refused`](super::Tally::event_refused) and
//! goes on; a step that passed locally but contradicts a concurrent one
//! stays unapplied after the merge and flags the event for review.
//!
//! Some reports and some steps (self-resolve, verify, the unit's resolve)
//! carry a small photo ([`PHOTO_SIDE`], noise from the worker's stream),
//! attached with `Store::add_photo`; the photos upload in the phones'
//! normal syncs. The grid cancels (注销) a report that repeats an open one
//! of the same category and place; the department returns (退办) some of
//! what is dispatched to it before taking it, and the grid re-dispatches
//! what comes back. The department views the photos of the events it
//! handles, downloaded on demand ([`photos_to_view`]).

use gridbook::codes::{EventSource, EventStatus, Satisfaction, StepAction, Urgency};
use gridbook::{Date, Event, EventInput, EventStepInput, Store, TimeLimit, Timestamp};

use super::{OFFSET, Role, Target, Worker, is_refusal};
use crate::eventbench::noise_png_of_side;
use crate::timefmt::local_instant;

/// The side of a simulated photo: 40 × 40 RGB noise, about 4.9 KB.
pub const PHOTO_SIDE: usize = 40;

/// The department's worker id, whom the grid dispatches to.
pub const DEPARTMENT_ID: &str = "w-dept-fangguan";

/// Categories a grid handles itself when they are routine (自办自结).
const SELF_RESOLVABLE: &[&str] = &[
    "neighbour_dispute",
    "family_dispute",
    "exposed_garbage",
    "street_vending",
    "ebike_charging",
    "elderly_alone_help",
];

/// What a building head finds in their building: (category, description, weight).
const BUILDING: &[(&str, &str, u32)] = &[
    ("fire_lane_blocked", "楼下消防通道被私家车占用", 4),
    ("ebike_charging", "楼道内电动车飞线充电", 4),
    ("falling_objects", "阳台外沿摆放花盆，有坠落隐患", 2),
    ("neighbour_dispute", "楼上楼下因噪音发生争执", 3),
    ("facility_repair", "单元门门禁损坏", 3),
    ("property_dispute", "业主对物业收费有异议", 1),
    ("elderly_alone_help", "独居老人反映家中断水", 2),
];

/// What a patrol sees on its evening route.
const PATROL: &[(&str, &str, u32)] = &[
    ("street_vending", "小区门口流动摊贩占道经营", 3),
    ("exposed_garbage", "垃圾桶满溢，周边有暴露垃圾", 3),
    ("suspicious_person", "有陌生人反复查看车辆", 1),
    ("fire_lane_blocked", "消防通道被杂物堵塞", 2),
    ("security_hazard", "围墙破损，可随意进出", 1),
];

/// A visit's finding as an event's category, when it is one the grid reports.
fn category_of_finding(text: &str) -> Option<&'static str> {
    [
        ("杂物", "fire_lane_blocked"),
        ("消防通道", "fire_lane_blocked"),
        ("电动车", "ebike_charging"),
        ("电梯", "facility_repair"),
        ("下水", "facility_repair"),
        ("居家养老", "hardship_support"),
    ]
    .iter()
    .find(|(word, _)| text.contains(word))
    .map(|(_, code)| *code)
}

/// `minute` of `date` plus `k` seconds: the steps of one sitting, in order.
fn at(date: Date, minute: i64, k: i64) -> Timestamp {
    let t = local_instant(date, minute, OFFSET);
    Timestamp {
        utc_ms: t.utc_ms + k * 1000,
        ..t
    }
}

fn step(event: &Event, action: StepAction, at: Timestamp) -> EventStepInput {
    EventStepInput {
        event_id: event.id.clone(),
        action,
        at,
        comment: None,
        photos: vec![],
        assignee: None,
        level: None,
        extension: None,
        satisfaction: None,
    }
}

/// Whether the unit's latest extension request has not been answered yet.
fn extension_pending(event: &Event) -> bool {
    event
        .steps
        .iter()
        .rev()
        .filter(|s| s.applied)
        .find(|s| {
            matches!(
                s.action,
                StepAction::RequestExtension | StepAction::GrantExtension
            )
        })
        .is_some_and(|s| s.action == StepAction::RequestExtension)
}

impl Worker {
    /// Takes a step; a refusal is counted, anything else stops the simulation.
    fn take(&mut self, store: &Store, input: EventStepInput) -> gridbook::Result<bool> {
        match store.take_event_step(input) {
            Ok(_) => {
                self.tally.event_steps += 1;
                Ok(true)
            }
            Err(e) if is_refusal(&e) => {
                self.tally.event_refused += 1;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    fn satisfaction(&mut self, event: &Event) -> Option<Satisfaction> {
        if event.residents_involved.is_empty() {
            return None;
        }
        self.rng.weighted(&[
            (Satisfaction::Satisfied, 70),
            (Satisfaction::BasicallySatisfied, 22),
            (Satisfaction::Dissatisfied, 8),
        ])
    }

    fn report(&mut self, store: &Store, input: EventInput) -> gridbook::Result<()> {
        let id = store.report_event(input)?;
        self.tally.events_reported += 1;
        self.reported_events.push(id);
        Ok(())
    }

    /// With probability `p`, attaches a photo drawn from the worker's
    /// stream in `grid` and returns its id, to name in a report or a step.
    fn maybe_photo(&mut self, store: &Store, grid: &str, p: f64) -> gridbook::Result<Vec<String>> {
        if !self.rng.chance(p) {
            return Ok(vec![]);
        }
        let png = noise_png_of_side(self.rng.next_u64(), PHOTO_SIDE);
        let photo = store.add_photo(grid, &png)?;
        self.tally.photos_attached += 1;
        Ok(vec![photo.id])
    }

    /// A building head reports something in their own building.
    pub(super) fn report_in_building(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
    ) -> gridbook::Result<()> {
        let Some(row) = self.pick_household(store, grid, Target::Building(self.slot))? else {
            return Ok(());
        };
        let choices: Vec<(usize, u32)> =
            BUILDING.iter().enumerate().map(|(i, c)| (i, c.2)).collect();
        let Some(&(category, description, _)) =
            self.rng.weighted(&choices).and_then(|i| BUILDING.get(i))
        else {
            return Ok(());
        };
        let residents = if self.rng.chance(0.5) {
            Self::residents(store, &row.household.id)?
                .into_iter()
                .take(1)
                .map(|r| r.id)
                .collect()
        } else {
            vec![]
        };
        let photos = self.maybe_photo(store, grid, 0.5)?;
        self.report(
            store,
            EventInput {
                grid_id: grid.to_string(),
                category: category.to_string(),
                description: description.to_string(),
                urgency: Urgency::Normal,
                building_id: Some(row.household.building_id.clone()),
                household_id: Some(row.household.id.clone()),
                gps: None,
                address: None,
                source: EventSource::BuildingHead,
                source_record_id: None,
                residents_involved: residents,
                at: at(date, minute, 0),
                photos,
            },
        )
    }

    /// A patrol volunteer reports what they saw on the route, after the check-in `checkin_id`.
    pub(super) fn report_from_patrol(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
        checkin_id: String,
    ) -> gridbook::Result<()> {
        let choices: Vec<(usize, u32)> = PATROL.iter().enumerate().map(|(i, c)| (i, c.2)).collect();
        let Some(&(category, description, _)) =
            self.rng.weighted(&choices).and_then(|i| PATROL.get(i))
        else {
            return Ok(());
        };
        let urgency = if category == "suspicious_person" {
            Urgency::Urgent
        } else {
            Urgency::Normal
        };
        let photos = self.maybe_photo(store, grid, 0.4)?;
        self.report(
            store,
            EventInput {
                grid_id: grid.to_string(),
                category: category.to_string(),
                description: description.to_string(),
                urgency,
                building_id: None,
                household_id: None,
                gps: None,
                address: Some("巡逻路线".to_string()),
                source: EventSource::PatrolCheckin,
                source_record_id: Some(checkin_id),
                residents_involved: vec![],
                at: at(date, minute, 0),
                photos,
            },
        )
    }

    /// A grid worker reports a visit's finding (敲门扫楼), with the residents seen.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn report_from_visit(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
        visit_id: String,
        household: (&str, &str),
        finding: &str,
        residents: &[String],
    ) -> gridbook::Result<()> {
        let Some(category) = category_of_finding(finding) else {
            return Ok(());
        };
        let photos = self.maybe_photo(store, grid, 0.3)?;
        self.report(
            store,
            EventInput {
                grid_id: grid.to_string(),
                category: category.to_string(),
                description: finding.to_string(),
                urgency: Urgency::Normal,
                building_id: Some(household.0.to_string()),
                household_id: Some(household.1.to_string()),
                gps: None,
                address: None,
                source: EventSource::DoorKnocking,
                source_record_id: Some(visit_id),
                residents_involved: residents.iter().take(1).cloned().collect(),
                // Reported right after the visit.
                at: at(date, minute, 30),
                photos,
            },
        )
    }

    /// The grid's sitting over the open events: at most `budget` events
    /// moved, one or two steps each. The grid head takes the intake
    /// (accept, send back, self-resolve, dispatch, extensions); the
    /// assistants check on site and close what the department resolved,
    /// each their share of the events, and the head does it too once an
    /// event has waited two days (a team without assistants, or one off
    /// sick). The shares keep two phones from working the same event
    /// offline most of the time; when they still do, the merge keeps one.
    pub(super) fn handle_events(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
        budget: usize,
    ) -> gridbook::Result<()> {
        let mut k = 0i64;
        let mut moved = 0usize;
        let head = self.member.role == Role::GridHead;
        let sitting = at(date, minute, 0).utc_ms;
        let open = store.events_open(grid)?;
        for event in open.iter().cloned() {
            if moved >= budget {
                break;
            }
            let latest = event.steps.last().map_or(event.at.utc_ms, |s| s.at.utc_ms);
            let share = usize::try_from(event.at.utc_ms / 60_000 % 2).unwrap_or(0);
            let intake = matches!(
                event.status,
                EventStatus::Reported
                    | EventStatus::Accepted
                    | EventStatus::Dispatched
                    | EventStatus::Handling
            );
            let mine = if head {
                intake || sitting - latest > 2 * 24 * 3_600_000
            } else {
                !intake && share == self.slot % 2
            };
            if !mine {
                continue;
            }
            let mut now = || {
                k += 1;
                at(date, minute, k)
            };
            match event.status {
                EventStatus::Reported => {
                    if duplicates_open(&event, &open) && self.rng.chance(0.8) {
                        // 注销: the same thing at the same place is already being handled.
                        let mut cancel = step(&event, StepAction::Cancel, now());
                        cancel.comment = Some("重复上报，已有同一问题在办理".to_string());
                        if self.take(store, cancel)? {
                            self.tally.events_cancelled += 1;
                        }
                    } else if self.rng.chance(0.04) {
                        let mut back = step(&event, StepAction::SendBack, now());
                        back.comment = Some("请补充具体位置".to_string());
                        self.take(store, back)?;
                    } else if self.take(store, step(&event, StepAction::Accept, now()))? {
                        let event = store.event(&event.id)?;
                        self.after_accept(store, &event, now(), now())?;
                    }
                }
                EventStatus::Accepted => {
                    let (a, b) = (now(), now());
                    self.after_accept(store, &event, a, b)?;
                }
                EventStatus::Dispatched | EventStatus::Handling if extension_pending(&event) => {
                    self.take(store, step(&event, StepAction::GrantExtension, now()))?;
                }
                EventStatus::Resolved => {
                    // 督办: sometimes the check on site finds the work unfinished.
                    let action = if self.rng.chance(0.08) {
                        StepAction::RejectVerification
                    } else {
                        StepAction::Verify
                    };
                    let mut check = step(&event, action, now());
                    // A photo of the site as found.
                    check.photos = self.maybe_photo(store, grid, 0.5)?;
                    if self.take(store, check)? && action == StepAction::Verify {
                        self.close(store, &event, now())?;
                    }
                }
                EventStatus::Verified => {
                    self.close(store, &event, now())?;
                }
                _ => continue,
            }
            moved += 1;
        }
        Ok(())
    }

    fn close(&mut self, store: &Store, event: &Event, at: Timestamp) -> gridbook::Result<bool> {
        let mut close = step(event, StepAction::Close, at);
        close.satisfaction = self.satisfaction(event);
        self.take(store, close)
    }

    /// Self-resolves a routine event, or dispatches it (escalated to the joint whistle sometimes).
    fn after_accept(
        &mut self,
        store: &Store,
        event: &Event,
        first: Timestamp,
        second: Timestamp,
    ) -> gridbook::Result<()> {
        let returned = event
            .steps
            .iter()
            .any(|s| s.applied && s.action == StepAction::ReturnByUnit);
        if returned {
            // 退办: the unit sent it back; the grid checks and dispatches again.
            let mut again = step(event, StepAction::Dispatch, first);
            again.assignee = Some(DEPARTMENT_ID.to_string());
            again.comment = Some("已核实属于职责范围，重新派遣".to_string());
            if self.take(store, again)? {
                self.tally.events_redispatched += 1;
            }
            return Ok(());
        }
        let routine = event.level == 1 && SELF_RESOLVABLE.contains(&event.category.as_str());
        if routine && self.rng.chance(0.6) {
            let mut done = step(event, StepAction::SelfResolve, first);
            done.satisfaction = self.satisfaction(event);
            done.photos = self.maybe_photo(store, &event.grid_id, 0.4)?;
            self.take(store, done)?;
            return Ok(());
        }
        let mut dispatch_at = first;
        if event.level == 1 && self.rng.chance(0.15) {
            let mut up = step(event, StepAction::Escalate, first);
            up.level = Some(2);
            up.comment = Some("需多部门联合处置".to_string());
            if !self.take(store, up)? {
                return Ok(());
            }
            dispatch_at = second;
        }
        let mut dispatch = step(event, StepAction::Dispatch, dispatch_at);
        dispatch.assignee = Some(DEPARTMENT_ID.to_string());
        self.take(store, dispatch)?;
        Ok(())
    }

    /// The department's sitting: takes what was dispatched, resolves what it handles.
    pub(super) fn department_edit(
        &mut self,
        store: &Store,
        date: Date,
        minute: i64,
    ) -> gridbook::Result<()> {
        let me = self.member.worker_id.clone();
        for (k, event) in (0i64..).zip(store.events_assigned_to(&me)?) {
            let now = at(date, minute, k);
            match event.status {
                EventStatus::Dispatched => {
                    let returned_before = event
                        .steps
                        .iter()
                        .any(|s| s.action == StepAction::ReturnByUnit);
                    if !returned_before && self.rng.chance(0.1) {
                        let mut back = step(&event, StepAction::ReturnByUnit, now);
                        back.comment = Some("不属于本单位职责，请重新派遣".to_string());
                        if self.take(store, back)? {
                            self.tally.events_returned += 1;
                        }
                    } else {
                        self.take(store, step(&event, StepAction::Take, now))?;
                    }
                }
                EventStatus::Handling if extension_pending(&event) => {}
                EventStatus::Handling => {
                    let asked = event
                        .steps
                        .iter()
                        .any(|s| s.action == StepAction::RequestExtension);
                    if !asked && self.rng.chance(0.08) {
                        let mut ask = step(&event, StepAction::RequestExtension, now);
                        ask.extension = Some(TimeLimit::Hours { hours: 24 });
                        ask.comment = Some("需协调产权单位".to_string());
                        self.take(store, ask)?;
                    } else if self.rng.chance(0.6) {
                        let mut done = step(&event, StepAction::Resolve, now);
                        done.comment = Some("已到现场处置完毕".to_string());
                        // The unit's photo of its work, half the time.
                        done.photos = self.maybe_photo(store, &event.grid_id, 0.5)?;
                        self.take(store, done)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A reporter adds what the grid asked for on their events sent back (补充).
    pub(super) fn supplement_returned(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
    ) -> gridbook::Result<()> {
        let me = self.member.worker_id.clone();
        for (k, event) in (0i64..).zip(store.events_open(grid)?) {
            if event.status == EventStatus::Returned && event.reporter_id == me {
                let mut more = step(&event, StepAction::Supplement, at(date, minute, k));
                more.comment = Some("已补充位置：单元门口东侧".to_string());
                self.take(store, more)?;
            }
        }
        Ok(())
    }
}

/// Whether `event` repeats an older open one: the same category at the
/// same building (or the same address), reported earlier and not itself
/// waiting for the reporter.
fn duplicates_open(event: &Event, open: &[Event]) -> bool {
    open.iter().any(|other| {
        other.id != event.id
            && other.category == event.category
            && other.building_id == event.building_id
            && other.address == event.address
            && other.status != EventStatus::Returned
            && (other.at.utc_ms, &other.id) < (event.at.utc_ms, &event.id)
    })
}

/// The photos the open events assigned to `worker_id` name (in their
/// reports and steps) that `store` does not hold: what the department's
/// phone downloads when it opens them. Pairs of grid and photo id, each
/// once, in the events' order.
pub fn photos_to_view(store: &Store, worker_id: &str) -> gridbook::Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for event in store.events_assigned_to(worker_id)? {
        let named = event
            .photos
            .iter()
            .chain(event.steps.iter().flat_map(|s| s.photos.iter()));
        for id in named {
            if out.iter().any(|(_, seen)| seen == id) || store.photo_info(id).is_ok() {
                continue;
            }
            out.push((event.grid_id.clone(), id.clone()));
        }
    }
    Ok(out)
}
