//! JPEG: walks the marker segments from the start-of-image marker to the
//! end-of-image marker and copies what affects how the image looks,
//! dropping what can identify a person, a place or a device. Entropy-coded
//! scan data is copied verbatim: nothing is decoded.
//!
//! Kept: JFIF APP0 (its optional thumbnail cut off: a thumbnail can show
//! what a crop removed), ICC profile APP2, Adobe APP14 (it says how to
//! convert the colours), and every non-APPn segment (tables, frame and scan
//! headers, restart intervals). Dropped: APP1 (Exif with its GPS and device
//! tags, XMP, extended XMP), APP13 (Photoshop, IPTC), all other APPn
//! (MPF, FlashPix, maker blocks), comments, and every byte after the
//! end-of-image marker (MPF's secondary images, vendor trailers).
//!
//! The first Exif APP1's orientation, when not upright, comes back as a
//! minimal Exif APP1 right after SOI, or after the JFIF APP0 when that
//! leads (as JFIF requires).
//!
//! Strict where a phone camera's output is never wrong: bytes between
//! segments other than fill bytes, a segment running past the end, no scan
//! before the end-of-image marker, or no end-of-image marker are malformed.

use std::borrow::Cow;

use super::{MALFORMED, Parsed, Stripped, be16, take, tiff};

/// Start of image.
const SOI: u8 = 0xD8;
/// End of image.
const EOI: u8 = 0xD9;
/// Start of scan: entropy-coded data follows its header.
const SOS: u8 = 0xDA;
/// JFIF.
const APP0: u8 = 0xE0;
/// Exif, XMP.
const APP1: u8 = 0xE1;
/// ICC profile (also MPF and FlashPix, which go).
const APP2: u8 = 0xE2;
/// Adobe colour transform.
const APP14: u8 = 0xEE;
/// Comment.
const COM: u8 = 0xFE;

/// The identifier of a JFIF APP0.
const JFIF: &[u8] = b"JFIF\0";
/// A JFIF APP0's payload up to its thumbnail's dimensions, which come last.
const JFIF_FIXED: usize = 12;
/// The identifier of an ICC profile APP2.
const ICC_PROFILE: &[u8] = b"ICC_PROFILE\0";
/// The identifier of an Adobe APP14.
const ADOBE: &[u8] = b"Adobe";

/// Strips `bytes`, which start with `FF D8 FF` (see `PhotoType::sniff`).
pub(super) fn strip(bytes: &[u8]) -> Parsed<Stripped> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut exif_at = out.len();
    // `None` until the first Exif APP1 is read; later ones are ignored.
    let mut orientation: Option<Option<u8>> = None;
    let mut pos = 2;
    let mut in_scans = false;
    loop {
        let (marker, body) = next_marker(bytes, pos)?;
        match marker {
            EOI if in_scans => {
                out.extend_from_slice(&[0xFF, EOI]);
                break;
            }
            // A second SOI, an EOI before any scan, or a standalone marker
            // (TEM, RSTn) outside entropy-coded data.
            SOI | EOI | 0x01 | 0xD0..=0xD7 => return Err(MALFORMED),
            _ => {}
        }
        let len = usize::from(be16(bytes, body)?);
        let payload = take(bytes, body + 2, len.checked_sub(2).ok_or(MALFORMED)?)?;
        pos = body + len;

        if marker == APP1
            && orientation.is_none()
            && let Some(exif) = payload.strip_prefix(tiff::EXIF_HEADER)
        {
            orientation = Some(tiff::orientation(exif)?);
        }
        if let Some(kept) = kept_payload(marker, payload) {
            let leads = out.len() == 2;
            write_segment(&mut out, marker, &kept)?;
            if leads && marker == APP0 {
                exif_at = out.len();
            }
        }
        if marker == SOS {
            let end = scan_end(bytes, pos)?;
            out.extend_from_slice(bytes.get(pos..end).ok_or(MALFORMED)?);
            pos = end;
            in_scans = true;
        }
    }

    let orientation = orientation.flatten();
    if let Some(value) = orientation {
        let mut exif = Vec::with_capacity(tiff::EXIF_HEADER.len() + 26);
        exif.extend_from_slice(tiff::EXIF_HEADER);
        exif.extend_from_slice(&tiff::minimal(value));
        let mut segment = Vec::with_capacity(exif.len() + 4);
        write_segment(&mut segment, APP1, &exif)?;
        out.splice(exif_at..exif_at, segment);
    }
    Ok(Stripped {
        bytes: out,
        orientation,
    })
}

/// The marker at `pos` (an `FF`, then any fill `FF`s, then the code) and
/// the index right after its code.
fn next_marker(bytes: &[u8], pos: usize) -> Parsed<(u8, usize)> {
    if bytes.get(pos) != Some(&0xFF) {
        return Err(MALFORMED);
    }
    let mut at = pos + 1;
    loop {
        match bytes.get(at) {
            Some(0xFF) => at += 1,
            // FF 00 is a stuffed data byte, never a marker.
            Some(0x00) | None => return Err(MALFORMED),
            Some(&code) => return Ok((code, at + 1)),
        }
    }
}

/// Where the entropy-coded data starting at `pos` ends: the `FF` of the
/// first marker that is neither a stuffed `FF 00` nor a restart marker.
/// Data that runs to the end of the input (no EOI) is malformed.
fn scan_end(bytes: &[u8], pos: usize) -> Parsed<usize> {
    let mut at = pos;
    loop {
        let rest = bytes.get(at..).ok_or(MALFORMED)?;
        let ff = at + rest.iter().position(|&b| b == 0xFF).ok_or(MALFORMED)?;
        let mut code_at = ff + 1;
        while bytes.get(code_at) == Some(&0xFF) {
            code_at += 1;
        }
        match bytes.get(code_at) {
            None => return Err(MALFORMED),
            Some(0x00 | 0xD0..=0xD7) => at = code_at + 1,
            Some(_) => return Ok(ff),
        }
    }
}

/// The payload to write for a segment, `None` to drop it.
fn kept_payload(marker: u8, payload: &[u8]) -> Option<Cow<'_, [u8]>> {
    match marker {
        APP0 => jfif_without_thumbnail(payload).map(Cow::Owned),
        APP2 if payload.starts_with(ICC_PROFILE) => Some(Cow::Borrowed(payload)),
        APP14 if payload.starts_with(ADOBE) => Some(Cow::Borrowed(payload)),
        0xE0..=0xEF | COM => None,
        _ => Some(Cow::Borrowed(payload)),
    }
}

/// A JFIF APP0's payload with a thumbnail of 0 × 0 pixels; `None` for an
/// APP0 that is not JFIF (JFXX thumbnails, AVI1) or too short to be one.
fn jfif_without_thumbnail(payload: &[u8]) -> Option<Vec<u8>> {
    if !payload.starts_with(JFIF) || payload.len() < JFIF_FIXED + 2 {
        return None;
    }
    let mut kept = payload.get(..JFIF_FIXED)?.to_vec();
    kept.extend_from_slice(&[0, 0]);
    Some(kept)
}

/// Appends a segment: the marker, the big-endian length (which counts
/// itself), the payload.
fn write_segment(out: &mut Vec<u8>, marker: u8, payload: &[u8]) -> Parsed<()> {
    let len = payload
        .len()
        .checked_add(2)
        .and_then(|len| u16::try_from(len).ok())
        .ok_or(MALFORMED)?;
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    Ok(())
}
