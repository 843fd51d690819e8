import Gridbook

/// The store's calls. Every store call is `async` and runs on the library's
/// own thread pool, so `read` and `write` may be awaited from any actor, the
/// main one included. Screens do not re-read after a write: they follow the
/// store's live queries (`store`), which the core signals after every
/// committed change that affects them.
public final class StoreCalls: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// A read: the caller awaits `body`'s result.
    public func read<T: Sendable>(_ body: @Sendable (Store) async throws -> T) async throws -> T {
        try await body(store)
    }

    /// A write (a visit logged, a sync).
    public func write<T: Sendable>(_ body: @Sendable (Store) async throws -> T) async throws -> T {
        try await body(store)
    }
}
