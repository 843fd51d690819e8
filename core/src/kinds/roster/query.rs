//! The roster's reads: grids, buildings, the roster of households, residents,
//! search and building heads, with the row readers other kinds reuse
//! (`HOUSEHOLD_COLUMNS` and `household_row`, `RESIDENT_COLUMNS` and
//! `resident_row`). Like every query they run on the read-only connection
//! against the query tables and never load a document. To add one, write a
//! method of [`Store`] here with plain SQL over the roster's tables, and give
//! it an index in a migration if it filters on a new column.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{
    Building, Grid, HeadAppointment, HeadPerson, Household, Resident, RosterRow, SearchHit,
    SearchMatch,
};
use crate::code_list::CodeList;
use crate::error::{Error, Result};
use crate::kinds::RecordKind;
use crate::store::Store;
use crate::store::rows::{date, point, saturating_i32, split_list};
use crate::validate::{Date, mask_name};
use crate::values::{GeoPoint, Timestamp};

pub(crate) const HOUSEHOLD_COLUMNS: &str =
    "h.id, h.grid_id, h.building_id, h.building_number, h.unit, h.floor, h.room,
    h.use_kind, h.status, h.tags, h.lon, h.lat, h.notes, h.head_id";

pub(crate) fn household_row(row: &Row) -> rusqlite::Result<Household> {
    Ok(Household {
        id: row.get(0)?,
        grid_id: row.get(1)?,
        building_id: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
        building_number: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
        unit: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
        floor: row
            .get::<_, Option<i64>>(5)?
            .and_then(|f| i32::try_from(f).ok())
            .unwrap_or(0),
        room: row.get::<_, Option<String>>(6)?.unwrap_or_default(),
        use_kind: CodeList::from_code_or_default(row.get::<_, Option<String>>(7)?.as_deref()),
        status: CodeList::from_code_or_default(row.get::<_, Option<String>>(8)?.as_deref()),
        tags: split_list(row.get(9)?),
        location: point(row.get(10)?, row.get(11)?),
        notes: row.get(12)?,
        head_id: row.get(13)?,
    })
}

/// A roster row from [`HOUSEHOLD_COLUMNS`] followed by `h.member_count,
/// h.last_visit_ms, h.last_visit_offset` (columns 14 to 16).
pub(crate) fn roster_row(row: &Row) -> rusqlite::Result<RosterRow> {
    let at: Option<i64> = row.get(15)?;
    let offset: Option<i64> = row.get(16)?;
    Ok(RosterRow {
        household: household_row(row)?,
        member_count: saturating_i32(row.get(14)?),
        last_visit: at.map(|utc_ms| Timestamp {
            utc_ms,
            offset_minutes: offset.and_then(|o| i32::try_from(o).ok()).unwrap_or(0),
        }),
    })
}

pub(crate) const RESIDENT_COLUMNS: &str =
    "r.id, r.grid_id, r.household_id, r.name, r.gender, r.birth_date,
    r.id_number, r.phones, r.relation, r.registration, r.residence_state, r.moved_in, r.moved_out,
    r.status, (SELECT group_concat(category, ',') FROM
        (SELECT category FROM resident_care c WHERE c.resident_id = r.id ORDER BY category))";

pub(crate) fn resident_row(row: &Row) -> rusqlite::Result<Resident> {
    Ok(Resident {
        id: row.get(0)?,
        grid_id: row.get(1)?,
        household_id: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
        name: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
        gender: CodeList::from_code_or_default(row.get::<_, Option<String>>(4)?.as_deref()),
        birth_date: date(row.get(5)?),
        id_number: row.get(6)?,
        phones: split_list(row.get(7)?),
        relation: row.get::<_, Option<String>>(8)?.unwrap_or_default(),
        registration: CodeList::from_code_or_default(row.get::<_, Option<String>>(9)?.as_deref()),
        residence_state: CodeList::from_code_or_default(
            row.get::<_, Option<String>>(10)?.as_deref(),
        ),
        moved_in: date(row.get(11)?),
        moved_out: date(row.get(12)?),
        status: CodeList::from_code_or_default(row.get::<_, Option<String>>(13)?.as_deref()),
        care: split_list(row.get(14)?),
    })
}

fn head_row(row: &Row) -> rusqlite::Result<HeadAppointment> {
    let resident: Option<String> = row.get(2)?;
    let volunteer: Option<String> = row.get(3)?;
    Ok(HeadAppointment {
        id: row.get(0)?,
        building_id: row.get(1)?,
        person: match resident {
            Some(id) => HeadPerson::Resident(id),
            None => HeadPerson::Volunteer(volunteer.unwrap_or_default()),
        },
        starts_on: date(row.get(4)?).unwrap_or_else(|| Date::from_days_since_epoch(0)),
        ends_on: date(row.get(5)?),
        is_current: row.get(6)?,
        appointed_by: row.get::<_, Option<String>>(7)?.unwrap_or_default(),
    })
}

const HEAD_COLUMNS: &str =
    "id, building_id, resident_id, volunteer_name, starts_on, ends_on, is_current, appointed_by";

fn building_row(row: &Row) -> rusqlite::Result<Building> {
    Ok(Building {
        id: row.get(0)?,
        grid_id: row.get(1)?,
        number: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
        estate: row.get(3)?,
        units: row
            .get::<_, Option<i64>>(4)?
            .and_then(|u| i32::try_from(u).ok())
            .unwrap_or(0),
        floors: row
            .get::<_, Option<i64>>(5)?
            .and_then(|u| i32::try_from(u).ok())
            .unwrap_or(0),
        location: point(row.get(6)?, row.get(7)?),
        retired: row.get(8)?,
    })
}

const BUILDING_COLUMNS: &str = "id, grid_id, number, estate, units, floors, lon, lat, retired";

impl Store {
    /// The grids in this store.
    pub fn grids(&self) -> Result<Vec<Grid>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT id, code, name, community, street, boundary, retired FROM grids ORDER BY code, id")?
                .query_map([], |r| {
                    let boundary: Option<String> = r.get(5)?;
                    Ok(Grid {
                        id: r.get(0)?,
                        code: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        community: r.get(3)?,
                        street: r.get(4)?,
                        boundary: boundary
                            .and_then(|b| serde_json::from_str::<Vec<[f64; 2]>>(&b).ok())
                            .map(|ring| ring.into_iter().map(|[lon, lat]| GeoPoint { lon, lat }).collect()),
                        retired: r.get(6)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The buildings of a grid, in natural order of their numbers.
    pub fn buildings(&self, grid_id: &str) -> Result<Vec<Building>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!("SELECT {BUILDING_COLUMNS} FROM buildings WHERE grid_id = ?1 ORDER BY sort_key, id"))?
                .query_map([grid_id], building_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The roster of a grid: every household sorted by building, unit, floor
    /// and room, with its active member count and its latest visit.
    pub fn roster(&self, grid_id: &str) -> Result<Vec<RosterRow>> {
        self.read(|conn| {
            let sql = format!(
                "SELECT {HOUSEHOLD_COLUMNS}, h.member_count, h.last_visit_ms, h.last_visit_offset
                 FROM households h
                 WHERE h.grid_id = ?1
                 ORDER BY h.building_key, h.unit_key, h.floor, h.room_key, h.id"
            );
            Ok(conn
                .prepare_cached(&sql)?
                .query_map([grid_id], roster_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Every resident of a grid, whatever their status (the roster import
    /// matches rows against them).
    pub(crate) fn grid_residents(&self, grid_id: &str) -> Result<Vec<Resident>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {RESIDENT_COLUMNS} FROM residents r WHERE r.grid_id = ?1 ORDER BY r.id"
                ))?
                .query_map([grid_id], resident_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// One resident, with the ID number and phones masked
    /// (`110105********002X`, `138****8000`). Saving it back through
    /// `update_resident` keeps the stored values of the masked fields. The
    /// full values are shown by `reveal_resident`, with a purpose, on the
    /// record.
    pub fn resident(&self, resident_id: &str) -> Result<Resident> {
        Ok(self.resident_unmasked(resident_id)?.masked())
    }

    /// One resident as stored: for reveals and the roster's own checks.
    pub(crate) fn resident_unmasked(&self, resident_id: &str) -> Result<Resident> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {RESIDENT_COLUMNS} FROM residents r WHERE r.id = ?1"
            ))?
            .query_row([resident_id], resident_row)
            .optional()?
            .ok_or_else(|| Error::not_found(RecordKind::Resident, resident_id))
        })
    }

    /// Searches a grid by name (any part, Chinese included), the name in
    /// pinyin (zhangsan, zs, zhangs, 张s, after the names that contain the
    /// text itself), the end of a phone number, the end of an ID number, an
    /// address in the forms people type (3-2-401, 3栋2单元401, 3号楼2单元401室,
    /// 三栋: the households at exactly that address come first), or address
    /// text ("幸福小区", "502"). Names in the hits are masked; at most `limit` hits (a negative limit
    /// is [`Error::Invalid`] naming `limit`).
    pub fn search(&self, grid_id: &str, query: &str, limit: i32) -> Result<Vec<SearchHit>> {
        let Ok(limit) = u32::try_from(limit) else {
            return Err(Error::invalid(
                "limit",
                crate::validate::InvalidReason::OutOfRange,
            ));
        };
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let escaped = query
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let contains = format!("%{escaped}%");
        let suffix = format!("%{escaped}");
        let digits = query
            .chars()
            .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x');
        self.read(|conn| {
            let mut hits = Vec::new();
            let mut residents = conn.prepare_cached(
                "SELECT r.id, r.household_id, r.name, h.address_text,
                        r.name LIKE ?2 ESCAPE '\\',
                        ?4 AND (',' || r.phones) LIKE ('%' || ?3 || ',%') ESCAPE '\\' OR (?4 AND r.phones LIKE ?3 ESCAPE '\\'),
                        ?4 AND upper(r.id_number) LIKE upper(?3) ESCAPE '\\'
                 FROM residents r LEFT JOIN households h ON h.id = r.household_id
                 WHERE r.grid_id = ?1 AND (r.name LIKE ?2 ESCAPE '\\'
                    OR (?4 AND ((r.phones || ',') LIKE (?3 || ',%') ESCAPE '\\' OR r.phones LIKE ?3 ESCAPE '\\'))
                    OR (?4 AND upper(r.id_number) LIKE upper(?3) ESCAPE '\\'))
                 ORDER BY r.name, r.id LIMIT ?5",
            )?;
            let rows = residents.query_map(params![grid_id, contains, suffix, digits, limit], |r| {
                let name: Option<String> = r.get(2)?;
                let address: Option<String> = r.get(3)?;
                let matched = if r.get::<_, bool>(4)? {
                    SearchMatch::Name
                } else if r.get::<_, bool>(5)? {
                    SearchMatch::PhoneSuffix
                } else {
                    SearchMatch::IdNumberSuffix
                };
                Ok(SearchHit {
                    resident_id: Some(r.get(0)?),
                    household_id: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    display: format!("{} {}", mask_name(&name.unwrap_or_default()), address.unwrap_or_default()),
                    matched,
                })
            })?;
            for row in rows {
                hits.push(row?);
            }
            if let Some(typed) = super::pinyin::normalise(query) {
                let room = usize::try_from(limit).unwrap_or(usize::MAX).saturating_sub(hits.len());
                hits.extend(pinyin_hits(conn, grid_id, &typed, &hits, room)?);
            }
            if let Some(address) = super::address::parse(query) {
                let room = usize::try_from(limit).unwrap_or(usize::MAX).saturating_sub(hits.len());
                hits.extend(address_hits(conn, grid_id, &address, room)?);
            }
            let remaining = limit.saturating_sub(u32::try_from(hits.len()).unwrap_or(u32::MAX));
            let mut households = conn.prepare_cached(
                "SELECT id, address_text FROM households
                 WHERE grid_id = ?1 AND address_text LIKE ?2 ESCAPE '\\'
                 ORDER BY address_text, id LIMIT ?3",
            )?;
            let found: std::collections::HashSet<String> = hits
                .iter()
                .filter(|h| h.matched == SearchMatch::Address)
                .map(|h| h.household_id.clone())
                .collect();
            let rows = households.query_map(params![grid_id, contains, remaining], |r| {
                Ok(SearchHit {
                    household_id: r.get(0)?,
                    resident_id: None,
                    display: r.get(1)?,
                    matched: SearchMatch::Address,
                })
            })?;
            for row in rows {
                let hit = row?;
                if !found.contains(&hit.household_id) {
                    hits.push(hit);
                }
            }
            Ok(hits)
        })
    }

    /// The active residents of a grid in a care category, by household
    /// address, with ID numbers and phones masked. A category that is not one of `CARE_CATEGORIES` is
    /// [`Error::Invalid`] naming `category` (a typo would otherwise list no one).
    pub fn residents_by_care(&self, grid_id: &str, category: &str) -> Result<Vec<Resident>> {
        if !super::is_care_category(category) {
            return Err(Error::invalid(
                "category",
                crate::validate::InvalidReason::UnknownCode,
            ));
        }
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {RESIDENT_COLUMNS} FROM resident_care c JOIN residents r ON r.id = c.resident_id
                     LEFT JOIN households h ON h.id = r.household_id
                     WHERE c.grid_id = ?1 AND c.category = ?2 AND r.status = 'active'
                     ORDER BY h.address_text, r.id"
                ))?
                .query_map([grid_id, category], |row| resident_row(row).map(|r| r.masked()))?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The current head of each building of a grid that has one.
    pub fn current_building_heads(&self, grid_id: &str) -> Result<Vec<HeadAppointment>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {HEAD_COLUMNS} FROM building_heads WHERE grid_id = ?1 AND is_current = 1
                     ORDER BY building_id"
                ))?
                .query_map([grid_id], head_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Every appointment of a building, newest first: the history of its heads.
    pub fn building_head_history(&self, building_id: &str) -> Result<Vec<HeadAppointment>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {HEAD_COLUMNS} FROM building_heads WHERE building_id = ?1
                     ORDER BY starts_on DESC, appointed_at DESC, id DESC"
                ))?
                .query_map([building_id], head_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The grid's buildings (not retired) that have no current head.
    pub fn buildings_without_head(&self, grid_id: &str) -> Result<Vec<Building>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {BUILDING_COLUMNS} FROM buildings b WHERE grid_id = ?1 AND retired = 0
                     AND NOT EXISTS (SELECT 1 FROM building_heads h WHERE h.building_id = b.id AND h.is_current = 1)
                     ORDER BY sort_key, id"
                ))?
                .query_map([grid_id], building_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }
}

/// The household a resident belongs to.
pub(crate) fn resident_household(conn: &Connection, resident_id: &str) -> Result<String> {
    conn.prepare_cached("SELECT household_id FROM residents WHERE id = ?1")?
        .query_row([resident_id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten()
        .ok_or_else(|| Error::not_found(RecordKind::Resident, resident_id))
}

/// A building's appointments: id, start, projected end and whether current.
pub(crate) type HeadRow = (String, Option<String>, Option<String>, bool);

/// Every appointment of a building as projected.
pub(crate) fn head_appointments(conn: &Connection, building_id: &str) -> Result<Vec<HeadRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, starts_on, ends_on, is_current FROM building_heads WHERE building_id = ?1",
        )?
        .query_map([building_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// An appointment's building, grid and start.
pub(crate) fn head_appointment(
    conn: &Connection,
    id: &str,
) -> Result<(String, String, Option<String>)> {
    conn.prepare_cached("SELECT building_id, grid_id, starts_on FROM building_heads WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| Error::not_found(RecordKind::HeadAppointment, id))
}

/// The residents of a household, by id.
pub(crate) fn household_residents(conn: &Connection, household_id: &str) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached("SELECT id FROM residents WHERE household_id = ?1")?
        .query_map([household_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The residents of a grid whose name the typed pinyin reads, not already
/// in `found`: whole names first, then names it begins, then names it
/// reads inside, each in name order; at most `room`.
fn pinyin_hits(
    conn: &rusqlite::Connection,
    grid_id: &str,
    typed: &[char],
    found: &[SearchHit],
    room: usize,
) -> Result<Vec<SearchHit>> {
    if room == 0 {
        return Ok(Vec::new());
    }
    let mut matched: Vec<(super::pinyin::PinyinMatch, String, SearchHit)> = Vec::new();
    let mut rows = conn.prepare_cached(
        "SELECT r.id, r.household_id, r.name, h.address_text
         FROM residents r LEFT JOIN households h ON h.id = r.household_id
         WHERE r.grid_id = ?1",
    )?;
    let mut rows = rows.query([grid_id])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let name: String = r.get::<_, Option<String>>(2)?.unwrap_or_default();
        if found
            .iter()
            .any(|hit| hit.resident_id.as_deref() == Some(id.as_str()))
        {
            continue;
        }
        if let Some(how) = super::pinyin::matches(&name, typed) {
            let address: Option<String> = r.get(3)?;
            matched.push((
                how,
                name.clone(),
                SearchHit {
                    household_id: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    display: format!("{} {}", mask_name(&name), address.unwrap_or_default()),
                    resident_id: Some(id),
                    matched: SearchMatch::Pinyin,
                },
            ));
        }
    }
    matched.sort_by(|a, b| (a.0, &a.1, &a.2.resident_id).cmp(&(b.0, &b.1, &b.2.resident_id)));
    Ok(matched
        .into_iter()
        .take(room)
        .map(|(_, _, hit)| hit)
        .collect())
}

/// The households at the address a query names (`3-2-401`, `三栋`), in
/// building, unit and room order, at most `room`.
fn address_hits(
    conn: &rusqlite::Connection,
    grid_id: &str,
    address: &super::address::AddressQuery,
    room: usize,
) -> Result<Vec<SearchHit>> {
    let mut households = conn.prepare_cached(
        "SELECT id, address_text, building_number, unit, room FROM households
         WHERE grid_id = ?1 ORDER BY building_key, unit_key, room_key, id",
    )?;
    let rows = households.query_map([grid_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut hits = Vec::new();
    for row in rows {
        let (id, text, building, unit, number) = row?;
        let at = |part: &Option<String>| part.clone().unwrap_or_default();
        if hits.len() < room && address.matches(&at(&building), &at(&unit), &at(&number)) {
            hits.push(SearchHit {
                household_id: id,
                resident_id: None,
                display: text.unwrap_or_default(),
                matched: SearchMatch::Address,
            });
        }
    }
    Ok(hits)
}
