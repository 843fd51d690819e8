//! Photos: sniffing, the size cap, ids, and JPEG stripping, on images
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

#[test]
fn jpeg_metadata_goes_and_the_orientation_stays() {
    for big_endian in [false, true] {
        let input = phone_jpeg(big_endian);
        assert!(contains(&input, MODEL) && contains(&input, GPS_MARK));
        let prepared = prepare(&input).unwrap();
        let minimal_exif = exif_app1(MINIMAL_TIFF_6);
        assert_eq!(minimal_exif.len(), 36);
        let expected = [
            SOI,
            JFIF,
            &minimal_exif,
            &icc_app2(),
            &adobe_app14(),
            &tables(),
            SCAN,
        ]
        .concat();
        assert_eq!(prepared.bytes, expected);
        for secret in [
            MODEL, MAKE, GPS_MARK, ADDRESS, b"xmpmeta", b"SEFH", b"MPF\0",
        ] {
            assert!(!contains(&prepared.bytes, secret));
        }
        assert_eq!(prepared.orientation, Some(6));
        assert_eq!(prepared.id, hex::encode(Sha256::digest(&expected)));
        assert_eq!(prepare(&prepared.bytes).unwrap(), prepared);
    }
}

#[test]
fn an_upright_or_invalid_orientation_is_not_written_back() {
    for orientation in [None, Some((3, 1)), Some((3, 9)), Some((3, 0)), Some((4, 6))] {
        let input = [
            SOI,
            &exif_app1(&exif_tiff(false, orientation)),
            JFIF,
            &tables(),
            SCAN,
        ]
        .concat();
        let prepared = prepare(&input).unwrap();
        assert_eq!(prepared.bytes, minimal_jpeg(), "{orientation:?}");
        assert_eq!(prepared.orientation, None);
    }
    // Without JFIF, the minimal Exif follows SOI.
    let input = [
        SOI,
        &exif_app1(&exif_tiff(true, Some((3, 8)))),
        &tables(),
        SCAN,
    ]
    .concat();
    let mut tiff = MINIMAL_TIFF_6.to_vec();
    tiff[19] = 8;
    let expected = [SOI, &exif_app1(&tiff), &tables(), SCAN].concat();
    assert_eq!(prepare(&input).unwrap().bytes, expected);
    assert_eq!(prepare(&input).unwrap().orientation, Some(8));
}

#[test]
fn scans_are_copied_verbatim_and_segments_between_them_filtered() {
    // Entropy-coded data with a stuffed FF 00, restart markers and fill
    // bytes; a comment and an APP1 between two scans; a table kept.
    let scan = |data: &[u8]| [&SCAN[..10], data].concat();
    let first = scan(&[
        0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0xD1, 0x78,
    ]);
    let second = scan(&[0x9A, 0xFF, 0x00]);
    let input = [
        SOI,
        &tables(),
        &first,
        &segment(0xFE, ADDRESS),
        &exif_app1(&exif_tiff(false, None)),
        &segment(0xDD, &[0, 4]),
        &second,
        &[0xFF, 0xFF, 0xD9],
        b"trailer",
    ]
    .concat();
    let expected = [
        SOI,
        &tables(),
        &first,
        &segment(0xDD, &[0, 4]),
        &second,
        &[0xFF, 0xD9],
    ]
    .concat();
    assert_eq!(prepare(&input).unwrap().bytes, expected);
}

#[test]
fn broken_jpeg_structure_is_malformed() {
    let tables = tables();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("only the magic", vec![0xFF, 0xD8, 0xFF]),
        (
            "length past the end",
            [SOI, &[0xFF, 0xE1, 0x40, 0x00, 1, 2, 3]].concat(),
        ),
        (
            "length below 2",
            [SOI, &[0xFF, 0xFE, 0x00, 0x01], &tables, SCAN].concat(),
        ),
        ("length cut in half", [SOI, &[0xFF, 0xFE, 0x00]].concat()),
        ("no scan", [SOI, JFIF, &tables, &[0xFF, 0xD9]].concat()),
        ("no end of image", [SOI, &tables, &SCAN[..11]].concat()),
        (
            "bytes between segments",
            [SOI, JFIF, &[0x00], &tables, SCAN].concat(),
        ),
        ("a second SOI", [SOI, SOI, &tables, SCAN].concat()),
        (
            "a restart before the scan",
            [SOI, &[0xFF, 0xD0], &tables, SCAN].concat(),
        ),
        (
            "stuffed byte as marker",
            [SOI, &[0xFF, 0x00], &tables, SCAN].concat(),
        ),
        (
            "bogus TIFF header",
            [SOI, &exif_app1(b"XX\x2A\0\0\0\0\x08\0\0"), &tables, SCAN].concat(),
        ),
        (
            "IFD0 past the end",
            [SOI, &exif_app1(b"II\x2A\0\x40\0\0\0"), &tables, SCAN].concat(),
        ),
        (
            "IFD0 inside the header",
            [SOI, &exif_app1(b"MM\0\x2A\0\0\0\x04\0\0"), &tables, SCAN].concat(),
        ),
        (
            "IFD0 entries cut short",
            [
                SOI,
                &exif_app1(b"MM\0\x2A\0\0\0\x08\0\x02\x01\x12\0\x03\0\0\0\x01\0\x06\0\0"),
                &tables,
                SCAN,
            ]
            .concat(),
        ),
    ];
    for (case, bytes) in cases {
        assert_eq!(
            reason(prepare(&bytes)),
            InvalidReason::PhotoMalformed,
            "{case}"
        );
    }
    assert_eq!(
        prepare(&[0xFF, 0xD8, 0xFF]).unwrap_err().to_string(),
        "photo is damaged or truncated"
    );
}
