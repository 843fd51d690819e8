//! Server configuration: where the data lives, where to listen, TLS, when to
//! compact, when an incomplete photo upload counts as abandoned, how long
//! and how many connections may stay open ([`ConnectionLimits`]), and the
//! residents' self-report links ([`SelfReportSettings`]).
//! Built by the CLI (`cli.rs`) or by embedding code.
//!
//! To add a setting: add a field with a default in [`ServerConfig::new`], a
//! flag in `cli.rs`, and read it where it is used.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::ServerError;
use crate::housekeeping::DEFAULT_ABANDON_PHOTO_UPLOADS_AFTER_HOURS;
use crate::self_report::SelfReportSettings;
use crate::storage::{PostgresStorage, SqliteStorage, Storage};

/// The default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8722";
/// The default number of new log entries after which a grid is compacted.
pub const DEFAULT_COMPACT_AFTER: u64 = 500;
/// The file name of the embedded database inside the data directory.
pub const SQLITE_FILE: &str = "gridbook-server.db";

/// How long a connection may wait at each step, and how many may be open.
/// Enforced by `crate::limits` (idle, headers, the cap) and by the sync
/// handler (each body read); the defaults suit phones on weak mobile links
/// while an attacker's idle or trickling connections are closed within
/// seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// From the first byte of a request until its headers are complete (a
    /// TLS handshake: from the connection until it is done); past it the
    /// connection is closed unanswered.
    pub header_timeout: Duration,
    /// The longest wait for the next piece of a request body; past it the
    /// request is answered 408 and the connection closed.
    pub body_read_timeout: Duration,
    /// How long a connection may sit without a request: after it opened,
    /// or after its last answer (keep-alive). Past it, it is closed.
    pub idle_timeout: Duration,
    /// Connections open at once; a connection past the cap is answered 503
    /// `{"error": "busy", ..}` at once and closed.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(15),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// The default cap on open connections: well below the usual limit of 1024
/// open files, which the database connections and the refusals share.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The longest timeout accepted: longer ones would only keep attackers'
/// connections open (and could overflow the clock's arithmetic).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// The highest connection cap accepted, far above any open-file limit.
pub const MAX_CONNECTIONS_CAP: usize = 1 << 20;

/// Which database the server uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite: `<data_dir>/gridbook-server.db` (created if missing).
    Sqlite {
        /// The data directory.
        data_dir: PathBuf,
    },
    /// PostgreSQL, with a libpq-style connection string.
    Postgres {
        /// For example `host=127.0.0.1 port=54329 user=gridbook dbname=gridbook`.
        conn: String,
    },
}

/// A PEM certificate chain and private key for HTTPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain (PEM).
    pub cert: PathBuf,
    /// The private key (PEM).
    pub key: PathBuf,
}

/// Everything the server needs to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The database.
    pub backend: Backend,
    /// The address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// HTTPS certificate and key; without them the server speaks plain HTTP.
    pub tls: Option<TlsFiles>,
    /// Allow plain HTTP on a non-loopback address (behind a TLS proxy).
    pub allow_plain_http: bool,
    /// Compact a grid once its log grew by more than this many changes
    /// since its last compaction.
    pub compact_after: u64,
    /// How long a graceful shutdown waits for in-flight requests.
    pub shutdown_grace: Duration,
    /// An incomplete photo upload whose first chunk arrived this long ago
    /// is deleted by the housekeeping pass (`crate::housekeeping`).
    pub abandon_photo_uploads_after: Duration,
    /// Timeouts and the cap on open connections.
    pub limits: ConnectionLimits,
    /// Residents' own reports: the links' public origin, lifetime and rate
    /// limits, and how long a report waits for review (`crate::self_report`).
    pub self_report: SelfReportSettings,
}

impl ServerConfig {
    /// Defaults (loopback, plain HTTP, compaction after 500 changes) over `backend`.
    pub fn new(backend: Backend) -> ServerConfig {
        ServerConfig {
            backend,
            listen: SocketAddr::from(([127, 0, 0, 1], 8722)),
            tls: None,
            allow_plain_http: false,
            compact_after: DEFAULT_COMPACT_AFTER,
            shutdown_grace: Duration::from_secs(30),
            abandon_photo_uploads_after: Duration::from_secs(
                DEFAULT_ABANDON_PHOTO_UPLOADS_AFTER_HOURS * 3600,
            ),
            limits: ConnectionLimits::default(),
            self_report: SelfReportSettings::default(),
        }
    }

    /// Defaults over embedded SQLite in `data_dir`, listening on an ephemeral
    /// loopback port (for embedding and tests).
    pub fn sqlite_ephemeral(data_dir: impl Into<PathBuf>) -> ServerConfig {
        let mut config = ServerConfig::new(Backend::Sqlite {
            data_dir: data_dir.into(),
        });
        config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
        config
    }

    /// Refuses plain HTTP on a non-loopback address unless allowed, and
    /// limits that would close every connection at once.
    pub fn check(&self) -> Result<(), ServerError> {
        if self.tls.is_none() && !self.listen.ip().is_loopback() && !self.allow_plain_http {
            return Err(ServerError::Config(format!(
                "refusing to serve plain HTTP on {}: device tokens would cross the network \
                 unencrypted. Give --tls-cert and --tls-key, listen on a loopback address, \
                 or pass --allow-plain-http if a TLS proxy sits in front",
                self.listen
            )));
        }
        if self.compact_after == 0 {
            return Err(ServerError::Config(
                "--compact-after must be at least 1".into(),
            ));
        }
        // Zero would delete every upload in progress at each pass.
        if self.abandon_photo_uploads_after.is_zero() {
            return Err(ServerError::Config(
                "--abandon-photo-uploads-after-hours must be at least 1".into(),
            ));
        }
        self.self_report.check().map_err(ServerError::Config)?;
        let limits = &self.limits;
        for (flag, value) in [
            ("--header-timeout", limits.header_timeout),
            ("--body-read-timeout", limits.body_read_timeout),
            ("--idle-timeout", limits.idle_timeout),
        ] {
            if value.is_zero() || value > MAX_TIMEOUT {
                return Err(ServerError::Config(format!(
                    "{flag} must be above zero and at most {} hours",
                    MAX_TIMEOUT.as_secs() / 3600
                )));
            }
        }
        if limits.max_connections == 0 || limits.max_connections > MAX_CONNECTIONS_CAP {
            return Err(ServerError::Config(format!(
                "--max-connections must be between 1 and {MAX_CONNECTIONS_CAP}"
            )));
        }
        Ok(())
    }
}

/// Opens (and migrates) the configured database.
pub async fn open_storage(backend: &Backend) -> Result<Arc<dyn Storage>, ServerError> {
    match backend {
        Backend::Sqlite { data_dir } => {
            std::fs::create_dir_all(data_dir).map_err(|e| {
                ServerError::Config(format!(
                    "cannot create data directory {}: {e}",
                    data_dir.display()
                ))
            })?;
            let path = data_dir.join(SQLITE_FILE);
            let storage = tokio::task::spawn_blocking(move || SqliteStorage::open(&path))
                .await
                .map_err(|e| ServerError::Config(format!("opening the database: {e}")))??;
            Ok(Arc::new(storage))
        }
        Backend::Postgres { conn } => Ok(Arc::new(PostgresStorage::connect(conn).await?)),
    }
}
