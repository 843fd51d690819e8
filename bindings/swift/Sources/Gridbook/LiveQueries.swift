// Live queries as Swift async sequences: the current result first, then a
// fresh one each time a committed local edit, merge or rebuild affects the
// query, and only then. Which changes affect which query is decided in the
// core (LiveQuery, Store.subscribe); this file only re-reads. To add a live
// query: a LiveQuery variant in the core, then one function below.
import Foundation

/// Turns the store's calls on the writer's thread into an async sequence of
/// "re-read now" signals, keeping at most one pending (changes conflate).
final class ChangeSignal: LiveQueryListener, @unchecked Sendable {
    // AsyncStream's continuation is thread-safe; nothing else is mutable.
    let changes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Called on the thread that wrote: only signal, never read here.
    func onChange(origin: ChangeOrigin) {
        continuation.yield(())
    }

    func finish() {
        continuation.finish()
    }
}

extension Store {
    /// An async sequence of `read`'s result for `query`: one element when
    /// iteration starts, then another after every committed change that
    /// affects `query`. Changes arriving while a read runs are conflated into
    /// one more read, and a slow consumer sees only the latest result. The
    /// listener is registered before the first read, so no change is missed,
    /// and removed when the sequence terminates (the consuming task is
    /// cancelled or the loop is left). A failed read ends the sequence with
    /// its error; closing the store ends it with `GridbookError.Closed`.
    public func liveQuery<T: Sendable>(
        _ query: LiveQuery,
        read: @escaping @Sendable () async throws -> T
    ) -> AsyncThrowingStream<T, Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let signal = ChangeSignal()
            let id: Int64
            do {
                id = try self.subscribe(query: query, listener: signal)
            } catch {
                return continuation.finish(throwing: error)
            }
            let reader = Task.detached {
                do {
                    continuation.yield(try await read())
                    for await _ in signal.changes {
                        continuation.yield(try await read())
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in
                reader.cancel()
                signal.finish()
                _ = self.unsubscribe(id: id)
            }
        }
    }

    /// The roster of a grid, live.
    public func rosterUpdates(gridId: String) -> AsyncThrowingStream<[RosterRow], Error> { liveQuery(.roster(gridId: gridId)) { try await self.roster(gridId: gridId) } }

    /// One household with its residents and visits, live.
    public func householdUpdates(householdId: String) -> AsyncThrowingStream<HouseholdDetail, Error> { liveQuery(.household(householdId: householdId)) { try await self.household(householdId: householdId) } }

    /// The households of a grid due for a visit today under `policy` (nil: the default), live; re-read on changes, not at midnight.
    public func visitsDueUpdates(gridId: String, policy: VisitPolicy? = nil) -> AsyncThrowingStream<[VisitDue], Error> { liveQuery(.visitsDue(gridId: gridId)) { try await self.visitsDue(gridId: gridId, today: await self.today(), policy: policy) } }

    /// The conflicts of a grid, live.
    public func conflictsUpdates(gridId: String) -> AsyncThrowingStream<[Conflict], Error> { liveQuery(.conflicts(gridId: gridId)) { try await self.conflicts(gridId: gridId) } }

    /// What waits to be sent, live: re-read after every local edit and every sync round.
    public func syncStatusUpdates() -> AsyncThrowingStream<SyncStatus, Error> { liveQuery(.syncStatus) { try await self.syncStatus() } }

    /// A grid's open events (neither closed nor cancelled), most urgent first, live.
    public func openEventsUpdates(gridId: String) -> AsyncThrowingStream<[Event], Error> { liveQuery(.events(gridId: gridId)) { try await self.eventsOpen(gridId: gridId) } }

    /// The photos this phone holds for a grid with their upload states, live.
    public func photoStatesUpdates(gridId: String) -> AsyncThrowingStream<[PhotoInfo], Error> { liveQuery(.photos(gridId: gridId)) { try await self.photoStates(gridId: gridId) } }

    /// A volunteer's points account on `today`, live: re-read after an award, an exchange, a rule or a patrol check-in.
    public func pointsAccountUpdates(gridId: String, volunteerId: String, today: DateComponents) -> AsyncThrowingStream<PointsAccount, Error> {
        liveQuery(.points(gridId: gridId)) { try await self.pointsAccount(gridId: gridId, volunteerId: volunteerId, today: today) }
    }
}
