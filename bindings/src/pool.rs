//! The blocking pool every exported call runs its core call on, so that the
//! generated Kotlin `suspend fun` and Swift `async func` never block a
//! coroutine dispatcher or Swift's cooperative pool.
//!
//! The core is synchronous (SQLite, blocking HTTP), so an exported `async fn`
//! hands its work to [`run`], which runs it on a thread of tokio's blocking
//! pool and resolves when it returns. tokio is already in the library
//! (reqwest's blocking client runs on it), so the pool costs no new
//! dependency. No tokio runtime is driven: only its blocking pool is used, and
//! the future [`run`] returns is polled by uniffi's foreign executor (Kotlin
//! coroutines, Swift tasks). Dropping that future (a cancelled coroutine)
//! detaches the work: it runs to its end and its result is discarded; a sync
//! is stopped by the cancel guard in `crate::sync` instead.
//!
//! To run something new off the calling thread, pass it to [`run`] (a `Store`
//! method uses `Store::call`, which does so).

use std::sync::OnceLock;
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};

use crate::{GridbookError, Result};

/// At most this many calls run at once; more wait for a thread. Calls on one
/// store are serialised inside the core anyway, so this bounds the threads of
/// an app with many stores or many queued calls, not their speed.
const MAX_THREADS: usize = 32;

/// An idle pool thread exits after this long.
const KEEP_ALIVE: Duration = Duration::from_secs(10);

/// The process's pool, built at the first call. Never dropped: a pool thread
/// may still be finishing a detached call when the app stops using the library.
fn pool() -> Result<&'static Runtime> {
    static POOL: OnceLock<Result<Runtime, String>> = OnceLock::new();
    POOL.get_or_init(|| {
        Builder::new_current_thread()
            .thread_name("gridbook-blocking")
            .max_blocking_threads(MAX_THREADS)
            .thread_keep_alive(KEEP_ALIVE)
            .build()
            .map_err(|error| error.to_string())
    })
    .as_ref()
    .map_err(|detail| GridbookError::Database {
        detail: format!("no thread for the call: {detail}"),
    })
}

/// Runs `work` on the blocking pool and returns its result. A panic in `work`
/// (a bug) continues in the caller, where uniffi turns it into an internal
/// error, as a panic in a blocking call would be.
pub(crate) async fn run<T, F>(work: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    match pool()?.spawn_blocking(work).await {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Only a runtime shutting down cancels a blocking task, and this one never does.
        Err(_) => Err(gridbook::sync::SyncError::Cancelled.into()),
    }
}
