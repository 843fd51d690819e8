//! The `gridbook-server` command line: serving (the default) and the
//! `admin` subcommands. Logs go to stderr; stdout carries only the
//! `listening on URL` line and admin output, so scripts can parse them.
//!
//! `issue-token`, `list`, `stats` and `purge-abandoned-uploads` print JSON
//! with `--json` (one object, keys as documented on [`issued_json`],
//! [`listing_json`], [`stats_json`] and [`purged_json`]), for deployment
//! and monitoring scripts; the prose output is for people and may change.
//!
//! To add a subcommand: add a variant to [`AdminCommand`] and its arm in
//! [`run_admin`], calling a method of [`crate::admin::Admin`].

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use gridbook::codes::CodeList;

use crate::admin::{Admin, IssuedToken};
use crate::config::{
    Backend, ConnectionLimits, DEFAULT_COMPACT_AFTER, DEFAULT_MAX_CONNECTIONS, ServerConfig,
    TlsFiles, open_storage,
};
use crate::error::ServerError;
use crate::housekeeping::DEFAULT_ABANDON_PHOTO_UPLOADS_AFTER_HOURS;
use crate::storage::{AssignmentScope, Listing, PurgedUploads, Stats, WorkerRole};

/// The Gridbook district sync server.
#[derive(Debug, Parser)]
#[command(name = "gridbook-server", version, about)]
pub struct Cli {
    /// Data directory of the embedded SQLite database (gridbook-server.db).
    #[arg(long, default_value = "./data", global = true)]
    pub data: PathBuf,
    /// Use PostgreSQL instead, e.g. 'host=127.0.0.1 port=54329 user=gridbook dbname=gridbook'.
    #[arg(long, global = true)]
    pub postgres: Option<String>,
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = crate::config::DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// PEM certificate chain for HTTPS.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on a non-loopback address (only behind a TLS proxy).
    #[arg(long)]
    pub allow_plain_http: bool,
    /// Compact a grid after this many new changes.
    #[arg(long, default_value_t = DEFAULT_COMPACT_AFTER)]
    pub compact_after: u64,
    /// Delete an incomplete photo upload once its first chunk is this many
    /// hours old: by the server's hourly pass (at least 1) and by `admin
    /// purge-abandoned-uploads` (0 there: every incomplete upload).
    #[arg(long, default_value_t = DEFAULT_ABANDON_PHOTO_UPLOADS_AFTER_HOURS, global = true)]
    pub abandon_photo_uploads_after_hours: u64,
    /// Close a connection whose request headers take longer than this
    /// from their first byte (e.g. 10s, 500ms).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,
    /// Answer 408 and close when a request body sends nothing for this long.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub body_read_timeout: Duration,
    /// Close a connection that sits this long without a request.
    #[arg(long, default_value = "15s", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Connections open at once; past it new ones get 503 and are closed.
    /// Keep it well below the open-file limit (ulimit -n).
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// The public origin of residents' self-report links, e.g.
    /// https://grid.example.cn (needed behind a TLS proxy or when listening
    /// on every address; https unless on loopback).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Delete a resident's self-report no worker reviewed after this many days.
    #[arg(long, default_value_t = crate::self_report::DEFAULT_RETENTION_DAYS)]
    pub self_report_retention_days: u64,
    /// How many days a new self-report link stays valid (at most 366).
    #[arg(long, default_value_t = crate::self_report::DEFAULT_LINK_DAYS)]
    pub self_report_link_days: u64,
    /// Self-report submissions accepted per client address per hour.
    #[arg(long, default_value_t = crate::self_report::DEFAULT_POSTS_PER_ADDRESS)]
    pub self_report_posts_per_address: u32,
    /// Self-report submissions accepted per grid's links per hour.
    #[arg(long, default_value_t = crate::self_report::DEFAULT_POSTS_PER_LINK)]
    pub self_report_posts_per_link: u32,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Human-readable lines.
    Text,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve (the default).
    Serve,
    /// Manage workers, grid assignments and device tokens.
    Admin {
        /// The admin operation.
        #[command(subcommand)]
        command: AdminCommand,
    },
}

/// Admin operations.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Add a worker.
    AddWorker {
        /// Worker id (as in the apps).
        #[arg(long)]
        id: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Role in the team: grid_head, assistant, police_officer,
        /// building_head or patrol_volunteer. The server vouches for it.
        #[arg(long, value_parser = parse_role, default_value = "assistant")]
        role: WorkerRole,
        /// May push the first changes of new grids.
        #[arg(long)]
        can_create_grids: bool,
    },
    /// Give a worker another role (their phones learn it on their next sync).
    SetRole {
        /// Worker id.
        #[arg(long)]
        worker: String,
        /// The new role (see `add-worker --role`).
        #[arg(long, value_parser = parse_role)]
        role: WorkerRole,
    },
    /// Assign a grid to a worker, or change the scope of an assignment.
    Assign {
        /// Worker id.
        #[arg(long)]
        worker: String,
        /// Grid id (UUID).
        #[arg(long)]
        grid: String,
        /// Which documents the worker may pull and push: all (the grid's
        /// team) or events (a department: event documents and their
        /// photos, never the roster).
        #[arg(long, value_parser = parse_scope, default_value = "all")]
        scope: AssignmentScope,
    },
    /// Remove a grid assignment.
    Unassign {
        /// Worker id.
        #[arg(long)]
        worker: String,
        /// Grid id (UUID).
        #[arg(long)]
        grid: String,
    },
    /// Register a device and print its token (shown only this once).
    IssueToken {
        /// Worker id.
        #[arg(long)]
        worker: String,
        /// Device label, e.g. "王芳的手机".
        #[arg(long)]
        device: String,
        /// Print one JSON object (`device_id`, `worker_id`, `token`).
        #[arg(long)]
        json: bool,
    },
    /// Revoke a device's token.
    Revoke {
        /// Device id.
        #[arg(long)]
        device: String,
    },
    /// List workers, grids and devices (never tokens).
    List {
        /// Print one JSON object (`workers`, `grids`, `devices`).
        #[arg(long)]
        json: bool,
    },
    /// Count grids, changes, actors, snapshots, assignments, complete
    /// photos and incomplete photo uploads (with their bytes).
    Stats {
        /// Print one JSON object, one key per count (`grids`, ...,
        /// `photos`, `photo_bytes`, `incomplete_uploads`,
        /// `incomplete_upload_bytes`).
        #[arg(long)]
        json: bool,
    },
    /// Delete the incomplete photo uploads begun at least
    /// --abandon-photo-uploads-after-hours ago (default a week) and print
    /// how many and their bytes. Complete photos are never deleted; a
    /// phone whose upload was deleted starts it over.
    PurgeAbandonedUploads {
        /// Print one JSON object (`uploads`, `bytes`, `older_than_hours`).
        #[arg(long)]
        json: bool,
    },
}

/// A scope code as the command line takes it.
fn parse_scope(code: &str) -> Result<AssignmentScope, String> {
    AssignmentScope::parse(code).ok_or_else(|| "not a scope; one of all, events".to_string())
}

/// A role code as the command line takes it.
fn parse_role(code: &str) -> Result<WorkerRole, String> {
    WorkerRole::from_code(code).ok_or_else(|| {
        let codes: Vec<&str> = WorkerRole::ALL.iter().map(|r| r.code()).collect();
        format!("not a role; one of {}", codes.join(", "))
    })
}

impl Cli {
    /// The configured backend.
    pub fn backend(&self) -> Backend {
        match &self.postgres {
            Some(conn) => Backend::Postgres { conn: conn.clone() },
            None => Backend::Sqlite {
                data_dir: self.data.clone(),
            },
        }
    }

    /// `--abandon-photo-uploads-after-hours` as a duration.
    pub fn abandon_photo_uploads_age(&self) -> Duration {
        Duration::from_secs(self.abandon_photo_uploads_after_hours.saturating_mul(3600))
    }

    /// The server configuration these flags describe.
    pub fn server_config(&self) -> ServerConfig {
        let mut config = ServerConfig::new(self.backend());
        config.listen = self.listen;
        config.tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => None,
        };
        config.allow_plain_http = self.allow_plain_http;
        config.compact_after = self.compact_after;
        config.abandon_photo_uploads_after = self.abandon_photo_uploads_age();
        config.self_report = crate::self_report::SelfReportSettings {
            public_url: self.public_url.clone(),
            retention: Duration::from_secs(self.self_report_retention_days.saturating_mul(86_400)),
            link_lifetime: Duration::from_secs(self.self_report_link_days.saturating_mul(86_400)),
            posts_per_address_per_hour: self.self_report_posts_per_address,
            posts_per_link_per_hour: self.self_report_posts_per_link,
        };
        config.limits = ConnectionLimits {
            header_timeout: self.header_timeout,
            body_read_timeout: self.body_read_timeout,
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections,
        };
        config
    }
}

/// A duration flag: a whole number with `ms`, `s` or `m` (bare: seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| "expected a whole number with ms, s or m, e.g. 10s".to_string())?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => n
            .checked_mul(60)
            .map(Duration::from_secs)
            .ok_or_else(|| "too long".to_string()),
        _ => Err("the unit must be ms, s or m, e.g. 10s".into()),
    }
}

fn init_logging(format: LogFormat, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GRIDBOOK_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Runs the command line; the binary's `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Admin commands print their result; their logs only say what went wrong.
    let default_filter = match cli.command {
        Some(Command::Admin { .. }) => "warn,tokio_postgres=error",
        _ => "info,tokio_postgres=warn",
    };
    init_logging(cli.log_format, default_filter);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gridbook-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Some(Command::Admin { command }) => run_admin(&cli, command).await,
            Some(Command::Serve) | None => {
                crate::serve(
                    cli.server_config(),
                    |url| {
                        let mut out = std::io::stdout().lock();
                        let _ = writeln!(out, "listening on {url}");
                        let _ = out.flush();
                    },
                    shutdown_signal(),
                )
                .await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "gridbook-server failed");
            eprintln!("gridbook-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Runs one admin subcommand, printing its result on stdout.
pub async fn run_admin(cli: &Cli, command: &AdminCommand) -> Result<(), ServerError> {
    let storage = open_storage(&cli.backend()).await?;
    let admin = Admin::new(Arc::clone(&storage));
    let mut out = std::io::stdout().lock();
    match command {
        AdminCommand::AddWorker {
            id,
            name,
            role,
            can_create_grids,
        } => {
            admin.add_worker(id, name, *role, *can_create_grids).await?;
            writeln!(out, "worker {id} added as {}", role.code())?;
        }
        AdminCommand::SetRole { worker, role } => {
            let note = if admin.set_role(worker, *role).await? {
                ""
            } else {
                " (already)"
            };
            writeln!(out, "worker {worker} is {}{note}", role.code())?;
        }
        AdminCommand::Assign {
            worker,
            grid,
            scope,
        } => {
            check_grid_id(grid)?;
            let new = admin.assign_scoped(worker, grid, *scope).await?;
            let note = if new { "" } else { " (already)" };
            writeln!(
                out,
                "grid {grid} assigned to {worker} (scope {}){note}",
                scope.code()
            )?;
        }
        AdminCommand::Unassign { worker, grid } => {
            if admin.unassign(worker, grid).await? {
                writeln!(out, "grid {grid} unassigned from {worker}")?;
            } else {
                return Err(ServerError::Config(format!(
                    "grid {grid} was not assigned to {worker}"
                )));
            }
        }
        AdminCommand::IssueToken {
            worker,
            device,
            json,
        } => {
            let issued = admin.issue_token(worker, device).await?;
            if *json {
                writeln!(out, "{}", issued_json(worker, &issued))?;
                out.flush()?;
                return Ok(());
            }
            writeln!(out, "device {}", issued.device_id)?;
            writeln!(out, "token {}", issued.token)?;
            writeln!(
                out,
                "(the token is shown only this once; only its hash is stored)"
            )?;
        }
        AdminCommand::Revoke { device } => {
            if admin.revoke(device).await? {
                writeln!(out, "device {device} revoked")?;
            } else {
                return Err(ServerError::Config(format!(
                    "device {device} is unknown or already revoked"
                )));
            }
        }
        AdminCommand::List { json } => {
            let listing = admin.list().await?;
            if *json {
                writeln!(out, "{}", listing_json(&listing))?;
                out.flush()?;
                return Ok(());
            }
            writeln!(out, "workers:")?;
            for w in &listing.workers {
                let create = if w.can_create_grids {
                    " (can create grids)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "  {}  {}  {}{create}",
                    w.worker_id,
                    w.name,
                    w.role.code()
                )?;
            }
            writeln!(out, "grids:")?;
            for g in &listing.grids {
                // A department shows as `worker(events)`.
                let workers: Vec<String> = g
                    .workers
                    .iter()
                    .map(|w| match g.scoped.iter().find(|(s, _)| s == w) {
                        Some((_, scope)) => format!("{w}({})", scope.code()),
                        None => w.clone(),
                    })
                    .collect();
                writeln!(
                    out,
                    "  {}  changes {}  generation {}  workers {}",
                    g.grid_id,
                    g.last_seq,
                    g.generation,
                    workers.join(",")
                )?;
            }
            writeln!(out, "devices:")?;
            for d in &listing.devices {
                let state = if d.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                writeln!(
                    out,
                    "  {}  {}  {}  {state}",
                    d.device_id, d.worker_id, d.label
                )?;
            }
        }
        AdminCommand::Stats { json } => {
            let stats = admin.stats().await?;
            if *json {
                writeln!(out, "{}", stats_json(&stats))?;
            } else {
                write_stats(&mut out, &stats)?;
            }
        }
        AdminCommand::PurgeAbandonedUploads { json } => {
            let hours = cli.abandon_photo_uploads_after_hours;
            let purged = admin
                .purge_abandoned_uploads(cli.abandon_photo_uploads_age())
                .await?;
            if *json {
                writeln!(out, "{}", purged_json(&purged, hours))?;
            } else {
                writeln!(
                    out,
                    "purged {} incomplete photo uploads begun {hours} or more hours ago, \
                     {} bytes",
                    purged.uploads, purged.bytes
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// `issue-token --json`: `{"device_id", "worker_id", "token"}`.
pub fn issued_json(worker_id: &str, issued: &IssuedToken) -> serde_json::Value {
    serde_json::json!({
        "device_id": issued.device_id,
        "worker_id": worker_id,
        "token": issued.token,
    })
}

/// `list --json`: `{"workers": [{"worker_id", "name", "role" (a role code),
/// "can_create_grids"}], "grids": [{"grid_id", "last_seq", "generation",
/// "workers": [worker id], "scopes": {worker id: scope code} (every
/// assigned worker, "all" or "events")}], "devices": [{"device_id",
/// "worker_id", "label", "revoked_at" (Unix seconds or null)}]}`.
pub fn listing_json(listing: &Listing) -> serde_json::Value {
    let workers: Vec<serde_json::Value> = listing
        .workers
        .iter()
        .map(|w| {
            serde_json::json!({
                "worker_id": w.worker_id,
                "name": w.name,
                "role": w.role.code(),
                "can_create_grids": w.can_create_grids,
            })
        })
        .collect();
    let grids: Vec<serde_json::Value> = listing
        .grids
        .iter()
        .map(|g| {
            let scopes: serde_json::Map<String, serde_json::Value> = g
                .workers
                .iter()
                .map(|w| {
                    let scope = g
                        .scoped
                        .iter()
                        .find(|(s, _)| s == w)
                        .map(|(_, scope)| *scope)
                        .unwrap_or_default();
                    (w.clone(), scope.code().into())
                })
                .collect();
            serde_json::json!({
                "grid_id": g.grid_id,
                "last_seq": g.last_seq,
                "generation": g.generation,
                "workers": g.workers,
                "scopes": scopes,
            })
        })
        .collect();
    let devices: Vec<serde_json::Value> = listing
        .devices
        .iter()
        .map(|d| {
            serde_json::json!({
                "device_id": d.device_id,
                "worker_id": d.worker_id,
                "label": d.label,
                "revoked_at": d.revoked_at,
            })
        })
        .collect();
    serde_json::json!({ "workers": workers, "grids": grids, "devices": devices })
}

fn write_stats(out: &mut impl Write, stats: &Stats) -> std::io::Result<()> {
    writeln!(out, "grids {}", stats.grids)?;
    writeln!(out, "changes {}", stats.changes)?;
    writeln!(out, "actors {}", stats.actors)?;
    writeln!(out, "snapshots {}", stats.snapshots)?;
    writeln!(out, "assignments {}", stats.assignments)?;
    writeln!(out, "photos {} ({} bytes)", stats.photos, stats.photo_bytes)?;
    writeln!(
        out,
        "incomplete photo uploads {} ({} bytes received)",
        stats.incomplete_uploads, stats.incomplete_upload_bytes
    )
}

/// `stats --json`: `{"grids", "changes", "actors", "snapshots",
/// "assignments", "photos" (complete ones), "photo_bytes" (their bytes),
/// "incomplete_uploads", "incomplete_upload_bytes" (the bytes they have
/// received)}`, every value a count.
pub fn stats_json(stats: &Stats) -> serde_json::Value {
    serde_json::json!({
        "grids": stats.grids,
        "changes": stats.changes,
        "actors": stats.actors,
        "snapshots": stats.snapshots,
        "assignments": stats.assignments,
        "photos": stats.photos,
        "photo_bytes": stats.photo_bytes,
        "incomplete_uploads": stats.incomplete_uploads,
        "incomplete_upload_bytes": stats.incomplete_upload_bytes,
    })
}

/// `purge-abandoned-uploads --json`: `{"uploads" (incomplete uploads
/// deleted), "bytes" (the bytes they had received), "older_than_hours"
/// (the age they were begun at or before)}`.
pub fn purged_json(purged: &PurgedUploads, older_than_hours: u64) -> serde_json::Value {
    serde_json::json!({
        "uploads": purged.uploads,
        "bytes": purged.bytes,
        "older_than_hours": older_than_hours,
    })
}

fn check_grid_id(grid: &str) -> Result<(), ServerError> {
    uuid::Uuid::parse_str(grid)
        .map(|_| ())
        .map_err(|_| ServerError::Config(format!("{grid:?} is not a grid id (a UUID)")))
}
