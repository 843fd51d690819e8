//! What the phone and the sync server agree on about photos, which travel
//! beside the change log (`schema/sync-protocol.md`, "Photos"): the paths,
//! the header, the limits and the error codes.

use crate::photos::DEFAULT_MAX_PHOTO_BYTES;

/// The most bytes one upload request carries. Small enough that a chunk
/// gets through on a weak signal within a request timeout; a cut costs at
/// most one chunk.
pub const PHOTO_CHUNK_BYTES: usize = 256 * 1024;
/// The largest photo the server accepts: the phones' default cap.
pub const MAX_SERVER_PHOTO_BYTES: u64 = DEFAULT_MAX_PHOTO_BYTES;
/// The request header declaring a photo's whole length on every chunk.
pub const PHOTO_SIZE_HEADER: &str = "x-photo-size";
/// The error code of an upload whose bytes did not hash to its id (422).
pub const PHOTO_HASH_MISMATCH: &str = "hash_mismatch";
/// The error code of a chunk that does not start at the count received (409).
pub const PHOTO_OFFSET_MISMATCH: &str = "offset_mismatch";

/// The path of the photo `photo_id` in `grid_id`:
/// `/v1/grids/{grid}/photos/{id}`.
pub fn photo_path(grid_id: &str, photo_id: &str) -> String {
    format!("/v1/grids/{grid_id}/photos/{photo_id}")
}
