//! Opening a [`Store`] with explicit [`StoreOptions`], and the maintenance
//! calls an app runs in the background: [`Store::compact`] and
//! [`Store::rebuild_query_tables`]. They take seconds on a big store: run
//! them from a background job (Android WorkManager, iOS `BGProcessingTask`).
//!
//! [`StoreOptions`] is the core's `OpenOptions` with signed numbers (Kotlin
//! `Int`, Swift `Int32`; uniffi has no `usize`); add a new option to both.

use std::sync::Arc;

use gridbook::ffi::GridbookError;
use gridbook::{
    Date, InvalidReason, MAX_PHOTO_LIMIT_BYTES, OpenOptions, PhotoLimits, StoreKey, WorkerIdentity,
};

use super::{Store, open};
use crate::Result;

/// How a store is opened. Start from `defaultStoreOptions()`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoreOptions {
    /// The key of an encrypted file (see `Store.open`), or null for a plain file.
    pub key: Option<StoreKey>,
    /// The UTC offset of the grid's local time in minutes (China: 480): it
    /// decides "today" when dates are checked.
    pub local_offset_minutes: i32,
    /// Compact a document into one snapshot once it has this many unmerged
    /// changes (at least 1). Lower keeps the file smaller and makes writes
    /// that trigger it slower.
    pub compact_after_changes: i32,
    /// How many documents stay loaded for writing (memory against speed; at least 0).
    pub cached_documents: i32,
    /// The cap on a photo attached or downloaded, in bytes as given
    /// (default 5 MiB; 1 byte to 256 MiB). A bigger photo is refused with
    /// `Invalid` and `PhotoTooLarge`.
    pub max_photo_bytes: i64,
    /// The most bytes of downloaded or already uploaded photos the phone
    /// keeps (default 200 MiB; at least 0), least recently read dropped
    /// first. Photos attached here and not yet uploaded never count and are
    /// never dropped.
    pub photo_cache_bytes: i64,
}

/// The options `Store.open` uses: no key, UTC+8, compaction after 256
/// changes, 8 cached documents, photos up to 5 MiB and a 200 MiB photo cache.
#[uniffi::export]
pub fn default_store_options() -> StoreOptions {
    let d = OpenOptions::default();
    StoreOptions {
        key: d.key,
        local_offset_minutes: d.local_offset_minutes,
        compact_after_changes: i32::try_from(d.compact_after_changes).unwrap_or(i32::MAX),
        cached_documents: i32::try_from(d.cached_documents).unwrap_or(i32::MAX),
        max_photo_bytes: i64::try_from(d.photo_limits.max_bytes).unwrap_or(i64::MAX),
        photo_cache_bytes: i64::try_from(d.photo_cache_bytes).unwrap_or(i64::MAX),
    }
}

#[uniffi::export]
impl Store {
    /// Opens or creates the store at `path` with explicit options. Fails with
    /// `Invalid` naming the option (`key`, `localOffsetMinutes`,
    /// `compactAfterChanges`, `cachedDocuments`, `maxPhotoBytes`,
    /// `photoCacheBytes`) before touching the file,
    /// and otherwise as `Store.open`.
    #[uniffi::constructor]
    pub async fn open_with_options(
        path: String,
        identity: WorkerIdentity,
        options: StoreOptions,
    ) -> Result<Arc<Store>> {
        let Ok(cached_documents) = usize::try_from(options.cached_documents) else {
            return Err(GridbookError::invalid(
                "cached_documents",
                InvalidReason::OutOfRange,
            ));
        };
        let max_photo_bytes = u64::try_from(options.max_photo_bytes)
            .ok()
            .filter(|max| (1..=MAX_PHOTO_LIMIT_BYTES).contains(max))
            .ok_or_else(|| GridbookError::invalid("max_photo_bytes", InvalidReason::OutOfRange))?;
        let Ok(photo_cache_bytes) = u64::try_from(options.photo_cache_bytes) else {
            return Err(GridbookError::invalid(
                "photo_cache_bytes",
                InvalidReason::OutOfRange,
            ));
        };
        let options = OpenOptions {
            key: options.key,
            local_offset_minutes: options.local_offset_minutes,
            // A negative threshold becomes 0, which the core refuses naming it.
            compact_after_changes: u32::try_from(options.compact_after_changes).unwrap_or(0),
            cached_documents,
            photo_limits: PhotoLimits {
                max_bytes: max_photo_bytes,
            },
            photo_cache_bytes,
        };
        open(path, identity, options).await
    }

    /// Today's date in the store's local offset: the date to pass to
    /// `visitsDue`.
    pub async fn today(&self) -> Date {
        // The clock alone, no SQLite: no hop to the pool.
        Date::today(self.local_offset_minutes)
    }

    /// Compacts every document into one snapshot: a smaller file and a faster
    /// open. Changes not yet sent stay queued for the server. Takes seconds on
    /// a grid with years of history: run it in a background job.
    pub async fn compact(&self) -> Result<()> {
        self.call(|s| s.compact()).await
    }

    /// Rewrites every query table (roster, visits, shifts …) from the
    /// documents, for support when the lists look wrong. The documents, and so
    /// the data, are not changed.
    pub async fn rebuild_query_tables(&self) -> Result<()> {
        self.call(|s| s.rebuild()).await
    }
}
