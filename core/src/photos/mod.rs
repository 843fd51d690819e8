//! Photos as bytes: what turns the bytes a camera gave into the bytes
//! Gridbook stores, and the id they are stored under. Pure functions: no
//! table, no sync; the records that reference photos build on these.
//!
//! [`prepare_photo`] runs the pipeline:
//! 1. refuse empty input ([`InvalidReason::Empty`]) and input larger than
//!    [`PhotoLimits::max_bytes`] ([`InvalidReason::PhotoTooLarge`]); the cap
//!    applies to the bytes as given, before anything is stripped;
//! 2. tell the type by its magic number ([`PhotoType::sniff`]), never by a
//!    file name or a MIME type the app claims ([`InvalidReason::PhotoType`]);
//! 3. walk the type's structure and drop the metadata that can identify a
//!    person, a place or a device, copying the image data verbatim (nothing
//!    is decoded or re-encoded, so the pixels stay exactly as taken); a
//!    structure that does not hold together is [`InvalidReason::PhotoMalformed`];
//! 4. hash the stored bytes: the id is their SHA-256 in lowercase hex
//!    ([`photo_id`]), so two phones that store the same photo agree on its
//!    id, and [`verify_photo`] can check bytes read back or received.
//!
//! What each type keeps:
//! - JPEG (`jpeg.rs`): the segments that affect how the image looks (JFIF
//!   APP0 without its thumbnail, ICC profile APP2, Adobe APP14, tables,
//!   frame headers) and the scans verbatim; Exif and XMP (APP1), Photoshop
//!   and IPTC (APP13), every other APPn, comments, and anything after the
//!   end-of-image marker (MPF secondary images, vendor trailers) go.
//! - PNG (`png.rs`): critical chunks and the ancillary chunks that affect
//!   rendering or animation; text, time, Exif and unknown chunks go.
//! - WebP (`webp.rs`): the image, alpha, animation and ICC chunks; EXIF,
//!   XMP and unknown chunks go, and the VP8X flags say so.
//! - HEIC (`heic.rs`): every box and every image item (thumbnails and
//!   auxiliary images included) byte for byte; the bytes of its Exif and
//!   XMP items, which `iloc` locates by absolute offsets, are overwritten
//!   with zeros in place, so the file keeps its length and no offset has to
//!   be rewritten.
//!
//! An Exif orientation other than 1 (upright) survives: JPEG, PNG and
//! extended WebP get back a minimal Exif holding only the Orientation tag
//! (`tiff.rs`), so viewers still turn the photo the right way. A HEIC needs
//! none: its orientation is the `irot`/`imir` properties of its image,
//! which stay untouched.
//!
//! Preparing is idempotent: preparing the stored bytes again gives the same
//! bytes and id (the tests check it). Every reader here goes through
//! `get` and checked arithmetic: bytes from a camera or a peer must never
//! panic the core.
//!
//! To add a type: add a variant to [`PhotoType`] with its MIME type, teach
//! `sniff` its magic number, write a module whose `strip` returns
//! `Stripped` (keep it idempotent), dispatch to it in [`prepare_photo`],
//! extend the message of [`InvalidReason::PhotoType`], and add tests with
//! a real file built byte by byte.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::validate::InvalidReason;

mod heic;
mod jpeg;
mod png;
mod tiff;
mod webp;

/// The field errors of this module name.
const FIELD: &str = "photo";

/// The default cap on a photo's size: 5 MiB.
pub const DEFAULT_MAX_PHOTO_BYTES: u64 = 5 * 1024 * 1024;

/// The image types Gridbook stores, told apart by their magic numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PhotoType {
    /// JPEG (JFIF or Exif), what most phone cameras write.
    Jpeg,
    /// PNG (screenshots).
    Png,
    /// HEIC: HEIF with HEVC-coded images, what iPhones write by default.
    Heic,
    /// WebP, lossy or lossless, simple or extended.
    Webp,
}

impl PhotoType {
    /// The MIME type, for handing the bytes to a viewer or an upload.
    pub fn mime(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
            PhotoType::Heic => "image/heic",
            PhotoType::Webp => "image/webp",
        }
    }

    /// The type that `bytes` start like, by magic number alone: JPEG
    /// `FF D8 FF`; PNG its 8-byte signature; WebP `RIFF`, a size, `WEBP`;
    /// HEIC an ISO-BMFF `ftyp` box at offset 4 naming a HEIF brand (see
    /// `heic.rs`; AVIF is refused). `None` for anything else. Whether the
    /// rest of the bytes hold together is [`prepare_photo`]'s business.
    pub fn sniff(bytes: &[u8]) -> Option<PhotoType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PhotoType::Jpeg)
        } else if bytes.starts_with(png::SIGNATURE) {
            Some(PhotoType::Png)
        } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
            Some(PhotoType::Webp)
        } else if heic::is_heic(bytes) {
            Some(PhotoType::Heic)
        } else {
            None
        }
    }
}

/// How large a photo may be. Configurable per call, so a district can
/// allow larger photos than the default without a new build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhotoLimits {
    /// The most bytes a photo may have as given, before its metadata is
    /// stripped.
    pub max_bytes: u64,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        PhotoLimits {
            max_bytes: DEFAULT_MAX_PHOTO_BYTES,
        }
    }
}

/// A photo ready to be stored: its metadata stripped, its id computed.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PreparedPhoto {
    /// The lowercase hex SHA-256 of the bytes below (64 characters).
    pub id: String,
    /// The type, by magic number.
    pub photo_type: PhotoType,
    /// The bytes to store: the input without its identifying metadata.
    pub bytes: Vec<u8>,
    /// The Exif orientation (2 to 8) the stored bytes keep in their minimal
    /// Exif; `None` when they carry none (upright, or a HEIC, whose
    /// rotation stays in its own untouched `irot`/`imir` properties).
    pub orientation: Option<u8>,
}

impl std::fmt::Debug for PreparedPhoto {
    // The bytes are a photo of someone's door or face: a log line gets
    // their length, never their content.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedPhoto")
            .field("id", &self.id)
            .field("photo_type", &self.photo_type)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("orientation", &self.orientation)
            .finish()
    }
}

/// What a type's `strip` returns.
struct Stripped {
    /// The bytes to store.
    bytes: Vec<u8>,
    /// The Exif orientation written back, 2 to 8.
    orientation: Option<u8>,
}

/// Turns the bytes a camera or a picker gave into the bytes to store and
/// their id (see the module docs for the steps and what each type loses).
///
/// Errors, all [`Error::Invalid`] naming the field `photo`:
/// [`InvalidReason::Empty`], [`InvalidReason::PhotoTooLarge`] (the input as
/// given is over `limits.max_bytes`), [`InvalidReason::PhotoType`] and
/// [`InvalidReason::PhotoMalformed`].
pub fn prepare_photo(bytes: &[u8], limits: &PhotoLimits) -> Result<PreparedPhoto> {
    if bytes.is_empty() {
        return Err(Error::invalid(FIELD, InvalidReason::Empty));
    }
    let too_large = || {
        Error::invalid(
            FIELD,
            InvalidReason::PhotoTooLarge {
                max_bytes: i64::try_from(limits.max_bytes).unwrap_or(i64::MAX),
            },
        )
    };
    let within = |len: usize| u64::try_from(len).is_ok_and(|len| len <= limits.max_bytes);
    if !within(bytes.len()) {
        return Err(too_large());
    }
    let photo_type =
        PhotoType::sniff(bytes).ok_or_else(|| Error::invalid(FIELD, InvalidReason::PhotoType))?;
    let stripped = match photo_type {
        PhotoType::Jpeg => jpeg::strip(bytes),
        PhotoType::Png => png::strip(bytes),
        PhotoType::Webp => webp::strip(bytes),
        PhotoType::Heic => heic::strip(bytes),
    }
    .map_err(|reason| Error::invalid(FIELD, reason))?;
    // Stripping never grows a photo (a minimal Exif is no larger than the
    // one it replaces), but the cap is a promise about what is stored.
    if !within(stripped.bytes.len()) {
        return Err(too_large());
    }
    Ok(PreparedPhoto {
        id: photo_id(&stripped.bytes),
        photo_type,
        bytes: stripped.bytes,
        orientation: stripped.orientation,
    })
}

/// The id of stored photo bytes: their SHA-256 as 64 lowercase hex digits.
pub fn photo_id(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks that `bytes` are the photo `id` names, as read back from the
/// store or received from a peer. Anything else, including an id that is
/// not 64 lowercase hex digits, is [`InvalidReason::PhotoHashMismatch`]
/// naming the field `photo`.
pub fn verify_photo(id: &str, bytes: &[u8]) -> Result<()> {
    if photo_id(bytes) == id {
        Ok(())
    } else {
        Err(Error::invalid(FIELD, InvalidReason::PhotoHashMismatch))
    }
}

/// What every structural failure in this module's readers becomes.
const MALFORMED: InvalidReason = InvalidReason::PhotoMalformed;

/// The result type of the per-type readers.
type Parsed<T> = std::result::Result<T, InvalidReason>;

/// `len` bytes at `at`, or [`MALFORMED`] when they run past the end.
fn take(bytes: &[u8], at: usize, len: usize) -> Parsed<&[u8]> {
    at.checked_add(len)
        .and_then(|end| bytes.get(at..end))
        .ok_or(MALFORMED)
}

/// The `N` bytes at `at` as an array, for the integer readers.
fn array<const N: usize>(bytes: &[u8], at: usize) -> Parsed<[u8; N]> {
    take(bytes, at, N)?.try_into().map_err(|_| MALFORMED)
}

/// A big-endian `u16` at `at`.
fn be16(bytes: &[u8], at: usize) -> Parsed<u16> {
    array(bytes, at).map(u16::from_be_bytes)
}

/// A big-endian `u32` at `at`.
fn be32(bytes: &[u8], at: usize) -> Parsed<u32> {
    array(bytes, at).map(u32::from_be_bytes)
}

/// A `u32` length or offset read from a file, as an index.
fn index(value: u32) -> Parsed<usize> {
    usize::try_from(value).map_err(|_| MALFORMED)
}
