//! Search by pinyin through the store: full pinyin, initials and mixes find
//! a resident, polyphonic surnames read as surnames, and the hits rank
//! whole names before beginnings and beginnings before the rest.

use super::*;

fn resident(store: &Store, household: &str, name: &str) -> String {
    store
        .create_resident(ResidentInput {
            id_number: None,
            phones: vec![],
            ..resident_input(household, name)
        })
        .unwrap()
}

/// (resident id, how it matched) of a search's hits.
fn hits(store: &Store, grid: &str, query: &str) -> Vec<(String, SearchMatch)> {
    store
        .search(grid, query, 20)
        .unwrap()
        .into_iter()
        .map(|h| (h.resident_id.unwrap_or_default(), h.matched))
        .collect()
}

#[test]
fn pinyin_initials_and_mixes_find_residents_ranked() {
    let (_dir, store, f) = one_worker("w1");
    let zhang_san = resident(&store, &f.household, "张三");
    let zhang_shan = resident(&store, &f.household, "张善文");
    let zeng = resident(&store, &f.household, "曾小红");
    let wang = resident(&store, &f.household, "王秀英");
    for query in ["zs", "zhangs", "zhangsan", "张s", "Zhang San"] {
        let found = hits(&store, &f.grid, query);
        assert_eq!(
            found.first(),
            Some(&(zhang_san.clone(), SearchMatch::Pinyin)),
            "{query}"
        );
    }
    // zs reads 张三 whole and begins 张善文.
    assert_eq!(
        hits(&store, &f.grid, "zs"),
        vec![
            (zhang_san.clone(), SearchMatch::Pinyin),
            (zhang_shan.clone(), SearchMatch::Pinyin)
        ]
    );
    assert_eq!(
        hits(&store, &f.grid, "zengxh"),
        vec![(zeng, SearchMatch::Pinyin)]
    );
    // The fixture's 张秀英 and 王秀英 both hold 秀英.
    let sorted = |mut v: Vec<(String, SearchMatch)>| {
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert_eq!(
        sorted(hits(&store, &f.grid, "xiuying")),
        sorted(vec![
            (f.head.clone(), SearchMatch::Pinyin),
            (wang.clone(), SearchMatch::Pinyin)
        ])
    );
    // The name typed in hanzi is a name hit, never doubled by pinyin.
    assert_eq!(
        sorted(hits(&store, &f.grid, "秀英")),
        sorted(vec![
            (f.head.clone(), SearchMatch::Name),
            (wang, SearchMatch::Name)
        ])
    );
    assert!(hits(&store, &f.grid, "qqq").is_empty());
    // The limit holds across name and pinyin hits.
    assert_eq!(store.search(&f.grid, "z", 1).unwrap().len(), 1);
}
