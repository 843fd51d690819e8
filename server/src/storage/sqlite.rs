//! The embedded backend: one SQLite file in WAL mode behind a mutex; every
//! call runs on tokio's blocking pool. Writes use `BEGIN IMMEDIATE`, so
//! another process on the same file (the admin CLI) waits its turn.
//!
//! To extend: add the method's SQL here next to its PostgreSQL twin in
//! `postgres.rs`; keep both answering the same way (the storage suite checks).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gridbook::codes::CodeList;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

mod self_reports;

use super::{
    AssignmentScope, AuthenticatedDevice, ChangeKey, CompactionInput, DeviceInfo, GridAppend,
    GridInfo, GridRefusal, GridState, GridTeam, Listing, LogBatch, LogRow, NewDevice, PhotoAppend,
    PhotoChunk, PhotoStatus, PurgedUploads, PushBatch, PushOutcome, RefusedGrid, SQLITE_MIGRATIONS,
    SnapshotRow, Stats, Storage, StorageError, StorageFuture, StorageResult, StoredSelfReport,
    Worker, WorkerRole, db_pos, group_teams, latest_version, needs_reset, now_unix,
    plan_photo_chunk, pos, refusal, sorted_unique, stored_role, stored_scope,
};

/// The SQLite backend. Cheap to clone (shares one connection).
#[derive(Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStorage")
    }
}

fn db(e: rusqlite::Error) -> StorageError {
    match e {
        rusqlite::Error::SqliteFailure(code, _) => {
            StorageError::Database(format!("sqlite error {:?}", code.code))
        }
        other => StorageError::Database(format!("sqlite: {other}")),
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(code, _)
        if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            || code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

fn is_fk_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(code, _)
        if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
}

impl SqliteStorage {
    /// Opens (creating if needed) the database file and applies migrations.
    pub fn open(path: &Path) -> StorageResult<SqliteStorage> {
        let conn = Connection::open(path).map_err(db)?;
        Self::setup(conn)
    }

    /// An in-memory database (for tests and throwaway servers).
    pub fn in_memory() -> StorageResult<SqliteStorage> {
        Self::setup(Connection::open_in_memory().map_err(db)?)
    }

    fn setup(mut conn: Connection) -> StorageResult<SqliteStorage> {
        conn.busy_timeout(Duration::from_secs(10)).map_err(db)?;
        // A database from a newer build is refused before anything, even the
        // journal mode, is written to it.
        refuse_newer(recorded_version(&conn)?)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        migrate(&mut conn)?;
        Ok(SqliteStorage {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn run<T, F>(&self, f: F) -> StorageFuture<'static, T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StorageResult<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let mut guard = conn
                    .lock()
                    .map_err(|_| StorageError::Database("connection lock poisoned".into()))?;
                f(&mut guard)
            })
            .await
            .map_err(|e| StorageError::Database(format!("blocking task failed: {e}")))?
        })
    }

    fn write<T, F>(&self, f: F) -> StorageFuture<'static, T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> StorageResult<T> + Send + 'static,
    {
        self.run(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            let out = f(&tx)?;
            tx.commit().map_err(db)?;
            Ok(out)
        })
    }
}

/// The highest schema version the database recorded (0 for a new database).
fn recorded_version(conn: &Connection) -> StorageResult<i64> {
    let tracked: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            [],
            |r| r.get(0),
        )
        .map_err(db)?;
    if tracked == 0 {
        return Ok(0);
    }
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )
    .map_err(db)
}

fn refuse_newer(found: i64) -> StorageResult<()> {
    let supported = latest_version(SQLITE_MIGRATIONS);
    if found > supported {
        return Err(StorageError::SchemaTooNew { found, supported });
    }
    Ok(())
}

/// Applies the pending migrations, all in one IMMEDIATE transaction, and
/// records each in `schema_migrations`.
fn migrate(conn: &mut Connection) -> StorageResult<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    // Read again under the write lock: another process may have migrated meanwhile.
    let current = recorded_version(&tx)?;
    refuse_newer(current)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )
    .map_err(db)?;
    for migration in SQLITE_MIGRATIONS.iter().filter(|m| m.version > current) {
        tx.execute_batch(migration.sql)
            .map_err(|e| StorageError::Migration {
                version: migration.version,
                message: e.to_string(),
            })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![migration.version, now_unix()],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}

fn grid_exists(tx: &Transaction<'_>, grid_id: &str) -> StorageResult<bool> {
    tx.query_row("SELECT 1 FROM grids WHERE grid_id = ?1", [grid_id], |_| {
        Ok(())
    })
    .optional()
    .map(|r| r.is_some())
    .map_err(db)
}

fn is_assigned(conn: &Connection, worker_id: &str, grid_id: &str) -> StorageResult<bool> {
    conn.query_row(
        "SELECT 1 FROM assignments WHERE worker_id = ?1 AND grid_id = ?2",
        [worker_id, grid_id],
        |_| Ok(()),
    )
    .optional()
    .map(|r| r.is_some())
    .map_err(db)
}

/// The scope of an assignment, or None if there is none.
fn assigned_scope(
    conn: &Connection,
    worker_id: &str,
    grid_id: &str,
) -> StorageResult<Option<AssignmentScope>> {
    conn.query_row(
        "SELECT scope FROM assignments WHERE worker_id = ?1 AND grid_id = ?2",
        [worker_id, grid_id],
        |r| r.get::<_, String>(0),
    )
    .optional()
    .map_err(db)?
    .map(|code| stored_scope(&code))
    .transpose()
}

/// Records that every device of the worker must start the grid over.
fn record_resets(tx: &Transaction<'_>, worker_id: &str, grid_id: &str) -> StorageResult<()> {
    tx.execute(
        "INSERT INTO scope_resets (device_id, grid_id)
         SELECT device_id, ?2 FROM devices WHERE worker_id = ?1
         ON CONFLICT DO NOTHING",
        params![worker_id, grid_id],
    )
    .map_err(db)?;
    Ok(())
}

/// Every grid of `grids` the worker is not assigned to, sorted, with its
/// refusal (`None`: a new grid the worker may create with this push).
fn unassigned(
    conn: &Connection,
    device: &AuthenticatedDevice,
    grids: &[String],
    creating: &[String],
) -> StorageResult<Vec<(String, Option<GridRefusal>)>> {
    let mut out = Vec::new();
    for grid in sorted_unique(grids) {
        if is_assigned(conn, &device.worker_id, &grid)? {
            continue;
        }
        let seen = conn
            .query_row(
                "SELECT 1 FROM grids WHERE grid_id = ?1",
                [&grid],
                |_| Ok(()),
            )
            .optional()
            .map_err(db)?
            .is_some();
        let refused = refusal(device, &grid, seen, creating);
        out.push((grid, refused));
    }
    Ok(out)
}

/// The grids of `grids` that must be created; fails on the first refused one.
fn access(
    conn: &Connection,
    device: &AuthenticatedDevice,
    grids: &[String],
    creating: &[String],
) -> StorageResult<Vec<String>> {
    unassigned(conn, device, grids, creating)?
        .into_iter()
        .map(|(grid, refused)| match refused {
            None => Ok(grid),
            Some(_) => Err(StorageError::GridForbidden(grid)),
        })
        .collect()
}

fn store_push(tx: &Transaction<'_>, batch: &PushBatch) -> StorageResult<PushOutcome> {
    let pushed: Vec<String> = batch.changes.iter().map(|c| c.grid_id.clone()).collect();
    let create = access(tx, &batch.device, &batch.grids, &pushed)?;
    let now = now_unix();
    for grid in &create {
        tx.execute(
            "INSERT INTO grids (grid_id, created_at) VALUES (?1, ?2)",
            params![grid, now],
        )
        .map_err(db)?;
        tx.execute(
            "INSERT INTO assignments (worker_id, grid_id) VALUES (?1, ?2)",
            params![batch.device.worker_id, grid],
        )
        .map_err(db)?;
    }
    for actor in sorted_unique(&batch.actors) {
        tx.execute(
            "INSERT INTO actors (actor, device_id) VALUES (?1, ?2) ON CONFLICT (actor) DO NOTHING",
            params![actor, batch.device.device_id],
        )
        .map_err(db)?;
        let owner: String = tx
            .query_row(
                "SELECT device_id FROM actors WHERE actor = ?1",
                [&actor],
                |r| r.get(0),
            )
            .map_err(db)?;
        if owner != batch.device.device_id {
            return Err(StorageError::ActorForbidden);
        }
    }
    // check_push guarantees every change of a request is by the request's actor.
    let actor = batch.actors.first().cloned().unwrap_or_default();
    let mut grids = Vec::new();
    for grid in sorted_unique(&pushed) {
        let (mut last, generation): (i64, i64) = tx
            .query_row(
                "SELECT last_seq, generation FROM grids WHERE grid_id = ?1",
                [&grid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(db)?;
        let mut inserted = 0u64;
        for change in batch.changes.iter().filter(|c| c.grid_id == grid) {
            let n = tx
                .prepare_cached(
                    "INSERT INTO changes (grid_id, seq, doc_id, hash, device_id, actor, bytes)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (grid_id, doc_id, hash) DO NOTHING",
                )
                .map_err(db)?
                .execute(params![
                    grid,
                    last + 1,
                    change.doc_id,
                    change.hash,
                    batch.device.device_id,
                    actor,
                    change.bytes
                ])
                .map_err(db)?;
            if n == 1 {
                last += 1;
                inserted += 1;
            }
        }
        tx.execute(
            "UPDATE grids SET last_seq = ?2 WHERE grid_id = ?1",
            params![grid, last],
        )
        .map_err(db)?;
        grids.push(GridAppend {
            grid_id: grid,
            inserted,
            last_seq: pos(last),
            generation: pos(generation),
        });
    }
    Ok(PushOutcome {
        grids,
        created_grids: create,
    })
}

fn read_log(
    conn: &Connection,
    grid_id: &str,
    after: u64,
    exclude: Option<&str>,
    scope: AssignmentScope,
    max_bytes: u64,
    max_rows: u32,
) -> StorageResult<LogBatch> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, doc_id, actor, CASE WHEN actor = ?4 THEN NULL ELSE bytes END
             FROM changes WHERE grid_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )
        .map_err(db)?;
    let mut rows = stmt
        .query(params![
            grid_id,
            db_pos(after),
            i64::from(max_rows) + 1,
            exclude.unwrap_or("")
        ])
        .map_err(db)?;
    let mut batch = LogBatch {
        scanned_to: after,
        ..LogBatch::default()
    };
    let mut bytes_total = 0u64;
    let mut count = 0u32;
    while let Some(row) = rows.next().map_err(db)? {
        if count == max_rows {
            batch.more = true;
            break;
        }
        let seq: i64 = row.get(0).map_err(db)?;
        let actor: String = row.get(2).map_err(db)?;
        let doc_id: String = row.get(1).map_err(db)?;
        // A row the scope does not cover moves the cursor like the device's own.
        if Some(actor.as_str()) == exclude || !scope.allows_doc(&doc_id) {
            batch.scanned_to = pos(seq);
            count += 1;
            continue;
        }
        let bytes: Vec<u8> = row
            .get::<_, Option<Vec<u8>>>(3)
            .map_err(db)?
            .unwrap_or_default();
        let len = bytes.len() as u64;
        if !batch.rows.is_empty() && bytes_total + len > max_bytes {
            batch.more = true;
            break;
        }
        bytes_total += len;
        count += 1;
        batch.scanned_to = pos(seq);
        batch.rows.push(LogRow {
            seq: pos(seq),
            doc_id,
            bytes,
        });
    }
    Ok(batch)
}

fn compaction_input(
    conn: &Connection,
    grid_id: &str,
    upto: u64,
) -> StorageResult<Vec<CompactionInput>> {
    let generation: i64 = conn
        .query_row(
            "SELECT generation FROM grids WHERE grid_id = ?1",
            [grid_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?
        .ok_or(StorageError::NotFound("grid"))?;
    let docs: Vec<String> = conn
        .prepare(
            "SELECT DISTINCT doc_id FROM changes
             WHERE grid_id = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY doc_id",
        )
        .map_err(db)?
        .query_map(params![grid_id, generation, db_pos(upto)], |r| r.get(0))
        .map_err(db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(db)?;
    let mut out = Vec::new();
    for doc_id in docs {
        let snap: Option<(i64, Vec<u8>)> = conn
            .query_row(
                "SELECT generation, bytes FROM snapshots WHERE grid_id = ?1 AND doc_id = ?2",
                [grid_id, &doc_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)?;
        let from = snap.as_ref().map(|(g, _)| *g).unwrap_or(0);
        let changes: Vec<Vec<u8>> = conn
            .prepare_cached(
                "SELECT bytes FROM changes WHERE grid_id = ?1 AND doc_id = ?2
                 AND seq > ?3 AND seq <= ?4 ORDER BY seq",
            )
            .map_err(db)?
            .query_map(params![grid_id, doc_id, from, db_pos(upto)], |r| r.get(0))
            .map_err(db)?
            .collect::<rusqlite::Result<_>>()
            .map_err(db)?;
        out.push(CompactionInput {
            doc_id,
            snapshot: snap.map(|(_, b)| b),
            changes,
        });
    }
    Ok(out)
}

fn list(conn: &Connection) -> StorageResult<Listing> {
    let workers = conn
        .prepare("SELECT worker_id, name, role, can_create_grids FROM workers ORDER BY worker_id")
        .map_err(db)?
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })
        .map_err(db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db)?
        .into_iter()
        .map(|(worker_id, name, role, can_create_grids)| {
            Ok(Worker {
                worker_id,
                name,
                role: stored_role(&role)?,
                can_create_grids,
            })
        })
        .collect::<StorageResult<Vec<_>>>()?;
    let mut grids = conn
        .prepare("SELECT grid_id, last_seq, generation FROM grids ORDER BY grid_id")
        .map_err(db)?
        .query_map([], |r| {
            Ok(GridInfo {
                grid_id: r.get(0)?,
                last_seq: pos(r.get(1)?),
                generation: pos(r.get(2)?),
                workers: Vec::new(),
                scoped: Vec::new(),
            })
        })
        .map_err(db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db)?;
    for grid in &mut grids {
        let rows = conn
            .prepare_cached(
                "SELECT worker_id, scope FROM assignments WHERE grid_id = ?1 ORDER BY worker_id",
            )
            .map_err(db)?
            .query_map([&grid.grid_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?;
        for (worker, code) in rows {
            let scope = stored_scope(&code)?;
            if scope != AssignmentScope::All {
                grid.scoped.push((worker.clone(), scope));
            }
            grid.workers.push(worker);
        }
    }
    let devices = conn
        .prepare(
            "SELECT device_id, worker_id, label, revoked_at FROM devices
             ORDER BY worker_id, label, device_id",
        )
        .map_err(db)?
        .query_map([], |r| {
            Ok(DeviceInfo {
                device_id: r.get(0)?,
                worker_id: r.get(1)?,
                label: r.get(2)?,
                revoked_at: r.get(3)?,
            })
        })
        .map_err(db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db)?;
    Ok(Listing {
        workers,
        grids,
        devices,
    })
}

fn count(conn: &Connection, table: &str) -> StorageResult<u64> {
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
        r.get::<_, i64>(0)
    })
    .map(pos)
    .map_err(db)
}

/// The photo fields of [`Stats`]: the columns only, never the bytes.
fn photo_counts(conn: &Connection) -> StorageResult<Stats> {
    conn.query_row(
        "SELECT count(*) FILTER (WHERE complete = 1),
                COALESCE(sum(size) FILTER (WHERE complete = 1), 0),
                count(*) FILTER (WHERE complete = 0),
                COALESCE(sum(received_bytes) FILTER (WHERE complete = 0), 0)
         FROM photos",
        [],
        |r| {
            Ok(Stats {
                photos: pos(r.get(0)?),
                photo_bytes: pos(r.get(1)?),
                incomplete_uploads: pos(r.get(2)?),
                incomplete_upload_bytes: pos(r.get(3)?),
                ..Stats::default()
            })
        },
    )
    .map_err(db)
}

impl Storage for SqliteStorage {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn ping(&self) -> StorageFuture<'_, ()> {
        self.run(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(db))
    }

    fn add_worker(&self, worker: Worker) -> StorageFuture<'_, ()> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO workers (worker_id, name, role, can_create_grids, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    worker.worker_id,
                    worker.name,
                    worker.role.code(),
                    worker.can_create_grids,
                    now_unix()
                ],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StorageError::Exists("worker")
                } else {
                    db(e)
                }
            })?;
            Ok(())
        })
    }

    fn set_role(&self, worker_id: String, role: WorkerRole) -> StorageFuture<'_, bool> {
        self.write(move |tx| {
            let current: Option<String> = tx
                .query_row(
                    "SELECT role FROM workers WHERE worker_id = ?1",
                    [&worker_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db)?;
            match current {
                None => Err(StorageError::NotFound("worker")),
                Some(code) if code == role.code() => Ok(false),
                Some(_) => {
                    tx.execute(
                        "UPDATE workers SET role = ?2 WHERE worker_id = ?1",
                        params![worker_id, role.code()],
                    )
                    .map_err(db)?;
                    Ok(true)
                }
            }
        })
    }

    fn assign(
        &self,
        worker_id: String,
        grid_id: String,
        scope: AssignmentScope,
    ) -> StorageFuture<'_, bool> {
        self.write(move |tx| {
            if !grid_exists(tx, &grid_id)? {
                tx.execute(
                    "INSERT INTO grids (grid_id, created_at) VALUES (?1, ?2)",
                    params![grid_id, now_unix()],
                )
                .map_err(db)?;
            }
            let old = assigned_scope(tx, &worker_id, &grid_id)?;
            match old {
                Some(old) if old == scope => return Ok(false),
                Some(_) => {
                    tx.execute(
                        "UPDATE assignments SET scope = ?3 WHERE worker_id = ?1 AND grid_id = ?2",
                        params![worker_id, grid_id, scope.code()],
                    )
                    .map_err(db)?;
                }
                None => {
                    tx.execute(
                        "INSERT INTO assignments (worker_id, grid_id, scope) VALUES (?1, ?2, ?3)",
                        params![worker_id, grid_id, scope.code()],
                    )
                    .map_err(|e| {
                        if is_fk_violation(&e) {
                            StorageError::NotFound("worker")
                        } else {
                            db(e)
                        }
                    })?;
                }
            }
            if needs_reset(old, Some(scope)) {
                record_resets(tx, &worker_id, &grid_id)?;
            }
            Ok(true)
        })
    }

    fn unassign(&self, worker_id: String, grid_id: String) -> StorageFuture<'_, bool> {
        self.write(move |tx| {
            let old = assigned_scope(tx, &worker_id, &grid_id)?;
            tx.execute(
                "DELETE FROM assignments WHERE worker_id = ?1 AND grid_id = ?2",
                params![worker_id, grid_id],
            )
            .map_err(db)?;
            if needs_reset(old, None) {
                record_resets(tx, &worker_id, &grid_id)?;
            }
            Ok(old.is_some())
        })
    }

    fn assignment_scopes(
        &self,
        worker_id: String,
    ) -> StorageFuture<'_, Vec<(String, AssignmentScope)>> {
        self.run(move |conn| {
            conn.prepare_cached(
                "SELECT grid_id, scope FROM assignments WHERE worker_id = ?1 ORDER BY grid_id",
            )
            .map_err(db)?
            .query_map([&worker_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?
            .into_iter()
            .map(|(grid, code)| Ok((grid, stored_scope(&code)?)))
            .collect()
        })
    }

    fn scope_resets(
        &self,
        device_id: String,
        started_over: Vec<String>,
    ) -> StorageFuture<'_, Vec<String>> {
        self.run(move |conn| {
            let pending = |conn: &Connection| -> StorageResult<Vec<String>> {
                conn.prepare_cached(
                    "SELECT grid_id FROM scope_resets WHERE device_id = ?1 ORDER BY grid_id",
                )
                .map_err(db)?
                .query_map([&device_id], |r| r.get(0))
                .map_err(db)?
                .collect::<rusqlite::Result<Vec<String>>>()
                .map_err(db)
            };
            let found = pending(conn)?;
            // Most requests have no reset: they read and write nothing more.
            if !found.iter().any(|g| started_over.contains(g)) {
                return Ok(found);
            }
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            for grid in &started_over {
                tx.execute(
                    "DELETE FROM scope_resets WHERE device_id = ?1 AND grid_id = ?2",
                    params![device_id, grid],
                )
                .map_err(db)?;
            }
            let left = pending(&tx)?;
            tx.commit().map_err(db)?;
            Ok(left)
        })
    }

    fn add_device(&self, device: NewDevice) -> StorageFuture<'_, ()> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO devices (device_id, worker_id, label, token_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    device.device_id,
                    device.worker_id,
                    device.label,
                    device.token_hash,
                    now_unix()
                ],
            )
            .map_err(|e| {
                if is_fk_violation(&e) {
                    StorageError::NotFound("worker")
                } else if is_unique_violation(&e) {
                    StorageError::Exists("device")
                } else {
                    db(e)
                }
            })?;
            Ok(())
        })
    }

    fn revoke_device(&self, device_id: String) -> StorageFuture<'_, bool> {
        self.write(move |tx| {
            let n = tx
                .execute(
                    "UPDATE devices SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL",
                    params![device_id, now_unix()],
                )
                .map_err(db)?;
            Ok(n == 1)
        })
    }

    fn authenticate(&self, token_hash: String) -> StorageFuture<'_, Option<AuthenticatedDevice>> {
        self.run(move |conn| {
            let row = conn
                .query_row(
                    "SELECT d.device_id, d.worker_id, w.name, w.role, w.can_create_grids
                     FROM devices d JOIN workers w ON w.worker_id = d.worker_id
                     WHERE d.token_hash = ?1 AND d.revoked_at IS NULL",
                    [&token_hash],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, bool>(4)?,
                        ))
                    },
                )
                .optional()
                .map_err(db)?;
            row.map(
                |(device_id, worker_id, worker_name, role, can_create_grids)| {
                    Ok(AuthenticatedDevice {
                        device_id,
                        worker_id,
                        worker_name,
                        role: stored_role(&role)?,
                        can_create_grids,
                    })
                },
            )
            .transpose()
        })
    }

    fn list(&self) -> StorageFuture<'_, Listing> {
        self.run(|conn| list(conn))
    }

    fn stats(&self) -> StorageFuture<'_, Stats> {
        self.run(|conn| {
            Ok(Stats {
                grids: count(conn, "grids")?,
                changes: count(conn, "changes")?,
                actors: count(conn, "actors")?,
                snapshots: count(conn, "snapshots")?,
                assignments: count(conn, "assignments")?,
                ..photo_counts(conn)?
            })
        })
    }

    fn assigned_grids(&self, worker_id: String) -> StorageFuture<'_, Vec<String>> {
        self.run(move |conn| {
            conn.prepare_cached(
                "SELECT grid_id FROM assignments WHERE worker_id = ?1 ORDER BY grid_id",
            )
            .map_err(db)?
            .query_map([&worker_id], |r| r.get(0))
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(db)
        })
    }

    fn check_access(
        &self,
        device: AuthenticatedDevice,
        grids: Vec<String>,
        creating: Vec<String>,
    ) -> StorageFuture<'_, ()> {
        self.run(move |conn| access(conn, &device, &grids, &creating).map(|_| ()))
    }

    fn refused_grids(
        &self,
        device: AuthenticatedDevice,
        grids: Vec<String>,
        creating: Vec<String>,
    ) -> StorageFuture<'_, Vec<RefusedGrid>> {
        self.run(move |conn| {
            Ok(unassigned(conn, &device, &grids, &creating)?
                .into_iter()
                .filter_map(|(grid_id, refused)| {
                    refused.map(|reason| RefusedGrid { grid_id, reason })
                })
                .collect())
        })
    }

    fn grid_teams(&self, worker_id: String) -> StorageFuture<'_, Vec<GridTeam>> {
        self.run(move |conn| {
            let rows = conn
                .prepare_cached(
                    "SELECT a.grid_id, w.worker_id, w.name, w.role
                     FROM assignments mine
                     JOIN assignments a ON a.grid_id = mine.grid_id
                     JOIN workers w ON w.worker_id = a.worker_id
                     WHERE mine.worker_id = ?1
                     ORDER BY a.grid_id, w.worker_id",
                )
                .map_err(db)?
                .query_map([&worker_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .map_err(db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db)?;
            Ok(group_teams(rows))
        })
    }

    fn store_push(&self, batch: PushBatch) -> StorageFuture<'_, PushOutcome> {
        self.write(move |tx| store_push(tx, &batch))
    }

    fn grid_state(&self, grid_id: String) -> StorageFuture<'_, Option<GridState>> {
        self.run(move |conn| {
            conn.query_row(
                "SELECT last_seq, generation FROM grids WHERE grid_id = ?1",
                [&grid_id],
                |r| {
                    Ok(GridState {
                        last_seq: pos(r.get(0)?),
                        generation: pos(r.get(1)?),
                    })
                },
            )
            .optional()
            .map_err(db)
        })
    }

    fn read_log(
        &self,
        grid_id: String,
        after: u64,
        exclude_actor: Option<String>,
        scope: AssignmentScope,
        max_bytes: u64,
        max_rows: u32,
    ) -> StorageFuture<'_, LogBatch> {
        self.run(move |conn| {
            read_log(
                conn,
                &grid_id,
                after,
                exclude_actor.as_deref(),
                scope,
                max_bytes,
                max_rows,
            )
        })
    }

    fn read_snapshots(
        &self,
        grid_id: String,
        after_doc: Option<String>,
        scope: AssignmentScope,
        max_rows: u32,
    ) -> StorageFuture<'_, Vec<SnapshotRow>> {
        self.run(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT doc_id, generation, bytes FROM snapshots
                     WHERE grid_id = ?1 AND doc_id > ?2 ORDER BY doc_id",
                )
                .map_err(db)?;
            let mut rows = stmt
                .query(params![grid_id, after_doc.unwrap_or_default()])
                .map_err(db)?;
            let mut out = Vec::new();
            // Read on past the documents the scope leaves out: an empty
            // answer must mean that no snapshot is left.
            while out.len() < max_rows as usize {
                let Some(row) = rows.next().map_err(db)? else {
                    break;
                };
                let doc_id: String = row.get(0).map_err(db)?;
                if !scope.allows_doc(&doc_id) {
                    continue;
                }
                out.push(SnapshotRow {
                    doc_id,
                    generation: pos(row.get(1).map_err(db)?),
                    bytes: row.get(2).map_err(db)?,
                });
            }
            Ok(out)
        })
    }

    fn compaction_input(
        &self,
        grid_id: String,
        upto: u64,
    ) -> StorageFuture<'_, Vec<CompactionInput>> {
        self.run(move |conn| compaction_input(conn, &grid_id, upto))
    }

    fn store_compaction(
        &self,
        grid_id: String,
        expected: u64,
        generation: u64,
        snapshots: Vec<(String, Vec<u8>)>,
    ) -> StorageFuture<'_, bool> {
        self.write(move |tx| {
            let n = tx
                .execute(
                    "UPDATE grids SET generation = ?3
                     WHERE grid_id = ?1 AND generation = ?2 AND last_seq >= ?3",
                    params![grid_id, db_pos(expected), db_pos(generation)],
                )
                .map_err(db)?;
            if n != 1 {
                return Ok(false);
            }
            for (doc_id, bytes) in &snapshots {
                tx.execute(
                    "INSERT INTO snapshots (grid_id, doc_id, generation, bytes)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (grid_id, doc_id)
                     DO UPDATE SET generation = excluded.generation, bytes = excluded.bytes",
                    params![grid_id, doc_id, db_pos(generation), bytes],
                )
                .map_err(db)?;
            }
            Ok(true)
        })
    }

    fn missing_changes(&self, wanted: Vec<ChangeKey>) -> StorageFuture<'_, Vec<usize>> {
        self.run(move |conn| {
            let mut lookup = conn
                .prepare_cached(
                    "SELECT 1 FROM changes WHERE grid_id = ?1 AND doc_id = ?2 AND hash = ?3",
                )
                .map_err(db)?;
            let mut missing = Vec::new();
            for (i, key) in wanted.iter().enumerate() {
                let stored = lookup
                    .exists(params![key.grid_id, key.doc_id, key.hash])
                    .map_err(db)?;
                if !stored {
                    missing.push(i);
                }
            }
            Ok(missing)
        })
    }

    fn photo_status(
        &self,
        grid_id: String,
        photo_id: String,
    ) -> StorageFuture<'_, Option<PhotoStatus>> {
        self.run(move |conn| {
            conn.prepare_cached(
                "SELECT size, received_bytes, complete FROM photos
                 WHERE grid_id = ?1 AND photo_id = ?2",
            )
            .map_err(db)?
            .query_row(params![grid_id, photo_id], |r| {
                Ok(PhotoStatus {
                    size: pos(r.get(0)?),
                    received: pos(r.get(1)?),
                    complete: r.get(2)?,
                })
            })
            .optional()
            .map_err(db)
        })
    }

    fn append_photo_chunk(&self, chunk: PhotoChunk) -> StorageFuture<'_, PhotoAppend> {
        self.write(move |tx| {
            let stored = tx
                .prepare_cached(
                    "SELECT size, received_bytes, complete, bytes FROM photos
                     WHERE grid_id = ?1 AND photo_id = ?2",
                )
                .map_err(db)?
                .query_row(params![chunk.grid_id, chunk.photo_id], |r| {
                    Ok((
                        PhotoStatus {
                            size: pos(r.get(0)?),
                            received: pos(r.get(1)?),
                            complete: r.get(2)?,
                        },
                        r.get::<_, Vec<u8>>(3)?,
                    ))
                })
                .optional()
                .map_err(db)?;
            let existed = stored.is_some();
            match plan_photo_chunk(stored, &chunk) {
                Ok((status, bytes)) => {
                    tx.prepare_cached(
                        "INSERT INTO photos
                             (grid_id, photo_id, size, received_bytes, bytes, complete, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                         ON CONFLICT (grid_id, photo_id) DO UPDATE SET
                             received_bytes = excluded.received_bytes,
                             bytes = excluded.bytes,
                             complete = excluded.complete",
                    )
                    .map_err(db)?
                    .execute(params![
                        chunk.grid_id,
                        chunk.photo_id,
                        db_pos(status.size),
                        db_pos(status.received),
                        bytes,
                        status.complete,
                        now_unix()
                    ])
                    .map_err(db)?;
                    Ok(PhotoAppend::Stored(status))
                }
                Err(PhotoAppend::HashMismatch) => {
                    if existed {
                        tx.prepare_cached(
                            "DELETE FROM photos WHERE grid_id = ?1 AND photo_id = ?2",
                        )
                        .map_err(db)?
                        .execute(params![chunk.grid_id, chunk.photo_id])
                        .map_err(db)?;
                    }
                    Ok(PhotoAppend::HashMismatch)
                }
                Err(answer) => Ok(answer),
            }
        })
    }

    fn purge_abandoned_uploads(&self, begun_by: i64) -> StorageFuture<'_, PurgedUploads> {
        // The count and the delete share the write transaction, so no
        // chunk lands between them.
        self.write(move |tx| {
            let (uploads, bytes) = tx
                .query_row(
                    "SELECT count(*), COALESCE(sum(received_bytes), 0) FROM photos
                     WHERE complete = 0 AND created_at <= ?1",
                    [begun_by],
                    |r| Ok((pos(r.get(0)?), pos(r.get(1)?))),
                )
                .map_err(db)?;
            tx.execute(
                "DELETE FROM photos WHERE complete = 0 AND created_at <= ?1",
                [begun_by],
            )
            .map_err(db)?;
            Ok(PurgedUploads { uploads, bytes })
        })
    }

    fn read_photo(&self, grid_id: String, photo_id: String) -> StorageFuture<'_, Option<Vec<u8>>> {
        self.run(move |conn| {
            conn.prepare_cached(
                "SELECT bytes FROM photos WHERE grid_id = ?1 AND photo_id = ?2 AND complete = 1",
            )
            .map_err(db)?
            .query_row(params![grid_id, photo_id], |r| r.get(0))
            .optional()
            .map_err(db)
        })
    }

    fn server_secret(&self, name: &'static str, fresh: Vec<u8>) -> StorageFuture<'_, Vec<u8>> {
        self.write(move |tx| self_reports::server_secret(tx, name, &fresh))
    }

    fn self_report_epoch(&self, grid_id: String) -> StorageFuture<'_, u64> {
        self.run(move |conn| self_reports::epoch(conn, &grid_id))
    }

    fn revoke_self_report_links(&self, grid_id: String) -> StorageFuture<'_, u64> {
        self.write(move |tx| self_reports::revoke(tx, &grid_id))
    }

    fn store_self_report(&self, report: StoredSelfReport) -> StorageFuture<'_, ()> {
        self.write(move |tx| self_reports::store(tx, &report))
    }

    fn self_reports(&self, grid_id: String) -> StorageFuture<'_, Vec<StoredSelfReport>> {
        self.run(move |conn| self_reports::list(conn, &grid_id))
    }

    fn delete_self_report(&self, grid_id: String, report_id: String) -> StorageFuture<'_, bool> {
        self.write(move |tx| self_reports::delete(tx, &grid_id, &report_id))
    }

    fn purge_self_reports(&self, received_by: i64) -> StorageFuture<'_, u64> {
        self.write(move |tx| self_reports::purge(tx, received_by))
    }
}
