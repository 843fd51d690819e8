//! The sync server a simulation talks to: an embedded one (SQLite in a
//! scratch directory, plain HTTP on 127.0.0.1, any free port) or an
//! external one reached by URL, administered through its SQLite data
//! directory (the same `gridbook-server.db` the server process uses; the
//! database is in WAL mode, so both processes may use it at once).
//!
//! To add an administrative step, add a method that calls
//! [`gridbook_server::BlockingAdmin`].

use std::path::Path;
use std::sync::Arc;

use gridbook_server::compaction::{CompactionOutcome, compact_grid};
use gridbook_server::storage::Storage;
use gridbook_server::{
    Admin, BlockingAdmin, RunningServer, ServerConfig, SqliteStorage, StorageError, spawn,
};

use super::SimError;
use crate::scratch::ScratchDir;

enum Inner {
    Embedded {
        server: RunningServer,
        _dir: ScratchDir,
    },
    External {
        url: String,
        admin: BlockingAdmin,
        _runtime: tokio::runtime::Runtime,
    },
}

/// A sync server with administrative access.
pub struct SimServer {
    inner: Inner,
}

impl std::fmt::Debug for SimServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SimServer({})", self.url())
    }
}

impl SimServer {
    /// Starts an embedded server over SQLite in a new scratch directory,
    /// compacting a grid after `compact_after` new changes (`None`: the
    /// server's default).
    pub fn embedded(compact_after: Option<u64>) -> Result<SimServer, SimError> {
        let dir = ScratchDir::new("gridsim-server")?;
        let mut config = ServerConfig::sqlite_ephemeral(dir.path());
        if let Some(after) = compact_after {
            config.compact_after = after;
        }
        let server = spawn(config)?;
        Ok(SimServer {
            inner: Inner::Embedded { server, _dir: dir },
        })
    }

    /// An external server at `url` whose SQLite data directory is `data_dir`
    /// (the directory given to `gridbook-server --data`).
    pub fn external(url: &str, data_dir: &Path) -> Result<SimServer, SimError> {
        let db = data_dir.join(gridbook_server::config::SQLITE_FILE);
        if !db.exists() {
            return Err(format!("no server database at {}", db.display()).into());
        }
        let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&db)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let admin = BlockingAdmin::new(Admin::new(storage), runtime.handle().clone());
        Ok(SimServer {
            inner: Inner::External {
                url: url.trim_end_matches('/').to_string(),
                admin,
                _runtime: runtime,
            },
        })
    }

    /// The base URL devices sync against.
    pub fn url(&self) -> &str {
        match &self.inner {
            Inner::Embedded { server, .. } => &server.url,
            Inner::External { url, .. } => url,
        }
    }

    /// Administration of the server's database.
    pub fn admin(&self) -> &BlockingAdmin {
        match &self.inner {
            Inner::Embedded { server, .. } => server.admin(),
            Inner::External { admin, .. } => admin,
        }
    }

    /// Adds a worker with their role; a worker that exists already is kept as it is.
    pub fn ensure_worker(
        &self,
        worker_id: &str,
        name: &str,
        role: gridbook::codes::WorkerRole,
        can_create_grids: bool,
    ) -> Result<(), SimError> {
        match self
            .admin()
            .add_worker(worker_id, name, role, can_create_grids)
        {
            Ok(()) | Err(StorageError::Exists(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Compacts `grid_id` now, until its snapshots cover its whole log. A
    /// compaction racing the server's own background one is retried; gives
    /// up after two minutes.
    pub fn compact_now(&self, grid_id: &str) -> Result<(), SimError> {
        let admin = self.admin().admin().clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while std::time::Instant::now() < deadline {
            let outcome = runtime.block_on(compact_grid(admin.storage().as_ref(), grid_id))?;
            let (last_seq, generation) = self.grid_positions(grid_id)?;
            if generation >= last_seq {
                return Ok(());
            }
            if matches!(outcome, CompactionOutcome::LostRace) {
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
        }
        Err("the grid's compaction did not catch up with its log".into())
    }

    /// The grid's last log position and the position its snapshots cover.
    pub fn grid_positions(&self, grid_id: &str) -> Result<(u64, u64), SimError> {
        let listing = self.admin().list()?;
        listing
            .grids
            .iter()
            .find(|g| g.grid_id == grid_id)
            .map(|g| (g.last_seq, g.generation))
            .ok_or_else(|| "the server does not know the grid".into())
    }

    /// The bytes of the complete photo `photo_id` of `grid_id` the server
    /// holds, read from its database (`None`: absent or incomplete).
    pub fn photo(&self, grid_id: &str, photo_id: &str) -> Result<Option<Vec<u8>>, SimError> {
        let storage = self.admin().admin().storage().clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(runtime.block_on(storage.read_photo(grid_id.to_string(), photo_id.to_string()))?)
    }

    /// Stops an embedded server gracefully (an external one keeps running).
    pub fn shutdown(self) -> Result<(), SimError> {
        match self.inner {
            Inner::Embedded { server, .. } => Ok(server.shutdown()?),
            Inner::External { .. } => Ok(()),
        }
    }
}
