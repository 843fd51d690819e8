import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

final class RevealLogModelTests: XCTestCase {
    func testTheGridHeadSeesWhoRevealedWhatAndWhyAndAnAssistantIsRefused() async throws {
        try await Self.theGridHeadSeesWhoRevealedWhatAndWhy(try tempDir(self, "reveal-log"))
    }

    @MainActor
    private static func theGridHeadSeesWhoRevealedWhatAndWhy(_ dir: URL) async throws {
        let head = Env(try await openStore(dir, "w-zhang"))
        let assistant = Env(try await openStore(dir, "w-wang", role: .assistant))
        let g = try await grid(head.store, "502")
        let residentId = try await head.store.createResident(input: resident(g.households[0]))
        _ = try await assistant.store.importChanges(bytes: try await head.store.exportSince(cursor: 0).bytes)
        let model = RevealLogModel(calls: head.calls, clock: FixedClock(ms: 0))
        XCTAssertEqual(model.state.value, .loading)
        await model.load(gridId: g.id)
        XCTAssertEqual(model.state.value, .loaded(gridId: g.id, rows: []), "nothing revealed yet")

        _ = try await assistant.store.revealResident(residentId: residentId, reason: RevealReason(purpose: .contactResident, note: "回访独居老人"))
        _ = try await head.store.importChanges(bytes: try await assistant.store.exportSince(cursor: 0).bytes)
        try await Task.sleep(nanoseconds: 5_000_000) // the export is logged strictly later
        let reason = RevealReason(purpose: .reportUpstream, note: "报街道人口系统")
        _ = try await head.store.export(gridId: g.id, templateId: "roster_grid_worker", format: .csv, options: ExportOptions(masking: .unmasked(reason: reason)))
        let entries = try await head.store.revealLog(gridId: g.id)
        XCTAssertEqual(entries.count, 2)
        func time(_ i: Int) -> String { Labels.time(Timestamp(utcMs: entries[i].atMs, offsetMinutes: 480)) }

        await model.load(gridId: g.id)
        XCTAssertEqual(model.state.value, .loaded(gridId: g.id, rows: [
            RevealLogRow(
                id: entries[0].id, subject: "导出未脱敏数据", target: "网格员花名册 · 1 行", fields: "身份证号、电话、关爱类别、住户备注",
                reason: "上报上级系统：报街道人口系统", recordedBy: "w-zhang", time: time(0)
            ),
            RevealLogRow(
                id: entries[1].id, subject: "查看住户完整信息", target: "居民 王** · 3栋 1单元 502", fields: "身份证号、电话",
                reason: "联系住户：回访独居老人", recordedBy: "w-wang", time: time(1)
            ),
        ]))

        let refused = RevealLogModel(calls: assistant.calls, clock: FixedClock(ms: 0))
        await refused.load(gridId: g.id)
        XCTAssertEqual(refused.state.value, .failed("协管员不能查看查阅记录"))
    }
}
