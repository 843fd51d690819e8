//! Every code an input names is checked against its list: an unknown care
//! category or relation code is `Invalid` with `UnknownCode` naming the
//! field, and nothing is written.

use super::*;
use crate::{Error, InvalidReason, VisitPolicy};

fn unknown_code<T: std::fmt::Debug>(result: crate::Result<T>) -> &'static str {
    match result {
        Err(Error::Invalid {
            field,
            reason: InvalidReason::UnknownCode,
        }) => field,
        other => panic!("expected UnknownCode, got {other:?}"),
    }
}

#[test]
fn a_care_category_not_in_the_catalogue_is_refused_and_nothing_is_written() {
    let (_dir, store, f) = one_worker("w1");
    let before = store.household(&f.household).unwrap();
    let typo = ResidentInput {
        care: vec!["elderly_alone".into(), "elderly".into()],
        ..resident_input(&f.household, "王芳")
    };
    assert_eq!(unknown_code(store.create_resident(typo.clone())), "care");
    assert_eq!(unknown_code(store.update_resident(&f.head, typo)), "care");
    assert_eq!(store.household(&f.household).unwrap(), before);
    assert_eq!(
        store.resident(&f.head).unwrap().care,
        vec!["elderly_alone".to_string()]
    );
    assert_eq!(
        unknown_code(store.residents_by_care(&f.grid, "elderly")),
        "category"
    );
    assert_eq!(
        store
            .residents_by_care(&f.grid, "elderly_alone")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_visit_policy_naming_an_unknown_category_is_refused() {
    let (_dir, store, f) = one_worker("w1");
    let mut policy = VisitPolicy::default();
    policy.category_interval_days.insert("elderly".into(), 7);
    assert_eq!(
        unknown_code(store.visits_due(&f.grid, store.today(), &policy)),
        "category"
    );
}

#[test]
fn a_relation_outside_gb_t_4761_is_refused() {
    let (_dir, store, f) = one_worker("w1");
    for relation in ["98", "00", "2", "户主", ""] {
        let input = ResidentInput {
            relation: relation.into(),
            ..resident_input(&f.household, "王芳")
        };
        assert_eq!(
            unknown_code(store.create_resident(input)),
            "relation",
            "{relation:?}"
        );
    }
    assert_eq!(store.household(&f.household).unwrap().members.len(), 1);
}
