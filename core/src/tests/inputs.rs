//! Records converted back to their inputs (`to_input`): an edit screen
//! starts from the record as read, so passing it back unchanged must leave
//! the record exactly as it was and queue no change for the server, and
//! changing one field must change that field only.

use super::*;

/// Changes this device has not sent yet.
fn unsent(store: &Store) -> i64 {
    store.sync_status().unwrap().unsent_changes
}

fn grid(store: &Store, id: &str) -> Grid {
    store
        .grids()
        .unwrap()
        .into_iter()
        .find(|g| g.id == id)
        .unwrap()
}

fn building(store: &Store, grid_id: &str, id: &str) -> Building {
    store
        .buildings(grid_id)
        .unwrap()
        .into_iter()
        .find(|b| b.id == id)
        .unwrap()
}

#[test]
fn a_grid_passed_back_unchanged_changes_nothing() {
    let (_dir, store, f) = one_worker("w1");
    let input = GridInput {
        boundary: Some(vec![
            GeoPoint {
                lon: 120.1,
                lat: 30.28,
            },
            GeoPoint {
                lon: 120.2,
                lat: 30.28,
            },
            GeoPoint {
                lon: 120.15,
                lat: 30.3,
            },
        ]),
        ..grid_input()
    };
    store.update_grid(&f.grid, input.clone()).unwrap();
    let before = grid(&store, &f.grid);
    let queued = unsent(&store);

    assert_eq!(before.to_input(), input);
    store.update_grid(&f.grid, before.to_input()).unwrap();
    assert_eq!(grid(&store, &f.grid), before);
    assert_eq!(unsent(&store), queued);

    let renamed = GridInput {
        name: "文新二网格".into(),
        ..before.to_input()
    };
    store.update_grid(&f.grid, renamed).unwrap();
    assert_eq!(
        grid(&store, &f.grid),
        Grid {
            name: "文新二网格".into(),
            ..before
        }
    );
    assert_eq!(unsent(&store), queued + 1);
}

#[test]
fn a_building_passed_back_unchanged_changes_nothing() {
    let (_dir, store, f) = one_worker("w1");
    let before = building(&store, &f.grid, &f.building);
    let queued = unsent(&store);

    assert_eq!(before.to_input(), building_input("3栋"));
    store
        .update_building(&f.building, before.to_input())
        .unwrap();
    assert_eq!(building(&store, &f.grid, &f.building), before);
    assert_eq!(unsent(&store), queued);

    let taller = BuildingInput {
        floors: 7,
        ..before.to_input()
    };
    store.update_building(&f.building, taller).unwrap();
    assert_eq!(
        building(&store, &f.grid, &f.building),
        Building {
            floors: 7,
            ..before
        }
    );
    assert_eq!(unsent(&store), queued + 1);
}

#[test]
fn a_household_passed_back_unchanged_changes_nothing() {
    let (_dir, store, f) = one_worker("w1");
    let input = HouseholdInput {
        use_kind: DwellingUse::Rented,
        tags: vec!["rental".into(), "elderly".into()],
        location: Some(GeoPoint {
            lon: 120.11,
            lat: 30.29,
        }),
        notes: Some("租户常夜班".into()),
        ..household_input(&f.building, "502")
    };
    store.update_household(&f.household, input).unwrap();
    store.log_visit(visit_input(&f.household)).unwrap();
    let before = store.household(&f.household).unwrap();
    let queued = unsent(&store);

    // Tags come back sorted, the order the store keeps them in.
    assert_eq!(
        before.household.to_input(),
        HouseholdInput {
            use_kind: DwellingUse::Rented,
            tags: vec!["elderly".into(), "rental".into()],
            location: Some(GeoPoint {
                lon: 120.11,
                lat: 30.29,
            }),
            notes: Some("租户常夜班".into()),
            ..household_input(&f.building, "502")
        }
    );
    store
        .update_household(&f.household, before.household.to_input())
        .unwrap();
    assert_eq!(store.household(&f.household).unwrap(), before);
    assert_eq!(unsent(&store), queued);

    let without_notes = HouseholdInput {
        notes: None,
        ..before.household.to_input()
    };
    store.update_household(&f.household, without_notes).unwrap();
    let after = store.household(&f.household).unwrap();
    assert_eq!(
        after.household,
        Household {
            notes: None,
            ..before.household.clone()
        }
    );
    assert_eq!(unsent(&store), queued + 1);
}

#[test]
fn a_resident_passed_back_unchanged_changes_nothing() {
    let (_dir, store, f) = one_worker("w1");
    let input = ResidentInput {
        phones: vec!["13800138000".into(), "0571-87654321".into()],
        care: vec!["elderly_alone".into(), "disabled".into()],
        moved_in: Some(Date::new(2001, 3, 15).unwrap()),
        ..resident_input(&f.household, "张秀英")
    };
    store.update_resident(&f.head, input).unwrap();
    let before = store.resident(&f.head).unwrap();
    let queued = unsent(&store);

    let as_input = before.to_input();
    assert_eq!(as_input.household_id, f.household);
    assert_eq!(as_input.name, "张秀英");
    assert_eq!(as_input.id_number.as_deref(), Some("110105********002X"));
    assert_eq!(as_input.phones, before.phones);
    assert_eq!(as_input.care, vec!["disabled", "elderly_alone"]);
    assert_eq!(as_input.moved_in, Some(Date::new(2001, 3, 15).unwrap()));
    store.update_resident(&f.head, as_input).unwrap();
    assert_eq!(store.resident(&f.head).unwrap(), before);
    assert_eq!(unsent(&store), queued);

    let new_phone = ResidentInput {
        phones: vec!["13900139000".into()],
        ..before.to_input()
    };
    store.update_resident(&f.head, new_phone).unwrap();
    assert_eq!(
        store.resident(&f.head).unwrap(),
        Resident {
            phones: vec!["139****9000".into()],
            ..before
        }
    );
    assert_eq!(unsent(&store), queued + 1);
}

#[test]
fn a_visit_passed_back_unchanged_changes_nothing() {
    let (_dir, store, f) = one_worker("w1");
    // Five findings get random ids: read back in id order, they are almost
    // never in the order they were logged in.
    let findings = (1..=5)
        .map(|n| FindingInput {
            id: None,
            kind: FindingKind::Request,
            text: format!("诉求{n}"),
            resolution: Resolution::Open,
        })
        .collect();
    let input = VisitInput {
        residents_seen: vec![f.head.clone()],
        findings,
        ..visit_input(&f.household)
    };
    let id = store.log_visit(input).unwrap();
    let visit = |store: &Store| {
        store
            .household(&f.household)
            .unwrap()
            .visits
            .into_iter()
            .find(|v| v.id == id)
            .unwrap()
    };
    let before = visit(&store);
    let queued = unsent(&store);

    let as_input = before.to_input();
    assert_eq!(as_input.residents_seen, vec![f.head.clone()]);
    let finding_ids: Vec<Option<String>> = as_input.findings.iter().map(|x| x.id.clone()).collect();
    let read_ids: Vec<Option<String>> =
        before.findings.iter().map(|x| Some(x.id.clone())).collect();
    assert_eq!(finding_ids, read_ids);
    store.amend_visit(&id, as_input).unwrap();
    assert_eq!(visit(&store), before);
    assert_eq!(unsent(&store), queued);

    let mut solved = before.to_input();
    solved.findings[2].resolution = Resolution::SolvedOnSite;
    store.amend_visit(&id, solved).unwrap();
    let mut expected = before.clone();
    expected.findings[2].resolution = Resolution::SolvedOnSite;
    assert_eq!(visit(&store), expected);
    assert_eq!(unsent(&store), queued + 1);
}

#[test]
fn a_shift_converts_to_the_input_it_was_created_from() {
    let (_dir, store, f) = one_worker("w1");
    let team = store
        .create_patrol_team(
            &f.grid,
            "夜巡队",
            vec![TeamMember {
                member_id: "w1".into(),
                name: "w1 name".into(),
            }],
        )
        .unwrap();
    let today = store.today();
    let input = shift_input(&team, today, (19, 30), (21, 0), &["3栋", "南门"]);
    let id = store.create_shift(input.clone()).unwrap();
    let shift = store
        .shifts_on(&f.grid, today)
        .unwrap()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap();
    assert_eq!(shift.to_input(), input);

    // The same shift a week later: another shift, the same team, hours and route.
    let next_week = today.add_days(7);
    let copy = store
        .create_shift(ShiftInput {
            date: next_week,
            ..shift.to_input()
        })
        .unwrap();
    let copied = store
        .shifts_on(&f.grid, next_week)
        .unwrap()
        .into_iter()
        .find(|s| s.id == copy)
        .unwrap();
    assert_eq!(
        copied,
        Shift {
            id: copy.clone(),
            date: next_week,
            members: vec![],
            ..shift
        }
    );
}

#[test]
fn a_boundary_that_crosses_itself_is_refused_and_changes_nothing() {
    let (_dir, store, f) = one_worker("w1");
    let before = grid(&store, &f.grid);
    let queued = unsent(&store);
    let at = |lon: f64, lat: f64| GeoPoint { lon, lat };
    for ring in [
        // A bow tie.
        vec![
            at(120.0, 30.0),
            at(120.01, 30.01),
            at(120.01, 30.0),
            at(120.0, 30.01),
        ],
        // Points on one line enclose nothing.
        vec![at(120.0, 30.0), at(120.01, 30.0), at(120.02, 30.0)],
        vec![at(120.0, 30.0), at(120.01, 30.0)],
    ] {
        let refused = store.update_grid(
            &f.grid,
            GridInput {
                boundary: Some(ring),
                ..before.to_input()
            },
        );
        assert!(
            matches!(
                refused,
                Err(Error::Invalid {
                    field: "boundary",
                    reason: InvalidReason::NotSimpleRing
                })
            ),
            "{refused:?}"
        );
    }
    assert_eq!(grid(&store, &f.grid), before);
    assert_eq!(unsent(&store), queued);
}
