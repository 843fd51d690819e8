//! A link as a QR code, drawn in SVG for the app to show or print.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::error::Error;
use crate::validate::InvalidReason;

/// The longest link [`qr_svg`] draws: a self-report link is far shorter,
/// and a longer one would make a code too dense to scan from a poster.
pub const MAX_QR_URL_CHARS: usize = 512;

/// Draws `url` as a QR code (error correction level M, with its quiet zone)
/// in a standalone SVG document at least 256 pixels wide, black on white.
/// Fails with `Error::Invalid` on the field `url` when the link is empty,
/// longer than [`MAX_QR_URL_CHARS`], or has control characters.
pub fn qr_svg(url: &str) -> Result<String, Error> {
    let invalid = |reason| Error::Invalid {
        field: "url",
        reason,
    };
    if url.trim().is_empty() {
        return Err(invalid(InvalidReason::Empty));
    }
    if url.chars().count() > MAX_QR_URL_CHARS {
        return Err(invalid(InvalidReason::TooLong {
            max: MAX_QR_URL_CHARS as i64,
        }));
    }
    if url.chars().any(char::is_control) {
        return Err(invalid(InvalidReason::ControlCharacters));
    }
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).map_err(|_| {
        invalid(InvalidReason::TooLong {
            max: MAX_QR_URL_CHARS as i64,
        })
    })?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}
