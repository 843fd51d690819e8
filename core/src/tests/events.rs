//! Grid events: the closed loop through the public API with exact outcomes
//! (the refusals are in `events_refusals.rs`), deadlines, and the merge rule: contradicting steps taken offline end in the same derived
//! state on every replica, kept in the log and flagged for review.

use super::*;
use crate::{Error, InvalidReason};

/// A store of `worker` with `role`, in `dir`.
pub(crate) fn open_as(dir: &tempfile::TempDir, worker: &str, role: WorkerRole) -> Store {
    let identity = WorkerIdentity {
        role,
        ..identity(worker)
    };
    Store::open(dir.path().join(format!("{worker}.db")), identity).unwrap()
}

/// Every store receives everything every other store has.
pub(crate) fn sync_all(stores: &[&Store]) {
    for from in stores {
        for to in stores {
            if !std::ptr::eq(*from, *to) {
                send(from, to);
            }
        }
    }
}

/// Two hours before the first call in this process, plus `minutes`: one
/// clock for a whole test, so that times compare exactly.
pub(crate) fn t(minutes: i64) -> Timestamp {
    static BASE: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    let base = *BASE.get_or_init(|| crate::values::now_ms() - 2 * 3_600_000);
    Timestamp {
        utc_ms: base + minutes * 60_000,
        offset_minutes: 480,
    }
}

pub(crate) fn event_input(grid: &str, category: &str) -> EventInput {
    EventInput {
        grid_id: grid.into(),
        category: category.into(),
        description: "消防通道被杂物堵塞".into(),
        urgency: Urgency::Normal,
        building_id: None,
        household_id: None,
        gps: None,
        address: None,
        source: EventSource::DoorKnocking,
        source_record_id: None,
        residents_involved: vec![],
        at: t(0),
        photos: vec![],
    }
}

pub(crate) fn step(event: &str, action: StepAction, minute: i64) -> EventStepInput {
    EventStepInput {
        event_id: event.into(),
        action,
        at: t(minute),
        comment: None,
        photos: vec![],
        assignee: None,
        level: None,
        extension: None,
        satisfaction: None,
    }
}

fn dispatch(event: &str, to: &str, minute: i64) -> EventStepInput {
    EventStepInput {
        assignee: Some(to.into()),
        ..step(event, StepAction::Dispatch, minute)
    }
}

/// The grid head's, a department's and the police officer's stores, sharing the fixture.
pub(crate) struct Team {
    pub _dir: tempfile::TempDir,
    pub head: Store,
    pub dept: Store,
    pub police: Store,
    pub f: Fixture,
}

pub(crate) fn team() -> Team {
    let dir = tempfile::tempdir().unwrap();
    let head = open_as(&dir, "head", WorkerRole::GridHead);
    let dept = open_as(&dir, "dept", WorkerRole::Department);
    let police = open_as(&dir, "police", WorkerRole::PoliceOfficer);
    let f = fixture(&head);
    sync_all(&[&head, &dept, &police]);
    Team {
        _dir: dir,
        head,
        dept,
        police,
        f,
    }
}

fn status(store: &Store, event: &str) -> (EventStatus, i32, Option<String>, bool) {
    let e = store.event(event).unwrap();
    (e.status, e.level, e.assignee, e.needs_review)
}

fn actions(store: &Store, event: &str) -> Vec<(StepAction, bool)> {
    store
        .event(event)
        .unwrap()
        .steps
        .iter()
        .map(|s| (s.action, s.applied))
        .collect()
}

#[test]
fn the_full_loop_from_report_to_close() {
    let Team {
        head,
        dept,
        police,
        f,
        ..
    } = team();
    let photo = head
        .add_photo(&f.grid, &super::photo_samples::phone_jpeg(true))
        .unwrap()
        .id;
    let input = EventInput {
        residents_involved: vec![f.head.clone()],
        household_id: Some(f.household.clone()),
        building_id: Some(f.building.clone()),
        photos: vec![photo],
        ..event_input(&f.grid, "fire_lane_blocked")
    };
    let id = head.report_event(input).unwrap();
    assert_eq!(status(&head, &id), (EventStatus::Reported, 1, None, false));
    head.take_event_step(step(&id, StepAction::Accept, 1))
        .unwrap();
    head.take_event_step(dispatch(&id, "dept", 2)).unwrap();
    sync_all(&[&head, &dept, &police]);
    assert_eq!(dept.events_assigned_to("dept").unwrap().len(), 1);
    dept.take_event_step(step(&id, StepAction::Take, 3))
        .unwrap();
    dept.take_event_step(EventStepInput {
        extension: Some(TimeLimit::Hours { hours: 12 }),
        ..step(&id, StepAction::RequestExtension, 4)
    })
    .unwrap();
    sync_all(&[&head, &dept, &police]);
    head.take_event_step(step(&id, StepAction::GrantExtension, 5))
        .unwrap();
    sync_all(&[&head, &dept, &police]);
    dept.take_event_step(step(&id, StepAction::Resolve, 6))
        .unwrap();
    sync_all(&[&head, &dept, &police]);
    police
        .take_event_step(step(&id, StepAction::Verify, 7))
        .unwrap();
    sync_all(&[&head, &dept, &police]);
    head.take_event_step(EventStepInput {
        satisfaction: Some(Satisfaction::Satisfied),
        ..step(&id, StepAction::Close, 8)
    })
    .unwrap();
    sync_all(&[&head, &dept, &police]);
    for store in [&head, &dept, &police] {
        assert_eq!(
            status(store, &id),
            (EventStatus::Closed, 1, Some("dept".into()), false)
        );
        assert_eq!(
            actions(store, &id),
            [
                StepAction::Accept,
                StepAction::Dispatch,
                StepAction::Take,
                StepAction::RequestExtension,
                StepAction::GrantExtension,
                StepAction::Resolve,
                StepAction::Verify,
                StepAction::Close
            ]
            .map(|a| (a, true))
        );
        assert!(store.events_open(&f.grid).unwrap().is_empty());
        assert!(store.events_assigned_to("dept").unwrap().is_empty());
    }
    let event = head.event(&id).unwrap();
    assert_eq!(event.reporter_id, "head");
    assert_eq!(event.residents_involved, vec![f.head.clone()]);
    // 消防通道堵塞: 24 hours from the acceptance, and the 12 granted.
    assert_eq!(event.deadline.unwrap().utc_ms, t(1).utc_ms + 36 * 3_600_000);
    assert_eq!(event.accepted_at, Some(t(1)));
    assert_eq!(event.warning_light(t(2)), None, "closed");
    let worker_ids: Vec<&str> = event.steps.iter().map(|s| s.worker_id.as_str()).collect();
    assert_eq!(
        worker_ids,
        [
            "head", "head", "dept", "dept", "head", "dept", "police", "head"
        ]
    );
    assert_rebuild_matches(&head);
    assert_eq!(
        head.query_table_dump().unwrap(),
        dept.query_table_dump().unwrap()
    );
}

#[test]
fn a_routine_event_is_self_resolved_and_a_higher_one_is_not() {
    let Team { head, f, .. } = team();
    let dispute = head
        .report_event(event_input(&f.grid, "neighbour_dispute"))
        .unwrap();
    head.take_event_step(step(&dispute, StepAction::Accept, 1))
        .unwrap();
    head.take_event_step(step(&dispute, StepAction::SelfResolve, 2))
        .unwrap();
    assert_eq!(
        status(&head, &dispute),
        (EventStatus::Closed, 1, None, false)
    );
    // A gas leak starts at the joint level (联合哨).
    let gas = head.report_event(event_input(&f.grid, "gas_leak")).unwrap();
    assert_eq!(head.event(&gas).unwrap().level, 2);
    assert_eq!(head.events_by_level(&f.grid, 2).unwrap().len(), 1);
    head.take_event_step(step(&gas, StepAction::Accept, 1))
        .unwrap();
    assert!(matches!(
        head.take_event_step(step(&gas, StepAction::SelfResolve, 2)),
        Err(Error::StepRefused {
            action: "self_resolve",
            reason: "not_routine_level"
        })
    ));
    // Escalation only goes up.
    let level = |level| EventStepInput {
        level: Some(level),
        ..step(&gas, StepAction::Escalate, 3)
    };
    assert!(matches!(
        head.take_event_step(level(2)),
        Err(Error::Invalid {
            field: "level",
            reason: InvalidReason::OutOfRange
        })
    ));
    head.take_event_step(level(3)).unwrap();
    assert_eq!(head.event(&gas).unwrap().level, 3);
    assert_eq!(head.events_by_level(&f.grid, 3).unwrap().len(), 1);
}

#[test]
fn a_sent_back_event_is_supplemented_by_its_reporter_only() {
    let dir = tempfile::tempdir().unwrap();
    let head = open_as(&dir, "head", WorkerRole::GridHead);
    let bh = open_as(&dir, "bh", WorkerRole::BuildingHead);
    let other = open_as(&dir, "other", WorkerRole::Assistant);
    let f = fixture(&head);
    sync_all(&[&head, &bh, &other]);
    let id = bh
        .report_event(event_input(&f.grid, "ebike_charging"))
        .unwrap();
    sync_all(&[&head, &bh, &other]);
    head.take_event_step(step(&id, StepAction::SendBack, 1))
        .unwrap();
    sync_all(&[&head, &bh, &other]);
    assert_eq!(bh.event(&id).unwrap().status, EventStatus::Returned);
    assert!(matches!(
        other.take_event_step(step(&id, StepAction::Supplement, 2)),
        Err(Error::StepRefused {
            action: "supplement",
            reason: "not_reporter"
        })
    ));
    bh.take_event_step(EventStepInput {
        comment: Some("在2单元楼道，充电线从5楼拉下".into()),
        ..step(&id, StepAction::Supplement, 2)
    })
    .unwrap();
    sync_all(&[&head, &bh, &other]);
    head.take_event_step(step(&id, StepAction::Accept, 3))
        .unwrap();
    assert_eq!(
        actions(&head, &id),
        vec![
            (StepAction::SendBack, true),
            (StepAction::Supplement, true),
            (StepAction::Accept, true)
        ]
    );
    assert_eq!(head.event(&id).unwrap().status, EventStatus::Accepted);
}

#[test]
fn a_unit_returns_an_event_and_it_is_dispatched_again() {
    let Team { head, dept, f, .. } = team();
    let id = head
        .report_event(event_input(&f.grid, "facility_repair"))
        .unwrap();
    head.take_event_step(step(&id, StepAction::Accept, 1))
        .unwrap();
    head.take_event_step(dispatch(&id, "dept", 2)).unwrap();
    sync_all(&[&head, &dept]);
    dept.take_event_step(step(&id, StepAction::Take, 3))
        .unwrap();
    dept.take_event_step(step(&id, StepAction::ReturnByUnit, 4))
        .unwrap();
    sync_all(&[&head, &dept]);
    assert_eq!(status(&head, &id), (EventStatus::Accepted, 1, None, false));
    head.take_event_step(dispatch(&id, "dept-2", 5)).unwrap();
    sync_all(&[&head, &dept]);
    assert!(matches!(
        dept.take_event_step(step(&id, StepAction::Take, 6)),
        Err(Error::StepRefused {
            action: "take",
            reason: "not_assignee"
        })
    ));
    assert_eq!(
        status(&dept, &id),
        (EventStatus::Dispatched, 1, Some("dept-2".into()), false)
    );
    assert_eq!(head.events_assigned_to("dept-2").unwrap().len(), 1);
}

#[test]
fn the_worker_who_resolved_may_not_verify() {
    let dir = tempfile::tempdir().unwrap();
    let head = open_as(&dir, "head", WorkerRole::GridHead);
    let assistant = open_as(&dir, "assistant", WorkerRole::Assistant);
    let f = fixture(&head);
    let id = head
        .report_event(event_input(&f.grid, "exposed_garbage"))
        .unwrap();
    head.take_event_step(step(&id, StepAction::Accept, 1))
        .unwrap();
    head.take_event_step(dispatch(&id, "assistant", 2)).unwrap();
    sync_all(&[&head, &assistant]);
    assistant
        .take_event_step(step(&id, StepAction::Take, 3))
        .unwrap();
    assistant
        .take_event_step(step(&id, StepAction::Resolve, 4))
        .unwrap();
    assert!(matches!(
        assistant.take_event_step(step(&id, StepAction::Verify, 5)),
        Err(Error::StepRefused {
            action: "verify",
            reason: "resolver_may_not_verify"
        })
    ));
    sync_all(&[&head, &assistant]);
    head.take_event_step(step(&id, StepAction::RejectVerification, 5))
        .unwrap();
    assert_eq!(head.event(&id).unwrap().status, EventStatus::Handling);
}

#[test]
fn a_resolution_concurrent_with_a_cancellation_is_kept_and_flagged() {
    let Team { head, dept, f, .. } = team();
    let id = head
        .report_event(event_input(&f.grid, "property_dispute"))
        .unwrap();
    head.take_event_step(step(&id, StepAction::Accept, 1))
        .unwrap();
    head.take_event_step(dispatch(&id, "dept", 2)).unwrap();
    sync_all(&[&head, &dept]);
    dept.take_event_step(step(&id, StepAction::Take, 3))
        .unwrap();
    sync_all(&[&head, &dept]);
    // Offline: the unit resolves, the grid cancels a minute later.
    dept.take_event_step(step(&id, StepAction::Resolve, 10))
        .unwrap();
    head.take_event_step(step(&id, StepAction::Cancel, 11))
        .unwrap();
    assert_eq!(head.event(&id).unwrap().status, EventStatus::Cancelled);
    assert_eq!(dept.event(&id).unwrap().status, EventStatus::Resolved);
    sync_all(&[&head, &dept]);
    for store in [&head, &dept] {
        assert_eq!(
            status(store, &id),
            (EventStatus::Resolved, 1, Some("dept".into()), true)
        );
        assert_eq!(
            actions(store, &id),
            vec![
                (StepAction::Accept, true),
                (StepAction::Dispatch, true),
                (StepAction::Take, true),
                (StepAction::Resolve, true),
                (StepAction::Cancel, false)
            ]
        );
        assert_eq!(store.events_needing_review(&f.grid).unwrap().len(), 1);
    }
    assert_eq!(head.event(&id).unwrap(), dept.event(&id).unwrap());
    assert_eq!(
        head.query_table_dump().unwrap(),
        dept.query_table_dump().unwrap()
    );
    assert_rebuild_matches(&dept);
}

#[test]
fn concurrent_escalations_end_at_the_highest_level() {
    let dir = tempfile::tempdir().unwrap();
    let head = open_as(&dir, "head", WorkerRole::GridHead);
    let assistant = open_as(&dir, "assistant", WorkerRole::Assistant);
    let f = fixture(&head);
    let id = head
        .report_event(event_input(&f.grid, "illegal_construction"))
        .unwrap();
    sync_all(&[&head, &assistant]);
    let escalate = |level, minute| EventStepInput {
        level: Some(level),
        ..step(&id, StepAction::Escalate, minute)
    };
    head.take_event_step(escalate(3, 1)).unwrap();
    assistant.take_event_step(escalate(3, 2)).unwrap();
    sync_all(&[&head, &assistant]);
    for store in [&head, &assistant] {
        assert_eq!(status(store, &id), (EventStatus::Reported, 3, None, false));
    }
}

#[test]
fn deadlines_run_from_the_acceptance_and_overdue_events_are_listed() {
    let Team { head, f, .. } = team();
    let gas = head.report_event(event_input(&f.grid, "gas_leak")).unwrap();
    // Until it is accepted, the clock runs from the report.
    assert_eq!(
        head.event(&gas).unwrap().deadline.unwrap().utc_ms,
        t(0).utc_ms + 2 * 3_600_000
    );
    head.take_event_step(step(&gas, StepAction::Accept, 10))
        .unwrap();
    let event = head.event(&gas).unwrap();
    let due = event.deadline.unwrap();
    assert_eq!(due.utc_ms, t(10).utc_ms + 2 * 3_600_000);
    assert_eq!(due.offset_minutes, 480);
    assert_eq!(event.warning_light(t(20)), Some(WarningLight::Green));
    assert_eq!(event.warning_light(t(125)), Some(WarningLight::Yellow));
    assert_eq!(event.warning_light(t(131)), Some(WarningLight::Red));
    assert!(head.events_overdue(&f.grid, t(130)).unwrap().is_empty());
    let overdue: Vec<String> = head
        .events_overdue(&f.grid, t(131))
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(overdue, vec![gas.clone()]);
    // A category in working days is due at an office's closing time.
    let dispute = head
        .report_event(event_input(&f.grid, "neighbour_dispute"))
        .unwrap();
    let due = head.event(&dispute).unwrap().deadline.unwrap();
    assert!(due.utc_ms >= t(0).utc_ms + 7 * 86_400_000);
    assert_eq!((due.utc_ms / 60_000 + 480) % 1440, 17 * 60 + 30);
    assert_rebuild_matches(&head);
}

#[test]
fn open_events_list_the_highest_level_then_urgent_then_oldest_first() {
    let Team { head, f, .. } = team();
    let report = |category: &str, urgency, minute| {
        head.report_event(EventInput {
            urgency,
            at: t(minute),
            ..event_input(&f.grid, category)
        })
        .unwrap()
    };
    let old_normal = report("exposed_garbage", Urgency::Normal, 0);
    let urgent = report("exposed_garbage", Urgency::Urgent, 5);
    let gas = report("gas_leak", Urgency::Normal, 10);
    let closed = report("neighbour_dispute", Urgency::Urgent, 1);
    head.take_event_step(step(&closed, StepAction::Accept, 2))
        .unwrap();
    head.take_event_step(step(&closed, StepAction::SelfResolve, 3))
        .unwrap();
    let open: Vec<String> = head
        .events_open(&f.grid)
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(open, vec![gas, urgent, old_normal]);
}

#[test]
fn a_step_in_a_later_quarter_goes_into_its_events_document() {
    let Team { head, f, .. } = team();
    // 2026-09-20 10:00 +08:00, in the third quarter.
    let reported = Timestamp {
        utc_ms: 1_789_869_600_000,
        offset_minutes: 480,
    };
    let id = head
        .report_event(EventInput {
            at: reported,
            ..event_input(&f.grid, "property_dispute")
        })
        .unwrap();
    head.take_event_step(step(&id, StepAction::Accept, 1))
        .unwrap();
    let docs: Vec<String> = head
        .read(|c| {
            Ok(
                c.prepare("SELECT doc_id FROM events UNION ALL SELECT doc_id FROM event_steps")?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?,
            )
        })
        .unwrap();
    let expected = format!("events/{}/2026Q3", f.grid);
    assert_eq!(docs, vec![expected.clone(), expected]);
    assert_eq!(head.event(&id).unwrap().status, EventStatus::Accepted);
}

#[test]
fn kpis_count_response_resolution_time_and_satisfaction_per_grid() {
    let Team { head, dept, f, .. } = team();
    // Self-resolved in time, a dissatisfied resident, 30 minutes to respond.
    let on_time = head
        .report_event(EventInput {
            residents_involved: vec![f.head.clone()],
            ..event_input(&f.grid, "fire_lane_blocked")
        })
        .unwrap();
    head.take_event_step(step(&on_time, StepAction::Accept, 30))
        .unwrap();
    head.take_event_step(EventStepInput {
        satisfaction: Some(Satisfaction::Dissatisfied),
        ..step(&on_time, StepAction::SelfResolve, 40)
    })
    .unwrap();
    // A gas leak dispatched, handled and closed past its 2 hours.
    let late = head.report_event(event_input(&f.grid, "gas_leak")).unwrap();
    head.take_event_step(step(&late, StepAction::Accept, 10))
        .unwrap();
    head.take_event_step(dispatch(&late, "dept", 11)).unwrap();
    sync_all(&[&head, &dept]);
    dept.take_event_step(step(&late, StepAction::Take, 12))
        .unwrap();
    dept.take_event_step(step(&late, StepAction::Resolve, 13))
        .unwrap();
    sync_all(&[&head, &dept]);
    head.take_event_step(step(&late, StepAction::Verify, 140))
        .unwrap();
    head.take_event_step(step(&late, StepAction::Close, 150))
        .unwrap();
    // Cancelled after 90 minutes, and one not answered yet.
    let cancelled = head
        .report_event(event_input(&f.grid, "neighbour_dispute"))
        .unwrap();
    head.take_event_step(step(&cancelled, StepAction::Cancel, 90))
        .unwrap();
    head.report_event(event_input(&f.grid, "ebike_charging"))
        .unwrap();

    let day = t(0).local_date();
    let kpis = head.event_kpis(&f.grid, day, day.add_days(7)).unwrap();
    assert_eq!(
        (kpis.reported, kpis.responded, kpis.closed, kpis.cancelled),
        (4, 3, 2, 1)
    );
    assert_eq!(kpis.response_rate, Some(0.75));
    // Response minutes 10, 30, 90: the median is 30.
    assert_eq!(kpis.median_response_minutes, Some(30));
    assert_eq!(kpis.resolution_rate, Some(2.0 / 3.0));
    assert_eq!((kpis.closed_on_time, kpis.on_time_rate), (1, Some(0.5)));
    assert_eq!(
        (kpis.rated, kpis.satisfied, kpis.satisfaction_rate),
        (1, 0, Some(0.0))
    );
    let counts = |list: &[KpiCount]| {
        list.iter()
            .map(|c| (c.code.clone(), c.count))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        counts(&kpis.by_status),
        [
            ("cancelled".into(), 1),
            ("closed".into(), 2),
            ("reported".into(), 1)
        ]
    );
    assert_eq!(counts(&kpis.by_level), [("1".into(), 3), ("2".into(), 1)]);
    assert_eq!(
        counts(&kpis.by_category),
        [
            ("ebike_charging".into(), 1),
            ("fire_lane_blocked".into(), 1),
            ("gas_leak".into(), 1),
            ("neighbour_dispute".into(), 1)
        ]
    );
    // The same on the department's phone once it holds the events; none
    // the day before; a period that ends before it starts is refused.
    sync_all(&[&head, &dept]);
    assert_eq!(
        dept.event_kpis(&f.grid, day, day.add_days(7)).unwrap(),
        kpis
    );
    let before = head
        .event_kpis(&f.grid, day.add_days(-3), day.add_days(-1))
        .unwrap();
    assert_eq!((before.reported, before.response_rate), (0, None));
    assert!(matches!(
        head.event_kpis(&f.grid, day, day.add_days(-1)),
        Err(Error::Invalid { field, reason: InvalidReason::EndsBeforeStart }) if field == "to"
    ));
}

#[test]
fn deadlines_are_counted_again_when_the_holiday_calendar_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("head.db");
    let head = WorkerIdentity {
        role: WorkerRole::GridHead,
        ..identity("head")
    };
    let store = Store::open(&path, head.clone()).unwrap();
    let f = fixture(&store);
    // Seven working days: the holiday calendar decides the date.
    let id = store
        .report_event(event_input(&f.grid, "neighbour_dispute"))
        .unwrap();
    store
        .take_event_step(step(&id, StepAction::Accept, 1))
        .unwrap();
    let due = store.event(&id).unwrap().deadline.unwrap();
    drop(store);
    let tamper = |sql: &str| {
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    };
    // Counted in this calendar: trusted, not counted again at every open.
    tamper("UPDATE events SET deadline_ms = 1");
    let store = Store::open(&path, head.clone()).unwrap();
    assert_eq!(store.event(&id).unwrap().deadline.unwrap().utc_ms, 1);
    drop(store);
    // Counted in another calendar version: counted again at the next open.
    tamper("UPDATE meta SET value = X'30' WHERE key = 'events_calendar_version'");
    let store = Store::open(&path, head).unwrap();
    assert_eq!(store.event(&id).unwrap().deadline.unwrap(), due);
    let version: Vec<u8> = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT value FROM meta WHERE key = 'events_calendar_version'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(
        version,
        crate::calendar::WorkCalendar::china()
            .version()
            .to_string()
            .into_bytes()
    );
    assert_rebuild_matches(&store);
}
