// Each failure arrives as the right GridbookError case, names the field or
// cause, and never carries a resident's data; nothing is stored.
import Foundation
import XCTest

import Gridbook

final class ErrorTests: TempDirTestCase {
    /// Checks that every rendering of `error` names `field` and contains none of `secrets`.
    private func assertSafe(_ error: GridbookError?, names field: String, without secrets: [String], line: UInt = #line) {
        guard let error else { return XCTFail("no error", line: line) }
        for text in renderings(error) {
            XCTAssertTrue(text.contains(field), "does not name \(field): \(text)", line: line)
            for secret in secrets {
                XCTAssertFalse(text.contains(secret), "personal data in the error: \(text)", line: line)
            }
        }
    }

    func testAnInvalidPhoneIsInvalidPhonesWithoutThePhone() async throws {
        let store = try await openStore(dir("invalid"), "w-zhang")
        let f = try await fixture(store)
        let error = await expectGridbookError("an invalid phone") {
            try await store.createResident(input: residentInput(f.household, phone: "1234567"))
        }
        XCTAssertEqual(error, .Invalid(field: "phones", reason: .phone))
        assertSafe(error, names: "phones", without: ["1234567", "王秀英"])
        await XCTAssertEqualAsync(try await store.household(householdId: f.household).members.count, 0, "nothing stored")
        await XCTAssertEqualAsync(try await store.syncStatus().unsentChanges, 3, "no change recorded for the failed call")
    }

    func testABadIdNumberIsInvalidIdNumberWithoutTheNumber() async throws {
        let store = try await openStore(dir("idnumber"), "w-zhang")
        let f = try await fixture(store)
        // The right number is 11010519491231002X: the check character is wrong.
        let error = await expectGridbookError("a wrong check character") {
            try await store.createResident(input: residentInput(f.household, idNumber: "110105194912310021"))
        }
        XCTAssertEqual(error, .Invalid(field: "idNumber", reason: .idNumberCheckDigit))
        assertSafe(error, names: "idNumber", without: ["110105194912310021", "19491231", "王秀英"])
        let short = await expectGridbookError("a short ID number") {
            try await store.createResident(input: residentInput(f.household, idNumber: "1101051949"))
        }
        XCTAssertEqual(short, .Invalid(field: "idNumber", reason: .idNumberFormat))
        assertSafe(short, names: "idNumber", without: ["1101051949"])
        await XCTAssertEqualAsync(try await store.household(householdId: f.household).members.count, 0, "nothing stored")
    }

    func testBadDatesAndNamesAreInvalidWithTheirReason() async throws {
        let store = try await openStore(dir("dates"), "w-zhang")
        let f = try await fixture(store)
        var input = residentInput(f.household)
        input.birthDate = day(1941, 2, 30)
        let date = await expectGridbookError("a date that does not exist") { try await store.createResident(input: input) }
        // A date inside a record is checked as it crosses into Rust, where the field is not known: the error names its type.
        XCTAssertEqual(date, .Invalid(field: "date", reason: .dateFormat))
        assertSafe(date, names: "date", without: ["1941-02-30", "1941"])

        input = residentInput(f.household)
        input.name = "  "
        await XCTAssertEqualAsync(await expectGridbookError("an empty name") { try await store.createResident(input: input) }, .Invalid(field: "name", reason: .empty))

        await XCTAssertEqualAsync(
            await expectGridbookError("a visits query with a bad date") {
                try await store.visitsByWorker(workerId: "w-zhang", from: DateComponents(year: 2020), to: day(2020, 12, 31))
            },
            .Invalid(field: "date", reason: .dateFormat)
        )
        await XCTAssertEqualAsync(try await store.household(householdId: f.household).members.count, 0, "nothing stored")
    }

    func testUnknownIdsAreNotFoundAndBadChangeBytesMalformedChanges() async throws {
        let store = try await openStore(dir("notfound"), "w-zhang")
        await XCTAssertEqualAsync(await expectGridbookError("an unknown household") { try await store.household(householdId: "no-such-id") },
                       .NotFound(kind: .household, id: "no-such-id"))
        await XCTAssertEqualAsync(await expectGridbookError("an unknown resident") { try await store.resident(residentId: "nobody") },
                       .NotFound(kind: .resident, id: "nobody"))
        let grid = await expectGridbookError("a building in an unknown grid") {
            try await store.createBuilding(gridId: "no-grid", input: BuildingInput(number: "1栋", estate: nil, units: 1, floors: 1, location: nil))
        }
        XCTAssertEqual(grid, .NotFound(kind: .grid, id: "no-grid"))
        let garbage = await expectGridbookError("a garbage import") { try await store.importChanges(bytes: Data([1, 2, 3])) }
        guard case .MalformedChanges(let detail)? = garbage else {
            return XCTFail("expected MalformedChanges, got \(String(describing: garbage))")
        }
        XCTAssertFalse(detail.isEmpty)
        await XCTAssertEqualAsync(try await store.grids().count, 0, "nothing applied")
    }

    func testAWrongKeyIsNotADatabaseAnotherWorkerWorkerMismatch() async throws {
        let dir = try dir("key")
        do {
            let store = try await openStore(dir, "w-zhang", key: "right", file: "secret.db")
            _ = try await fixture(store)
        }
        await XCTAssertEqualAsync(await expectGridbookError("a wrong key") { try await openStore(dir, "w-zhang", key: "wrong", file: "secret.db") }, .notADatabase)
        await XCTAssertEqualAsync(await expectGridbookError("no key") { try await openStore(dir, "w-zhang", key: nil, file: "secret.db") }, .notADatabase)
        await XCTAssertEqualAsync(await expectGridbookError("another worker") { try await openStore(dir, "w-li", key: "right", file: "secret.db") }, .workerMismatch)
        let reopened = try await openStore(dir, "w-zhang", key: "right", file: "secret.db")
        await XCTAssertEqualAsync(try await reopened.grids().count, 1, "reopened with the right key")
        // The file on disk is not plain SQLite.
        let head = try Data(contentsOf: dir.appendingPathComponent("secret.db")).prefix(16)
        XCTAssertNotEqual(String(decoding: head, as: UTF8.self), "SQLite format 3\u{0}")
    }

    func testAFileFromANewerAppIsSchemaTooNewAndLeftAlone() async throws {
        let dir = try dir("schema")
        // A store with data: its latest writes are in the WAL while it is open;
        // released, its file holds everything, without a WAL beside it.
        do {
            let store = try await openStore(dir, "w-zhang")
            _ = try await fixture(store)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["w-zhang.db", "w-zhang.db-shm", "w-zhang.db-wal"])
        }
        let file = dir.appendingPathComponent("w-zhang.db")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["w-zhang.db"], "the WAL was left behind")
        // SQLite keeps PRAGMA user_version, the schema version, big-endian at offset 60 of the file.
        var bytes = try Data(contentsOf: file)
        bytes.replaceSubrange(60..<64, with: [0, 0, 0x03, 0xE7])
        try bytes.write(to: file)
        let error = await expectGridbookError("a file from a newer app") { try await openStore(dir, "w-zhang") }
        guard case .SchemaTooNew(let found, let supported)? = error else {
            return XCTFail("expected SchemaTooNew, got \(String(describing: error))")
        }
        XCTAssertEqual(found, 999)
        XCTAssertTrue((1..<999).contains(supported), "supported \(supported)")
        XCTAssertEqual(try Data(contentsOf: file), bytes, "the file was modified")
    }

    func testAFileThatIsNotADatabaseIsNotADatabase() async throws {
        let file = try dir("garbage").appendingPathComponent("w-zhang.db")
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: file)
        await XCTAssertEqualAsync(await expectGridbookError("a file of garbage") { try await openStore(file.deletingLastPathComponent(), "w-zhang") }, .notADatabase)
        XCTAssertEqual(try Data(contentsOf: file), garbage, "the file was modified")
    }

    func testABadServerUrlIsConfig() async throws {
        let store = try await openStore(dir("bad-url"), "w-zhang")
        let error = await expectGridbookError("an ftp URL") { try await store.sync(server: server("ftp://example.invalid")) }
        guard case .Config(let detail)? = error else {
            return XCTFail("expected Config, got \(String(describing: error))")
        }
        XCTAssertFalse(detail.isEmpty)
        var pem = defaultSyncSettings()
        pem.extraRootCertificatePem = Data("not a certificate".utf8)
        let refused = await expectGridbookError("a certificate that is not PEM") {
            try await store.sync(server: server("https://example.invalid", settings: pem))
        }
        guard case .Config? = refused else {
            return XCTFail("expected Config, got \(String(describing: refused))")
        }
    }
}
