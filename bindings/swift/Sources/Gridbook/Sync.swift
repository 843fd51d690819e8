// Hand-written beside the generated bindings (see bindings/README.md, "The
// hand-written platform layer"): Store.sync that stops when its Task is
// cancelled, and with a closure instead of a SyncListener object.
import Foundation

extension Store {
    /// Syncs this store with `server` until neither side has anything new
    /// for the other and returns the last progress (stage `.done`);
    /// `listener` (or nil) hears every step, on a thread of the library's pool.
    ///
    /// Cancelling the calling Task cancels the sync through `cancelSync()`:
    /// it throws `GridbookError.Cancelled` at its next check (before its next
    /// request, while waiting to retry, or when a request in flight ends).
    /// `cancelSync()` stops every sync of this store, also one waiting for
    /// its turn. What was applied before stays applied.
    public func sync(server: SyncServer, listener: SyncListener?) async throws -> SyncProgress {
        let relay = CancellingListener(store: self, listener: listener)
        return try await withTaskCancellationHandler {
            try await syncIgnoringTaskCancellation(server: server, listener: relay)
        } onCancel: {
            relay.cancel()
        }
    }

    /// `sync(server:listener:)` with a closure for the progress. If it
    /// throws, the sync stops with `GridbookError.ListenerFailed`.
    public func sync(
        server: SyncServer,
        onProgress: @escaping @Sendable (SyncProgress) throws -> Void = { _ in }
    ) async throws -> SyncProgress {
        try await sync(server: server, listener: ProgressClosure(onProgress))
    }
}

/// Passes progress on to the app's listener, and repeats a Task's
/// cancellation at every step: a cancellation that arrives before Rust has
/// registered the sync (so `cancelSync()` found nothing to stop) is repeated
/// at its first progress report, and the sync stops at its next check.
private final class CancellingListener: SyncListener, @unchecked Sendable {
    private let store: Store
    private let listener: SyncListener?
    private let lock = NSLock()
    private var cancelled = false

    init(store: Store, listener: SyncListener?) {
        self.store = store
        self.listener = listener
    }

    func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
        store.cancelSync()
    }

    func onProgress(progress: SyncProgress) throws {
        lock.lock()
        let cancelled = self.cancelled
        lock.unlock()
        if cancelled { store.cancelSync() }
        try listener?.onProgress(progress: progress)
    }
}

/// A closure as a `SyncListener`.
private final class ProgressClosure: SyncListener {
    let onProgress: @Sendable (SyncProgress) throws -> Void

    init(_ onProgress: @escaping @Sendable (SyncProgress) throws -> Void) {
        self.onProgress = onProgress
    }

    func onProgress(progress: SyncProgress) throws {
        try onProgress(progress)
    }
}
