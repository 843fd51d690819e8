import Dispatch
import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

final class VisitFormModelTests: XCTestCase {
    private static let clock = FixedClock(2025, 6, 16, 10, 5)

    func testAVisitIsLoggedWithTheLocationFixOnTheStoreQueue() async throws {
        try await Self.aVisitIsLoggedWithTheLocationFixOnTheStoreQueue(try tempDir(self, "visit"))
    }

    @MainActor
    private static func aVisitIsLoggedWithTheLocationFixOnTheStoreQueue(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let g = try await grid(env.store, "502")
        let head = try await env.store.createResident(input: resident(g.households[0]))
        let location = FixedLocation(.fix(lon: 120.1234, lat: 30.2801, accuracyM: 12.0))
        let form = VisitFormModel(calls: env.calls, clock: clock, location: location, householdId: g.households[0])

        await form.locate()
        XCTAssertEqual(location.calls, 1)
        XCTAssertEqual(form.state.value.location, .located(.fix(lon: 120.1234, lat: 30.2801, accuracyM: 12.0)))

        form.setKind(.specialCare)
        form.setOutcome(.met)
        form.toggleSeen(head)
        form.setNotes("  老人腿脚不便  ")
        form.addFinding(FindingDraft(kind: .problem, text: "楼道堆放杂物", resolution: .open))
        form.addFinding(FindingDraft(kind: .request, text: "需要助餐", resolution: .open))
        form.updateFinding(at: 1, FindingDraft(kind: .request, text: "需要助餐服务", resolution: .escalated))
        await form.save()

        let saved = form.state.value
        XCTAssertNil(saved.error)
        XCTAssertFalse(saved.saving)
        let visitId = try XCTUnwrap(saved.savedVisitId)
        let visits = try await env.store.household(householdId: g.households[0]).visits
        XCTAssertEqual(visits.count, 1)
        let visit = visits[0]
        XCTAssertEqual(visit.id, visitId)
        XCTAssertEqual(visit.workerId, "w-zhang")
        XCTAssertEqual(visit.at, Timestamp(utcMs: clock.ms, offsetMinutes: 480))
        XCTAssertEqual(visit.kind, .specialCare)
        XCTAssertEqual(visit.outcome, .met)
        XCTAssertEqual(visit.residentsSeen, [head])
        XCTAssertEqual(visit.notes, "老人腿脚不便")
        XCTAssertEqual(
            Set(visit.findings.map { "\($0.kind)/\($0.text)/\($0.resolution)" }),
            ["problem/楼道堆放杂物/open", "request/需要助餐服务/escalated"],
            "the findings (the core does not keep their order)"
        )
        XCTAssertEqual(visit.findings.count, 2)
        XCTAssertEqual(visit.gps, GpsFix(point: GeoPoint(lon: 120.1234, lat: 30.2801), accuracyM: 12.0))

        await form.save()
        await XCTAssertEqualAsync(try await env.store.household(householdId: g.households[0]).visits.count, 1, "a saved form does not save twice")
    }

    func testWithoutLocationPermissionTheVisitIsSavedWithoutAPosition() async throws {
        try await Self.withoutLocationPermissionTheVisitIsSavedWithoutAPosition(try tempDir(self, "visit-nogps"))
    }

    @MainActor
    private static func withoutLocationPermissionTheVisitIsSavedWithoutAPosition(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let g = try await grid(env.store, "502")
        let form = VisitFormModel(calls: env.calls, clock: clock, location: FixedLocation(.noPermission), householdId: g.households[0])
        await form.locate()
        XCTAssertEqual(form.state.value.location, .unavailable(.noPermission))
        form.setOutcome(.nobodyHome)
        await form.save()
        XCTAssertNotNil(form.state.value.savedVisitId)
        let visits = try await env.store.household(householdId: g.households[0]).visits
        XCTAssertEqual(visits.count, 1)
        XCTAssertNil(visits[0].gps)
        XCTAssertEqual(visits[0].outcome, .nobodyHome)
        XCTAssertEqual(visits[0].kind, .routine)
        XCTAssertNil(visits[0].notes)
    }

    func testAnEmptyFindingIsRefusedNamingTheFieldAndNothingIsStored() async throws {
        try await Self.anEmptyFindingIsRefusedNamingTheFieldAndNothingIsStored(try tempDir(self, "visit-invalid"))
    }

    @MainActor
    private static func anEmptyFindingIsRefusedNamingTheFieldAndNothingIsStored(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let g = try await grid(env.store, "502")
        let form = VisitFormModel(calls: env.calls, clock: clock, location: FixedLocation(.timedOut), householdId: g.households[0])
        form.addFinding(FindingDraft(kind: .problem, text: "   ", resolution: .open))
        form.setNotes("秘密备注 13800138000")
        await form.save()
        let state = form.state.value
        XCTAssertEqual(state.error, "发现问题的内容：不能为空")
        XCTAssertNil(state.savedVisitId)
        XCTAssertFalse(state.saving)
        await XCTAssertEqualAsync(try await env.store.household(householdId: g.households[0]).visits.count, 0)
        XCTAssertEqual(state.location, .idle)

        form.removeFinding(at: 0)
        await form.save()
        XCTAssertNil(form.state.value.error)
        await XCTAssertEqualAsync(try await env.store.household(householdId: g.households[0]).visits.count, 1, "fixed and saved")
    }
}
