import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

final class HouseholdModelTests: XCTestCase {
    func testMembersAreMaskedUntilRevealedAndVisitsAreNewestFirst() async throws {
        try await Self.membersAreMaskedUntilRevealedAndVisitsAreNewestFirst(try tempDir(self, "household"))
    }

    @MainActor
    private static func membersAreMaskedUntilRevealedAndVisitsAreNewestFirst(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let g = try await grid(env.store, "502")
        let home = g.households[0]
        let head = try await env.store.createResident(input: resident(home))
        let son = try await env.store.createResident(
            input: resident(home, name: "李明", phone: "13912345678", idNumber: nil, care: [], relation: "20")
        )
        let at = FixedClock(2025, 6, 10, 9, 30).now()
        _ = try await env.store.logVisit(input: VisitInput(
            householdId: home, at: at, kind: .specialCare, outcome: .met,
            residentsSeen: [head], notes: "老人身体尚可",
            findings: [FindingInput(id: nil, kind: .request, text: "需要助餐服务", resolution: .escalated)],
            gps: GpsFix(point: GeoPoint(lon: 120.1, lat: 30.28), accuracyM: 8.4)
        ))
        _ = try await env.store.logVisit(input: VisitInput(
            householdId: home, at: Timestamp(utcMs: at.utcMs + 86_400_000, offsetMinutes: 480), kind: .routine,
            outcome: .nobodyHome, residentsSeen: [], notes: nil, findings: [], gps: nil
        ))

        let model = HouseholdModel(calls: env.calls, householdId: home)
        XCTAssertEqual(model.state.value, .loading)
        model.observe()
        defer { model.close() }
        let first = try await awaitState(model.state, "the household") { if case .loaded = $0 { true } else { false } }
        guard case let .loaded(loaded) = first else { return XCTFail("not loaded: \(first)") }
        XCTAssertEqual(loaded.address, "3栋 1单元 502")
        XCTAssertEqual(loaded.use, "自住")
        XCTAssertEqual(loaded.members.count, 2)
        let shownHead = MemberRow(
            residentId: head, name: "王**", gender: "女", birthDate: day(1949, 12, 31), phones: ["138****8000"],
            idNumber: "110105********002X", care: ["独居老人"], isHead: true, revealed: false
        )
        XCTAssertEqual(loaded.members.first { $0.residentId == head }, shownHead)
        XCTAssertEqual(loaded.members.first { $0.residentId == son }, MemberRow(
            residentId: son, name: "李*", gender: "女", birthDate: day(1949, 12, 31), phones: ["139****5678"],
            idNumber: nil, care: [], isHead: false, revealed: false
        ))

        XCTAssertEqual(loaded.visits.map(\.time), ["2025-06-11 09:30", "2025-06-10 09:30"])
        XCTAssertEqual(loaded.visits[1], VisitRow(
            visitId: loaded.visits[1].visitId, time: "2025-06-10 09:30", kind: "关爱探访", outcome: "见面",
            workerId: "w-zhang", notes: "老人身体尚可", findings: ["诉求：需要助餐服务（上报）"], gps: "定位 ±8 米"
        ))
        XCTAssertEqual(loaded.visits[0], VisitRow(
            visitId: loaded.visits[0].visitId, time: "2025-06-11 09:30", kind: "敲门扫楼", outcome: "无人在家",
            workerId: "w-zhang", notes: nil, findings: [], gps: nil
        ))

        let shownSon = try XCTUnwrap(loaded.members.first { $0.residentId == son })

        // A reveal goes through the core, with the purpose and note picked, and is logged.
        let reason = RevealReason(purpose: .contactResident, note: "回访独居老人")
        let revealedOk = await model.reveal(head, reason: reason)
        XCTAssertTrue(revealedOk)
        let open = try XCTUnwrap(model.members.first { $0.residentId == head })
        XCTAssertEqual(open, MemberRow(
            residentId: head, name: "王秀英", gender: "女", birthDate: day(1949, 12, 31), phones: ["13800138000"],
            idNumber: "11010519491231002X", care: ["独居老人"], isHead: true, revealed: true
        ))
        XCTAssertEqual(model.members.first { $0.residentId == son }, shownSon, "only the chosen member is revealed")
        XCTAssertNil(Self.view(model)?.revealError)
        let log = try await env.store.revealLog(gridId: g.id)
        XCTAssertEqual(log.map(\.residentId), [head])
        XCTAssertEqual(log.map(\.recordedBy), ["w-zhang"])
        XCTAssertEqual(log.map(\.purpose), [.contactResident])
        XCTAssertEqual(log.map(\.note), ["回访独居老人"])

        model.hide(head)
        XCTAssertEqual(model.members.first { $0.residentId == head }, shownHead)
        XCTAssertFalse(model.isRevealed(head))

        // toggleReveal reveals, then hides.
        await model.toggleReveal(son, reason: reason)
        XCTAssertEqual(model.members.first { $0.residentId == son }?.phones, ["13912345678"])
        await model.toggleReveal(son, reason: reason)
        XCTAssertEqual(model.members.first { $0.residentId == son }, shownSon)
        await XCTAssertEqualAsync(try await env.store.revealLog(gridId: g.id).count, 2, "each reveal logged, hiding is not")

        // An empty note is refused by the core: the message shows, nothing is revealed.
        let emptyOk = await model.reveal(head, reason: RevealReason(purpose: .contactResident, note: ""))
        XCTAssertFalse(emptyOk)
        XCTAssertEqual(Self.view(model)?.revealError, "查阅说明：不能为空")
        XCTAssertEqual(model.members.first { $0.residentId == head }, shownHead)

        // A reveal whose phone changed since (an edit, a sync) is masked again.
        let againOk = await model.reveal(head, reason: reason)
        XCTAssertTrue(againOk)
        XCTAssertNil(Self.view(model)?.revealError)
        try await env.store.updateResident(residentId: head, input: resident(home, phone: "13900001111"))
        _ = try await awaitState(model.state, "the edited phone") {
            if case let .loaded(view) = $0 { view.members.contains { $0.residentId == head && $0.phones == ["139****1111"] } } else { false }
        }
        var editedHead = shownHead
        editedHead.phones = ["139****1111"]
        XCTAssertEqual(model.members.first { $0.residentId == head }, editedHead)
        XCTAssertFalse(model.isRevealed(head))
    }

    @MainActor
    private static func view(_ model: HouseholdModel) -> HouseholdView? {
        if case let .loaded(view) = model.state.value { return view }
        return nil
    }

    func testABuildingHeadIsRefusedTheRevealAndNothingIsLogged() async throws {
        try await Self.aBuildingHeadIsRefusedTheRevealAndNothingIsLogged(try tempDir(self, "household-refused"))
    }

    @MainActor
    private static func aBuildingHeadIsRefusedTheRevealAndNothingIsLogged(_ dir: URL) async throws {
        let head = try await openStore(dir, "w-zhang")
        let g = try await grid(head, "502")
        let home = g.households[0]
        let residentId = try await head.createResident(input: resident(home))
        let env = Env(try await openStore(dir, "w-wang", role: .buildingHead))
        _ = try await env.store.importChanges(bytes: try await head.exportSince(cursor: 0).bytes)
        let unsent = try await env.store.syncStatus().unsentChanges
        let model = HouseholdModel(calls: env.calls, householdId: home)
        model.observe()
        defer { model.close() }
        _ = try await awaitState(model.state, "the household") { if case .loaded = $0 { true } else { false } }
        let masked = try XCTUnwrap(model.members.first)
        XCTAssertEqual([masked.name, masked.phones.first, masked.idNumber], ["王**", "138****8000", "110105********002X"])

        let ok = await model.reveal(residentId, reason: RevealReason(purpose: .verifyIdentity, note: "核实身份"))
        XCTAssertFalse(ok)
        XCTAssertEqual(view(model)?.revealError, "楼栋长不能查看完整证件号码和电话")
        XCTAssertEqual(model.members, [masked])
        XCTAssertFalse(model.isRevealed(residentId))
        await XCTAssertEqualAsync(try await env.store.syncStatus().unsentChanges, unsent, "nothing logged")
    }

    func testAnUnknownHouseholdIsAFailureNamingTheKind() async throws {
        try await Self.anUnknownHouseholdIsAFailureNamingTheKind(try tempDir(self, "household-missing"))
    }

    @MainActor
    private static func anUnknownHouseholdIsAFailureNamingTheKind(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        _ = try await grid(env.store, "502")
        let model = HouseholdModel(calls: env.calls, householdId: "00000000-0000-0000-0000-000000000000")
        model.observe()
        let failed = try await awaitState(model.state, "the failure") { if case .failed = $0 { true } else { false } }
        XCTAssertEqual(failed, .failed("找不到该住户（可能已被删除）"))
    }
}
