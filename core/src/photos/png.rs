//! PNG: walks the chunks from `IHDR` to `IEND` and copies whole chunks
//! (length, type, data, CRC), so no CRC changes and no pixel is decoded.
//!
//! Kept: every critical chunk (`IHDR`, `PLTE`, `IDAT`, `IEND`, and any
//! unknown critical one, which a decoder must see to refuse the file) and
//! the ancillary chunks that change how the image renders or animates
//! ([`RENDERING`]). Dropped: every other ancillary chunk, among them
//! `eXIf`, `tEXt`, `zTXt`, `iTXt` and `tIME` (Exif, text with any author,
//! place or comment, the time), and private chunks whose content nobody
//! here can vouch for; and every byte after `IEND`.
//!
//! An `eXIf` orientation other than 1 comes back as a minimal `eXIf` right
//! after `IHDR`.

use super::{MALFORMED, Parsed, Stripped, be32, index, take, tiff};

/// The 8-byte PNG signature.
pub(super) const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The ancillary chunks that affect the rendered image: transparency,
/// colour space and profile, significant bits, background, pixel size, HDR
/// metadata, and APNG's animation control and frames.
const RENDERING: &[&[u8; 4]] = &[
    b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP", b"mDCV", b"cLLI", b"sBIT", b"bKGD",
    b"pHYs", b"acTL", b"fcTL", b"fdAT",
];

/// Length, type and CRC around a chunk's data.
const FRAMING: usize = 12;
/// The largest chunk length PNG allows.
const MAX_CHUNK: usize = 0x7FFF_FFFF;

/// Strips `bytes`, which start with [`SIGNATURE`].
pub(super) fn strip(bytes: &[u8]) -> Parsed<Stripped> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(SIGNATURE);
    let mut orientation: Option<Option<u8>> = None;
    let mut pos = SIGNATURE.len();
    let mut has_idat = false;
    loop {
        let len = index(be32(bytes, pos)?)?;
        if len > MAX_CHUNK {
            return Err(MALFORMED);
        }
        let kind: &[u8] = take(bytes, pos + 4, 4)?;
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(MALFORMED);
        }
        let chunk = take(bytes, pos, len + FRAMING)?;
        let data = take(bytes, pos + 8, len)?;
        let first = pos == SIGNATURE.len();
        if first != (kind == b"IHDR") || (first && len != 13) {
            return Err(MALFORMED);
        }
        pos += len + FRAMING;

        has_idat |= kind == b"IDAT";
        if kind == b"eXIf" && orientation.is_none() {
            orientation = Some(tiff::orientation(tiff::tiff_of_chunk(data))?);
        }
        let critical = kind.first().is_some_and(u8::is_ascii_uppercase);
        if critical || RENDERING.iter().any(|keep| keep.as_slice() == kind) {
            out.extend_from_slice(chunk);
        }
        if kind == b"IEND" {
            break;
        }
    }
    if !has_idat {
        return Err(MALFORMED);
    }

    let orientation = orientation.flatten();
    if let Some(value) = orientation {
        let after_ihdr = SIGNATURE.len() + 13 + FRAMING;
        out.splice(after_ihdr..after_ihdr, exif_chunk(value));
    }
    Ok(Stripped {
        bytes: out,
        orientation,
    })
}

/// An `eXIf` chunk holding only `orientation`.
fn exif_chunk(orientation: u8) -> Vec<u8> {
    let data = tiff::minimal(orientation);
    let mut crc = flate2::Crc::new();
    crc.update(b"eXIf");
    crc.update(&data);
    let mut chunk = Vec::with_capacity(data.len() + FRAMING);
    // 26 bytes of data: the length is a constant that fits.
    chunk.extend_from_slice(&26u32.to_be_bytes());
    chunk.extend_from_slice(b"eXIf");
    chunk.extend_from_slice(&data);
    chunk.extend_from_slice(&crc.sum().to_be_bytes());
    chunk
}
