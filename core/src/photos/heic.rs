//! HEIC: told apart by the brands of its ISO-BMFF `ftyp` box, checked box
//! by box at the top level, and stripped in place.
//!
//! HEIF keeps its metadata as items of the top-level `meta` box: `iinf`
//! gives each item a type, and `iloc` says where its bytes are, either at
//! absolute file offsets (construction method 0, in practice inside `mdat`)
//! or inside the `idat` box of `meta` (method 1). Removing an item would
//! mean rewriting every offset that points past it, so instead the bytes of
//! every metadata item are overwritten with zeros: the file keeps its
//! length and its structure, and no offset changes.
//!
//! Zeroed: every extent of every Exif item (type `Exif`: GPS, device,
//! time, the whole TIFF structure, nothing of it kept) and of every XMP
//! item (type `mime` with content type `application/rdf+xml`). An Exif
//! item of zeros has no TIFF header left, so readers find no Exif in it.
//!
//! Kept byte for byte: every box, the image items (coded images, grids and
//! their tiles, thumbnails, auxiliary images such as depth or gain maps),
//! their properties, and the item references (`iref`), among them the
//! `cdsc` reference from a zeroed item to the image it described and the
//! `thmb` references of thumbnails. The orientation needs no Exif here:
//! HEIF carries it as the `irot` and `imir` properties of the image (in
//! `iprp`), which are untouched, so `Stripped::orientation` is always
//! `None`. Left as they are too, since HEIF puts a still photo's metadata
//! in items: bytes that no item points at, and the boxes outside `meta`
//! beyond checking that they tile the file (an image sequence's `moov`,
//! `uuid` boxes).
//!
//! Refused as malformed, since the metadata could then not be found or
//! zeroed safely: a missing or repeated top-level `meta`, or one too short
//! for its version and flags; a repeated `iinf`, `iloc` or `idat`; an
//! `infe` other than version 2 or 3, or a name or content type without its
//! terminating NUL; an `iloc` version above 2 or a field size other than 0,
//! 4 or 8; an item located twice or described twice; construction method 2
//! (bytes of other items) or data in another file; an extent past the end
//! of the file or of `idat`; a metadata item with no location, or with
//! method 0 bytes outside every `mdat`; and an extent shared by a metadata
//! item and another item (zeroing it would damage the image).
//!
//! Stripping is idempotent: only bytes inside the bodies of `mdat` and
//! `idat` change, never a box the walk reads, so a second pass finds the
//! same extents and zeroes them again.
//!
//! To strip another item type, extend [`is_metadata`]; to accept another
//! construction method, teach `locations` where its bytes are and keep the
//! zeroed ranges inside bodies the walk does not read.

use std::collections::BTreeSet;
use std::ops::Range;

use super::{MALFORMED, Parsed, Stripped, array, be16, be32, index};

/// Brands that say the file holds HEVC-coded HEIF images or sequences, and
/// the structural HEIF brands `mif1` (image) and `msf1` (sequence).
const HEIF_BRANDS: &[&[u8; 4]] = &[
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
];
/// AV1-coded HEIF (AVIF) also lists `mif1`/`msf1`: these brands veto it.
const AV1_BRANDS: &[&[u8; 4]] = &[b"avif", b"avis"];

/// A box's size and type.
const BOX_HEADER: usize = 8;
/// The version and flags that start a full box's body.
const FULL_BOX: usize = 4;
/// `ftyp`'s header, major brand and minor version, before the compatible brands.
const FTYP_FIXED: usize = 16;
/// The content type of an XMP item.
const XMP_TYPE: &[u8] = b"application/rdf+xml";

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
/// tile the file exactly and include one `meta`, and zeroes the bytes of
/// its Exif and XMP items.
pub(super) fn strip(bytes: &[u8]) -> Parsed<Stripped> {
    let top = boxes(bytes, 0..bytes.len(), true)?;
    let meta = one(&top, b"meta")?.ok_or(MALFORMED)?;
    // In file order, as the walk found them: `mdat_around` searches them.
    let mdats: Vec<Range<usize>> = top
        .iter()
        .filter(|b| &b.kind == b"mdat")
        .map(|b| b.body.clone())
        .collect();
    let mut out = bytes.to_vec();
    for range in metadata_bytes(bytes, meta.body.clone(), &mdats)? {
        out.get_mut(range).ok_or(MALFORMED)?.fill(0);
    }
    Ok(Stripped {
        bytes: out,
        orientation: None,
    })
}

/// A box: its type and its body (what follows its header), as offsets
/// into the file.
struct Bmff {
    kind: [u8; 4],
    body: Range<usize>,
}

/// The boxes that tile `within` exactly. A size of 0 (the box runs to the
/// end of the file) is only allowed at the top level.
fn boxes(bytes: &[u8], within: Range<usize>, top: bool) -> Parsed<Vec<Bmff>> {
    let area = bytes.get(..within.end).ok_or(MALFORMED)?;
    let mut found = Vec::new();
    let mut pos = within.start;
    while pos < within.end {
        let kind = array(area, add(pos, 4)?)?;
        let (size, header) = match be32(area, pos)? {
            0 if top => (within.end - pos, BOX_HEADER),
            // A 64-bit size follows the type.
            1 => (
                wide(u64::from_be_bytes(array(area, add(pos, BOX_HEADER)?)?))?,
                BOX_HEADER + 8,
            ),
            size => (index(size)?, BOX_HEADER),
        };
        if size < header {
            return Err(MALFORMED);
        }
        let end = add(pos, size)?;
        if end > within.end {
            return Err(MALFORMED);
        }
        found.push(Bmff {
            kind,
            body: add(pos, header)?..end,
        });
        pos = end;
    }
    Ok(found)
}

/// The box of type `kind` among `boxes`, if any; a second one is malformed
/// (which one a reader would use is anyone's guess).
fn one<'a>(boxes: &'a [Bmff], kind: &[u8; 4]) -> Parsed<Option<&'a Bmff>> {
    let mut matching = boxes.iter().filter(|b| &b.kind == kind);
    let first = matching.next();
    match matching.next() {
        Some(_) => Err(MALFORMED),
        None => Ok(first),
    }
}

/// Where an item's extent lies, and what stripping does to it.
struct Extent {
    /// The extent's bytes, as offsets into the file.
    range: Range<usize>,
    /// Whether it belongs to an Exif or XMP item.
    metadata: bool,
    /// Whether it lies in `idat` (construction method 1).
    in_idat: bool,
}

/// The ranges of the file to zero: the extents of the metadata items of
/// the `meta` box whose body is `meta`, sorted and merged. `mdats` are the
/// bodies of the top-level `mdat` boxes, in file order.
fn metadata_bytes(
    bytes: &[u8],
    meta: Range<usize>,
    mdats: &[Range<usize>],
) -> Parsed<Vec<Range<usize>>> {
    if meta.len() < FULL_BOX {
        return Err(MALFORMED);
    }
    let children = boxes(bytes, add(meta.start, FULL_BOX)?..meta.end, false)?;
    let metadata = match one(&children, b"iinf")? {
        Some(iinf) => metadata_items(bytes, iinf.body.clone())?,
        None => BTreeSet::new(),
    };
    let idat = one(&children, b"idat")?.map(|idat| idat.body.clone());
    let (located, mut extents) = match one(&children, b"iloc")? {
        Some(iloc) => locations(bytes, iloc.body.clone(), idat, &metadata)?,
        None => (BTreeSet::new(), Vec::new()),
    };
    if !metadata.is_subset(&located) {
        return Err(MALFORMED);
    }
    for extent in &extents {
        if extent.metadata && !extent.in_idat && !mdat_around(mdats, &extent.range) {
            return Err(MALFORMED);
        }
    }

    // Sorted by start, an extent overlaps an earlier one of the other kind
    // exactly when it starts before the furthest end of that kind so far.
    extents.sort_by_key(|extent| extent.range.start);
    let (mut metadata_end, mut image_end) = (0, 0);
    let mut zero: Vec<Range<usize>> = Vec::new();
    for extent in extents.iter().filter(|extent| !extent.range.is_empty()) {
        let Range { start, end } = extent.range;
        let (other, own) = if extent.metadata {
            (image_end, &mut metadata_end)
        } else {
            (metadata_end, &mut image_end)
        };
        if start < other {
            return Err(MALFORMED);
        }
        *own = (*own).max(end);
        if !extent.metadata {
            continue;
        }
        // Merged, so that many extents over the same bytes cost one pass.
        match zero.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => zero.push(start..end),
        }
    }
    Ok(zero)
}

/// Whether `range` lies inside one of `mdats` (sorted, disjoint).
fn mdat_around(mdats: &[Range<usize>], range: &Range<usize>) -> bool {
    let after = mdats.partition_point(|mdat| mdat.start <= range.start);
    after
        .checked_sub(1)
        .and_then(|at| mdats.get(at))
        .is_some_and(|mdat| range.end <= mdat.end)
}

/// The ids of the Exif and XMP items that the `iinf` box whose body is
/// `iinf` describes.
fn metadata_items(bytes: &[u8], iinf: Range<usize>) -> Parsed<BTreeSet<u32>> {
    let version = *bytes.get(iinf.start).ok_or(MALFORMED)?;
    // The entry count: each `infe` is read, however many it claims.
    let count = if version == 0 { 2 } else { 4 };
    let first = add(iinf.start, FULL_BOX + count)?;
    if first > iinf.end {
        return Err(MALFORMED);
    }
    let (mut seen, mut metadata) = (BTreeSet::new(), BTreeSet::new());
    for entry in boxes(bytes, first..iinf.end, false)? {
        if &entry.kind != b"infe" {
            continue;
        }
        let body = bytes.get(entry.body).ok_or(MALFORMED)?;
        let (id, is_metadata) = item_info(body)?;
        if !seen.insert(id) {
            return Err(MALFORMED);
        }
        if is_metadata {
            metadata.insert(id);
        }
    }
    Ok(metadata)
}

/// An `infe` body's item id and whether the item is metadata to zero.
fn item_info(body: &[u8]) -> Parsed<(u32, bool)> {
    let (id, at) = match body.first() {
        Some(2) => (u32::from(be16(body, FULL_BOX)?), FULL_BOX + 2),
        Some(3) => (be32(body, FULL_BOX)?, FULL_BOX + 4),
        // Versions 0 and 1 predate item types; HEIF requires 2 or 3.
        _ => return Err(MALFORMED),
    };
    // Past the item protection index.
    let kind: [u8; 4] = array(body, add(at, 2)?)?;
    let (_name, at) = c_string(body, add(at, 6)?)?;
    let content_type = if &kind == b"mime" {
        Some(c_string(body, at)?.0)
    } else {
        None
    };
    Ok((id, is_metadata(&kind, content_type)))
}

/// Whether an item of type `kind` (and, for `mime` items, `content_type`)
/// is metadata that can identify a person, a place or a device.
fn is_metadata(kind: &[u8; 4], content_type: Option<&[u8]>) -> bool {
    match (kind, content_type) {
        (b"Exif", _) => true,
        (b"mime", Some(content_type)) => {
            // MIME types ignore case and may carry parameters.
            let media = content_type
                .split(|&b| b == b';')
                .next()
                .unwrap_or_default();
            media.trim_ascii().eq_ignore_ascii_case(XMP_TYPE)
        }
        _ => false,
    }
}

/// The NUL-terminated string at `at` and the offset after its NUL.
fn c_string(body: &[u8], at: usize) -> Parsed<(&[u8], usize)> {
    let rest = body.get(at..).ok_or(MALFORMED)?;
    let len = rest.iter().position(|&b| b == 0).ok_or(MALFORMED)?;
    Ok((rest.get(..len).ok_or(MALFORMED)?, add(add(at, len)?, 1)?))
}

/// The items the `iloc` box whose body is `iloc` locates, and the extents
/// of all its items as offsets into the file, those of the `metadata`
/// items marked.
fn locations(
    bytes: &[u8],
    iloc: Range<usize>,
    idat: Option<Range<usize>>,
    metadata: &BTreeSet<u32>,
) -> Parsed<(BTreeSet<u32>, Vec<Extent>)> {
    let body = bytes.get(iloc).ok_or(MALFORMED)?;
    let version = *body.first().ok_or(MALFORMED)?;
    if version > 2 {
        return Err(MALFORMED);
    }
    let [sizes, more_sizes]: [u8; 2] = array(body, FULL_BOX)?;
    let offset_size = field_size(sizes >> 4)?;
    let length_size = field_size(sizes & 0x0F)?;
    let base_size = field_size(more_sizes >> 4)?;
    // Reserved in version 0.
    let index_size = if version == 0 {
        0
    } else {
        field_size(more_sizes & 0x0F)?
    };
    let extent_size = index_size + offset_size + length_size;
    let id_size = if version < 2 { 2 } else { 4 };
    let mut at = FULL_BOX + 2;
    let count = read_uint(body, &mut at, id_size)?;

    let (mut located, mut extents) = (BTreeSet::new(), Vec::new());
    // Every item takes at least six bytes, so a false count soon runs out.
    for _ in 0..count {
        let id = u32::try_from(read_uint(body, &mut at, id_size)?).map_err(|_| MALFORMED)?;
        let method = if version == 0 {
            0
        } else {
            read_uint(body, &mut at, 2)? & 0x0F
        };
        let data_reference = read_uint(body, &mut at, 2)?;
        let base = read_uint(body, &mut at, base_size)?;
        let extent_count = read_uint(body, &mut at, 2)?;
        // Method 2 takes bytes from other items, and a data reference other
        // than 0 puts them in another file: neither can be zeroed here.
        if method > 1 || data_reference != 0 || !located.insert(id) {
            return Err(MALFORMED);
        }
        // Extents of no bytes would all be the same one, and would let a
        // short box ask for unbounded work.
        if extent_size == 0 && extent_count > 1 {
            return Err(MALFORMED);
        }
        let origin = match (method, &idat) {
            (0, _) => 0..bytes.len(),
            (_, Some(idat)) => idat.clone(),
            (_, None) => return Err(MALFORMED),
        };
        for _ in 0..extent_count {
            // The extent index only serves method 2.
            read_uint(body, &mut at, index_size)?;
            let offset = read_uint(body, &mut at, offset_size)?;
            let length = read_uint(body, &mut at, length_size)?;
            extents.push(Extent {
                range: extent(&origin, base, offset, length)?,
                metadata: metadata.contains(&id),
                in_idat: method == 1,
            });
        }
    }
    Ok((located, extents))
}

/// The bytes of an extent at `base + offset` within `origin` (the whole
/// file or the body of `idat`), `length` long or, when 0, to its end.
fn extent(origin: &Range<usize>, base: u64, offset: u64, length: u64) -> Parsed<Range<usize>> {
    let relative = wide(base.checked_add(offset).ok_or(MALFORMED)?)?;
    let start = add(origin.start, relative)?;
    let end = match length {
        0 => origin.end,
        length => add(start, wide(length)?)?,
    };
    if start > end || end > origin.end {
        return Err(MALFORMED);
    }
    Ok(start..end)
}

/// An `iloc` field size in bytes, from its 4-bit code: 0, 4 or 8.
fn field_size(code: u8) -> Parsed<usize> {
    match code {
        0 | 4 | 8 => Ok(usize::from(code)),
        _ => Err(MALFORMED),
    }
}

/// The big-endian unsigned integer of `size` bytes (0, 2, 4 or 8) at `*at`,
/// moving `*at` past it.
fn read_uint(bytes: &[u8], at: &mut usize, size: usize) -> Parsed<u64> {
    let value = match size {
        0 => 0,
        2 => u64::from(be16(bytes, *at)?),
        4 => u64::from(be32(bytes, *at)?),
        8 => u64::from_be_bytes(array(bytes, *at)?),
        _ => return Err(MALFORMED),
    };
    *at = add(*at, size)?;
    Ok(value)
}

/// `a + b`, or malformed when it overflows.
fn add(a: usize, b: usize) -> Parsed<usize> {
    a.checked_add(b).ok_or(MALFORMED)
}

/// A 64-bit size or offset read from a file, as an index.
fn wide(value: u64) -> Parsed<usize> {
    usize::try_from(value).map_err(|_| MALFORMED)
}
