//! The points tables written from the grid's points document, and the
//! reads: rules, volunteers, a volunteer's account, the monthly board.
//!
//! Only entries that read are projected: an entry of an unknown kind, with
//! points out of range or a day that does not parse, and a rule out of its
//! bounds, are left out (a newer phone's; the sync server refuses them from
//! roles that may not write them). Service lines are not stored: they are
//! derived from check-ins when read (`service.rs`). To show a new entry
//! kind, project it here and give it its sign in [`ledger_lines`].

use std::collections::BTreeMap;

use automerge::ObjId;
use rusqlite::{Connection, Transaction, params};

use super::ledger::{self, Earned, Outcome, Spent};
use super::service::volunteers;
use super::{
    PointsAccount, PointsEntry, PointsEntryKind, PointsExpiring, PointsExpiry, PointsRule,
    PointsRuleInForce, PointsStanding, StoredEnrolment, StoredPointsEntry, StoredPointsRule,
    Volunteer,
};
use crate::code_list::CodeList;
use crate::error::{Error, Result};
use crate::kinds::RecordKind;
use crate::kinds::patrol::shift_service;
use crate::registry::DocContext;
use crate::store::Store;
use crate::store::project::{project_all_entries_with, project_entry_by_key};
use crate::store::rows::date;
use crate::validate::Date;

/// The earliest day a ledger looks at: 1970-01-01.
fn epoch() -> Date {
    Date::from_days_since_epoch(0)
}

/// The key of a month: `YYYY-MM`.
pub(super) fn month_key(day: Date) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// The first day of a month key, if it is one.
fn month_of_key(key: &str) -> Option<Date> {
    let (year, month) = key.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    Date::new(year.parse().ok()?, month.parse().ok()?, 1)
}

/// The last day of the month of `day`.
fn month_end(day: Date) -> Date {
    let (year, month) = match day.month() {
        12 => (day.year() + 1, 1),
        m => (day.year(), m + 1),
    };
    Date::new(year, month, 1).map_or(day, |next| next.add_days(-1))
}

// ---------------------------------------------------------------------------
// Projection
// ---------------------------------------------------------------------------

pub(super) fn project_entry(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    _obj: Option<ObjId>,
) -> Result<()> {
    let delete = "DELETE FROM points_entries WHERE grid_id = ?1 AND id = ?2";
    project_entry_by_key(tx, ctx, "points_entries", id, delete, insert_entry)
}

pub(super) fn project_all_entries(
    tx: &Transaction,
    ctx: &DocContext,
    map: &ObjId,
) -> Result<usize> {
    project_all_entries_with(tx, ctx, map, insert_entry)
}

fn insert_entry(
    tx: &Transaction,
    ctx: &DocContext,
    id: &str,
    stored: &StoredPointsEntry,
) -> Result<()> {
    let readable = matches!(stored.kind.as_str(), "award" | "spend")
        && (1..=100_000).contains(&stored.points)
        && !stored.volunteer_id.is_empty();
    let Some(on) = date(Some(stored.on.clone())).filter(|_| readable) else {
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT INTO points_entries (id, doc_id, grid_id, volunteer_id, kind, points, on_date,
             note, at_ms, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        id,
        ctx.doc_id,
        ctx.grid_id,
        stored.volunteer_id,
        stored.kind,
        stored.points,
        on.to_string(),
        stored.note,
        stored.at_ms,
        stored.recorded_by,
    ])?;
    Ok(())
}

pub(super) fn project_rule(
    tx: &Transaction,
    ctx: &DocContext,
    month: &str,
    _obj: Option<ObjId>,
) -> Result<()> {
    let delete = "DELETE FROM points_rules WHERE grid_id = ?1 AND from_month = ?2";
    project_entry_by_key(tx, ctx, "points_rules", month, delete, insert_rule)
}

pub(super) fn project_all_rules(tx: &Transaction, ctx: &DocContext, map: &ObjId) -> Result<usize> {
    project_all_entries_with(tx, ctx, map, insert_rule)
}

/// The rule a stored one says, if it reads.
fn read_rule(stored: &StoredPointsRule) -> Option<PointsRule> {
    let expiry = match (stored.expiry.as_str(), stored.expiry_years) {
        ("year_end", _) => PointsExpiry::YearEnd,
        ("never", _) => PointsExpiry::Never,
        ("after_years", years @ 1..=10) => PointsExpiry::AfterYears { years },
        _ => return None,
    };
    (15..=1440)
        .contains(&stored.minutes_per_point)
        .then_some(PointsRule {
            minutes_per_point: stored.minutes_per_point,
            expiry,
        })
}

fn insert_rule(
    tx: &Transaction,
    ctx: &DocContext,
    month: &str,
    stored: &StoredPointsRule,
) -> Result<()> {
    if month_of_key(month).is_none() || read_rule(stored).is_none() {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO points_rules (grid_id, from_month, minutes_per_point, expiry, expiry_years,
             recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        ctx.grid_id,
        month,
        stored.minutes_per_point,
        stored.expiry,
        stored.expiry_years,
        stored.recorded_by,
    ])?;
    Ok(())
}

pub(super) fn project_enrolment(
    tx: &Transaction,
    ctx: &DocContext,
    resident_id: &str,
    _obj: Option<ObjId>,
) -> Result<()> {
    let delete = "DELETE FROM talent_pool WHERE grid_id = ?1 AND resident_id = ?2";
    project_entry_by_key(
        tx,
        ctx,
        "talent_pool",
        resident_id,
        delete,
        insert_enrolment,
    )?;
    // The volunteers' list names residents by the talent pool.
    ctx.note(RecordKind::Volunteer, resident_id);
    Ok(())
}

pub(super) fn project_all_enrolments(
    tx: &Transaction,
    ctx: &DocContext,
    map: &ObjId,
) -> Result<usize> {
    project_all_entries_with(tx, ctx, map, insert_enrolment)
}

fn insert_enrolment(
    tx: &Transaction,
    ctx: &DocContext,
    resident_id: &str,
    stored: &StoredEnrolment,
) -> Result<()> {
    let Some(on) = date(Some(stored.on.clone())) else {
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT INTO talent_pool (grid_id, resident_id, skills, enrolled_on, withdrawn)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        ctx.grid_id,
        resident_id,
        stored.skills,
        on.to_string(),
        stored.withdrawn
    ])?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

/// The grid's rules, by the month they apply from.
fn rules(conn: &Connection, grid_id: &str) -> Result<Vec<PointsRuleInForce>> {
    let mut query = conn.prepare_cached(
        "SELECT from_month, minutes_per_point, expiry, expiry_years, recorded_by
         FROM points_rules WHERE grid_id = ?1 ORDER BY from_month",
    )?;
    let rows = query.query_map([grid_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            StoredPointsRule {
                minutes_per_point: r.get(1)?,
                expiry: r.get(2)?,
                expiry_years: r.get(3)?,
                recorded_by: r.get(4)?,
            },
        ))
    })?;
    let mut found = Vec::new();
    for row in rows {
        let (month, stored) = row?;
        if let (Some(from_month), Some(rule)) = (month_of_key(&month), read_rule(&stored)) {
            found.push(PointsRuleInForce {
                from_month,
                rule,
                set_by: stored.recorded_by,
            });
        }
    }
    Ok(found)
}

/// The rule in force on `day`: the latest set from its month or before, else the default.
fn rule_on(rules: &[PointsRuleInForce], day: Date) -> PointsRule {
    rules
        .iter()
        .rev()
        .find(|r| r.from_month <= day)
        .map(|r| r.rule)
        .unwrap_or_default()
}

/// The service lines of members from `from` to `to`: one per member and
/// month, on the month's last day of service, the month's minutes rounded
/// down to points by the month's rule.
fn service_lines(
    conn: &Connection,
    grid_id: &str,
    member: Option<&str>,
    from: Date,
    to: Date,
    rules: &[PointsRuleInForce],
) -> Result<BTreeMap<String, Vec<(PointsEntry, i64)>>> {
    let mut months: BTreeMap<(String, String), (Date, i64)> = BTreeMap::new();
    for service in shift_service(conn, grid_id, member, from, to)? {
        let month = months
            .entry((service.member_id, month_key(service.date)))
            .or_insert((service.date, 0));
        month.0 = month.0.max(service.date);
        month.1 += service.minutes;
    }
    let mut lines: BTreeMap<String, Vec<(PointsEntry, i64)>> = BTreeMap::new();
    for ((member_id, month), (last_day, minutes)) in months {
        let rule = rule_on(rules, last_day);
        let points = minutes / i64::from(rule.minutes_per_point.max(1));
        if points == 0 {
            continue;
        }
        let entry = PointsEntry {
            id: format!("service:{month}"),
            kind: PointsEntryKind::Service,
            points,
            on: last_day,
            note: String::new(),
            recorded_by: String::new(),
            expires_on: ledger::expires_on(last_day, rule.expiry),
        };
        lines.entry(member_id).or_default().push((entry, minutes));
    }
    Ok(lines)
}

/// A volunteer's written and derived lines up to `today`, oldest first.
fn ledger_lines(
    conn: &Connection,
    grid_id: &str,
    volunteer_id: &str,
    today: Date,
) -> Result<Vec<PointsEntry>> {
    let rules = rules(conn, grid_id)?;
    let mut lines: Vec<PointsEntry> =
        service_lines(conn, grid_id, Some(volunteer_id), epoch(), today, &rules)?
            .remove(volunteer_id)
            .unwrap_or_default()
            .into_iter()
            .map(|(entry, _)| entry)
            .collect();
    let mut query = conn.prepare_cached(
        "SELECT id, kind, points, on_date, note, recorded_by, at_ms FROM points_entries
         WHERE grid_id = ?1 AND volunteer_id = ?2 AND on_date <= ?3",
    )?;
    let rows = query.query_map(params![grid_id, volunteer_id, today.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    let mut written_at: BTreeMap<String, i64> = BTreeMap::new();
    for row in rows {
        let (id, kind, points, on, note, recorded_by, at_ms) = row?;
        written_at.insert(id.clone(), at_ms);
        let (Some(kind), Some(on)) = (PointsEntryKind::from_code(&kind), date(Some(on))) else {
            continue;
        };
        let (points, expires_on) = match kind {
            PointsEntryKind::Spend => (-points, None),
            _ => (points, ledger::expires_on(on, rule_on(&rules, on).expiry)),
        };
        lines.push(PointsEntry {
            id,
            kind,
            points,
            on,
            note,
            recorded_by,
            expires_on,
        });
    }
    // A day's lines in the order they were written; derived lines last.
    let order = |line: &PointsEntry| {
        (
            line.on,
            written_at.get(&line.id).copied().unwrap_or(i64::MAX),
        )
    };
    lines.sort_by(|a, b| order(a).cmp(&order(b)).then_with(|| a.id.cmp(&b.id)));
    Ok(lines)
}

/// What the lines come to on `today`.
fn settle(lines: &[PointsEntry], today: Date) -> Outcome {
    let (spent, earned): (Vec<_>, Vec<_>) =
        lines.iter().partition(|l| l.kind == PointsEntryKind::Spend);
    let earned: Vec<Earned> = earned
        .iter()
        .map(|l| Earned {
            on: l.on,
            points: l.points,
            expires_on: l.expires_on,
        })
        .collect();
    let spent: Vec<Spent> = spent
        .iter()
        .map(|l| Spent {
            on: l.on,
            points: -l.points,
        })
        .collect();
    ledger::settle(&earned, &spent, today)
}

/// A volunteer's ledger settled on `today`, inside a write or a read.
pub(super) fn account_outcome(
    conn: &Connection,
    grid_id: &str,
    volunteer_id: &str,
    today: Date,
) -> Result<Outcome> {
    Ok(settle(
        &ledger_lines(conn, grid_id, volunteer_id, today)?,
        today,
    ))
}

/// Whether `volunteer_id` holds points in the grid: one of its volunteers
/// now, or (`or_former`) someone with a ledger there.
pub(super) fn is_volunteer(
    conn: &Connection,
    grid_id: &str,
    volunteer_id: &str,
    or_former: bool,
) -> Result<bool> {
    if volunteers(conn, grid_id)?
        .iter()
        .any(|v| v.volunteer_id == volunteer_id)
    {
        return Ok(true);
    }
    Ok(or_former
        && conn
            .prepare_cached(
                "SELECT 1 FROM points_entries WHERE grid_id = ?1 AND volunteer_id = ?2",
            )?
            .exists([grid_id, volunteer_id])?)
}

impl Store {
    /// The grid's points rules as set, by the month each applies from.
    /// Months before the first (or with none set) use the default rule:
    /// 60 minutes of service = 1 point, expiring after 3 years.
    pub fn points_rules(&self, grid_id: &str) -> Result<Vec<PointsRuleInForce>> {
        self.read(|conn| rules(conn, grid_id))
    }

    /// The grid's volunteers, names masked, sorted by id: building heads and
    /// patrol volunteers of the team, patrol-team members who are not staff,
    /// and residents in the talent pool.
    pub fn volunteers(&self, grid_id: &str) -> Result<Vec<Volunteer>> {
        self.read(|conn| volunteers(conn, grid_id))
    }

    /// A volunteer's points on `today`: the balance, the totals and the
    /// ledger behind them (service by month, awards, exchanges, expiries),
    /// newest first. `NotFound` for someone who holds no points in the grid.
    pub fn points_account(
        &self,
        grid_id: &str,
        volunteer_id: &str,
        today: Date,
    ) -> Result<PointsAccount> {
        self.read(|conn| {
            let volunteer = volunteers(conn, grid_id)?
                .into_iter()
                .find(|v| v.volunteer_id == volunteer_id);
            let volunteer = match volunteer {
                Some(v) => v,
                None if is_volunteer(conn, grid_id, volunteer_id, true)? => Volunteer {
                    volunteer_id: volunteer_id.to_string(),
                    display_name: String::new(),
                    source: super::VolunteerSource::fallback(),
                },
                None => return Err(Error::not_found(RecordKind::Volunteer, volunteer_id)),
            };
            let mut lines = ledger_lines(conn, grid_id, volunteer_id, today)?;
            let outcome = settle(&lines, today);
            lines.extend(outcome.expiries.iter().map(|(on, points)| PointsEntry {
                id: format!("expiry:{on}"),
                kind: PointsEntryKind::Expiry,
                points: -points,
                on: *on,
                note: String::new(),
                recorded_by: String::new(),
                expires_on: None,
            }));
            // Newest first: the oldest-first order reversed, expiries after
            // a day's other lines (they happen at its start).
            let mut newest_first = Vec::with_capacity(lines.len());
            let (expiries, others): (Vec<_>, Vec<_>) = lines
                .into_iter()
                .partition(|l| l.kind == PointsEntryKind::Expiry);
            let mut expiries = expiries.into_iter().rev().peekable();
            for line in others.into_iter().rev() {
                while let Some(expiry) = expiries.next_if(|e| e.on > line.on) {
                    newest_first.push(expiry);
                }
                newest_first.push(line);
            }
            newest_first.extend(expiries);
            let lines = newest_first;
            Ok(PointsAccount {
                volunteer,
                balance: outcome.balance,
                earned: outcome.earned,
                spent: outcome.spent,
                expired: outcome.expired,
                next_expiry: outcome
                    .next_expiry
                    .map(|(on, points)| PointsExpiring { on, points }),
                entries: lines,
            })
        })
    }

    /// The month's board (积分明星榜) of the grid's volunteers: points
    /// earned in the month of `month` (service and awards), most first,
    /// names masked; equal points share a place; volunteers who earned
    /// nothing are left out; at most `limit`. Only volunteers are on it,
    /// never staff.
    pub fn points_board(
        &self,
        grid_id: &str,
        month: Date,
        limit: u32,
    ) -> Result<Vec<PointsStanding>> {
        let first = Date::new(month.year(), month.month(), 1).unwrap_or(month);
        let last = month_end(first);
        self.read(|conn| {
            let rules = rules(conn, grid_id)?;
            let mut earned: BTreeMap<String, i64> = BTreeMap::new();
            for (member, lines) in service_lines(conn, grid_id, None, first, last, &rules)? {
                *earned.entry(member).or_default() +=
                    lines.iter().map(|(e, _)| e.points).sum::<i64>();
            }
            let mut awards = conn.prepare_cached(
                "SELECT volunteer_id, SUM(points) FROM points_entries
                 WHERE grid_id = ?1 AND kind = 'award' AND on_date BETWEEN ?2 AND ?3
                 GROUP BY volunteer_id",
            )?;
            let rows = awards
                .query_map(params![grid_id, first.to_string(), last.to_string()], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })?;
            for row in rows {
                let (member, points) = row?;
                *earned.entry(member).or_default() += points;
            }
            let mut board: Vec<(Volunteer, i64)> = volunteers(conn, grid_id)?
                .into_iter()
                .filter_map(|v| {
                    let points = earned.get(&v.volunteer_id).copied().unwrap_or(0);
                    (points > 0).then_some((v, points))
                })
                .collect();
            board.sort_by(|(a, pa), (b, pb)| {
                pb.cmp(pa).then_with(|| a.volunteer_id.cmp(&b.volunteer_id))
            });
            let mut standings: Vec<PointsStanding> = Vec::new();
            for (index, (volunteer, points)) in board.into_iter().enumerate() {
                let place = match standings.last() {
                    Some(previous) if previous.points == points => previous.place,
                    _ => u32::try_from(index + 1).unwrap_or(u32::MAX),
                };
                standings.push(PointsStanding {
                    place,
                    volunteer,
                    points,
                });
            }
            standings.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            Ok(standings)
        })
    }
}
