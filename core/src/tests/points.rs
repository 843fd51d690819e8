//! Volunteer points: service from check-ins by the grid's rule, awards,
//! irreversible exchanges, expiry, the monthly board, the talent pool, who
//! may do what, and bad input refused whole.

use super::events::{open_as, sync_all};
use super::*;
use crate::{Error, InvalidReason};

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

/// A local time in China on `date`.
fn at(date: &str, hour: i64, minute: i64) -> Timestamp {
    Timestamp {
        utc_ms: day(date).days_since_epoch() * 86_400_000 + (hour * 60 + minute - 480) * 60_000,
        offset_minutes: 480,
    }
}

struct Grid {
    _dir: tempfile::TempDir,
    head: Store,
    assistant: Store,
    building_head: Store,
    f: Fixture,
    team: String,
}

/// The grid head's grid with a patrol team of a volunteer without a phone
/// (v-li), the grid head (paid staff) and a building head with a phone.
fn grid() -> Grid {
    let dir = tempfile::tempdir().unwrap();
    let head = open_as(&dir, "head", WorkerRole::GridHead);
    let assistant = open_as(&dir, "assistant", WorkerRole::Assistant);
    let building_head = open_as(&dir, "bh", WorkerRole::BuildingHead);
    let f = fixture(&head);
    let member = |id: &str, name: &str| TeamMember {
        member_id: id.into(),
        name: name.into(),
    };
    let team = head
        .create_patrol_team(
            &f.grid,
            "夜巡队",
            vec![
                member("v-li", "李建国"),
                member("head", "王网格"),
                member("bh", "赵楼长"),
            ],
        )
        .unwrap();
    sync_all(&[&head, &assistant, &building_head]);
    Grid {
        _dir: dir,
        head,
        assistant,
        building_head,
        f,
        team,
    }
}

/// A shift the grid head plans, sent to the building head's phone.
fn shift(g: &Grid, date: &str, starts: (u8, u8), ends: (u8, u8)) -> String {
    let id = g
        .head
        .create_shift(shift_input(
            &g.team,
            day(date),
            starts,
            ends,
            &["东门", "3栋"],
        ))
        .unwrap();
    send(&g.head, &g.building_head);
    id
}

fn check_in(store: &Store, shift: &str, member: &str, at: Timestamp) {
    store
        .record_checkin(CheckinInput {
            shift_id: shift.into(),
            member_id: member.into(),
            at,
            checkpoint: "东门".into(),
            gps: None,
        })
        .unwrap();
}

fn award(grid: &str, volunteer: &str, points: u32, on: &str) -> PointsAward {
    PointsAward {
        grid_id: grid.into(),
        volunteer_id: volunteer.into(),
        points,
        reason: "清理楼道杂物".into(),
        on: day(on),
    }
}

fn spending(grid: &str, volunteer: &str, points: u32, on: &str) -> PointsSpending {
    PointsSpending {
        grid_id: grid.into(),
        volunteer_id: volunteer.into(),
        points,
        item: "大米一袋".into(),
        on: day(on),
    }
}

fn invalid<T: std::fmt::Debug>(result: Result<T, Error>) -> (&'static str, InvalidReason) {
    match result {
        Err(Error::Invalid { field, reason }) => (field, reason),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn balance(store: &Store, grid: &str, volunteer: &str, today: &str) -> i64 {
    store
        .points_account(grid, volunteer, day(today))
        .unwrap()
        .balance
}

#[test]
fn service_on_shifts_earns_points_by_the_rule_and_paid_staff_earn_none() {
    let g = grid();
    let grid = &g.f.grid;
    // 08:50 to 11:40 on a 09:00-11:30 shift: 150 minutes, clipped to the plan.
    let first = shift(&g, "2026-11-03", (9, 0), (11, 30));
    check_in(&g.head, &first, "v-li", at("2026-11-03", 8, 50));
    check_in(&g.head, &first, "v-li", at("2026-11-03", 10, 0));
    check_in(&g.head, &first, "v-li", at("2026-11-03", 11, 40));
    check_in(&g.head, &first, "head", at("2026-11-03", 9, 0));
    check_in(&g.head, &first, "head", at("2026-11-03", 11, 30));
    // 50 more minutes; the building head checks in once only: no service.
    let second = shift(&g, "2026-11-10", (9, 0), (10, 0));
    check_in(&g.head, &second, "v-li", at("2026-11-10", 9, 0));
    check_in(&g.head, &second, "v-li", at("2026-11-10", 9, 50));
    check_in(&g.building_head, &second, "bh", at("2026-11-10", 9, 5));
    sync_all(&[&g.head, &g.building_head]);

    let account = g
        .head
        .points_account(grid, "v-li", day("2026-12-01"))
        .unwrap();
    // 200 minutes in November at 60 minutes a point: 3 points, on the
    // month's last day of service, expiring three years on.
    assert_eq!(
        account.entries,
        vec![PointsEntry {
            id: "service:2026-11".into(),
            kind: PointsEntryKind::Service,
            points: 3,
            on: day("2026-11-10"),
            note: String::new(),
            recorded_by: String::new(),
            expires_on: Some(day("2029-11-10")),
        }]
    );
    assert_eq!(
        (
            account.balance,
            account.earned,
            account.spent,
            account.expired
        ),
        (3, 3, 0, 0)
    );
    assert_eq!(account.volunteer.display_name, "李**");
    assert_eq!(account.volunteer.source, VolunteerSource::TeamMember);
    // The grid head patrolled 150 minutes and holds no points at all.
    assert!(matches!(
        g.head.points_account(grid, "head", day("2026-12-01")),
        Err(Error::NotFound {
            kind: RecordKind::Volunteer,
            ..
        })
    ));
    assert_eq!(balance(&g.head, grid, "bh", "2026-12-01"), 0);
    let volunteers: Vec<(String, VolunteerSource)> = g
        .head
        .volunteers(grid)
        .unwrap()
        .into_iter()
        .map(|v| (v.volunteer_id, v.source))
        .collect();
    assert_eq!(
        volunteers,
        vec![
            ("bh".into(), VolunteerSource::BuildingHead),
            ("v-li".into(), VolunteerSource::TeamMember),
        ]
    );

    // A rule from November on: 30 minutes a point, year-end expiry.
    let rule = PointsRule {
        minutes_per_point: 30,
        expiry: PointsExpiry::YearEnd,
    };
    g.head
        .set_points_rule(grid, day("2026-11-20"), rule)
        .unwrap();
    let account = g
        .head
        .points_account(grid, "v-li", day("2026-12-01"))
        .unwrap();
    assert_eq!(account.balance, 6);
    assert_eq!(
        account.next_expiry,
        Some(PointsExpiring {
            on: day("2027-01-01"),
            points: 6
        })
    );
    assert_eq!(
        g.assistant.points_rules(grid).unwrap(),
        vec![],
        "not yet synced"
    );
    sync_all(&[&g.head, &g.assistant]);
    assert_eq!(
        g.assistant.points_rules(grid).unwrap(),
        vec![PointsRuleInForce {
            from_month: day("2026-11-01"),
            rule,
            set_by: "head".into(),
        }]
    );
    assert_rebuild_matches(&g.head);
}

#[test]
fn awards_spending_and_expiry_make_the_balance_and_nothing_edits_it() {
    let g = grid();
    let grid = &g.f.grid;
    let year_end = PointsRule {
        minutes_per_point: 60,
        expiry: PointsExpiry::YearEnd,
    };
    g.head
        .set_points_rule(grid, day("2025-01-01"), year_end)
        .unwrap();
    g.head
        .award_points(award(grid, "v-li", 10, "2025-06-01"))
        .unwrap();
    g.head
        .award_points(award(grid, "v-li", 4, "2026-02-01"))
        .unwrap();
    sync_all(&[&g.head, &g.assistant]);
    g.assistant
        .spend_points(spending(grid, "v-li", 3, "2025-08-01"))
        .unwrap();
    // Seven of 2025's points were left at its end.
    let account = g
        .assistant
        .points_account(grid, "v-li", day("2026-03-01"))
        .unwrap();
    assert_eq!(
        (
            account.balance,
            account.earned,
            account.spent,
            account.expired
        ),
        (4, 14, 3, 7)
    );
    let lines: Vec<(PointsEntryKind, i64, Date)> = account
        .entries
        .iter()
        .map(|e| (e.kind, e.points, e.on))
        .collect();
    assert_eq!(
        lines,
        vec![
            (PointsEntryKind::Award, 4, day("2026-02-01")),
            (PointsEntryKind::Expiry, -7, day("2026-01-01")),
            (PointsEntryKind::Spend, -3, day("2025-08-01")),
            (PointsEntryKind::Award, 10, day("2025-06-01")),
        ]
    );
    assert_eq!(account.entries[0].note, "清理楼道杂物");
    assert_eq!(account.entries[0].recorded_by, "head");
    assert_eq!(account.entries[2].recorded_by, "assistant");
    // More than the balance, on the day or today, is refused and writes nothing.
    let before = g.assistant.query_table_dump().unwrap();
    assert_eq!(
        invalid(
            g.assistant
                .spend_points(spending(grid, "v-li", 5, "2026-03-01"))
        ),
        ("points", InvalidReason::ExceedsBalance)
    );
    assert_eq!(
        invalid(
            g.assistant
                .spend_points(spending(grid, "v-li", 8, "2025-09-01"))
        ),
        ("points", InvalidReason::ExceedsBalance)
    );
    assert_eq!(g.assistant.query_table_dump().unwrap(), before);
    g.assistant
        .spend_points(spending(grid, "v-li", 4, "2026-03-01"))
        .unwrap();
    assert_eq!(balance(&g.assistant, grid, "v-li", "2026-03-01"), 0);
    assert_rebuild_matches(&g.assistant);
}

#[test]
fn concurrent_awards_add_up_and_concurrent_exchanges_both_stand() {
    let g = grid();
    let grid = &g.f.grid;
    // The grid head's second phone.
    let dir = tempfile::tempdir().unwrap();
    let tablet = Store::open(
        dir.path().join("head-tablet.db"),
        WorkerIdentity {
            role: WorkerRole::GridHead,
            ..identity("head")
        },
    )
    .unwrap();
    sync_all(&[&g.head, &tablet, &g.assistant]);
    g.head
        .award_points(award(grid, "v-li", 5, "2026-11-02"))
        .unwrap();
    tablet
        .award_points(award(grid, "v-li", 7, "2026-11-02"))
        .unwrap();
    sync_all(&[&g.head, &tablet, &g.assistant]);
    for store in [&g.head, &tablet, &g.assistant] {
        assert_eq!(balance(store, grid, "v-li", "2026-11-03"), 12);
    }
    // Both exchange 10 offline; both happened, so both stand: a shortfall
    // of 8, which the next points pay first.
    g.head
        .spend_points(spending(grid, "v-li", 10, "2026-11-03"))
        .unwrap();
    g.assistant
        .spend_points(spending(grid, "v-li", 10, "2026-11-03"))
        .unwrap();
    sync_all(&[&g.head, &tablet, &g.assistant]);
    for store in [&g.head, &tablet, &g.assistant] {
        assert_eq!(balance(store, grid, "v-li", "2026-11-04"), -8);
    }
    assert_eq!(
        invalid(tablet.spend_points(spending(grid, "v-li", 1, "2026-11-04"))),
        ("points", InvalidReason::ExceedsBalance)
    );
}

#[test]
fn the_monthly_board_ranks_volunteers_only_with_shared_places() {
    let g = grid();
    let grid = &g.f.grid;
    g.head
        .enrol_in_talent_pool(&g.f.head, "理发、维修家电", day("2026-10-01"))
        .unwrap();
    // The building head's worker record comes with their phone's first write.
    let s = shift(&g, "2026-11-03", (19, 0), (21, 0));
    check_in(&g.building_head, &s, "bh", at("2026-11-03", 19, 0));
    check_in(&g.building_head, &s, "bh", at("2026-11-03", 21, 0));
    sync_all(&[&g.head, &g.building_head]);
    g.head
        .award_points(award(grid, "v-li", 2, "2026-11-05"))
        .unwrap();
    g.head
        .award_points(award(grid, &g.f.head, 5, "2026-11-06"))
        .unwrap();
    // October's award is not November's.
    g.head
        .award_points(award(grid, "v-li", 9, "2026-10-30"))
        .unwrap();
    let board = g.head.points_board(grid, day("2026-11-15"), 10).unwrap();
    let rows: Vec<(u32, &str, &str, i64)> = board
        .iter()
        .map(|s| {
            (
                s.place,
                s.volunteer.volunteer_id.as_str(),
                s.volunteer.display_name.as_str(),
                s.points,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (1, g.f.head.as_str(), "张**", 5),
            (2, "bh", "b******", 2),
            (2, "v-li", "李**", 2),
        ]
    );
    assert_eq!(board[0].volunteer.source, VolunteerSource::TalentPool);
    assert_eq!(
        g.head
            .points_board(grid, day("2026-11-01"), 1)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        g.head.points_board(grid, day("2026-12-01"), 10).unwrap(),
        vec![]
    );
    // Withdrawn from the talent pool: no more awards, the points still spendable.
    sync_all(&[&g.head, &g.assistant]);
    g.assistant
        .withdraw_from_talent_pool(&g.f.head, day("2026-11-20"))
        .unwrap();
    sync_all(&[&g.head, &g.assistant]);
    assert_eq!(
        invalid(g.head.award_points(award(grid, &g.f.head, 1, "2026-11-21"))),
        ("volunteer_id", InvalidReason::NotAVolunteer)
    );
    g.assistant
        .spend_points(spending(grid, &g.f.head, 5, "2026-11-21"))
        .unwrap();
    assert_eq!(balance(&g.head, grid, &g.f.head, "2026-11-21"), 5);
    sync_all(&[&g.head, &g.assistant]);
    assert_eq!(balance(&g.head, grid, &g.f.head, "2026-11-21"), 0);
    assert_rebuild_matches(&g.head);
}

#[test]
fn who_may_award_spend_and_set_the_rule_and_bad_input_changes_nothing() {
    let g = grid();
    let grid = &g.f.grid;
    g.head
        .award_points(award(grid, "v-li", 5, "2026-11-02"))
        .unwrap();
    sync_all(&[&g.head, &g.assistant, &g.building_head]);
    let before = g.head.query_table_dump().unwrap();
    assert!(matches!(
        g.assistant
            .award_points(award(grid, "v-li", 1, "2026-11-02")),
        Err(Error::PointsRoleMayNot {
            action: "award",
            role: WorkerRole::Assistant
        })
    ));
    assert!(matches!(
        g.building_head
            .spend_points(spending(grid, "v-li", 1, "2026-11-02")),
        Err(Error::PointsRoleMayNot {
            action: "spend",
            role: WorkerRole::BuildingHead
        })
    ));
    assert!(matches!(
        g.assistant
            .set_points_rule(grid, day("2026-11-01"), PointsRule::default()),
        Err(Error::PointsRoleMayNot {
            action: "set_rule",
            ..
        })
    ));
    let h = &g.head;
    assert_eq!(
        invalid(h.award_points(award(grid, "head", 1, "2026-11-02"))),
        ("volunteer_id", InvalidReason::NotAVolunteer)
    );
    assert_eq!(
        invalid(h.award_points(award(grid, "assistant", 1, "2026-11-02"))),
        ("volunteer_id", InvalidReason::NotAVolunteer)
    );
    assert_eq!(
        invalid(h.award_points(award(grid, "v-li", 0, "2026-11-02"))),
        ("points", InvalidReason::OutOfRange)
    );
    assert_eq!(
        invalid(h.award_points(award(grid, "v-li", 1_001, "2026-11-02"))),
        ("points", InvalidReason::OutOfRange)
    );
    assert_eq!(
        invalid(h.award_points(PointsAward {
            reason: "  ".into(),
            ..award(grid, "v-li", 1, "2026-11-02")
        })),
        ("reason", InvalidReason::Empty)
    );
    assert_eq!(
        invalid(h.award_points(award(grid, "v-li", 1, "9999-01-01"))),
        ("on", InvalidReason::InFuture)
    );
    assert_eq!(
        invalid(h.award_points(award(grid, "v-li", 1, "1999-12-31"))),
        ("on", InvalidReason::TooOld)
    );
    assert_eq!(
        invalid(h.spend_points(PointsSpending {
            item: String::new(),
            ..spending(grid, "v-li", 1, "2026-11-02")
        })),
        ("item", InvalidReason::Empty)
    );
    let rule = |minutes_per_point, expiry| PointsRule {
        minutes_per_point,
        expiry,
    };
    assert_eq!(
        invalid(h.set_points_rule(grid, day("2026-11-01"), rule(10, PointsExpiry::Never))),
        ("minutes_per_point", InvalidReason::OutOfRange)
    );
    assert_eq!(
        invalid(h.set_points_rule(
            grid,
            day("2026-11-01"),
            rule(60, PointsExpiry::AfterYears { years: 0 })
        )),
        ("expiry.years", InvalidReason::OutOfRange)
    );
    assert_eq!(
        invalid(h.set_points_rule(
            grid,
            day("2026-11-01"),
            rule(60, PointsExpiry::AfterYears { years: 11 })
        )),
        ("expiry.years", InvalidReason::OutOfRange)
    );
    assert!(matches!(
        h.award_points(award("no-such-grid", "v-li", 1, "2026-11-02")),
        Err(Error::NotFound {
            kind: RecordKind::Grid,
            ..
        })
    ));
    assert!(matches!(
        h.enrol_in_talent_pool("no-such-resident", "", day("2026-11-02")),
        Err(Error::NotFound {
            kind: RecordKind::Resident,
            ..
        })
    ));
    assert_eq!(h.query_table_dump().unwrap(), before);
    // A resident who moved out is enrolled no more.
    let moved_out = h
        .create_resident(resident_input(&g.f.household, "钱多多"))
        .unwrap();
    h.retire_resident(&moved_out, ResidentStatus::MovedOut, day("2026-11-01"))
        .unwrap();
    let before_enrol = h.query_table_dump().unwrap();
    assert!(matches!(
        h.enrol_in_talent_pool(&moved_out, "", day("2026-11-02")),
        Err(Error::Retired {
            kind: RecordKind::Resident,
            ..
        })
    ));
    assert_eq!(h.query_table_dump().unwrap(), before_enrol);
}
