//! Property test of merging: three replicas make random offline edits of
//! every record kind and exchange change sets in random orders. Afterwards
//! all replicas hold identical query rows, identical to a rebuild from the
//! documents, and every acknowledged record and assignment is there.
//!
//! The edits come from `common/edits.rs`, the generator the sync tests
//! share; here any refused edit fails the test (`OnRefusal::Fail`). New
//! kinds of edit go there, and this test draws them too (`0..KINDS`); a new
//! way of exchanging changes is a new `Step` with its arm in `run`. Proptest
//! replays the seeds of past failures, kept beside this file in
//! `convergence.proptest-regressions`, before new cases: keep that file in
//! the repository.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::edits::{Acknowledged, KINDS, OnRefusal, edit, resident, table_of};
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
        3 => (0..REPLICAS, 0u8..KINDS, 0usize..1000, 0usize..1000)
            .prop_map(|(replica, kind, a, b)| Step::Edit { replica, kind, a, b }),
        1 => (0..REPLICAS, 0..REPLICAS, any::<bool>())
            .prop_map(|(from, to, incremental)| Step::Sync { from, to, incremental }),
    ]
}

struct Replica {
    store: Store,
    /// What this replica last exported to each peer.
    cursors: [i64; REPLICAS],
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
    let table = table_of(kind);
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
                // Replicas 0 and 1 are two phones of the grid head, so that
                // concurrent amendments of a visit (only its maker amends
                // it) and of the grid's event settings (only the grid head
                // sets them) happen too; replica 2 is an assistant.
                WorkerIdentity {
                    worker_id: format!("w{}", i / 2 * 2),
                    name: format!("网格员{}", i / 2 * 2),
                    role: if i < 2 {
                        WorkerRole::GridHead
                    } else {
                        WorkerRole::Assistant
                    },
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
            } => edit(
                &replicas[replica].store,
                &grid,
                kind,
                a,
                b,
                &mut ack,
                OnRefusal::Fail,
            ),
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
