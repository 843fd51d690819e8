//! Change sets from another replica are untrusted: random bytes and random
//! corruptions of a real change set must never panic, and a refused set
//! must leave the store exactly as it was.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use gridbook::codes::*;
use gridbook::*;
use proptest::prelude::*;

fn store(dir: &tempfile::TempDir, worker: &str) -> Store {
    Store::open(
        dir.path().join(format!("{worker}.db")),
        WorkerIdentity {
            worker_id: worker.into(),
            name: "网格员".into(),
            role: WorkerRole::Assistant,
            device_label: "phone".into(),
        },
    )
    .unwrap()
}

/// A real change set: a grid with a household, a resident and a visit.
fn sample_change_set() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let source = store(&dir, "source");
    let grid = source
        .create_grid(GridInput {
            code: "330106001001001".into(),
            name: "网格".into(),
            community: None,
            street: None,
            boundary: None,
        })
        .unwrap();
    let building = source
        .create_building(
            &grid,
            BuildingInput {
                number: "1栋".into(),
                estate: None,
                units: 1,
                floors: 6,
                location: None,
            },
        )
        .unwrap();
    let household = source
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
    source
        .log_visit(VisitInput {
            household_id: household,
            at: Timestamp {
                utc_ms: 1_760_000_000_000,
                offset_minutes: 480,
            },
            kind: VisitKind::Routine,
            outcome: VisitOutcome::Met,
            residents_seen: vec![],
            notes: Some("正常".into()),
            findings: vec![],
            gps: None,
        })
        .unwrap();
    source.export_since(0).unwrap().bytes
}

fn check_import(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let target = store(&dir, "target");
    let before = target.query_table_dump().unwrap();
    match target.import(bytes) {
        Ok(_) => {
            // Whatever was accepted must be a consistent state.
            let after = target.query_table_dump().unwrap();
            target.rebuild().unwrap();
            assert_eq!(target.query_table_dump().unwrap(), after);
        }
        Err(Error::MalformedChanges(_)) => {
            assert_eq!(
                target.query_table_dump().unwrap(),
                before,
                "a refused set changed the store"
            );
        }
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_are_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_import(&bytes);
    }

    #[test]
    fn corrupted_change_sets_never_panic_or_half_apply(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
        reseal in any::<bool>(),
    ) {
        let mut bytes = sample_change_set();
        let body = bytes.len() - 4;
        for (index, mask) in flips {
            let position = index.index(body);
            bytes[position] ^= mask;
        }
        if reseal {
            // A valid CRC over damaged content: the decoder itself must cope.
            let mut crc = flate2::Crc::new();
            crc.update(&bytes[..body]);
            bytes[body..].copy_from_slice(&crc.sum().to_le_bytes());
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        check_import(&bytes);
    }
}
