//! WebP: walks the chunks of the RIFF container and copies whole chunks
//! (FourCC, size, payload, padding byte), so the bitstreams stay verbatim.
//!
//! Kept: `VP8X` (its EXIF and XMP flags cleared), `ICCP`, `ANIM`, `ANMF`,
//! `ALPH`, `VP8 ` and `VP8L`. Dropped: `EXIF`, `XMP ` and any other chunk
//! (unknown chunks may carry anything), and every byte after the RIFF
//! size. The RIFF size is recomputed. An `ANMF` frame is copied whole,
//! unknown chunks nested in it included (no encoder writes metadata there).
//!
//! An `EXIF` orientation other than 1 comes back as a minimal `EXIF` chunk
//! at the end, where the container puts metadata, with its VP8X flag set.
//! A simple (non-VP8X) file cannot hold one: it has no metadata to keep.

use super::{MALFORMED, Parsed, Stripped, array, index, take, tiff};

/// The chunks that make up the image.
const IMAGE: &[&[u8; 4]] = &[
    b"VP8X", b"ICCP", b"ANIM", b"ANMF", b"ALPH", b"VP8 ", b"VP8L",
];
/// The chunks an image needs at least one of.
const BITSTREAM: &[&[u8; 4]] = &[b"VP8 ", b"VP8L", b"ANMF"];
/// The VP8X flag saying an `EXIF` chunk follows.
const EXIF_FLAG: u8 = 0x08;
/// The VP8X flag saying an `XMP ` chunk follows.
const XMP_FLAG: u8 = 0x04;
/// `RIFF`, its size, and `WEBP`.
const HEADER: usize = 12;
/// A chunk's FourCC and size.
const CHUNK_HEADER: usize = 8;

/// A little-endian `u32` at `at`, as RIFF writes them.
fn le32(bytes: &[u8], at: usize) -> Parsed<usize> {
    index(u32::from_le_bytes(array(bytes, at)?))
}

/// Strips `bytes`, which start with `RIFF`, a size and `WEBP`.
pub(super) fn strip(bytes: &[u8]) -> Parsed<Stripped> {
    let riff_size = le32(bytes, 4)?;
    // The RIFF size counts from `WEBP` on; bytes after it are not the image.
    let end = riff_size.checked_add(8).ok_or(MALFORMED)?;
    let riff = bytes.get(..end).ok_or(MALFORMED)?;

    let mut chunks = Vec::with_capacity(bytes.len());
    let mut vp8x_flags_at = None;
    let mut orientation: Option<Option<u8>> = None;
    let mut has_bitstream = false;
    let mut pos = HEADER;
    while pos < riff.len() {
        let fourcc: &[u8] = take(riff, pos, 4)?;
        let size = le32(riff, pos + 4)?;
        let payload = take(riff, pos + CHUNK_HEADER, size)?;
        let padded = size
            .checked_add(size & 1)
            .and_then(|padded| padded.checked_add(CHUNK_HEADER))
            .ok_or(MALFORMED)?;
        let chunk = take(riff, pos, padded)?;
        let first = pos == HEADER;
        pos += chunk.len();

        if first && !matches!(fourcc, b"VP8X" | b"VP8 " | b"VP8L") {
            return Err(MALFORMED);
        }
        if fourcc == b"VP8X" {
            // Flags, three reserved bytes, and the canvas's width and height.
            if !first || size < 10 {
                return Err(MALFORMED);
            }
            vp8x_flags_at = Some(chunks.len() + CHUNK_HEADER);
        }
        has_bitstream |= BITSTREAM.iter().any(|b| b.as_slice() == fourcc);
        if fourcc == b"EXIF" && orientation.is_none() {
            orientation = Some(tiff::orientation(tiff::tiff_of_chunk(payload))?);
        }
        if IMAGE.iter().any(|keep| keep.as_slice() == fourcc) {
            chunks.extend_from_slice(chunk);
        }
    }
    if !has_bitstream {
        return Err(MALFORMED);
    }

    // Only an extended file can say it carries Exif.
    let orientation = orientation.flatten().filter(|_| vp8x_flags_at.is_some());
    if let Some(flags_at) = vp8x_flags_at {
        let flags = chunks.get_mut(flags_at).ok_or(MALFORMED)?;
        *flags &= !(EXIF_FLAG | XMP_FLAG);
        if orientation.is_some() {
            *flags |= EXIF_FLAG;
        }
    }
    if let Some(value) = orientation {
        let data = tiff::minimal(value);
        chunks.extend_from_slice(b"EXIF");
        chunks.extend_from_slice(&riff_u32(data.len())?);
        // 26 bytes: even, so no padding byte.
        chunks.extend_from_slice(&data);
    }

    let mut out = Vec::with_capacity(HEADER + chunks.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&riff_u32(chunks.len() + 4)?);
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&chunks);
    Ok(Stripped {
        bytes: out,
        orientation,
    })
}

/// A size as RIFF writes it.
fn riff_u32(value: usize) -> Parsed<[u8; 4]> {
    u32::try_from(value)
        .map(u32::to_le_bytes)
        .map_err(|_| MALFORMED)
}
