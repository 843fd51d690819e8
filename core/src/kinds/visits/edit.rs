//! Logging and amending visits (走访). A visit lives in the visit document of
//! its grid and calendar quarter, so the document being written stays small
//! however many years of visits a grid has. A visit is appended by one
//! worker and stored as one entry (see `entries.rs`). References (the
//! household, the residents seen) are checked inside the write transaction,
//! so a concurrent edit cannot slip between the check and the write. To add
//! a field to visits, add it to `StoredVisit`, fill it here and read it in
//! `tables.rs`.

use std::collections::BTreeSet;

use automerge::ROOT;
use rusqlite::OptionalExtension;

use super::{StoredFinding, StoredVisit, VISITS_DOC, VisitInput};
use crate::code_list::CodeList;
use crate::crdt::{ensure_map, s, set};
use crate::docs::{DocId, new_record_id};
use crate::entries;
use crate::error::{Error, FieldCheck, Result};
use crate::kinds::RecordKind;
use crate::kinds::roster::query::household_residents;
use crate::store::lookup::grid_of;
use crate::store::{Edit, Store};
use crate::validate::{self, InvalidReason};
use crate::values::{GpsFix, check_gps, check_time, optional_text};

/// A visit input whose values passed validation; references are checked in the write.
struct CheckedVisit {
    input: VisitInput,
    seen: BTreeSet<String>,
    notes: Option<String>,
    findings: Vec<(Option<String>, String)>,
    gps: Option<GpsFix>,
}

fn check_visit(input: VisitInput) -> Result<CheckedVisit> {
    check_time(input.at, "at")?;
    let seen: BTreeSet<String> = input.residents_seen.iter().cloned().collect();
    let notes = optional_text(input.notes.as_deref(), 2000, "notes")?;
    let findings = input
        .findings
        .iter()
        .map(|finding| {
            Ok((
                finding.id.clone(),
                validate::text(&finding.text, 2000).field("findings.text")?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let gps = check_gps(input.gps)?;
    Ok(CheckedVisit {
        input,
        seen,
        notes,
        findings,
        gps,
    })
}

/// The grid of the visited household; every resident seen must belong to it.
fn check_references(edit: &Edit, v: &CheckedVisit) -> Result<String> {
    let household = &v.input.household_id;
    let grid_id = grid_of(edit.tx, RecordKind::Household, "households", household)?;
    if !v.seen.is_empty() {
        let members: BTreeSet<String> = household_residents(edit.tx, household)?
            .into_iter()
            .collect();
        if let Some(stranger) = v.seen.iter().find(|id| !members.contains(*id)) {
            return Err(Error::not_found(RecordKind::Resident, stranger));
        }
    }
    Ok(grid_id)
}

impl Store {
    /// Logs a visit made by this store's worker; returns its id.
    pub fn log_visit(&self, input: VisitInput) -> Result<String> {
        let checked = check_visit(input)?;
        if checked.findings.iter().any(|(id, _)| id.is_some()) {
            return Err(Error::invalid("findings.id", InvalidReason::UnknownCode));
        }
        let id = new_record_id();
        self.write(|edit| {
            let grid_id = check_references(edit, &checked)?;
            let doc_id = DocId::partition(&VISITS_DOC, &grid_id, checked.input.at.local_date());
            put_visit(edit, &doc_id, &grid_id, &id, &checked, true)
        })?;
        Ok(id)
    }

    /// Amends a visit: outcome, notes, residents seen, findings, GPS fix or time.
    /// Findings listed with an id are updated, without one are added, and
    /// existing findings not listed are removed. The household and the worker
    /// of a visit never change, and only that worker (on any of their
    /// devices) may amend it: [`Error::NotAuthor`] for anyone else, who logs
    /// a visit of their own instead.
    pub fn amend_visit(&self, visit_id: &str, input: VisitInput) -> Result<()> {
        let checked = check_visit(input)?;
        self.write(|edit| {
            let doc_id: Option<String> = edit
                .tx
                .prepare_cached("SELECT doc_id FROM visits WHERE id = ?1")?
                .query_row([visit_id], |r| r.get(0))
                .optional()?;
            let (doc_id, _, grid_id) = doc_id
                .and_then(|d| DocId::parse(&d))
                .ok_or_else(|| Error::not_found(RecordKind::Visit, visit_id))?;
            check_references(edit, &checked)?;
            put_visit(edit, &doc_id, &grid_id, visit_id, &checked, false)
        })
    }
}

fn put_visit(
    edit: &mut Edit,
    doc_id: &DocId,
    grid_id: &str,
    id: &str,
    v: &CheckedVisit,
    is_new: bool,
) -> Result<()> {
    let worker = edit.identity.worker_id.clone();
    let doc = edit.doc(doc_id, &VISITS_DOC, grid_id)?;
    let visits = ensure_map(doc, &ROOT, "visits")?;
    let (household_id, worker_id, old_findings) = if is_new {
        (v.input.household_id.clone(), worker, Vec::new())
    } else {
        let previous: StoredVisit = entries::versions(doc, &visits, id)
            .last()
            .map(|(version, _)| entries::decode(version))
            .ok_or_else(|| Error::not_found(RecordKind::Visit, id))?;
        if previous.worker_id != worker {
            return Err(Error::NotAuthor {
                kind: RecordKind::Visit,
                id: id.to_string(),
            });
        }
        (previous.household_id, previous.worker_id, previous.findings)
    };
    let mut findings = Vec::with_capacity(v.findings.len());
    for ((given_id, text), finding) in v.findings.iter().zip(&v.input.findings) {
        let finding_id = match given_id {
            Some(existing) if old_findings.iter().any(|f| &f.id == existing) => existing.clone(),
            Some(_) => return Err(Error::invalid("findings.id", InvalidReason::UnknownCode)),
            None => new_record_id(),
        };
        findings.push(StoredFinding {
            id: finding_id,
            kind: finding.kind.code().to_string(),
            text: text.clone(),
            resolution: finding.resolution.code().to_string(),
        });
    }
    // In id order, the order the visit is read in: amending a visit with its
    // own findings as read then stores the same value and writes no change.
    findings.sort_by(|a, b| a.id.cmp(&b.id));
    let stored = StoredVisit {
        household_id,
        worker_id,
        at_ms: v.input.at.utc_ms,
        offset_min: v.input.at.offset_minutes,
        kind: v.input.kind.code().to_string(),
        outcome: v.input.outcome.code().to_string(),
        notes: v.notes.clone(),
        gps: v.gps.map(|g| [g.point.lon, g.point.lat, g.accuracy_m]),
        seen: v.seen.iter().cloned().collect(),
        findings,
    };
    let value = entries::encode(&stored)?;
    if is_new {
        // A fresh id has no earlier value to compare with.
        automerge::transaction::Transactable::put(doc, &visits, id, value)
            .map_err(|e| Error::document(doc_id.as_str(), e))?;
    } else {
        set(doc, &visits, id, s(&value))?;
    }
    edit.touch(doc_id, "visits", id);
    Ok(())
}
