//! The patrol edits: teams (in the roster document), shifts, assignments
//! and check-ins (in the patrol document of the shift's quarter). Each
//! validates its whole input before it writes. To add a field to shifts or
//! check-ins, write it here and read it in `tables.rs`.

use std::collections::BTreeSet;

use automerge::ROOT;
use rusqlite::OptionalExtension;

use super::{CheckinInput, PATROL_DOC, ShiftInput, StoredCheckin, TeamMember};
use crate::crdt::{b, ensure_map, map_at, s, set};
use crate::docs::{DocId, ROSTER, new_record_id};
use crate::entries;
use crate::error::{Error, FieldCheck, Result};
use crate::kinds::RecordKind;
use crate::store::Store;
use crate::store::lookup::grid_of;
use crate::validate::{self, InvalidReason};
use crate::values::{check_gps, check_time};

/// A shift's map in its patrol document.
fn shift_obj(doc: &mut automerge::AutoCommit, shift_id: &str) -> Result<automerge::ObjId> {
    let shifts = ensure_map(doc, &ROOT, "shifts")?;
    map_at(doc, &shifts, shift_id).ok_or_else(|| Error::not_found(RecordKind::Shift, shift_id))
}

impl Store {
    /// Creates a patrol team in a grid; returns its id.
    pub fn create_patrol_team(
        &self,
        grid_id: &str,
        name: &str,
        members: Vec<TeamMember>,
    ) -> Result<String> {
        self.read(|conn| grid_of(conn, RecordKind::Grid, "grids", grid_id))?;
        let name = validate::text(name, 64).field("name")?;
        let members = members
            .into_iter()
            .map(|m| {
                Ok(TeamMember {
                    member_id: validate::code(&m.member_id, 64).field("member_id")?,
                    name: validate::text(&m.name, 64).field("members.name")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let id = new_record_id();
        let doc_id = DocId::roster(grid_id);
        self.write(|edit| {
            let doc = edit.doc(&doc_id, &ROSTER, grid_id)?;
            let teams = ensure_map(doc, &ROOT, "teams")?;
            let team = ensure_map(doc, &teams, &id)?;
            set(doc, &team, "name", s(&name))?;
            let member_map = ensure_map(doc, &team, "members")?;
            for member in &members {
                let obj = ensure_map(doc, &member_map, &member.member_id)?;
                set(doc, &obj, "name", s(&member.name))?;
            }
            edit.touch(&doc_id, "teams", &id);
            Ok(())
        })?;
        Ok(id)
    }

    /// Adds a member to a patrol team.
    pub fn add_team_member(&self, team_id: &str, member: TeamMember) -> Result<()> {
        let grid_id =
            self.read(|conn| grid_of(conn, RecordKind::PatrolTeam, "patrol_teams", team_id))?;
        let member_id = validate::code(&member.member_id, 64).field("member_id")?;
        let name = validate::text(&member.name, 64).field("name")?;
        let doc_id = DocId::roster(&grid_id);
        self.write(|edit| {
            let doc = edit.doc(&doc_id, &ROSTER, &grid_id)?;
            let teams = ensure_map(doc, &ROOT, "teams")?;
            let team = ensure_map(doc, &teams, team_id)?;
            let members = ensure_map(doc, &team, "members")?;
            let obj = ensure_map(doc, &members, &member_id)?;
            set(doc, &obj, "name", s(&name))?;
            edit.touch(&doc_id, "teams", team_id);
            Ok(())
        })
    }

    /// Creates a shift for a team; returns its id.
    pub fn create_shift(&self, input: ShiftInput) -> Result<String> {
        let grid_id = self
            .read(|conn| grid_of(conn, RecordKind::PatrolTeam, "patrol_teams", &input.team_id))?;
        if input.ends <= input.starts {
            return Err(Error::invalid("ends", InvalidReason::EndsBeforeStart));
        }
        if input.route.len() > 200 {
            return Err(Error::invalid("route", InvalidReason::TooLong { max: 200 }));
        }
        let route = input
            .route
            .iter()
            .map(|stop| validate::text(stop, 64))
            .collect::<Result<Vec<_>, _>>()
            .field("route")?;
        let route = serde_json::to_string(&route).map_err(|e| Error::document("route", e))?;
        let id = new_record_id();
        let doc_id = DocId::partition(&PATROL_DOC, &grid_id, input.date);
        self.write(|edit| {
            let doc = edit.doc(&doc_id, &PATROL_DOC, &grid_id)?;
            let shifts = ensure_map(doc, &ROOT, "shifts")?;
            let shift = ensure_map(doc, &shifts, &id)?;
            set(doc, &shift, "team_id", s(&input.team_id))?;
            set(doc, &shift, "date", s(&input.date.to_string()))?;
            set(doc, &shift, "starts", s(&input.starts.to_string()))?;
            set(doc, &shift, "ends", s(&input.ends.to_string()))?;
            set(doc, &shift, "route", s(&route))?;
            ensure_map(doc, &shift, "members")?;
            edit.touch(&doc_id, "shifts", &id);
            Ok(())
        })?;
        Ok(id)
    }

    /// A live shift's document, grid and route; cancelled shifts take no more edits.
    fn shift_location(&self, shift_id: &str) -> Result<(DocId, String, Option<String>)> {
        let row: Option<(String, String, Option<String>, bool)> = self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT doc_id, grid_id, route, retired FROM shifts WHERE id = ?1")?
                .query_row([shift_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?)
        })?;
        let (doc_id, grid_id, route, cancelled) =
            row.ok_or_else(|| Error::not_found(RecordKind::Shift, shift_id))?;
        if cancelled {
            return Err(Error::Retired {
                kind: RecordKind::Shift,
                id: shift_id.to_string(),
            });
        }
        let doc_id = DocId::parse(&doc_id)
            .map(|(d, _, _)| d)
            .ok_or_else(|| Error::not_found(RecordKind::Shift, shift_id))?;
        Ok((doc_id, grid_id, route))
    }

    fn set_shift_member(&self, shift_id: &str, member_id: &str, assigned: bool) -> Result<()> {
        let member_id = validate::code(member_id, 64).field("member_id")?;
        let (doc_id, grid_id, _) = self.shift_location(shift_id)?;
        self.write(|edit| {
            let doc = edit.doc(&doc_id, &PATROL_DOC, &grid_id)?;
            let shift = shift_obj(doc, shift_id)?;
            let members = ensure_map(doc, &shift, "members")?;
            let mut wanted: BTreeSet<String> = automerge::ReadDoc::keys(doc, &members).collect();
            if assigned {
                wanted.insert(member_id.clone());
            } else {
                wanted.remove(&member_id);
            }
            crate::crdt::set_keys(doc, &members, &wanted)?;
            edit.touch(&doc_id, "shifts", shift_id);
            Ok(())
        })
    }

    /// Assigns a member to a shift. Concurrent assignments of different members all stand.
    pub fn assign_to_shift(&self, shift_id: &str, member_id: &str) -> Result<()> {
        self.set_shift_member(shift_id, member_id, true)
    }

    /// Takes a member off a shift.
    pub fn unassign_from_shift(&self, shift_id: &str, member_id: &str) -> Result<()> {
        self.set_shift_member(shift_id, member_id, false)
    }

    /// Cancels a shift (soft delete: its check-ins stay).
    pub fn cancel_shift(&self, shift_id: &str) -> Result<()> {
        let (doc_id, grid_id, _) = self.shift_location(shift_id)?;
        self.write(|edit| {
            let doc = edit.doc(&doc_id, &PATROL_DOC, &grid_id)?;
            let shift = shift_obj(doc, shift_id)?;
            set(doc, &shift, "retired", b(true))?;
            edit.touch(&doc_id, "shifts", shift_id);
            Ok(())
        })
    }

    /// Records a check-in at a checkpoint of a shift's route; returns its id.
    pub fn record_checkin(&self, input: CheckinInput) -> Result<String> {
        let (doc_id, grid_id, route) = self.shift_location(&input.shift_id)?;
        let member_id = validate::code(&input.member_id, 64).field("member_id")?;
        check_time(input.at, "at")?;
        let checkpoint = validate::text(&input.checkpoint, 64).field("checkpoint")?;
        let route: Vec<String> = route
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default();
        if !route.contains(&checkpoint) {
            return Err(Error::invalid("checkpoint", InvalidReason::UnknownCode));
        }
        let gps = check_gps(input.gps)?;
        let on_shift = self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT 1 FROM shift_members WHERE shift_id = ?1 AND member_id = ?2
                     UNION ALL
                     SELECT 1 FROM shifts s JOIN team_members t ON t.team_id = s.team_id
                     WHERE s.id = ?1 AND t.member_id = ?2",
                )?
                .exists([&input.shift_id, &member_id])?)
        })?;
        if !on_shift {
            return Err(Error::invalid("member_id", InvalidReason::NotOnShift));
        }
        let id = new_record_id();
        let recorded_by = self.identity().worker_id.clone();
        self.write(|edit| {
            let doc = edit.doc(&doc_id, &PATROL_DOC, &grid_id)?;
            let checkins = ensure_map(doc, &ROOT, "checkins")?;
            let stored = StoredCheckin {
                shift_id: input.shift_id.clone(),
                member_id: member_id.clone(),
                at_ms: input.at.utc_ms,
                offset_min: input.at.offset_minutes,
                checkpoint: checkpoint.clone(),
                gps: gps.map(|g| [g.point.lon, g.point.lat, g.accuracy_m]),
                recorded_by: recorded_by.clone(),
            };
            set(doc, &checkins, &id, s(&entries::encode(&stored)?))?;
            edit.touch(&doc_id, "checkins", &id);
            Ok(())
        })?;
        Ok(id)
    }
}
