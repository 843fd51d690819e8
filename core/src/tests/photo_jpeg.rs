//! Photos: JPEG metadata stripping, orientation, scans and broken
//! structure, on JPEGs built byte by byte (`photo_samples.rs`).

use sha2::{Digest, Sha256};

use super::photo_samples::*;
use super::photos::{prepare, reason};
use crate::InvalidReason;

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
