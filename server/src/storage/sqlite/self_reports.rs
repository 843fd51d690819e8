//! The SQLite side of residents' own reports (`super::super::self_reports`).

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::db;
use crate::storage::{StorageError, StorageResult, StoredSelfReport, now_unix, pos};

pub(super) fn server_secret(
    tx: &Transaction<'_>,
    name: &str,
    fresh: &[u8],
) -> StorageResult<Vec<u8>> {
    tx.execute(
        "INSERT INTO server_secrets (name, secret, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO NOTHING",
        params![name, fresh, now_unix()],
    )
    .map_err(db)?;
    tx.query_row(
        "SELECT secret FROM server_secrets WHERE name = ?1",
        [name],
        |r| r.get(0),
    )
    .map_err(db)
}

pub(super) fn epoch(conn: &Connection, grid_id: &str) -> StorageResult<u64> {
    let epoch: Option<i64> = conn
        .query_row(
            "SELECT epoch FROM self_report_links WHERE grid_id = ?1",
            [grid_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?;
    Ok(pos(epoch.unwrap_or(0)))
}

fn grid_exists(conn: &Connection, grid_id: &str) -> StorageResult<()> {
    conn.query_row("SELECT 1 FROM grids WHERE grid_id = ?1", [grid_id], |_| {
        Ok(())
    })
    .optional()
    .map_err(db)?
    .ok_or(StorageError::NotFound("grid"))
}

pub(super) fn revoke(tx: &Transaction<'_>, grid_id: &str) -> StorageResult<u64> {
    grid_exists(tx, grid_id)?;
    tx.query_row(
        "INSERT INTO self_report_links (grid_id, epoch) VALUES (?1, 1)
         ON CONFLICT (grid_id) DO UPDATE SET epoch = epoch + 1
         RETURNING epoch",
        [grid_id],
        |r| r.get::<_, i64>(0),
    )
    .map(pos)
    .map_err(db)
}

pub(super) fn store(tx: &Transaction<'_>, report: &StoredSelfReport) -> StorageResult<()> {
    grid_exists(tx, &report.grid_id)?;
    tx.execute(
        "INSERT INTO self_reports (report_id, grid_id, received_at, report)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            report.report_id,
            report.grid_id,
            report.received_at,
            report.report
        ],
    )
    .map_err(db)?;
    Ok(())
}

pub(super) fn list(conn: &Connection, grid_id: &str) -> StorageResult<Vec<StoredSelfReport>> {
    conn.prepare_cached(
        "SELECT report_id, grid_id, received_at, report FROM self_reports
         WHERE grid_id = ?1 ORDER BY received_at, report_id",
    )
    .map_err(db)?
    .query_map([grid_id], |r| {
        Ok(StoredSelfReport {
            report_id: r.get(0)?,
            grid_id: r.get(1)?,
            received_at: r.get(2)?,
            report: r.get(3)?,
        })
    })
    .map_err(db)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(db)
}

pub(super) fn delete(tx: &Transaction<'_>, grid_id: &str, report_id: &str) -> StorageResult<bool> {
    let n = tx
        .execute(
            "DELETE FROM self_reports WHERE grid_id = ?1 AND report_id = ?2",
            [grid_id, report_id],
        )
        .map_err(db)?;
    Ok(n > 0)
}

pub(super) fn purge(tx: &Transaction<'_>, received_by: i64) -> StorageResult<u64> {
    let n = tx
        .execute(
            "DELETE FROM self_reports WHERE received_at <= ?1",
            [received_by],
        )
        .map_err(db)?;
    Ok(u64::try_from(n).unwrap_or(u64::MAX))
}
