//! Syncing stores through the district's sync server
//! (`schema/sync-protocol.md`).
//!
//! - `wire`: the request and response types and their bytes; `grids`: what
//!   a response says about grids besides their pages (refusals, teams);
//! - `hub` (cargo feature `hub`, for the sync server; not compiled into the
//!   phone library): what the server checks and sends, without I/O,
//!   `authorship` (same feature): what the server vouches for in a change,
//!   and `ancestry` (same feature): that a change belongs to its document;
//! - `device`: the store's side: the request to send and how a response is
//!   applied, in one SQLite transaction; `quarantine`: the grids the server
//!   refused, their held changes, and discarding one (audited);
//! - `photo_wire`: the photo endpoints' paths, header and limits (photos
//!   travel beside the change log);
//! - `scope`: which documents of a grid an assignment covers (a
//!   department's events-only assignment), which the server enforces;
//! - `client` (cargo feature `client`): the HTTP client with timeouts,
//!   retries, progress and cancellation; `tls` (same feature): its rustls
//!   configuration.
//!
//! The device and hub sides are plain functions over bytes, so everything
//! except HTTP is tested in-process here. To add a protocol field, change
//! `wire` (with a new version), then the side that fills it.

#[cfg(any(test, feature = "hub"))]
mod ancestry;
#[cfg(any(test, feature = "hub"))]
mod authorship;
mod device;
mod grids;
#[cfg(any(test, feature = "hub"))]
mod hub;
mod photo_wire;
mod quarantine;
mod scope;
mod wire;

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod self_reports;
#[cfg(feature = "client")]
mod tls;

pub use crate::error::ProtocolError;
#[cfg(any(test, feature = "hub"))]
pub use ancestry::{Dependency, MAX_OUTSIDE_DEPENDENCIES, genesis_change, outside_dependencies};
#[cfg(any(test, feature = "hub"))]
pub use authorship::{Pusher, check_authors};
#[cfg(feature = "client")]
pub use client::{CancelToken, SyncClient, SyncClientOptions, SyncError, SyncProgress, SyncStage};
pub use device::{SyncApplied, SyncLimits, SyncStatus};
pub use grids::{GridRefusal, GridTeam, RefusedGrid, TeamMember};
#[cfg(any(test, feature = "hub"))]
pub use hub::{
    ByteBudget, CheckedChange, PageBuilder, PagePlan, check_push, compact_document, plan_page,
    request_actor, response_budget,
};
pub use photo_wire::{
    MAX_SERVER_PHOTO_BYTES, PHOTO_CHUNK_BYTES, PHOTO_HASH_MISMATCH, PHOTO_OFFSET_MISMATCH,
    PHOTO_SIZE_HEADER, photo_path,
};
pub use quarantine::{BlockedGrid, DiscardConfirmation, DiscardedGrid};
pub use scope::{AssignmentScope, EVENT_DOC_KINDS};
#[cfg(feature = "client")]
pub use self_reports::SelfReportSync;
pub use wire::{
    ChunkKind, GridCursor, GridPage, MAX_ACTOR_BYTES, MAX_CHANGE_BYTES, MAX_CHANGES_PER_REQUEST,
    MAX_DOC_ID_BYTES, MAX_DOCS_PER_REQUEST, MAX_GRIDS_PER_REQUEST, MAX_INFLATED_BYTES,
    MAX_OPS_PER_CHANGE, MAX_OPS_PER_REQUEST, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES,
    MIN_RESPONSE_BYTES, PER_GRID_VERSION, PROTOCOL_VERSION, PulledChunk, PushedChange,
    SHOWN_TEXT_CHARS, SyncRequest, SyncResponse, VouchedIdentity, escape_for_log,
};

/// The path of the sync endpoint.
pub const SYNC_PATH: &str = "/v1/sync";
/// The content type of sync request and response bodies.
pub const CONTENT_TYPE: &str = "application/vnd.gridbook.sync";
