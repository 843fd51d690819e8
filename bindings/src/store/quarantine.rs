//! The way out of a grid the sync server refused (`schema/sync-protocol.md`,
//! "Refused grids"): the sync status lists each blocked grid with its
//! reason, its held changes and the confirmation to discard it
//! (`BlockedGrid`, the core's type); holding is the default and needs no
//! call. These methods forward to the core's `discard_quarantined_grid` and
//! `discarded_grids` through the blocking pool; a new way out adds its
//! method here.

use gridbook::sync::{DiscardConfirmation, DiscardedGrid};

use super::Store;
use crate::Result;

#[uniffi::export]
impl Store {
    /// Discards a grid the sync server refused, after the user agreed: its
    /// held changes, its documents and its rows leave this store, and the
    /// discard is recorded (`discardedGrids`). Pass the `confirmation` of the
    /// grid's `BlockedGrid` from the current sync status. Fails with
    /// `GridNotBlocked` if the grid is not blocked, and with
    /// `StaleConfirmation` if the confirmation no longer matches (edits or a
    /// sync came in between: read the status and ask again); either way
    /// nothing changes.
    pub async fn discard_quarantined_grid(
        &self,
        grid_id: String,
        confirmation: DiscardConfirmation,
    ) -> Result<DiscardedGrid> {
        self.call(move |s| s.discard_quarantined_grid(&grid_id, &confirmation))
            .await
    }

    /// Every grid discarded from this store, oldest first: who, when, which
    /// grid, how many held changes were dropped and why.
    pub async fn discarded_grids(&self) -> Result<Vec<DiscardedGrid>> {
        self.call(|s| s.discarded_grids()).await
    }
}
