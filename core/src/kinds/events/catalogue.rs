//! The events' two catalogues, shipped as versioned data embedded in the
//! library: the categories (大类/小类, `categories.json`) with each 小类's
//! handling time limit and close condition (结案标准), and the whistle levels
//! (常规哨/联合哨/攻坚哨, `whistle_levels.json`).
//!
//! A report naming a category code that is neither listed here nor the
//! grid's own (`settings.rs`) is `Invalid` on `category` and writes
//! nothing. A report stores its category's initial level and time limit as
//! they were when it was made, so a later catalogue version never changes
//! what an old event derives.
//!
//! To change a catalogue, edit its JSON and raise its `version`; never reuse a
//! shipped code for something else (old documents keep it). Category codes
//! are lower-case ASCII; `level` is the rank a new event of the category
//! starts at. Levels rank 1..=3 and only go up. Shipped codes never start
//! with `local_`, the prefix of a grid's own (a test keeps it so).

use std::sync::OnceLock;

use serde::Deserialize;

use super::{EventCategories, EventCategory, StoredLimit, WhistleLevel, WhistleLevels};
use crate::calendar::TimeLimit;

const CATEGORIES_JSON: &str = include_str!("categories.json");
const LEVELS_JSON: &str = include_str!("whistle_levels.json");

#[derive(Deserialize, Default)]
struct CategoryFile {
    version: i32,
    groups: Vec<GroupEntry>,
}

#[derive(Deserialize)]
struct GroupEntry {
    code: String,
    name: String,
    items: Vec<ItemEntry>,
}

#[derive(Deserialize)]
struct ItemEntry {
    code: String,
    name: String,
    limit: LimitEntry,
    close_condition: String,
    level: i32,
}

#[derive(Deserialize)]
struct LimitEntry {
    unit: String,
    amount: i32,
}

#[derive(Deserialize, Default)]
struct LevelFile {
    version: i32,
    levels: Vec<WhistleLevel>,
}

/// The category catalogue, parsed once. Embedded data that fails to parse
/// gives an empty catalogue (a test keeps that from shipping), never a panic.
pub(crate) fn categories() -> &'static EventCategories {
    static PARSED: OnceLock<EventCategories> = OnceLock::new();
    PARSED.get_or_init(|| {
        let file: CategoryFile = serde_json::from_str(CATEGORIES_JSON).unwrap_or_default();
        let categories = file
            .groups
            .into_iter()
            .flat_map(|group| {
                group.items.into_iter().map(move |item| EventCategory {
                    code: item.code,
                    name: item.name,
                    group_code: group.code.clone(),
                    group_name: group.name.clone(),
                    // A unit the file misspells reads as hours, never as nothing (a test keeps it from shipping).
                    limit: StoredLimit {
                        unit: item.limit.unit,
                        amount: item.limit.amount,
                    }
                    .read()
                    .unwrap_or(TimeLimit::Hours { hours: 24 }),
                    close_condition: item.close_condition,
                    initial_level: item.level,
                    local: false,
                })
            })
            .collect();
        EventCategories {
            version: file.version,
            categories,
        }
    })
}

/// The whistle levels, lowest rank first.
pub(crate) fn levels() -> &'static WhistleLevels {
    static PARSED: OnceLock<WhistleLevels> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut file: LevelFile = serde_json::from_str(LEVELS_JSON).unwrap_or_default();
        file.levels.sort_by_key(|level| level.rank);
        WhistleLevels {
            version: file.version,
            levels: file.levels,
        }
    })
}

/// The prefix of every code a grid gives its own categories and groups.
pub(crate) const LOCAL_PREFIX: &str = "local_";

/// The shipped category with this code.
pub(crate) fn category(code: &str) -> Option<&'static EventCategory> {
    categories().categories.iter().find(|c| c.code == code)
}

/// Whether `rank` is a whistle level of the catalogue.
pub(crate) fn is_level(rank: i32) -> bool {
    levels().levels.iter().any(|level| level.rank == rank)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogues_parse_with_unique_codes() {
        let all = categories();
        assert_eq!(all.version, 1);
        assert_eq!(all.categories.len(), 15);
        let mut codes: Vec<&str> = all.categories.iter().map(|c| c.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 15);
        assert!(
            all.categories
                .iter()
                .all(|c| !c.code.starts_with(LOCAL_PREFIX)
                    && !c.group_code.starts_with(LOCAL_PREFIX)
                    && !c.local)
        );
        let gas = category("gas_leak").unwrap();
        assert_eq!(
            (gas.name.as_str(), gas.group_name.as_str()),
            ("燃气泄漏", "安全隐患")
        );
        assert_eq!(gas.limit, TimeLimit::Hours { hours: 2 });
        let garbage = category("exposed_garbage").unwrap();
        assert_eq!(garbage.limit, TimeLimit::WorkingHours { hours: 4 });
        assert!(all.categories.iter().all(|c| is_level(c.initial_level)
            && StoredLimit::amount(c.limit) > 0
            && !c.close_condition.is_empty()));
        let levels = levels();
        assert_eq!(levels.version, 1);
        let ranks: Vec<(i32, &str)> = levels
            .levels
            .iter()
            .map(|l| (l.rank, l.code.as_str()))
            .collect();
        assert_eq!(ranks, vec![(1, "routine"), (2, "joint"), (3, "hard")]);
        assert!(!is_level(0) && !is_level(4));
    }

    #[test]
    fn limit_units_in_the_file_are_known_codes() {
        let file: CategoryFile = serde_json::from_str(CATEGORIES_JSON).unwrap();
        for group in file.groups {
            for item in group.items {
                assert!(
                    StoredLimit {
                        unit: item.limit.unit.clone(),
                        amount: item.limit.amount
                    }
                    .read()
                    .is_some(),
                    "{}",
                    item.code
                );
            }
        }
    }
}
