// Live queries (LiveQueries.swift): a sequence yields the current result,
// then once per change that affects it (a local edit, a merge), never for
// another grid, and its listener is gone once the consuming task is cancelled.
import Foundation
import XCTest

import Gridbook

/// Counts the changes the core reports for a query; called on the writer's thread.
final class ChangeCounter: LiveQueryListener, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func onChange(origin: ChangeOrigin) {
        lock.lock()
        count += 1
        lock.unlock()
    }

    var heard: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}

/// A listener that always throws, as a buggy app's would.
final class ThrowingListener: LiveQueryListener, @unchecked Sendable {
    struct AppBug: Error {}

    func onChange(origin: ChangeOrigin) throws {
        throw AppBug()
    }
}

/// What a consuming task received, read from the test.
final class Collected<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []

    func append(_ item: T) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    var all: [T] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }

    /// Waits until `count` items arrived (at most 10 s; no speed is asserted).
    func waitFor(count: Int) async throws -> [T] {
        for _ in 0..<1000 where all.count < count {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTAssertGreaterThanOrEqual(all.count, count, "an expected element did not arrive")
        return all
    }
}

/// Long enough for a wrongly sent element to arrive.
let quietNanos: UInt64 = 300_000_000

func householdInput(_ building: String, _ room: String) -> HouseholdInput {
    HouseholdInput(
        buildingId: building, unit: "1", floor: 3, room: room, useKind: .ownerOccupied,
        tags: [], location: nil, notes: nil
    )
}

/// A second grid with one building in `store`; returns the building.
func otherGrid(_ store: Store) async throws -> String {
    let grid = try await store.createGrid(
        input: GridInput(code: "330106001001002", name: "文新二网格", community: nil, street: nil, boundary: nil)
    )
    return try await store.createBuilding(
        gridId: grid, input: BuildingInput(number: "9栋", estate: nil, units: 1, floors: 6, location: nil)
    )
}

final class LiveQueryTests: TempDirTestCase {
    func testLiveRosterYieldsOncePerLocalEditAndMergeNeverForAnotherGrid() async throws {
        let dir = try dir("live")
        let a = try await openStore(dir, "w-zhang")
        let b = try await openStore(dir, "w-li")
        let f = try await fixture(a)
        let otherBuilding = try await otherGrid(a)
        _ = try await b.importChanges(bytes: try await a.exportSince(cursor: 0).bytes)
        let counter = ChangeCounter()
        let counterId = try a.subscribe(query: .roster(gridId: f.grid), listener: counter)

        let rosters = Collected<[RosterRow]>()
        let stream = a.rosterUpdates(gridId: f.grid)
        let consumer = Task { for try await roster in stream { rosters.append(roster) } }
        var seen = try await rosters.waitFor(count: 1)
        XCTAssertEqual(seen[0].count, 1, "initial roster")
        XCTAssertEqual(a.listenerCount(), 2, "the sequence's listener and the counter")

        _ = try await a.createHousehold(input: householdInput(f.building, "601"))
        seen = try await rosters.waitFor(count: 2)
        XCTAssertEqual(seen[1].count, 2, "after a local edit")
        XCTAssertEqual(counter.heard, 1)

        _ = try await a.createHousehold(input: householdInput(otherBuilding, "101"))
        XCTAssertEqual(counter.heard, 1, "another grid's edit is not heard")
        try await Task.sleep(nanoseconds: quietNanos)
        XCTAssertEqual(rosters.all.count, 2, "no element for another grid")

        _ = try await b.createHousehold(input: householdInput(f.building, "701"))
        let report = try await a.importChanges(bytes: try await b.exportSince(cursor: 0).bytes)
        XCTAssertGreaterThan(report.newChanges, 0)
        seen = try await rosters.waitFor(count: 3)
        XCTAssertEqual(seen[2].map { $0.household.room }.sorted(), ["502", "601", "701"], "after a merge")
        XCTAssertEqual(counter.heard, 2, "one change per merge")
        try await Task.sleep(nanoseconds: quietNanos)
        XCTAssertEqual(rosters.all.count, 3, "exactly one element per change")

        consumer.cancel()
        _ = await consumer.result
        XCTAssertEqual(a.listenerCount(), 1, "the sequence unsubscribed when its task was cancelled")
        XCTAssertTrue(a.unsubscribe(id: counterId))
        XCTAssertEqual(a.listenerCount(), 0)
    }

    func testLiveHouseholdAndSyncStatusFollowALoggedVisit() async throws {
        let store = try await openStore(try dir("live-household"), "w-zhang")
        let f = try await fixture(store)
        let details = Collected<HouseholdDetail>()
        let statuses = Collected<SyncStatus>()
        let householdStream = store.householdUpdates(householdId: f.household)
        let statusStream = store.syncStatusUpdates()
        let consumers = [
            Task { for try await detail in householdStream { details.append(detail) } },
            Task { for try await status in statusStream { statuses.append(status) } },
        ]
        let initial = try await details.waitFor(count: 1)
        XCTAssertEqual(initial[0].visits.count, 0)
        let before = try await statuses.waitFor(count: 1)[0].unsentChanges
        _ = try await store.logVisit(input: visitInput(f.household, seen: [], notes: "身体状况良好"))
        let visited = try await details.waitFor(count: 2)
        XCTAssertEqual(visited[1].visits.count, 1, "the visit arrives")
        let after = try await statuses.waitFor(count: 2)
        XCTAssertEqual(after[1].unsentChanges, before + 1, "one more unsent")
        for consumer in consumers {
            consumer.cancel()
            _ = await consumer.result
        }
        XCTAssertEqual(store.listenerCount(), 0, "both sequences unsubscribed")
    }

    func testAListenerThatThrowsIsCountedAndTheStoreGoesOn() async throws {
        let store = try await openStore(try dir("live-throw"), "w-zhang")
        let f = try await fixture(store)
        _ = try store.subscribe(query: .roster(gridId: f.grid), listener: ThrowingListener())
        _ = try await store.createHousehold(input: householdInput(f.building, "601"))
        XCTAssertEqual(try store.listenerFailures(), 1, "the failure is counted")
        await XCTAssertEqualAsync(try await store.roster(gridId: f.grid).count, 2, "the edit committed")
    }
}
