//! Reading the report's data from a phone's store, through the public
//! `Store` API: the map ([`map_on`], `Store::grid_map` in WGS-84), the
//! month-to-date coverage a day ends with ([`coverage_on`]), the volunteers' points ([`volunteer_points`]), visits per
//! building ([`visits_per_building`]); and the privacy check of a finished
//! page against the store's roster ([`personal_data_in`], which reads the
//! roster unmasked through a logged export).
//!
//! To report something new from a store, add a function here returning
//! its data struct (defined in `mod.rs`).

use std::collections::BTreeMap;

use gridbook::codes::{CodeList, PointsEntryKind, RevealPurpose};
use gridbook::spatial::CoordSystem;
use gridbook::validate::{mask_id_number, mask_name, mask_phone};
use gridbook::{Date, ExportFormat, ExportOptions, Masking, RevealReason, Store, VisitPolicy};

use super::features::MapFeatures;
use super::{BuildingVisits, CoverageDay, PointsRow, VolunteerPoints};
use crate::sim::SimError;
use crate::timefmt::local_instant;

/// China Standard Time, as the simulation's phones keep it.
const OFFSET: i32 = 480;

/// The grid's map as `store` draws it at the end of `date` (the visit plan
/// of that day, warning lights at 23:59): the GeoJSON and its features.
pub fn map_on(store: &Store, grid: &str, date: Date) -> Result<(String, MapFeatures), SimError> {
    let geojson = store.grid_map(
        grid,
        date,
        &VisitPolicy::default(),
        local_instant(date, 24 * 60 - 1, OFFSET),
        CoordSystem::Wgs84,
    )?;
    let features = MapFeatures::parse(&geojson)?;
    Ok((geojson, features))
}

/// Households reached month-to-date over households, as `store` sees them
/// at the end of `date`: the map's `reachedThisMonth` and `households`
/// summed over its buildings.
pub fn coverage_on(store: &Store, grid: &str, date: Date) -> Result<CoverageDay, SimError> {
    let (_, map) = map_on(store, grid, date)?;
    let (reached, households) = map.coverage();
    Ok(CoverageDay {
        date,
        reached,
        households,
    })
}

/// Visits on or after `since` to the households of each building of the
/// grid's roster, in the order of `Store::buildings`.
pub fn visits_per_building(
    store: &Store,
    grid: &str,
    since: Date,
) -> Result<Vec<BuildingVisits>, SimError> {
    let mut by_building: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for row in store.roster(grid)? {
        let visits = store
            .household(&row.household.id)?
            .visits
            .iter()
            .filter(|v| v.at.local_date() >= since)
            .count();
        let entry = by_building
            .entry(row.household.building_id.clone())
            .or_default();
        entry.0 += 1;
        entry.1 += visits as u64;
    }
    Ok(store
        .buildings(grid)?
        .into_iter()
        .filter(|b| !b.retired)
        .map(|b| {
            let (households, visits) = by_building.remove(&b.id).unwrap_or_default();
            BuildingVisits {
                number: b.number,
                households,
                visits,
            }
        })
        .collect())
}

/// One active resident's personal data, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalData {
    /// The name.
    pub name: String,
    /// The phones.
    pub phones: Vec<String>,
    /// The ID number, if recorded.
    pub id_number: Option<String>,
}

/// The personal data of the grid's active residents, read unmasked the way
/// the API allows: one unmasked export by the grid head, for the stated
/// purpose, on the grid's reveal log.
pub fn roster_personal_data(store: &Store, grid: &str) -> Result<Vec<PersonalData>, SimError> {
    let options = ExportOptions {
        masking: Masking::Unmasked {
            reason: RevealReason {
                purpose: RevealPurpose::Other,
                note: "检查报告页面不含居民个人信息".into(),
            },
        },
    };
    let file = store.export(grid, "roster_grid_worker", ExportFormat::Csv, options)?;
    let text = String::from_utf8(file.bytes).map_err(|_| "the export is not UTF-8")?;
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format!("the export has no column {name}"))
    };
    let (name, id, phones) = (
        column("姓名")?,
        column("公民身份号码")?,
        column("联系电话")?,
    );
    let mut people = Vec::new();
    // Names, ID numbers and phones hold no comma or quote, so the rows
    // split on commas; the last row is the summary (合计).
    for line in lines.take(usize::try_from(file.rows).unwrap_or(usize::MAX)) {
        let cells: Vec<&str> = line.split(',').collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or_default().to_string();
        people.push(PersonalData {
            name: cell(name),
            phones: cell(phones)
                .split('、')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
            id_number: Some(cell(id)).filter(|i| !i.is_empty()),
        });
    }
    Ok(people)
}

/// The personal data of `store`'s roster for `grid` that `html` contains:
/// active residents' names, phones (as stored and as bare digits) and ID
/// numbers ([`roster_personal_data`]). Returned masked, so that a failure
/// message does not leak them either; empty when the page is clean.
pub fn personal_data_in(html: &str, store: &Store, grid: &str) -> Result<Vec<String>, SimError> {
    let mut found = Vec::new();
    for resident in roster_personal_data(store, grid)? {
        if resident.name.chars().count() >= 2 && html.contains(resident.name.as_str()) {
            found.push(format!("姓名 name {}", mask_name(&resident.name)));
        }
        for phone in &resident.phones {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            if (phone.len() >= 5 && html.contains(phone.as_str()))
                || (digits.len() >= 7 && html.contains(digits.as_str()))
            {
                found.push(format!("电话 phone {}", mask_phone(phone)));
            }
        }
        if let Some(id) = resident.id_number.as_deref().filter(|id| id.len() >= 6)
            && html.contains(id)
        {
            found.push(format!("身份证号 ID number {}", mask_id_number(id)));
        }
    }
    Ok(found)
}

/// The volunteers' points as `store` holds them on `last`: the board of
/// that day's month with each volunteer's balance, and the service, awards
/// and exchanges dated from `first` to `last`.
pub fn volunteer_points(
    store: &Store,
    grid: &str,
    first: Date,
    last: Date,
) -> Result<VolunteerPoints, SimError> {
    let mut points = VolunteerPoints::default();
    let mut balances = BTreeMap::new();
    for volunteer in store.volunteers(grid)? {
        let account = store.points_account(grid, &volunteer.volunteer_id, last)?;
        balances.insert(volunteer.volunteer_id, account.balance);
        for entry in account.entries.iter().filter(|e| e.on >= first) {
            match entry.kind {
                PointsEntryKind::Service => points.service += entry.points,
                PointsEntryKind::Award => {
                    points.awarded += entry.points;
                    points.award_entries += 1;
                }
                PointsEntryKind::Spend => {
                    points.spent -= entry.points;
                    points.spend_entries += 1;
                }
                PointsEntryKind::Expiry => {}
            }
        }
    }
    for standing in store.points_board(grid, last, 20)? {
        // The board lists volunteers only, whose balances are read above.
        let balance = balances
            .get(&standing.volunteer.volunteer_id)
            .copied()
            .unwrap_or_default();
        points.rows.push(PointsRow {
            place: standing.place,
            display_name: standing.volunteer.display_name,
            source: standing.volunteer.source.label().to_string(),
            month_points: standing.points,
            balance,
        });
    }
    Ok(points)
}
