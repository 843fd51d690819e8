//! The [`Store`] calls that review conflicts and exchange changes without a
//! server (change sets carried over a local transfer). Syncing through the
//! server is in `crate::sync`.

use gridbook::{ChangeSet, Conflict, ImportReport};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// The fields of a grid that several people changed at once, for review.
    /// Resolve one by editing the field; the conflict then disappears.
    pub async fn conflicts(&self, grid_id: String) -> Result<Vec<Conflict>> {
        self.call(move |s| s.conflicts(&grid_id)).await
    }

    /// Every change stored after `cursor` (0 for everything), as bytes for
    /// `importChanges` on another phone (for example over a local transfer).
    /// A negative cursor is `Invalid` naming `cursor`.
    pub async fn export_since(&self, cursor: i64) -> Result<ChangeSet> {
        self.call(move |s| s.export_since(cursor)).await
    }

    /// Merges a change set exported by another replica. Importing the same set twice is harmless.
    pub async fn import_changes(&self, bytes: Vec<u8>) -> Result<ImportReport> {
        self.call(move |s| s.import(&bytes)).await
    }
}
