//! Photos inside the store: the bytes `photos::prepare_photo` returns,
//! kept in the encrypted file (the SQLCipher key covers them; no image file
//! is ever written beside it), each with the state of its upload.
//!
//! Photos are device-local state, like the outbox, not CRDT documents: a
//! record references a photo by its id (the SHA-256 of its bytes) and that
//! record syncs through the change log, while the bytes travel on their own.
//! Tables `photos` (one row per photo: grid, type, size, origin, read time,
//! upload state) and `photo_bytes` (the bytes), migration 6; a rebuild of
//! the query tables never touches them.
//!
//! The upload state of a photo attached here ([`Store::add_photo`]) starts
//! as `waiting`; the uploader's reports move it:
//!
//! | state now                     | progress(n)    | failed(reason)   | uploaded   |
//! |-------------------------------|----------------|------------------|------------|
//! | waiting, uploading, failed    | uploading(n)   | failed(reason)   | uploaded   |
//! | uploaded, not ours            | unchanged      | unchanged        | unchanged  |
//!
//! `uploaded` is final: a late progress or failure report of an uploader
//! racing itself leaves it as it is, so every hook is idempotent. A photo
//! received from the server ([`Store::store_downloaded_photo`]) is
//! [`PhotoUpload::NotOurs`], and the hooks leave it alone too.
//!
//! The cache: every photo the server holds a verified copy of (downloaded,
//! or attached here and uploaded) may be dropped from the phone, because it
//! can be downloaded again. Whenever a photo enters that set (a download
//! stored, an upload confirmed), the store drops those least recently read
//! until their total is within [`OpenOptions::photo_cache_bytes`](super::OpenOptions::photo_cache_bytes),
//! never the photo that just entered. A photo attached here and not yet
//! uploaded is never dropped: the phone holds its only copy.
//!
//! Every change to a photo's row is noted for the listeners as a
//! `RecordKind::Photo` in its grid (the live query `LiveQuery::Photos`);
//! reading a photo, which only moves its read time, is not.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Edit, Store};
use crate::code_list::{CodeList, code_enum};
use crate::error::{Error, FieldCheck, Result};
use crate::kinds::RecordKind;
use crate::photos::{PhotoType, prepare_photo, verify_photo};
use crate::validate::{self, InvalidReason};
use crate::values::now_ms;

/// The default limit of the photo cache: 200 MiB.
pub const DEFAULT_PHOTO_CACHE_BYTES: u64 = 200 * 1024 * 1024;
/// The largest per-photo cap a store accepts: far above any camera's
/// output, and below SQLite's limit on one value (about 1 GB).
pub const MAX_PHOTO_LIMIT_BYTES: u64 = 256 * 1024 * 1024;
/// The longest failure reason kept, in characters.
const MAX_REASON_CHARS: usize = 500;

/// The field errors about a photo's bytes name.
const BYTES_FIELD: &str = "photo";

code_enum!(
    /// Where a stored photo came from.
    PhotoOrigin, fallback Local, {
        /// Attached on this phone (`addPhoto`): this phone uploads it.
        Local = "local", "本机";
        /// Received from the server, downloaded on demand.
        Downloaded = "downloaded", "已下载";
    }
);

/// Where a photo's upload to the server stands, for the app to show.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PhotoUpload {
    /// Attached here, not yet sent.
    Waiting,
    /// Being sent; the server has acknowledged `sentBytes` of it.
    Uploading {
        /// The bytes the server has acknowledged: where the upload resumes.
        sent_bytes: i64,
    },
    /// The server holds it and checked its hash.
    Uploaded,
    /// The last attempt failed; the uploader tries again later.
    Failed {
        /// Why, as the uploader reported it.
        reason: String,
        /// The bytes the server had acknowledged before it failed.
        sent_bytes: i64,
    },
    /// Received from the server: another phone's to upload.
    NotOurs,
}

/// A stored photo without its bytes (`photo(photoId)` reads those).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhotoInfo {
    /// The lowercase hex SHA-256 of its bytes: what records reference.
    pub id: String,
    /// The grid it was attached or downloaded in.
    pub grid_id: String,
    /// Its type, by magic number.
    pub photo_type: PhotoType,
    /// Its size in bytes, as stored.
    pub size_bytes: i64,
    /// Attached here or downloaded.
    pub origin: PhotoOrigin,
    /// Where its upload stands.
    pub upload: PhotoUpload,
}

/// Whether `id` has the shape of a photo id: 64 lowercase hex digits.
pub(crate) fn is_photo_id(id: &str) -> bool {
    id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Fails with [`Error::NotFound`] unless this store holds the photo `id`,
/// so a record cannot name a photo that was never attached.
pub(crate) fn require_photo(conn: &Connection, id: &str) -> Result<()> {
    let known = conn
        .prepare_cached("SELECT 1 FROM photos WHERE id = ?1")?
        .exists([id])?;
    if known {
        Ok(())
    } else {
        Err(Error::not_found(RecordKind::Photo, id))
    }
}

/// The stored code of a photo type.
fn type_code(photo_type: PhotoType) -> &'static str {
    match photo_type {
        PhotoType::Jpeg => "jpeg",
        PhotoType::Png => "png",
        PhotoType::Heic => "heic",
        PhotoType::Webp => "webp",
    }
}

/// The photo type of a stored code (the table's CHECK allows no other).
fn parse_type(code: &str) -> Option<PhotoType> {
    [
        PhotoType::Jpeg,
        PhotoType::Png,
        PhotoType::Heic,
        PhotoType::Webp,
    ]
    .into_iter()
    .find(|t| type_code(*t) == code)
}

/// An id argument: a malformed one is refused before any lookup.
fn check_id(id: &str) -> Result<()> {
    if is_photo_id(id) {
        Ok(())
    } else {
        Err(Error::invalid("id", InvalidReason::PhotoId))
    }
}

/// A length as the `i64` the table and the API keep.
fn signed(len: usize) -> Result<i64> {
    i64::try_from(len).map_err(|_| Error::invalid(BYTES_FIELD, InvalidReason::OutOfRange))
}

/// The columns [`read_info`] reads, in its order.
const INFO_COLUMNS: &str = "id, grid_id, photo_type, size, origin, upload, uploaded_bytes, failure";

/// One `photos` row selected with [`INFO_COLUMNS`].
fn read_info(row: &rusqlite::Row) -> rusqlite::Result<PhotoInfo> {
    let code: String = row.get(2)?;
    let photo_type = parse_type(&code).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            2,
            rusqlite::types::Type::Text,
            "unknown photo type".into(),
        )
    })?;
    let origin: String = row.get(4)?;
    let origin = PhotoOrigin::from_code_or_default(Some(&origin));
    let state: String = row.get(5)?;
    let sent_bytes: i64 = row.get(6)?;
    let upload = match (origin, state.as_str()) {
        (PhotoOrigin::Downloaded, _) => PhotoUpload::NotOurs,
        (_, "uploading") => PhotoUpload::Uploading { sent_bytes },
        (_, "uploaded") => PhotoUpload::Uploaded,
        (_, "failed") => PhotoUpload::Failed {
            reason: row.get::<_, Option<String>>(7)?.unwrap_or_default(),
            sent_bytes,
        },
        _ => PhotoUpload::Waiting,
    };
    Ok(PhotoInfo {
        id: row.get(0)?,
        grid_id: row.get(1)?,
        photo_type,
        size_bytes: row.get(3)?,
        origin,
        upload,
    })
}

/// The photo `id`'s row, if the store holds it.
fn info_of(conn: &Connection, id: &str) -> Result<Option<PhotoInfo>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {INFO_COLUMNS} FROM photos WHERE id = ?1"))?
        .query_row([id], read_info)
        .optional()?)
}

/// The photo `id`'s row, or [`Error::NotFound`].
fn existing(conn: &Connection, id: &str) -> Result<PhotoInfo> {
    info_of(conn, id)?.ok_or_else(|| Error::not_found(RecordKind::Photo, id))
}

/// The read time to stamp now: the wall clock, but always later than every
/// stamp so far, so the cache's order is the order of the reads even when
/// two fall in one millisecond or the phone's clock is set back.
fn read_clock(conn: &Connection) -> Result<i64> {
    let latest: Option<i64> = conn
        .prepare_cached("SELECT max(last_read_at_ms) FROM photos")?
        .query_row([], |r| r.get(0))?;
    Ok(latest.map_or(now_ms(), |latest| now_ms().max(latest.saturating_add(1))))
}

/// Drops cached photos (those the server holds: `upload = 'uploaded'`),
/// least recently read first, until their total is at most `limit` bytes;
/// `keep`, which just entered the cache, is never dropped. Notes each
/// photo dropped for the listeners.
fn evict(edit: &Edit, limit: i64, keep: &str) -> Result<()> {
    let conn: &Connection = edit.tx;
    let mut total: i64 = conn
        .prepare_cached("SELECT coalesce(sum(size), 0) FROM photos WHERE upload = 'uploaded'")?
        .query_row([], |r| r.get(0))?;
    if total <= limit {
        return Ok(());
    }
    let candidates: Vec<(String, i64, String)> = conn
        .prepare_cached(
            "SELECT id, size, grid_id FROM photos WHERE upload = 'uploaded' AND id != ?1
             ORDER BY last_read_at_ms, id",
        )?
        .query_map([keep], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, size, grid_id) in candidates {
        if total <= limit {
            break;
        }
        conn.prepare_cached("DELETE FROM photo_bytes WHERE id = ?1")?
            .execute([&id])?;
        conn.prepare_cached("DELETE FROM photos WHERE id = ?1")?
            .execute([&id])?;
        total = total.saturating_sub(size);
        edit.note_record(RecordKind::Photo, &grid_id, &id);
    }
    Ok(())
}

/// Inserts a photo's row and bytes.
fn insert(
    edit: &Edit,
    id: &str,
    grid_id: &str,
    photo_type: PhotoType,
    bytes: &[u8],
    origin: PhotoOrigin,
) -> Result<()> {
    let conn: &Connection = edit.tx;
    let size = signed(bytes.len())?;
    let now = now_ms();
    let read_at = read_clock(conn)?;
    // A download is in the cache at once: the server holds it.
    let (upload, uploaded_bytes) = match origin {
        PhotoOrigin::Local => ("waiting", 0),
        PhotoOrigin::Downloaded => ("uploaded", size),
    };
    conn.prepare_cached(
        "INSERT INTO photos (id, grid_id, photo_type, size, origin, added_at_ms,
             last_read_at_ms, upload, uploaded_bytes, failure, upload_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, ?6)",
    )?
    .execute(params![
        id,
        grid_id,
        type_code(photo_type),
        size,
        origin.code(),
        now,
        read_at,
        upload,
        uploaded_bytes,
    ])?;
    conn.prepare_cached("INSERT INTO photo_bytes (id, bytes) VALUES (?1, ?2)")?
        .execute(params![id, bytes])?;
    edit.note_record(RecordKind::Photo, grid_id, id);
    Ok(())
}

impl Store {
    /// The cache limit as the signed total the table sums to.
    fn photo_cache_limit(&self) -> i64 {
        i64::try_from(self.options.photo_cache_bytes).unwrap_or(i64::MAX)
    }

    /// Attaches a photo in a grid: prepares the bytes as given
    /// ([`prepare_photo`] with [`OpenOptions::photo_limits`](super::OpenOptions::photo_limits):
    /// the cap, the type, the identifying metadata stripped) and stores the
    /// result, waiting for its upload. Returns its id and state; records
    /// reference the photo by that id.
    ///
    /// Idempotent: a photo the store already holds (the same prepared
    /// bytes) is returned as it stands and nothing changes, even when it was
    /// attached in another grid or downloaded.
    ///
    /// Errors: those of [`prepare_photo`] (field `photo`), and
    /// [`Error::NotFound`] for a grid the store does not hold (a
    /// department's store holds its grids' events only, and attaches the
    /// photos of its steps there); nothing is written.
    pub fn add_photo(&self, grid_id: &str, bytes: &[u8]) -> Result<PhotoInfo> {
        let prepared = prepare_photo(bytes, &self.options.photo_limits)?;
        self.write(|edit| {
            require_synced_grid(edit.tx, grid_id)?;
            if let Some(info) = info_of(edit.tx, &prepared.id)? {
                return Ok(info);
            }
            insert(
                edit,
                &prepared.id,
                grid_id,
                prepared.photo_type,
                &prepared.bytes,
                PhotoOrigin::Local,
            )?;
            existing(edit.tx, &prepared.id)
        })
    }

    /// The bytes of the photo `id`, checked against its id, and notes the
    /// read for the cache's order.
    ///
    /// Errors: [`Error::NotFound`] when the store does not hold it (never
    /// attached here, not downloaded yet, or dropped from the cache: ask the
    /// server); [`InvalidReason::PhotoHashMismatch`] (field `photo`) when the
    /// stored bytes no longer hash to the id.
    pub fn photo(&self, id: &str) -> Result<Vec<u8>> {
        check_id(id)?;
        let bytes: Vec<u8> = self.read(|conn| {
            conn.prepare_cached("SELECT bytes FROM photo_bytes WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::not_found(RecordKind::Photo, id))
        })?;
        // Read outside the writer lock: hashing 5 MB must not hold up edits.
        verify_photo(id, &bytes)?;
        self.write(|edit| {
            let read_at = read_clock(edit.tx)?;
            edit.tx
                .prepare_cached("UPDATE photos SET last_read_at_ms = ?2 WHERE id = ?1")?
                .execute(params![id, read_at])?;
            Ok(())
        })?;
        Ok(bytes)
    }

    /// The photo `id` without its bytes; [`Error::NotFound`] when the store
    /// does not hold it.
    pub fn photo_info(&self, id: &str) -> Result<PhotoInfo> {
        check_id(id)?;
        self.read(|conn| existing(conn, id))
    }

    /// The photos this store holds in a grid, oldest first, with where
    /// their uploads stand (empty for a grid it does not know).
    pub fn photo_states(&self, grid_id: &str) -> Result<Vec<PhotoInfo>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {INFO_COLUMNS} FROM photos WHERE grid_id = ?1
                     ORDER BY added_at_ms, id"
                ))?
                .query_map([grid_id], read_info)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The photos attached here that the server does not hold yet, at most
    /// `limit`: those being uploaded first (to resume them), then the
    /// waiting ones, then the failed ones, each oldest first. For the
    /// uploader, which sends a photo only once the change that references
    /// it has been pushed. A negative `limit` is [`InvalidReason::OutOfRange`].
    pub fn photos_to_upload(&self, limit: i64) -> Result<Vec<PhotoInfo>> {
        if limit < 0 {
            return Err(Error::invalid("limit", InvalidReason::OutOfRange));
        }
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {INFO_COLUMNS} FROM photos
                     WHERE origin = 'local' AND upload != 'uploaded'
                     ORDER BY CASE upload WHEN 'uploading' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END,
                              added_at_ms, id
                     LIMIT ?1"
                ))?
                .query_map([limit], read_info)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The uploader's report that the server has acknowledged `sent_bytes`
    /// of the photo `id` (0 to its size; it may go down when the server
    /// kept less than was sent): the photo is `uploading` from there.
    /// An uploaded or downloaded photo stays as it is.
    ///
    /// Errors: [`Error::NotFound`]; [`InvalidReason::OutOfRange`] (field
    /// `sent_bytes`) outside 0 to the photo's size, writing nothing.
    pub fn mark_upload_progress(&self, id: &str, sent_bytes: i64) -> Result<PhotoInfo> {
        check_id(id)?;
        self.write(|edit| {
            let info = existing(edit.tx, id)?;
            if !(0..=info.size_bytes).contains(&sent_bytes) {
                return Err(Error::invalid("sent_bytes", InvalidReason::OutOfRange));
            }
            let changed = edit
                .tx
                .prepare_cached(
                    "UPDATE photos SET upload = 'uploading', uploaded_bytes = ?2, failure = NULL,
                         upload_at_ms = ?3
                     WHERE id = ?1 AND origin = 'local' AND upload != 'uploaded'",
                )?
                .execute(params![id, sent_bytes, now_ms()])?;
            if changed > 0 {
                edit.note_record(RecordKind::Photo, &info.grid_id, id);
            }
            existing(edit.tx, id)
        })
    }

    /// The uploader's report that the server holds the photo `id` and
    /// checked its hash: it is `uploaded`, for good, and joins the cache
    /// (which may drop other photos, see the module docs; never this one).
    /// [`Error::NotFound`] if the store does not hold it.
    pub fn mark_uploaded(&self, id: &str) -> Result<PhotoInfo> {
        check_id(id)?;
        let limit = self.photo_cache_limit();
        self.write(|edit| {
            let info = existing(edit.tx, id)?;
            let changed = edit
                .tx
                .prepare_cached(
                    "UPDATE photos SET upload = 'uploaded', uploaded_bytes = size, failure = NULL,
                         upload_at_ms = ?2
                     WHERE id = ?1 AND origin = 'local' AND upload != 'uploaded'",
                )?
                .execute(params![id, now_ms()])?;
            if changed > 0 {
                edit.note_record(RecordKind::Photo, &info.grid_id, id);
                evict(edit, limit, id)?;
            }
            existing(edit.tx, id)
        })
    }

    /// The uploader's report that sending the photo `id` failed, with a
    /// reason the app can show (at most 500 characters, no control
    /// characters): it is `failed` until the next attempt reports progress.
    /// An uploaded or downloaded photo stays as it is.
    ///
    /// Errors: [`Error::NotFound`]; [`Error::Invalid`] naming `reason`.
    pub fn mark_upload_failed(&self, id: &str, reason: &str) -> Result<PhotoInfo> {
        check_id(id)?;
        let reason = validate::text(reason, MAX_REASON_CHARS).field("reason")?;
        self.write(|edit| {
            let info = existing(edit.tx, id)?;
            let changed = edit
                .tx
                .prepare_cached(
                    "UPDATE photos SET upload = 'failed', failure = ?2, upload_at_ms = ?3
                     WHERE id = ?1 AND origin = 'local' AND upload != 'uploaded'",
                )?
                .execute(params![id, reason, now_ms()])?;
            if changed > 0 {
                edit.note_record(RecordKind::Photo, &info.grid_id, id);
            }
            existing(edit.tx, id)
        })
    }

    /// Stores a photo received from the server under its id, in a grid
    /// this store knows, and drops cached photos least recently read until
    /// the cache is within [`OpenOptions::photo_cache_bytes`](super::OpenOptions::photo_cache_bytes)
    /// (never this one, even when it alone is larger). The bytes are kept as
    /// they came: they must hash to `id`, be within the store's cap and
    /// start like a photo. A photo the store already holds is returned as it
    /// stands.
    ///
    /// Errors, writing nothing: [`InvalidReason::PhotoId`] (field `id`);
    /// [`InvalidReason::Empty`], [`InvalidReason::PhotoTooLarge`],
    /// [`InvalidReason::PhotoHashMismatch`] and [`InvalidReason::PhotoType`]
    /// (field `photo`); [`Error::NotFound`] for an unknown grid.
    pub fn store_downloaded_photo(
        &self,
        grid_id: &str,
        id: &str,
        bytes: &[u8],
    ) -> Result<PhotoInfo> {
        check_id(id)?;
        if bytes.is_empty() {
            return Err(Error::invalid(BYTES_FIELD, InvalidReason::Empty));
        }
        let max_bytes = self.options.photo_limits.max_bytes;
        if u64::try_from(bytes.len()).map_or(true, |len| len > max_bytes) {
            return Err(Error::invalid(
                BYTES_FIELD,
                InvalidReason::PhotoTooLarge {
                    max_bytes: i64::try_from(max_bytes).unwrap_or(i64::MAX),
                },
            ));
        }
        verify_photo(id, bytes)?;
        let photo_type = PhotoType::sniff(bytes)
            .ok_or_else(|| Error::invalid(BYTES_FIELD, InvalidReason::PhotoType))?;
        let limit = self.photo_cache_limit();
        self.write(|edit| {
            require_synced_grid(edit.tx, grid_id)?;
            if let Some(info) = info_of(edit.tx, id)? {
                return Ok(info);
            }
            insert(
                edit,
                id,
                grid_id,
                photo_type,
                bytes,
                PhotoOrigin::Downloaded,
            )?;
            evict(edit, limit, id)?;
            existing(edit.tx, id)
        })
    }
}

/// A grid this store holds: its record, or (for a department, whose store
/// holds a grid's events and never its roster) an event of it or a sync
/// position in it; [`Error::NotFound`] otherwise.
fn require_synced_grid(tx: &rusqlite::Transaction, grid_id: &str) -> Result<()> {
    let known = tx
        .prepare_cached(
            "SELECT 1 FROM grids WHERE id = ?1
             UNION ALL SELECT 1 FROM events WHERE grid_id = ?1
             UNION ALL SELECT 1 FROM sync_cursors WHERE grid_id = ?1
             LIMIT 1",
        )?
        .exists([grid_id])?;
    if known {
        Ok(())
    } else {
        Err(Error::not_found(RecordKind::Grid, grid_id))
    }
}
