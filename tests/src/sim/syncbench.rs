//! `gridbench`'s sync measurements against a real sync server on loopback
//! (the embedded server, HTTP on 127.0.0.1), next to Automerge's own sync
//! protocol over the same documents.
//!
//! The benchmark's store (the uploading phone, A) pushes everything, the
//! server compacts the grid into snapshots, and a new phone (C) bootstraps
//! from it. Then: an idle sync of C; a day of work (60 edits) on A that A
//! uploads and C downloads. Bytes are request plus response bodies as the
//! client counts them ([`gridbook::sync::SyncProgress`]).
//!
//! The Automerge baseline loads each device's documents from its `chunks`
//! table ([`super::amsync::load_documents`]) and runs
//! `automerge::sync::SyncDoc` sessions A↔B (B = the server) then B↔C, with
//! the `sync::State`s persisted (`State::encode`/`decode`) after an earlier
//! session over the pre-day documents, as an app keeps them. A peer that
//! only speaks Automerge sync cannot know which documents changed without
//! asking, so every document is synced, including the unchanged ones; their
//! cost is in `automerge_day_bytes` and the changed documents' share alone is
//! reported too (`automerge_day_changed_docs_bytes`).
//!
//! To add a measurement, add a field to [`SyncBench`] and fill it in [`measure`].

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use automerge::AutoCommit;
use gridbook::codes::{VisitKind, VisitOutcome};
use gridbook::sync::SyncStage;
use gridbook::{CheckinInput, GeoPoint, GpsFix, Store, Timestamp, VisitInput};

use super::SimError;
use super::amsync::{PairStates, SyncCost, load_documents, sync_docs};
use super::device::Device;
use super::server::SimServer;
use super::team::{Member, Role};
use crate::generator::GeneratedGrid;
use crate::rng::SplitMix64;
use crate::scratch::ScratchDir;
use crate::timefmt::now_ms;

/// Edits in the simulated day of work.
pub const DAY_EDITS: usize = 60;

/// The sync measurements.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncBench {
    /// Seconds the benchmark store took to push everything to the server.
    pub upload_s: f64,
    /// Documents of the grid.
    pub documents: usize,
    /// Idle sync of an up-to-date phone: request plus response body bytes.
    pub idle_bytes: u64,
    /// Its round trips.
    pub idle_round_trips: u64,
    /// Changes the day's edits made (what A pushes).
    pub day_changes: u64,
    /// Documents the day changed.
    pub day_documents: usize,
    /// A's upload plus C's download of the day: body bytes.
    pub day_bytes: u64,
    /// Their round trips.
    pub day_round_trips: u64,
    /// Automerge sync of the day, A↔B then B↔C, every document.
    pub automerge_day_bytes: u64,
    /// The same, only the documents that changed.
    pub automerge_day_changed_docs_bytes: u64,
    /// Automerge messages of the day, every document.
    pub automerge_day_messages: u64,
    /// A new phone's bootstrap from the compacted server: body bytes.
    pub bootstrap_bytes: u64,
    /// Its round trips.
    pub bootstrap_round_trips: u64,
    /// Its wall time, first request to fully applied.
    pub bootstrap_ms: f64,
    /// The part of it spent applying the responses on the phone.
    pub bootstrap_apply_ms: f64,
    /// Automerge sync of every document from an empty peer.
    pub automerge_bootstrap_bytes: u64,
}

fn member(worker_id: &str, name: &str, role: Role) -> Member {
    Member {
        worker_id: worker_id.into(),
        name: name.into(),
        role,
    }
}

/// Runs the sync measurements over the store at `db` (worker `worker_id`,
/// holding `grid`), with scratch files in `scratch`.
pub fn measure(
    db: &Path,
    worker_id: &str,
    grid: &GeneratedGrid,
    scratch: &ScratchDir,
) -> Result<SyncBench, SimError> {
    let mut out = SyncBench::default();
    let server = SimServer::embedded(None)?;
    let uploader = member(worker_id, "基准测试员", Role::GridHead);
    let reader = member("w-reader", "新设备", Role::Assistant);
    server.ensure_worker(
        &uploader.worker_id,
        &uploader.name,
        uploader.role.worker_role(),
        true,
    )?;
    server.ensure_worker(
        &reader.worker_id,
        &reader.name,
        reader.role.worker_role(),
        false,
    )?;
    let token_a = server.admin().issue_token(&uploader.worker_id, "A")?;
    let token_c = server.admin().issue_token(&reader.worker_id, "C")?;

    // A pushes the whole grid; the server compacts it completely.
    let mut a = Device::open(uploader, db, server.url(), &token_a.token)?;
    let started = Instant::now();
    a.sync()?;
    out.upload_s = started.elapsed().as_secs_f64();
    server.admin().assign(&reader.worker_id, &grid.grid_id)?;
    server.compact_now(&grid.grid_id)?;
    let (last_seq, generation) = server.grid_positions(&grid.grid_id)?;
    if generation < last_seq {
        return Err("the server's snapshots do not cover its log".into());
    }
    let before = load_documents(db)?;
    out.documents = before.len();

    // bootstrap_*: C's first sync, timed from the first request to applied.
    let mut c = Device::open(
        reader,
        &scratch.join("reader.db"),
        server.url(),
        &token_c.token,
    )?;
    // bootstrap_apply_ms: the part spent applying responses on the phone
    // (from each Applying stage to the next step), the rest is the server
    // and the transfer.
    let started = Instant::now();
    let mut applying: Option<Instant> = None;
    let mut apply_ms = 0.0;
    let report = c.sync_with(&mut |p| {
        if let Some(since) = applying.take() {
            apply_ms += since.elapsed().as_secs_f64() * 1000.0;
        }
        if p.stage == SyncStage::Applying {
            applying = Some(Instant::now());
        }
    })?;
    out.bootstrap_ms = started.elapsed().as_secs_f64() * 1000.0;
    out.bootstrap_apply_ms = apply_ms;
    out.bootstrap_bytes = bytes(&report);
    out.bootstrap_round_trips = round_trips(&report);
    if c.store.query_table_dump()? != a.store.query_table_dump()? {
        return Err("the bootstrapped phone differs from the uploader".into());
    }

    // sync_idle_*: C again, nothing new anywhere.
    let report = c.sync()?;
    out.idle_bytes = bytes(&report);
    out.idle_round_trips = round_trips(&report);

    // automerge_bootstrap_bytes: every document from an empty peer, fresh states.
    let mut empty: BTreeMap<String, AutoCommit> = BTreeMap::new();
    let mut server_docs = before.clone();
    let cost = sync_docs(
        &mut server_docs,
        &mut empty,
        &mut PairStates::default(),
        None,
    )?;
    out.automerge_bootstrap_bytes = cost.bytes;

    // The Automerge peers after an earlier session over the pre-day documents.
    let mut am_a = before.clone();
    let mut am_b = before.clone();
    let mut am_c = before;
    let mut states_ab = PairStates::default();
    let mut states_bc = PairStates::default();
    sync_docs(&mut am_a, &mut am_b, &mut states_ab, None)?;
    sync_docs(&mut am_b, &mut am_c, &mut states_bc, None)?;

    // The day: 60 edits on A, A uploads, C downloads.
    day_of_work(&a.store, grid)?;
    out.day_changes = u64::try_from(a.store.sync_status()?.unsent_changes).unwrap_or(0);
    let up = a.sync()?;
    let down = c.sync()?;
    out.day_bytes = bytes(&up) + bytes(&down);
    out.day_round_trips = round_trips(&up) + round_trips(&down);
    if c.store.query_table_dump()? != a.store.query_table_dump()? {
        return Err("the phones differ after the day".into());
    }

    // automerge_day_*: the same exchange with Automerge's sync protocol.
    let mut after = load_documents(db)?;
    let heads_after = heads(&mut after);
    let heads_before = heads(&mut am_a);
    let (changed, idle): (Vec<String>, Vec<String>) = after
        .keys()
        .cloned()
        .partition(|id| heads_after.get(id) != heads_before.get(id));
    out.day_documents = changed.len();
    let mut am_a = after;
    let mut day = SyncCost::default();
    let mut changed_only = SyncCost::default();
    for (ids, is_changed) in [(&changed, true), (&idle, false)] {
        let mut cost = sync_docs(&mut am_a, &mut am_b, &mut states_ab, Some(ids))?;
        cost.add(sync_docs(&mut am_b, &mut am_c, &mut states_bc, Some(ids))?);
        if is_changed {
            changed_only = cost;
        }
        day.add(cost);
    }
    if heads(&mut am_c) != heads_after {
        return Err("the Automerge baseline did not converge".into());
    }
    out.automerge_day_bytes = day.bytes;
    out.automerge_day_changed_docs_bytes = changed_only.bytes;
    out.automerge_day_messages = day.messages;
    drop(a);
    drop(c);
    server.shutdown()?;
    Ok(out)
}

/// The heads of every document.
fn heads(docs: &mut BTreeMap<String, AutoCommit>) -> BTreeMap<String, Vec<automerge::ChangeHash>> {
    docs.iter_mut()
        .map(|(id, doc)| (id.clone(), doc.get_heads()))
        .collect()
}

/// A worker's day on `store`: 40 visits, 15 patrol check-ins and 5 phone
/// corrections (one change each).
fn day_of_work(store: &Store, grid: &GeneratedGrid) -> Result<(), SimError> {
    let mut rng = SplitMix64::new(0x0da7);
    let now = now_ms();
    let at = |k: usize| Timestamp {
        utc_ms: now - i64::try_from(DAY_EDITS - k).unwrap_or(0) * 5 * 60_000,
        offset_minutes: 480,
    };
    let fix = |rng: &mut SplitMix64| {
        Some(GpsFix {
            point: GeoPoint {
                lon: 120.1 + (rng.unit() - 0.5) * 0.004,
                lat: 30.2 + (rng.unit() - 0.5) * 0.004,
            },
            accuracy_m: 5.0 + rng.unit() * 20.0,
        })
    };
    let mut k = 0;
    for i in 0..40 {
        let household_id = grid
            .household_ids
            .get((i * 7) % grid.household_ids.len().max(1))
            .cloned()
            .ok_or("no households")?;
        let seen = store
            .household(&household_id)?
            .members
            .first()
            .map(|m| m.id.clone());
        store.log_visit(VisitInput {
            household_id,
            at: at(k),
            kind: VisitKind::Routine,
            outcome: VisitOutcome::Met,
            residents_seen: seen.into_iter().collect(),
            notes: Some("已核对家庭成员信息".into()),
            findings: Vec::new(),
            gps: fix(&mut rng),
        })?;
        k += 1;
    }
    let shift_id = grid.shift_ids.last().ok_or("no shifts")?;
    let earlier = store.shift_checkins(shift_id)?;
    for i in 0..15 {
        let model = earlier
            .get(i % earlier.len().max(1))
            .ok_or("a shift without check-ins")?;
        store.record_checkin(CheckinInput {
            shift_id: shift_id.clone(),
            member_id: model.member_id.clone(),
            at: at(k),
            checkpoint: model.checkpoint.clone(),
            gps: fix(&mut rng),
        })?;
        k += 1;
    }
    for i in 0..5 {
        let id = grid.resident_ids.get(i * 11).ok_or("too few residents")?;
        let r = store.resident(id)?;
        let phone = format!("139{:08}", rng.below(100_000_000));
        store.update_resident(
            id,
            gridbook::ResidentInput {
                household_id: r.household_id.clone(),
                name: r.name.clone(),
                gender: r.gender,
                birth_date: r.birth_date,
                id_number: r.id_number.clone(),
                phones: vec![phone],
                relation: r.relation.clone(),
                registration: r.registration,
                residence_state: r.residence_state,
                care: r.care.clone(),
                moved_in: r.moved_in,
            },
        )?;
    }
    Ok(())
}

/// Request plus response bytes of one sync (the report's counts are signed
/// for Kotlin and Swift, never negative).
fn bytes(report: &gridbook::sync::SyncProgress) -> u64 {
    report.bytes_sent.unsigned_abs() + report.bytes_received.unsigned_abs()
}

/// The round trips of one sync.
fn round_trips(report: &gridbook::sync::SyncProgress) -> u64 {
    u64::from(report.round_trips.unsigned_abs())
}
