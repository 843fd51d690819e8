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
//! From version 3 a response also refuses grids one by one
//! (`SyncResponse::refused`): the refused grid is quarantined
//! (`quarantined_grids`) and its unsent changes are held in the outbox, left
//! out of every request with the grid itself, while everything else goes on.
//! A quarantine is lifted when the server lists the grid among the worker's
//! teams again, or, for a grid the worker may not create, when it says the
//! worker may create grids; the held changes then go in the next request
//! of the same sync. What the app sees and its way out (discarding the
//! grid) are in `quarantine.rs`. The teams the server sends replace
//! `grid_members`, and the worker's permission is kept as the `meta` key
//! `vouched_can_create_grids`.
//!
//! To keep more sync state, add a column or table in a new migration (or a
//! `meta` key, for one value) and write it in
//! [`Store::apply_sync_response`]'s transaction.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::ProtocolError;
use super::quarantine::{
    BlockedGrid, HELD, blocked_grids, held_changes, keep_teams, quarantined_grids,
    release_quarantines,
};
use super::wire::{
    ChunkKind, GridCursor, MAX_CHANGES_PER_REQUEST, MAX_DOCS_PER_REQUEST, PER_GRID_VERSION,
    PulledChunk, PushedChange, SyncRequest, SyncResponse,
};
use crate::docs::DocId;
use crate::error::{Error, Result};
use crate::identity::Worker;
use crate::store::merge::{ImportReport, Parsed, merge_parsed, parse_chunk};
use crate::store::{Store, team};
use crate::values::now_ms;

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

/// What a store has waiting for the server, for an "unsent" badge, and the
/// grids the server refused, for a "blocked" notice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncStatus {
    /// Changes written here that the server has not acknowledged (held
    /// ones included).
    pub unsent_changes: i64,
    /// Their size in bytes.
    pub unsent_bytes: i64,
    /// Of the unsent changes, those held in grids the server refused: they
    /// are not sent until the refusal is lifted or the grid is discarded.
    pub held_changes: i64,
    /// The grids the server refused for this worker, by grid id, each with
    /// its reason, its held changes and the confirmation
    /// `Store.discardQuarantinedGrid` takes.
    pub blocked_grids: Vec<BlockedGrid>,
    /// Whether the server says the worker may create grids (null before the
    /// first sync with a server that says): hide "create grid" when false.
    pub can_create_grids: Option<bool>,
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
            let mut statement = conn.prepare_cached(&format!(
                "SELECT o.seq, o.doc_id, coalesce(o.bytes, c.bytes) FROM outbox o
                     LEFT JOIN chunks c ON c.seq = o.chunk_seq WHERE NOT {HELD} ORDER BY o.seq"
            ))?;
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
            // A blocked grid is not named until its refusal is lifted.
            let blocked = quarantined_grids(conn)?;
            let mut grids = grid_cursors(conn)?;
            grids.retain(|g| !blocked.contains_key(&g.grid_id));
            Ok((push_upto, push, grids))
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

    /// Applies the server's `response` to `request`, all or nothing: merges
    /// the pages, moves the cursors, removes the acknowledged changes from
    /// the outbox, quarantines the grids the server refused (their changes
    /// stay, held) and lifts the quarantines the server no longer stands by.
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
        let named = |grid: &str| request.grids.iter().any(|g| g.grid_id == grid);
        for refused in &response.refused {
            if !named(&refused.grid_id) {
                return Err(ProtocolError::Mismatch(
                    "refused a grid the request did not name".into(),
                )
                .into());
            }
        }
        for page in &response.grids {
            if response.refused.iter().any(|r| r.grid_id == page.grid_id) {
                return Err(ProtocolError::Mismatch("a page of a refused grid".into()).into());
            }
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
        // A blocked grid the request did not name gets a page from its first
        // position if the server assigned it again: it is not applied (the
        // store has the grid); once the block is lifted, the next request
        // names the grid with its own cursor and sends its held changes.
        let blocked_before = self.read(quarantined_grids)?;
        let skipped = |grid: &str| !named(grid) && blocked_before.contains_key(grid);
        let pages: Vec<_> = response
            .grids
            .iter()
            .filter(|p| !skipped(&p.grid_id))
            .collect();
        let chunks: Vec<&PulledChunk> = pages.iter().flat_map(|p| &p.chunks).collect();
        let parsed = parse_chunks(&chunks)?;
        let acked_upto = i64::try_from(request.push_upto).unwrap_or(i64::MAX);
        // Only a response that says per grid what the worker may use can
        // quarantine or release a grid, and carries the teams.
        let per_grid = response.identity.is_some() && response.version >= PER_GRID_VERSION;
        self.write(|edit| {
            let import = merge_parsed(edit, parsed)?;
            // Cursors move and acknowledged changes leave the outbox.
            edit.sync_state_changed();
            let mut update = edit.tx.prepare_cached(
                "INSERT INTO sync_cursors (grid_id, cursor, resume_after) VALUES (?1, ?2, ?3)
                 ON CONFLICT (grid_id) DO UPDATE SET cursor = ?2, resume_after = ?3",
            )?;
            for page in &pages {
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
                if per_grid {
                    let flag: &[u8] = if vouched.can_create_grids { b"1" } else { b"0" };
                    keep.execute(params![team::VOUCHED_CAN_CREATE_GRIDS, flag])?;
                }
            }
            // Quarantine first, so that the refused grids' changes, pushed
            // but not stored, stay in the outbox.
            let mut quarantine = edit.tx.prepare_cached(
                "INSERT INTO quarantined_grids (grid_id, reason, since_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (grid_id) DO UPDATE SET reason = ?2",
            )?;
            for refused in &response.refused {
                quarantine.execute(params![refused.grid_id, refused.reason.code(), now_ms()])?;
            }
            let acked = edit
                .tx
                .prepare_cached(&format!(
                    "DELETE FROM outbox AS o WHERE o.seq <= ?1 AND NOT {HELD}"
                ))?
                .execute([acked_upto])?;
            let mut released = 0;
            if per_grid {
                released = release_quarantines(edit.tx, response)?;
                keep_teams(edit.tx, response)?;
            }
            let outbox_left: bool = edit
                .tx
                .prepare_cached(&format!(
                    "SELECT EXISTS (SELECT 1 FROM outbox o WHERE NOT {HELD})"
                ))?
                .query_row([], |r| r.get(0))?;
            Ok(SyncApplied {
                acked_changes: u32::try_from(acked).unwrap_or(u32::MAX),
                import,
                more: outbox_left || released > 0 || pages.iter().any(|p| p.more),
            })
        })
    }

    /// What is waiting to be sent, and which grids the server refused and why.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.read(|conn| {
            let (count, bytes): (i64, i64) = conn
                .prepare_cached(
                    "SELECT count(*), coalesce(sum(length(coalesce(o.bytes, c.bytes))), 0)
                     FROM outbox o LEFT JOIN chunks c ON c.seq = o.chunk_seq",
                )?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(SyncStatus {
                unsent_changes: count,
                unsent_bytes: bytes,
                held_changes: held_changes(conn)?,
                blocked_grids: blocked_grids(conn)?,
                can_create_grids: team::vouched_can_create_grids(conn)?,
            })
        })
    }

    /// Where the store stands in each grid it holds, blocked ones included.
    pub fn sync_cursors(&self) -> Result<Vec<GridCursor>> {
        self.read(grid_cursors)
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
