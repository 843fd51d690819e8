import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

/// The models follow the store's live queries: nobody re-reads after an edit or a merge.
final class LiveModelsTests: XCTestCase {
    private static let clock = FixedClock(2025, 6, 16, 8, 0)

    private static func visit(_ store: Store, _ household: String, _ notes: String) async throws {
        _ = try await store.logVisit(input: VisitInput(
            householdId: household, at: FixedClock(2025, 6, 16, 9, 0).now(), kind: .routine, outcome: .met,
            residentsSeen: [], notes: notes, findings: [], gps: nil
        ))
    }

    /// Waits (at most 60 s) for the store's listener count to be `expected`:
    /// a cancelled stream unsubscribes after the cancel returns.
    @MainActor
    private static func awaitListeners(_ store: Store, _ expected: Int64, line: UInt = #line) async throws {
        let deadline = Date().addingTimeInterval(60)
        while store.listenerCount() != expected, Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTAssertEqual(store.listenerCount(), expected, "listeners registered", line: line)
    }

    func testAMergedVisitAndALocalOneReachTheModelsByThemselves() async throws {
        try await Self.aMergedVisitAndALocalOneReachTheModelsByThemselves(try tempDir(self, "live"))
    }

    @MainActor
    private static func aMergedVisitAndALocalOneReachTheModelsByThemselves(_ dir: URL) async throws {
        let a = try await openStore(dir, "w-zhang")
        let b = Env(try await openStore(dir, "w-li"))
        let g = try await grid(a, "101", "102")
        _ = try await a.createResident(input: resident(g.households[0]))
        _ = try await a.createResident(input: resident(g.households[1], name: "钱强", phone: "13833334444", idNumber: nil))
        _ = try await b.store.importChanges(bytes: try await a.exportSince(cursor: 0).bytes)
        let cursor = try await a.exportSince(cursor: 0).cursor

        let today = TodayModel(calls: b.calls, clock: clock)
        today.observe()
        defer { today.close() }
        let first = try await awaitState(today.state, "b's plan") { $0.gridId != nil }
        XCTAssertEqual(Set(first.rows.map(\.householdId)), Set(g.households))
        let household = HouseholdModel(calls: b.calls, householdId: g.households[0])
        household.observe()
        defer { household.close() }
        _ = try await awaitState(household.state, "the household") { if case .loaded = $0 { true } else { false } }

        // A's visit, merged into B: the only call is the merge.
        try await visit(a, g.households[0], "甲的走访")
        _ = try await b.store.importChanges(bytes: try await a.exportSince(cursor: cursor).bytes)
        let merged = try await awaitState(today.state, "the merged visit on the list") { $0.rows.count == 1 }
        XCTAssertEqual(merged.rows.map(\.householdId), [g.households[1]])
        let shown = try await awaitState(household.state, "the merged visit in the household") {
            if case let .loaded(view) = $0 { view.visits.count == 1 } else { false }
        }
        guard case let .loaded(view) = shown else { return XCTFail("not loaded: \(shown)") }
        XCTAssertEqual(view.visits.map { "\($0.notes ?? "-") \($0.workerId)" }, ["甲的走访 w-zhang"])

        // B's own visit, logged through the form: the list empties by itself.
        let form = VisitFormModel(calls: b.calls, clock: FixedClock(2025, 6, 16, 10, 0), location: FixedLocation(.timedOut), householdId: g.households[1])
        await form.save()
        let empty = try await awaitState(today.state, "an empty list") { $0.gridId != nil && $0.rows.isEmpty }
        XCTAssertEqual(empty.rows, [])

        // And a local visit to the open household shows at once.
        try await visit(b.store, g.households[0], "乙的走访")
        let both = try await awaitState(household.state, "b's visit in the household") {
            if case let .loaded(view) = $0 { view.visits.count == 2 } else { false }
        }
        guard case let .loaded(after) = both else { return XCTFail("not loaded: \(both)") }
        XCTAssertEqual(Set(after.visits.compactMap(\.notes)), ["甲的走访", "乙的走访"])
    }

    func testClosingTheModelsLeavesNoListener() async throws {
        try await Self.closingTheModelsLeavesNoListener(try tempDir(self, "live-leak"))
    }

    @MainActor
    private static func closingTheModelsLeavesNoListener(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let g = try await grid(env.store, "101")
        let before = env.store.listenerCount()
        let today = TodayModel(calls: env.calls, clock: clock)
        let household = HouseholdModel(calls: env.calls, householdId: g.households[0])
        let conflicts = ConflictsModel(calls: env.calls, clock: clock)
        let sync = SyncModel(calls: env.calls) { nil }
        today.observe()
        household.observe()
        conflicts.observe(gridId: g.id)
        sync.observe()
        _ = try await awaitState(today.state, "the list") { $0.gridId != nil }
        _ = try await awaitState(household.state, "the household") { if case .loaded = $0 { true } else { false } }
        _ = try await awaitState(conflicts.state, "the conflicts") { if case .loaded = $0 { true } else { false } }
        _ = try await awaitState(sync.status, "the status") { $0 != nil }
        // Today's list listens for the grids (through the sync status) and
        // for its visits due; each other model listens once.
        try await awaitListeners(env.store, before + 5)

        // Observing again replaces the listener rather than adding one.
        conflicts.observe(gridId: g.id)
        try await awaitListeners(env.store, before + 5)

        today.close()
        household.close()
        conflicts.close()
        sync.close()
        try await awaitListeners(env.store, before)
    }

    func testClosingTheRouteMapAndPointsLeavesNoListener() async throws {
        try await Self.closingTheRouteMapAndPoints(try tempDir(self, "live-leak-field"))
    }

    @MainActor
    private static func closingTheRouteMapAndPoints(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let g = try await grid(env.store, "101")
        _ = try await env.store.createPatrolTeam(gridId: g.id, name: "夜巡队", members: [TeamMember(memberId: "v-0001", name: "赵师傅")])
        let before = env.store.listenerCount()
        let today = TodayModel(calls: env.calls, clock: clock, location: FixedLocation(.timedOut))
        let map = MapModel(calls: env.calls, clock: clock)
        let points = PointsModel(calls: env.calls, clock: clock, gridId: g.id)
        today.observe()
        _ = try await awaitState(today.state, "the list") { $0.gridId != nil }
        today.planRoute()
        map.observe(gridId: g.id)
        points.observe()
        points.select(volunteerId: "v-0001")
        _ = try await awaitState(today.route, "the route") { if case .loaded = $0 { true } else { false } }
        _ = try await awaitState(map.state, "the map") { if case .loaded = $0 { true } else { false } }
        _ = try await awaitState(points.state, "the account") { $0.account != nil }
        // The list's two, the route's, the map's, the board's and the account's.
        try await awaitListeners(env.store, before + 6)

        // Planning again replaces the route's listener.
        today.planRoute()
        try await awaitListeners(env.store, before + 6)

        today.close()
        map.close()
        points.close()
        try await awaitListeners(env.store, before)
    }
}

