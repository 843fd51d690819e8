//! The store's side of a sync: the request to send next, and applying the
//! server's response. A response is checked whole first, then applied in
//! one SQLite transaction that merges the pulled chunks, moves the grids'
//! cursors and removes the acknowledged changes from the outbox. A response
//! that never arrives changes nothing, and one applied twice is harmless, so
//! a sync cut anywhere is finished by the next.
//!
//! A response of protocol version 2 carries the identity the server vouches
//! for: a response for another worker than the store's is refused whole
//! ([`Error::TokenOfAnotherWorker`]), and the worker's name and role are kept
//! in the store's `meta` table (`vouched_name`, `vouched_role`), read back by
//! [`Store::vouched_identity`] and by `Store::open`.
//!
//! To keep more sync state, add a column or table in a new migration (or a
//! `meta` key, for one value) and write it in
//! [`Store::apply_sync_response`]'s transaction.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::ProtocolError;
use super::wire::{
    ChunkKind, GridCursor, MAX_CHANGES_PER_REQUEST, MAX_DOCS_PER_REQUEST, PulledChunk,
    PushedChange, SyncRequest, SyncResponse,
};
use crate::docs::DocId;
use crate::error::{Error, Result};
use crate::identity::Worker;
use crate::store::merge::{ImportReport, Parsed, merge_parsed, parse_chunk};
use crate::store::{Store, team};

/// How much one sync request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncLimits {
    /// Push at most this many bytes of changes per request (at least one change is always sent).
    pub max_push_bytes: usize,
    /// Ask the server for pages of at most this many bytes.
    pub max_response_bytes: u32,
}

impl Default for SyncLimits {
    fn default() -> Self {
        SyncLimits {
            max_push_bytes: 1024 * 1024,
            max_response_bytes: 4 * 1024 * 1024,
        }
    }
}

/// What applying one response did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncApplied {
    /// Changes of this device the server acknowledged (removed from the outbox).
    pub acked_changes: u32,
    /// What merging the pulled chunks did.
    pub import: ImportReport,
    /// Whether another request is needed: a page was cut, or the outbox still holds changes.
    pub more: bool,
}

/// What a store has waiting for the server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncStatus {
    /// Changes written here that the server has not acknowledged.
    pub unsent_changes: u64,
    /// Their size in bytes.
    pub unsent_bytes: u64,
    /// The store's position in each grid it holds.
    pub grids: Vec<GridCursor>,
}

impl Store {
    /// The next request to send to the sync server: the oldest unacknowledged
    /// changes (up to `limits.max_push_bytes`) and the store's cursor in
    /// every grid it holds.
    pub fn sync_request(&self, limits: &SyncLimits) -> Result<SyncRequest> {
        let (push_upto, push, grids) = self.read(|conn| {
            let mut push = Vec::new();
            let mut push_upto = 0;
            let mut bytes = 0usize;
            let mut statement = conn.prepare_cached(
                "SELECT o.seq, o.doc_id, coalesce(o.bytes, c.bytes) FROM outbox o
                 LEFT JOIN chunks c ON c.seq = o.chunk_seq ORDER BY o.seq",
            )?;
            // Read only as far as the request's budget: the outbox of a phone
            // that was offline for weeks can be large.
            let mut rows = statement.query([])?;
            // The protocol's counts too: the rest goes in the next request.
            let mut docs = std::collections::HashSet::new();
            while let Some(row) = rows.next()? {
                let change: Vec<u8> = row.get::<_, Option<Vec<u8>>>(2)?.unwrap_or_default();
                if !push.is_empty() && bytes + change.len() > limits.max_push_bytes {
                    break;
                }
                let doc_id: String = row.get(1)?;
                if push.len() == MAX_CHANGES_PER_REQUEST
                    || (!docs.contains(&doc_id) && docs.len() == MAX_DOCS_PER_REQUEST)
                {
                    break;
                }
                docs.insert(doc_id.clone());
                bytes += change.len();
                push_upto = u64::try_from(row.get::<_, i64>(0)?).unwrap_or(0);
                push.push(PushedChange {
                    doc_id,
                    bytes: change,
                });
            }
            drop(rows);
            drop(statement);
            Ok((push_upto, push, grid_cursors(conn)?))
        })?;
        Ok(SyncRequest {
            version: super::PROTOCOL_VERSION,
            actor: self.actor_bytes(),
            max_response_bytes: limits.max_response_bytes,
            push_upto,
            grids,
            push,
        })
    }

    /// Applies the server's `response` to `request`, all or nothing.
    pub fn apply_sync_response(
        &self,
        request: &SyncRequest,
        response: &SyncResponse,
    ) -> Result<SyncApplied> {
        if let Some(vouched) = &response.identity
            && vouched.worker_id != self.identity().worker_id
        {
            return Err(Error::TokenOfAnotherWorker);
        }
        if response.acked_upto != request.push_upto {
            return Err(ProtocolError::Mismatch("acknowledged another push".into()).into());
        }
        for page in &response.grids {
            for chunk in &page.chunks {
                let belongs = DocId::parse(&chunk.doc_id)
                    .is_some_and(|(_, _, grid_id)| grid_id == page.grid_id);
                if !belongs {
                    return Err(ProtocolError::Mismatch(
                        "a chunk of another grid in a page".into(),
                    )
                    .into());
                }
            }
        }
        let chunks: Vec<&PulledChunk> = response.grids.iter().flat_map(|p| &p.chunks).collect();
        let parsed = parse_chunks(&chunks)?;
        let acked_upto = i64::try_from(request.push_upto).unwrap_or(i64::MAX);
        self.write(|edit| {
            let import = merge_parsed(edit, parsed)?;
            // Cursors move and acknowledged changes leave the outbox.
            edit.sync_state_changed();
            let mut update = edit.tx.prepare_cached(
                "INSERT INTO sync_cursors (grid_id, cursor, resume_after) VALUES (?1, ?2, ?3)
                 ON CONFLICT (grid_id) DO UPDATE SET cursor = ?2, resume_after = ?3",
            )?;
            for page in &response.grids {
                let cursor = i64::try_from(page.cursor).unwrap_or(i64::MAX);
                update.execute(params![page.grid_id, cursor, page.resume_after])?;
            }
            if let Some(vouched) = &response.identity {
                let mut keep = edit.tx.prepare_cached(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = ?2",
                )?;
                keep.execute(params![team::VOUCHED_NAME, vouched.name.as_bytes()])?;
                keep.execute(params![team::VOUCHED_ROLE, vouched.role.as_bytes()])?;
            }
            let acked = edit
                .tx
                .prepare_cached("DELETE FROM outbox WHERE seq <= ?1")?
                .execute([acked_upto])?;
            let outbox_left: bool = edit
                .tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox)")?
                .query_row([], |r| r.get(0))?;
            Ok(SyncApplied {
                acked_changes: u32::try_from(acked).unwrap_or(u32::MAX),
                import,
                more: outbox_left || response.grids.iter().any(|p| p.more),
            })
        })
    }

    /// What is waiting to be sent, and where the store stands in each grid.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.read(|conn| {
            let (count, bytes): (i64, i64) = conn
                .prepare_cached(
                    "SELECT count(*), coalesce(sum(length(coalesce(o.bytes, c.bytes))), 0)
                     FROM outbox o LEFT JOIN chunks c ON c.seq = o.chunk_seq",
                )?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(SyncStatus {
                unsent_changes: u64::try_from(count).unwrap_or(0),
                unsent_bytes: u64::try_from(bytes).unwrap_or(0),
                grids: grid_cursors(conn)?,
            })
        })
    }

    /// The worker this store belongs to as the sync server vouched for them
    /// in the last sync (id, name and role), or `None` before the first sync
    /// with a server that tells it. From the next open, the store writes
    /// this name and role.
    pub fn vouched_identity(&self) -> Result<Option<Worker>> {
        self.read(|conn| team::vouched_identity(conn, &self.identity().worker_id))
    }

    /// The server-side cursor of one grid (0 when the store never pulled it).
    pub fn sync_cursor(&self, grid_id: &str) -> Result<u64> {
        self.read(|conn| {
            let cursor: Option<i64> = conn
                .prepare_cached("SELECT cursor FROM sync_cursors WHERE grid_id = ?1")?
                .query_row([grid_id], |r| r.get(0))
                .optional()?;
            Ok(cursor.and_then(|c| u64::try_from(c).ok()).unwrap_or(0))
        })
    }
}

/// Decodes pulled chunks, in order. Snapshots (a bootstrap) take most of the
/// time, so large pages are decoded on several threads.
fn parse_chunks(chunks: &[&PulledChunk]) -> Result<Vec<Parsed>> {
    let parse = |chunk: &&PulledChunk| {
        parse_chunk(
            &chunk.doc_id,
            chunk.kind == ChunkKind::Snapshot,
            &chunk.bytes,
        )
    };
    let snapshot_bytes: usize = chunks
        .iter()
        .filter(|c| c.kind == ChunkKind::Snapshot)
        .map(|c| c.bytes.len())
        .sum();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if snapshot_bytes < PARALLEL_PARSE_BYTES || threads < 2 {
        return chunks.iter().map(parse).collect();
    }
    // Interleave, so that each thread gets a share of the large snapshots.
    let results: Vec<Vec<(usize, Result<Parsed>)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    chunks
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, chunk)| (i, parse(chunk)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let mut ordered: Vec<(usize, Result<Parsed>)> = results.into_iter().flatten().collect();
    if ordered.len() != chunks.len() {
        return Err(ProtocolError::Malformed("a chunk could not be decoded".into()).into());
    }
    ordered.sort_by_key(|(i, _)| *i);
    ordered.into_iter().map(|(_, parsed)| parsed).collect()
}

/// Snapshot bytes in one response above which decoding uses several threads.
const PARALLEL_PARSE_BYTES: usize = 256 * 1024;

/// Every grid the store holds or has pulled, with its cursor.
fn grid_cursors(conn: &rusqlite::Connection) -> Result<Vec<GridCursor>> {
    let mut grids: BTreeMap<String, GridCursor> = BTreeMap::new();
    let docs = conn
        .prepare_cached("SELECT DISTINCT grid_id FROM docs")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for grid_id in docs {
        grids.insert(
            grid_id.clone(),
            GridCursor {
                grid_id,
                ..GridCursor::default()
            },
        );
    }
    let cursors = conn
        .prepare_cached("SELECT grid_id, cursor, resume_after FROM sync_cursors")?
        .query_map([], |r| {
            Ok(GridCursor {
                grid_id: r.get(0)?,
                cursor: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                resume_after: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for cursor in cursors {
        grids.insert(cursor.grid_id.clone(), cursor);
    }
    Ok(grids.into_values().collect())
}
