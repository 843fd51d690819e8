//! The Gridbook district sync server: stores and forwards each grid's CRDT
//! changes between the grid workers' phones (`schema/sync-protocol.md`).
//!
//! It stays thin: the protocol codec, the checks on pushed changes, page
//! assembly and compaction come from `gridbook::sync`; this crate adds
//! storage ([`storage`], SQLite or PostgreSQL behind one trait), device
//! tokens ([`auth`]), administration ([`admin`]), HTTP ([`http`]), TLS
//! ([`tls`]), connection limits ([`limits`]), background compaction
//! ([`compaction`]), residents' own reports by QR code ([`self_report`]) and
//! the periodic deletion of abandoned photo uploads and of self-reports past
//! their retention ([`housekeeping`]).
//!
//! Embedding (tests, the harness's `gridsim`):
//!
//! ```no_run
//! let dir = std::env::temp_dir().join("gridbook-server-example");
//! let server = gridbook_server::spawn(gridbook_server::ServerConfig::sqlite_ephemeral(&dir))?;
//! use gridbook_server::storage::WorkerRole;
//! server.admin().add_worker("w1", "王芳", WorkerRole::GridHead, true)?;
//! let issued = server.admin().issue_token("w1", "王芳的手机")?;
//! println!("sync against {} with {}", server.url, issued.device_id);
//! server.shutdown()?;
//! # Ok::<(), gridbook_server::ServerError>(())
//! ```
//!
//! To extend: each module's documentation says how.

pub mod admin;
pub mod auth;
pub mod cli;
pub mod compaction;
pub mod config;
pub mod error;
pub mod housekeeping;
pub mod http;
pub mod limits;
pub mod self_report;
pub mod server;
pub mod storage;
pub mod tls;

pub use admin::{Admin, BlockingAdmin, IssuedToken};
pub use config::{Backend, ConnectionLimits, ServerConfig, TlsFiles};
pub use error::ServerError;
pub use server::{RunningServer, serve, serve_storage, spawn};
pub use storage::{PostgresStorage, SqliteStorage, Storage, StorageError};
