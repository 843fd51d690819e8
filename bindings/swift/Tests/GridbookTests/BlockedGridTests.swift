// A grid the sync server refuses blocks only itself (schema/sync-protocol.md,
// "Refused grids"), through a real gridbook-server process: the sync goes on
// for every other grid, the refused grid's changes are held on the phone
// until an administrator lifts the refusal or the user discards them with
// the confirmation the status gives.
import Foundation
import XCTest

import Gridbook

private func synced(_ store: Store, _ client: SyncServer) async throws -> SyncProgress {
    let report = try await store.sync(server: client, listener: RecordingListener())
    XCTAssertEqual(report.stage, .done)
    return report
}

private func visitNotes(_ store: Store, _ household: String) async throws -> Set<String> {
    Set(try await store.household(householdId: household).visits.compactMap(\.notes))
}

final class BlockedGridTests: XCTestCase {
    private var dir: URL!
    private var data: URL!
    private var headClient: SyncServer!
    private var liClient: SyncServer!
    private var running: RunningServer?

    /// A district's server with three workers; only the grid head may create
    /// grids. Started here, on the main thread, as in ServerTests: a process
    /// spawned from a Swift concurrency worker would never see its SIGTERM.
    override func setUpWithError() throws {
        dir = try tempDir("blocked")
        data = dir.appendingPathComponent("server-data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        // The stores' identities say grid_head (Fixtures), so the workers who
        // write are grid heads on the server too: a change claiming another
        // role than the server's is a forgery, refused whole.
        try admin(data, "add-worker", "--id", "w-head", "--name", "张伟", "--role", "grid_head", "--can-create-grids")
        try admin(data, "add-worker", "--id", "w-li", "--name", "李娜", "--role", "grid_head")
        try admin(data, "add-worker", "--id", "w-wang", "--name", "王芳", "--role", "building_head")
        let server = try RunningServer(data: data, log: dir.appendingPathComponent("server.log"))
        running = server
        headClient = SyncServer(url: server.url, token: try issueToken(data, worker: "w-head", device: "张伟的手机").token,
                                settings: defaultSyncSettings())
        liClient = SyncServer(url: server.url, token: try issueToken(data, worker: "w-li", device: "李娜的手机").token,
                              settings: defaultSyncSettings())
    }

    override func tearDown() {
        running?.stop()
        cleanUp(dir)
        super.tearDown()
    }

    func testAGridTheWorkerMayNotCreateIsHeldWhileTheAssignedGridSyncs() async throws {
        let (dir, data, headClient, liClient) = (self.dir!, self.data!, self.headClient!, self.liClient!)
        let head = try await openStore(dir, "w-head")
        let li = try await openStore(dir, "w-li")
        let assigned = try await fixture(head)
        _ = try await synced(head, headClient)
        try admin(data, "assign", "--worker", "w-li", "--grid", assigned.grid)
        _ = try await synced(li, liClient)
        await XCTAssertEqualAsync(try await li.roster(gridId: assigned.grid).map(\.household.id), [assigned.household])

        // Offline: a visit in the assigned grid, and a grid of li's own.
        _ = try await li.logVisit(input: visitInput(assigned.household, seen: [], notes: "独居老人回访"))
        await XCTAssertEqualAsync(try await li.syncStatus().unsentChanges, 2, "the visit, and li joining the grid's workers")
        let created = try await fixture(li)
        await XCTAssertEqualAsync(try await li.syncStatus().unsentChanges, 5, "plus the new grid, its building and household")

        let started = Int64(Date().timeIntervalSince1970 * 1000)
        let report = try await synced(li, liClient) // no error: the refusal is per grid
        let finished = Int64(Date().timeIntervalSince1970 * 1000)
        XCTAssertEqual(report.pushedChanges, 2, "the assigned grid's changes went out")
        let status = try await li.syncStatus()
        XCTAssertEqual(status.blockedGrids.count, 1, "blocked grids: \(status.blockedGrids)")
        let blocked = try XCTUnwrap(status.blockedGrids.first)
        XCTAssertEqual(blocked.gridId, created.grid)
        XCTAssertEqual(blocked.reason, .mayNotCreate)
        XCTAssertEqual(blocked.heldChanges, 3, "the grid, its building and household are held")
        XCTAssertEqual(blocked.confirmation, DiscardConfirmation(gridId: created.grid, heldChanges: 3))
        XCTAssertTrue((started...finished).contains(blocked.sinceMs), "sinceMs \(blocked.sinceMs) is not this sync's")
        XCTAssertGreaterThan(blocked.heldBytes, 0)
        XCTAssertEqual(blocked.heldBytes, status.unsentBytes, "only the held changes wait")
        XCTAssertEqual([status.unsentChanges, status.heldChanges], [3, 3])
        XCTAssertEqual(status.canCreateGrids, false)

        // The other worker on the grid pulls li's visit; the server never stored the new grid.
        _ = try await synced(head, headClient)
        await XCTAssertEqualAsync(try await visitNotes(head, assigned.household), ["独居老人回访"])
        await XCTAssertEqualAsync(try await head.syncStatus().canCreateGrids, true)
        XCTAssertFalse(try admin(data, "list").contains(created.grid), "the server lists the refused grid")

        // A later sync sends nothing more and keeps the block as it was.
        await XCTAssertEqualAsync(try await synced(li, liClient).pushedChanges, 0)
        await XCTAssertEqualAsync(try await li.syncStatus(), status)
    }

    func testAnUnassignedGridHoldsItsVisitUntilReassigned() async throws {
        let (dir, data, headClient, liClient) = (self.dir!, self.data!, self.headClient!, self.liClient!)
        let head = try await openStore(dir, "w-head")
        let li = try await openStore(dir, "w-li")
        let a = try await fixture(head)
        let b = try await fixture(head)
        _ = try await synced(head, headClient)
        try admin(data, "assign", "--worker", "w-li", "--grid", a.grid)
        try admin(data, "assign", "--worker", "w-li", "--grid", b.grid)
        _ = try await synced(li, liClient)
        await XCTAssertEqualAsync(Set(try await li.grids().map(\.id)), [a.grid, b.grid])

        _ = try await li.logVisit(input: visitInput(a.household, seen: [], notes: "A 网格的走访"))
        await XCTAssertEqualAsync(try await li.syncStatus().unsentChanges, 2, "the visit, and li joining A's workers")
        try admin(data, "unassign", "--worker", "w-li", "--grid", a.grid)
        _ = try await li.logVisit(input: visitInput(b.household, seen: [], notes: "B 网格的走访"))
        _ = try await head.logVisit(input: visitInput(b.household, seen: [], notes: "网格长的走访"))
        _ = try await synced(head, headClient)

        let report = try await synced(li, liClient) // no error: only A is refused
        XCTAssertEqual(report.pushedChanges, 2, "B's visit, and li joining B's workers")
        let status = try await li.syncStatus()
        XCTAssertEqual(status.blockedGrids.count, 1, "blocked grids: \(status.blockedGrids)")
        let blocked = try XCTUnwrap(status.blockedGrids.first)
        XCTAssertEqual(blocked.gridId, a.grid)
        XCTAssertEqual(blocked.reason, .notAssigned)
        XCTAssertEqual(blocked.heldChanges, 2, "A's visit is held")
        XCTAssertEqual([status.unsentChanges, status.heldChanges], [2, 2])

        // B syncs both ways; A's visit has not reached the head.
        let both: Set<String> = ["B 网格的走访", "网格长的走访"]
        await XCTAssertEqualAsync(try await visitNotes(li, b.household), both, "li has the head's visit in B")
        _ = try await synced(head, headClient)
        await XCTAssertEqualAsync(try await visitNotes(head, b.household), both, "the head has li's visit in B")
        await XCTAssertEqualAsync(try await visitNotes(head, a.household), [])

        // Reassigned: the next sync sends the held visit and the block is gone.
        try admin(data, "assign", "--worker", "w-li", "--grid", a.grid)
        await XCTAssertEqualAsync(try await synced(li, liClient).pushedChanges, 2, "the held changes went out")
        let after = try await li.syncStatus()
        XCTAssertEqual(after.blockedGrids, [])
        XCTAssertEqual([after.unsentChanges, after.heldChanges], [0, 0])
        _ = try await synced(head, headClient)
        await XCTAssertEqualAsync(try await visitNotes(head, a.household), ["A 网格的走访"])
    }

    func testDiscardingNeedsTheConfirmationOfTheStatus() async throws {
        let (dir, data, headClient, liClient) = (self.dir!, self.data!, self.headClient!, self.liClient!)
        let head = try await openStore(dir, "w-head")
        let li = try await openStore(dir, "w-li")
        let assigned = try await fixture(head)
        _ = try await synced(head, headClient)
        try admin(data, "assign", "--worker", "w-li", "--grid", assigned.grid)
        _ = try await synced(li, liClient)
        let created = try await fixture(li)
        _ = try await synced(li, liClient)
        let before = try await li.syncStatus()
        let confirmation = try XCTUnwrap(before.blockedGrids.first?.confirmation)
        XCTAssertEqual(confirmation, DiscardConfirmation(gridId: created.grid, heldChanges: 3))

        // A count the user was not shown: refused, nothing changes.
        var wrongCount = confirmation
        wrongCount.heldChanges = 2
        await XCTAssertEqualAsync(
            await expectGridbookError("a wrong count") {
                try await li.discardQuarantinedGrid(gridId: created.grid, confirmation: wrongCount)
            },
            .StaleConfirmation(gridId: created.grid, confirmed: 2, held: 3)
        )
        // A grid that is not blocked: refused, nothing changes.
        await XCTAssertEqualAsync(
            await expectGridbookError("the assigned grid") {
                try await li.discardQuarantinedGrid(
                    gridId: assigned.grid, confirmation: DiscardConfirmation(gridId: assigned.grid, heldChanges: 0))
            },
            .GridNotBlocked(gridId: assigned.grid)
        )
        await XCTAssertEqualAsync(try await li.syncStatus(), before)
        await XCTAssertEqualAsync(try await li.discardedGrids(), [])
        await XCTAssertEqualAsync(Set(try await li.grids().map(\.id)), [assigned.grid, created.grid])

        let discarded = try await li.discardQuarantinedGrid(gridId: created.grid, confirmation: confirmation)
        XCTAssertEqual(discarded.gridId, created.grid)
        XCTAssertEqual(discarded.workerId, "w-li")
        XCTAssertEqual(discarded.changes, 3)
        XCTAssertEqual(discarded.reason, .mayNotCreate)
        await XCTAssertEqualAsync(try await li.discardedGrids(), [discarded])
        await XCTAssertEqualAsync(try await li.grids().map(\.id), [assigned.grid])
        await XCTAssertEqualAsync(try await li.roster(gridId: created.grid).count, 0)
        let gone = await expectGridbookError("the discarded grid's household") {
            try await li.household(householdId: created.household)
        }
        guard case .NotFound = gone else { return XCTFail("expected NotFound, got \(String(describing: gone))") }
        let after = try await li.syncStatus()
        XCTAssertEqual(after.blockedGrids, [])
        XCTAssertEqual([after.unsentChanges, after.heldChanges], [0, 0])

        // The assigned grid is untouched and still syncs.
        await XCTAssertEqualAsync(try await synced(li, liClient).pushedChanges, 0)
        await XCTAssertEqualAsync(try await li.roster(gridId: assigned.grid).map(\.household.id), [assigned.household])
    }

    func testWorkersListsEveryoneTheServerAssignedWithTheServersNames() async throws {
        let (dir, data, headClient, liClient) = (self.dir!, self.data!, self.headClient!, self.liClient!)
        let head = try await openStore(dir, "w-head")
        let li = try await openStore(dir, "w-li")
        let f = try await fixture(head)
        _ = try await synced(head, headClient)
        await XCTAssertEqualAsync(try await head.workers(gridId: f.grid).map(\.id), ["w-head"])
        // w-li only syncs and w-wang has no phone at all: neither wrote in the grid.
        try admin(data, "assign", "--worker", "w-li", "--grid", f.grid)
        try admin(data, "assign", "--worker", "w-wang", "--grid", f.grid)
        _ = try await synced(head, headClient)
        _ = try await synced(li, liClient)
        // li's own store calls li 张伟 (Fixtures' identity); the server's name wins.
        let team = [
            Worker(id: "w-head", name: "张伟", role: .gridHead),
            Worker(id: "w-li", name: "李娜", role: .gridHead),
            Worker(id: "w-wang", name: "王芳", role: .buildingHead),
        ]
        await XCTAssertEqualAsync(try await head.workers(gridId: f.grid), team)
        await XCTAssertEqualAsync(try await li.workers(gridId: f.grid), team)
        await XCTAssertEqualAsync(try await li.syncStatus().unsentChanges, 0, "li wrote nothing")
    }
}
