//! Search by address as people type it: 5-2-401, 5栋2单元401,
//! 5号楼2单元401室, 五栋; the households at exactly that address first,
//! then the text matches, each household once.

use super::*;

fn household(store: &Store, building: &str, unit: &str, room: &str) -> String {
    store
        .create_household(HouseholdInput {
            unit: unit.into(),
            ..household_input(building, room)
        })
        .unwrap()
}

/// (household id, how it matched) of a search's hits.
fn hits(store: &Store, grid: &str, query: &str) -> Vec<(String, SearchMatch)> {
    store
        .search(grid, query, 20)
        .unwrap()
        .into_iter()
        .map(|h| (h.household_id, h.matched))
        .collect()
}

#[test]
fn typed_address_forms_find_exactly_that_household_first() {
    let (_dir, store, f) = one_worker("w1");
    let fifth = store
        .create_building(&f.grid, building_input("5号楼"))
        .unwrap();
    let fifteenth = store
        .create_building(&f.grid, building_input("15栋"))
        .unwrap();
    let target = household(&store, &fifth, "2", "401");
    let same_stairwell = household(&store, &fifth, "2", "402");
    let other_unit = household(&store, &fifth, "1", "401");
    let look_alike = household(&store, &fifteenth, "2", "401");
    let address = |id: &str| (id.to_string(), SearchMatch::Address);
    for typed in ["5-2-401", "5号楼2单元401室", "五栋二单元401", "5幢2单元401"] {
        assert_eq!(
            hits(&store, &f.grid, typed),
            vec![address(&target)],
            "{typed}"
        );
    }
    // Typed as stored text it also lies inside 15栋's address: listed after.
    assert_eq!(
        hits(&store, &f.grid, "5栋2单元401"),
        vec![address(&target), address(&look_alike)]
    );
    // A building alone: its households in unit and room order, then none of
    // building 15's, which only contains the digit.
    assert_eq!(
        hits(&store, &f.grid, "五栋"),
        vec![
            address(&other_unit),
            address(&target),
            address(&same_stairwell)
        ]
    );
    assert_eq!(
        hits(&store, &f.grid, "5-2"),
        vec![address(&target), address(&same_stairwell)]
    );
    // A plain "401" is text: every household whose address holds it, once.
    let plain: Vec<String> = hits(&store, &f.grid, "401")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(plain.len(), 3);
    for id in [&target, &other_unit, &look_alike] {
        assert!(plain.contains(id));
    }
    // The exact address first, then text matches not already listed.
    let room = hits(&store, &f.grid, "401室");
    assert_eq!(room.len(), 3);
    assert!(room.iter().all(|(_, m)| *m == SearchMatch::Address));
    // The fixture's 3栋 is building 3 too.
    assert!(hits(&store, &f.grid, "3栋").contains(&address(&f.household)));
    assert_eq!(hits(&store, &f.grid, "9-9-909"), vec![]);
}
