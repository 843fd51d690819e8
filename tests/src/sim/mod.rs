//! Simulation helpers: a sync server to talk to, a team of workers with a
//! device (store + sync client) each, the edits each role makes, and the
//! Automerge sync baseline that `gridbench` compares with.
//!
//! Used by the `gridsim` binary and by `gridbench`'s sync keys; integration
//! tests can reuse them too (for example [`SimServer::embedded`] with
//! [`Team::enroll`] and [`Device::sync`] for a multi-device test, or
//! [`work::Worker`] for random edits of a role).
//!
//! - `server`: [`SimServer`], an embedded server or an external one with its data dir;
//! - `team`: [`Member`] (who, which role, how often they sync), [`default_team`];
//! - `device`: [`Device`], a worker's store and sync client with byte counters;
//! - `work`: [`work::Worker`], one role's edits through the public `Store` API;
//! - `schedule`: when a worker works and syncs on a simulated day;
//! - `amsync`: Automerge's own sync protocol over the same documents, counted in bytes;
//! - `progress`: a plain text progress bar on stderr;
//! - `summary`: the readable summary `gridsim` prints;
//! - `event_kpis`: the month's events and KPIs, for the summary and the report;
//! - `report`: the month as a self-contained HTML page (map, charts, KPIs) `gridsim` writes;
//! - `syncbench`: `gridbench`'s sync measurements against a loopback server;
//! - `listenbench`: `gridbench`'s write latency with change listeners registered;
//! - `photobench`: `gridbench`'s photo upload throughput next to plain HTTP POSTs of the same bytes;
//! - `hostile`: `gridbench --hostile`, the CPU time of the worst requests a device token can send.
//!
//! To extend: a new role gets a [`team::Role`] variant, its habits in
//! `team.rs` and its edits in `work/` (one file per area); a new counter goes in
//! [`work::Tally`] and the summary that prints it.

pub mod amsync;
pub mod device;
pub mod event_kpis;
pub mod hostile;
pub mod listenbench;
pub mod photobench;
pub mod progress;
pub mod report;
pub mod schedule;
pub mod server;
pub mod summary;
pub mod syncbench;
pub mod team;
pub mod work;

pub use device::{Device, SyncTotals};
pub use server::SimServer;
pub use team::{Member, Role, Team, default_team};

/// The error type of the simulation helpers.
pub type SimError = Box<dyn std::error::Error + Send + Sync>;
