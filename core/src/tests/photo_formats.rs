//! Photos: PNG and WebP, built byte by byte.

use super::photo_samples::*;
use super::photos::{prepare, reason};
use crate::InvalidReason;
use crate::photos::PhotoType;

pub(crate) const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A PNG chunk with its CRC.
pub(crate) fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    let len = u32::try_from(data.len()).unwrap().to_be_bytes();
    [&len, kind.as_slice(), data, &crc.sum().to_be_bytes()].concat()
}

pub(crate) fn ihdr() -> Vec<u8> {
    // 1 × 1, 8-bit greyscale.
    chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])
}

pub(crate) fn idat() -> Vec<u8> {
    // zlib of the one row: filter 0, grey 0x80.
    chunk(b"IDAT", b"\x78\x9c\x63\x68\x00\x00\x00\x82\x00\x81")
}

pub(crate) fn iend() -> Vec<u8> {
    chunk(b"IEND", b"")
}

pub(crate) fn rendering() -> Vec<u8> {
    let gama = chunk(b"gAMA", &[0, 0, 0xB1, 0x8F]);
    let phys = chunk(b"pHYs", &[0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]);
    [gama, phys].concat()
}

/// A PNG as an app might write it: text, time, Exif (GPS, device,
/// Orientation 6), rendering chunks, a private chunk, and a trailer.
pub(crate) fn phone_png() -> Vec<u8> {
    let text = [b"Comment\0".as_slice(), ADDRESS].concat();
    let itxt = [b"Description\0\0\0\0\0".as_slice(), ADDRESS].concat();
    [
        SIGNATURE,
        &ihdr(),
        &chunk(b"tEXt", &text),
        &chunk(b"zTXt", b"Author\0\0GridPhone-X1"),
        &chunk(b"iTXt", &itxt),
        &chunk(b"tIME", &[0x07, 0xE9, 5, 9, 12, 0, 0]),
        &chunk(b"eXIf", &exif_tiff(false, Some((3, 6)))),
        &rendering(),
        &chunk(b"prVt", MODEL),
        &idat(),
        &iend(),
        GPS_MARK,
    ]
    .concat()
}

#[test]
fn png_text_time_and_exif_go_and_the_orientation_stays() {
    let input = phone_png();
    let prepared = prepare(&input).unwrap();
    let exif = [
        b"\0\0\0\x1AeXIf".as_slice(),
        MINIMAL_TIFF_6,
        &[0xD6, 0x67, 0x4B, 0x69],
    ]
    .concat();
    let expected = [SIGNATURE, &ihdr(), &exif, &rendering(), &idat(), &iend()].concat();
    assert_eq!(prepared.bytes, expected);
    assert_eq!(prepared.photo_type, PhotoType::Png);
    assert_eq!(prepared.orientation, Some(6));
    for secret in [MODEL, MAKE, GPS_MARK, ADDRESS] {
        assert!(!contains(&prepared.bytes, secret));
    }
    assert_eq!(prepare(&prepared.bytes).unwrap(), prepared);

    // Some writers put the JPEG identifier before the TIFF structure.
    let prefixed = [b"Exif\0\0".as_slice(), &exif_tiff(true, Some((3, 6)))].concat();
    let input = [
        SIGNATURE,
        &ihdr(),
        &chunk(b"eXIf", &prefixed),
        &idat(),
        &iend(),
    ]
    .concat();
    let expected = [SIGNATURE, &ihdr(), &exif, &idat(), &iend()].concat();
    assert_eq!(prepare(&input).unwrap().bytes, expected);

    let clean = [SIGNATURE, &ihdr(), &idat(), &iend()].concat();
    assert_eq!(prepare(&clean).unwrap().bytes, clean);
}

#[test]
fn broken_png_structure_is_malformed() {
    let (ihdr, idat, iend) = (ihdr(), idat(), iend());
    let mut long_ihdr = ihdr.clone();
    long_ihdr[3] = 14;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("signature only", SIGNATURE.to_vec()),
        ("IDAT first", [SIGNATURE, &idat, &ihdr, &iend].concat()),
        (
            "IHDR of 14 bytes",
            [SIGNATURE, &long_ihdr, &idat, &iend].concat(),
        ),
        ("no IEND", [SIGNATURE, &ihdr, &idat].concat()),
        ("no IDAT", [SIGNATURE, &ihdr, &iend].concat()),
        ("cut in a chunk", [SIGNATURE, &ihdr, &idat[..12]].concat()),
        (
            "a digit in a type",
            [SIGNATURE, &ihdr, &chunk(b"t3Xt", b""), &idat, &iend].concat(),
        ),
        (
            "a length over 2^31",
            [SIGNATURE, &ihdr, b"\xFF\xFF\xFF\xF0tEXt"].concat(),
        ),
        (
            "bogus eXIf",
            [SIGNATURE, &ihdr, &chunk(b"eXIf", b"II*\0"), &idat, &iend].concat(),
        ),
    ];
    for (case, bytes) in cases {
        assert_eq!(
            reason(prepare(&bytes)),
            InvalidReason::PhotoMalformed,
            "{case}"
        );
    }
}

/// A RIFF chunk, padded to an even length.
pub(crate) fn riff_chunk(fourcc: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let size = u32::try_from(payload.len()).unwrap().to_le_bytes();
    let pad: &[u8] = if payload.len() % 2 == 1 { &[0] } else { &[] };
    [fourcc.as_slice(), &size, payload, pad].concat()
}

pub(crate) fn webp(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body = chunks.concat();
    let size = u32::try_from(body.len() + 4).unwrap().to_le_bytes();
    [b"RIFF".as_slice(), &size, b"WEBP", &body].concat()
}

/// The chunks of a 1 × 1 lossy WebP with alpha (Google's WebP FAQ's
/// feature-detection image), its VP8X flags given.
pub(crate) fn alpha_chunks(flags: u8) -> [Vec<u8>; 3] {
    [
        riff_chunk(b"VP8X", &[flags, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        riff_chunk(b"ALPH", b"\x00\x11\x07\x10\x11\xfd\x0f\x44\x44\xff\x03\x00"),
        riff_chunk(
            b"VP8 ",
            b"\x14\x01\x00\x9d\x01\x2a\x01\x00\x01\x00\x00\x00\xfe\x00\x00\x0d\xc0\x00\xfe\xe6\xb5\x00\x00\x00",
        ),
    ]
}

/// The 1 × 1 lossless WebP of the same FAQ.
pub(crate) const LOSSLESS: &[u8] =
    b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00";

/// An extended WebP with alpha, EXIF (GPS, device, Orientation 6), XMP
/// and an unknown chunk.
pub(crate) fn phone_webp() -> Vec<u8> {
    let [vp8x, alph, vp8] = alpha_chunks(0x10 | 0x08 | 0x04);
    let xmp = [b"<x:xmpmeta>".as_slice(), MODEL, b"</x:xmpmeta>"].concat();
    webp(&[
        vp8x,
        riff_chunk(b"GRID", ADDRESS),
        alph,
        vp8,
        riff_chunk(b"EXIF", &exif_tiff(true, Some((3, 6)))),
        riff_chunk(b"XMP ", &xmp),
    ])
}

#[test]
fn webp_exif_xmp_and_unknown_chunks_go_and_the_orientation_stays() {
    let input = phone_webp();
    let [_, alph, vp8] = alpha_chunks(0);
    let prepared = prepare(&input).unwrap();
    let [vp8x, ..] = alpha_chunks(0x10 | 0x08);
    let expected = webp(&[vp8x, alph, vp8, riff_chunk(b"EXIF", MINIMAL_TIFF_6)]);
    assert_eq!(prepared.bytes, expected);
    assert_eq!(prepared.photo_type, PhotoType::Webp);
    assert_eq!(prepared.orientation, Some(6));
    for secret in [MODEL, MAKE, GPS_MARK, ADDRESS] {
        assert!(!contains(&prepared.bytes, secret));
    }
    assert_eq!(prepare(&prepared.bytes).unwrap(), prepared);

    // Without an orientation to keep, the EXIF flag is cleared too.
    let input = webp(&[
        alpha_chunks(0x1C)[0].clone(),
        alpha_chunks(0)[1].clone(),
        alpha_chunks(0)[2].clone(),
        riff_chunk(b"EXIF", &exif_tiff(false, None)),
    ]);
    assert_eq!(prepare(&input).unwrap().bytes, webp(&alpha_chunks(0x10)));

    // A simple file: clean already, bytes after the RIFF size dropped.
    assert_eq!(prepare(LOSSLESS).unwrap().bytes, LOSSLESS);
    let trailer = [LOSSLESS, b"GRIDGPS-84"].concat();
    assert_eq!(prepare(&trailer).unwrap().bytes, LOSSLESS);
    let with_exif = webp(&[
        LOSSLESS[12..].to_vec(),
        riff_chunk(b"EXIF", &exif_tiff(false, Some((3, 6)))),
    ]);
    let prepared = prepare(&with_exif).unwrap();
    assert_eq!(
        (prepared.bytes.as_slice(), prepared.orientation),
        (LOSSLESS, None)
    );
}

#[test]
fn broken_webp_structure_is_malformed() {
    let [vp8x, alph, vp8] = alpha_chunks(0x10);
    let mut too_big = LOSSLESS.to_vec();
    too_big[4] = 0x1C;
    let mut odd = webp(&[LOSSLESS[12..].to_vec(), riff_chunk(b"GRID", b"odd")]);
    odd.pop();
    odd[4] -= 1;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("header only", b"RIFF\x04\0\0\0WEBP".to_vec()),
        ("RIFF size past the end", too_big),
        (
            "chunk past the RIFF size",
            webp(&[[b"VP8L".as_slice(), &[100, 0, 0, 0], b"\x2f\0\0\0"].concat()]),
        ),
        ("ALPH first", webp(&[alph.clone(), vp8.clone()])),
        ("VP8X alone", webp(std::slice::from_ref(&vp8x))),
        (
            "VP8X too short",
            webp(&[riff_chunk(b"VP8X", &[0x10; 8]), alph, vp8]),
        ),
        ("odd chunk without its padding byte", odd),
    ];
    for (case, bytes) in cases {
        assert_eq!(
            reason(prepare(&bytes)),
            InvalidReason::PhotoMalformed,
            "{case}"
        );
    }
}
