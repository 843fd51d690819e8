//! `POST /v1/sync`: the one endpoint devices talk to
//! (`schema/sync-protocol.md`). In order: token → 401; body over
//! `MAX_REQUEST_BYTES` → 413; a body read waiting longer than
//! `body_read_timeout` → 408 and the connection closed; decode, which holds
//! every string to its grammar and every count to its limit → 400; grid
//! access (from protocol version 3, per grid: a grid the worker may not use
//! is left out of the push and the pages and named in the response with its
//! reason; before it, 403 for the whole request); change checks (`gridbook::sync::check_push`) → 400, or 403
//! for a foreign actor; the authors (`gridbook::sync::check_authors`: every
//! field naming who did something names the token's worker, and a role
//! claimed is the one the server keeps for them) → 403; every change
//! descends from its document (`gridbook::sync::outside_dependencies`, then
//! a lookup of the rest in the log) → 400; then one transaction stores the
//! push (actors bound, grids created where allowed); then one page per grid,
//! under one byte budget, and (from protocol version 2) the worker's id,
//! name and role as the server keeps them, so the phone learns who it is.
//!
//! Logged per request: request id, device id, grid ids, counts, bytes,
//! status, duration. Never change contents, tokens or resident data; the
//! grid ids are UUIDs the decoder formatted itself, so no client text
//! reaches a log line.
//!
//! A grid assigned with a narrow scope (`gridbook::sync::AssignmentScope`,
//! a department's events-only assignment) is held to it both ways: a push
//! to a document the scope does not cover refuses the whole request with
//! 403 (an honest department's phone never writes one), and its pages carry
//! only the documents the scope covers, the cursor moving past the rest.
//! A device whose cursor may have skipped documents its worker may now pull
//! (the scope was widened) is told to start the grid over: its page is empty
//! with cursor 0, until it names the grid at cursor 0 (`Storage::scope_resets`).
//! To change what is checked, change `gridbook::sync::check_push`; to change
//! what a page holds, `gridbook::sync::PageBuilder`.

use std::future::poll_fn;
use std::pin::Pin;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::body::{Body, HttpBody};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gridbook::sync::{
    AssignmentScope, ByteBudget, CheckedChange, GridCursor, GridPage, MAX_REQUEST_BYTES,
    PER_GRID_VERSION, PageBuilder, PagePlan, ProtocolError, Pusher, SyncRequest, SyncResponse,
    VouchedIdentity, check_authors, check_push, outside_dependencies, plan_page, request_actor,
    response_budget,
};

use gridbook::codes::CodeList;

use super::{ApiError, AppState, RequestId};
use crate::auth;
use crate::storage::{
    AuthenticatedDevice, ChangeKey, NewChange, PushBatch, Storage, StorageResult, sorted_unique,
};

/// Past the limit, the body is still read (and dropped) up to this many
/// bytes so that the client gets its 413 instead of a reset connection.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;
/// Log rows and snapshots read per database round trip.
const BATCH_ROWS: u32 = 256;

/// What one request did, for its log line.
#[derive(Debug, Default)]
struct Counts {
    bytes_in: usize,
    pushed: usize,
    refused: usize,
    stored: u64,
    chunks_out: usize,
    bytes_out: usize,
}

/// The sync handler.
pub async fn sync(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let mut counts = Counts::default();
    let mut device_id = String::new();
    let mut grid_ids = String::new();
    let result = handle(
        &state,
        &headers,
        body,
        &mut counts,
        &mut device_id,
        &mut grid_ids,
    )
    .await;
    let status = match &result {
        Ok(_) => StatusCode::OK,
        Err(e) => e.status,
    };
    let reason = result
        .as_ref()
        .err()
        .map(|e| e.message.clone())
        .unwrap_or_default();
    tracing::info!(
        request_id = %request_id.0,
        device_id = %device_id,
        grids = %grid_ids,
        bytes_in = counts.bytes_in,
        pushed = counts.pushed,
        refused = counts.refused,
        stored = counts.stored,
        chunks_out = counts.chunks_out,
        bytes_out = counts.bytes_out,
        status = status.as_u16(),
        reason = %reason,
        duration_ms = started.elapsed().as_millis() as u64,
        "sync"
    );
    match result {
        Ok(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, gridbook::sync::CONTENT_TYPE)],
            bytes,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn handle(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    counts: &mut Counts,
    device_id: &mut String,
    grid_ids: &mut String,
) -> Result<Vec<u8>, ApiError> {
    let device = authenticated_device(state, headers).await?;
    device_id.clone_from(&device.device_id);

    let body = read_body(headers, body, MAX_REQUEST_BYTES, state.body_read_timeout).await?;
    counts.bytes_in = body.len();
    // Inflating and decoding cost CPU in proportion to what the client sent:
    // off the async workers, so one heavy request does not stall the others.
    let request = off_the_runtime(move || SyncRequest::decode(&body))
        .await?
        .map_err(bad_request)?;
    counts.pushed = request.push.len();

    let named: Vec<String> = request.grids.iter().map(|g| g.grid_id.clone()).collect();
    // One entry per grid, however many changes name it.
    let pushed_grids: Vec<String> = sorted_unique(
        &request
            .push
            .iter()
            .filter_map(|p| grid_of_doc(&p.doc_id))
            .collect::<Vec<_>>(),
    );
    let mut all_named = named.clone();
    all_named.extend(pushed_grids.iter().cloned());
    let all_named = sorted_unique(&all_named);
    *grid_ids = all_named.join(",");
    // From version 3 a grid the worker may not use is refused on its own
    // (an honest phone's stuck grid must not block its others); older
    // phones cannot read a per-grid refusal, so theirs is refused whole.
    let per_grid = request.version >= PER_GRID_VERSION;
    let refused = if per_grid {
        state
            .storage
            .refused_grids(device.clone(), all_named.clone(), pushed_grids)
            .await?
    } else {
        state
            .storage
            .check_access(device.clone(), all_named.clone(), pushed_grids)
            .await?;
        Vec::new()
    };
    counts.refused = refused.len();
    let refused_ids: Vec<String> = refused.iter().map(|r| r.grid_id.clone()).collect();
    let granted: Vec<String> = all_named
        .into_iter()
        .filter(|g| !refused_ids.contains(g))
        .collect();
    let scopes = state
        .storage
        .assignment_scopes(device.worker_id.clone())
        .await?;
    // A grid this push creates is its creator's whole grid.
    let scope_of = |grid: &str| {
        scopes
            .iter()
            .find(|(g, _)| g == grid)
            .map(|(_, scope)| *scope)
            .unwrap_or_default()
    };
    // A department's phone never writes the roster or a visit: such a push
    // is forged or broken, and nothing of it is stored.
    for (index, pushed) in request.push.iter().enumerate() {
        let Some(grid) = grid_of_doc(&pushed.doc_id) else {
            continue;
        };
        if refused_ids.contains(&grid) {
            continue;
        }
        if !scope_of(&grid).allows_doc(&pushed.doc_id) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("change {index} is to a document the worker's assignment does not cover"),
            ));
        }
    }

    let forbidden_or_bad = |e: ProtocolError| match e {
        ProtocolError::ForeignActor { .. }
        | ProtocolError::ForgedAuthor { .. }
        | ProtocolError::RoleMayNot { .. } => {
            ApiError::new(StatusCode::FORBIDDEN, "forbidden", e.to_string())
        }
        other => bad_request(other),
    };
    let actor = request_actor(&request).map_err(bad_request)?;
    // The server vouches for who wrote what: every author field names the
    // token's worker, and a role written is the one the server keeps.
    let pusher = Pusher {
        worker_id: device.worker_id.clone(),
        role: Some(device.role.code().to_string()),
        actor: actor.clone(),
    };
    // Parsing every change and reading its operations is the costliest step
    // a client can ask for (see `gridbench --hostile`): off the async workers too.
    let (request, checked) = off_the_runtime(move || {
        let checked = check_push(&request)?;
        check_authors(&checked, &pusher)?;
        Ok((request, checked))
    })
    .await?
    .map_err(forbidden_or_bad)?;
    // A refused grid's changes were held to every rule above (a forgery is
    // refused whole, wherever it hides); they are neither looked up nor stored.
    let checked: Vec<CheckedChange> = checked
        .into_iter()
        .filter(|c| !refused_ids.contains(&c.grid_id))
        .collect();
    check_ancestry(state.storage.as_ref(), &checked).await?;
    let changes: Vec<NewChange> = checked
        .into_iter()
        .map(|c| NewChange {
            grid_id: c.grid_id,
            doc_id: c.doc_id,
            hash: c.hash.to_vec(),
            bytes: c.bytes,
        })
        .collect();
    let outcome = state
        .storage
        .store_push(PushBatch {
            device: device.clone(),
            grids: granted,
            actors: vec![actor.clone()],
            changes,
        })
        .await?;
    counts.stored = outcome.grids.iter().map(|g| g.inserted).sum();
    state.compactor.after_push(&outcome.grids);

    let mut cursors: Vec<GridCursor> = request
        .grids
        .iter()
        .filter(|c| !refused_ids.contains(&c.grid_id))
        .cloned()
        .collect();
    // The team of a department's grid is sent too: it names the grid's
    // staff (id, name, role), whom the department's events name as their
    // reporters, and no resident; the roster document is what it never gets.
    let teams = if per_grid {
        state.storage.grid_teams(device.worker_id.clone()).await?
    } else {
        Vec::new()
    };
    // Only a grid the request names at cursor 0 proves that the device
    // starts it over: a grid it does not name gets a page from 0 that a
    // phone holding the grid blocked does not apply.
    let started_over: Vec<String> = cursors
        .iter()
        .filter(|c| c.cursor == 0 && c.resume_after.is_none())
        .map(|c| c.grid_id.clone())
        .collect();
    let resets = state
        .storage
        .scope_resets(device.device_id.clone(), started_over)
        .await?;
    for (grid, _) in &scopes {
        if !cursors.iter().any(|c| &c.grid_id == grid) {
            cursors.push(GridCursor {
                grid_id: grid.clone(),
                cursor: 0,
                resume_after: None,
            });
        }
    }
    let mut budget = ByteBudget::new(response_budget(request.max_response_bytes));
    let budget_bytes = u64::from(response_budget(request.max_response_bytes));
    let mut pages = Vec::with_capacity(cursors.len());
    for cursor in &cursors {
        let page = if resets.contains(&cursor.grid_id) {
            start_over(&cursor.grid_id, &mut budget)
        } else {
            fill_page(
                state.storage.as_ref(),
                &actor,
                cursor,
                scope_of(&cursor.grid_id),
                &mut budget,
                budget_bytes,
            )
            .await?
        };
        counts.chunks_out += page.chunks.len();
        pages.push(page);
    }
    // A version-1 phone cannot read the identity: it gets the version-1 layout.
    let identity = (request.version >= 2).then(|| VouchedIdentity {
        worker_id: device.worker_id.clone(),
        name: device.worker_name.clone(),
        role: device.role.code().to_string(),
        can_create_grids: device.can_create_grids,
    });
    let response = SyncResponse {
        version: request.version,
        acked_upto: request.push_upto,
        grids: pages,
        identity,
        refused,
        teams,
    }
    .encode();
    counts.bytes_out = response.len();
    Ok(response)
}

/// The page that makes a device start a grid over: no chunks, cursor 0,
/// more to come. Merging is idempotent, so the phone loses nothing by
/// pulling the grid again; its next request names the grid at cursor 0.
fn start_over(grid_id: &str, budget: &mut ByteBudget) -> GridPage {
    let origin = GridCursor {
        grid_id: grid_id.to_string(),
        cursor: 0,
        resume_after: None,
    };
    PageBuilder::new(&origin, 0, budget).finish(true)
}

/// Fills one grid's page: snapshots first for a bootstrapping device, then
/// the log after its cursor, leaving out the changes the requesting store
/// wrote (by actor, so that a reinstalled app on the same device, with a new
/// store and actor, receives its old changes back) and the documents
/// `scope` does not cover (the cursor moves past both alike).
async fn fill_page(
    storage: &dyn Storage,
    actor: &str,
    cursor: &GridCursor,
    scope: AssignmentScope,
    budget: &mut ByteBudget,
    budget_bytes: u64,
) -> StorageResult<GridPage> {
    let generation = storage
        .grid_state(cursor.grid_id.clone())
        .await?
        .map(|s| s.generation)
        .unwrap_or(0);
    let mut page = PageBuilder::new(cursor, generation, budget);
    if let PagePlan::Snapshots { after_doc } = plan_page(cursor, generation) {
        let mut after = after_doc;
        loop {
            let rows = storage
                .read_snapshots(cursor.grid_id.clone(), after.clone(), scope, BATCH_ROWS)
                .await?;
            if rows.is_empty() {
                page.snapshots_done();
                break;
            }
            for row in rows {
                if !page.add_snapshot(&row.doc_id, &row.bytes) {
                    return Ok(page.finish(true));
                }
                after = Some(row.doc_id);
            }
        }
    }
    let mut after = page.cursor();
    loop {
        let batch = storage
            .read_log(
                cursor.grid_id.clone(),
                after,
                Some(actor.to_string()),
                scope,
                budget_bytes,
                BATCH_ROWS,
            )
            .await?;
        for row in &batch.rows {
            if !page.add_change(row.seq, &row.doc_id, Some(&row.bytes)) {
                return Ok(page.finish(true));
            }
        }
        // The device's own entries after the last row: only move the cursor.
        page.add_change(batch.scanned_to, "", None);
        if !batch.more {
            return Ok(page.finish(false));
        }
        after = batch.scanned_to;
    }
}

/// Refuses the request unless every pushed change descends from the history
/// of the document it is pushed under (see `gridbook::sync::outside_dependencies`):
/// what the push does not carry must be in the document's stored log.
async fn check_ancestry(storage: &dyn Storage, checked: &[CheckedChange]) -> Result<(), ApiError> {
    let outside = outside_dependencies(checked).map_err(bad_request)?;
    let keys = outside
        .iter()
        .map(|d| ChangeKey {
            grid_id: d.grid_id.clone(),
            doc_id: d.doc_id.clone(),
            hash: d.hash.to_vec(),
        })
        .collect();
    let missing = storage.missing_changes(keys).await?;
    match missing.first().and_then(|i| outside.get(*i)) {
        Some(dependency) => Err(bad_request(ProtocolError::NotOfDocument {
            index: dependency.index,
        })),
        None => Ok(()),
    }
}

/// The grid id inside a document id (`kind/<grid>[/...]`), if it has one.
fn grid_of_doc(doc_id: &str) -> Option<String> {
    let mut parts = doc_id.split('/');
    let _kind = parts.next()?;
    let grid = parts.next()?;
    (!grid.is_empty()).then(|| grid.to_string())
}

/// Reads the body up to `limit` bytes. A larger body is drained (up to
/// [`DRAIN_LIMIT`]) and answered with 413, so the client reads the answer.
/// Each read waits at most `read_timeout` (408 past it), so a body trickled
/// byte by byte cannot hold the connection.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    mut body: Body,
    limit: usize,
    read_timeout: Duration,
) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the request body is larger than {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return Err(too_large());
    }
    let mut out = Vec::with_capacity(declared.unwrap_or(0).min(limit));
    let mut seen = 0usize;
    let stalled = || {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            format!(
                "the request body stalled for more than {} ms",
                read_timeout.as_millis()
            ),
        )
    };
    loop {
        let next = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx));
        let Some(frame) = tokio::time::timeout(read_timeout, next)
            .await
            .map_err(|_| stalled())?
        else {
            break;
        };
        let frame = frame.map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "the request body was cut off",
            )
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen = seen.saturating_add(data.len());
        if seen > limit {
            out = Vec::new();
            if seen > DRAIN_LIMIT {
                break;
            }
            continue;
        }
        out.extend_from_slice(&data);
    }
    if seen > limit {
        return Err(too_large());
    }
    Ok(out)
}

/// The device whose bearer token the request carries: 401 without one, or
/// for a token unknown or revoked. Every endpoint a phone calls starts here.
pub(crate) async fn authenticated_device(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<AuthenticatedDevice, ApiError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let Some(token) = auth::bearer(authorization) else {
        return Err(unauthorized("missing bearer token"));
    };
    match state.storage.authenticate(auth::hash_token(token)).await? {
        Some(device) => Ok(device),
        None => Err(unauthorized("unknown or revoked token")),
    }
}

pub(crate) fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

/// A 400 whose code says which rule the request broke (see the status codes
/// in `schema/sync-protocol.md`); the message names the field, never its text.
/// Runs CPU-bound work on tokio's blocking pool. The work only reads what it
/// is given, so a panic in it (a bug, never input: the checks guard calls into
/// Automerge) is a 500 for this request alone.
async fn off_the_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        tracing::error!(
            panicked = error.is_panic(),
            "a request check did not finish"
        );
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the request could not be checked",
        )
    })
}

fn bad_request(e: ProtocolError) -> ApiError {
    let code = match &e {
        ProtocolError::InvalidField { .. } => "invalid_field",
        ProtocolError::Duplicate { .. } => "duplicate",
        ProtocolError::TooMany { .. } => "too_many",
        ProtocolError::NotOfDocument { .. } => "not_of_document",
        _ => "bad_request",
    };
    ApiError::new(StatusCode::BAD_REQUEST, code, e.to_string())
}
