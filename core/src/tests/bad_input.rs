use super::*;
use crate::{Error, InvalidReason, RecordKind};

fn assert_invalid<T: std::fmt::Debug>(
    result: crate::Result<T>,
    field: &str,
    reason: InvalidReason,
) {
    match result {
        Err(Error::Invalid {
            field: f,
            reason: r,
        }) => {
            assert_eq!((f, r), (field, reason));
        }
        other => panic!("expected invalid {field}, got {other:?}"),
    }
}

#[test]
fn every_invalid_value_is_named_and_nothing_is_stored() {
    let (_dir, store, f) = one_worker("w1");
    let dump = store.query_table_dump().unwrap();
    let chunks = chunk_count(&store);

    let mut r = resident_input(&f.household, "  ");
    assert_invalid(
        store.create_resident(r.clone()),
        "name",
        InvalidReason::Empty,
    );
    r.name = "李四".into();
    r.id_number = Some("110105194912310021".into());
    assert_invalid(
        store.create_resident(r.clone()),
        "id_number",
        InvalidReason::IdNumberCheckDigit,
    );
    r.id_number = None;
    r.birth_date = Some(store.today().add_days(1));
    assert_invalid(
        store.create_resident(r.clone()),
        "birth_date",
        InvalidReason::InFuture,
    );
    r.birth_date = None;
    r.phones = vec!["12345".into()];
    assert_invalid(
        store.create_resident(r.clone()),
        "phones",
        InvalidReason::Phone,
    );
    r.phones = vec![];
    r.relation = "98".into();
    assert_invalid(
        store.create_resident(r.clone()),
        "relation",
        InvalidReason::UnknownCode,
    );
    r.relation = "10".into();
    r.household_id = "00000000-0000-0000-0000-000000000000".into();
    assert!(matches!(
        store.create_resident(r),
        Err(Error::NotFound {
            kind: RecordKind::Household,
            ..
        })
    ));

    let mut v = visit_input(&f.household);
    v.gps = Some(GpsFix {
        point: GeoPoint {
            lon: 181.0,
            lat: 30.0,
        },
        accuracy_m: 5.0,
    });
    assert_invalid(
        store.log_visit(v.clone()),
        "gps.lon",
        InvalidReason::OutOfRange,
    );
    v.gps = Some(GpsFix {
        point: GeoPoint {
            lon: 120.0,
            lat: f64::NAN,
        },
        accuracy_m: 5.0,
    });
    assert_invalid(
        store.log_visit(v.clone()),
        "gps.lat",
        InvalidReason::NotFinite,
    );
    v.gps = None;
    v.at.utc_ms += 86_400_000;
    assert_invalid(store.log_visit(v.clone()), "at", InvalidReason::InFuture);
    v.at = now_local();
    v.residents_seen = vec!["not-a-member".into()];
    assert!(matches!(
        store.log_visit(v),
        Err(Error::NotFound {
            kind: RecordKind::Resident,
            ..
        })
    ));

    let team = store.create_patrol_team(&f.grid, "队", vec![]);
    let team = team.unwrap();
    let dump_with_team = store.query_table_dump().unwrap();
    let chunks_with_team = chunk_count(&store);
    assert_invalid(
        store.create_shift(shift_input(&team, store.today(), (20, 0), (18, 0), &[])),
        "ends",
        InvalidReason::EndsBeforeStart,
    );
    assert_invalid(
        store.create_building(
            &f.grid,
            BuildingInput {
                units: 0,
                ..building_input("9栋")
            },
        ),
        "units",
        InvalidReason::OutOfRange,
    );
    assert_eq!(store.query_table_dump().unwrap(), dump_with_team);
    assert_eq!(chunk_count(&store), chunks_with_team);
    assert_ne!(dump, dump_with_team);
    let _ = chunks;
}

#[test]
fn corrupt_or_truncated_change_sets_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir, "a");
    let b = open(&dir, "b");
    let f = fixture(&a);
    for _ in 0..3 {
        a.log_visit(visit_input(&f.household)).unwrap();
    }
    let good = a.export_since(0).unwrap().bytes;
    let empty = b.query_table_dump().unwrap();
    // Every truncation, and a byte flipped at many positions, must fail cleanly.
    for cut in (0..good.len()).step_by(7) {
        let result = b.import(&good[..cut]);
        assert!(
            matches!(result, Err(Error::MalformedChanges(_))),
            "cut at {cut}: {result:?}"
        );
    }
    // A flipped byte anywhere, even one that still parses (a document id
    // naming another valid document), fails the set's CRC.
    for position in (0..good.len()).step_by(13) {
        let mut bad = good.clone();
        bad[position] ^= 0x5a;
        let result = b.import(&bad);
        assert!(
            matches!(result, Err(Error::MalformedChanges(_))),
            "position {position}: {result:?}"
        );
        assert_eq!(b.query_table_dump().unwrap(), empty, "flip at {position}");
        assert_eq!(chunk_count(&b), 0);
    }
    assert!(matches!(
        b.import(b"garbage"),
        Err(Error::MalformedChanges(_))
    ));
    assert!(matches!(b.import(&[]), Err(Error::MalformedChanges(_))));
    b.import(&good).unwrap();
    assert_eq!(a.query_table_dump().unwrap(), b.query_table_dump().unwrap());
}

#[test]
fn another_workers_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Store::open(&path, identity("w1")).unwrap());
    assert!(matches!(
        Store::open(&path, identity("w2")),
        Err(Error::WorkerMismatch)
    ));
}

#[test]
fn a_checkin_needs_a_member_of_the_shift_and_a_checkpoint_of_its_route() {
    let (_dir, store, f) = one_worker("w1");
    let team = store
        .create_patrol_team(
            &f.grid,
            "夜巡队",
            vec![TeamMember {
                member_id: "v-team".into(),
                name: "队员".into(),
            }],
        )
        .unwrap();
    let shift = store
        .create_shift(shift_input(
            &team,
            store.today(),
            (0, 0),
            (23, 59),
            &["东门"],
        ))
        .unwrap();
    store.assign_to_shift(&shift, "v-guest").unwrap();
    let checkin = |member: &str, checkpoint: &str| {
        store.record_checkin(CheckinInput {
            shift_id: shift.clone(),
            member_id: member.into(),
            at: now_local(),
            checkpoint: checkpoint.into(),
            gps: None,
        })
    };
    let before = store.query_table_dump().unwrap();
    assert_invalid(
        checkin("v-stranger", "东门"),
        "member_id",
        InvalidReason::NotOnShift,
    );
    assert_invalid(
        checkin("v-team", "西门"),
        "checkpoint",
        InvalidReason::UnknownCode,
    );
    assert_eq!(store.query_table_dump().unwrap(), before);
    checkin("v-team", "东门").unwrap();
    checkin("v-guest", "东门").unwrap();
    assert_eq!(store.shift_checkins(&shift).unwrap().len(), 2);
}

#[test]
fn retired_buildings_and_cancelled_shifts_take_no_new_records() {
    let (_dir, store, f) = one_worker("w1");
    store.retire_building(&f.building).unwrap();
    assert!(matches!(
        store.create_household(household_input(&f.building, "601")),
        Err(Error::Retired {
            kind: RecordKind::Building,
            ..
        })
    ));
    let team = store.create_patrol_team(&f.grid, "队", vec![]).unwrap();
    let shift = store
        .create_shift(shift_input(
            &team,
            store.today(),
            (18, 0),
            (20, 0),
            &["东门"],
        ))
        .unwrap();
    store.cancel_shift(&shift).unwrap();
    assert!(matches!(
        store.assign_to_shift(&shift, "v1"),
        Err(Error::Retired {
            kind: RecordKind::Shift,
            ..
        })
    ));
    store.retire_grid(&f.grid).unwrap();
    assert!(matches!(
        store.create_building(&f.grid, building_input("9栋")),
        Err(Error::Retired {
            kind: RecordKind::Grid,
            ..
        })
    ));
}
