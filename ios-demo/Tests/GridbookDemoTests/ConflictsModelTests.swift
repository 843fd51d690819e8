import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

final class ConflictsModelTests: XCTestCase {
    func testAConcurrentPhoneEditIsListedMaskedWithItsAuthors() async throws {
        try await Self.aConcurrentPhoneEditIsListedMaskedWithItsAuthors(try tempDir(self, "conflicts"))
    }

    @MainActor
    private static func aConcurrentPhoneEditIsListedMaskedWithItsAuthors(_ dir: URL) async throws {
        let a = Env(try await openStore(dir, "w-zhang"))
        let b = try await openStore(dir, "w-li")
        let g = try await grid(a.store, "502")
        let residentId = try await a.store.createResident(input: resident(g.households[0]))
        _ = try await b.importChanges(bytes: try await a.store.exportSince(cursor: 0).bytes)
        let cursorA = try await a.store.exportSince(cursor: 0).cursor
        let cursorB = try await b.exportSince(cursor: 0).cursor
        let model = ConflictsModel(calls: a.calls, clock: FixedClock(ms: 0))
        XCTAssertEqual(model.state.value, .loading)
        model.observe(gridId: g.id)
        defer { model.close() }
        let none = try await awaitState(model.state, "no conflict") { if case .loaded = $0 { true } else { false } }
        XCTAssertEqual(none, .loaded(gridId: g.id, rows: []))

        // The conflict arrives by merging the other phone's changes; the test
        // calls nothing on the model.
        try await a.store.updateResident(residentId: residentId, input: resident(g.households[0], phone: "13900139000"))
        try await b.updateResident(residentId: residentId, input: resident(g.households[0], phone: "13700137000"))
        _ = try await a.store.importChanges(bytes: try await b.exportSince(cursor: cursorB).bytes)
        _ = try await b.importChanges(bytes: try await a.store.exportSince(cursor: cursorA).bytes)
        let merged = try await awaitState(model.state, "the merged conflict") {
            if case let .loaded(_, rows) = $0 { !rows.isEmpty } else { false }
        }
        guard case let .loaded(gridId, rows) = merged else { return XCTFail("not loaded: \(merged)") }
        XCTAssertEqual(gridId, g.id)
        XCTAssertEqual(rows.count, 1)
        let row = rows[0]
        XCTAssertEqual(row.recordKind, .resident)
        XCTAssertEqual(row.recordId, residentId)
        XCTAssertEqual(row.record, "居民 王** · 3栋 1单元 502")
        XCTAssertEqual(row.field, "phones")
        XCTAssertEqual(row.fieldLabel, "电话")
        XCTAssertFalse(row.sensitive, "the core masks phones: the demo has nothing to reveal")
        XCTAssertFalse(row.revealed)
        XCTAssertEqual(Set(row.values.map { "\($0.text) \($0.workerId ?? "-")" }), ["139****9000 w-zhang", "137****7000 w-li"])
        XCTAssertEqual(row.values.filter(\.isWinner).count, 1)
        let shown = try await a.store.resident(residentId: residentId).phones
        XCTAssertEqual(row.values.first(where: \.isWinner)?.text, shown.joined(separator: ","), "the winner is what the store shows (masked)")
        let minute = try NSRegularExpression(pattern: #"^\d{4}-\d\d-\d\d \d\d:\d\d$"#)
        XCTAssertEqual(row.values.compactMap(\.time).filter {
            minute.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil
        }.count, 2)

        // Toggling changes nothing: full phones come only from a logged reveal.
        model.toggleReveal(row.key)
        guard case let .loaded(_, same) = model.state.value else { return XCTFail("not loaded") }
        XCTAssertEqual(same, [row])

        // Editing the field resolves it: the list empties by itself.
        try await a.store.updateResident(residentId: residentId, input: resident(g.households[0], phone: "13900139000"))
        let resolved = try await awaitState(model.state, "the resolved conflict gone") {
            if case let .loaded(_, rows) = $0 { rows.isEmpty } else { false }
        }
        XCTAssertEqual(resolved, .loaded(gridId: g.id, rows: []))
    }

    func testAConcurrentNameEditIsMaskedByTheDemoUntilRevealed() async throws {
        try await Self.aConcurrentNameEditIsMaskedByTheDemoUntilRevealed(try tempDir(self, "conflicts-name"))
    }

    @MainActor
    private static func aConcurrentNameEditIsMaskedByTheDemoUntilRevealed(_ dir: URL) async throws {
        let a = Env(try await openStore(dir, "w-zhang"))
        let b = try await openStore(dir, "w-li")
        let g = try await grid(a.store, "502")
        let residentId = try await a.store.createResident(input: resident(g.households[0]))
        _ = try await b.importChanges(bytes: try await a.store.exportSince(cursor: 0).bytes)
        let cursorA = try await a.store.exportSince(cursor: 0).cursor
        let cursorB = try await b.exportSince(cursor: 0).cursor
        try await a.store.updateResident(residentId: residentId, input: resident(g.households[0], name: "王秀珍"))
        try await b.updateResident(residentId: residentId, input: resident(g.households[0], name: "汪秀英"))
        _ = try await a.store.importChanges(bytes: try await b.exportSince(cursor: cursorB).bytes)
        _ = try await b.importChanges(bytes: try await a.store.exportSince(cursor: cursorA).bytes)
        let model = ConflictsModel(calls: a.calls, clock: FixedClock(ms: 0))
        model.observe(gridId: g.id)
        defer { model.close() }
        let merged = try await awaitState(model.state, "the name conflict") {
            if case let .loaded(_, rows) = $0 { !rows.isEmpty } else { false }
        }
        guard case let .loaded(_, rows) = merged, let row = rows.first else { return XCTFail("not loaded: \(merged)") }
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual([row.field, row.fieldLabel], ["name", "姓名"])
        XCTAssertTrue(row.sensitive)
        XCTAssertFalse(row.revealed)
        XCTAssertEqual(Set(row.values.map { "\($0.text) \($0.workerId ?? "-")" }), ["王** w-zhang", "汪** w-li"])

        model.toggleReveal(row.key)
        guard case let .loaded(_, open) = model.state.value else { return XCTFail("not loaded") }
        XCTAssertTrue(open[0].revealed)
        XCTAssertEqual(Set(open[0].values.map(\.text)), ["王秀珍", "汪秀英"])
        model.toggleReveal(row.key)
        guard case let .loaded(_, hidden) = model.state.value else { return XCTFail("not loaded") }
        XCTAssertEqual(hidden, [row])
    }
}
