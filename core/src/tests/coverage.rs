//! Visit coverage over a week, a month and a quarter (period edges at the
//! visit's local date), the households one worker reached, and patrol
//! coverage with its time between check-ins.

use super::*;

fn day(year: i32, month: u8, day: u8) -> Date {
    Date::new(year, month, day).unwrap()
}

/// `hour:minute:second` local time (UTC+8) on a day.
pub(crate) fn local(date: Date, hour: i64, minute: i64, second: i64) -> Timestamp {
    let local_ms =
        date.days_since_epoch() * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000;
    Timestamp {
        utc_ms: local_ms - 480 * 60_000,
        offset_minutes: 480,
    }
}

fn visit(store: &Store, household: &str, at: Timestamp, outcome: VisitOutcome) {
    store
        .log_visit(VisitInput {
            at,
            outcome,
            ..visit_input(household)
        })
        .unwrap();
}

#[test]
fn periods_are_the_iso_week_the_month_and_the_quarter_containing_the_day() {
    let bounds = |period: CoveragePeriod, d: Date| period.bounds(d);
    // A Wednesday, a Monday and a Sunday of the same week.
    for d in [day(2025, 6, 4), day(2025, 6, 2), day(2025, 6, 8)] {
        assert_eq!(
            bounds(CoveragePeriod::Week, d),
            (day(2025, 6, 2), day(2025, 6, 8))
        );
    }
    assert_eq!(
        bounds(CoveragePeriod::Week, day(2025, 6, 1)),
        (day(2025, 5, 26), day(2025, 6, 1))
    );
    // A week across the new year.
    assert_eq!(
        bounds(CoveragePeriod::Week, day(2026, 1, 1)),
        (day(2025, 12, 29), day(2026, 1, 4))
    );
    assert_eq!(
        bounds(CoveragePeriod::Month, day(2024, 2, 10)),
        (day(2024, 2, 1), day(2024, 2, 29))
    );
    assert_eq!(
        bounds(CoveragePeriod::Month, day(2025, 12, 31)),
        (day(2025, 12, 1), day(2025, 12, 31))
    );
    assert_eq!(
        bounds(CoveragePeriod::Quarter, day(2025, 3, 31)),
        (day(2025, 1, 1), day(2025, 3, 31))
    );
    assert_eq!(
        bounds(CoveragePeriod::Quarter, day(2025, 4, 1)),
        (day(2025, 4, 1), day(2025, 6, 30))
    );
    assert_eq!(
        bounds(CoveragePeriod::Quarter, day(2025, 11, 15)),
        (day(2025, 10, 1), day(2025, 12, 31))
    );
}

/// The grid of the coverage tests, its households by name.
struct Coverage {
    _dir: tempfile::TempDir,
    head: Store,
    assistant: Store,
    f: Fixture,
    /// 3栋 502 (the fixture's: an elder living alone), 3栋 601 (nobody in a
    /// care category), 5栋 101 (a disabled resident), 5栋 201 (only a
    /// failed knock), 5栋 102 (reached, then moved out).
    a: String,
    b: String,
    c: String,
    d: String,
    building5: String,
    building9: String,
}

/// Today is Wednesday 2025-06-04. The head reaches 502 on Monday 00:30
/// (Sunday 16:30 UTC) and 601 on Sunday 23:30, knocks on 201 in vain and
/// reaches 102 before it moves out; the assistant reaches 101 on the
/// quarter's first day and once on the previous quarter's last.
fn coverage_grid() -> Coverage {
    let (dir, head, assistant, f) = head_and_assistant();
    let b = head
        .create_household(household_input(&f.building, "601"))
        .unwrap();
    let building5 = head
        .create_building(&f.grid, building_input("5栋"))
        .unwrap();
    let building9 = head
        .create_building(&f.grid, building_input("9栋"))
        .unwrap();
    let c = head
        .create_household(household_input(&building5, "101"))
        .unwrap();
    head.create_resident(ResidentInput {
        care: vec!["disabled".into()],
        ..resident_input(&c, "李建国")
    })
    .unwrap();
    let d = head
        .create_household(household_input(&building5, "102"))
        .unwrap();
    let e = head
        .create_household(household_input(&building5, "201"))
        .unwrap();
    let a = f.household.clone();
    visit(
        &head,
        &a,
        local(day(2025, 6, 2), 0, 30, 0),
        VisitOutcome::Met,
    );
    visit(
        &head,
        &b,
        local(day(2025, 6, 1), 23, 30, 0),
        VisitOutcome::Met,
    );
    visit(
        &head,
        &e,
        local(day(2025, 6, 3), 10, 0, 0),
        VisitOutcome::NobodyHome,
    );
    visit(
        &head,
        &d,
        local(day(2025, 6, 3), 11, 0, 0),
        VisitOutcome::Met,
    );
    head.move_out_household(&d).unwrap();
    send(&head, &assistant);
    visit(
        &assistant,
        &c,
        local(day(2025, 3, 31), 9, 0, 0),
        VisitOutcome::Met,
    );
    visit(
        &assistant,
        &c,
        local(day(2025, 4, 1), 9, 0, 0),
        VisitOutcome::Vacant,
    );
    send(&assistant, &head);
    Coverage {
        _dir: dir,
        head,
        assistant,
        f,
        a,
        b,
        c,
        d,
        building5,
        building9,
    }
}

fn tier(tier: &str, households: i64, reached: i64, share: Option<i32>) -> TierCoverage {
    TierCoverage {
        tier: tier.into(),
        households,
        reached,
        share_per_mille: share,
    }
}

fn building(id: &str, number: &str, households: i64, reached: i64) -> BuildingCoverage {
    BuildingCoverage {
        building_id: id.into(),
        number: number.into(),
        households,
        reached,
        share_per_mille: (households > 0)
            .then(|| i32::try_from(reached * 1000 / households).unwrap()),
    }
}

#[test]
fn coverage_counts_active_households_reached_in_the_week_month_and_quarter() {
    let g = coverage_grid();
    let today = day(2025, 6, 4);
    let week = g
        .head
        .visit_coverage(&g.f.grid, today, CoveragePeriod::Week)
        .unwrap();
    assert_eq!(
        week,
        VisitCoverage {
            grid_id: g.f.grid.clone(),
            period: CoveragePeriod::Week,
            from: day(2025, 6, 2),
            to: day(2025, 6, 8),
            // 502, 601, 101 and 201; 102 moved out.
            households: 4,
            // 502 on Monday; 601 was reached on the Sunday before.
            reached: 1,
            share_per_mille: Some(250),
            by_tier: vec![
                tier("elderly_alone", 1, 1, Some(1000)),
                tier("disabled", 1, 0, Some(0)),
                tier(GENERAL_TIER, 2, 0, Some(0)),
            ],
            by_building: vec![
                building(&g.f.building, "3栋", 2, 1),
                building(&g.building5, "5栋", 2, 0),
                building(&g.building9, "9栋", 0, 0),
            ],
        }
    );
    assert_eq!(week.by_building[2].share_per_mille, None);

    let month = g
        .head
        .visit_coverage(&g.f.grid, today, CoveragePeriod::Month)
        .unwrap();
    assert_eq!(
        (month.from, month.to, month.households, month.reached),
        (day(2025, 6, 1), day(2025, 6, 30), 4, 2)
    );
    assert_eq!(month.share_per_mille, Some(500));
    assert_eq!(
        month.by_tier,
        vec![
            tier("elderly_alone", 1, 1, Some(1000)),
            tier("disabled", 1, 0, Some(0)),
            tier(GENERAL_TIER, 2, 1, Some(500)),
        ]
    );
    assert_eq!(
        month.by_building,
        vec![
            building(&g.f.building, "3栋", 2, 2),
            building(&g.building5, "5栋", 2, 0),
            building(&g.building9, "9栋", 0, 0),
        ]
    );

    // The quarter starts on 1 April: the visit of 31 March is the last quarter's.
    let quarter = g
        .head
        .visit_coverage(&g.f.grid, today, CoveragePeriod::Quarter)
        .unwrap();
    assert_eq!(
        (
            quarter.from,
            quarter.to,
            quarter.reached,
            quarter.share_per_mille
        ),
        (day(2025, 4, 1), day(2025, 6, 30), 3, Some(750))
    );
    assert_eq!(quarter.by_tier[1], tier("disabled", 1, 1, Some(1000)));
    assert_eq!(quarter.by_building[1], building(&g.building5, "5栋", 2, 1));
    let last_quarter = g
        .head
        .visit_coverage(&g.f.grid, day(2025, 3, 31), CoveragePeriod::Quarter)
        .unwrap();
    assert_eq!(
        (last_quarter.reached, last_quarter.share_per_mille),
        (1, Some(250))
    );
    // The assistant's phone, synced, counts the same.
    assert_eq!(
        g.assistant
            .visit_coverage(&g.f.grid, today, CoveragePeriod::Quarter)
            .unwrap(),
        quarter
    );
}

#[test]
fn a_share_is_rounded_down_per_mille() {
    let (_dir, store, f) = one_worker("w1");
    for room in ["601", "701"] {
        store
            .create_household(household_input(&f.building, room))
            .unwrap();
    }
    visit(
        &store,
        &f.household,
        local(day(2025, 6, 2), 9, 0, 0),
        VisitOutcome::MovedAway,
    );
    let month = store
        .visit_coverage(&f.grid, day(2025, 6, 20), CoveragePeriod::Month)
        .unwrap();
    assert_eq!(
        (month.households, month.reached, month.share_per_mille),
        (3, 1, Some(333))
    );
}

#[test]
fn a_worker_sees_only_the_households_they_reached() {
    let g = coverage_grid();
    let today = day(2025, 6, 4);
    let reached = |worker: &str, period| {
        g.head
            .households_reached_by(worker, &g.f.grid, today, period)
            .unwrap()
    };
    let row = |id: &str, building: &str, address: &str, visits, on: Date| ReachedHousehold {
        household_id: id.into(),
        building_id: building.into(),
        address: address.into(),
        visits,
        last_reached_on: on,
    };
    // The failed knock at 201 is not a reach; 102 moved out and stays listed.
    assert_eq!(
        reached("head", CoveragePeriod::Month),
        vec![
            row(
                &g.a,
                &g.f.building,
                "幸福小区3栋1单元502室",
                1,
                day(2025, 6, 2)
            ),
            row(
                &g.b,
                &g.f.building,
                "幸福小区3栋1单元601室",
                1,
                day(2025, 6, 1)
            ),
            row(
                &g.d,
                &g.building5,
                "幸福小区5栋1单元102室",
                1,
                day(2025, 6, 3)
            ),
        ]
    );
    assert_eq!(
        reached("head", CoveragePeriod::Week)
            .iter()
            .map(|r| r.household_id.as_str())
            .collect::<Vec<_>>(),
        vec![g.a.as_str(), g.d.as_str()]
    );
    assert_eq!(reached("assistant", CoveragePeriod::Week), vec![]);
    assert_eq!(
        reached("assistant", CoveragePeriod::Quarter),
        vec![row(
            &g.c,
            &g.building5,
            "幸福小区5栋1单元101室",
            1,
            day(2025, 4, 1)
        )]
    );
    assert_eq!(reached("nobody", CoveragePeriod::Quarter), vec![]);
}

#[test]
fn an_unknown_grid_is_not_found() {
    let (_dir, store, _f) = one_worker("w1");
    let today = day(2025, 6, 4);
    let not_found = |result: Result<()>| {
        assert!(
            matches!(
                &result,
                Err(Error::NotFound { kind: RecordKind::Grid, id }) if id == "no-such-grid"
            ),
            "{result:?}"
        );
    };
    not_found(
        store
            .visit_coverage("no-such-grid", today, CoveragePeriod::Week)
            .map(|_| ()),
    );
    not_found(
        store
            .households_reached_by("w1", "no-such-grid", today, CoveragePeriod::Week)
            .map(|_| ()),
    );
    not_found(
        store
            .patrol_coverage("no-such-grid", today, today)
            .map(|_| ()),
    );
    not_found(store.grid_summary("no-such-grid", today).map(|_| ()));
    not_found(store.grid_summary_json("no-such-grid", today).map(|_| ()));
}

/// A check-in of `member` at `checkpoint` on `shift` at local `(h, m, s)` of `date`.
fn checkin(
    store: &Store,
    shift: &str,
    member: &str,
    checkpoint: &str,
    date: Date,
    (h, m, s): (i64, i64, i64),
) {
    store
        .record_checkin(CheckinInput {
            shift_id: shift.into(),
            member_id: member.into(),
            at: local(date, h, m, s),
            checkpoint: checkpoint.into(),
            gps: None,
        })
        .unwrap();
}

#[test]
fn patrol_coverage_counts_shifts_checkpoints_and_time_between_check_ins() {
    let (_dir, store, f) = one_worker("w1");
    let member = |id: &str| TeamMember {
        member_id: id.into(),
        name: format!("{id} 志愿者"),
    };
    let team = store
        .create_patrol_team(
            &f.grid,
            "平安巡逻队",
            vec![member("v1"), member("v2"), member("v3")],
        )
        .unwrap();
    let shift = |date: Date, route: &[&str]| {
        store
            .create_shift(shift_input(&team, date, (19, 0), (21, 0), route))
            .unwrap()
    };
    let june3 = day(2025, 6, 3);
    let held = shift(june3, &["东门", "北门", "3栋"]);
    // v1 walks 70 minutes, v2 45 (check-ins count by the minute they fall
    // in, 19:05:30 as 19:05); v3 checks in once and never again.
    checkin(&store, &held, "v1", "东门", june3, (19, 0, 0));
    checkin(&store, &held, "v1", "北门", june3, (19, 40, 0));
    checkin(&store, &held, "v1", "3栋", june3, (20, 10, 0));
    checkin(&store, &held, "v2", "东门", june3, (19, 5, 30));
    checkin(&store, &held, "v2", "北门", june3, (19, 50, 0));
    checkin(&store, &held, "v3", "东门", june3, (19, 30, 0));
    // Planned and not walked.
    shift(day(2025, 6, 10), &["东门", "西门"]);
    // Walked, then cancelled: counted as cancelled only.
    let june17 = day(2025, 6, 17);
    let cancelled = shift(june17, &["南门"]);
    checkin(&store, &cancelled, "v1", "南门", june17, (19, 0, 0));
    checkin(&store, &cancelled, "v1", "南门", june17, (20, 0, 0));
    store.cancel_shift(&cancelled).unwrap();
    // Outside June.
    let july = shift(day(2025, 7, 1), &["花园"]);
    checkin(&store, &july, "v1", "花园", day(2025, 7, 1), (19, 0, 0));
    shift(day(2025, 5, 31), &["花园"]);

    let june = store
        .patrol_coverage(&f.grid, day(2025, 6, 1), day(2025, 6, 30))
        .unwrap();
    assert_eq!(
        june,
        PatrolCoverage {
            grid_id: f.grid.clone(),
            from: day(2025, 6, 1),
            to: day(2025, 6, 30),
            shifts_planned: 3,
            shifts_held: 1,
            shifts_cancelled: 1,
            checkpoints_named: 4,
            checkpoints_covered: 3,
            uncovered_checkpoints: vec!["西门".into()],
            member_shifts: 3,
            // 70 + 45 minutes.
            volunteer_minutes: 115,
            unmatched_checkins: 1,
        }
    );
    let one_day = store.patrol_coverage(&f.grid, june3, june3).unwrap();
    assert_eq!(
        (
            one_day.shifts_planned,
            one_day.shifts_held,
            one_day.checkpoints_named
        ),
        (1, 1, 3)
    );
    assert!(matches!(
        store.patrol_coverage(&f.grid, june3, day(2025, 6, 2)),
        Err(Error::Invalid {
            field: "to",
            reason: InvalidReason::EndsBeforeStart
        })
    ));
    let empty = store
        .patrol_coverage(&f.grid, day(2024, 1, 1), day(2024, 12, 31))
        .unwrap();
    assert_eq!(
        (
            empty.shifts_planned,
            empty.volunteer_minutes,
            empty.uncovered_checkpoints
        ),
        (0, 0, vec![])
    );
}

#[test]
fn visits_at_the_farthest_utc_offsets_count_on_their_local_date() {
    let (_dir, store, f) = one_worker("w1");
    let b = store
        .create_household(household_input(&f.building, "601"))
        .unwrap();
    let c = store
        .create_household(household_input(&f.building, "701"))
        .unwrap();
    // `local` is UTC+8; the same wall-clock time at UTC+14 and UTC-12.
    let at_offset = |date: Date, hour, minute, offset_minutes: i32| {
        let china = local(date, hour, minute, 0);
        Timestamp {
            utc_ms: china.utc_ms - i64::from(offset_minutes - 480) * 60_000,
            offset_minutes,
        }
    };
    // Monday 00:30 at UTC+14 is Sunday 10:30 UTC.
    visit(
        &store,
        &f.household,
        at_offset(day(2025, 6, 2), 0, 30, 840),
        VisitOutcome::Met,
    );
    // Sunday 23:30 at UTC-12 is Monday 11:30 UTC, after the week.
    visit(
        &store,
        &b,
        at_offset(day(2025, 6, 8), 23, 30, -720),
        VisitOutcome::Met,
    );
    // The Sunday before, 23:59 at UTC-12: Monday 11:59 UTC, in the week's
    // instants but not on its local dates.
    visit(
        &store,
        &c,
        at_offset(day(2025, 6, 1), 23, 59, -720),
        VisitOutcome::Met,
    );
    let week = store
        .visit_coverage(&f.grid, day(2025, 6, 4), CoveragePeriod::Week)
        .unwrap();
    assert_eq!(
        (week.households, week.reached, week.share_per_mille),
        (3, 2, Some(666))
    );
    let mine: Vec<String> = store
        .households_reached_by("w1", &f.grid, day(2025, 6, 4), CoveragePeriod::Week)
        .unwrap()
        .into_iter()
        .map(|r| r.household_id)
        .collect();
    assert_eq!(mine, vec![f.household.clone(), b]);
}
