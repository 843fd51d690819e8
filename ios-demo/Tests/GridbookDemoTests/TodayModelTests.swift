import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

final class TodayModelTests: XCTestCase {
    private static let clock = FixedClock(2025, 6, 16, 8, 0)

    private static func visit(_ store: Store, _ household: String, _ at: FixedClock, _ outcome: VisitOutcome) async throws {
        _ = try await store.logVisit(input: VisitInput(
            householdId: household, at: at.now(), kind: .routine, outcome: outcome,
            residentsSeen: [], notes: nil, findings: [], gps: nil
        ))
    }

    func testAnEmptyStoreHasNoGrid() async throws {
        try await Self.anEmptyStoreHasNoGrid(try tempDir(self, "today-empty"))
    }

    @MainActor
    private static func anEmptyStoreHasNoGrid(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let model = TodayModel(calls: env.calls, clock: clock)
        XCTAssertEqual(model.state.value, .loading)
        model.observe()
        _ = try await awaitState(model.state, "no grid") { $0 == .noGrid }
        // A grid created on the phone shows with no call to the model. The
        // grid, its building and its household are three writes, so the list
        // may first show the grid empty; wait for the household.
        let g = try await grid(env.store, "101")
        let loaded = try await awaitState(model.state, "the new grid") { $0.gridId != nil && !$0.rows.isEmpty }
        XCTAssertEqual(loaded, .loaded(gridId: g.id, gridName: "文新一网格", today: day(2025, 6, 16), rows: [
            DueRow(householdId: g.households[0], address: "3栋 1单元 101", memberCount: 0, care: [], lastVisit: nil, dueOn: nil, daysOverdue: 0, intervalDays: 90),
        ]))
        model.close()
    }

    /// Five households on 2025-06-16 under the default policy (elders living
    /// alone weekly, others quarterly). The order is the core's; the test
    /// pins what the screen gets.
    func testTheCoresPlanIsShownMostUrgentFirst() async throws {
        try await Self.theCoresPlanIsShownMostUrgentFirst(try tempDir(self, "today"))
    }

    @MainActor
    private static func theCoresPlanIsShownMostUrgentFirst(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let s = env.store
        let g = try await grid(s, "101", "102", "103", "104", "105")
        let (never, weekly, quarterly, fresh, notHome) = (g.households[0], g.households[1], g.households[2], g.households[3], g.households[4])
        _ = try await s.createResident(input: resident(never)) // elderly_alone, never visited
        _ = try await s.createResident(input: resident(weekly, name: "赵桂兰", phone: "13811112222", idNumber: nil))
        try await visit(s, weekly, FixedClock(2025, 6, 6, 9, 0), .met) // due 06-13: 3 days over
        _ = try await s.createResident(input: resident(quarterly, name: "钱强", phone: "13833334444", idNumber: nil, care: []))
        try await visit(s, quarterly, FixedClock(2025, 3, 8, 15, 30), .met) // +90: due 06-06, 10 days over
        _ = try await s.createResident(input: resident(fresh, name: "孙丽", phone: "13855556666", idNumber: nil))
        try await visit(s, fresh, FixedClock(2025, 6, 14, 10, 0), .met) // due 06-21: not today
        _ = try await s.createResident(input: resident(notHome, name: "李军", phone: "13877778888", idNumber: nil, care: []))
        try await visit(s, notHome, FixedClock(2025, 6, 13, 19, 0), .nobodyHome) // never reached

        let model = TodayModel(calls: env.calls, clock: clock)
        var seen: [TodayState] = []
        let subscription = model.state.observe { seen.append($0) }
        model.observe()
        _ = try await awaitState(model.state, "the plan") { $0.gridId != nil }
        subscription.cancel()
        XCTAssertEqual(seen.count, 1, "one change published: \(seen)")
        XCTAssertEqual(model.state.value, .loaded(gridId: g.id, gridName: "文新一网格", today: day(2025, 6, 16), rows: [
            DueRow(householdId: never, address: "3栋 1单元 101", memberCount: 1, care: ["独居老人"], lastVisit: nil, dueOn: nil, daysOverdue: 0, intervalDays: 7),
            DueRow(householdId: notHome, address: "3栋 1单元 105", memberCount: 1, care: [], lastVisit: "2025-06-13 19:00", dueOn: nil, daysOverdue: 0, intervalDays: 90),
            DueRow(householdId: quarterly, address: "3栋 1单元 103", memberCount: 1, care: [], lastVisit: "2025-03-08 15:30", dueOn: day(2025, 6, 6), daysOverdue: 10, intervalDays: 90),
            DueRow(householdId: weekly, address: "3栋 1单元 102", memberCount: 1, care: ["独居老人"], lastVisit: "2025-06-06 09:00", dueOn: day(2025, 6, 13), daysOverdue: 3, intervalDays: 7),
        ]))

        // A visit logged through the form takes the household off today's
        // list by itself: the test calls nothing on the list's model.
        let form = VisitFormModel(calls: env.calls, clock: FixedClock(2025, 6, 16, 9, 0), location: FixedLocation(.timedOut), householdId: never)
        await form.save()
        let after = try await awaitState(model.state, "the list without the visited household") { $0.rows.count == 3 }
        XCTAssertEqual(after.rows.map(\.householdId), [notHome, quarterly, weekly])
        model.close()
    }

    func testAPolicyWithoutAGeneralIntervalListsOnlyCareHouseholds() async throws {
        try await Self.aPolicyWithoutAGeneralIntervalListsOnlyCareHouseholds(try tempDir(self, "today-policy"))
    }

    @MainActor
    private static func aPolicyWithoutAGeneralIntervalListsOnlyCareHouseholds(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let g = try await grid(env.store, "101", "102")
        _ = try await env.store.createResident(input: resident(g.households[0]))
        _ = try await env.store.createResident(input: resident(g.households[1], name: "钱强", phone: "13833334444", idNumber: nil, care: []))
        var policy = defaultVisitPolicy()
        policy.generalIntervalDays = nil
        let model = TodayModel(calls: env.calls, clock: clock, policy: policy)
        model.observe()
        let loaded = try await awaitState(model.state, "the plan") { $0.gridId != nil }
        XCTAssertEqual(loaded.rows.map(\.householdId), [g.households[0]])
        model.close()

        policy.generalIntervalDays = 0
        let invalid = TodayModel(calls: env.calls, clock: clock, policy: policy)
        invalid.observe()
        let failed = try await awaitState(invalid.state, "the failure") { if case .failed = $0 { true } else { false } }
        XCTAssertEqual(failed, .failed("generalIntervalDays：超出范围"))
    }
}
