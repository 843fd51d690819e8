//! The workers' self-report endpoints, each authenticated with the device's
//! bearer token (401), for a grid given as a lowercase UUID (400):
//!
//! - `POST /v1/grids/{grid}/self-report-link`: a new link to the grid's
//!   form, `{"grid_id", "url", "expires_at"}`, for the grid head assigned
//!   to the grid only (the role and the assignment as the server keeps
//!   them: 403 otherwise); 503 `no_public_url` when the server cannot make
//!   a link residents can safely use (see `link_base`).
//! - `DELETE /v1/grids/{grid}/self-report-link`: revokes every link of the
//!   grid issued so far (same rights), `{"revoked": true}`.
//! - `GET /v1/grids/{grid}/self-reports`: the reports waiting for review,
//!   oldest first, `{"reports": [{"id", "received_at", "report"}]}` where
//!   `report` is the core's draft (text fields, members), for any worker
//!   assigned the whole grid (a department's events-only assignment is
//!   refused: 403).
//! - `POST /v1/grids/{grid}/self-reports/{id}/review` with
//!   `{"outcome": "accepted" | "rejected"}`: the report was reviewed; the
//!   server deletes it (`{"deleted": true}`; 404 if the grid holds no such
//!   report). Accepting writes nothing on the server: the reviewing phone
//!   enters the roster edits itself.
//!
//! Logged: the grid, the device, the outcome and counts; never a report.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gridbook::codes::WorkerRole;

use crate::http::sync::{authenticated_device, read_body};
use crate::http::{ApiError, AppState, canonical_grid_id};
use crate::storage::{AuthenticatedDevice, now_unix};

/// The kind an assignment's scope must cover to read the grid's reports:
/// they are roster data.
const ROSTER_KIND: &str = "roster";
/// The largest review body read.
const MAX_REVIEW_BYTES: usize = 1024;

fn forbidden(message: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
}

/// The device, once the grid id is canonical and assigned to its worker
/// with a scope covering the roster.
async fn assigned(
    state: &AppState,
    headers: &HeaderMap,
    grid: &str,
) -> Result<AuthenticatedDevice, ApiError> {
    let device = authenticated_device(state, headers).await?;
    canonical_grid_id(grid)?;
    let scopes = state
        .storage
        .assignment_scopes(device.worker_id.clone())
        .await?;
    if !scopes
        .iter()
        .any(|(g, scope)| g == grid && scope.allows_kind(ROSTER_KIND))
    {
        return Err(forbidden("the grid is not assigned to this worker"));
    }
    Ok(device)
}

async fn grid_head(
    state: &AppState,
    headers: &HeaderMap,
    grid: &str,
) -> Result<AuthenticatedDevice, ApiError> {
    let device = assigned(state, headers, grid).await?;
    if device.role != WorkerRole::GridHead {
        return Err(forbidden("only the grid head may manage self-report links"));
    }
    Ok(device)
}

fn answer(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /v1/grids/{grid}/self-report-link`.
pub async fn issue_link(
    State(state): State<AppState>,
    Path(grid): Path<String>,
    headers: HeaderMap,
) -> Response {
    answer(async {
        let device = grid_head(&state, &headers, &grid).await?;
        let reports = &state.self_reports;
        let Some(base) = reports.link_base.as_deref() else {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "no_public_url",
                "the server has no address residents can reach safely: start it with \
                 --public-url https://… (or TLS on a specific address)",
            ));
        };
        let key = reports.key(state.storage.as_ref()).await?;
        let epoch = state.storage.self_report_epoch(grid.clone()).await?;
        let lifetime = i64::try_from(reports.settings.link_lifetime.as_secs()).unwrap_or(i64::MAX);
        let expires_at = now_unix().saturating_add(lifetime);
        let token = key.sign_link(&grid, expires_at, epoch);
        tracing::info!(grid = %grid, device_id = %device.device_id, expires_at, "self-report link issued");
        Ok(Json(serde_json::json!({
            "grid_id": grid,
            "url": format!("{base}{}/{token}", super::FORM_PATH),
            "expires_at": expires_at,
        }))
        .into_response())
    }
    .await)
}

/// `DELETE /v1/grids/{grid}/self-report-link`.
pub async fn revoke_links(
    State(state): State<AppState>,
    Path(grid): Path<String>,
    headers: HeaderMap,
) -> Response {
    answer(async {
        let device = grid_head(&state, &headers, &grid).await?;
        let epoch = state.storage.revoke_self_report_links(grid.clone()).await?;
        tracing::info!(grid = %grid, device_id = %device.device_id, epoch, "self-report links revoked");
        Ok(Json(serde_json::json!({ "revoked": true })).into_response())
    }
    .await)
}

/// `GET /v1/grids/{grid}/self-reports`.
pub async fn list(
    State(state): State<AppState>,
    Path(grid): Path<String>,
    headers: HeaderMap,
) -> Response {
    answer(async {
        let device = assigned(&state, &headers, &grid).await?;
        let stored = state.storage.self_reports(grid.clone()).await?;
        let reports: Vec<serde_json::Value> = stored
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.report_id,
                    "received_at": r.received_at,
                    "report": serde_json::from_str::<serde_json::Value>(&r.report)
                        .unwrap_or(serde_json::Value::Null),
                })
            })
            .collect();
        tracing::info!(grid = %grid, device_id = %device.device_id, count = reports.len(), "self-reports listed");
        Ok(Json(serde_json::json!({ "reports": reports })).into_response())
    }
    .await)
}

/// The body of a review.
#[derive(Debug, serde::Deserialize)]
pub struct Review {
    /// `accepted` or `rejected`.
    pub outcome: String,
}

/// `POST /v1/grids/{grid}/self-reports/{id}/review`.
pub async fn review(
    State(state): State<AppState>,
    Path((grid, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    answer(async {
        let device = assigned(&state, &headers, &grid).await?;
        let body = read_body(&headers, body, MAX_REVIEW_BYTES, state.body_read_timeout).await?;
        let review: Review = serde_json::from_slice(&body).map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_body", "expected {\"outcome\": \"accepted\" or \"rejected\"}")
        })?;
        let outcome = match review.outcome.as_str() {
            "accepted" => "accepted",
            "rejected" => "rejected",
            _ => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_field",
                    "outcome must be accepted or rejected",
                ));
            }
        };
        if uuid::Uuid::parse_str(&id).map(|u| u.hyphenated().to_string()).ok().as_deref() != Some(id.as_str()) {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_field", "the report id is not a lowercase UUID"));
        }
        if !state.storage.delete_self_report(grid.clone(), id.clone()).await? {
            return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such report in this grid"));
        }
        tracing::info!(grid = %grid, report = %id, device_id = %device.device_id, outcome, "self-report reviewed and deleted");
        Ok(Json(serde_json::json!({ "deleted": true })).into_response())
    }
    .await)
}
