//! The photo endpoints (`schema/sync-protocol.md`, "Photos"): photos travel
//! beside the change log, each under its grid, by its id (the SHA-256 of
//! its bytes).
//!
//! - `PUT /v1/grids/{grid}/photos/{id}?offset=N` with `X-Photo-Size` and
//!   `Content-Length`: one chunk, appended only at the count received so
//!   far (a chunk already received is acknowledged unchanged, so a retry
//!   after a lost answer is harmless); the chunk that completes the size
//!   is hashed against `{id}`, and a mismatch deletes the upload (422).
//! - `GET /v1/grids/{grid}/photos/{id}?status`: where an upload stands
//!   (`received` 0 for one never begun), for a client resuming after a cut.
//! - `GET /v1/grids/{grid}/photos/{id}`: the bytes of a complete photo; 404
//!   for one absent or incomplete.
//!
//! Every request: bearer token → 401; ids malformed → 400; the grid must be
//! assigned to the worker with a scope that covers photos (a department's
//! events-only assignment does) → 403. A refused request stores nothing.
//! Logged: request id, device, grid, photo id (both ids formatted by the
//! server's own checks), offset, length, status; never the bytes.

use std::time::Instant;

use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gridbook::sync::{
    MAX_SERVER_PHOTO_BYTES, PHOTO_CHUNK_BYTES, PHOTO_HASH_MISMATCH, PHOTO_OFFSET_MISMATCH,
    PHOTO_SIZE_HEADER,
};

use super::sync::{authenticated_device, read_body};
use super::{ApiError, AppState, RequestId, canonical_grid_id};
use crate::storage::{AuthenticatedDevice, PhotoAppend, PhotoChunk, PhotoStatus};

/// The kind name an assignment's scope must cover for its photos.
const PHOTOS_KIND: &str = "photos";

/// What one request did, for its log line.
#[derive(Debug, Default)]
struct Logged {
    device_id: String,
    grid_id: String,
    photo_id: String,
    offset: u64,
    bytes_in: usize,
    bytes_out: usize,
}

/// `PUT /v1/grids/{grid}/photos/{id}`: one chunk of an upload.
pub async fn put_photo(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Path((grid, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let mut logged = Logged::default();
    let result = upload(&state, &grid, &id, query, &headers, body, &mut logged).await;
    finish(result, &request_id, &logged, started, "photo upload")
}

/// `GET /v1/grids/{grid}/photos/{id}[?status]`: the photo or its upload's state.
pub async fn get_photo(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Path((grid, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    let mut logged = Logged::default();
    let wants_status = query.as_deref().is_some_and(|q| {
        q.split('&')
            .any(|p| p == "status" || p.starts_with("status="))
    });
    let result = if wants_status {
        status(&state, &grid, &id, &headers, &mut logged).await
    } else {
        download(&state, &grid, &id, &headers, &mut logged).await
    };
    finish(result, &request_id, &logged, started, "photo read")
}

fn finish(
    result: Result<Response, ApiError>,
    request_id: &RequestId,
    logged: &Logged,
    started: Instant,
    what: &'static str,
) -> Response {
    let (status, reason) = match &result {
        Ok(response) => (response.status(), String::new()),
        Err(e) => (e.status, e.message.clone()),
    };
    tracing::info!(
        request_id = %request_id.0,
        device_id = %logged.device_id,
        grid = %logged.grid_id,
        photo = %logged.photo_id,
        offset = logged.offset,
        bytes_in = logged.bytes_in,
        bytes_out = logged.bytes_out,
        status = status.as_u16(),
        reason = %reason,
        duration_ms = started.elapsed().as_millis() as u64,
        "{what}"
    );
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Authenticates the request and checks the ids and the grid's access;
/// returns the device.
async fn authorize(
    state: &AppState,
    grid: &str,
    id: &str,
    headers: &HeaderMap,
    logged: &mut Logged,
) -> Result<AuthenticatedDevice, ApiError> {
    let device = authenticated_device(state, headers).await?;
    logged.device_id.clone_from(&device.device_id);
    canonical_grid_id(grid)?;
    logged.grid_id = grid.to_string();
    if !is_photo_id(id) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            "the photo id is not 64 lowercase hex digits",
        ));
    }
    logged.photo_id = id.to_string();
    let scopes = state
        .storage
        .assignment_scopes(device.worker_id.clone())
        .await?;
    let allowed = scopes
        .iter()
        .any(|(g, scope)| g == grid && scope.allows_kind(PHOTOS_KIND));
    if !allowed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the grid is not assigned to this worker",
        ));
    }
    Ok(device)
}

fn is_photo_id(id: &str) -> bool {
    id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

fn status_json(status: PhotoStatus) -> Response {
    axum::Json(serde_json::json!({
        "size": status.size,
        "received": status.received,
        "complete": status.complete,
    }))
    .into_response()
}

/// A header's value as a number, if present and one.
fn number(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<Option<u64>> {
    headers
        .get(name)
        .map(|v| v.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()))
}

async fn upload(
    state: &AppState,
    grid: &str,
    id: &str,
    query: Option<String>,
    headers: &HeaderMap,
    body: Body,
    logged: &mut Logged,
) -> Result<Response, ApiError> {
    authorize(state, grid, id, headers, logged).await?;
    let offset = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .find_map(|p| p.strip_prefix("offset="))
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| bad("invalid_field", "offset must be given as a number"))?;
    logged.offset = offset;
    let size = match number(headers, PHOTO_SIZE_HEADER) {
        Some(Some(size)) if size > 0 => size,
        _ => {
            return Err(bad(
                "invalid_field",
                format!("{PHOTO_SIZE_HEADER} must be the photo's length in bytes"),
            ));
        }
    };
    let too_large =
        |message: String| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message);
    if size > MAX_SERVER_PHOTO_BYTES {
        return Err(too_large(format!(
            "a photo may have at most {MAX_SERVER_PHOTO_BYTES} bytes"
        )));
    }
    // A chunk's length is known before it is read, so that one the server
    // would refuse is refused before its bytes cross a weak link.
    let length = match number(headers, header::CONTENT_LENGTH) {
        Some(Some(length)) => length,
        _ => {
            return Err(ApiError::new(
                StatusCode::LENGTH_REQUIRED,
                "length_required",
                "a photo chunk needs a Content-Length",
            ));
        }
    };
    if length > PHOTO_CHUNK_BYTES as u64 {
        return Err(too_large(format!(
            "a photo chunk may have at most {PHOTO_CHUNK_BYTES} bytes"
        )));
    }
    if length == 0 || offset.saturating_add(length) > size {
        return Err(bad(
            "invalid_field",
            "the chunk must be non-empty and end within the photo's size",
        ));
    }
    let bytes = read_body(headers, body, PHOTO_CHUNK_BYTES, state.body_read_timeout).await?;
    logged.bytes_in = bytes.len();
    if bytes.len() as u64 != length {
        return Err(bad(
            "bad_request",
            "the chunk is shorter than its Content-Length",
        ));
    }
    let answer = state
        .storage
        .append_photo_chunk(PhotoChunk {
            grid_id: grid.to_string(),
            photo_id: id.to_string(),
            size,
            offset,
            bytes,
        })
        .await?;
    match answer {
        PhotoAppend::Stored(status) => Ok(status_json(status)),
        PhotoAppend::Gap { received } => Err(ApiError::new(
            StatusCode::CONFLICT,
            PHOTO_OFFSET_MISMATCH,
            format!("the chunk starts at {offset}; the server holds {received} bytes"),
        )),
        PhotoAppend::SizeMismatch { size: stored } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "size_mismatch",
            format!("the upload began with size {stored}, not {size}"),
        )),
        PhotoAppend::HashMismatch => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            PHOTO_HASH_MISMATCH,
            "the photo's bytes do not hash to its id; the upload was discarded",
        )),
    }
}

async fn status(
    state: &AppState,
    grid: &str,
    id: &str,
    headers: &HeaderMap,
    logged: &mut Logged,
) -> Result<Response, ApiError> {
    authorize(state, grid, id, headers, logged).await?;
    let status = state
        .storage
        .photo_status(grid.to_string(), id.to_string())
        .await?;
    Ok(match status {
        Some(status) => status_json(status),
        None => axum::Json(serde_json::json!({
            "size": null,
            "received": 0,
            "complete": false,
        }))
        .into_response(),
    })
}

async fn download(
    state: &AppState,
    grid: &str,
    id: &str,
    headers: &HeaderMap,
    logged: &mut Logged,
) -> Result<Response, ApiError> {
    authorize(state, grid, id, headers, logged).await?;
    let Some(bytes) = state
        .storage
        .read_photo(grid.to_string(), id.to_string())
        .await?
    else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "the server holds no complete photo with this id in this grid",
        ));
    };
    logged.bytes_out = bytes.len();
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream")],
        bytes,
    )
        .into_response())
}
