//! Who a grid's volunteers are. Their service on patrol shifts is the
//! patrol kind's (`kinds/patrol/service.rs`): only check-ins count, never
//! time a phone was online.
//!
//! To let another group hold points, add its query to [`volunteers`] with a
//! [`VolunteerSource`] of its own.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};

use super::{Volunteer, VolunteerSource};
use crate::code_list::CodeList;
use crate::error::Result;
use crate::identity::WorkerRole;
use crate::validate::mask_name;

/// The team roles that hold points: the unpaid ones.
pub(super) const VOLUNTEER_ROLES: [WorkerRole; 2] =
    [WorkerRole::BuildingHead, WorkerRole::PatrolVolunteer];

/// The grid's volunteers, sorted by id: workers of the team with a
/// volunteer role, patrol-team members who are not workers of the team, and
/// residents enrolled in the talent pool. Names are masked.
pub(super) fn volunteers(conn: &Connection, grid_id: &str) -> Result<Vec<Volunteer>> {
    let mut found: BTreeMap<String, Volunteer> = BTreeMap::new();
    let mut add = |id: String, name: Option<String>, source: VolunteerSource| {
        found.entry(id.clone()).or_insert(Volunteer {
            volunteer_id: id,
            display_name: mask_name(name.as_deref().unwrap_or_default()),
            source,
        });
    };
    let mut workers = conn.prepare_cached(
        "SELECT id, name, role FROM workers WHERE grid_id = ?1 AND role IN (?2, ?3)",
    )?;
    let rows = workers.query_map(
        params![
            grid_id,
            VOLUNTEER_ROLES[0].code(),
            VOLUNTEER_ROLES[1].code()
        ],
        |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?)),
    )?;
    for row in rows {
        let (id, name, role) = row?;
        let source = if role == WorkerRole::BuildingHead.code() {
            VolunteerSource::BuildingHead
        } else {
            VolunteerSource::PatrolVolunteer
        };
        add(id, name, source);
    }
    let mut pool = conn.prepare_cached(
        "SELECT t.resident_id, r.name FROM talent_pool t
         LEFT JOIN residents r ON r.id = t.resident_id
         WHERE t.grid_id = ?1 AND NOT t.withdrawn",
    )?;
    for row in pool.query_map([grid_id], |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (id, name) = row?;
        add(id, name, VolunteerSource::TalentPool);
    }
    let mut members = conn.prepare_cached(
        "SELECT m.member_id, MIN(m.name) FROM team_members m
         JOIN patrol_teams t ON t.id = m.team_id
         WHERE t.grid_id = ?1
           AND m.member_id NOT IN (SELECT id FROM workers WHERE grid_id = ?1)
         GROUP BY m.member_id",
    )?;
    for row in members.query_map([grid_id], |r| Ok((r.get(0)?, r.get(1)?)))? {
        let (id, name) = row?;
        add(id, name, VolunteerSource::TeamMember);
    }
    Ok(found.into_values().collect())
}
