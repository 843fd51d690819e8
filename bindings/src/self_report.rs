//! Residents' own reports by QR code (扫码自主申报): the code the app shows
//! or prints for the link the sync server issued to the grid head. The
//! link itself comes from the server (`POST /v1/grids/{grid}/self-report-link`,
//! see the README's "Residents' self-report links"); the form and its
//! checks live in the core. To add a call, export it here and list it in
//! `lib.rs`.

use crate::Result;

/// The self-report link `url` as a QR code: a standalone SVG document, at
/// least 256 pixels wide, black on white, with its quiet zone, to show in a
/// web view or print. Fails with `Invalid` on the field `url` when the link
/// is empty, longer than 512 characters, or holds control characters.
#[uniffi::export]
pub fn self_report_qr_svg(url: String) -> Result<String> {
    Ok(gridbook::self_report::qr_svg(&url)?)
}
