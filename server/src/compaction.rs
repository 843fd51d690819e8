//! Background compaction: once a grid's log has grown by more than the
//! configured number of changes since its generation, its changed documents
//! are folded into snapshots (`gridbook::sync::compact_document`) and the
//! new generation is published with a compare-and-set, so two processes
//! compacting the same grid cannot both win; the loser's work is dropped.
//!
//! The log itself is kept: devices with a cursor keep replaying it. To
//! change when compaction runs, change [`Compactor::after_push`].

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crate::error::ServerError;
use crate::storage::{GridAppend, Storage};

/// What one compaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompactionOutcome {
    /// Nothing new since the last compaction.
    UpToDate,
    /// Snapshots stored; the grid's generation is now `generation`.
    Compacted {
        /// The new generation.
        generation: u64,
        /// Documents compacted.
        documents: usize,
    },
    /// Another compaction published first; nothing was stored.
    LostRace,
}

/// Compacts a grid now: its documents changed since the generation, up to
/// the last log position.
pub async fn compact_grid(
    storage: &dyn Storage,
    grid_id: &str,
) -> Result<CompactionOutcome, ServerError> {
    let Some(state) = storage.grid_state(grid_id.to_string()).await? else {
        return Ok(CompactionOutcome::UpToDate);
    };
    if state.last_seq <= state.generation {
        return Ok(CompactionOutcome::UpToDate);
    }
    let inputs = storage
        .compaction_input(grid_id.to_string(), state.last_seq)
        .await?;
    let documents = inputs.len();
    let snapshots = tokio::task::spawn_blocking(move || {
        inputs
            .into_iter()
            .map(|input| {
                let mut chunks = Vec::with_capacity(input.changes.len() + 1);
                chunks.extend(input.snapshot);
                chunks.extend(input.changes);
                gridbook::sync::compact_document(&input.doc_id, &chunks)
                    .map(|bytes| (input.doc_id, bytes))
                    .map_err(|e| ServerError::Compaction(e.to_string()))
            })
            .collect::<Result<Vec<_>, ServerError>>()
    })
    .await
    .map_err(|e| ServerError::Compaction(format!("task failed: {e}")))??;
    let won = storage
        .store_compaction(
            grid_id.to_string(),
            state.generation,
            state.last_seq,
            snapshots,
        )
        .await?;
    Ok(if won {
        CompactionOutcome::Compacted {
            generation: state.last_seq,
            documents,
        }
    } else {
        CompactionOutcome::LostRace
    })
}

/// Starts compactions in the background after pushes.
#[derive(Clone)]
pub struct Compactor {
    storage: Arc<dyn Storage>,
    threshold: u64,
    running: Arc<Mutex<HashSet<String>>>,
}

impl std::fmt::Debug for Compactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Compactor(after {})", self.threshold)
    }
}

impl Compactor {
    /// Compacts grids whose log grew by more than `threshold` changes.
    pub fn new(storage: Arc<dyn Storage>, threshold: u64) -> Compactor {
        Compactor {
            storage,
            threshold,
            running: Arc::new(Mutex::new(HashSet::new())),
        }
    }

    /// Whether a grid in this state is due.
    pub fn due(&self, append: &GridAppend) -> bool {
        append.last_seq.saturating_sub(append.generation) > self.threshold
    }

    /// Spawns a compaction of each due grid not already being compacted by
    /// this process. Call from inside the tokio runtime.
    pub fn after_push(&self, appends: &[GridAppend]) {
        for append in appends.iter().filter(|a| self.due(a)) {
            let Ok(mut running) = self.running.lock() else {
                return;
            };
            if !running.insert(append.grid_id.clone()) {
                continue;
            }
            drop(running);
            let this = self.clone();
            let grid_id = append.grid_id.clone();
            tokio::spawn(async move {
                let started = std::time::Instant::now();
                match compact_grid(this.storage.as_ref(), &grid_id).await {
                    Ok(CompactionOutcome::Compacted {
                        generation,
                        documents,
                    }) => tracing::info!(
                        grid_id = %grid_id, generation, documents,
                        duration_ms = started.elapsed().as_millis() as u64,
                        "grid compacted"
                    ),
                    Ok(CompactionOutcome::LostRace) => tracing::info!(
                        grid_id = %grid_id,
                        "compaction lost the race to another one; dropped"
                    ),
                    Ok(CompactionOutcome::UpToDate) => {}
                    Err(e) => tracing::warn!(grid_id = %grid_id, error = %e, "compaction failed"),
                }
                if let Ok(mut running) = this.running.lock() {
                    running.remove(&grid_id);
                }
            });
        }
    }
}
