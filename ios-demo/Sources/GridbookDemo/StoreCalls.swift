import Gridbook

/// The store's calls, counted: `changes` counts the writes and syncs made
/// through it, so screens showing data can reload when it moves. Every store
/// call is `async` and runs on the library's own thread pool, so `read` and
/// `write` may be awaited from any actor, the main one included.
public final class StoreCalls: Sendable {
    public let store: Store

    /// Incremented after every `write` (a visit logged, a sync applied).
    public let changes = StateCell<Int64>(0)

    public init(store: Store) {
        self.store = store
    }

    /// A read: the caller awaits `body`'s result.
    public func read<T: Sendable>(_ body: @Sendable (Store) async throws -> T) async throws -> T {
        try await body(store)
    }

    /// A write: like `read`, then `changes` moves on (also when `body` threw:
    /// part of a sync may have applied).
    public func write<T: Sendable>(_ body: @Sendable (Store) async throws -> T) async throws -> T {
        let result: Result<T, Error>
        do {
            result = .success(try await read(body))
        } catch {
            result = .failure(error)
        }
        await MainActor.run { changes.value += 1 }
        return try result.get()
    }
}
