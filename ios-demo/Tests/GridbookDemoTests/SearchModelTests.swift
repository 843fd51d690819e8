import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

final class SearchModelTests: XCTestCase {
    func testPinyinAndAddressQueriesShowHowTheyMatched() async throws {
        try await Self.pinyinAndAddress(try tempDir(self, "search"))
    }

    @MainActor
    private static func pinyinAndAddress(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let g = try await grid(env.store, "502")
        let zhang = try await env.store.createResident(input: resident(g.households[0], name: "张三", phone: "13912345678", idNumber: nil))
        let building = try await env.store.createBuilding(
            gridId: g.id, input: BuildingInput(number: "5栋", estate: "阳光小区", units: 2, floors: 6, location: GeoPoint(lon: 120.101, lat: 30.28))
        )
        let flat = try await env.store.createHousehold(input: HouseholdInput(
            buildingId: building, unit: "2", floor: 4, room: "401", useKind: .rented, tags: [], location: nil, notes: nil
        ))
        let model = SearchModel(calls: env.calls, gridId: g.id)

        for typed in ["zs", "zhangsan", "张s"] {
            await model.setQuery(typed).value
            let rows = model.state.value.rows
            XCTAssertEqual(rows.map(\.householdId), [g.households[0]], typed)
            XCTAssertEqual(rows.map(\.residentId), [zhang], typed)
            XCTAssertEqual(rows.map(\.matched), ["拼音"], typed)
            XCTAssertFalse(rows.first?.display.contains("张三") ?? true, "masked as the store returns it")
            XCTAssertTrue(rows.first?.display.hasPrefix("张") ?? false)
        }
        await model.setQuery("张三").value
        XCTAssertEqual(model.state.value.rows.map(\.matched), ["姓名"])
        await model.setQuery("5678").value
        XCTAssertEqual(model.state.value.rows.map(\.matched), ["手机尾号"])

        for typed in ["5-2-401", "5栋2单元401", "5号楼2单元401室"] {
            await model.setQuery(typed).value
            let rows = model.state.value.rows
            XCTAssertEqual(rows.map(\.householdId), [flat], typed)
            XCTAssertEqual(rows.map(\.residentId), [nil], typed)
            XCTAssertEqual(rows.map(\.matched), ["地址"], typed)
        }
        await model.setQuery("三栋").value
        XCTAssertEqual(model.state.value.rows.map(\.householdId), [g.households[0]], "三栋")
        XCTAssertEqual(model.state.value.rows.map(\.matched), ["地址"], "三栋")

        await model.setQuery("  ").value
        var cleared = SearchState()
        cleared.query = "  "
        XCTAssertEqual(model.state.value, cleared)
    }
}
