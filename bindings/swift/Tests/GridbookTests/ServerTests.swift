// A sync of two stores through a real gridbook-server process on 127.0.0.1.
// The server binary comes from GRIDBOOK_SERVER (set by scripts/test-swift).
import Foundation
import XCTest

import Gridbook

private func syncOnce(_ client: SyncServer, _ store: Store) async throws -> (SyncProgress, [SyncProgress]) {
    let listener = RecordingListener()
    let report = try await store.sync(server: client, listener: listener)
    return (report, listener.seen)
}

final class ServerTests: XCTestCase {
    private var dir: URL!
    private var data: URL!
    private var deviceA = ""
    private var tokenA = ""
    private var tokenB = ""
    private var running: RunningServer?

    /// Starts the server here, on the main thread: a process spawned from an
    /// async test's thread (a Swift concurrency worker, whose signals are
    /// blocked) inherits that mask and would never see its SIGTERM.
    override func setUpWithError() throws {
        dir = try tempDir("server")
        data = dir.appendingPathComponent("server-data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try admin(data, "add-worker", "--id", "w-zhang", "--name", "张伟", "--role", "grid_head", "--can-create-grids")
        try admin(data, "add-worker", "--id", "w-li", "--name", "李娜", "--role", "grid_head")
        (deviceA, tokenA) = try issueToken(data, worker: "w-zhang", device: "张伟的手机")
        (_, tokenB) = try issueToken(data, worker: "w-li", device: "李娜的手机")
        running = try RunningServer(data: data, log: dir.appendingPathComponent("server.log"))
    }

    override func tearDown() {
        running?.stop()
        cleanUp(dir)
        super.tearDown()
    }

    func testTwoStoresSyncThroughARealGridbookServer() async throws {
        let (dir, data, deviceA, tokenA, tokenB) = (self.dir!, self.data!, self.deviceA, self.tokenA, self.tokenB)
        XCTAssertNotEqual(tokenA, tokenB)
        let server = try XCTUnwrap(running)
        // The stores are released at the end of this block (with the clients
        // they cached and their connections), before the server is stopped.
        weak var released: Store?
        weak var releasedB: Store?
        do {
            let a = try await openStore(dir, "w-zhang")
            released = a
            let b = try await openStore(dir, "w-li")
            releasedB = b
            let clientA = SyncServer(url: server.url, token: tokenA, settings: defaultSyncSettings())
            let clientB = SyncServer(url: server.url, token: tokenB, settings: defaultSyncSettings())

            let f = try await fixture(a)
            let residentId = try await a.createResident(input: residentInput(f.household))
            await XCTAssertEqualAsync(try await a.syncStatus().unsentChanges, 4)
            let (report, progress) = try await syncOnce(clientA, a)
            XCTAssertEqual(report.stage, .done)
            XCTAssertEqual(report.pushedChanges, 4, "grid, building, household and resident: \(report)")
            XCTAssertEqual(report.retries, 0)
            XCTAssertGreaterThan(report.bytesSent, 0)
            let synced = try await a.syncStatus()
            XCTAssertEqual([synced.unsentChanges, synced.unsentBytes, synced.heldChanges], [0, 0, 0])
            XCTAssertEqual(synced.blockedGrids, [])
            XCTAssertEqual(progress.last, report, "the last progress is the report")
            XCTAssertTrue(progress.contains { $0.stage == .exchanging }, "stages: \(progress.map(\.stage))")
            print("      progress stages seen by the Swift listener: \(progress.map(\.stage))")

            // B is not assigned to the grid yet: it gets nothing of it.
            let (early, _) = try await syncOnce(clientB, b)
            XCTAssertEqual(early.stage, .done)
            await XCTAssertEqualAsync(try await b.grids().count, 0)

            try admin(data, "assign", "--worker", "w-zhang", "--grid", f.grid)
            try admin(data, "assign", "--worker", "w-li", "--grid", f.grid)
            let (reportB, _) = try await syncOnce(clientB, b)
            XCTAssertGreaterThan(reportB.pulledChunks, 0, "b pulled nothing: \(reportB)")
            XCTAssertEqual(reportB.pushedChanges, 0)
            await XCTAssertEqualAsync(try await b.resident(residentId: residentId).phones, ["138****8000"], "b got the resident, masked")
            await XCTAssertEqualAsync(try await b.roster(gridId: f.grid).map(\.household.id), [f.household])

            // Edits made in A reach B, and B's visit reaches A.
            try await a.updateResident(residentId: residentId, input: residentInput(f.household, phone: "13900139000"))
            _ = try await a.logVisit(input: visitInput(f.household, seen: [residentId], notes: "同步测试"))
            await XCTAssertEqualAsync(try await a.workers(gridId: f.grid).map(\.id), ["w-zhang"])
            await XCTAssertEqualAsync(try await b.syncStatus().unsentChanges, 0)
            let visitB = try await b.logVisit(input: visitInput(f.household, seen: [], notes: "楼下遇见"))
            await XCTAssertEqualAsync(try await b.syncStatus().unsentChanges, 2, "the visit, and b joining the grid's workers")
            await XCTAssertEqualAsync(try await syncOnce(clientA, a).0.pushedChanges, 2)
            await XCTAssertEqualAsync(try await syncOnce(clientB, b).0.pushedChanges, 2)
            await XCTAssertEqualAsync(try await syncOnce(clientA, a).0.pulledChunks, 2)
            await XCTAssertEqualAsync(try await a.workers(gridId: f.grid).map(\.id), ["w-li", "w-zhang"])
            await XCTAssertEqualAsync(try await b.resident(residentId: residentId).phones, ["139****9000"], "b sees a's edit, masked")
            await XCTAssertEqualAsync(Set(try await b.household(householdId: f.household).visits.compactMap(\.notes)), ["同步测试", "楼下遇见"])
            await XCTAssertEqualAsync(try await a.household(householdId: f.household).visits.map(\.id).sorted(),
                           try await b.household(householdId: f.household).visits.map(\.id).sorted())
            await XCTAssertTrueAsync(try await a.household(householdId: f.household).visits.contains { $0.id == visitB && $0.workerId == "w-li" })

            // An idle sync: one round trip, nothing moves.
            let idle = try await syncOnce(clientB, b).0
            XCTAssertEqual(idle.roundTrips, 1)
            XCTAssertEqual(idle.pushedChanges, 0)
            XCTAssertEqual(idle.pulledChunks, 0)

            // B got a's full new phone; the reveal is one entry of the grid's reveal log, pushed.
            await XCTAssertEqualAsync(try await b.revealed(residentId).phones, ["13900139000"], "b got a's full new phone")
            await XCTAssertEqualAsync(try await syncOnce(clientB, b).0.pushedChanges, 1, "the reveal log's entry")

            // A grid B may not create alone is blocked; B keeps its edits, held.
            let other = try await fixture(b)
            _ = try await syncOnce(clientB, b)
            let status = try await b.syncStatus()
            XCTAssertEqual(status.unsentChanges, 3, "the refused changes stay unsent")
            XCTAssertEqual(status.heldChanges, 3, "held in the blocked grid")
            XCTAssertEqual(status.blockedGrids.map(\.gridId), [other.grid])
            XCTAssertEqual(status.blockedGrids.first?.reason, .mayNotCreate)

            let bad = SyncServer(url: server.url, token: "not-a-token", settings: defaultSyncSettings())
            await XCTAssertEqualAsync(await expectGridbookError("a bad token") { try await syncOnce(bad, a) }, .unauthorized)
            try admin(data, "revoke", "--device", deviceA)
            await XCTAssertEqualAsync(await expectGridbookError("a revoked token") { try await syncOnce(clientA, a) }, .unauthorized)
        }
        XCTAssertNil(released, "the first store outlived the block")
        XCTAssertNil(releasedB, "the second store outlived the block")
        XCTAssertEqual(server.stop(), 0, "the server exits 0 on SIGTERM")
    }
}
