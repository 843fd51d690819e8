//! Reporting an event and taking a step on it. Each validates its whole
//! input first, then checks references and the event's current derived
//! state inside the write transaction, so a concurrent edit cannot slip
//! between the check and the write; a refused step writes nothing.
//!
//! A report goes into the event document of its grid and quarter; a step
//! into its event's document, whatever quarter it is taken in. Both are
//! entries written once. To add a field, write it here and read it in
//! `tables.rs`.

use std::collections::BTreeSet;

use automerge::ROOT;
use automerge::transaction::Transactable;
use rusqlite::OptionalExtension;

use super::workflow::{self, Refusal, StepFacts};
use super::{
    EVENTS_DOC, EventInput, EventStepInput, StepAction, StoredEvent, StoredLimit, StoredStep,
    catalogue,
};
use crate::code_list::CodeList;
use crate::crdt::ensure_map;
use crate::docs::{DocId, new_record_id};
use crate::entries;
use crate::error::{Error, FieldCheck, Result};
use crate::kinds::RecordKind;
use crate::store::lookup::{grid_of, grid_of_active};
use crate::store::photos::{is_photo_id, require_photo};
use crate::store::{Edit, Store};
use crate::validate::{self, InvalidReason};
use crate::values::{check_gps, check_time, optional_text};

/// The most photos a report or a step may name.
const MAX_PHOTOS: usize = 20;
/// The longest time limit an extension may ask for, in any unit.
const MAX_EXTENSION: i32 = 1000;

/// Photo ids: the lowercase hex SHA-256 of each photo. Whether the store
/// holds them is checked in the write ([`require_photos`]).
fn check_photos(photos: &[String], field: &'static str) -> Result<Vec<String>> {
    if photos.len() > MAX_PHOTOS {
        return Err(Error::invalid(
            field,
            InvalidReason::TooLong {
                max: MAX_PHOTOS as i64,
            },
        ));
    }
    if !photos.iter().all(|p| is_photo_id(p)) {
        return Err(Error::invalid(field, InvalidReason::PhotoId));
    }
    Ok(photos.to_vec())
}

/// Every photo a report or step names must be one this store holds
/// (attached with `Store::add_photo` or downloaded), so an app cannot name
/// a photo it never attached. Only local writes check this: a record
/// received by sync may name photos this phone does not hold yet.
fn require_photos(conn: &rusqlite::Connection, photos: &[String]) -> Result<()> {
    photos
        .iter()
        .try_for_each(|photo| require_photo(conn, photo))
}

/// An optional id given by the caller.
fn optional_id(id: Option<&str>, field: &'static str) -> Result<Option<String>> {
    id.map(|id| validate::code(id, 64)).transpose().field(field)
}

impl Store {
    /// Reports an event (上报) as this store's worker; returns its id. The
    /// category must be in the grid's catalogue, and the building, household,
    /// residents and source record must belong to the grid.
    pub fn report_event(&self, input: EventInput) -> Result<String> {
        let category_code = validate::code(&input.category, 64).field("category")?;
        let description = validate::text(&input.description, 2000).field("description")?;
        let address = optional_text(input.address.as_deref(), 200, "address")?;
        let at = check_time(input.at, "at")?;
        let gps = check_gps(input.gps)?;
        let photos = check_photos(&input.photos, "photos")?;
        let building_id = optional_id(input.building_id.as_deref(), "building_id")?;
        let household_id = optional_id(input.household_id.as_deref(), "household_id")?;
        let source_record_id = optional_id(input.source_record_id.as_deref(), "source_record_id")?;
        let residents: BTreeSet<String> = input.residents_involved.iter().cloned().collect();
        let grid_id = input.grid_id.clone();
        let id = new_record_id();
        self.write(|edit| {
            grid_of_active(edit.tx, RecordKind::Grid, "grids", &grid_id)?;
            let category = super::settings::category_in_grid(edit.tx, &grid_id, &category_code)?
                .ok_or_else(|| Error::invalid("category", InvalidReason::UnknownCode))?;
            let in_grid = |kind: RecordKind, table: &'static str, id: &str| -> Result<()> {
                match grid_of(edit.tx, kind, table, id)? {
                    grid if grid == grid_id => Ok(()),
                    _ => Err(Error::not_found(kind, id)),
                }
            };
            if let Some(building) = &building_id {
                in_grid(RecordKind::Building, "buildings", building)?;
            }
            if let Some(household) = &household_id {
                in_grid(RecordKind::Household, "households", household)?;
            }
            for resident in &residents {
                in_grid(RecordKind::Resident, "residents", resident)?;
            }
            require_photos(edit.tx, &photos)?;
            if let Some(source) = &source_record_id {
                let known = edit
                    .tx
                    .prepare_cached(
                        "SELECT 1 FROM visits WHERE id = ?1 AND grid_id = ?2
                         UNION ALL SELECT 1 FROM checkins WHERE id = ?1 AND grid_id = ?2",
                    )?
                    .exists([source, &grid_id])?;
                if !known {
                    return Err(Error::not_found(RecordKind::Visit, source));
                }
            }
            let stored = StoredEvent {
                category: category.code.clone(),
                description: description.clone(),
                urgency: input.urgency.code().to_string(),
                building_id: building_id.clone(),
                household_id: household_id.clone(),
                gps: gps.map(|g| [g.point.lon, g.point.lat, g.accuracy_m]),
                address: address.clone(),
                source: input.source.code().to_string(),
                source_record_id: source_record_id.clone(),
                residents: residents.iter().cloned().collect(),
                at_ms: at.utc_ms,
                offset_min: at.offset_minutes,
                photos: photos.clone(),
                reporter_id: edit.identity.worker_id.clone(),
                level: category.initial_level,
                limit: Some(StoredLimit::of(category.limit)),
            };
            let doc_id = DocId::partition(&EVENTS_DOC, &grid_id, at.local_date());
            put_entry(
                edit,
                &doc_id,
                &grid_id,
                "events",
                &id,
                &entries::encode(&stored)?,
            )
        })?;
        Ok(id)
    }

    /// Takes a step on an event as this store's worker; returns the step's
    /// id. The step must be legal from the event's current derived status
    /// ([`Error::StepNotAllowed`]), for the worker's role
    /// ([`Error::RoleMayNot`]) and for the worker ([`Error::StepRefused`]),
    /// and later than the report and every step already taken; a refused
    /// step writes nothing.
    pub fn take_event_step(&self, input: EventStepInput) -> Result<String> {
        let at = check_time(input.at, "at")?;
        let comment = optional_text(input.comment.as_deref(), 2000, "comment")?;
        let photos = check_photos(&input.photos, "photos")?;
        let action = input.action;
        // Only the fields the action uses are checked and stored.
        let uses = |actions: &[StepAction]| actions.contains(&action);
        let assignee = match input.assignee.as_deref() {
            Some(id) if uses(&[StepAction::Dispatch]) => optional_id(Some(id), "assignee")?,
            _ => None,
        };
        let extension = input
            .extension
            .filter(|_| uses(&[StepAction::RequestExtension, StepAction::GrantExtension]));
        if let Some(extension) = extension
            && !(1..=MAX_EXTENSION).contains(&StoredLimit::amount(extension))
        {
            return Err(Error::invalid(
                "extension.amount",
                InvalidReason::OutOfRange,
            ));
        }
        let level = input.level.filter(|_| uses(&[StepAction::Escalate]));
        if let Some(level) = level
            && !catalogue::is_level(level)
        {
            return Err(Error::invalid("level", InvalidReason::OutOfRange));
        }
        let step = StepFacts {
            id: new_record_id(),
            action: Some(action),
            at_ms: at.utc_ms,
            worker_id: self.identity().worker_id.clone(),
            role: Some(self.identity().role),
            assignee,
            level,
            extension,
            satisfaction: input
                .satisfaction
                .filter(|_| uses(&[StepAction::Close, StepAction::SelfResolve])),
        };
        let event_id = input.event_id.clone();
        self.write(|edit| {
            let location: Option<(String, String, i64)> = edit
                .tx
                .prepare_cached("SELECT doc_id, grid_id, at_ms FROM events WHERE id = ?1")?
                .query_row([&event_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let (doc_id, grid_id, reported_ms) =
                location.ok_or_else(|| Error::not_found(RecordKind::Event, &event_id))?;
            require_photos(edit.tx, &photos)?;
            let doc_id = DocId::parse(&doc_id)
                .map(|(d, _, _)| d)
                .ok_or_else(|| Error::not_found(RecordKind::Event, &event_id))?;
            let (report, steps) = super::tables::facts(edit.tx, &event_id)?
                .ok_or_else(|| Error::not_found(RecordKind::Event, &event_id))?;
            // A step placed before the latest one would be ordered among the
            // earlier steps, where it was never checked.
            let latest = steps.iter().map(|s| s.at_ms).fold(reported_ms, i64::max);
            if step.at_ms <= latest {
                return Err(Error::invalid("at", InvalidReason::EndsBeforeStart));
            }
            let state = workflow::derive(&report, &steps).state;
            if action == StepAction::Escalate
                && step.level.is_some_and(|level| level <= state.level)
            {
                return Err(Error::invalid("level", InvalidReason::OutOfRange));
            }
            workflow::check(&report, &state, &step).map_err(|refusal| refused(action, refusal))?;
            let stored = StoredStep {
                event_id: event_id.clone(),
                action: action.code().to_string(),
                worker_id: step.worker_id.clone(),
                role: self.identity().role.code().to_string(),
                at_ms: at.utc_ms,
                offset_min: at.offset_minutes,
                comment: comment.clone(),
                photos: photos.clone(),
                assignee: step.assignee.clone(),
                level: step.level,
                extension: step.extension.map(StoredLimit::of),
                satisfaction: step.satisfaction.map(|s| s.code().to_string()),
            };
            let value = entries::encode(&stored)?;
            put_entry(edit, &doc_id, &grid_id, "event_steps", &step.id, &value)
        })?;
        Ok(step.id)
    }
}

/// The error of a step the workflow refuses.
fn refused(action: StepAction, refusal: Refusal) -> Error {
    match refusal {
        Refusal::Status(status) => Error::StepNotAllowed {
            action: action.code(),
            status: status.code(),
        },
        Refusal::Role(role) => Error::RoleMayNot {
            action: action.code(),
            role,
        },
        Refusal::Worker(reason) => Error::StepRefused {
            action: action.code(),
            reason: reason.code(),
        },
        Refusal::Missing(field) => Error::invalid(field, InvalidReason::Required),
        // The phone writes its own known action and role.
        Refusal::UnknownAction | Refusal::UnknownRole => {
            Error::invalid("action", InvalidReason::UnknownCode)
        }
    }
}

/// Writes one new entry (a fresh id has no earlier value) and marks it touched.
fn put_entry(
    edit: &mut Edit,
    doc_id: &DocId,
    grid_id: &str,
    collection: &str,
    id: &str,
    value: &str,
) -> Result<()> {
    let doc = edit.doc(doc_id, &EVENTS_DOC, grid_id)?;
    let map = ensure_map(doc, &ROOT, collection)?;
    doc.put(&map, id, value)
        .map_err(|e| Error::document(doc_id.as_str(), e))?;
    edit.touch(doc_id, collection, id);
    Ok(())
}
