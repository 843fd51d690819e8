//! Photos: sniffing, the size cap, ids, clean JPEGs and HEIC, on images
//! built byte by byte (`photo_samples.rs`).

use sha2::{Digest, Sha256};

use super::photo_samples::*;
use crate::photos::*;
use crate::{Error, InvalidReason};

pub(crate) fn prepare(bytes: &[u8]) -> crate::Result<PreparedPhoto> {
    prepare_photo(bytes, &PhotoLimits::default())
}

pub(crate) fn reason(result: crate::Result<PreparedPhoto>) -> InvalidReason {
    match result {
        Err(Error::Invalid { field, reason }) => {
            assert_eq!(field, "photo");
            reason
        }
        other => panic!("expected an invalid photo, got {other:?}"),
    }
}

#[test]
fn ids_are_the_lowercase_hex_sha256_of_the_bytes() {
    assert_eq!(
        photo_id(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        photo_id(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    verify_photo(&photo_id(b"abc"), b"abc").unwrap();
    for (id, bytes) in [
        (photo_id(b"abc"), b"abd".as_slice()),
        (photo_id(b"abc").to_uppercase(), b"abc"),
        ("not an id".to_string(), b"abc"),
    ] {
        let error = verify_photo(&id, bytes).unwrap_err();
        assert_eq!(error.to_string(), "photo does not match its SHA-256 id");
        assert!(matches!(
            error,
            Error::Invalid {
                field: "photo",
                reason: InvalidReason::PhotoHashMismatch
            }
        ));
    }
}

#[test]
fn types_are_told_by_magic_number_alone() {
    assert_eq!(PhotoType::sniff(&minimal_jpeg()), Some(PhotoType::Jpeg));
    assert_eq!(PhotoType::sniff(b"\x89PNG\r\n\x1a\n"), Some(PhotoType::Png));
    assert_eq!(PhotoType::sniff(b"RIFF\0\0\0\0WEBP"), Some(PhotoType::Webp));
    let ftyp = |major: &[u8], compatible: &[&[u8]]| {
        let size = u8::try_from(16 + 4 * compatible.len()).unwrap();
        [&[0, 0, 0, size], b"ftyp".as_slice(), major, &[0; 4]]
            .into_iter()
            .chain(compatible.iter().copied())
            .collect::<Vec<_>>()
            .concat()
    };
    assert_eq!(
        PhotoType::sniff(&ftyp(b"heic", &[b"mif1", b"heic"])),
        Some(PhotoType::Heic)
    );
    assert_eq!(
        PhotoType::sniff(&ftyp(b"mif1", &[b"mif1", b"heix"])),
        Some(PhotoType::Heic)
    );
    assert_eq!(
        PhotoType::sniff(&ftyp(b"msf1", &[b"hevc"])),
        Some(PhotoType::Heic)
    );
    for near_miss in [
        ftyp(b"avif", &[b"mif1", b"miaf"]),
        ftyp(b"mif1", &[b"avif", b"mif1"]),
        ftyp(b"isom", &[b"mp41"]),
        ftyp(b"qt  ", &[]),
        b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0".to_vec(),
        b"GIF89a\x01\0\x01\0\0\0\0;".to_vec(),
        b"\xFF\xD8".to_vec(),
        b"\x89PNG\r\n".to_vec(),
        b"%PDF-1.7".to_vec(),
    ] {
        assert_eq!(PhotoType::sniff(&near_miss), None);
        assert_eq!(reason(prepare(&near_miss)), InvalidReason::PhotoType);
    }
    assert_eq!(
        prepare(b"GIF89a").unwrap_err().to_string(),
        "photo is not a JPEG, PNG, HEIC or WebP image"
    );
    assert_eq!(
        [
            PhotoType::Jpeg,
            PhotoType::Png,
            PhotoType::Heic,
            PhotoType::Webp
        ]
        .map(PhotoType::mime),
        ["image/jpeg", "image/png", "image/heic", "image/webp"]
    );
}

#[test]
fn empty_input_is_refused() {
    assert_eq!(reason(prepare(b"")), InvalidReason::Empty);
    assert_eq!(
        prepare(b"").unwrap_err().to_string(),
        "photo must not be empty"
    );
}

/// A minimal JPEG padded with comments (which stripping drops) to `len` bytes.
fn jpeg_of_len(len: usize) -> Vec<u8> {
    let mut out = [SOI, JFIF].concat();
    let tail = [tables().as_slice(), SCAN].concat();
    while len - out.len() - tail.len() > 0 {
        let room = len - out.len() - tail.len();
        // A segment takes 4 to 65537 bytes: never leave 1 to 3.
        let payload = match room {
            65541.. => 65533,
            65538..=65540 => room - 12,
            _ => room - 4,
        };
        out.extend(segment(0xFE, &vec![b'x'; payload]));
    }
    out.extend(tail);
    out
}

#[test]
fn the_cap_applies_to_the_input_as_given() {
    let cap = 5 * 1024 * 1024;
    assert_eq!(PhotoLimits::default().max_bytes, cap);
    assert_eq!(DEFAULT_MAX_PHOTO_BYTES, cap);
    let at_cap = jpeg_of_len(5 * 1024 * 1024);
    assert_eq!(at_cap.len(), 5 * 1024 * 1024);
    assert_eq!(prepare(&at_cap).unwrap().bytes, minimal_jpeg());
    let over = jpeg_of_len(5 * 1024 * 1024 + 1);
    assert_eq!(
        reason(prepare(&over)),
        InvalidReason::PhotoTooLarge {
            max_bytes: 5_242_880
        }
    );
    assert_eq!(
        prepare(&over).unwrap_err().to_string(),
        "photo is larger than 5242880 bytes"
    );

    let small = minimal_jpeg();
    let len = u64::try_from(small.len()).unwrap();
    prepare_photo(&small, &PhotoLimits { max_bytes: len }).unwrap();
    assert_eq!(
        reason(prepare_photo(&small, &PhotoLimits { max_bytes: len - 1 })),
        InvalidReason::PhotoTooLarge {
            max_bytes: i64::try_from(len - 1).unwrap()
        }
    );
}

#[test]
fn a_clean_jpeg_is_stored_as_it_is() {
    let jpeg = minimal_jpeg();
    let prepared = prepare(&jpeg).unwrap();
    assert_eq!(prepared.bytes, jpeg);
    assert_eq!(prepared.photo_type, PhotoType::Jpeg);
    assert_eq!(prepared.orientation, None);
    assert_eq!(prepared.id, hex::encode(Sha256::digest(&jpeg)));
    assert_eq!(
        format!("{prepared:?}"),
        format!(
            "PreparedPhoto {{ id: \"{}\", photo_type: Jpeg, bytes: <{} bytes>, orientation: None }}",
            prepared.id,
            jpeg.len()
        )
    );
}

/// An ISO-BMFF box.
fn bmff_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let size = u32::try_from(body.len() + 8).unwrap().to_be_bytes();
    [&size, kind.as_slice(), body].concat()
}

fn ftyp(major: &[u8; 4], compatible: &[u8]) -> Vec<u8> {
    bmff_box(b"ftyp", &[major.as_slice(), &[0; 4], compatible].concat())
}

#[test]
fn a_heic_without_metadata_items_is_checked_box_by_box_and_kept_byte_for_byte() {
    let meta = bmff_box(b"meta", &[0, 0, 0, 0]);
    let heic = [
        ftyp(b"heic", b"mif1heic"),
        meta.clone(),
        bmff_box(b"mdat", MODEL),
    ]
    .concat();
    let prepared = prepare(&heic).unwrap();
    assert_eq!(prepared.bytes, heic);
    assert_eq!(
        (prepared.photo_type, prepared.orientation),
        (PhotoType::Heic, None)
    );
    let large = [b"\0\0\0\x01mdat\0\0\0\0\0\0\0\x12".as_slice(), b"xy"].concat();
    let to_end = [b"\0\0\0\0mdat".as_slice(), MODEL].concat();
    for last in [large, to_end] {
        let heic = [ftyp(b"mif1", b"mif1heix"), meta.clone(), last].concat();
        assert_eq!(prepare(&heic).unwrap().bytes, heic);
    }

    let avif = [ftyp(b"avif", b"mif1miaf"), meta.clone()].concat();
    assert_eq!(reason(prepare(&avif)), InvalidReason::PhotoType);
    let head = ftyp(b"heic", b"mif1");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("no meta", [head.clone(), bmff_box(b"mdat", b"xy")].concat()),
        (
            "box past the end",
            [head.clone(), meta.clone(), b"\0\0\0\x40mdat".to_vec()].concat(),
        ),
        (
            "bytes after the boxes",
            [head.clone(), meta.clone(), b"\0\0\0".to_vec()].concat(),
        ),
        (
            "box smaller than its header",
            [head.clone(), meta.clone(), b"\0\0\0\x04mdat".to_vec()].concat(),
        ),
        (
            "large size under 16",
            [head, meta, b"\0\0\0\x01mdat\0\0\0\0\0\0\0\x0f".to_vec()].concat(),
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
