//! `GET /health`: 200 `{"status":"ok","backend":..}` when the database
//! answers within 5 seconds, else 503 `{"status":"unavailable",..}`.
//! Monitoring may poll it; it does not log anything but the request line.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;

/// The health handler.
pub async fn health(State(state): State<AppState>) -> Response {
    let backend = state.storage.backend();
    let answer = tokio::time::timeout(Duration::from_secs(5), state.storage.ping()).await;
    let (status, text) = match answer {
        Ok(Ok(())) => (StatusCode::OK, "ok"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    };
    let body = serde_json::json!({
        "status": text,
        "backend": backend,
        "version": env!("CARGO_PKG_VERSION"),
    });
    (status, Json(body)).into_response()
}
