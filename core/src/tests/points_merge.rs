//! The points ledger's merge rule, as a property: the grid head's two
//! phones and an assistant's award and exchange points offline and exchange
//! their changes in random orders. After a full exchange every phone holds
//! every entry any phone wrote, once, and the balance is exactly the awards
//! minus the exchanges: concurrent awards add up, none overwrites another.

use proptest::prelude::*;

use super::events::{open_as, sync_all};
use super::*;

#[derive(Debug, Clone)]
enum Op {
    /// A grid head's phone awards points to a volunteer.
    Award {
        phone: usize,
        volunteer: usize,
        points: u32,
    },
    /// A phone records an exchange (refused beyond its own balance).
    Spend {
        phone: usize,
        volunteer: usize,
        points: u32,
    },
    /// One phone sends everything it has to another.
    Send { from: usize, to: usize },
}

const VOLUNTEERS: [&str; 2] = ["v-li", "v-zhou"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..2usize, 0..2usize, 1..50u32)
            .prop_map(|(phone, volunteer, points)| Op::Award { phone, volunteer, points }),
        2 => (0..3usize, 0..2usize, 1..30u32)
            .prop_map(|(phone, volunteer, points)| Op::Spend { phone, volunteer, points }),
        2 => (0..3usize, 0..3usize).prop_map(|(from, to)| Op::Send { from, to }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn concurrent_awards_and_exchanges_sum_on_every_phone(ops in prop::collection::vec(op(), 1..24)) {
        let dir = tempfile::tempdir().unwrap();
        let head = open_as(&dir, "head", WorkerRole::GridHead);
        let tablet = Store::open(
            dir.path().join("head-tablet.db"),
            WorkerIdentity { role: WorkerRole::GridHead, ..identity("head") },
        )
        .unwrap();
        let assistant = open_as(&dir, "assistant", WorkerRole::Assistant);
        let f = fixture(&head);
        let members = VOLUNTEERS
            .iter()
            .map(|id| TeamMember { member_id: id.to_string(), name: "志愿者".into() })
            .collect();
        head.create_patrol_team(&f.grid, "巡逻队", members).unwrap();
        let phones = [&head, &tablet, &assistant];
        sync_all(&phones);
        let on = Date::new(2026, 11, 2).unwrap();
        let mut net = [0_i64; 2];
        let mut entries = 0;
        for op in ops {
            match op {
                Op::Award { phone, volunteer, points } => {
                    phones[phone]
                        .award_points(PointsAward {
                            grid_id: f.grid.clone(),
                            volunteer_id: VOLUNTEERS[volunteer].into(),
                            points,
                            reason: "服务".into(),
                            on,
                        })
                        .unwrap();
                    net[volunteer] += i64::from(points);
                    entries += 1;
                }
                Op::Spend { phone, volunteer, points } => {
                    let spent = phones[phone].spend_points(PointsSpending {
                        grid_id: f.grid.clone(),
                        volunteer_id: VOLUNTEERS[volunteer].into(),
                        points,
                        item: "兑换".into(),
                        on,
                    });
                    match spent {
                        Ok(_) => {
                            net[volunteer] -= i64::from(points);
                            entries += 1;
                        }
                        Err(crate::Error::Invalid { field: "points", reason: crate::InvalidReason::ExceedsBalance }) => {}
                        Err(other) => panic!("unexpected {other:?}"),
                    }
                }
                Op::Send { from, to } => {
                    if from != to {
                        send(phones[from], phones[to]);
                    }
                }
            }
        }
        sync_all(&phones);
        let count = |store: &Store| -> i64 {
            store
                .read(|conn| Ok(conn.query_row("SELECT count(*) FROM points_entries", [], |r| r.get(0))?))
                .unwrap()
        };
        let today = Date::new(2026, 11, 3).unwrap();
        for phone in phones {
            prop_assert_eq!(count(phone), entries);
            for (volunteer, expected) in VOLUNTEERS.iter().zip(net) {
                let account = phone.points_account(&f.grid, volunteer, today).unwrap();
                prop_assert_eq!(account.balance, expected);
                prop_assert_eq!(account.earned - account.spent, expected);
            }
        }
        prop_assert_eq!(head.query_table_dump().unwrap(), assistant.query_table_dump().unwrap());
    }
}
