//! Photos: HEIC built box by box as a phone writes it (an HEVC image,
//! its thumbnail, an Exif item and an XMP item), its Exif and XMP zeroed in
//! place and everything else kept byte for byte.

use std::ops::Range;

use sha2::{Digest, Sha256};

use super::photo_samples::*;
use super::photos::{prepare, reason};
use crate::InvalidReason;
use crate::photos::PhotoType;

/// An ISO-BMFF box.
fn bmff(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let size = u32::try_from(body.len() + 8).unwrap().to_be_bytes();
    [&size, kind.as_slice(), body].concat()
}

/// A full box: version, flags 0, body.
fn full(kind: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
    bmff(kind, &[&[version, 0, 0, 0], body].concat())
}

/// The stand-in HEVC data of the primary image: length-prefixed NAL units.
const IMAGE: &[u8] = b"\0\0\0\x0c\x26\x01\xaf\x09\x40\xf3\xb8\x02\x2f\x2c\x41\x80";
/// The stand-in HEVC data of its thumbnail.
const THUMB: &[u8] = b"\0\0\0\x06\x26\x01\xaf\x13\x30\x80";
/// An XMP packet with a place and a device in it.
const XMP: &[u8] = b"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF><rdf:Description \
exif:GPSLatitude=\"30.2741\" tiff:Model=\"GridPhone-X1\"/></rdf:RDF></x:xmpmeta>";
/// Where the XMP is cut when it is stored in two extents.
const XMP_CUT: usize = 40;
/// What the stored bytes must not contain.
const SECRETS: &[&[u8]] = &[
    MODEL,
    MAKE,
    GPS_MARK,
    b"GPSLatitude",
    b"30.2741",
    b"xmpmeta",
];
/// The `irot` property: turn the image a quarter anticlockwise.
const IROT: &[u8] = b"\0\0\0\x09irot\x01";

/// The item ids of the primary image, the Exif, the XMP and the thumbnail.
const PRIMARY: u32 = 1;
const EXIF_ID: u32 = 2;
const XMP_ID: u32 = 3;
const THUMB_ID: u32 = 4;

/// The Exif item as HEIF stores it: the offset of the TIFF header after
/// four bytes, the JPEG-style identifier, and a phone's Exif (GPS, device,
/// Orientation 6).
fn exif() -> Vec<u8> {
    [
        &[0, 0, 0, 6],
        b"Exif\0\0".as_slice(),
        &exif_tiff(true, Some((3, 6))),
    ]
    .concat()
}

/// Where the Exif item is and how `iloc` says so.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ExifAt {
    /// In `mdat`, construction method 0.
    Mdat,
    /// In `idat`, construction method 1, after three other bytes.
    Idat,
    /// In `idat`, but its extent runs one byte past the end of `idat`.
    PastIdat,
    /// In `mdat`, but `iloc` says construction method 2.
    Method2,
    /// In `mdat`, but its extent runs a mebibyte on, past the end of the file.
    PastEnd,
    /// `iloc` points it at the primary image's bytes.
    OverImage,
    /// `iloc` points it at the `ftyp` box, outside every `mdat`.
    OutsideMdat,
    /// `iloc` does not list it.
    Unlocated,
}

/// How to build a HEIC.
#[derive(Debug, Clone, Copy)]
struct Spec {
    /// The version of `iloc`, 0 to 2 (`iinf` and `infe` follow: item ids of
    /// 32 bits in version 2).
    iloc: u8,
    /// Whether `meta` comes before `mdat`.
    meta_first: bool,
    /// Where the Exif item is.
    exif: ExifAt,
    /// Whether the XMP is in two extents around the thumbnail, the second
    /// one of length 0 (to the end of the file) when `mdat` is last.
    split_xmp: bool,
    /// The content type of the XMP item.
    xmp_type: &'static [u8],
}

const PLAIN: Spec = Spec {
    iloc: 0,
    meta_first: true,
    exif: ExifAt::Mdat,
    split_xmp: false,
    xmp_type: b"application/rdf+xml",
};

/// The specs of well-formed files: `iloc` version 0, 1 and 2, `meta`
/// before and after `mdat`, Exif in `mdat` or `idat`, XMP in one or two
/// extents.
const GOOD: &[Spec] = &[
    PLAIN,
    Spec {
        iloc: 1,
        meta_first: false,
        exif: ExifAt::Idat,
        split_xmp: true,
        ..PLAIN
    },
    Spec {
        iloc: 2,
        split_xmp: true,
        xmp_type: b"Application/RDF+XML; charset=utf-8",
        ..PLAIN
    },
    Spec {
        iloc: 2,
        meta_first: false,
        exif: ExifAt::Idat,
        ..PLAIN
    },
];

/// A built HEIC and where its parts are.
struct Built {
    bytes: Vec<u8>,
    /// The bytes of the Exif and XMP items.
    metadata: Vec<Range<usize>>,
    /// The bytes of the primary image and of the thumbnail.
    images: [Range<usize>; 2],
}

fn ftyp() -> Vec<u8> {
    bmff(b"ftyp", b"heic\0\0\0\0mif1heic")
}

/// An `infe` of the version that goes with `spec`.
fn infe(spec: &Spec, id: u32, kind: &[u8; 4], content_type: Option<&[u8]>) -> Vec<u8> {
    let id = if spec.iloc == 2 {
        id.to_be_bytes().to_vec()
    } else {
        u16::try_from(id).unwrap().to_be_bytes().to_vec()
    };
    let mut body = [id.as_slice(), &[0, 0], kind, b"\0"].concat();
    if let Some(content_type) = content_type {
        body.extend([content_type, b"\0"].concat());
    }
    full(b"infe", if spec.iloc == 2 { 3 } else { 2 }, &body)
}

/// One `iloc` entry: item, construction method, base offset, extents
/// (offset, length).
type Location = (u32, u16, u32, Vec<(u32, u32)>);

/// An `iloc` of `spec`'s version: offsets and lengths of 4 bytes, base
/// offsets of 4 bytes, extent indexes of 4 bytes in version 1 (0 in 2).
fn iloc(spec: &Spec, items: &[Location]) -> Vec<u8> {
    let v = spec.iloc;
    let id = |id: u32| -> Vec<u8> {
        if v == 2 {
            id.to_be_bytes().to_vec()
        } else {
            u16::try_from(id).unwrap().to_be_bytes().to_vec()
        }
    };
    let index_size = if v == 1 { 4 } else { 0 };
    let mut body = vec![0x44, 0x40 | index_size];
    body.extend(id(u32::try_from(items.len()).unwrap()));
    for (item, method, base, extents) in items {
        body.extend(id(*item));
        if v > 0 {
            body.extend(method.to_be_bytes());
        }
        body.extend([0, 0]);
        body.extend(base.to_be_bytes());
        body.extend(u16::try_from(extents.len()).unwrap().to_be_bytes());
        for (offset, length) in extents {
            if index_size > 0 {
                body.extend([0; 4]);
            }
            body.extend(offset.to_be_bytes());
            body.extend(length.to_be_bytes());
        }
    }
    full(b"iloc", v, &body)
}

/// The boxes of `meta` that do not depend on where the data is: handler,
/// primary item, item infos, properties (with `irot`) and references.
fn fixed_boxes(spec: &Spec) -> Vec<u8> {
    let hdlr = full(b"hdlr", 0, b"\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0");
    let pitm = full(b"pitm", 0, &[0, 1]);
    let entries = [
        infe(spec, PRIMARY, b"hvc1", None),
        infe(spec, EXIF_ID, b"Exif", None),
        infe(spec, XMP_ID, b"mime", Some(spec.xmp_type)),
        infe(spec, THUMB_ID, b"hvc1", None),
    ]
    .concat();
    let iinf = if spec.iloc == 2 {
        full(b"iinf", 1, &[&[0, 0, 0, 4], entries.as_slice()].concat())
    } else {
        full(b"iinf", 0, &[&[0, 4], entries.as_slice()].concat())
    };
    let ipco = [
        bmff(b"hvcC", b"stand-in decoder configuration"),
        full(b"ispe", 0, &[0, 0, 0, 8, 0, 0, 0, 8]),
        IROT.to_vec(),
    ]
    .concat();
    let ipma = full(
        b"ipma",
        0,
        &[0, 0, 0, 2, 0, 1, 3, 0x81, 0x02, 0x03, 0, 4, 2, 0x81, 0x02],
    );
    let iprp = bmff(b"iprp", &[bmff(b"ipco", &ipco), ipma].concat());
    let iref = full(
        b"iref",
        0,
        &[
            bmff(b"thmb", &[0, 4, 0, 1, 0, 1]),
            bmff(b"cdsc", &[0, 2, 0, 1, 0, 1]),
            bmff(b"cdsc", &[0, 3, 0, 1, 0, 1]),
        ]
        .concat(),
    );
    [hdlr, pitm, iinf, iprp, iref].concat()
}

/// Builds the HEIC `spec` describes.
fn build(spec: &Spec) -> Built {
    let exif = exif();
    let exif_in_idat = matches!(spec.exif, ExifAt::Idat | ExifAt::PastIdat);
    // What mdat holds, in order, by item.
    let mut pieces: Vec<(u32, &[u8])> = vec![(PRIMARY, IMAGE)];
    if !exif_in_idat {
        pieces.push((EXIF_ID, &exif));
    }
    if spec.split_xmp {
        pieces.extend([
            (XMP_ID, &XMP[..XMP_CUT]),
            (THUMB_ID, THUMB),
            (XMP_ID, &XMP[XMP_CUT..]),
        ]);
    } else {
        pieces.extend([(XMP_ID, XMP), (THUMB_ID, THUMB)]);
    }
    let mdat_body: Vec<u8> = pieces.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    let idat_body = [b"\x01\x02\x03".as_slice(), &exif].concat();
    // Only when the Exif is in it: bytes that no item points at are left
    // as they are, so an unused copy would stay.
    let idat = if exif_in_idat {
        bmff(b"idat", &idat_body)
    } else {
        Vec::new()
    };

    // The meta box for mdat's body at `at`, and where its pieces are.
    let meta = |at: usize| {
        let u = |n: usize| u32::try_from(n).unwrap();
        // Version 0 has no construction method and gives absolute offsets;
        // the later ones give them from a base offset.
        let base = if spec.iloc == 0 { 0 } else { u(at) };
        let mut ranges: Vec<(u32, Range<usize>)> = Vec::new();
        let mut pos = at;
        for (item, piece) in &pieces {
            ranges.push((*item, pos..pos + piece.len()));
            pos += piece.len();
        }
        let extents = |item: u32| -> Vec<(u32, u32)> {
            let of_item: Vec<&Range<usize>> = ranges
                .iter()
                .filter(|(i, _)| *i == item)
                .map(|(_, r)| r)
                .collect();
            let last = of_item.len() - 1;
            of_item
                .iter()
                .enumerate()
                .map(|(n, r)| {
                    let to_end = item == XMP_ID && n == last && n > 0 && spec.meta_first;
                    (u(r.start) - base, if to_end { 0 } else { u(r.len()) })
                })
                .collect()
        };
        let image = |item| (item, 0, base, extents(item));
        let exif_location = match spec.exif {
            ExifAt::Mdat => Some(image(EXIF_ID)),
            ExifAt::Idat => Some((EXIF_ID, 1, 0, vec![(3, u(exif.len()))])),
            ExifAt::PastIdat => Some((EXIF_ID, 1, 0, vec![(3, u(exif.len()) + 1)])),
            ExifAt::Method2 => Some((EXIF_ID, 2, base, extents(EXIF_ID))),
            ExifAt::PastEnd => {
                let (offset, _) = extents(EXIF_ID)[0];
                Some((EXIF_ID, 0, base, vec![(offset, 1 << 20)]))
            }
            ExifAt::OverImage => Some((EXIF_ID, 0, base, extents(PRIMARY))),
            ExifAt::OutsideMdat => Some((EXIF_ID, 0, 0, vec![(0, 8)])),
            ExifAt::Unlocated => None,
        };
        let mut locations = vec![image(PRIMARY)];
        locations.extend(exif_location);
        locations.extend([image(XMP_ID), image(THUMB_ID)]);
        let body = [fixed_boxes(spec), iloc(spec, &locations), idat.clone()].concat();
        (full(b"meta", 0, &body), ranges)
    };

    let ftyp = ftyp();
    let mdat_len = mdat_body.len() + 8;
    let meta_len = meta(0).0.len();
    let mdat_at = ftyp.len() + if spec.meta_first { meta_len } else { 0 };
    let (meta, ranges) = meta(mdat_at + 8);
    let mdat = bmff(b"mdat", &mdat_body);
    let (bytes, meta_at) = if spec.meta_first {
        ([ftyp.clone(), meta.clone(), mdat].concat(), ftyp.len())
    } else {
        (
            [ftyp.clone(), mdat, meta.clone()].concat(),
            ftyp.len() + mdat_len,
        )
    };
    let of = |item: u32| -> Vec<Range<usize>> {
        ranges
            .iter()
            .filter(|(i, _)| *i == item)
            .map(|(_, r)| r.clone())
            .collect()
    };
    let mut metadata = of(XMP_ID);
    if exif_in_idat {
        // idat is the last box of meta; the Exif follows its three bytes.
        let idat_at = meta_at + meta.len() - idat_body.len();
        metadata.push(idat_at + 3..idat_at + idat_body.len());
    } else {
        metadata.extend(of(EXIF_ID));
    }
    let images = [of(PRIMARY)[0].clone(), of(THUMB_ID)[0].clone()];
    assert_eq!(&bytes[images[0].clone()], IMAGE);
    assert_eq!(&bytes[images[1].clone()], THUMB);
    Built {
        bytes,
        metadata,
        images,
    }
}

/// HEICs that prepare, with metadata to zero, for the property tests.
pub(crate) fn phone_heics() -> Vec<Vec<u8>> {
    GOOD.iter().map(|spec| build(spec).bytes).collect()
}

#[test]
fn heic_exif_and_xmp_items_are_zeroed_in_place_and_the_rest_kept() {
    for spec in GOOD {
        let Built {
            bytes,
            metadata,
            images,
        } = build(spec);
        for secret in SECRETS {
            assert!(contains(&bytes, secret), "{spec:?}");
        }
        let mut expected = bytes.clone();
        for range in &metadata {
            expected[range.clone()].fill(0);
        }
        // Every byte of the Exif and of the XMP, each once.
        let zeroed: usize = metadata.iter().map(Range::len).sum();
        assert_eq!(zeroed, exif().len() + XMP.len(), "{spec:?}");

        let prepared = prepare(&bytes).unwrap();
        assert_eq!(prepared.bytes, expected, "{spec:?}");
        assert_eq!(prepared.bytes.len(), bytes.len());
        assert_eq!(
            (prepared.photo_type, prepared.orientation),
            (PhotoType::Heic, None)
        );
        assert_eq!(
            prepared.id,
            hex::encode(Sha256::digest(&prepared.bytes)),
            "{spec:?}"
        );
        for secret in SECRETS {
            assert!(
                !contains(&prepared.bytes, secret),
                "{spec:?} {}",
                String::from_utf8_lossy(secret)
            );
        }
        let [image, thumb] = images;
        assert_eq!(&prepared.bytes[image], IMAGE);
        assert_eq!(&prepared.bytes[thumb], THUMB);
        assert!(contains(&prepared.bytes, IROT));
        assert_eq!(prepare(&prepared.bytes).unwrap(), prepared, "{spec:?}");
    }
}

#[test]
fn heic_items_of_other_types_are_kept_as_they_are() {
    // A mime item that is not XMP is not metadata to zero.
    let text = Spec {
        xmp_type: b"text/plain",
        ..PLAIN
    };
    let bytes = build(&text).bytes;
    let prepared = prepare(&bytes).unwrap();
    assert!(contains(&prepared.bytes, XMP));
    assert!(!contains(&prepared.bytes, GPS_MARK));
    let exif = exif();
    let at = bytes.windows(exif.len()).position(|w| w == exif).unwrap();
    let mut expected = bytes.clone();
    expected[at..at + exif.len()].fill(0);
    assert_eq!(prepared.bytes, expected);
}

/// The offset of the first `kind` box's body in `bytes`.
fn body_of(bytes: &[u8], kind: &[u8; 4]) -> usize {
    bytes.windows(4).position(|w| w == kind).unwrap() + 4
}

#[test]
fn heic_metadata_that_cannot_be_zeroed_safely_is_malformed() {
    let v1 = Spec { iloc: 1, ..PLAIN };
    let mut cases: Vec<(String, Vec<u8>)> = [
        ExifAt::Method2,
        ExifAt::PastIdat,
        ExifAt::PastEnd,
        ExifAt::OverImage,
        ExifAt::OutsideMdat,
        ExifAt::Unlocated,
    ]
    .into_iter()
    .flat_map(|exif| {
        [PLAIN, v1, GOOD[1], GOOD[2]]
            .into_iter()
            // Version 0 has no construction method.
            .filter(move |spec| {
                !matches!(exif, ExifAt::Method2 | ExifAt::PastIdat) || spec.iloc > 0
            })
            .map(move |spec| {
                let spec = Spec { exif, ..spec };
                (format!("{spec:?}"), build(&spec).bytes)
            })
    })
    .collect();

    let plain = build(&PLAIN).bytes;
    let patched = |kind: &[u8; 4], at: usize, value: u8| {
        let mut bytes = plain.clone();
        let body = body_of(&bytes, kind);
        bytes[body + at] = value;
        bytes
    };
    cases.extend([
        // Laid out as version 2 would be, so only the version is wrong.
        ("iloc version 3".into(), {
            let mut bytes = build(&GOOD[2]).bytes;
            let body = body_of(&bytes, b"iloc");
            bytes[body] = 3;
            bytes
        }),
        ("offsets of 3 bytes".into(), patched(b"iloc", 4, 0x34)),
        ("infe version 1".into(), patched(b"infe", 0, 1)),
        // The Exif item's data reference: the second entry's, after the
        // header, the sizes, the count and the first entry (id, reference,
        // base offset, extent count, one extent) and its own id.
        ("Exif in another file".into(), patched(b"iloc", 29, 1)),
        // The thumbnail's entry, the fourth, names the primary image.
        ("an item located twice".into(), patched(b"iloc", 63, 1)),
        // The thumbnail takes the primary image's id.
        ("an item twice".into(), {
            let mut bytes = plain.clone();
            let last_infe = bytes.windows(4).rposition(|w| w == b"infe").unwrap();
            bytes[last_infe + 9] = 1;
            bytes
        }),
        (
            "two meta boxes".into(),
            [plain.as_slice(), &full(b"meta", 0, b"")].concat(),
        ),
        ("a content type without its NUL".into(), {
            let mut bytes = plain.clone();
            let xmp_type = b"application/rdf+xml\0";
            let at = bytes.windows(20).position(|w| w == xmp_type).unwrap();
            bytes[at + 19] = b' ';
            bytes
        }),
    ]);
    let short_meta = [ftyp().as_slice(), &bmff(b"meta", b"\0\0\0")].concat();
    cases.push(("meta without its flags".into(), short_meta));
    for (case, bytes) in cases {
        assert_eq!(
            reason(prepare(&bytes)),
            InvalidReason::PhotoMalformed,
            "{case}"
        );
    }
}

#[test]
fn truncated_heic_is_refused_at_every_length() {
    for spec in GOOD {
        let bytes = build(spec).bytes;
        for len in 0..bytes.len() {
            let expected = match len {
                0 => InvalidReason::Empty,
                // Not even the major brand: not told as a HEIC.
                1..12 => InvalidReason::PhotoType,
                _ => InvalidReason::PhotoMalformed,
            };
            assert_eq!(reason(prepare(&bytes[..len])), expected, "{spec:?} {len}");
        }
    }
}
