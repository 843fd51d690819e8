// The texts of GridbookError as a Swift app sees them: `localizedDescription`
// and `description` are the whole sentence, naming the field in Swift's own
// naming and the reason in words, and no text holds the rejected value.
import Foundation
import XCTest

import Gridbook

final class ErrorMessageTests: TempDirTestCase {
    func testInvalidNamesTheCamelCaseFieldAndTheReasonInWords() async throws {
        let store = try await openStore(try dir("messages"), "w-zhang")
        let f = try await fixture(store)
        let idNumber = "110105194912310021"
        var input = residentInput(f.household)
        input.birthDate = nil
        input.idNumber = idNumber
        let badId = await expectGridbookError("a wrong check digit") { try await store.createResident(input: input) }
        XCTAssertEqual(badId?.localizedDescription, "idNumber check digit does not match (GB 11643)")
        XCTAssertEqual(badId.map { "\($0)" }, "idNumber check digit does not match (GB 11643)")
        XCTAssertEqual(InvalidReason.idNumberCheckDigit.description, "check digit does not match (GB 11643)")
        let phone = "1380013"
        let badPhone = await expectGridbookError("a short phone") {
            try await store.createResident(input: residentInput(f.household, phone: phone))
        }
        XCTAssertEqual(badPhone?.localizedDescription, "phones is neither an 11-digit mobile number nor a landline number")
        for error in [badId, badPhone].compactMap({ $0 }) {
            for text in renderings(error) {
                XCTAssertFalse(text.contains(idNumber) || text.contains(phone), "the value leaked: \(text)")
            }
        }
    }

    func testNotADatabaseWorkerMismatchAndNotFoundReadInWords() async throws {
        let dir = try self.dir("messages-key")
        _ = try await fixture(try await openStore(dir, "w-zhang", key: "right", file: "secret.db"))
        let wrongKey = await expectGridbookError("a wrong raw key") { try await openStore(dir, "w-zhang", key: "wrong", file: "secret.db") }
        XCTAssertEqual(wrongKey?.localizedDescription, "the file is not a Gridbook database, or the key is wrong")
        let path = dir.appendingPathComponent("secret.db").path
        let passphrase = await expectGridbookError("a passphrase on a raw-key file") {
            try await Store.open(path: path, identity: identity("w-zhang"), key: .passphrase(text: "right"))
        }
        XCTAssertEqual(passphrase, .notADatabase)
        let other = await expectGridbookError("another worker") { try await openStore(dir, "w-li", key: "right", file: "secret.db") }
        XCTAssertEqual(other?.localizedDescription, "this store belongs to another worker")
        let shortKey = await expectGridbookError("a 16-byte raw key") {
            try await Store.open(path: dir.appendingPathComponent("short.db").path, identity: identity("w-zhang"), key: .raw(bytes: Data(count: 16)))
        }
        XCTAssertEqual(shortKey?.localizedDescription, "key must be exactly 32 bytes long")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("short.db").path))
        let store = try await openStore(dir, "w-zhang", key: "right", file: "secret.db")
        let missing = await expectGridbookError("no such household") { try await store.household(householdId: "h-none") }
        XCTAssertEqual(missing?.localizedDescription, "no household with id h-none")
        XCTAssertEqual(missing, .NotFound(kind: .household, id: "h-none"))
    }
}
