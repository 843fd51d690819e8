// Roster import from Swift: a UTF-8 CSV with a BOM, its dry run, the commit
// refused for a row in error, the commit skipping it, a re-import that writes
// nothing; the same file by its path, and files refused whole.
import Foundation
import Gridbook
import XCTest

/// An ID number with its GB 11643 check character computed from 17 digits.
func idNumber(_ first17: String) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(first17, weights).map { Int(String($0))! * $1 }.reduce(0, +)
    let checks = Array("10X98765432")
    return first17 + String(checks[sum % 11])
}

let importHeader = "姓名,性别,身份证号,出生日期,联系电话,楼栋,单元,楼层,房号,与户主关系"

/// Three good rows in two new buildings, and a fourth whose ID number has a wrong check digit.
func importCsv() -> Data {
    let right = idNumber("11010519900404123")
    let wrong = String(right.dropLast()) + (right.last == "0" ? "1" : "0")
    let lines = [
        importHeader,
        "张三,男,\(idNumber("11010519800101123")),,13800138001,5栋,1,5,501,户主",
        "李四,女,\(idNumber("11010519820202124")),1982-02-02,13800138002,5栋,1,5,501,配偶",
        "王五,男,\(idNumber("11010519750303135")),,13900139003,6栋,2,,1203,户主",
        "赵六,男,\(wrong),,13900139004,6栋,2,,1204,户主",
    ]
    return Data([0xEF, 0xBB, 0xBF]) + Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
}

/// The grid's households as `building-unit-room:members`, sorted.
func rosterLines(_ store: Store, _ grid: String) async throws -> [String] {
    try await store.roster(gridId: grid)
        .map { "\($0.household.buildingNumber)-\($0.household.unit)-\($0.household.room):\($0.memberCount)" }
        .sorted()
}

final class ImportTests: TempDirTestCase {
    func testACsvIsDryRunRefusedForARowInErrorThenImportedSkippingIt() async throws {
        let store = try await openStore(dir("import"), "w-zhang")
        let f = try await fixture(store)
        let options = defaultRosterImportOptions()
        let bytes = importCsv()
        let before = try await rosterLines(store, f.grid)
        XCTAssertEqual(before, ["3栋-1-502:0"])

        let report = try await store.importRosterDryRun(gridId: f.grid, bytes: bytes, options: options)
        XCTAssertEqual(report.rows.map(\.row), [2, 3, 4, 5])
        XCTAssertEqual(
            report.rows.map(\.outcome),
            [
                .create(newBuilding: true, newHousehold: true),
                .create(newBuilding: true, newHousehold: true),
                .create(newBuilding: true, newHousehold: true),
                .error,
            ]
        )
        XCTAssertEqual(
            [report.buildingsCreated, report.householdsCreated, report.residentsCreated,
             report.rowsUpdated, report.rowsUnchanged, report.rowsInError],
            [2, 2, 3, 0, 0, 1]
        )
        XCTAssertEqual(
            report.rows.flatMap(\.errors),
            [CellError(row: 5, column: "身份证号", field: .idNumber, problem: .invalid(reason: .idNumberCheckDigit))]
        )
        await XCTAssertEqualAsync(try await rosterLines(store, f.grid), before, "a dry run writes nothing")

        let refused = await expectGridbookError("a row in error") {
            try await store.importRoster(gridId: f.grid, bytes: bytes, options: options, skipRowsInError: false)
        }
        XCTAssertEqual(refused, .ImportRefused(reason: .rowsInError(rows: 1)))
        XCTAssertFalse(renderings(refused!).contains { $0.contains("赵六") })
        await XCTAssertEqualAsync(try await rosterLines(store, f.grid), before, "nothing written")

        let done = try await store.importRoster(gridId: f.grid, bytes: bytes, options: options, skipRowsInError: true)
        XCTAssertTrue(done.written)
        XCTAssertEqual(done.report, report, "the commit reports what the dry run said")
        let imported = ["3栋-1-502:0", "5栋-1-501:2", "6栋-2-1203:1"]
        await XCTAssertEqualAsync(try await rosterLines(store, f.grid), imported)

        let again = try await store.importRoster(gridId: f.grid, bytes: bytes, options: options, skipRowsInError: true)
        XCTAssertFalse(again.written, "a re-import writes nothing")
        XCTAssertEqual([again.report.rowsUnchanged, again.report.rowsInError], [3, 1])
        await XCTAssertEqualAsync(try await rosterLines(store, f.grid), imported)
    }

    func testAFileIsImportedByItsPathAndFilesAreRefusedWhole() async throws {
        let dir = try dir("import-file")
        let store = try await openStore(dir, "w-zhang")
        let f = try await fixture(store)
        let options = defaultRosterImportOptions()
        let csv = dir.appendingPathComponent("花名册.csv")
        try importCsv().write(to: csv)

        let report = try await store.importRosterFileDryRun(gridId: f.grid, path: csv.path, options: options)
        XCTAssertEqual([report.buildingsCreated, report.householdsCreated, report.residentsCreated, report.rowsInError], [2, 2, 3, 1])
        let done = try await store.importRosterFile(gridId: f.grid, path: csv.path, options: options, skipRowsInError: true)
        XCTAssertTrue(done.written)
        await XCTAssertEqualAsync(try await rosterLines(store, f.grid), ["3栋-1-502:0", "5栋-1-501:2", "6栋-2-1203:1"])

        let missing = await expectGridbookError("a missing file") {
            try await store.importRosterFileDryRun(gridId: f.grid, path: dir.appendingPathComponent("无此文件.csv").path, options: options)
        }
        XCTAssertEqual(missing, .ImportRefused(reason: .fileNotFound(field: "path")))
        XCTAssertFalse(renderings(missing!).contains { $0.contains("无此文件") }, "never the path")

        let png = dir.appendingPathComponent("photo.csv")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]).write(to: png)
        await XCTAssertEqualAsync(
            await expectGridbookError("a PNG") {
                try await store.importRosterFile(gridId: f.grid, path: png.path, options: options, skipRowsInError: true)
            },
            .ImportRefused(reason: .notASpreadsheet)
        )

        var small = options
        small.maxFileBytes = 100
        await XCTAssertEqualAsync(
            await expectGridbookError("over the cap") {
                try await store.importRosterFileDryRun(gridId: f.grid, path: csv.path, options: small)
            },
            .ImportRefused(reason: .tooLarge(maxBytes: 100))
        )

        await XCTAssertEqualAsync(
            await expectGridbookError("no name column") {
                try await store.importRosterDryRun(gridId: f.grid, bytes: Data("楼栋,房号\r\n5栋,501\r\n".utf8), options: options)
            },
            .ImportRefused(reason: .missingColumn(field: .name))
        )
    }
}
