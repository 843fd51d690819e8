//! The patrol tables: `patrol_teams` and `team_members` written from the
//! roster document's `teams`, `shifts`, `shift_members` and `checkins` from
//! the patrol documents, and the patrol queries that read them. Columns
//! written and read are side by side here; add a column to both, with its
//! migration.

use automerge::{ObjId, ROOT, ReadDoc};
use rusqlite::{Connection, Row, Transaction, params};

use super::{Checkin, PatrolTeam, Shift, StoredCheckin, TeamMember};
use crate::crdt::map_at;
use crate::entries;
use crate::error::Result;
use crate::kinds::RecordKind;
use crate::registry::DocContext;
use crate::store::Store;
use crate::store::project::{reinsert, run};
use crate::store::rows::{date, point};
use crate::validate::{Date, TimeOfDay};
use crate::values::{GpsFix, Timestamp};

pub(super) fn project_team(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    obj: Option<ObjId>,
) -> Result<()> {
    run(tx, "DELETE FROM patrol_teams WHERE id = ?1", [id])?;
    run(tx, "DELETE FROM team_members WHERE team_id = ?1", [id])?;
    reinsert(tx, ctx, RecordKind::PatrolTeam, id, obj, |r| {
        run(
            tx,
            "INSERT INTO patrol_teams (id, grid_id, name, retired) VALUES (?1, ?2, ?3, ?4)",
            params![id, ctx.grid_id, r.str("name"), r.sticky_flag("retired")],
        )?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO team_members (team_id, member_id, name) VALUES (?1, ?2, ?3)",
        )?;
        for (member_id, member) in r.children("members") {
            let mut m = r.child(member, &format!("members.{member_id}"));
            insert.execute(params![id, member_id, m.str("name")])?;
            r.conflicts.append(&mut m.conflicts);
        }
        Ok(())
    })
}

pub(super) fn project_shift(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    obj: Option<ObjId>,
) -> Result<()> {
    run(tx, "DELETE FROM shifts WHERE id = ?1", [id])?;
    run(tx, "DELETE FROM shift_members WHERE shift_id = ?1", [id])?;
    reinsert(tx, ctx, RecordKind::Shift, id, obj, |r| {
        let route = r
            .str("route")
            .filter(|route| serde_json::from_str::<Vec<String>>(route).is_ok())
            .unwrap_or_else(|| "[]".to_string());
        run(
            tx,
            "INSERT INTO shifts (id, doc_id, grid_id, team_id, date, starts, ends, route, retired)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                ctx.doc_id,
                ctx.grid_id,
                r.str("team_id"),
                r.str("date"),
                r.str("starts"),
                r.str("ends"),
                route,
                r.sticky_flag("retired"),
            ],
        )?;
        let mut member =
            tx.prepare_cached("INSERT INTO shift_members (shift_id, member_id) VALUES (?1, ?2)")?;
        for member_id in r.key_set("members") {
            member.execute(params![id, member_id])?;
        }
        Ok(())
    })
}

pub(super) fn project_checkin(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    _obj: Option<ObjId>,
) -> Result<()> {
    run(tx, "DELETE FROM checkins WHERE id = ?1", [id])?;
    let Some(checkins) = map_at(ctx.doc, &ROOT, "checkins") else {
        return Ok(());
    };
    insert_checkin(tx, ctx, id, &entries::versions(ctx.doc, &checkins, id))
}

/// Projects every check-in of a document none of whose check-ins has rows yet.
pub(super) fn project_all_checkins(
    tx: &Transaction,
    ctx: &DocContext,
    checkins: &ObjId,
) -> Result<usize> {
    let mut count = 0;
    for item in ctx.doc.map_range(checkins, ..) {
        count += 1;
        let versions = if item.conflict {
            entries::versions(ctx.doc, checkins, &item.key)
        } else {
            entries::single_version(&item.value, item.id())
        };
        insert_checkin(tx, ctx, &item.key, &versions)?;
    }
    Ok(count)
}

fn insert_checkin(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    versions: &[(serde_json::Map<String, serde_json::Value>, ObjId)],
) -> Result<()> {
    let Some((winner, _)) = versions.last() else {
        return Ok(());
    };
    let c: StoredCheckin = entries::decode(winner);
    let gps = c.gps.filter(|g| g.iter().all(|x| x.is_finite()));
    tx.prepare_cached(
        "INSERT INTO checkins (id, doc_id, grid_id, shift_id, member_id, at_ms, offset_min,
            checkpoint, lon, lat, accuracy_m)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        id,
        ctx.doc_id,
        ctx.grid_id,
        c.shift_id,
        c.member_id,
        c.at_ms,
        c.offset_min,
        c.checkpoint,
        gps.map(|g| g[0]),
        gps.map(|g| g[1]),
        gps.map(|g| g[2]),
    ])?;
    // Check-ins are written once and never amended.
    Ok(())
}

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
                        at: Timestamp {
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
}
