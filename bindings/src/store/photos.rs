//! The [`Store`] calls of photos (`gridbook`'s `store/photos`): attaching
//! a photo from the camera, reading one, and the upload state of each to
//! show. The bytes are checked, stripped of their metadata (GPS, device) and
//! kept inside the encrypted store by the core; an event or a step names a
//! photo by the id `addPhoto` returns.

use gridbook::PhotoInfo;

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// Keeps a photo of a grid (JPEG, PNG, HEIC or WebP, at most the store's
    /// cap, 5 MB by default) inside the store: its metadata stripped, its id
    /// the SHA-256 of the stored bytes. Adding the same photo again returns
    /// the same photo. A photo over the cap, of another type or damaged is
    /// `Invalid("photo", …)`, and nothing is kept.
    pub async fn add_photo(&self, grid_id: String, bytes: Vec<u8>) -> Result<PhotoInfo> {
        self.call(move |s| s.add_photo(&grid_id, &bytes)).await
    }

    /// A photo's bytes, checked against its id; `NotFound` for a photo this
    /// phone does not hold (not downloaded yet).
    pub async fn photo(&self, photo_id: String) -> Result<Vec<u8>> {
        self.call(move |s| s.photo(&photo_id)).await
    }

    /// A photo's type, size and upload state.
    pub async fn photo_info(&self, photo_id: String) -> Result<PhotoInfo> {
        self.call(move |s| s.photo_info(&photo_id)).await
    }

    /// The photos this phone holds for a grid, with their upload states (waiting, uploading, uploaded, failed).
    pub async fn photo_states(&self, grid_id: String) -> Result<Vec<PhotoInfo>> {
        self.call(move |s| s.photo_states(&grid_id)).await
    }
}
