//! The PostgreSQL side of residents' own reports (`super::super::self_reports`).

use tokio_postgres::GenericClient;

use super::{FK_VIOLATION, db, sqlstate};
use crate::storage::{StorageError, StorageResult, StoredSelfReport, now_unix, pos};

pub(super) async fn server_secret<C: GenericClient>(
    c: &C,
    name: &str,
    fresh: &[u8],
) -> StorageResult<Vec<u8>> {
    c.execute(
        "INSERT INTO server_secrets (name, secret, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING",
        &[&name, &fresh, &now_unix()],
    )
    .await
    .map_err(db)?;
    Ok(c.query_one(
        "SELECT secret FROM server_secrets WHERE name = $1",
        &[&name],
    )
    .await
    .map_err(db)?
    .get(0))
}

pub(super) async fn epoch<C: GenericClient>(c: &C, grid_id: &str) -> StorageResult<u64> {
    let row = c
        .query_opt(
            "SELECT epoch FROM self_report_links WHERE grid_id = $1",
            &[&grid_id],
        )
        .await
        .map_err(db)?;
    Ok(row.map(|r| pos(r.get(0))).unwrap_or(0))
}

/// A foreign key on `grids` refused the row: the grid is unknown.
fn unknown_grid(e: tokio_postgres::Error) -> StorageError {
    if sqlstate(&e) == Some(FK_VIOLATION) {
        StorageError::NotFound("grid")
    } else {
        db(e)
    }
}

pub(super) async fn revoke<C: GenericClient>(c: &C, grid_id: &str) -> StorageResult<u64> {
    let row = c
        .query_one(
            "INSERT INTO self_report_links (grid_id, epoch) VALUES ($1, 1)
             ON CONFLICT (grid_id) DO UPDATE SET epoch = self_report_links.epoch + 1
             RETURNING epoch",
            &[&grid_id],
        )
        .await
        .map_err(unknown_grid)?;
    Ok(pos(row.get(0)))
}

pub(super) async fn store<C: GenericClient>(c: &C, report: &StoredSelfReport) -> StorageResult<()> {
    c.execute(
        "INSERT INTO self_reports (report_id, grid_id, received_at, report)
         VALUES ($1, $2, $3, $4)",
        &[
            &report.report_id,
            &report.grid_id,
            &report.received_at,
            &report.report,
        ],
    )
    .await
    .map_err(unknown_grid)?;
    Ok(())
}

pub(super) async fn list<C: GenericClient>(
    c: &C,
    grid_id: &str,
) -> StorageResult<Vec<StoredSelfReport>> {
    Ok(c.query(
        "SELECT report_id, grid_id, received_at, report FROM self_reports
             WHERE grid_id = $1 ORDER BY received_at, report_id",
        &[&grid_id],
    )
    .await
    .map_err(db)?
    .iter()
    .map(|r| StoredSelfReport {
        report_id: r.get(0),
        grid_id: r.get(1),
        received_at: r.get(2),
        report: r.get(3),
    })
    .collect())
}

pub(super) async fn delete<C: GenericClient>(
    c: &C,
    grid_id: &str,
    report_id: &str,
) -> StorageResult<bool> {
    let n = c
        .execute(
            "DELETE FROM self_reports WHERE grid_id = $1 AND report_id = $2",
            &[&grid_id, &report_id],
        )
        .await
        .map_err(db)?;
    Ok(n > 0)
}

pub(super) async fn purge<C: GenericClient>(c: &C, received_by: i64) -> StorageResult<u64> {
    c.execute(
        "DELETE FROM self_reports WHERE received_at <= $1",
        &[&received_by],
    )
    .await
    .map_err(db)
}
