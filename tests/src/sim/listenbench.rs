//! `gridbench`'s change-listener keys: the cost a registered listener adds to
//! the write path. Visits are logged through `Store::log_visit` in blocks,
//! each block with 0, 1 or 8 live-query listeners registered
//! (`Store::subscribe_query`), the three rotating so that the store's growth
//! and the machine's noise fall on all three alike. A listener does what the
//! bindings' live queries do: the core decides whether the change affects
//! its query, and it counts (the Kotlin and Swift ones post to a channel).
//!
//! To measure another listener count, add it to [`LISTENER_COUNTS`] and its
//! keys to `gridbench`'s report.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use gridbook::{LiveQuery, Store, VisitInput};

use super::SimError;
use crate::generator::GeneratedGrid;
use crate::stats::{micros, percentile};

/// The listener counts measured, in rotation.
pub const LISTENER_COUNTS: [usize; 3] = [0, 1, 8];
/// Visits logged in a row under one listener count.
const BLOCK: usize = 25;

/// Write latencies by listener count (the order of [`LISTENER_COUNTS`]).
#[derive(Debug, Clone)]
pub struct ListenBench {
    /// Visits logged under each listener count.
    pub writes_each: usize,
    /// Median `log_visit` latency in microseconds.
    pub p50_us: [f64; 3],
    /// 99th percentile `log_visit` latency in microseconds.
    pub p99_us: [f64; 3],
}

/// The `i`-th listener's query: the live queries of a few open screens.
fn query(grid: &GeneratedGrid, i: usize) -> LiveQuery {
    let grid_id = grid.grid_id.clone();
    match i % 5 {
        0 => LiveQuery::Roster { grid_id },
        1 => LiveQuery::VisitsDue { grid_id },
        2 => LiveQuery::Conflicts { grid_id },
        3 => LiveQuery::SyncStatus,
        _ => LiveQuery::Household {
            household_id: grid.household_ids.get(i).cloned().unwrap_or_default(),
        },
    }
}

/// Logs `inputs` in rotating blocks and times each call.
pub fn measure(
    store: &Store,
    grid: &GeneratedGrid,
    inputs: &[VisitInput],
) -> Result<ListenBench, SimError> {
    let mut samples: [Vec<f64>; 3] = Default::default();
    let heard = Arc::new(AtomicU64::new(0));
    let mut roster_writes = 0u64;
    for (block_index, block) in inputs.chunks(BLOCK).enumerate() {
        let mode = block_index % LISTENER_COUNTS.len();
        let ids: Vec<u64> = (0..LISTENER_COUNTS[mode])
            .map(|i| {
                let heard = heard.clone();
                store.subscribe_query(query(grid, i), move |_| {
                    heard.fetch_add(1, Ordering::Relaxed);
                    Ok(())
                })
            })
            .collect();
        for input in block {
            let start = Instant::now();
            store.log_visit(input.clone())?;
            samples[mode].push(micros(start.elapsed()));
        }
        if !ids.is_empty() {
            // The first listener watches the roster, which every visit affects.
            roster_writes += block.len() as u64;
        }
        for id in ids {
            store.unsubscribe(id);
        }
    }
    if heard.load(Ordering::Relaxed) < roster_writes {
        return Err("a roster listener missed a visit".into());
    }
    Ok(ListenBench {
        writes_each: samples[0].len(),
        p50_us: samples.each_ref().map(|s| percentile(s, 50.0)),
        p99_us: samples.each_ref().map(|s| percentile(s, 99.0)),
    })
}
