//! HEIC: told apart by the brands of its ISO-BMFF `ftyp` box, checked box
//! by box at the top level, and stored as it is.
//!
//! Its Exif and XMP are items inside the `meta` box whose data `iloc`
//! locates by absolute file offsets (usually inside `mdat`); dropping them
//! means rewriting those offsets and the item references, which is out of
//! scope here. So a HEIC keeps its metadata, GPS included: the apps should
//! hand over a JPEG when they can (both platforms' pickers can transcode).

use super::{MALFORMED, Parsed, Stripped, array, be32, index, take};

/// Brands that say the file holds HEVC-coded HEIF images or sequences, and
/// the structural HEIF brands `mif1` (image) and `msf1` (sequence).
const HEIF_BRANDS: &[&[u8; 4]] = &[
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
];
/// AV1-coded HEIF (AVIF) also lists `mif1`/`msf1`: these brands veto it.
const AV1_BRANDS: &[&[u8; 4]] = &[b"avif", b"avis"];

/// A box's size and type.
const BOX_HEADER: usize = 8;
/// `ftyp`'s header, major brand and minor version, before the compatible brands.
const FTYP_FIXED: usize = 16;

/// Whether `bytes` start with an `ftyp` box whose major or compatible
/// brands name HEIF and none names AV1.
pub(super) fn is_heic(bytes: &[u8]) -> bool {
    if bytes.get(4..8) != Some(b"ftyp") {
        return false;
    }
    let Ok(size) = be32(bytes, 0).and_then(index) else {
        return false;
    };
    if size < FTYP_FIXED {
        return false;
    }
    // A truncated ftyp still names its brands; the box walk refuses it.
    let ftyp = bytes.get(..size).unwrap_or(bytes);
    let brands = || {
        let compatible = ftyp.get(FTYP_FIXED..).unwrap_or_default().chunks_exact(4);
        ftyp.get(8..12).into_iter().chain(compatible)
    };
    let names = |set: &[&[u8; 4]]| brands().any(|brand| set.iter().any(|b| b.as_slice() == brand));
    names(HEIF_BRANDS) && !names(AV1_BRANDS)
}

/// Checks that the top-level boxes of `bytes` (which start with `ftyp`)
/// tile the file exactly and include `meta`, and keeps the bytes as they are.
pub(super) fn strip(bytes: &[u8]) -> Parsed<Stripped> {
    let mut pos = 0;
    let mut has_meta = false;
    while pos < bytes.len() {
        let (size, header) = match be32(bytes, pos)? {
            // The last box runs to the end of the file.
            0 => (bytes.len() - pos, BOX_HEADER),
            // A 64-bit size follows the type.
            1 => {
                let large = u64::from_be_bytes(array(bytes, pos + BOX_HEADER)?);
                let large = usize::try_from(large).map_err(|_| MALFORMED)?;
                (large, BOX_HEADER + 8)
            }
            size => (index(size)?, BOX_HEADER),
        };
        if size < header {
            return Err(MALFORMED);
        }
        has_meta |= take(bytes, pos + 4, 4)? == b"meta";
        take(bytes, pos, size)?;
        pos += size;
    }
    if !has_meta {
        return Err(MALFORMED);
    }
    Ok(Stripped {
        bytes: bytes.to_vec(),
        orientation: None,
    })
}
