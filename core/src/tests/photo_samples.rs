//! Photos built byte by byte for the photo tests: a minimal baseline JPEG,
//! PNG and WebP that decoders accept, the metadata a phone adds to them
//! (Exif with GPS and device tags, XMP, comments, text chunks), and HEIF
//! boxes. The identifying strings are fakes the tests search for.

/// A fake device model, in Exif, XMP and a trailer.
pub(crate) const MODEL: &[u8] = b"GridPhone-X1";
/// A fake maker, in Exif.
pub(crate) const MAKE: &[u8] = b"GridMaker Inc";
/// A fake GPS map datum, in the Exif GPS IFD.
pub(crate) const GPS_MARK: &[u8] = b"GRIDGPS-84";
/// A fake address, in comments and text chunks.
pub(crate) const ADDRESS: &[u8] = b"Room 301, 12 Wenxin Road";

/// Start of image.
pub(crate) const SOI: &[u8] = &[0xFF, 0xD8];
/// A JFIF APP0 without thumbnail, as the stripped output keeps it.
pub(crate) const JFIF: &[u8] = &[
    0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
];
/// The scan of an 8 × 8 mid-grey image and the end of image: the DC
/// difference 0 and end-of-block, each the 1-bit code `0`, padded with ones.
pub(crate) const SCAN: &[u8] = &[
    0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x3F, 0xFF, 0xD9,
];

/// A marker segment: marker, big-endian length counting itself, payload.
pub(crate) fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(payload.len() + 2).unwrap();
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// The tables and frame header of the 8 × 8 grey baseline image: all-ones
/// quantisation, one grey component, a DC and an AC Huffman table of one
/// 1-bit code each (for 0 and end-of-block).
pub(crate) fn tables() -> Vec<u8> {
    let mut out = segment(0xDB, &[[0u8].as_slice(), &[1; 64]].concat());
    out.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
    let mut huffman = vec![0u8, 1];
    huffman.extend([0; 15]);
    huffman.push(0);
    out.extend(segment(0xC4, &huffman));
    huffman[0] = 0x10;
    out.extend(segment(0xC4, &huffman));
    out
}

/// The smallest complete JPEG here: SOI, JFIF, tables, scan, EOI.
pub(crate) fn minimal_jpeg() -> Vec<u8> {
    [SOI, JFIF, &tables(), SCAN].concat()
}

/// One IFD entry: tag, type, count, and its value (inline when it fits in
/// four bytes, else stored after the IFD).
type Entry = (u16, u16, u32, Vec<u8>);

/// A TIFF structure as a phone's Exif has it: IFD0 with Make, Model,
/// Orientation (when given, as `orientation_type`) and a GPS IFD pointer;
/// the GPS IFD with latitude reference, latitude and a map datum.
pub(crate) fn exif_tiff(big_endian: bool, orientation: Option<(u16, u16)>) -> Vec<u8> {
    let w16 = |v: u16| -> Vec<u8> {
        if big_endian {
            v.to_be_bytes().to_vec()
        } else {
            v.to_le_bytes().to_vec()
        }
    };
    let w32 = |v: u32| -> Vec<u8> {
        if big_endian {
            v.to_be_bytes().to_vec()
        } else {
            v.to_le_bytes().to_vec()
        }
    };
    let ascii = |s: &[u8]| [s, b"\0"].concat();
    let ifd = |at: usize, entries: &[Entry]| -> Vec<u8> {
        let mut head = w16(u16::try_from(entries.len()).unwrap());
        let mut extra = Vec::new();
        let extra_at = at + 2 + 12 * entries.len() + 4;
        for (tag, kind, count, value) in entries {
            head.extend(w16(*tag));
            head.extend(w16(*kind));
            head.extend(w32(*count));
            if value.len() <= 4 {
                head.extend(value.iter().chain([0u8; 4].iter()).take(4));
            } else {
                head.extend(w32(u32::try_from(extra_at + extra.len()).unwrap()));
                extra.extend(value);
                extra.resize(extra.len() + extra.len() % 2, 0);
            }
        }
        head.extend(w32(0));
        [head, extra].concat()
    };
    let rational = |n: u32, d: u32| [w32(n), w32(d)].concat();
    let mut ifd0 = vec![(0x010F, 2, 14, ascii(MAKE)), (0x0110, 2, 13, ascii(MODEL))];
    if let Some((kind, value)) = orientation {
        let value = if kind == 3 {
            w16(value)
        } else {
            w32(value.into())
        };
        ifd0.push((0x0112, kind, 1, value));
    }
    ifd0.push((0x8825, 4, 1, w32(0)));
    let gps_at = 8 + ifd(8, &ifd0).len();
    ifd0.last_mut().unwrap().3 = w32(u32::try_from(gps_at).unwrap());
    let gps = [
        (0x0001, 2, 2, b"N\0".to_vec()),
        (
            0x0002,
            5,
            3,
            [rational(30, 1), rational(16, 1), rational(4242, 100)].concat(),
        ),
        (0x0012, 2, 11, ascii(GPS_MARK)),
    ];
    let header = if big_endian { b"MM\0\x2A" } else { b"II\x2A\0" };
    [header.to_vec(), w32(8), ifd(8, &ifd0), ifd(gps_at, &gps)].concat()
}

/// The minimal Exif TIFF the photos module writes back, for orientation 6.
pub(crate) const MINIMAL_TIFF_6: &[u8] = &[
    b'M', b'M', 0x00, 0x2A, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0,
];

/// An Exif APP1 holding `tiff`.
pub(crate) fn exif_app1(tiff: &[u8]) -> Vec<u8> {
    segment(0xE1, &[b"Exif\0\0".as_slice(), tiff].concat())
}

/// A JPEG as a phone writes it, metadata and all: Exif (GPS, Make, Model,
/// Orientation 6) before JFIF with a 1 × 1 thumbnail, XMP and extended
/// XMP, an ICC profile, MPF, Photoshop/IPTC, Adobe, a comment, the image,
/// and a vendor trailer after EOI.
pub(crate) fn phone_jpeg(big_endian: bool) -> Vec<u8> {
    let xmp = [
        b"http://ns.adobe.com/xap/1.0/\0".as_slice(),
        b"<x:xmpmeta><rdf:Description tiff:Model=\"GridPhone-X1\" exif:GPSLatitude=\"30,16.42N\"/></x:xmpmeta>",
    ]
    .concat();
    let extended_xmp = [
        b"http://ns.adobe.com/xmp/extension/\0".as_slice(),
        b"0123456789ABCDEF0123456789ABCDEF\0\0\0\x10\0\0\0\0<rdf:li>GRIDGPS-84</rdf:li>",
    ]
    .concat();
    let jfif_thumb = [
        b"JFIF\0".as_slice(),
        &[1, 1, 0, 0, 1, 0, 1, 1, 1, 0x11, 0x22, 0x33],
    ]
    .concat();
    [
        SOI,
        &exif_app1(&exif_tiff(big_endian, Some((3, 6)))),
        &segment(0xE0, &jfif_thumb),
        &segment(0xE1, &xmp),
        &segment(0xE1, &extended_xmp),
        &icc_app2(),
        &segment(0xE2, b"MPF\0MM\0\x2A GridPhone-X1 depth map"),
        &segment(
            0xED,
            b"Photoshop 3.0\08BIM\x04\x04 Room 301, 12 Wenxin Road",
        ),
        &adobe_app14(),
        &segment(0xFE, ADDRESS),
        &tables(),
        SCAN,
        b"SEFH GridPhone-X1 trailer",
    ]
    .concat()
}

/// An ICC profile APP2 (its profile a stand-in: it is copied, not read).
pub(crate) fn icc_app2() -> Vec<u8> {
    segment(0xE2, b"ICC_PROFILE\0\x01\x01stand-in profile bytes")
}

/// An Adobe APP14: version 100, no flags, transform 1 (YCbCr).
pub(crate) fn adobe_app14() -> Vec<u8> {
    segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01")
}

/// Whether `needle` occurs in `haystack`.
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
