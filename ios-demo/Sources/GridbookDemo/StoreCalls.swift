import Dispatch
import Gridbook

/// Runs the store's blocking calls on an injected dispatch queue (a
/// concurrent queue of the app's in the app, a named one in tests), never on
/// the caller's thread: the main thread stays free while SQLite or a sync works.
///
/// `changes` counts the writes and syncs made through it, so screens showing
/// data can reload when it moves.
public final class StoreCalls: Sendable {
    public let store: Store
    private let queue: DispatchQueue

    /// Incremented after every `write` (a visit logged, a sync applied).
    public let changes = StateCell<Int64>(0)

    public init(store: Store, queue: DispatchQueue) {
        self.store = store
        self.queue = queue
    }

    /// A read: `body` runs on the injected queue; the caller awaits its result.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Store) throws -> T) async throws -> T {
        try await blocking { [store] in try body(store) }
    }

    /// A write: like `read`, then `changes` moves on (also when `body` threw:
    /// part of a sync may have applied).
    public func write<T: Sendable>(_ body: @escaping @Sendable (Store) throws -> T) async throws -> T {
        let result: Result<T, Error>
        do {
            result = .success(try await read(body))
        } catch {
            result = .failure(error)
        }
        await MainActor.run { changes.value += 1 }
        return try result.get()
    }

    /// Runs `body` on the injected queue without touching the store (other blocking work).
    public func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
