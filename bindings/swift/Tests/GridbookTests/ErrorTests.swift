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

    func testAnInvalidPhoneIsInvalidPhonesWithoutThePhone() throws {
        let store = try openStore(dir("invalid"), "w-zhang")
        let f = try fixture(store)
        let error = expectGridbookError("an invalid phone") {
            try store.createResident(input: residentInput(f.household, phone: "1234567"))
        }
        XCTAssertEqual(error, .Invalid(field: "phones", reason: .phone))
        assertSafe(error, names: "phones", without: ["1234567", "王秀英"])
        XCTAssertEqual(try store.household(householdId: f.household).members.count, 0, "nothing stored")
        XCTAssertEqual(try store.syncStatus().unsentChanges, 3, "no change recorded for the failed call")
    }

    func testABadIdNumberIsInvalidIdNumberWithoutTheNumber() throws {
        let store = try openStore(dir("idnumber"), "w-zhang")
        let f = try fixture(store)
        // The right number is 11010519491231002X: the check character is wrong.
        let error = expectGridbookError("a wrong check character") {
            try store.createResident(input: residentInput(f.household, idNumber: "110105194912310021"))
        }
        XCTAssertEqual(error, .Invalid(field: "idNumber", reason: .idNumberCheckDigit))
        assertSafe(error, names: "idNumber", without: ["110105194912310021", "19491231", "王秀英"])
        let short = expectGridbookError("a short ID number") {
            try store.createResident(input: residentInput(f.household, idNumber: "1101051949"))
        }
        XCTAssertEqual(short, .Invalid(field: "idNumber", reason: .idNumberFormat))
        assertSafe(short, names: "idNumber", without: ["1101051949"])
        XCTAssertEqual(try store.household(householdId: f.household).members.count, 0, "nothing stored")
    }

    func testBadDatesAndNamesAreInvalidWithTheirReason() throws {
        let store = try openStore(dir("dates"), "w-zhang")
        let f = try fixture(store)
        var input = residentInput(f.household)
        input.birthDate = "1941-02-30"
        let date = expectGridbookError("a date that does not exist") { try store.createResident(input: input) }
        // A date inside a record is checked as it crosses into Rust, where the field is not known: the error names its type.
        XCTAssertEqual(date, .Invalid(field: "date", reason: .dateFormat))
        assertSafe(date, names: "date", without: ["1941-02-30"])

        input = residentInput(f.household)
        input.name = "  "
        XCTAssertEqual(expectGridbookError("an empty name") { try store.createResident(input: input) }, .Invalid(field: "name", reason: .empty))

        XCTAssertEqual(
            expectGridbookError("a visits query with a bad date") {
                try store.visitsByWorker(workerId: "w-zhang", from: "2020-1-1", to: "2020-12-31")
            },
            .Invalid(field: "from", reason: .dateFormat)
        )
        XCTAssertEqual(try store.household(householdId: f.household).members.count, 0, "nothing stored")
    }

    func testUnknownIdsAreNotFoundAndBadChangeBytesMalformedChanges() throws {
        let store = try openStore(dir("notfound"), "w-zhang")
        XCTAssertEqual(expectGridbookError("an unknown household") { try store.household(householdId: "no-such-id") },
                       .NotFound(kind: .household, id: "no-such-id"))
        XCTAssertEqual(expectGridbookError("an unknown resident") { try store.resident(residentId: "nobody") },
                       .NotFound(kind: .resident, id: "nobody"))
        let grid = expectGridbookError("a building in an unknown grid") {
            try store.createBuilding(gridId: "no-grid", input: BuildingInput(number: "1栋", estate: nil, units: 1, floors: 1, location: nil))
        }
        XCTAssertEqual(grid, .NotFound(kind: .grid, id: "no-grid"))
        let garbage = expectGridbookError("a garbage import") { try store.importChanges(bytes: Data([1, 2, 3])) }
        guard case .MalformedChanges(let detail)? = garbage else {
            return XCTFail("expected MalformedChanges, got \(String(describing: garbage))")
        }
        XCTAssertFalse(detail.isEmpty)
        XCTAssertEqual(try store.grids().count, 0, "nothing applied")
    }

    func testAWrongKeyIsNotADatabaseAnotherWorkerWorkerMismatch() throws {
        let dir = try dir("key")
        do {
            let store = try openStore(dir, "w-zhang", key: "right", file: "secret.db")
            _ = try fixture(store)
        }
        XCTAssertEqual(expectGridbookError("a wrong key") { try openStore(dir, "w-zhang", key: "wrong", file: "secret.db") }, .notADatabase)
        XCTAssertEqual(expectGridbookError("no key") { try openStore(dir, "w-zhang", key: nil, file: "secret.db") }, .notADatabase)
        XCTAssertEqual(expectGridbookError("another worker") { try openStore(dir, "w-li", key: "right", file: "secret.db") }, .workerMismatch)
        let reopened = try openStore(dir, "w-zhang", key: "right", file: "secret.db")
        XCTAssertEqual(try reopened.grids().count, 1, "reopened with the right key")
        // The file on disk is not plain SQLite.
        let head = try Data(contentsOf: dir.appendingPathComponent("secret.db")).prefix(16)
        XCTAssertNotEqual(String(decoding: head, as: UTF8.self), "SQLite format 3\u{0}")
    }

    func testAFileFromANewerAppIsSchemaTooNewAndLeftAlone() throws {
        let dir = try dir("schema")
        // A store with data: its latest writes are in the WAL while it is open;
        // released, its file holds everything, without a WAL beside it.
        do {
            let store = try openStore(dir, "w-zhang")
            _ = try fixture(store)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["w-zhang.db", "w-zhang.db-shm", "w-zhang.db-wal"])
        }
        let file = dir.appendingPathComponent("w-zhang.db")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["w-zhang.db"], "the WAL was left behind")
        // SQLite keeps PRAGMA user_version, the schema version, big-endian at offset 60 of the file.
        var bytes = try Data(contentsOf: file)
        bytes.replaceSubrange(60..<64, with: [0, 0, 0x03, 0xE7])
        try bytes.write(to: file)
        let error = expectGridbookError("a file from a newer app") { try openStore(dir, "w-zhang") }
        guard case .SchemaTooNew(let found, let supported)? = error else {
            return XCTFail("expected SchemaTooNew, got \(String(describing: error))")
        }
        XCTAssertEqual(found, 999)
        XCTAssertTrue((1..<999).contains(supported), "supported \(supported)")
        XCTAssertEqual(try Data(contentsOf: file), bytes, "the file was modified")
    }

    func testAFileThatIsNotADatabaseIsNotADatabase() throws {
        let file = try dir("garbage").appendingPathComponent("w-zhang.db")
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: file)
        XCTAssertEqual(expectGridbookError("a file of garbage") { try openStore(file.deletingLastPathComponent(), "w-zhang") }, .notADatabase)
        XCTAssertEqual(try Data(contentsOf: file), garbage, "the file was modified")
    }

    func testABadServerUrlIsConfig() {
        let error = expectGridbookError("an ftp URL") { try SyncClient(serverUrl: "ftp://example.invalid", token: "t", extraRootCertificatePem: nil) }
        guard case .Config(let detail)? = error else {
            return XCTFail("expected Config, got \(String(describing: error))")
        }
        XCTAssertFalse(detail.isEmpty)
        let pem = expectGridbookError("a certificate that is not PEM") {
            try SyncClient(serverUrl: "https://example.invalid", token: "t", extraRootCertificatePem: Data("not a certificate".utf8))
        }
        guard case .Config? = pem else {
            return XCTFail("expected Config, got \(String(describing: pem))")
        }
    }
}
