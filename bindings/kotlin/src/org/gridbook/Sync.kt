// Hand-written beside the generated bindings (see bindings/README.md, "The
// hand-written platform layer"): Store.sync with a lambda instead of a
// SyncListener object, since the generated callback interface cannot be a
// `fun interface`.
package org.gridbook

import org.gridbook.core.SyncProgress

/**
 * Syncs this store with [server] until neither side has anything new for the
 * other and returns the last progress (stage `DONE`), calling [onProgress]
 * after every step. [onProgress] runs on a thread of the library's pool: keep
 * it short and post to the UI from it. If it throws, the sync stops with
 * `GridbookException.ListenerFailed`; what was applied stays applied.
 *
 * Cancelling the calling coroutine cancels the sync (it fails with
 * `GridbookException.Cancelled` at its next check; see `Store.sync`).
 */
suspend fun Store.sync(server: SyncServer, onProgress: (SyncProgress) -> Unit = {}): SyncProgress {
    val report = onProgress
    return sync(
        server,
        object : SyncListener {
            override fun onProgress(progress: SyncProgress) = report(progress)
        },
    )
}
