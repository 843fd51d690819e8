// Export from Swift: the roster as CSV and XLSX, masked, and the layouts.
import Foundation
import Gridbook
import XCTest

final class ExportTests: TempDirTestCase {
    func testTheRosterExportsMaskedAsCsvAndXlsx() async throws {
        let store = try await openStore(dir("export"), "w-zhang")
        let f = try await fixture(store)
        var input = residentInput(f.household)
        input.care = ["elderly_alone", "disabled"]
        _ = try await store.createResident(input: input)
        XCTAssertEqual(try exportTemplates().map(\.id), ["roster_grid_worker", "households", "visits", "events"])

        let options = ExportOptions(masking: .masked)
        let csv = try await store.export(gridId: f.grid, templateId: "roster_grid_worker", format: .csv, options: options)
        let text = String(decoding: csv.bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("\u{FEFF}楼栋,单元,房号,姓名"), "BOM and header")
        XCTAssertTrue(text.contains(",138****8000,"), "the phone masked")
        XCTAssertFalse(text.contains("13800138000"), "never whole")
        XCTAssertTrue(text.contains("健康类 1"), "health only counted")
        XCTAssertFalse(text.contains("残疾人"))
        XCTAssertEqual(csv.rows, 1)
        XCTAssertTrue(csv.masked)
        XCTAssertTrue(csv.fileName.hasSuffix(".csv"))

        let xlsx = try await store.export(gridId: f.grid, templateId: "roster_grid_worker", format: .xlsx, options: options)
        XCTAssertEqual(Array(xlsx.bytes.prefix(2)), Array("PK".utf8), "a zip file")
        XCTAssertTrue(xlsx.fileName.hasSuffix(".xlsx"))

        await XCTAssertEqualAsync(
            await expectGridbookError("an unknown template") {
                try await store.export(gridId: f.grid, templateId: "no_such", format: .csv, options: options)
            },
            .Invalid(field: "templateId", reason: .unknownCode)
        )
    }
}
