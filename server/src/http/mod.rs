//! The HTTP surface: `POST /v1/sync` ([`sync`]), the photo endpoints under
//! `/v1/grids/{grid}/photos/{id}` ([`photos`]), residents' self-reports
//! (the form at `/r/{token}` and the workers' endpoints, in
//! [`crate::self_report`]) and `GET /health` ([`health`]), errors as JSON `{"error", "message"}`, and one log line per
//! request (request id, method, path, status, duration).
//!
//! To add an endpoint: write its handler in a new module here, route it in
//! [`router`], and answer errors with [`ApiError`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::self_report::{self, SelfReportState};

use crate::compaction::Compactor;
use crate::storage::{Storage, StorageError};

pub mod health;
pub mod photos;
pub mod sync;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub storage: Arc<dyn Storage>,
    /// Starts compactions after pushes.
    pub compactor: Compactor,
    /// The longest wait for the next piece of a request body.
    pub body_read_timeout: Duration,
    /// Residents' own reports: settings, link key, rate limits.
    pub self_reports: Arc<SelfReportState>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AppState({})", self.storage.backend())
    }
}

/// The id of one request, in its extensions and in every log line about it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The router of the whole server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(gridbook::sync::SYNC_PATH, post(sync::sync))
        .route(
            "/v1/grids/{grid}/photos/{id}",
            get(photos::get_photo).put(photos::put_photo),
        )
        .route(
            "/v1/grids/{grid}/self-report-link",
            post(self_report::api::issue_link).delete(self_report::api::revoke_links),
        )
        .route("/v1/grids/{grid}/self-reports", get(self_report::api::list))
        .route(
            "/v1/grids/{grid}/self-reports/{id}/review",
            post(self_report::api::review),
        )
        .route(
            "/r/{token}",
            get(self_report::form::get_form).post(self_report::form::post_form),
        )
        .route("/health", get(health::health))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
        })
        // The sync handler reads and limits the body itself (413 after draining it).
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn log_request(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let id = id.get(..12).unwrap_or(&id).to_string();
    request.extensions_mut().insert(RequestId(id.clone()));
    let method = request.method().clone();
    // The path is the client's: logged in a bounded, escaped form.
    // A self-report link's token is a capability to post: never logged.
    let path = match request.uri().path() {
        p if p.starts_with("/r/") => "/r/<token>".to_string(),
        p => gridbook::sync::escape_for_log(p),
    };
    let response = next.run(request).await;
    tracing::info!(
        request_id = %id,
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        duration_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// An error answer: a status and a JSON body `{"error": code, "message": text}`.
/// The message names the cause, never request contents.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable code, e.g. `"unauthorized"`.
    pub code: &'static str,
    /// A human-readable cause.
    pub message: String,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
}

/// Refuses a grid id in a path unless it is a lowercase hyphenated UUID:
/// only ids in their canonical form reach a query or a log line.
pub(crate) fn canonical_grid_id(grid: &str) -> Result<(), ApiError> {
    let canonical = uuid::Uuid::parse_str(grid)
        .ok()
        .map(|u| u.hyphenated().to_string());
    if canonical.as_deref() == Some(grid) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            "the grid id is not a lowercase UUID",
        ))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code, "message": self.message });
        if self.status == StatusCode::REQUEST_TIMEOUT {
            // A stalled body is not read further: the connection cannot
            // carry another request.
            return (
                self.status,
                [(header::CONNECTION, "close")],
                axum::Json(body),
            )
                .into_response();
        }
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> ApiError {
        match e {
            StorageError::GridForbidden(_) | StorageError::ActorForbidden => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", e.to_string())
            }
            other => {
                tracing::error!(error = %other, "database error");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is unavailable; retry later",
                )
            }
        }
    }
}
