//! The change-set file format: moving changes between replicas as files,
//! with [`Store::export_since`] and [`Store::import`]. This is a codec only;
//! merging what it decodes is the store's (`store/merge.rs`), the same merge
//! the sync protocol uses.
//!
//! A change set is a small framed container:
//!
//! ```text
//! "GBCS" version:u8=2 count:u32le
//! count × { doc_id_len:u16le doc_id:utf8 kind:u8 (0 change, 1 snapshot) len:u32le bytes }
//! crc32:u32le   over everything before it
//! ```
//!
//! The CRC catches a damaged file whose damage still parses (a flipped
//! character in a document id names another valid document). Import decodes
//! and checks the whole set before it touches any document, then applies it
//! in one SQLite transaction: a malformed set changes nothing. Changes
//! already known are skipped, so importing twice is harmless. To add a chunk
//! kind, give it the next `kind` byte and bump the version; older builds
//! refuse sets with a version they do not know.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::merge::{ImportReport, Parsed, merge_parsed, parse_chunk};

const MAGIC: &[u8; 4] = b"GBCS";
const VERSION: u8 = 2;
/// The largest change set [`Store::import`] accepts.
pub const MAX_CHANGE_SET_BYTES: usize = 64 * 1024 * 1024;

/// Changes exported from a store, with the cursor to export from next time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ChangeSet {
    /// The encoded change set, for `Store.importChanges` on another replica.
    pub bytes: Vec<u8>,
    /// Pass this to the next `Store.exportSince` to get only newer changes.
    pub cursor: i64,
    /// How many chunks (changes or snapshots) the set holds.
    pub chunks: i64,
}

fn malformed(what: &str) -> Error {
    Error::MalformedChanges(what.to_string())
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(malformed("truncated"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }
    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn decode(bytes: &[u8]) -> Result<Vec<Parsed>> {
    if bytes.len() > MAX_CHANGE_SET_BYTES {
        return Err(malformed("change set too large"));
    }
    let (bytes, trailer) = bytes
        .split_last_chunk::<4>()
        .ok_or_else(|| malformed("truncated"))?;
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    if crc.sum() != u32::from_le_bytes(*trailer) {
        return Err(malformed("checksum mismatch: the change set is damaged"));
    }
    let mut reader = Reader { bytes };
    if reader.take(4)? != MAGIC {
        return Err(malformed("not a Gridbook change set"));
    }
    if reader.u8()? != VERSION {
        return Err(malformed("unsupported change set version"));
    }
    let count = reader.u32()?;
    let mut parsed = Vec::new();
    for _ in 0..count {
        let id_len = usize::from(reader.u16()?);
        let doc_id = std::str::from_utf8(reader.take(id_len)?)
            .map_err(|_| malformed("document id is not UTF-8"))?;
        let chunk_kind = reader.u8()?;
        let len = usize::try_from(reader.u32()?).map_err(|_| malformed("length"))?;
        parsed.push(parse_chunk(doc_id, chunk_kind == 1, reader.take(len)?)?);
        if chunk_kind > 1 {
            return Err(malformed("unknown chunk kind"));
        }
    }
    if !reader.bytes.is_empty() {
        return Err(malformed("trailing bytes"));
    }
    Ok(parsed)
}

fn encode(chunks: &[(String, i64, Vec<u8>)]) -> Result<Vec<u8>> {
    let size: usize = chunks.iter().map(|(id, _, b)| id.len() + b.len() + 7).sum();
    let mut out = Vec::with_capacity(size + 9);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    let count = u32::try_from(chunks.len()).map_err(|_| malformed("too many chunks"))?;
    out.extend_from_slice(&count.to_le_bytes());
    for (doc_id, kind, bytes) in chunks {
        let id_len = u16::try_from(doc_id.len()).map_err(|_| malformed("document id too long"))?;
        out.extend_from_slice(&id_len.to_le_bytes());
        out.extend_from_slice(doc_id.as_bytes());
        out.push(u8::from(*kind == 1));
        let len = u32::try_from(bytes.len()).map_err(|_| malformed("chunk too large"))?;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(bytes);
    }
    let mut crc = flate2::Crc::new();
    crc.update(&out);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    Ok(out)
}

impl Store {
    /// Every change stored after `cursor` (0 for everything), as one change set.
    /// Where a document was compacted since, its snapshot is sent instead.
    pub fn export_since(&self, cursor: i64) -> Result<ChangeSet> {
        if cursor < 0 {
            return Err(Error::invalid(
                "cursor",
                crate::validate::InvalidReason::OutOfRange,
            ));
        }
        let from = cursor;
        let rows: Vec<(i64, String, i64, Vec<u8>)> = self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT seq, doc_id, kind, bytes FROM chunks WHERE seq > ?1 ORDER BY seq",
                )?
                .query_map([from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?)
        })?;
        let next = rows.last().map(|(seq, ..)| *seq).unwrap_or(from);
        let chunks: Vec<(String, i64, Vec<u8>)> =
            rows.into_iter().map(|(_, d, k, b)| (d, k, b)).collect();
        Ok(ChangeSet {
            bytes: encode(&chunks)?,
            cursor: next,
            chunks: i64::try_from(chunks.len()).unwrap_or(i64::MAX),
        })
    }

    /// Merges a change set from another replica. The whole set is decoded and
    /// checked first; a malformed set returns [`Error::MalformedChanges`] and
    /// changes nothing.
    ///
    /// Two workers change the same phone number offline; after exchanging
    /// change sets both see the same value, and the other one is kept for
    /// review:
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use gridbook::codes::*;
    /// use gridbook::*;
    /// let dir = tempfile::tempdir()?;
    /// let worker = |id: &str| WorkerIdentity {
    ///     worker_id: id.into(),
    ///     name: id.into(),
    ///     role: WorkerRole::Assistant,
    ///     device_label: format!("{id}'s phone"),
    /// };
    /// let a = Store::open(dir.path().join("a.db"), worker("a"))?;
    /// let b = Store::open(dir.path().join("b.db"), worker("b"))?;
    ///
    /// let grid = a.create_grid(GridInput {
    ///     code: "330106001001001".into(), name: "文新一网格".into(),
    ///     community: None, street: None, boundary: None,
    /// })?;
    /// let building = a.create_building(&grid, BuildingInput {
    ///     number: "3栋".into(), estate: None, units: 2, floors: 6, location: None,
    /// })?;
    /// let household = a.create_household(HouseholdInput {
    ///     building_id: building, unit: "1".into(), floor: 5, room: "502".into(),
    ///     use_kind: DwellingUse::OwnerOccupied, tags: vec![], location: None, notes: None,
    /// })?;
    /// let mut input = ResidentInput {
    ///     household_id: household, name: "张秀英".into(), gender: Gender::Female,
    ///     birth_date: None, id_number: None, phones: vec!["13800138000".into()],
    ///     relation: "02".into(), registration: Registration::Local,
    ///     residence_state: ResidenceState::Consistent, care: vec![], moved_in: None,
    /// };
    /// let resident = a.create_resident(input.clone())?;
    /// b.import(&a.export_since(0)?.bytes)?;
    ///
    /// input.phones = vec!["13911112222".into()];
    /// a.update_resident(&resident, input.clone())?;
    /// input.phones = vec!["13933334444".into()];
    /// b.update_resident(&resident, input)?;
    ///
    /// b.import(&a.export_since(0)?.bytes)?;
    /// a.import(&b.export_since(0)?.bytes)?;
    /// assert_eq!(a.resident(&resident)?.phones, b.resident(&resident)?.phones);
    /// let conflicts = a.conflicts(&grid)?;
    /// assert_eq!(conflicts.len(), 1);
    /// assert_eq!(conflicts[0].field, "phones");
    /// assert_eq!(conflicts[0].values.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn import(&self, bytes: &[u8]) -> Result<ImportReport> {
        let parsed = decode(bytes).inspect_err(|error| {
            tracing::warn!(%error, bytes = bytes.len(), "change set refused");
        })?;
        let report = self.write(|edit| merge_parsed(edit, parsed))?;
        tracing::info!(
            new_changes = report.new_changes,
            records_updated = report.records_updated,
            "change set merged"
        );
        Ok(report)
    }
}
