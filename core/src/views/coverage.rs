//! Visit coverage (走访覆盖率): the share of a grid's households that a
//! visit reached in a week, a month or a quarter, the rhythm of 周例会,
//! 月抽查 and 季走访.
//!
//! - **In scope** are the grid's households whose status is active, the
//!   same households the visit plan (`visits_due`) draws from: a household
//!   that moved out is no longer knocked on. Status is read as it is now;
//!   the query tables keep no history of it. No policy is applied: a
//!   household the plan leaves out (a policy without a general interval)
//!   still counts here.
//! - **Reached** means at least one visit with an outcome of
//!   [`REACHING_OUTCOMES`](crate::kinds::REACHING_OUTCOMES) (met, vacant,
//!   moved away) on a local date inside the period, by any worker. Nobody
//!   home and refused leave a household unreached, as they leave it due.
//! - **Shares** are per mille, rounded down, so 1000 means every household
//!   was reached; `None` when nothing was in scope.
//! - **Tiers** are the care categories the visit plan gives intervals to:
//!   a household counts once in each category one of its active members
//!   holds, and in `general` when none does, so the tiers may add up to more
//!   than the grid.
//!
//! Per worker there is only the list of households that worker reached
//! ([`Store::households_reached_by`]): nothing here compares workers, ranks
//! them or measures time online.
//!
//! To count another breakdown: select its key in `COVERAGE_SQL`, add a
//! field of rows to [`VisitCoverage`] and fill it in [`tally`].

use std::collections::BTreeMap;

use rusqlite::params;

use super::{grid_exists, instant_bounds, reaching_outcomes_sql};
use crate::code_list::code_enum;
use crate::error::Result;
use crate::kinds::codes::CARE_CATEGORIES;
use crate::store::Store;
use crate::store::rows::date;
use crate::validate::Date;

/// The tier of households with no active member in a care category.
pub const GENERAL_TIER: &str = "general";

code_enum!(
    /// The period a coverage figure counts over: the one containing the day asked about.
    CoveragePeriod, fallback Month, {
        /// The ISO week, Monday to Sunday (周).
        Week = "week", "本周";
        /// The calendar month (月).
        Month = "month", "本月";
        /// The calendar quarter (季度).
        Quarter = "quarter", "本季度";
    }
);

impl CoveragePeriod {
    /// The first and last day of the period containing `day`.
    pub fn bounds(self, day: Date) -> (Date, Date) {
        let first_of = |year: i32, month: u8| Date::new(year, month, 1).unwrap_or(day);
        let month_after = |year: i32, month: u8| {
            if month >= 12 {
                first_of(year + 1, 1)
            } else {
                first_of(year, month + 1)
            }
        };
        match self {
            CoveragePeriod::Week => {
                // 1970-01-01 was a Thursday: three days after a Monday.
                let weekday = (day.days_since_epoch() + 3).rem_euclid(7);
                let monday = day.add_days(-weekday);
                (monday, monday.add_days(6))
            }
            CoveragePeriod::Month => (
                first_of(day.year(), day.month()),
                month_after(day.year(), day.month()).add_days(-1),
            ),
            CoveragePeriod::Quarter => {
                let first_month = (day.quarter() - 1) * 3 + 1;
                (
                    first_of(day.year(), first_month),
                    month_after(day.year(), first_month + 2).add_days(-1),
                )
            }
        }
    }
}

/// Households reached out of households in scope, for one tier or building.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TierCoverage {
    /// A care category code, or `general` for households with none.
    pub tier: String,
    /// Households in scope in the tier.
    pub households: i64,
    /// Of those, reached in the period.
    pub reached: i64,
    /// `reached` per mille of `households`, rounded down; `None` when no households.
    pub share_per_mille: Option<i32>,
}

/// One building's households reached in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BuildingCoverage {
    /// The building's id.
    pub building_id: String,
    /// Its number or name, for display ("3栋").
    pub number: String,
    /// Households in scope in the building.
    pub households: i64,
    /// Of those, reached in the period.
    pub reached: i64,
    /// `reached` per mille of `households`, rounded down; `None` when no households.
    pub share_per_mille: Option<i32>,
}

/// A grid's visit coverage over one period (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VisitCoverage {
    /// The grid.
    pub grid_id: String,
    /// The period asked for.
    pub period: CoveragePeriod,
    /// Its first day.
    pub from: Date,
    /// Its last day (it may lie after today: the period is the whole one).
    pub to: Date,
    /// Active households of the grid.
    pub households: i64,
    /// Of those, reached by a visit in the period.
    pub reached: i64,
    /// `reached` per mille of `households`, rounded down; `None` when no households.
    pub share_per_mille: Option<i32>,
    /// By care tier: the care categories in their catalogue order, then
    /// `general`; tiers without households left out.
    pub by_tier: Vec<TierCoverage>,
    /// By building, in roster order: every building of the grid that is not
    /// retired, and any other that holds households in scope.
    pub by_building: Vec<BuildingCoverage>,
}

/// A household one worker reached in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReachedHousehold {
    /// The household.
    pub household_id: String,
    /// Its building.
    pub building_id: String,
    /// Its address: estate, building, unit and room.
    pub address: String,
    /// The worker's visits that reached it in the period.
    pub visits: i64,
    /// The last day in the period the worker reached it.
    pub last_reached_on: Date,
}

/// Per mille, rounded down; `None` of nothing.
pub(super) fn per_mille(part: i64, whole: i64) -> Option<i32> {
    (whole > 0).then(|| i32::try_from(part.saturating_mul(1000) / whole).unwrap_or(i32::MAX))
}

/// One household in scope: its building and tiers, and whether it was reached.
struct InScope {
    building_id: String,
    building_number: String,
    building_key: String,
    tiers: Vec<String>,
    reached: bool,
}

/// The households in scope: ?1 the grid, ?2 and ?3 the period's days, ?4
/// and ?5 the instants around them ([`instant_bounds`]).
const COVERAGE_SQL: &str = "SELECT h.building_id, h.building_number, h.building_key,
        (SELECT group_concat(category) FROM (
            SELECT DISTINCT c.category FROM residents r
            JOIN resident_care c ON c.resident_id = r.id
            WHERE r.household_id = h.id AND r.status = 'active')),
        EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id
            AND v.at_ms >= ?4 AND v.at_ms < ?5
            AND v.local_date BETWEEN ?2 AND ?3 AND v.outcome IN (OUTCOMES))
     FROM households h
     WHERE h.grid_id = ?1 AND h.status = 'active'";

impl Store {
    /// The share of a grid's active households that a visit reached in the
    /// week, month or quarter containing `today`: overall, by care tier and
    /// by building. See the module docs for what counts.
    pub fn visit_coverage(
        &self,
        grid_id: &str,
        today: Date,
        period: CoveragePeriod,
    ) -> Result<VisitCoverage> {
        let (from, to) = period.bounds(today);
        let (start, end) = instant_bounds(from, to);
        let (households, buildings) = self.read(|conn| {
            grid_exists(conn, grid_id)?;
            let sql = COVERAGE_SQL.replace("OUTCOMES", &reaching_outcomes_sql());
            let households = conn
                .prepare_cached(&sql)?
                .query_map(
                    params![grid_id, from.to_string(), to.to_string(), start, end],
                    |r| {
                        let tiers: Option<String> = r.get(3)?;
                        Ok(InScope {
                            building_id: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                            building_number: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                            building_key: r.get(2)?,
                            tiers: tiers
                                .map(|t| t.split(',').map(str::to_string).collect())
                                .unwrap_or_default(),
                            reached: r.get(4)?,
                        })
                    },
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let buildings = conn
                .prepare_cached(
                    "SELECT id, number, sort_key FROM buildings WHERE grid_id = ?1 AND retired = 0",
                )?
                .query_map([grid_id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        r.get::<_, String>(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((households, buildings))
        })?;
        Ok(tally(grid_id, period, (from, to), &households, buildings))
    }

    /// The households of a grid that `worker_id` reached by a visit in the
    /// week, month or quarter containing `today`, in roster order, with how
    /// many of the worker's visits reached each. Only that worker's own
    /// work: a household another worker reached is not listed, and nothing
    /// compares workers. A household that has moved out since is listed.
    pub fn households_reached_by(
        &self,
        worker_id: &str,
        grid_id: &str,
        today: Date,
        period: CoveragePeriod,
    ) -> Result<Vec<ReachedHousehold>> {
        let (from, to) = period.bounds(today);
        let (start, end) = instant_bounds(from, to);
        self.read(|conn| {
            grid_exists(conn, grid_id)?;
            let sql = format!(
                "SELECT h.id, h.building_id, h.address_text, count(*), max(v.local_date)
                 FROM visits v JOIN households h ON h.id = v.household_id
                 WHERE v.worker_id = ?1 AND h.grid_id = ?2
                   AND v.at_ms >= ?5 AND v.at_ms < ?6
                   AND v.local_date BETWEEN ?3 AND ?4 AND v.outcome IN ({})
                 GROUP BY h.id
                 ORDER BY h.building_key, h.unit_key, h.floor, h.room_key, h.id",
                reaching_outcomes_sql()
            );
            Ok(conn
                .prepare_cached(&sql)?
                .query_map(
                    params![
                        worker_id,
                        grid_id,
                        from.to_string(),
                        to.to_string(),
                        start,
                        end
                    ],
                    |r| {
                        Ok(ReachedHousehold {
                            household_id: r.get(0)?,
                            building_id: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                            address: r.get(2)?,
                            visits: r.get(3)?,
                            last_reached_on: date(r.get(4)?).unwrap_or(from),
                        })
                    },
                )?
                .collect::<rusqlite::Result<_>>()?)
        })
    }
}

/// Counts the households in scope overall, by tier and by building.
fn tally(
    grid_id: &str,
    period: CoveragePeriod,
    (from, to): (Date, Date),
    households: &[InScope],
    buildings: Vec<(String, String, String)>,
) -> VisitCoverage {
    let mut tiers: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    // id → (sort key, number, households, reached)
    let mut by_building: BTreeMap<String, (String, String, i64, i64)> = buildings
        .into_iter()
        .map(|(id, number, key)| (id, (key, number, 0, 0)))
        .collect();
    for h in households {
        let reached = i64::from(h.reached);
        let names: Vec<&str> = if h.tiers.is_empty() {
            vec![GENERAL_TIER]
        } else {
            h.tiers.iter().map(String::as_str).collect()
        };
        for tier in names {
            let entry = tiers.entry(tier).or_default();
            entry.0 += 1;
            entry.1 += reached;
        }
        let entry = by_building
            .entry(h.building_id.clone())
            .or_insert_with(|| (h.building_key.clone(), h.building_number.clone(), 0, 0));
        entry.2 += 1;
        entry.3 += reached;
    }
    // Catalogue order, then categories this build does not list, then general.
    let rank = |tier: &str| {
        CARE_CATEGORIES
            .iter()
            .position(|(code, _)| *code == tier)
            .unwrap_or(if tier == GENERAL_TIER {
                usize::MAX
            } else {
                CARE_CATEGORIES.len()
            })
    };
    let mut by_tier: Vec<TierCoverage> = tiers
        .into_iter()
        .map(|(tier, (households, reached))| TierCoverage {
            tier: tier.to_string(),
            households,
            reached,
            share_per_mille: per_mille(reached, households),
        })
        .collect();
    by_tier.sort_by_key(|t| rank(&t.tier));
    let mut by_building: Vec<(String, String, String, i64, i64)> = by_building
        .into_iter()
        .map(|(id, (key, number, households, reached))| (key, id, number, households, reached))
        .collect();
    by_building.sort();
    let total = i64::try_from(households.len()).unwrap_or(i64::MAX);
    let reached = households.iter().filter(|h| h.reached).count();
    let reached = i64::try_from(reached).unwrap_or(i64::MAX);
    VisitCoverage {
        grid_id: grid_id.to_string(),
        period,
        from,
        to,
        households: total,
        reached,
        share_per_mille: per_mille(reached, total),
        by_tier,
        by_building: by_building
            .into_iter()
            .map(
                |(_, building_id, number, households, reached)| BuildingCoverage {
                    building_id,
                    number,
                    households,
                    reached,
                    share_per_mille: per_mille(reached, households),
                },
            )
            .collect(),
    }
}
