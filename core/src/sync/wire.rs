//! The bytes of a sync request and response (`schema/sync-protocol.md`):
//! a 4-byte frame header, an optional DEFLATE layer, then LEB128 varints,
//! length-prefixed strings and 16-byte grid ids.
//!
//! Decoding never trusts a length: every read is bounds-checked, counts are
//! capped by the bytes that remain and by the protocol's limits before
//! anything is allocated for them, and inflating stops at
//! [`MAX_INFLATED_BYTES`]. A request is held to its grammar while it is
//! decoded: every document id names a document (`docs::DocId::parse`), the
//! actor id has a store's length, a grid is named once; a violation names
//! the field and never echoes the text. To add a field, append it to the
//! payload under a new [`PROTOCOL_VERSION`], keep decoding the old one, and
//! check its grammar where it is read; the server answers in the version of
//! the request, so a phone that was not updated keeps syncing.
//!
//! Versions: 1, the first; 2 appends the vouched identity to the response
//! ([`SyncResponse::identity`]; the request is unchanged); 3 appends what
//! the worker may do, the grids the server refused (per grid instead of the
//! whole request) and each assigned grid's team (`grids.rs`).

use std::collections::HashSet;
use std::io::{Read, Write};

use super::ProtocolError;
use super::grids::{GridRefusal, GridTeam, RefusedGrid, TeamMember};
use crate::docs::DocId;

/// The protocol version this build speaks (it reads every version from 1).
pub const PROTOCOL_VERSION: u8 = 3;
/// The first version whose response carries [`SyncResponse::identity`].
const IDENTITY_VERSION: u8 = 2;
/// The first version whose server refuses grids one by one
/// ([`SyncResponse::refused`]) and sends teams ([`SyncResponse::teams`]).
pub const PER_GRID_VERSION: u8 = 3;
/// The largest inflated body either side accepts.
pub const MAX_INFLATED_BYTES: usize = 64 * 1024 * 1024;
// The limits below are the protocol's, so the phone (which sizes its reads
// by them) and the server (which enforces them) share one definition.
/// The largest single change the server accepts.
pub const MAX_CHANGE_BYTES: usize = 1024 * 1024;
/// The largest request body the server accepts.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;
/// The smallest page budget the server honours.
pub const MIN_RESPONSE_BYTES: u32 = 64 * 1024;
/// The largest page budget the server honours.
pub const MAX_RESPONSE_BYTES: u32 = 16 * 1024 * 1024;
// Counts in one request. A worker holds a few grids, each with a handful of
// documents (the roster and one document per kind and quarter), and pushes
// at most `SyncLimits::max_push_bytes` of changes per request; the caps are
// an order of magnitude above that and bound what one request can cost.
/// The most grids one request may name (cursors; pushed changes name theirs among them).
pub const MAX_GRIDS_PER_REQUEST: usize = 256;
/// The most distinct documents one request may push changes to.
pub const MAX_DOCS_PER_REQUEST: usize = 512;
/// The most changes one request may push (the phone sends more in further requests).
pub const MAX_CHANGES_PER_REQUEST: usize = 4096;
/// The most operations one pushed change may hold. A change's bytes do not
/// bound its operations (runs of alike operations are run-length encoded),
/// and checking a change costs time per operation; a phone's edit writes a
/// few hundred.
pub const MAX_OPS_PER_CHANGE: usize = 250_000;
/// The most operations the changes of one request may hold together.
pub const MAX_OPS_PER_REQUEST: usize = 1_000_000;
/// The longest document id (the longest real one, `patrol/<uuid>/2026Q1`, has 50 bytes).
pub const MAX_DOC_ID_BYTES: usize = 64;
/// The longest actor id of a store (Automerge's are 16 bytes).
pub const MAX_ACTOR_BYTES: usize = 32;
/// How many characters of client-supplied text [`escape_for_log`] keeps.
pub const SHOWN_TEXT_CHARS: usize = 64;
/// Payloads at least this large are offered to DEFLATE.
const COMPRESS_FROM: usize = 1024;
const FLAG_DEFLATE: u8 = 1;

/// What one sync asks of the server (see `schema/sync-protocol.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRequest {
    /// The protocol version the request is written in: [`PROTOCOL_VERSION`]
    /// for a request of this build, what the body said for a decoded one.
    /// The server answers in the same version.
    pub version: u8,
    /// The Automerge actor id of the store sending the request.
    pub actor: Vec<u8>,
    /// The largest response body the client wants.
    pub max_response_bytes: u32,
    /// The outbox position of the last change in `push`; echoed as `acked_upto`.
    pub push_upto: u64,
    /// Where the store stands in each grid it holds.
    pub grids: Vec<GridCursor>,
    /// Changes the server has not acknowledged yet, oldest first.
    pub push: Vec<PushedChange>,
}

impl Default for SyncRequest {
    fn default() -> Self {
        SyncRequest {
            version: PROTOCOL_VERSION,
            actor: Vec::new(),
            max_response_bytes: 0,
            push_upto: 0,
            grids: Vec::new(),
            push: Vec::new(),
        }
    }
}

/// A store's position in one grid's log on the server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GridCursor {
    /// The grid (a UUID).
    pub grid_id: String,
    /// The log position up to which the store has everything (0: nothing yet).
    pub cursor: u64,
    /// During a bootstrap, the last document whose snapshot the store received.
    pub resume_after: Option<String>,
}

/// One change a store pushes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedChange {
    /// The document it belongs to, for example `visits/<grid>/2026Q4`.
    pub doc_id: String,
    /// The Automerge change, as stored.
    pub bytes: Vec<u8>,
}

/// The server's answer to a [`SyncRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncResponse {
    /// The version it is written in: the request's. A response without an
    /// identity is written as version 1 whatever this says.
    pub version: u8,
    /// The request's `push_upto`: every pushed change of a grid not in
    /// `refused` is stored.
    pub acked_upto: u64,
    /// One page per grid.
    pub grids: Vec<GridPage>,
    /// Who the device token belongs to, as the server keeps it (from
    /// protocol version 2; `None` in a version-1 response, which is what a
    /// server writes for a version-1 request).
    pub identity: Option<VouchedIdentity>,
    /// The grids the request named that the worker may not use, each with
    /// its reason (from version 3): their pushed changes were not stored.
    pub refused: Vec<RefusedGrid>,
    /// Every grid assigned to the worker, with its workers as the server
    /// keeps them (from version 3).
    pub teams: Vec<GridTeam>,
}

impl Default for SyncResponse {
    fn default() -> Self {
        SyncResponse {
            version: PROTOCOL_VERSION,
            acked_upto: 0,
            grids: Vec::new(),
            identity: None,
            refused: Vec::new(),
            teams: Vec::new(),
        }
    }
}

/// The worker a device token belongs to, as the server keeps them: the
/// phone refuses a response for another worker than its store's, and keeps
/// the name and role.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VouchedIdentity {
    /// The worker's id.
    pub worker_id: String,
    /// The worker's name.
    pub name: String,
    /// The worker's role code (`WorkerRole::code`, for example `grid_head`).
    pub role: String,
    /// Whether the worker may create grids (from version 3; false in an
    /// older response).
    pub can_create_grids: bool,
}

/// What the server has for one grid, after the store's cursor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GridPage {
    /// The grid (a UUID).
    pub grid_id: String,
    /// The store's new cursor once it has applied `chunks`.
    pub cursor: u64,
    /// The bootstrap position once it has applied `chunks`.
    pub resume_after: Option<String>,
    /// Whether the server has more for this grid: sync again.
    pub more: bool,
    /// Snapshots and changes, in the order to apply them.
    pub chunks: Vec<PulledChunk>,
}

/// One chunk in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledChunk {
    /// The document it belongs to.
    pub doc_id: String,
    /// A single change or a compacted snapshot.
    pub kind: ChunkKind,
    /// The Automerge bytes.
    pub bytes: Vec<u8>,
}

/// What a pulled chunk holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkKind {
    /// One Automerge change.
    Change,
    /// A saved document covering many changes.
    Snapshot,
}

impl SyncRequest {
    /// The request body.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.u8(self.version);
        w.bytes(&self.actor);
        w.varint(u64::from(self.max_response_bytes));
        w.varint(self.push_upto);
        w.varint(self.grids.len() as u64);
        for grid in &self.grids {
            w.grid_id(&grid.grid_id);
            w.varint(grid.cursor);
            w.string(grid.resume_after.as_deref().unwrap_or(""));
        }
        w.varint(self.push.len() as u64);
        for change in &self.push {
            w.string(&change.doc_id);
            w.bytes(&change.bytes);
        }
        frame(b'Q', w.0)
    }

    /// Decodes a request body and holds it to the protocol's grammar and
    /// limits; anything malformed is an error, never a panic.
    pub fn decode(body: &[u8]) -> Result<SyncRequest, ProtocolError> {
        let payload = unframe(b'Q', body)?;
        let mut r = Reader::new(&payload);
        let version = r.version()?;
        let actor = r.bytes()?;
        if actor.is_empty() || actor.len() > MAX_ACTOR_BYTES {
            return Err(ProtocolError::InvalidField { field: "actor" });
        }
        let actor = actor.to_vec();
        let max_response_bytes = u32::try_from(r.varint()?).unwrap_or(u32::MAX);
        let push_upto = r.varint()?;
        let grid_count = r.count(17)?;
        within(grid_count, "grids", MAX_GRIDS_PER_REQUEST)?;
        let mut grids = Vec::with_capacity(grid_count);
        let mut named = HashSet::with_capacity(grid_count);
        for _ in 0..grid_count {
            let grid_id = r.grid_id()?;
            if !named.insert(grid_id.clone()) {
                return Err(ProtocolError::Duplicate { field: "grid_id" });
            }
            let cursor = r.varint()?;
            let resume_after = r.optional_doc_id("resume_after")?;
            // A bootstrap resumes after a document of the same grid.
            if let Some(after) = &resume_after
                && DocId::parse(after).is_none_or(|(_, _, grid)| grid != grid_id)
            {
                return Err(ProtocolError::InvalidField {
                    field: "resume_after",
                });
            }
            grids.push(GridCursor {
                grid_id,
                cursor,
                resume_after,
            });
        }
        let push_count = r.count(2)?;
        within(push_count, "changes", MAX_CHANGES_PER_REQUEST)?;
        let mut push = Vec::with_capacity(push_count);
        let mut docs = HashSet::new();
        for _ in 0..push_count {
            let doc_id = r
                .optional_doc_id("doc_id")?
                .ok_or(ProtocolError::InvalidField { field: "doc_id" })?;
            if !docs.contains(&doc_id) {
                within(docs.len() + 1, "documents", MAX_DOCS_PER_REQUEST)?;
                docs.insert(doc_id.clone());
            }
            push.push(PushedChange {
                doc_id,
                bytes: r.bytes()?.to_vec(),
            });
        }
        r.finish()?;
        Ok(SyncRequest {
            version,
            actor,
            max_response_bytes,
            push_upto,
            grids,
            push,
        })
    }
}

impl SyncResponse {
    /// The response body, in [`SyncResponse::version`] (2 or 3) with an
    /// identity, version 1 without (the layout a version-1 phone reads).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        let version = if self.identity.is_some() {
            self.version.clamp(IDENTITY_VERSION, PROTOCOL_VERSION)
        } else {
            1
        };
        w.u8(version);
        w.varint(self.acked_upto);
        w.varint(self.grids.len() as u64);
        for page in &self.grids {
            w.grid_id(&page.grid_id);
            w.varint(page.cursor);
            w.string(page.resume_after.as_deref().unwrap_or(""));
            w.u8(u8::from(page.more));
            w.varint(page.chunks.len() as u64);
            for chunk in &page.chunks {
                w.string(&chunk.doc_id);
                w.u8(match chunk.kind {
                    ChunkKind::Change => 0,
                    ChunkKind::Snapshot => 1,
                });
                w.bytes(&chunk.bytes);
            }
        }
        if let Some(identity) = &self.identity {
            w.string(&identity.worker_id);
            w.string(&identity.name);
            w.string(&identity.role);
            if version >= PER_GRID_VERSION {
                w.u8(u8::from(identity.can_create_grids));
                w.varint(self.refused.len() as u64);
                for refused in &self.refused {
                    w.grid_id(&refused.grid_id);
                    w.u8(refused.reason.wire());
                }
                w.varint(self.teams.len() as u64);
                for team in &self.teams {
                    w.grid_id(&team.grid_id);
                    w.varint(team.workers.len() as u64);
                    for member in &team.workers {
                        w.string(&member.worker_id);
                        w.string(&member.name);
                        w.string(&member.role);
                    }
                }
            }
        }
        frame(b'R', w.0)
    }

    /// Decodes a response body; anything malformed is an error, never a panic.
    pub fn decode(body: &[u8]) -> Result<SyncResponse, ProtocolError> {
        let payload = unframe(b'R', body)?;
        let mut r = Reader::new(&payload);
        let version = r.version()?;
        let acked_upto = r.varint()?;
        let grid_count = r.count(20)?;
        let mut grids = Vec::with_capacity(grid_count);
        for _ in 0..grid_count {
            let grid_id = r.grid_id()?;
            let cursor = r.varint()?;
            let resume_after = r.optional_string()?;
            let more = match r.u8()? {
                0 => false,
                1 => true,
                _ => return Err(malformed("page flag")),
            };
            let chunk_count = r.count(3)?;
            let mut chunks = Vec::with_capacity(chunk_count);
            for _ in 0..chunk_count {
                let doc_id = r.string()?;
                let kind = match r.u8()? {
                    0 => ChunkKind::Change,
                    1 => ChunkKind::Snapshot,
                    _ => return Err(malformed("chunk kind")),
                };
                chunks.push(PulledChunk {
                    doc_id,
                    kind,
                    bytes: r.bytes()?.to_vec(),
                });
            }
            grids.push(GridPage {
                grid_id,
                cursor,
                resume_after,
                more,
                chunks,
            });
        }
        let mut identity = if version >= IDENTITY_VERSION {
            Some(VouchedIdentity {
                worker_id: r.string()?,
                name: r.string()?,
                role: r.string()?,
                can_create_grids: false,
            })
        } else {
            None
        };
        let mut refused = Vec::new();
        let mut teams = Vec::new();
        if version >= PER_GRID_VERSION {
            let can_create_grids = match r.u8()? {
                0 => false,
                1 => true,
                _ => return Err(malformed("permission flag")),
            };
            if let Some(identity) = identity.as_mut() {
                identity.can_create_grids = can_create_grids;
            }
            let count = r.count(17)?;
            within(count, "refused grids", MAX_GRIDS_PER_REQUEST)?;
            for _ in 0..count {
                let grid_id = r.grid_id()?;
                let reason =
                    GridRefusal::from_wire(r.u8()?).ok_or_else(|| malformed("refusal reason"))?;
                refused.push(RefusedGrid { grid_id, reason });
            }
            let count = r.count(17)?;
            for _ in 0..count {
                let grid_id = r.grid_id()?;
                let workers = r.count(3)?;
                let mut team = GridTeam {
                    grid_id,
                    workers: Vec::with_capacity(workers),
                };
                for _ in 0..workers {
                    team.workers.push(TeamMember {
                        worker_id: r.string()?,
                        name: r.string()?,
                        role: r.string()?,
                    });
                }
                teams.push(team);
            }
        }
        r.finish()?;
        Ok(SyncResponse {
            version,
            acked_upto,
            grids,
            identity,
            refused,
            teams,
        })
    }
}

fn malformed(what: &str) -> ProtocolError {
    ProtocolError::Malformed(what.to_string())
}

/// Refuses a count over its limit.
fn within(count: usize, what: &'static str, limit: usize) -> Result<(), ProtocolError> {
    if count > limit {
        return Err(ProtocolError::TooMany { what, limit });
    }
    Ok(())
}

/// Client-supplied text in a form safe for a log line or an error body: at
/// most [`SHOWN_TEXT_CHARS`] characters, control characters (newlines, ANSI
/// escapes, ...) and backslashes escaped as `\u{..}`, and `…` where it was
/// cut. Nothing the server logs needs it today (ids are checked against
/// their grammar first); it is for text that must be shown anyway.
pub fn escape_for_log(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == SHOWN_TEXT_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() || c == '\\' || is_invisible(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that are not control characters but reorder or hide text in a
/// terminal (bidirectional overrides, zero-width characters, line separators).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Adds the frame header, deflating the payload where that pays.
fn frame(kind: u8, payload: Vec<u8>) -> Vec<u8> {
    if payload.len() >= COMPRESS_FROM {
        let mut encoder = flate2::write::DeflateEncoder::new(
            Vec::with_capacity(payload.len() / 2 + 4),
            flate2::Compression::new(6),
        );
        encoder
            .get_mut()
            .extend_from_slice(&[b'G', b'B', kind, FLAG_DEFLATE]);
        let deflated = encoder.write_all(&payload).and_then(|()| encoder.finish());
        if let Ok(body) = deflated
            && body.len() - 4 <= payload.len() - payload.len() / 8
        {
            return body;
        }
    }
    let mut body = Vec::with_capacity(payload.len() + 4);
    body.extend_from_slice(&[b'G', b'B', kind, 0]);
    body.extend_from_slice(&payload);
    body
}

/// Checks the frame header and returns the (inflated) payload.
fn unframe(kind: u8, body: &[u8]) -> Result<Vec<u8>, ProtocolError> {
    let (header, payload) = body
        .split_at_checked(4)
        .ok_or_else(|| malformed("body shorter than its header"))?;
    if header[..2] != *b"GB" || header[2] != kind {
        return Err(malformed("not a Gridbook sync body of this kind"));
    }
    match header[3] {
        0 => Ok(payload.to_vec()),
        FLAG_DEFLATE => {
            let mut out = Vec::with_capacity(payload.len().saturating_mul(2));
            flate2::read::DeflateDecoder::new(payload)
                .take(MAX_INFLATED_BYTES as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|_| malformed("compressed body"))?;
            if out.len() > MAX_INFLATED_BYTES {
                return Err(ProtocolError::TooLarge {
                    what: "inflated body",
                    limit: MAX_INFLATED_BYTES,
                });
            }
            Ok(out)
        }
        _ => Err(malformed("unknown frame flags")),
    }
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, value: u8) {
        self.0.push(value);
    }
    fn varint(&mut self, mut value: u64) {
        loop {
            let low = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.0.push(low);
                return;
            }
            self.0.push(low | 0x80);
        }
    }
    fn bytes(&mut self, bytes: &[u8]) {
        self.varint(bytes.len() as u64);
        self.0.extend_from_slice(bytes);
    }
    fn string(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }
    /// A UUID as its 16 bytes; anything else (never produced by a store) as zeros,
    /// which the receiver refuses as an unknown grid.
    fn grid_id(&mut self, grid_id: &str) {
        let bytes = uuid::Uuid::parse_str(grid_id)
            .map(|u| *u.as_bytes())
            .unwrap_or_default();
        self.0.extend_from_slice(&bytes);
    }
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], ProtocolError> {
        let (head, rest) = self
            .rest
            .split_at_checked(n)
            .ok_or_else(|| malformed("truncated"))?;
        self.rest = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, ProtocolError> {
        Ok(self.take(1)?[0])
    }
    fn varint(&mut self) -> Result<u64, ProtocolError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(malformed("varint overflow"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(malformed("varint too long"))
    }
    /// A count of items, each at least `min_item_bytes` long: never more than the bytes left allow.
    fn count(&mut self, min_item_bytes: usize) -> Result<usize, ProtocolError> {
        let count = usize::try_from(self.varint()?).map_err(|_| malformed("count"))?;
        if count > self.rest.len() / min_item_bytes.max(1) {
            return Err(malformed("count larger than the body"));
        }
        Ok(count)
    }
    fn bytes(&mut self) -> Result<&'a [u8], ProtocolError> {
        let len = usize::try_from(self.varint()?).map_err(|_| malformed("length"))?;
        self.take(len)
    }
    fn string(&mut self) -> Result<String, ProtocolError> {
        std::str::from_utf8(self.bytes()?)
            .map(str::to_string)
            .map_err(|_| malformed("text is not UTF-8"))
    }
    fn optional_string(&mut self) -> Result<Option<String>, ProtocolError> {
        let text = self.string()?;
        Ok((!text.is_empty()).then_some(text))
    }
    /// A document id (empty: none), held to its grammar: its length is
    /// checked before its bytes are read, then it must name a document.
    fn optional_doc_id(&mut self, field: &'static str) -> Result<Option<String>, ProtocolError> {
        let len = usize::try_from(self.varint()?).map_err(|_| malformed("length"))?;
        if len > MAX_DOC_ID_BYTES {
            return Err(ProtocolError::InvalidField { field });
        }
        if len == 0 {
            return Ok(None);
        }
        let text = std::str::from_utf8(self.take(len)?)
            .map_err(|_| ProtocolError::InvalidField { field })?;
        match DocId::parse(text) {
            Some((doc_id, _, _)) => Ok(Some(doc_id.as_str().to_string())),
            None => Err(ProtocolError::InvalidField { field }),
        }
    }
    fn grid_id(&mut self) -> Result<String, ProtocolError> {
        let bytes: [u8; 16] = self
            .take(16)?
            .try_into()
            .map_err(|_| malformed("grid id"))?;
        Ok(uuid::Uuid::from_bytes(bytes).hyphenated().to_string())
    }
    fn version(&mut self) -> Result<u8, ProtocolError> {
        match self.u8()? {
            version @ 1..=PROTOCOL_VERSION => Ok(version),
            other => Err(ProtocolError::UnsupportedVersion(other)),
        }
    }
    fn finish(&self) -> Result<(), ProtocolError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(malformed("trailing bytes"))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const GRID: &str = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

    fn request(push: usize) -> SyncRequest {
        SyncRequest {
            version: PROTOCOL_VERSION,
            actor: vec![7; 16],
            max_response_bytes: 4 << 20,
            push_upto: 42,
            grids: vec![GridCursor {
                grid_id: GRID.into(),
                cursor: 300,
                resume_after: None,
            }],
            push: (0..push)
                .map(|i| PushedChange {
                    doc_id: format!("visits/{GRID}/2026Q4"),
                    bytes: vec![u8::try_from(i % 251).unwrap_or(0); 200],
                })
                .collect(),
        }
    }

    #[test]
    fn request_round_trips_and_idle_is_small() {
        let idle = request(0);
        let body = idle.encode();
        assert_eq!(body.len(), 4 + 1 + 17 + 4 + 1 + 1 + 16 + 2 + 1 + 1);
        assert_eq!(SyncRequest::decode(&body).ok(), Some(idle));
        let busy = request(60);
        let body = busy.encode();
        assert_eq!(body[3], FLAG_DEFLATE, "a repetitive push is compressed");
        assert_eq!(SyncRequest::decode(&body).ok(), Some(busy));
    }

    #[test]
    fn response_round_trips() {
        let response = SyncResponse {
            acked_upto: 9,
            grids: vec![GridPage {
                grid_id: GRID.into(),
                cursor: 1_000_000,
                resume_after: Some(format!("roster/{GRID}")),
                more: true,
                chunks: vec![
                    PulledChunk {
                        doc_id: format!("roster/{GRID}"),
                        kind: ChunkKind::Snapshot,
                        bytes: vec![1, 2, 3],
                    },
                    PulledChunk {
                        doc_id: format!("patrol/{GRID}/2025Q1"),
                        kind: ChunkKind::Change,
                        bytes: vec![],
                    },
                ],
            }],
            identity: Some(VouchedIdentity {
                worker_id: "w-wangfang".into(),
                name: "王芳".into(),
                role: "grid_head".into(),
                can_create_grids: true,
            }),
            refused: vec![RefusedGrid {
                grid_id: "00000000-0000-4000-8000-000000000001".into(),
                reason: GridRefusal::MayNotCreate,
            }],
            teams: vec![GridTeam {
                grid_id: GRID.into(),
                workers: vec![TeamMember {
                    worker_id: "w-zhaolei".into(),
                    name: "赵磊".into(),
                    role: "assistant".into(),
                }],
            }],
            ..SyncResponse::default()
        };
        let body = response.encode();
        assert_eq!(body[4], PER_GRID_VERSION);
        assert_eq!(SyncResponse::decode(&body).ok(), Some(response.clone()));
        for len in 5..body.len() {
            assert!(SyncResponse::decode(&body[..len]).is_err(), "cut at {len}");
        }
        // A reason byte this build does not know is malformed, not guessed:
        // without teams, the reason is the byte before the team count.
        let mut unknown = SyncResponse {
            teams: vec![],
            ..response
        }
        .encode();
        let reason_at = unknown.len() - 2;
        assert_eq!(unknown[reason_at], GridRefusal::MayNotCreate.wire());
        unknown[reason_at] = 9;
        assert!(matches!(
            SyncResponse::decode(&unknown),
            Err(ProtocolError::Malformed(_))
        ));
        let idle = SyncResponse {
            acked_upto: 0,
            grids: vec![GridPage {
                grid_id: GRID.into(),
                cursor: 300,
                ..GridPage::default()
            }],
            ..SyncResponse::default()
        };
        assert_eq!(idle.encode().len(), 4 + 1 + 1 + 1 + 16 + 2 + 1 + 1 + 1);
        assert_eq!(idle.encode()[4], 1, "without an identity: version 1");
    }

    #[test]
    fn every_truncation_and_wrong_header_is_an_error() {
        let body = request(3).encode();
        for cut in 0..body.len() {
            assert!(SyncRequest::decode(&body[..cut]).is_err(), "cut at {cut}");
        }
        assert!(
            SyncResponse::decode(&body).is_err(),
            "a request is not a response"
        );
        let mut extra = body.clone();
        extra.push(0);
        assert!(matches!(
            SyncRequest::decode(&extra),
            Err(ProtocolError::Malformed(_))
        ));
        let mut future = request(0).encode();
        future[4] = PROTOCOL_VERSION + 1;
        assert!(matches!(
            SyncRequest::decode(&future),
            Err(ProtocolError::UnsupportedVersion(v)) if v == PROTOCOL_VERSION + 1
        ));
        future[4] = 0;
        assert!(matches!(
            SyncRequest::decode(&future),
            Err(ProtocolError::UnsupportedVersion(0))
        ));
    }

    #[test]
    fn version_one_is_still_read_and_answered_in_kind() {
        // A phone that was not updated writes version 1; the server reads it
        // and answers without the identity, which that phone can read.
        let old = SyncRequest {
            version: 1,
            ..request(2)
        };
        let decoded = SyncRequest::decode(&old.encode()).unwrap();
        assert_eq!(decoded.version, 1);
        assert_eq!(decoded, old);
        let answer = SyncResponse {
            version: 1,
            acked_upto: 3,
            ..SyncResponse::default()
        };
        let body = answer.encode();
        assert_eq!(body[4], 1);
        assert_eq!(SyncResponse::decode(&body).unwrap(), answer);
    }

    #[test]
    fn a_version_two_response_without_its_identity_is_malformed() {
        let with = SyncResponse {
            version: 2,
            identity: Some(VouchedIdentity {
                worker_id: "w1".into(),
                name: "王芳".into(),
                role: "assistant".into(),
                can_create_grids: false,
            }),
            ..SyncResponse::default()
        };
        let body = with.encode();
        assert_eq!(body[4], 2);
        assert_eq!(SyncResponse::decode(&body).unwrap(), with);
        // The same payload relabelled version 2 but cut before the identity.
        let without = SyncResponse {
            identity: None,
            ..with.clone()
        };
        let mut cut = without.encode();
        cut[4] = 2;
        assert!(matches!(
            SyncResponse::decode(&cut),
            Err(ProtocolError::Malformed(_))
        ));
        for len in 5..body.len() {
            assert!(SyncResponse::decode(&body[..len]).is_err(), "cut at {len}");
        }
    }

    #[test]
    fn huge_counts_and_inflation_bombs_are_refused() {
        let mut w = Writer::default();
        w.u8(PROTOCOL_VERSION);
        w.bytes(&[1; 16]);
        w.varint(1);
        w.varint(1);
        w.varint(u64::MAX / 2);
        assert!(SyncRequest::decode(&frame(b'Q', w.0)).is_err());

        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..65 {
            assert!(encoder.write_all(&zeros).is_ok());
        }
        let mut bomb = vec![b'G', b'B', b'Q', FLAG_DEFLATE];
        bomb.extend(encoder.finish().unwrap_or_default());
        assert!(matches!(
            SyncRequest::decode(&bomb),
            Err(ProtocolError::TooLarge { .. })
        ));
    }
}
