// The audited reveal from Swift: reads are masked, the full ID number and
// phones only through revealResident with a purpose by an allowed role, an
// unmasked export only by the grid head, and the reveal log, synced through
// a real gridbook-server, read by the grid head alone.
import Foundation
import XCTest

import Gridbook

private let fullId = "11010519491231002X"
private let maskedId = "110105********002X"

/// The resident of the reveal tests: with an ID number and a phone.
private func identifiedResident(_ household: String) -> ResidentInput {
    var input = residentInput(household, idNumber: fullId)
    input.birthDate = day(1949, 12, 31)
    return input
}

/// A grid head's store holding the fixture and a resident, and a store of another role that imported them.
private struct Team {
    let head: Store
    let other: Store
    let f: Fixture
    let residentId: String
}

final class RevealTests: TempDirTestCase {
    private func team(_ name: String, _ role: WorkerRole) async throws -> Team {
        let dir = try dir(name)
        let head = try await openStore(dir, "w-zhang")
        let other = try await openStore(dir, "w-other", role: role)
        let f = try await fixture(head)
        let residentId = try await head.createResident(input: identifiedResident(f.household))
        _ = try await other.importChanges(bytes: head.exportSince(cursor: 0).bytes)
        return Team(head: head, other: other, f: f, residentId: residentId)
    }

    func testReadsAreMaskedAndAnAssistantsRevealShowsTheFullValues() async throws {
        let t = try await team("reveal-read", .assistant)
        let shown = try await t.other.resident(residentId: t.residentId)
        XCTAssertEqual(shown.idNumber, maskedId, "the ID number reads masked")
        XCTAssertEqual(shown.phones, ["138****8000"], "the phones read masked")
        XCTAssertEqual(shown.name, "王秀英", "the name is not masked by the core")
        let members = try await t.other.household(householdId: t.f.household).members
        XCTAssertEqual(members.map(\.idNumber), [maskedId])
        XCTAssertEqual(members.map(\.phones), [["138****8000"]])
        let cared = try await t.other.residentsByCare(gridId: t.f.grid, category: "elderly_alone")
        XCTAssertEqual(cared.map(\.idNumber), [maskedId])
        XCTAssertEqual(cared.map(\.phones), [["138****8000"]])

        let full = try await t.other.revealResident(residentId: t.residentId, reason: revealReason())
        XCTAssertEqual(full.idNumber, fullId)
        XCTAssertEqual(full.phones, ["13800138000"])
        var expected = shown
        expected.idNumber = fullId
        expected.phones = ["13800138000"]
        XCTAssertEqual(full, expected, "nothing else differs")
        XCTAssertEqual(maskResident(resident: full), shown, "maskResident masks the revealed resident again")
        await XCTAssertEqualAsync(try await t.other.resident(residentId: t.residentId).idNumber, maskedId, "reads stay masked")
    }

    func testABuildingHeadAndAPatrolVolunteerAreRefusedAndNothingIsLogged() async throws {
        for role in [WorkerRole.buildingHead, .patrolVolunteer] {
            let t = try await team("reveal-refused", role)
            let unsent = try await t.other.syncStatus().unsentChanges
            let refused = await expectGridbookError("a reveal by \(role)") {
                try await t.other.revealResident(residentId: t.residentId, reason: revealReason())
            }
            XCTAssertEqual(refused, .PrivacyRoleMayNot(action: .revealResident, role: role))
            await XCTAssertEqualAsync(try await t.other.syncStatus().unsentChanges, unsent, "nothing written by \(role)")
            _ = try await t.head.importChanges(bytes: t.other.exportSince(cursor: 0).bytes)
            await XCTAssertEqualAsync(try await t.head.revealLog(gridId: t.f.grid), [], "nothing logged for \(role)")
        }
    }

    func testAnEmptyNoteIsInvalid() async throws {
        let t = try await team("reveal-note", .assistant)
        let unsent = try await t.other.syncStatus().unsentChanges
        for note in ["", "   "] {
            let refused = await expectGridbookError("the note '\(note)'") {
                try await t.other.revealResident(residentId: t.residentId, reason: revealReason(note))
            }
            XCTAssertEqual(refused, .Invalid(field: "note", reason: .empty))
        }
        await XCTAssertEqualAsync(try await t.other.syncStatus().unsentChanges, unsent, "nothing written")
    }

    func testSavingAMaskedResidentBackKeepsTheFullValues() async throws {
        let t = try await team("reveal-save", .assistant)
        let masked = try await t.other.resident(residentId: t.residentId)
        XCTAssertEqual(masked.idNumber, maskedId)
        var edit = masked.toInput()
        edit.name = "王秀珍"
        try await t.other.updateResident(residentId: t.residentId, input: edit)
        let full = try await t.other.revealResident(residentId: t.residentId, reason: revealReason("核对更名"))
        XCTAssertEqual(full.name, "王秀珍", "the edit saved")
        XCTAssertEqual(full.idNumber, fullId, "the stored ID number kept")
        XCTAssertEqual(full.phones, ["13800138000"], "the stored phone kept")
    }

    func testAnUnmaskedExportIsTheGridHeadsAndIsLogged() async throws {
        let t = try await team("reveal-export", .assistant)
        let reason = RevealReason(purpose: .reportUpstream, note: "报街道人口系统")
        let unmasked = ExportOptions(masking: .unmasked(reason: reason))
        let file = try await t.head.export(gridId: t.f.grid, templateId: "roster_grid_worker", format: .csv, options: unmasked)
        let text = String(decoding: file.bytes, as: UTF8.self)
        XCTAssertTrue(text.contains(fullId), "the full ID number is exported")
        XCTAssertTrue(text.contains("13800138000"), "the full phone is exported")
        XCTAssertFalse(file.masked)
        XCTAssertEqual(file.rows, 1)
        let log = try await t.head.revealLog(gridId: t.f.grid)
        XCTAssertEqual(log.count, 1)
        XCTAssertEqual(log.first?.subject, .export)
        XCTAssertEqual(log.first?.templateId, "roster_grid_worker")
        XCTAssertEqual(log.first?.rows, 1)
        XCTAssertEqual(log.first?.residentId, "")
        XCTAssertEqual(log.first?.purpose, .reportUpstream)
        XCTAssertEqual(log.first?.note, "报街道人口系统")
        XCTAssertEqual(log.first?.recordedBy, "w-zhang")

        let masked = try await t.head.export(gridId: t.f.grid, templateId: "roster_grid_worker", format: .csv, options: ExportOptions(masking: .masked))
        XCTAssertTrue(masked.masked)
        XCTAssertFalse(String(decoding: masked.bytes, as: UTF8.self).contains(fullId), "the default stays masked")

        let refused = await expectGridbookError("an assistant's unmasked export") {
            try await t.other.export(gridId: t.f.grid, templateId: "roster_grid_worker", format: .csv, options: unmasked)
        }
        XCTAssertEqual(refused, .PrivacyRoleMayNot(action: .exportUnmasked, role: .assistant))
    }

    func testTheLabels() {
        XCTAssertEqual(revealPurposeLabel(value: .contactResident), "联系住户")
        XCTAssertEqual(revealSubjectLabel(value: .export), "导出未脱敏数据")
        XCTAssertEqual(privacyActionLabel(value: .readRevealLog), "查看查阅记录")
    }
}

/// The reveal log through a real gridbook-server: the assistant's reveal
/// reaches the grid head's phone.
final class RevealLogSyncTests: XCTestCase {
    private var dir: URL!
    private var data: URL!
    private var tokenHead = ""
    private var tokenAssistant = ""
    private var running: RunningServer?

    /// Starts the server on the main thread (see ServerTests).
    override func setUpWithError() throws {
        dir = try tempDir("reveal-server")
        data = dir.appendingPathComponent("server-data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try admin(data, "add-worker", "--id", "w-zhang", "--name", "张伟", "--role", "grid_head", "--can-create-grids")
        try admin(data, "add-worker", "--id", "w-wang", "--name", "王芳", "--role", "assistant")
        (_, tokenHead) = try issueToken(data, worker: "w-zhang", device: "张伟的手机")
        (_, tokenAssistant) = try issueToken(data, worker: "w-wang", device: "王芳的手机")
        running = try RunningServer(data: data, log: dir.appendingPathComponent("server.log"))
    }

    override func tearDown() {
        running?.stop()
        cleanUp(dir)
        super.tearDown()
    }

    func testTheLogSyncsToTheGridHeadWhoAloneReadsIt() async throws {
        let (dir, data) = (self.dir!, self.data!)
        let url = try XCTUnwrap(running).url
        let clientHead = server(url, token: tokenHead)
        let clientAssistant = server(url, token: tokenAssistant)
        let head = try await openStore(dir, "w-zhang")
        let assistant = try await openStore(dir, "w-wang", role: .assistant)
        let f = try await fixture(head)
        let residentId = try await head.createResident(input: identifiedResident(f.household))
        await XCTAssertEqualAsync(try await head.sync(server: clientHead).stage, .done)
        try admin(data, "assign", "--worker", "w-zhang", "--grid", f.grid)
        try admin(data, "assign", "--worker", "w-wang", "--grid", f.grid)
        _ = try await assistant.sync(server: clientAssistant)
        await XCTAssertEqualAsync(try await assistant.resident(residentId: residentId).idNumber, maskedId, "the assistant reads masked")

        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let reason = RevealReason(purpose: .verifyIdentity, note: "派出所协查")
        await XCTAssertEqualAsync(try await assistant.revealResident(residentId: residentId, reason: reason).idNumber, fullId)
        _ = try await assistant.sync(server: clientAssistant)
        await XCTAssertEqualAsync(try await assistant.syncStatus().unsentChanges, 0, "the reveal was pushed")
        _ = try await head.sync(server: clientHead)

        let log = try await head.revealLog(gridId: f.grid)
        XCTAssertEqual(log.count, 1)
        let entry = try XCTUnwrap(log.first)
        XCTAssertEqual(entry.subject, .resident)
        XCTAssertEqual(entry.residentId, residentId)
        XCTAssertEqual(entry.templateId, "")
        XCTAssertEqual(entry.rows, 0)
        XCTAssertEqual(entry.fields, ["id_number", "phones"])
        XCTAssertEqual(entry.purpose, .verifyIdentity)
        XCTAssertEqual(entry.note, "派出所协查")
        XCTAssertEqual(entry.recordedBy, "w-wang")
        XCTAssertTrue(entry.atMs >= before && entry.atMs <= Int64(Date().timeIntervalSince1970 * 1000), "when: \(entry.atMs)")

        let refused = await expectGridbookError("the assistant reads the log") { try await assistant.revealLog(gridId: f.grid) }
        XCTAssertEqual(refused, .PrivacyRoleMayNot(action: .readRevealLog, role: .assistant))
    }
}
