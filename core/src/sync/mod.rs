//! Syncing stores through the district's sync server
//! (`schema/sync-protocol.md`).
//!
//! - `wire`: the request and response types and their bytes;
//! - `hub`: what the server checks and sends, without I/O;
//! - `device`: the store's side: the request to send and how a response is
//!   applied, in one SQLite transaction;
//! - `client` (cargo feature `client`): the HTTP client with timeouts,
//!   retries, progress and cancellation; `tls` (same feature): its rustls
//!   configuration.
//!
//! The device and hub sides are plain functions over bytes, so everything
//! except HTTP is tested in-process here. To add a protocol field, change
//! `wire` (with a new version), then the side that fills it.

use thiserror::Error;

mod device;
mod hub;
mod wire;

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod tls;

#[cfg(feature = "client")]
pub use client::{CancelToken, SyncClient, SyncClientOptions, SyncError, SyncProgress, SyncStage};
pub use device::{SyncApplied, SyncLimits, SyncStatus};
pub use hub::{
    ByteBudget, CheckedChange, MAX_CHANGE_BYTES, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES,
    MIN_RESPONSE_BYTES, PageBuilder, PagePlan, check_push, compact_document, plan_page,
    request_actor, response_budget,
};
pub use wire::{
    ChunkKind, GridCursor, GridPage, MAX_INFLATED_BYTES, PROTOCOL_VERSION, PulledChunk,
    PushedChange, SyncRequest, SyncResponse,
};

/// The path of the sync endpoint.
pub const SYNC_PATH: &str = "/v1/sync";
/// The content type of sync request and response bodies.
pub const CONTENT_TYPE: &str = "application/vnd.gridbook.sync";

/// A sync body or a pushed change that cannot be accepted. Messages name the
/// cause, never the content.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    /// The bytes do not decode as the protocol says.
    #[error("malformed sync body: {0}")]
    Malformed(String),
    /// The body is of a protocol version this build does not speak.
    #[error("unsupported sync protocol version {0}")]
    UnsupportedVersion(u8),
    /// Something is larger than its limit.
    #[error("{what} is larger than {limit} bytes")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// A pushed change is malformed or does not belong where it claims.
    #[error("pushed change {index} rejected: {reason}")]
    ChangeRejected {
        /// Its position in the request.
        index: usize,
        /// Why.
        reason: String,
    },
    /// A pushed change was written by another actor than the request's.
    #[error("pushed change {index} was written by another device")]
    ForeignActor {
        /// Its position in the request.
        index: usize,
    },
    /// A response does not answer the request it was sent for.
    #[error("the response does not match the request: {0}")]
    Mismatch(String),
}
