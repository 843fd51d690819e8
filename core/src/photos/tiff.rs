//! The one piece of Exif a stored photo keeps: the Orientation tag (0x0112)
//! of IFD0. It is read from the TIFF structure every Exif block is (the body
//! of a JPEG's Exif APP1, a PNG `eXIf` chunk, a WebP `EXIF` chunk) and
//! written back as the smallest TIFF that carries it, because a photo taken
//! with the phone on its side is stored unrotated and only that tag makes
//! viewers turn it upright.

use super::{MALFORMED, Parsed, array, index};

/// The identifier that starts a JPEG's Exif APP1 before its TIFF structure;
/// some writers put it in PNG and WebP Exif chunks too.
pub(super) const EXIF_HEADER: &[u8] = b"Exif\0\0";

/// The Orientation tag.
const ORIENTATION: u16 = 0x0112;
/// The TIFF field type SHORT (u16), the one Orientation has.
const SHORT: u16 = 3;
/// The size of one IFD entry.
const ENTRY: usize = 12;

/// The Exif data of a PNG or WebP chunk as a TIFF structure, without the
/// JPEG-style identifier that some writers put before it.
pub(super) fn tiff_of_chunk(data: &[u8]) -> &[u8] {
    data.strip_prefix(EXIF_HEADER).unwrap_or(data)
}

/// The orientation IFD0 of `tiff` records: `Some(2..=8)` when it has a
/// single SHORT Orientation of that value; `None` when the tag is absent,
/// 1 (upright), or not a valid orientation (a hint that can be dropped, not
/// a reason to refuse the photo).
///
/// A header that is neither `II*\0` nor `MM\0*`, or an IFD0 that runs past
/// the end (its entries and the next-IFD offset), is malformed.
pub(super) fn orientation(tiff: &[u8]) -> Parsed<Option<u8>> {
    let big_endian = match tiff.get(0..4) {
        Some([b'I', b'I', 0x2A, 0x00]) => false,
        Some([b'M', b'M', 0x00, 0x2A]) => true,
        _ => return Err(MALFORMED),
    };
    // Read big-endian, then swap for an Intel-ordered ("II") TIFF.
    let u16_at = |at: usize| -> Parsed<u16> {
        let value = u16::from_be_bytes(array(tiff, at)?);
        Ok(if big_endian {
            value
        } else {
            value.swap_bytes()
        })
    };
    let u32_at = |at: usize| -> Parsed<u32> {
        let value = u32::from_be_bytes(array(tiff, at)?);
        Ok(if big_endian {
            value
        } else {
            value.swap_bytes()
        })
    };

    let ifd = index(u32_at(4)?)?;
    if ifd < 8 {
        return Err(MALFORMED);
    }
    let count = usize::from(u16_at(ifd)?);
    // The whole IFD must be there, next-IFD offset included: that also
    // keeps the minimal Exif written back no larger than the one read.
    let entries = ifd.checked_add(2).ok_or(MALFORMED)?;
    let next = count
        .checked_mul(ENTRY)
        .and_then(|size| entries.checked_add(size))
        .ok_or(MALFORMED)?;
    u32_at(next)?;

    for entry in (0..count).map(|i| entries + i * ENTRY) {
        if u16_at(entry)? != ORIENTATION {
            continue;
        }
        let is_single_short = u16_at(entry + 2)? == SHORT && u32_at(entry + 4)? == 1;
        let value = u16_at(entry + 8)?;
        return Ok(match u8::try_from(value) {
            Ok(value @ 2..=8) if is_single_short => Some(value),
            _ => None,
        });
    }
    Ok(None)
}

/// The smallest TIFF structure recording `orientation`: a big-endian header,
/// an IFD0 with the one Orientation entry, and no next IFD.
pub(super) fn minimal(orientation: u8) -> [u8; 26] {
    [
        b'M',
        b'M',
        0x00,
        0x2A, // byte order, magic
        0x00,
        0x00,
        0x00,
        0x08, // IFD0 right after the header
        0x00,
        0x01, // one entry
        0x01,
        0x12,
        0x00,
        0x03, // Orientation, SHORT
        0x00,
        0x00,
        0x00,
        0x01, // one value
        0x00,
        orientation,
        0x00,
        0x00, // the value, padded to four bytes
        0x00,
        0x00,
        0x00,
        0x00, // no next IFD
    ]
}
