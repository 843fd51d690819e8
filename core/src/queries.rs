//! Read queries. They run on the read-only connection against the query
//! tables and never load an Automerge document, so they stay fast while a
//! write or a merge is in progress. To add a query, write it here as a
//! method of [`Store`] with plain SQL over the tables in `schema/`, and give
//! it an index if it filters on a new column.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::codes::CodeList;
use crate::error::{Error, RecordKind, Result};
use crate::model::*;
use crate::store::Store;
use crate::validate::{Date, TimeOfDay, mask_name};

fn date(text: Option<String>) -> Option<Date> {
    text.and_then(|t| Date::parse(&t).ok())
}

fn point(lon: Option<f64>, lat: Option<f64>) -> Option<GeoPoint> {
    match (lon, lat) {
        (Some(lon), Some(lat)) => Some(GeoPoint { lon, lat }),
        _ => None,
    }
}

fn split_list(text: Option<String>) -> Vec<String> {
    text.map(|t| {
        t.split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}

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
        member_count: row.get::<_, i64>(14)?.try_into().unwrap_or(0),
        last_visit: at.map(|utc_ms| LocalTime {
            utc_ms,
            offset_minutes: offset.and_then(|o| i32::try_from(o).ok()).unwrap_or(0),
        }),
    })
}

const RESIDENT_COLUMNS: &str = "r.id, r.grid_id, r.household_id, r.name, r.gender, r.birth_date,
    r.id_number, r.phones, r.relation, r.registration, r.residence_state, r.moved_in, r.moved_out,
    r.status, (SELECT group_concat(category, ',') FROM
        (SELECT category FROM resident_care c WHERE c.resident_id = r.id ORDER BY category))";

fn resident_row(row: &Row) -> rusqlite::Result<Resident> {
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

const VISIT_COLUMNS: &str = "v.id, v.grid_id, v.household_id, v.worker_id, v.at_ms, v.offset_min,
    v.kind, v.outcome, v.notes, v.lon, v.lat, v.accuracy_m, v.seen, v.findings";

fn visit_row(row: &Row) -> rusqlite::Result<Visit> {
    let (residents_seen, findings) = visit_lists(row.get(12)?, row.get(13)?);
    let gps = match (
        point(row.get(9)?, row.get(10)?),
        row.get::<_, Option<f64>>(11)?,
    ) {
        (Some(point), Some(accuracy_m)) => Some(GpsFix { point, accuracy_m }),
        _ => None,
    };
    Ok(Visit {
        id: row.get(0)?,
        grid_id: row.get(1)?,
        household_id: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
        worker_id: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
        at: LocalTime {
            utc_ms: row.get::<_, Option<i64>>(4)?.unwrap_or(0),
            offset_minutes: row
                .get::<_, Option<i64>>(5)?
                .and_then(|o| i32::try_from(o).ok())
                .unwrap_or(0),
        },
        kind: CodeList::from_code_or_default(row.get::<_, Option<String>>(6)?.as_deref()),
        outcome: CodeList::from_code_or_default(row.get::<_, Option<String>>(7)?.as_deref()),
        residents_seen,
        notes: row.get(8)?,
        findings,
        gps,
    })
}

/// The residents seen and the findings of a visit, stored as JSON lists.
fn visit_lists(seen: Option<String>, findings: Option<String>) -> (Vec<String>, Vec<Finding>) {
    let seen = seen
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    let stored: Vec<crate::entries::StoredFinding> = findings
        .and_then(|f| serde_json::from_str(&f).ok())
        .unwrap_or_default();
    let findings = stored
        .into_iter()
        .map(|f| Finding {
            id: f.id,
            kind: CodeList::from_code_or_default(Some(&f.kind)),
            text: f.text,
            resolution: CodeList::from_code_or_default(Some(&f.resolution)),
        })
        .collect();
    (seen, findings)
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
            .and_then(|u| u32::try_from(u).ok())
            .unwrap_or(0),
        floors: row
            .get::<_, Option<i64>>(5)?
            .and_then(|u| u32::try_from(u).ok())
            .unwrap_or(0),
        location: point(row.get(6)?, row.get(7)?),
        retired: row.get(8)?,
    })
}

const BUILDING_COLUMNS: &str = "id, grid_id, number, estate, units, floors, lon, lat, retired";

fn shift_row(conn: &Connection, row: &Row) -> rusqlite::Result<Shift> {
    let id: String = row.get(0)?;
    let members = conn
        .prepare_cached(
            "SELECT member_id FROM shift_members WHERE shift_id = ?1 ORDER BY member_id",
        )?
        .query_map([&id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let time = |text: Option<String>| {
        text.and_then(|t| TimeOfDay::parse(&t).ok())
            .unwrap_or(TimeOfDay::MIDNIGHT)
    };
    Ok(Shift {
        grid_id: row.get(1)?,
        team_id: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
        date: date(row.get(3)?).unwrap_or_else(|| Date::from_days_since_epoch(0)),
        starts: time(row.get(4)?),
        ends: time(row.get(5)?),
        route: serde_json::from_str(&row.get::<_, String>(6)?).unwrap_or_default(),
        members,
        id,
    })
}

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

    /// The workers of a grid's team known to this store.
    pub fn workers(&self, grid_id: &str) -> Result<Vec<Worker>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, name, role FROM workers WHERE grid_id = ?1 ORDER BY id",
                )?
                .query_map([grid_id], |r| {
                    Ok(Worker {
                        id: r.get(0)?,
                        name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        role: CodeList::from_code_or_default(
                            r.get::<_, Option<String>>(2)?.as_deref(),
                        ),
                    })
                })?
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

    /// A household with all its residents and its visits, newest first.
    pub fn household(&self, household_id: &str) -> Result<HouseholdDetail> {
        self.read(|conn| {
            let household = conn
                .prepare_cached(&format!(
                    "SELECT {HOUSEHOLD_COLUMNS} FROM households h WHERE h.id = ?1"
                ))?
                .query_row([household_id], household_row)
                .optional()?
                .ok_or_else(|| Error::not_found(RecordKind::Household, household_id))?;
            let members = conn
                .prepare_cached(&format!(
                    "SELECT {RESIDENT_COLUMNS} FROM residents r WHERE r.household_id = ?1
                     ORDER BY r.status <> 'active', r.relation, r.birth_date, r.id"
                ))?
                .query_map([household_id], resident_row)?
                .collect::<rusqlite::Result<_>>()?;
            let visits: Vec<Visit> = conn
                .prepare_cached(&format!(
                    "SELECT {VISIT_COLUMNS} FROM visits v WHERE v.household_id = ?1 ORDER BY v.at_ms DESC, v.id"
                ))?
                .query_map([household_id], visit_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(HouseholdDetail { household, members, visits })
        })
    }

    /// One resident.
    pub fn resident(&self, resident_id: &str) -> Result<Resident> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {RESIDENT_COLUMNS} FROM residents r WHERE r.id = ?1"
            ))?
            .query_row([resident_id], resident_row)
            .optional()?
            .ok_or_else(|| Error::not_found(RecordKind::Resident, resident_id))
        })
    }

    /// Searches a grid by name (any part, Chinese included), the end of a
    /// phone number, the end of an ID number, or address text ("3栋", "502").
    /// Names in the hits are masked; at most `limit` hits.
    pub fn search(&self, grid_id: &str, query: &str, limit: u32) -> Result<Vec<SearchHit>> {
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
            let remaining = limit.saturating_sub(u32::try_from(hits.len()).unwrap_or(u32::MAX));
            let mut households = conn.prepare_cached(
                "SELECT id, address_text FROM households
                 WHERE grid_id = ?1 AND address_text LIKE ?2 ESCAPE '\\'
                 ORDER BY address_text, id LIMIT ?3",
            )?;
            let rows = households.query_map(params![grid_id, contains, remaining], |r| {
                Ok(SearchHit {
                    household_id: r.get(0)?,
                    resident_id: None,
                    display: r.get(1)?,
                    matched: SearchMatch::Address,
                })
            })?;
            for row in rows {
                hits.push(row?);
            }
            Ok(hits)
        })
    }

    /// The active residents of a grid in a care category, by household address.
    pub fn residents_by_care(&self, grid_id: &str, category: &str) -> Result<Vec<Resident>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {RESIDENT_COLUMNS} FROM resident_care c JOIN residents r ON r.id = c.resident_id
                     LEFT JOIN households h ON h.id = r.household_id
                     WHERE c.grid_id = ?1 AND c.category = ?2 AND r.status = 'active'
                     ORDER BY h.address_text, r.id"
                ))?
                .query_map([grid_id, category], resident_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// A worker's visits whose local date is within `from..=to`, oldest first.
    pub fn visits_by_worker(&self, worker_id: &str, from: Date, to: Date) -> Result<Vec<Visit>> {
        // Local dates differ from UTC by at most 14 hours: widen, then filter exactly.
        let start = (from.days_since_epoch() - 1) * 86_400_000;
        let end = (to.days_since_epoch() + 2) * 86_400_000;
        self.read(|conn| {
            let visits: Vec<Visit> = conn
                .prepare_cached(&format!(
                    "SELECT {VISIT_COLUMNS} FROM visits v
                     WHERE v.worker_id = ?1 AND v.at_ms >= ?2 AND v.at_ms < ?3
                       AND v.local_date >= ?4 AND v.local_date <= ?5
                     ORDER BY v.at_ms, v.id"
                ))?
                .query_map(
                    params![worker_id, start, end, from.to_string(), to.to_string()],
                    visit_row,
                )?
                .collect::<rusqlite::Result<_>>()?;
            Ok(visits)
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

    /// The patrol teams of a grid with their members.
    pub fn patrol_teams(&self, grid_id: &str) -> Result<Vec<PatrolTeam>> {
        self.read(|conn| {
            let mut teams: Vec<PatrolTeam> = conn
                .prepare_cached("SELECT id, grid_id, name FROM patrol_teams WHERE grid_id = ?1 AND retired = 0 ORDER BY name, id")?
                .query_map([grid_id], |r| {
                    Ok(PatrolTeam {
                        id: r.get(0)?,
                        grid_id: r.get(1)?,
                        name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        members: Vec::new(),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut members = conn.prepare_cached("SELECT member_id, name FROM team_members WHERE team_id = ?1 ORDER BY member_id")?;
            for team in &mut teams {
                team.members = members
                    .query_map([&team.id], |r| {
                        Ok(TeamMember {
                            member_id: r.get(0)?,
                            name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?;
            }
            Ok(teams)
        })
    }

    /// A member's shifts on or after `from`, soonest first (cancelled shifts left out).
    pub fn upcoming_shifts(&self, member_id: &str, from: Date) -> Result<Vec<Shift>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT s.id, s.grid_id, s.team_id, s.date, s.starts, s.ends, s.route
                 FROM shift_members m JOIN shifts s ON s.id = m.shift_id
                 WHERE m.member_id = ?1 AND s.date >= ?2 AND s.retired = 0
                 ORDER BY s.date, s.starts, s.id",
            )?;
            let rows =
                stmt.query_map(params![member_id, from.to_string()], |r| shift_row(conn, r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// A grid's shifts on one day.
    pub fn shifts_on(&self, grid_id: &str, date: Date) -> Result<Vec<Shift>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, grid_id, team_id, date, starts, ends, route FROM shifts
                 WHERE grid_id = ?1 AND date = ?2 AND retired = 0 ORDER BY starts, id",
            )?;
            let rows =
                stmt.query_map(params![grid_id, date.to_string()], |r| shift_row(conn, r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The check-ins of a shift, in time order.
    pub fn shift_checkins(&self, shift_id: &str) -> Result<Vec<Checkin>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, shift_id, member_id, at_ms, offset_min, checkpoint, lon, lat, accuracy_m
                     FROM checkins WHERE shift_id = ?1 ORDER BY at_ms, id",
                )?
                .query_map([shift_id], |r| {
                    let gps = match (point(r.get(6)?, r.get(7)?), r.get::<_, Option<f64>>(8)?) {
                        (Some(point), Some(accuracy_m)) => Some(GpsFix { point, accuracy_m }),
                        _ => None,
                    };
                    Ok(Checkin {
                        id: r.get(0)?,
                        shift_id: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        member_id: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        at: LocalTime {
                            utc_ms: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                            offset_minutes: r.get::<_, Option<i64>>(4)?.and_then(|o| i32::try_from(o).ok()).unwrap_or(0),
                        },
                        checkpoint: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                        gps,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The fields edited concurrently in a grid, for a person to review. Each
    /// lists every value with who wrote it and when; the value in effect is
    /// marked. Resolve one by editing the field: the conflict then disappears.
    pub fn conflicts(&self, grid_id: &str) -> Result<Vec<Conflict>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT c.record_kind, c.record_id, c.field, c.value, c.actor, d.worker_id, c.at_ms, c.is_winner
                 FROM conflicts c JOIN docs ON docs.doc_id = c.doc_id
                 LEFT JOIN devices d ON d.grid_id = docs.grid_id AND d.actor = c.actor
                 WHERE docs.grid_id = ?1
                 ORDER BY c.record_kind, c.record_id, c.field, c.is_winner DESC, c.op_id",
            )?;
            let mut grouped: BTreeMap<(String, String, String), Vec<ConflictValue>> = BTreeMap::new();
            let rows = stmt.query_map([grid_id], |r| {
                Ok((
                    (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                    ConflictValue {
                        value: r
                            .get::<_, Option<String>>(3)?
                            .and_then(|v| serde_json::from_str(&v).ok())
                            .unwrap_or(serde_json::Value::Null),
                        actor: r.get(4)?,
                        worker_id: r.get(5)?,
                        at_ms: r.get(6)?,
                        is_winner: r.get(7)?,
                    },
                ))
            })?;
            for row in rows {
                let (key, value) = row?;
                grouped.entry(key).or_default().push(value);
            }
            Ok(grouped
                .into_iter()
                .filter_map(|((kind, record_id, field), values)| {
                    Some(Conflict {
                        record_kind: RecordKind::parse(&kind)?,
                        record_id,
                        field,
                        values,
                    })
                })
                .collect())
        })
    }

    /// Every row of every query table in a canonical text form, for comparing
    /// replicas and checking that a rebuild gives the same rows.
    pub fn query_table_dump(&self) -> Result<BTreeMap<String, Vec<String>>> {
        self.read(|conn| {
            let mut dump = BTreeMap::new();
            for table in crate::project::QUERY_TABLES {
                let mut stmt = conn.prepare(&format!("SELECT * FROM {table}"))?;
                let columns = stmt.column_count();
                let mut rows: Vec<String> = stmt
                    .query_map([], |r| {
                        let mut cells = Vec::with_capacity(columns);
                        for index in 0..columns {
                            let cell: rusqlite::types::Value = r.get(index)?;
                            cells.push(format!("{cell:?}"));
                        }
                        Ok(cells.join("|"))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                rows.sort();
                dump.insert((*table).to_string(), rows);
            }
            Ok(dump)
        })
    }
}
