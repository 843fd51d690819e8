import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

final class SyncModelTests: XCTestCase {
    private static let clock = FixedClock(2025, 6, 16, 10, 0)

    func testTwoPhonesSyncThroughARealServer() async throws {
        try await Self.twoPhonesSyncThroughARealServer(try tempDir(self, "sync"))
    }

    @MainActor
    private static func twoPhonesSyncThroughARealServer(_ dir: URL) async throws {
        let data = dir.appendingPathComponent("server-data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try admin(data, "add-worker", "--id", "w-zhang", "--name", "张伟", "--role", "grid_head", "--can-create-grids")
        try admin(data, "add-worker", "--id", "w-li", "--name", "李娜", "--role", "grid_head")
        let tokenA = try issueToken(data, worker: "w-zhang", device: "张伟的手机")
        let tokenB = try issueToken(data, worker: "w-li", device: "李娜的手机")
        let server = try RunningServer(data: data, log: dir.appendingPathComponent("server.log"))
        defer { XCTAssertEqual(server.stop(), 0, "the server exits 0 on SIGTERM") }
        let a = Env(try await openStore(dir, "w-zhang"))
        let b = Env(try await openStore(dir, "w-li"))

        // Phone A: a grid, a resident, and a visit logged through the form.
        let g = try await grid(a.store, "502")
        let residentId = try await a.store.createResident(input: resident(g.households[0]))
        let form = VisitFormModel(calls: a.calls, clock: clock, location: FixedLocation(.fix(lon: 120.1, lat: 30.28, accuracyM: 9)), householdId: g.households[0])
        form.setKind(.specialCare)
        form.toggleSeen(residentId)
        form.setNotes("同步测试")
        await form.locate()
        await form.save()
        XCTAssertNotNil(form.state.value.savedVisitId)

        let syncA = SyncModel(calls: a.calls) { SyncConfig(serverUrl: server.url, token: tokenA) }
        XCTAssertEqual(syncA.state.value, .idle)
        syncA.observe()
        defer { syncA.close() }
        let badge = try await awaitState(syncA.status, "a's sync status") { $0 != nil }
        XCTAssertEqual(badge, SyncBadge(unsentChanges: 5, blocked: []), "grid, building, household, resident and visit")
        var statesA: [SyncState] = []
        syncA.state.observe { statesA.append($0) }
        let task = try XCTUnwrap(syncA.start())
        XCTAssertNil(syncA.start(), "a second sync does not start while one runs")
        await task.value
        guard case let .done(report) = syncA.state.value else { return XCTFail("not done: \(syncA.state.value)") }
        XCTAssertEqual(report.stage, .done)
        XCTAssertEqual(report.pushedChanges, 5, "every unsent change was pushed")
        XCTAssertEqual(report.unsentChanges, 0)
        XCTAssertEqual(report.retries, 0)
        XCTAssertGreaterThan(report.bytesSent, 0)
        XCTAssertGreaterThan(report.bytesReceived, 0)
        XCTAssertEqual(statesA.first, .running(progress: nil, cancelling: false))
        XCTAssertEqual(statesA.last, .done(report))
        let progress = statesA.compactMap { state -> SyncProgress? in
            if case let .running(p, cancelling) = state { XCTAssertFalse(cancelling); return p }
            return nil
        }
        XCTAssertTrue(progress.contains { $0.stage == .exchanging }, "stages: \(progress.map(\.stage))")
        // The badge follows the sync with no re-read: nothing waits now.
        let sent = try await awaitState(syncA.status, "nothing unsent") { $0?.unsentChanges == 0 }
        XCTAssertEqual(sent, SyncBadge(unsentChanges: 0, blocked: []))
        XCTAssertEqual(syncA.state.value, .done(report), "the badge leaves the sync's outcome shown")

        // The server hands the grid to both; phone B bootstraps and sees A's work.
        try admin(data, "assign", "--worker", "w-zhang", "--grid", g.id)
        try admin(data, "assign", "--worker", "w-li", "--grid", g.id)
        // B's list is open before its first sync: no grid yet.
        let today = TodayModel(calls: b.calls, clock: FixedClock(2025, 6, 30, 8, 0))
        today.observe()
        defer { today.close() }
        _ = try await awaitState(today.state, "no grid on b") { $0 == .noGrid }
        let syncB = SyncModel(calls: b.calls) { SyncConfig(serverUrl: server.url, token: tokenB) }
        await syncB.start()?.value
        guard case let .done(reportB) = syncB.state.value else { return XCTFail("b not done: \(syncB.state.value)") }
        XCTAssertGreaterThan(reportB.pulledChunks, 0, "b pulled nothing: \(reportB)")
        XCTAssertEqual(reportB.pushedChanges, 0)

        // Two weeks later, B's plan has the household due again after A's
        // visit: the sync brought it to the list with no reload.
        let plan = try await awaitState(today.state, "b's plan after the sync") { $0.gridId != nil }
        XCTAssertEqual(plan, .loaded(gridId: g.id, gridName: "文新一网格", today: day(2025, 6, 30), rows: [
            DueRow(householdId: g.households[0], address: "3栋 1单元 502", memberCount: 1, care: ["独居老人"],
                   lastVisit: "2025-06-16 10:00", dueOn: day(2025, 6, 23), daysOverdue: 7, intervalDays: 7),
        ]))

        // Opened from the list, the household shows A's visit.
        let household = HouseholdModel(calls: b.calls, householdId: g.households[0])
        household.observe()
        defer { household.close() }
        let shown = try await awaitState(household.state, "the household on b") { if case .loaded = $0 { true } else { false } }
        guard case let .loaded(detail) = shown else { return XCTFail("not loaded: \(shown)") }
        XCTAssertEqual(detail.members.map(\.name), ["王**"])
        XCTAssertEqual(detail.visits.count, 1)
        XCTAssertEqual(detail.visits[0].notes, "同步测试")
        XCTAssertEqual(detail.visits[0].workerId, "w-zhang")
        XCTAssertEqual(detail.visits[0].kind, "关爱探访")
        XCTAssertEqual(detail.visits[0].gps, "定位 ±9 米")

        // B's visit reaches A on A's next sync.
        let formB = VisitFormModel(calls: b.calls, clock: FixedClock(2025, 6, 30, 9, 15), location: FixedLocation(.timedOut), householdId: g.households[0])
        formB.setOutcome(.nobodyHome)
        await formB.save()
        await syncB.start()?.value
        guard case let .done(pushB) = syncB.state.value else { return XCTFail("b not done: \(syncB.state.value)") }
        XCTAssertEqual(pushB.pushedChanges, 2, "the visit, and b joining the grid's workers")
        await syncA.start()?.value
        guard case let .done(pullA) = syncA.state.value else { return XCTFail("a not done: \(syncA.state.value)") }
        XCTAssertEqual(pullA.pulledChunks, 2)
        let workers = try await a.store.household(householdId: g.households[0]).visits.map(\.workerId)
        XCTAssertEqual(workers, ["w-li", "w-zhang"])

        // A wrong token: a typed failure asking for a new token.
        let bad = SyncModel(calls: b.calls) { SyncConfig(serverUrl: server.url, token: "not-a-token") }
        await bad.start()?.value
        XCTAssertEqual(bad.state.value, .failed(message: "设备令牌无效或已吊销，请联系管理员重新签发", needsNewToken: true))
    }

    func testWithoutSettingsNothingStarts() async throws {
        try await Self.withoutSettingsNothingStarts(try tempDir(self, "sync-none"))
    }

    @MainActor
    private static func withoutSettingsNothingStarts(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let model = SyncModel(calls: env.calls) { nil }
        XCTAssertNil(model.start())
        XCTAssertEqual(model.state.value, .notConfigured)
    }

    func testCancellingAWaitingSyncEndsItCancelledWithNothingLost() async throws {
        try await Self.cancellingAWaitingSyncEndsItCancelledWithNothingLost(try tempDir(self, "sync-cancel"))
    }

    @MainActor
    private static func cancellingAWaitingSyncEndsItCancelledWithNothingLost(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        _ = try await grid(env.store, "502")
        let before = try await env.store.syncStatus().unsentChanges
        XCTAssertEqual(before, 3)
        // Nothing listens on port 9: the client waits to retry, and is cancelled meanwhile.
        let model = SyncModel(calls: env.calls) { SyncConfig(serverUrl: "http://127.0.0.1:9", token: "token") }
        model.observe()
        defer { model.close() }
        let badge = try await awaitState(model.status, "the unsent count") { $0 != nil }
        XCTAssertEqual(badge, SyncBadge(unsentChanges: before, blocked: []))
        let task = try XCTUnwrap(model.start())
        let waiting = try await awaitState(model.state, "a retry wait") {
            if case let .running(progress, _) = $0 { return progress?.stage == .waitingToRetry }
            return false
        }
        guard case let .running(progress, false) = waiting else { return XCTFail("state: \(waiting)") }
        model.cancel()
        XCTAssertEqual(model.state.value, .running(progress: progress, cancelling: true))
        XCTAssertNil(model.start(), "no second sync while the first is ending")
        await task.value
        XCTAssertEqual(model.state.value, .cancelled)
        let unsent = try await env.store.syncStatus().unsentChanges
        XCTAssertEqual(unsent, before)
        XCTAssertEqual(model.status.value, SyncBadge(unsentChanges: before, blocked: []), "nothing was lost")
        let again = try XCTUnwrap(model.start(), "a new sync can start after a cancelled one")
        model.cancel()
        await again.value
        XCTAssertEqual(model.state.value, .cancelled)
    }
}
