// Object lifetimes: Swift owns a handle to each Rust object and frees it
// when the last reference goes; Rust holds a Swift listener only while it
// needs it.
import Foundation
import XCTest

import Gridbook

/// Counts the instances alive, to see that Rust let go of every listener.
final class CountingListener: SyncListener, @unchecked Sendable {
    nonisolated(unsafe) static var alive = 0
    private static let lock = NSLock()

    static var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return alive
    }

    init() {
        Self.lock.lock()
        Self.alive += 1
        Self.lock.unlock()
    }

    deinit {
        Self.lock.lock()
        Self.alive -= 1
        Self.lock.unlock()
    }

    /// Throws at once: the sync stops before any request.
    func onProgress(progress: SyncProgress) throws {
        throw TestError("stop")
    }
}

final class LifetimeTests: TempDirTestCase {
    func testAReleasedStoreIsFreedAndItsFileReopens() async throws {
        let dir = try dir("release")
        weak var released: Store?
        var f: Fixture?
        do {
            let store = try await openStore(dir, "w-zhang")
            released = store
            f = try await fixture(store)
            XCTAssertNotNil(released)
        }
        XCTAssertNil(released, "the Store outlived its last reference")
        let reopened = try await openStore(dir, "w-zhang")
        await XCTAssertEqualAsync(try await reopened.roster(gridId: f!.grid).count, 1, "the data is there after reopening")
    }

    func testResultsOutliveTheirStore() async throws {
        let dir = try dir("results")
        var store: Store? = try await openStore(dir, "w-zhang")
        let f = try await fixture(store!)
        let residentId = try await store!.createResident(input: residentInput(f.household))
        let detail = try await store!.household(householdId: f.household)
        store = nil
        // Records are Swift values: they do not point into the freed store.
        XCTAssertEqual(detail.members.map(\.id), [residentId])
        XCTAssertEqual(detail.members[0].phones, ["138****8000"])
    }

    func testRustReleasesTheListenerAfterASync() async throws {
        let store = try await openStore(dir("listener"), "w-zhang")
        let aliveBefore = CountingListener.count
        weak var weakListener: CountingListener?
        do {
            let listener = CountingListener()
            weakListener = listener
            let error = await expectGridbookError("a listener that throws") { try await store.sync(server: server(closedPort), listener: listener) }
            XCTAssertEqual(error, .ListenerFailed(listener: "SyncListener.onProgress"))
            XCTAssertEqual(CountingListener.count, aliveBefore + 1)
        }
        XCTAssertNil(weakListener, "Rust kept the Swift listener after the sync returned")
        XCTAssertEqual(CountingListener.count, aliveBefore)
    }

    /// Item of the lifecycle rule: the test drops its last reference while
    /// Tasks still read, write and sync; each Task keeps the store alive, the
    /// store is freed after the last, and the file reopens whole. With and
    /// without a key.
    func testDroppingTheStoreWhileTasksUseItFreesItAfterThem() async throws {
        var quick = defaultSyncSettings()
        quick.maxAttempts = 1_000_000
        quick.initialBackoffMs = 1
        quick.maxBackoffMs = 2
        let settings = quick
        for round in 0..<20 {
            let dir = try dir("race-\(round)")
            let key: String? = round % 2 == 0 ? "secret" : nil
            weak var released: Store?
            var tasks: [Task<Void, Never>] = []
            var f: Fixture?
            do {
                let store = try await openStore(dir, "w-zhang", key: key)
                released = store
                let fx = try await fixture(store)
                f = fx
                tasks.append(Task { _ = try? await store.sync(server: server(closedPort, settings: settings)) })
                for _ in 0..<4 {
                    tasks.append(Task {
                        for _ in 0..<20 {
                            _ = try? await store.roster(gridId: fx.grid)
                            _ = try? await store.createResident(input: residentInput(fx.household))
                        }
                    })
                }
                try await Task.sleep(nanoseconds: UInt64(round % 4) * 1_000_000)
            }
            tasks[0].cancel()
            for task in tasks { await task.value }
            tasks.removeAll()
            XCTAssertNil(released, "round \(round): the store outlived its tasks")
            let reopened = try await openStore(dir, "w-zhang", key: key)
            await XCTAssertEqualAsync(try await reopened.roster(gridId: f!.grid).map(\.household.id), [f!.household], "round \(round)")
        }
    }

    /// `close()` closes the file before it returns: a live sequence ends with
    /// `Closed`, every later call fails with `Closed`, and the file can be
    /// deleted (a worker signing out), though the app still holds the store.
    func testCloseEndsLiveQueriesAndLaterCallsFailWithClosed() async throws {
        let dir = try dir("close")
        let store = try await openStore(dir, "w-zhang", key: "secret")
        let f = try await fixture(store)
        let rosters = Collected<[RosterRow]>()
        let stream = store.rosterUpdates(gridId: f.grid)
        let consumer = Task { () -> Error? in
            do {
                for try await roster in stream { rosters.append(roster) }
                return nil
            } catch {
                return error
            }
        }
        _ = try await rosters.waitFor(count: 1)
        XCTAssertEqual(store.listenerCount(), 1)

        try await store.close()
        try await store.close()
        let ended = await consumer.value
        XCTAssertEqual(ended as? GridbookError, .closed, "the live sequence ends with Closed")
        XCTAssertEqual(store.listenerCount(), 0)
        await XCTAssertEqualAsync(await expectGridbookError("a read") { try await store.roster(gridId: f.grid) }, .closed)
        await XCTAssertEqualAsync(await expectGridbookError("a write") { try await store.createResident(input: residentInput(f.household)) }, .closed)
        await XCTAssertEqualAsync(await expectGridbookError("a sync") { try await store.sync(server: server(closedPort)) }, .closed)
        XCTAssertThrowsError(try store.subscribe(query: .syncStatus, listener: ChangeSignalProbe())) { error in
            XCTAssertEqual(error as? GridbookError, .closed)
        }
        await XCTAssertEqualAsync(await store.identity().workerId, "w-zhang", "identity still answers")
        XCTAssertEqual(String(describing: GridbookError.closed), "the store was closed; open it again to go on")

        for file in try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil) {
            try FileManager.default.removeItem(at: file)
        }
        let fresh = try await openStore(dir, "w-zhang", key: "secret")
        await XCTAssertEqualAsync(try await fresh.grids().count, 0, "a fresh store")
    }
}

/// A listener that ignores what it hears.
final class ChangeSignalProbe: LiveQueryListener, @unchecked Sendable {
    func onChange(origin: ChangeOrigin) {}
}
