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

    func onProgress(progress: SyncProgress) {}
}

final class LifetimeTests: TempDirTestCase {
    func testAReleasedStoreIsFreedAndItsFileReopens() throws {
        let dir = try dir("release")
        weak var released: Store?
        var f: Fixture?
        do {
            let store = try openStore(dir, "w-zhang")
            released = store
            f = try fixture(store)
            XCTAssertNotNil(released)
        }
        XCTAssertNil(released, "the Store outlived its last reference")
        let reopened = try openStore(dir, "w-zhang")
        XCTAssertEqual(try reopened.roster(gridId: f!.grid).count, 1, "the data is there after reopening")
    }

    func testResultsOutliveTheirStore() throws {
        let dir = try dir("results")
        var store: Store? = try openStore(dir, "w-zhang")
        let f = try fixture(store!)
        let residentId = try store!.createResident(input: residentInput(f.household))
        let detail = try store!.household(householdId: f.household)
        store = nil
        // Records are Swift values: they do not point into the freed store.
        XCTAssertEqual(detail.members.map(\.id), [residentId])
        XCTAssertEqual(detail.members[0].phones, ["13800138000"])
    }

    func testRustReleasesTheListenerAndHandlesAfterASync() throws {
        let store = try openStore(dir("listener"), "w-zhang")
        let client = try SyncClient(serverUrl: closedPort, token: "token", extraRootCertificatePem: nil)
        let aliveBefore = CountingListener.count
        weak var weakListener: CountingListener?
        weak var weakCancel: CancelHandle?
        do {
            let listener = CountingListener()
            let cancel = CancelHandle()
            weakListener = listener
            weakCancel = cancel
            cancel.cancel()
            XCTAssertEqual(expectGridbookError("a cancelled sync") { try client.sync(store: store, listener: listener, cancel: cancel) }, .cancelled)
            XCTAssertEqual(CountingListener.count, aliveBefore + 1)
        }
        XCTAssertNil(weakListener, "Rust kept the Swift listener after the sync returned")
        XCTAssertNil(weakCancel, "the CancelHandle outlived its last reference")
        XCTAssertEqual(CountingListener.count, aliveBefore)
    }

    func testOneCancelHandleSharedByThreads() {
        let cancel = CancelHandle()
        let seen = Failures()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            if i == 7 { cancel.cancel() }
            _ = cancel.isCancelled()
        }
        if !cancel.isCancelled() { seen.add("not cancelled") }
        XCTAssertEqual(seen.all, [])
    }
}
