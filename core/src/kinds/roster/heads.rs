//! Building-head appointments (楼栋长): a building's `heads` map in the
//! roster document holds one map per appointment. Concurrent appointments
//! converge by the rule in `project.rs` (`project_heads`) and are listed as
//! a conflict of the building's `heads`.

use automerge::transaction::Transactable;

use super::HeadPerson;
use super::edit::record;
use super::query;
use crate::crdt::{ensure_map, i, map_at, s, set};
use crate::docs::{DocId, ROSTER, new_record_id};
use crate::error::{Error, FieldCheck, Result};
use crate::kinds::RecordKind;
use crate::store::Store;
use crate::store::lookup::grid_of;
use crate::validate::{self, Date};
use crate::values::now_ms;

impl Store {
    /// Appoints a building head from a date, ending the current head's term
    /// the same day. Returns the appointment's id.
    ///
    /// Two coordinators appointing different heads offline converge: the
    /// appointment with the later start is current (then the later
    /// appointment time, then the larger id); the other is kept in the
    /// history, ending where the current one starts, and listed by
    /// [`Store::conflicts`] as the building's `heads`.
    pub fn appoint_building_head(
        &self,
        building_id: &str,
        person: HeadPerson,
        starts_on: Date,
    ) -> Result<String> {
        let grid_id =
            self.read(|conn| grid_of(conn, RecordKind::Building, "buildings", building_id))?;
        let person = match person {
            HeadPerson::Resident(resident_id) => {
                let resident_grid = self
                    .read(|conn| grid_of(conn, RecordKind::Resident, "residents", &resident_id))?;
                if resident_grid != grid_id {
                    return Err(Error::not_found(RecordKind::Resident, &resident_id));
                }
                HeadPerson::Resident(resident_id)
            }
            HeadPerson::Volunteer(name) => HeadPerson::Volunteer(
                validate::text(&name, super::edit::NAME_MAX).field("volunteer_name")?,
            ),
        };
        // (id, start, end as projected: explicit, or where a concurrent successor starts)
        let appointments = self.read(|conn| query::head_appointments(conn, building_id))?;
        let current_start = appointments
            .iter()
            .filter(|a| a.3)
            .filter_map(|a| a.1.as_deref().and_then(|s| Date::parse(s).ok()))
            .max();
        if current_start.is_some_and(|start| starts_on < start) {
            return Err(Error::invalid(
                "starts_on",
                validate::InvalidReason::EndsBeforeStart,
            ));
        }
        let id = new_record_id();
        let doc_id = DocId::roster(&grid_id);
        let worker = self.identity().worker_id.clone();
        self.write(|edit| {
            let building = record(edit, &doc_id, &grid_id, "buildings", building_id)?;
            let doc = edit.doc(&doc_id, &ROSTER, &grid_id)?;
            let heads = ensure_map(doc, &building, "heads")?;
            // Close every appointment still open in the document, superseded
            // ones where their successor started, the current one today.
            for (previous, _, projected_end, _) in &appointments {
                if let Some(obj) = map_at(doc, &heads, previous)
                    && crate::crdt::scalar_str(doc, &obj, "ends_on").is_none()
                {
                    let end = projected_end
                        .clone()
                        .unwrap_or_else(|| starts_on.to_string());
                    set(doc, &obj, "ends_on", s(&end))?;
                }
            }
            let obj = doc
                .put_object(&heads, id.as_str(), automerge::ObjType::Map)
                .map_err(|e| Error::document(doc_id.as_str(), e))?;
            match &person {
                HeadPerson::Resident(resident) => set(doc, &obj, "resident_id", s(resident))?,
                HeadPerson::Volunteer(name) => set(doc, &obj, "volunteer_name", s(name))?,
            }
            set(doc, &obj, "starts_on", s(&starts_on.to_string()))?;
            set(doc, &obj, "appointed_by", s(&worker))?;
            set(doc, &obj, "appointed_at", i(now_ms()))?;
            Ok(())
        })?;
        Ok(id)
    }

    /// Ends a building head's term on a date (the building then has no head).
    pub fn end_building_head(&self, appointment_id: &str, ends_on: Date) -> Result<()> {
        let (building_id, grid_id, starts_on) =
            self.read(|conn| query::head_appointment(conn, appointment_id))?;
        if let Some(start) = starts_on.as_deref().and_then(|s| Date::parse(s).ok())
            && ends_on < start
        {
            return Err(Error::invalid(
                "ends_on",
                validate::InvalidReason::EndsBeforeStart,
            ));
        }
        let doc_id = DocId::roster(&grid_id);
        self.write(|edit| {
            let building = record(edit, &doc_id, &grid_id, "buildings", &building_id)?;
            let doc = edit.doc(&doc_id, &ROSTER, &grid_id)?;
            let heads = ensure_map(doc, &building, "heads")?;
            let obj = map_at(doc, &heads, appointment_id)
                .ok_or_else(|| Error::not_found(RecordKind::HeadAppointment, appointment_id))?;
            set(doc, &obj, "ends_on", s(&ends_on.to_string()))
        })
    }
}
