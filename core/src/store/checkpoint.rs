//! Background WAL checkpoints: the writer never pays for copying the WAL
//! back into the database file. Tune the constants here; the checkpointer is
//! started and stopped with the store.

use std::sync::mpsc;

use rusqlite::Connection;

use crate::error::{Error, Result};

/// How many commits pass between two background WAL checkpoints.
pub(super) const CHECKPOINT_EVERY_COMMITS: u64 = 64;

/// The WAL size (pages) at which the writer checkpoints by itself, in case
/// the checkpointer falls behind.
pub(super) const SAFETY_NET_WAL_PAGES: i64 = 10_000;

/// Copies the WAL back into the database file on a thread and connection of
/// its own (a PASSIVE checkpoint never blocks the writer), so that no edit
/// pays for a checkpoint. SQLite's own automatic checkpoint stays as a
/// safety net at a much larger WAL size.
pub(super) struct Checkpointer {
    signal: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    pub(super) fn start(conn: Connection) -> Result<Checkpointer> {
        let (signal, requests) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("gridbook-checkpoint".into())
            .spawn(move || {
                while requests.recv().is_ok() {
                    // Coalesce requests that queued up during the last checkpoint.
                    while requests.try_recv().is_ok() {}
                    // Best effort: a failed checkpoint is retried at the next request.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .map_err(|e| Error::document("checkpointer", e))?;
        Ok(Checkpointer {
            signal: Some(signal),
            thread: Some(thread),
        })
    }

    pub(super) fn request(&self) {
        if let Some(signal) = &self.signal {
            let _ = signal.send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.signal.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
