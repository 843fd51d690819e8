//! The PostgreSQL backend, through tokio-postgres and a deadpool pool. Safe
//! for several server processes over one database:
//!
//! - log positions are allocated while holding the grid row's lock
//!   (`SELECT ... FOR UPDATE`, grids locked in id order) until commit, so a
//!   reader never sees position N+1 committed while N is not;
//! - a change is stored once through the unique key (grid, document, hash);
//! - a new grid is created with `ON CONFLICT DO NOTHING`, so two workers
//!   racing to create it cannot both get it;
//! - a compaction is published with a compare-and-set on the generation;
//! - migrations run under an advisory lock.
//!
//! To extend: add the method's SQL here next to its SQLite twin in
//! `sqlite.rs`; keep both answering the same way (the storage suite checks).

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use gridbook::codes::CodeList;
use tokio_postgres::{GenericClient, NoTls};

mod self_reports;

use super::{
    AssignmentScope, AuthenticatedDevice, ChangeKey, CompactionInput, DeviceInfo, GridAppend,
    GridInfo, GridRefusal, GridState, GridTeam, Listing, LogBatch, LogRow, NewDevice,
    POSTGRES_MIGRATIONS, PhotoAppend, PhotoChunk, PhotoStatus, PurgedUploads, PushBatch,
    PushOutcome, RefusedGrid, SnapshotRow, Stats, Storage, StorageError, StorageFuture,
    StorageResult, StoredSelfReport, Worker, WorkerRole, db_pos, group_teams, latest_version,
    needs_reset, now_unix, plan_photo_chunk, pos, refusal, sorted_unique, stored_role,
    stored_scope,
};

/// Advisory lock key that serialises migrations across processes.
const MIGRATION_LOCK: i64 = 0x6762_7376_0001;

/// The PostgreSQL backend. Cheap to clone (shares the pool).
#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
}

impl std::fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresStorage")
    }
}

fn db(e: tokio_postgres::Error) -> StorageError {
    // Only the SQLSTATE and the primary message: details can quote values.
    match e.as_db_error() {
        Some(d) => StorageError::Database(format!("postgres {}: {}", d.code().code(), d.message())),
        None => StorageError::Database(format!("postgres: {e}")),
    }
}

fn pool_err(e: deadpool_postgres::PoolError) -> StorageError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => db(e),
        other => StorageError::Database(format!("postgres pool: {other}")),
    }
}

fn sqlstate(e: &tokio_postgres::Error) -> Option<&str> {
    e.as_db_error().map(|d| d.code().code())
}

const UNIQUE_VIOLATION: &str = "23505";
const FK_VIOLATION: &str = "23503";

impl PostgresStorage {
    /// Connects with a libpq-style connection string (for example
    /// `host=127.0.0.1 port=54329 user=gridbook dbname=gridbook`) and applies
    /// the migrations. The connection is not encrypted: run PostgreSQL on
    /// the same host or a private network.
    pub async fn connect(conn: &str) -> StorageResult<PostgresStorage> {
        let mut config = tokio_postgres::Config::from_str(conn)
            .map_err(|e| StorageError::Database(format!("bad connection string: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        if config.get_application_name().is_none() {
            config.application_name("gridbook-server");
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(|e| StorageError::Database(format!("postgres pool: {e}")))?;
        let storage = PostgresStorage { pool };
        storage.migrate().await?;
        Ok(storage)
    }

    /// Applies the pending migrations, all in one transaction under an
    /// advisory lock, and records each in `schema_migrations`. A database
    /// from a newer build is refused before anything is written to it.
    async fn migrate(&self) -> StorageResult<()> {
        let mut client = self.pool.get().await.map_err(pool_err)?;
        let tx = client.transaction().await.map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(db)?;
        let tracked: bool = tx
            .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
            .await
            .map_err(db)?
            .get(0);
        let current: i64 = if tracked {
            tx.query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )
            .await
            .map_err(db)?
            .get(0)
        } else {
            0
        };
        let supported = latest_version(POSTGRES_MIGRATIONS);
        if current > supported {
            // Dropping the transaction rolls it back: nothing was written.
            return Err(StorageError::SchemaTooNew {
                found: current,
                supported,
            });
        }
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .await
        .map_err(db)?;
        for migration in POSTGRES_MIGRATIONS.iter().filter(|m| m.version > current) {
            tx.batch_execute(migration.sql)
                .await
                .map_err(|e| StorageError::Migration {
                    version: migration.version,
                    message: e.to_string(),
                })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[&migration.version, &now_unix()],
            )
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn client(&self) -> StorageResult<deadpool_postgres::Object> {
        self.pool.get().await.map_err(pool_err)
    }
}

async fn is_assigned<C: GenericClient>(c: &C, worker: &str, grid: &str) -> StorageResult<bool> {
    Ok(c.query_opt(
        "SELECT 1 FROM assignments WHERE worker_id = $1 AND grid_id = $2",
        &[&worker, &grid],
    )
    .await
    .map_err(db)?
    .is_some())
}

/// Records that every device of the worker must start the grid over.
async fn record_resets<C: GenericClient>(c: &C, worker: &str, grid: &str) -> StorageResult<()> {
    c.execute(
        "INSERT INTO scope_resets (device_id, grid_id)
         SELECT device_id, $2 FROM devices WHERE worker_id = $1
         ON CONFLICT DO NOTHING",
        &[&worker, &grid],
    )
    .await
    .map_err(db)?;
    Ok(())
}

async fn grid_seen<C: GenericClient>(c: &C, grid: &str) -> StorageResult<bool> {
    Ok(
        c.query_opt("SELECT 1 FROM grids WHERE grid_id = $1", &[&grid])
            .await
            .map_err(db)?
            .is_some(),
    )
}

/// Every grid of `grids` the worker is not assigned to, sorted, with its
/// refusal (`None`: a new grid the worker may create with this push).
async fn unassigned<C: GenericClient>(
    c: &C,
    device: &AuthenticatedDevice,
    grids: &[String],
    creating: &[String],
) -> StorageResult<Vec<(String, Option<GridRefusal>)>> {
    let mut out = Vec::new();
    for grid in sorted_unique(grids) {
        if is_assigned(c, &device.worker_id, &grid).await? {
            continue;
        }
        let seen = grid_seen(c, &grid).await?;
        let refused = refusal(device, &grid, seen, creating);
        out.push((grid, refused));
    }
    Ok(out)
}

/// The grids of `grids` that must be created; fails on the first refused one.
async fn access<C: GenericClient>(
    c: &C,
    device: &AuthenticatedDevice,
    grids: &[String],
    creating: &[String],
) -> StorageResult<Vec<String>> {
    unassigned(c, device, grids, creating)
        .await?
        .into_iter()
        .map(|(grid, refused)| match refused {
            None => Ok(grid),
            Some(_) => Err(StorageError::GridForbidden(grid)),
        })
        .collect()
}

async fn store_push(
    tx: &tokio_postgres::Transaction<'_>,
    batch: &PushBatch,
) -> StorageResult<PushOutcome> {
    let pushed: Vec<String> = batch.changes.iter().map(|c| c.grid_id.clone()).collect();
    let create = access(tx, &batch.device, &batch.grids, &pushed).await?;
    let now = now_unix();
    for grid in &create {
        let n = tx
            .execute(
                "INSERT INTO grids (grid_id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[grid, &now],
            )
            .await
            .map_err(db)?;
        if n == 0 && !is_assigned(tx, &batch.device.worker_id, grid).await? {
            // Another request created it first, for someone else.
            return Err(StorageError::GridForbidden(grid.clone()));
        }
        tx.execute(
            "INSERT INTO assignments (worker_id, grid_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&batch.device.worker_id, grid],
        )
        .await
        .map_err(db)?;
    }
    for actor in sorted_unique(&batch.actors) {
        tx.execute(
            "INSERT INTO actors (actor, device_id) VALUES ($1, $2) ON CONFLICT (actor) DO NOTHING",
            &[&actor, &batch.device.device_id],
        )
        .await
        .map_err(db)?;
        let owner: String = tx
            .query_one("SELECT device_id FROM actors WHERE actor = $1", &[&actor])
            .await
            .map_err(db)?
            .get(0);
        if owner != batch.device.device_id {
            return Err(StorageError::ActorForbidden);
        }
    }
    // check_push guarantees every change of a request is by the request's actor.
    let writer = batch.actors.first().cloned().unwrap_or_default();
    let insert = tx
        .prepare(
            "INSERT INTO changes (grid_id, seq, doc_id, hash, device_id, actor, bytes)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (grid_id, doc_id, hash) DO NOTHING",
        )
        .await
        .map_err(db)?;
    let mut grids = Vec::new();
    // sorted_unique: grid rows are locked in id order, so two requests
    // touching the same grids cannot deadlock.
    for grid in sorted_unique(&pushed) {
        let row = tx
            .query_one(
                "SELECT last_seq, generation FROM grids WHERE grid_id = $1 FOR UPDATE",
                &[&grid],
            )
            .await
            .map_err(db)?;
        let (mut last, generation): (i64, i64) = (row.get(0), row.get(1));
        let mut inserted = 0u64;
        for change in batch.changes.iter().filter(|c| c.grid_id == grid) {
            let next = last + 1;
            let n = tx
                .execute(
                    &insert,
                    &[
                        &grid,
                        &next,
                        &change.doc_id,
                        &change.hash,
                        &batch.device.device_id,
                        &writer,
                        &change.bytes,
                    ],
                )
                .await
                .map_err(db)?;
            if n == 1 {
                last = next;
                inserted += 1;
            }
        }
        tx.execute(
            "UPDATE grids SET last_seq = $2 WHERE grid_id = $1",
            &[&grid, &last],
        )
        .await
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

async fn list<C: GenericClient>(c: &C) -> StorageResult<Listing> {
    let workers = c
        .query(
            "SELECT worker_id, name, role, can_create_grids FROM workers ORDER BY worker_id",
            &[],
        )
        .await
        .map_err(db)?
        .iter()
        .map(|r| {
            Ok(Worker {
                worker_id: r.get(0),
                name: r.get(1),
                role: stored_role(r.get(2))?,
                can_create_grids: r.get(3),
            })
        })
        .collect::<StorageResult<Vec<_>>>()?;
    let mut grids: Vec<GridInfo> = c
        .query(
            "SELECT grid_id, last_seq, generation FROM grids ORDER BY grid_id",
            &[],
        )
        .await
        .map_err(db)?
        .iter()
        .map(|r| GridInfo {
            grid_id: r.get(0),
            last_seq: pos(r.get(1)),
            generation: pos(r.get(2)),
            workers: Vec::new(),
            scoped: Vec::new(),
        })
        .collect();
    for grid in &mut grids {
        let rows = c
            .query(
                "SELECT worker_id, scope FROM assignments WHERE grid_id = $1 ORDER BY worker_id",
                &[&grid.grid_id],
            )
            .await
            .map_err(db)?;
        for row in rows {
            let worker: String = row.get(0);
            let scope = stored_scope(row.get(1))?;
            if scope != AssignmentScope::All {
                grid.scoped.push((worker.clone(), scope));
            }
            grid.workers.push(worker);
        }
    }
    let devices = c
        .query(
            "SELECT device_id, worker_id, label, revoked_at FROM devices
             ORDER BY worker_id, label, device_id",
            &[],
        )
        .await
        .map_err(db)?
        .iter()
        .map(|r| DeviceInfo {
            device_id: r.get(0),
            worker_id: r.get(1),
            label: r.get(2),
            revoked_at: r.get(3),
        })
        .collect();
    Ok(Listing {
        workers,
        grids,
        devices,
    })
}

async fn count<C: GenericClient>(c: &C, table: &str) -> StorageResult<u64> {
    let n: i64 = c
        .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
        .await
        .map_err(db)?
        .get(0);
    Ok(pos(n))
}

/// The photo fields of [`Stats`]: the columns only, never the bytes.
async fn photo_counts<C: GenericClient>(c: &C) -> StorageResult<Stats> {
    // sum() of BIGINT is NUMERIC; the casts keep the answer a BIGINT.
    let row = c
        .query_one(
            "SELECT count(*) FILTER (WHERE complete),
                    COALESCE(sum(size) FILTER (WHERE complete), 0)::BIGINT,
                    count(*) FILTER (WHERE NOT complete),
                    COALESCE(sum(received_bytes) FILTER (WHERE NOT complete), 0)::BIGINT
             FROM photos",
            &[],
        )
        .await
        .map_err(db)?;
    Ok(Stats {
        photos: pos(row.get(0)),
        photo_bytes: pos(row.get(1)),
        incomplete_uploads: pos(row.get(2)),
        incomplete_upload_bytes: pos(row.get(3)),
        ..Stats::default()
    })
}

impl Storage for PostgresStorage {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn ping(&self) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            c.query_one("SELECT 1", &[]).await.map_err(db)?;
            Ok(())
        })
    }

    fn add_worker(&self, worker: Worker) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            c.execute(
                "INSERT INTO workers (worker_id, name, role, can_create_grids, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &worker.worker_id,
                    &worker.name,
                    &worker.role.code(),
                    &worker.can_create_grids,
                    &now_unix(),
                ],
            )
            .await
            .map_err(|e| match sqlstate(&e) {
                Some(UNIQUE_VIOLATION) => StorageError::Exists("worker"),
                _ => db(e),
            })?;
            Ok(())
        })
    }

    fn set_role(&self, worker_id: String, role: WorkerRole) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let c = self.client().await?;
            // One statement: the old role is read under the row lock it updates.
            let row = c
                .query_opt(
                    "WITH previous AS (SELECT role FROM workers WHERE worker_id = $1 FOR UPDATE)
                     UPDATE workers w SET role = $2 FROM previous
                     WHERE w.worker_id = $1 RETURNING previous.role",
                    &[&worker_id, &role.code()],
                )
                .await
                .map_err(db)?;
            match row {
                None => Err(StorageError::NotFound("worker")),
                Some(r) => Ok(r.get::<_, String>(0) != role.code()),
            }
        })
    }

    fn assign(
        &self,
        worker_id: String,
        grid_id: String,
        scope: AssignmentScope,
    ) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let mut c = self.client().await?;
            let tx = c.transaction().await.map_err(db)?;
            tx.execute(
                "INSERT INTO grids (grid_id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&grid_id, &now_unix()],
            )
            .await
            .map_err(db)?;
            let n = tx
                .execute(
                    "INSERT INTO assignments (worker_id, grid_id, scope) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                    &[&worker_id, &grid_id, &scope.code()],
                )
                .await
                .map_err(|e| match sqlstate(&e) {
                    Some(FK_VIOLATION) => StorageError::NotFound("worker"),
                    _ => db(e),
                })?;
            if n == 1 {
                tx.commit().await.map_err(db)?;
                return Ok(true);
            }
            // Read under the row's lock, so two administrators changing the
            // scope at once both see the scope they replace.
            let row = tx
                .query_one(
                    "SELECT scope FROM assignments WHERE worker_id = $1 AND grid_id = $2
                     FOR UPDATE",
                    &[&worker_id, &grid_id],
                )
                .await
                .map_err(db)?;
            let old = stored_scope(row.get(0))?;
            if old == scope {
                tx.commit().await.map_err(db)?;
                return Ok(false);
            }
            tx.execute(
                "UPDATE assignments SET scope = $3 WHERE worker_id = $1 AND grid_id = $2",
                &[&worker_id, &grid_id, &scope.code()],
            )
            .await
            .map_err(db)?;
            if needs_reset(Some(old), Some(scope)) {
                record_resets(&*tx, &worker_id, &grid_id).await?;
            }
            tx.commit().await.map_err(db)?;
            Ok(true)
        })
    }

    fn unassign(&self, worker_id: String, grid_id: String) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let mut c = self.client().await?;
            let tx = c.transaction().await.map_err(db)?;
            let old = tx
                .query_opt(
                    "DELETE FROM assignments WHERE worker_id = $1 AND grid_id = $2
                     RETURNING scope",
                    &[&worker_id, &grid_id],
                )
                .await
                .map_err(db)?
                .map(|r| stored_scope(r.get(0)))
                .transpose()?;
            if needs_reset(old, None) {
                record_resets(&*tx, &worker_id, &grid_id).await?;
            }
            tx.commit().await.map_err(db)?;
            Ok(old.is_some())
        })
    }

    fn assignment_scopes(
        &self,
        worker_id: String,
    ) -> StorageFuture<'_, Vec<(String, AssignmentScope)>> {
        Box::pin(async move {
            let c = self.client().await?;
            c.query(
                "SELECT grid_id, scope FROM assignments WHERE worker_id = $1 ORDER BY grid_id",
                &[&worker_id],
            )
            .await
            .map_err(db)?
            .iter()
            .map(|r| Ok((r.get(0), stored_scope(r.get(1))?)))
            .collect()
        })
    }

    fn scope_resets(
        &self,
        device_id: String,
        started_over: Vec<String>,
    ) -> StorageFuture<'_, Vec<String>> {
        Box::pin(async move {
            let c = self.client().await?;
            if !started_over.is_empty() {
                c.execute(
                    "DELETE FROM scope_resets WHERE device_id = $1 AND grid_id = ANY($2)",
                    &[&device_id, &started_over],
                )
                .await
                .map_err(db)?;
            }
            Ok(c.query(
                "SELECT grid_id FROM scope_resets WHERE device_id = $1 ORDER BY grid_id",
                &[&device_id],
            )
            .await
            .map_err(db)?
            .iter()
            .map(|r| r.get(0))
            .collect())
        })
    }

    fn add_device(&self, device: NewDevice) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            c.execute(
                "INSERT INTO devices (device_id, worker_id, label, token_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &device.device_id,
                    &device.worker_id,
                    &device.label,
                    &device.token_hash,
                    &now_unix(),
                ],
            )
            .await
            .map_err(|e| match sqlstate(&e) {
                Some(FK_VIOLATION) => StorageError::NotFound("worker"),
                Some(UNIQUE_VIOLATION) => StorageError::Exists("device"),
                _ => db(e),
            })?;
            Ok(())
        })
    }

    fn revoke_device(&self, device_id: String) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let c = self.client().await?;
            let n = c
                .execute(
                    "UPDATE devices SET revoked_at = $2 WHERE device_id = $1 AND revoked_at IS NULL",
                    &[&device_id, &now_unix()],
                )
                .await
                .map_err(db)?;
            Ok(n == 1)
        })
    }

    fn authenticate(&self, token_hash: String) -> StorageFuture<'_, Option<AuthenticatedDevice>> {
        Box::pin(async move {
            let c = self.client().await?;
            let row = c
                .query_opt(
                    "SELECT d.device_id, d.worker_id, w.name, w.role, w.can_create_grids
                     FROM devices d JOIN workers w ON w.worker_id = d.worker_id
                     WHERE d.token_hash = $1 AND d.revoked_at IS NULL",
                    &[&token_hash],
                )
                .await
                .map_err(db)?;
            row.map(|r| {
                Ok(AuthenticatedDevice {
                    device_id: r.get(0),
                    worker_id: r.get(1),
                    worker_name: r.get(2),
                    role: stored_role(r.get(3))?,
                    can_create_grids: r.get(4),
                })
            })
            .transpose()
        })
    }

    fn list(&self) -> StorageFuture<'_, Listing> {
        Box::pin(async move {
            let c = self.client().await?;
            list(&**c).await
        })
    }

    fn stats(&self) -> StorageFuture<'_, Stats> {
        Box::pin(async move {
            let c = self.client().await?;
            let c: &tokio_postgres::Client = &c;
            Ok(Stats {
                grids: count(c, "grids").await?,
                changes: count(c, "changes").await?,
                actors: count(c, "actors").await?,
                snapshots: count(c, "snapshots").await?,
                assignments: count(c, "assignments").await?,
                ..photo_counts(c).await?
            })
        })
    }

    fn assigned_grids(&self, worker_id: String) -> StorageFuture<'_, Vec<String>> {
        Box::pin(async move {
            let c = self.client().await?;
            Ok(c.query(
                "SELECT grid_id FROM assignments WHERE worker_id = $1 ORDER BY grid_id",
                &[&worker_id],
            )
            .await
            .map_err(db)?
            .iter()
            .map(|r| r.get(0))
            .collect())
        })
    }

    fn check_access(
        &self,
        device: AuthenticatedDevice,
        grids: Vec<String>,
        creating: Vec<String>,
    ) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            access(&**c, &device, &grids, &creating).await.map(|_| ())
        })
    }

    fn refused_grids(
        &self,
        device: AuthenticatedDevice,
        grids: Vec<String>,
        creating: Vec<String>,
    ) -> StorageFuture<'_, Vec<RefusedGrid>> {
        Box::pin(async move {
            let c = self.client().await?;
            Ok(unassigned(&**c, &device, &grids, &creating)
                .await?
                .into_iter()
                .filter_map(|(grid_id, refused)| {
                    refused.map(|reason| RefusedGrid { grid_id, reason })
                })
                .collect())
        })
    }

    fn grid_teams(&self, worker_id: String) -> StorageFuture<'_, Vec<GridTeam>> {
        Box::pin(async move {
            let c = self.client().await?;
            let rows = c
                .query(
                    "SELECT a.grid_id, w.worker_id, w.name, w.role
                     FROM assignments mine
                     JOIN assignments a ON a.grid_id = mine.grid_id
                     JOIN workers w ON w.worker_id = a.worker_id
                     WHERE mine.worker_id = $1
                     ORDER BY a.grid_id, w.worker_id",
                    &[&worker_id],
                )
                .await
                .map_err(db)?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
                .collect();
            Ok(group_teams(rows))
        })
    }

    fn store_push(&self, batch: PushBatch) -> StorageFuture<'_, PushOutcome> {
        Box::pin(async move {
            let mut c = self.client().await?;
            let tx = c.transaction().await.map_err(db)?;
            let outcome = store_push(&tx, &batch).await?;
            tx.commit().await.map_err(db)?;
            Ok(outcome)
        })
    }

    fn grid_state(&self, grid_id: String) -> StorageFuture<'_, Option<GridState>> {
        Box::pin(async move {
            let c = self.client().await?;
            let row = c
                .query_opt(
                    "SELECT last_seq, generation FROM grids WHERE grid_id = $1",
                    &[&grid_id],
                )
                .await
                .map_err(db)?;
            Ok(row.map(|r| GridState {
                last_seq: pos(r.get(0)),
                generation: pos(r.get(1)),
            }))
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
        Box::pin(async move {
            let c = self.client().await?;
            let rows = c
                .query(
                    "SELECT seq, doc_id, actor, CASE WHEN actor = $4 THEN NULL ELSE bytes END
                     FROM changes WHERE grid_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                    &[
                        &grid_id,
                        &db_pos(after),
                        &(i64::from(max_rows) + 1),
                        &exclude_actor.clone().unwrap_or_default(),
                    ],
                )
                .await
                .map_err(db)?;
            let mut batch = LogBatch {
                scanned_to: after,
                ..LogBatch::default()
            };
            let mut total = 0u64;
            for (i, row) in rows.iter().enumerate() {
                if i == max_rows as usize {
                    batch.more = true;
                    break;
                }
                let seq = pos(row.get(0));
                let actor: &str = row.get(2);
                let doc_id: String = row.get(1);
                // A row the scope does not cover moves the cursor like the device's own.
                if Some(actor) == exclude_actor.as_deref() || !scope.allows_doc(&doc_id) {
                    batch.scanned_to = seq;
                    continue;
                }
                let bytes: Vec<u8> = row.get::<_, Option<Vec<u8>>>(3).unwrap_or_default();
                let len = bytes.len() as u64;
                if !batch.rows.is_empty() && total + len > max_bytes {
                    batch.more = true;
                    break;
                }
                total += len;
                batch.scanned_to = seq;
                batch.rows.push(LogRow { seq, doc_id, bytes });
            }
            Ok(batch)
        })
    }

    fn read_snapshots(
        &self,
        grid_id: String,
        after_doc: Option<String>,
        scope: AssignmentScope,
        max_rows: u32,
    ) -> StorageFuture<'_, Vec<SnapshotRow>> {
        Box::pin(async move {
            let c = self.client().await?;
            let mut after = after_doc.unwrap_or_default();
            let mut out = Vec::new();
            if max_rows == 0 {
                return Ok(out);
            }
            // Read on past the documents the scope leaves out: an empty
            // answer must mean that no snapshot is left.
            loop {
                let rows = c
                    .query(
                        "SELECT doc_id, generation, bytes FROM snapshots
                         WHERE grid_id = $1 AND doc_id > $2 ORDER BY doc_id LIMIT $3",
                        &[&grid_id, &after, &i64::from(max_rows)],
                    )
                    .await
                    .map_err(db)?;
                let full = rows.len() == max_rows as usize;
                for r in &rows {
                    let doc_id: String = r.get(0);
                    after.clone_from(&doc_id);
                    if !scope.allows_doc(&doc_id) {
                        continue;
                    }
                    out.push(SnapshotRow {
                        doc_id,
                        generation: pos(r.get(1)),
                        bytes: r.get(2),
                    });
                    if out.len() == max_rows as usize {
                        return Ok(out);
                    }
                }
                if !full {
                    return Ok(out);
                }
            }
        })
    }

    fn compaction_input(
        &self,
        grid_id: String,
        upto: u64,
    ) -> StorageFuture<'_, Vec<CompactionInput>> {
        Box::pin(async move {
            let c = self.client().await?;
            let generation: i64 = c
                .query_opt(
                    "SELECT generation FROM grids WHERE grid_id = $1",
                    &[&grid_id],
                )
                .await
                .map_err(db)?
                .ok_or(StorageError::NotFound("grid"))?
                .get(0);
            let docs: Vec<String> = c
                .query(
                    "SELECT DISTINCT doc_id FROM changes
                     WHERE grid_id = $1 AND seq > $2 AND seq <= $3 ORDER BY doc_id",
                    &[&grid_id, &generation, &db_pos(upto)],
                )
                .await
                .map_err(db)?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let mut out = Vec::new();
            for doc_id in docs {
                let snap = c
                    .query_opt(
                        "SELECT generation, bytes FROM snapshots WHERE grid_id = $1 AND doc_id = $2",
                        &[&grid_id, &doc_id],
                    )
                    .await
                    .map_err(db)?
                    .map(|r| (r.get::<_, i64>(0), r.get::<_, Vec<u8>>(1)));
                let from = snap.as_ref().map(|(g, _)| *g).unwrap_or(0);
                let changes = c
                    .query(
                        "SELECT bytes FROM changes WHERE grid_id = $1 AND doc_id = $2
                         AND seq > $3 AND seq <= $4 ORDER BY seq",
                        &[&grid_id, &doc_id, &from, &db_pos(upto)],
                    )
                    .await
                    .map_err(db)?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                out.push(CompactionInput {
                    doc_id,
                    snapshot: snap.map(|(_, b)| b),
                    changes,
                });
            }
            Ok(out)
        })
    }

    fn store_compaction(
        &self,
        grid_id: String,
        expected: u64,
        generation: u64,
        snapshots: Vec<(String, Vec<u8>)>,
    ) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let mut c = self.client().await?;
            let tx = c.transaction().await.map_err(db)?;
            let n = tx
                .execute(
                    "UPDATE grids SET generation = $3
                     WHERE grid_id = $1 AND generation = $2 AND last_seq >= $3",
                    &[&grid_id, &db_pos(expected), &db_pos(generation)],
                )
                .await
                .map_err(db)?;
            if n != 1 {
                tx.rollback().await.map_err(db)?;
                return Ok(false);
            }
            for (doc_id, bytes) in &snapshots {
                tx.execute(
                    "INSERT INTO snapshots (grid_id, doc_id, generation, bytes)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (grid_id, doc_id)
                     DO UPDATE SET generation = EXCLUDED.generation, bytes = EXCLUDED.bytes",
                    &[&grid_id, doc_id, &db_pos(generation), bytes],
                )
                .await
                .map_err(db)?;
            }
            tx.commit().await.map_err(db)?;
            Ok(true)
        })
    }

    fn missing_changes(&self, wanted: Vec<ChangeKey>) -> StorageFuture<'_, Vec<usize>> {
        Box::pin(async move {
            if wanted.is_empty() {
                return Ok(Vec::new());
            }
            let c = self.client().await?;
            let grids: Vec<&str> = wanted.iter().map(|k| k.grid_id.as_str()).collect();
            let docs: Vec<&str> = wanted.iter().map(|k| k.doc_id.as_str()).collect();
            let hashes: Vec<&[u8]> = wanted.iter().map(|k| k.hash.as_slice()).collect();
            // One round trip for the whole push, on the log's unique index.
            let rows = c
                .query(
                    "SELECT w.i FROM unnest($1::text[], $2::text[], $3::bytea[])
                         WITH ORDINALITY AS w (grid_id, doc_id, hash, i)
                     WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.grid_id = w.grid_id
                         AND c.doc_id = w.doc_id AND c.hash = w.hash)
                     ORDER BY w.i",
                    &[&grids, &docs, &hashes],
                )
                .await
                .map_err(db)?;
            Ok(rows
                .iter()
                .filter_map(|r| usize::try_from(r.get::<_, i64>(0) - 1).ok())
                .collect())
        })
    }

    fn photo_status(
        &self,
        grid_id: String,
        photo_id: String,
    ) -> StorageFuture<'_, Option<PhotoStatus>> {
        Box::pin(async move {
            let c = self.client().await?;
            Ok(c.query_opt(
                "SELECT size, received_bytes, complete FROM photos
                 WHERE grid_id = $1 AND photo_id = $2",
                &[&grid_id, &photo_id],
            )
            .await
            .map_err(db)?
            .map(|r| PhotoStatus {
                size: pos(r.get(0)),
                received: pos(r.get(1)),
                complete: r.get(2),
            }))
        })
    }

    fn append_photo_chunk(&self, chunk: PhotoChunk) -> StorageFuture<'_, PhotoAppend> {
        Box::pin(async move {
            let mut c = self.client().await?;
            let tx = c.transaction().await.map_err(db)?;
            // Two uploads of one photo (a retry racing its lost original)
            // take turns: the second sees what the first appended.
            let stored = tx
                .query_opt(
                    "SELECT size, received_bytes, complete, bytes FROM photos
                     WHERE grid_id = $1 AND photo_id = $2 FOR UPDATE",
                    &[&chunk.grid_id, &chunk.photo_id],
                )
                .await
                .map_err(db)?
                .map(|r| {
                    (
                        PhotoStatus {
                            size: pos(r.get(0)),
                            received: pos(r.get(1)),
                            complete: r.get(2),
                        },
                        r.get::<_, Vec<u8>>(3),
                    )
                });
            let existed = stored.is_some();
            let answer = match plan_photo_chunk(stored, &chunk) {
                Ok((status, bytes)) => {
                    // Two first chunks racing (no row to lock yet) both
                    // start at 0, so the later write holds a prefix of the
                    // same photo; a wrong one fails the hash at the end.
                    tx.execute(
                        "INSERT INTO photos
                             (grid_id, photo_id, size, received_bytes, bytes, complete, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)
                         ON CONFLICT (grid_id, photo_id) DO UPDATE SET
                             received_bytes = excluded.received_bytes,
                             bytes = excluded.bytes,
                             complete = excluded.complete",
                        &[
                            &chunk.grid_id,
                            &chunk.photo_id,
                            &db_pos(status.size),
                            &db_pos(status.received),
                            &bytes,
                            &status.complete,
                            &now_unix(),
                        ],
                    )
                    .await
                    .map_err(db)?;
                    PhotoAppend::Stored(status)
                }
                Err(PhotoAppend::HashMismatch) => {
                    if existed {
                        tx.execute(
                            "DELETE FROM photos WHERE grid_id = $1 AND photo_id = $2",
                            &[&chunk.grid_id, &chunk.photo_id],
                        )
                        .await
                        .map_err(db)?;
                    }
                    PhotoAppend::HashMismatch
                }
                Err(answer) => answer,
            };
            tx.commit().await.map_err(db)?;
            Ok(answer)
        })
    }

    fn purge_abandoned_uploads(&self, begun_by: i64) -> StorageFuture<'_, PurgedUploads> {
        Box::pin(async move {
            let c = self.client().await?;
            // One statement: a chunk holding the row's lock (its append's
            // FOR UPDATE) finishes first, and the row is then judged again
            // as that chunk left it, so a photo it completed is kept.
            let row = c
                .query_one(
                    "WITH gone AS (
                         DELETE FROM photos WHERE NOT complete AND created_at <= $1
                         RETURNING received_bytes
                     )
                     SELECT count(*), COALESCE(sum(received_bytes), 0)::BIGINT FROM gone",
                    &[&begun_by],
                )
                .await
                .map_err(db)?;
            Ok(PurgedUploads {
                uploads: pos(row.get(0)),
                bytes: pos(row.get(1)),
            })
        })
    }

    fn read_photo(&self, grid_id: String, photo_id: String) -> StorageFuture<'_, Option<Vec<u8>>> {
        Box::pin(async move {
            let c = self.client().await?;
            Ok(c.query_opt(
                "SELECT bytes FROM photos WHERE grid_id = $1 AND photo_id = $2 AND complete",
                &[&grid_id, &photo_id],
            )
            .await
            .map_err(db)?
            .map(|r| r.get(0)))
        })
    }

    fn server_secret(&self, name: &'static str, fresh: Vec<u8>) -> StorageFuture<'_, Vec<u8>> {
        Box::pin(async move {
            let c = self.client().await?;
            self_reports::server_secret(&**c, name, &fresh).await
        })
    }

    fn self_report_epoch(&self, grid_id: String) -> StorageFuture<'_, u64> {
        Box::pin(async move {
            let c = self.client().await?;
            self_reports::epoch(&**c, &grid_id).await
        })
    }

    fn revoke_self_report_links(&self, grid_id: String) -> StorageFuture<'_, u64> {
        Box::pin(async move {
            let c = self.client().await?;
            self_reports::revoke(&**c, &grid_id).await
        })
    }

    fn store_self_report(&self, report: StoredSelfReport) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            self_reports::store(&**c, &report).await
        })
    }

    fn self_reports(&self, grid_id: String) -> StorageFuture<'_, Vec<StoredSelfReport>> {
        Box::pin(async move {
            let c = self.client().await?;
            self_reports::list(&**c, &grid_id).await
        })
    }

    fn delete_self_report(&self, grid_id: String, report_id: String) -> StorageFuture<'_, bool> {
        Box::pin(async move {
            let c = self.client().await?;
            self_reports::delete(&**c, &grid_id, &report_id).await
        })
    }

    fn purge_self_reports(&self, received_by: i64) -> StorageFuture<'_, u64> {
        Box::pin(async move {
            let c = self.client().await?;
            self_reports::purge(&**c, received_by).await
        })
    }
}
