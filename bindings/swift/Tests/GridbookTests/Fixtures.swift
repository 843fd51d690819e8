// Shared fixtures: temporary stores and a small grid, as a phone app builds
// them, and assertions for the one error type.
import Foundation
import XCTest

import Gridbook

/// A new empty directory under the temporary directory; removed by `cleanUp`.
func tempDir(_ prefix: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("gridbook-swift-\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

func cleanUp(_ dir: URL) {
    try? FileManager.default.removeItem(at: dir)
}

/// A test case whose temporary directories (made with `dir`) are removed
/// after each test.
class TempDirTestCase: XCTestCase {
    private var dirs: [URL] = []

    /// A new empty directory, removed after the test.
    func dir(_ prefix: String) throws -> URL {
        let dir = try tempDir(prefix)
        dirs.append(dir)
        return dir
    }

    override func tearDown() {
        dirs.forEach(cleanUp)
        dirs = []
        super.tearDown()
    }
}

func identity(_ worker: String, device: String? = nil, role: WorkerRole = .gridHead) -> WorkerIdentity {
    WorkerIdentity(workerId: worker, name: "张伟", role: role, deviceLabel: device ?? "\(worker) 的手机")
}

/// A raw 32-byte key made from `seed` (the same seed, the same key), as an app takes one from the Keychain.
func rawKey(_ seed: String) -> StoreKey {
    let seedBytes = Array(seed.utf8)
    return .raw(bytes: Data((0..<32).map { i in (seedBytes.isEmpty ? 0 : seedBytes[i % seedBytes.count]) ^ UInt8(i) }))
}

func openStore(
    _ dir: URL, _ worker: String, key: String? = nil, file: String? = nil, role: WorkerRole = .gridHead
) async throws -> Store {
    let path = dir.appendingPathComponent(file ?? "\(worker).db").path
    return try await Store.open(path: path, identity: identity(worker, role: role), key: key.map(rawKey))
}

/// Why a test reveals a resident: to reach them.
func revealReason(_ note: String = "回访独居老人") -> RevealReason {
    RevealReason(purpose: .contactResident, note: note)
}

extension Store {
    /// The resident with the full ID number and phones, as the reveal shows them (and logs it).
    func revealed(_ residentId: String, note: String = "回访独居老人") async throws -> Resident {
        try await revealResident(residentId: residentId, reason: revealReason(note))
    }
}

/// The errors without data of their own, with the sentence each carries.
extension GridbookError {
    static let notADatabase = GridbookError.NotADatabase(detail: "the file is not a Gridbook database, or the key is wrong")
    static let workerMismatch = GridbookError.WorkerMismatch(detail: "this store belongs to another worker")
    static let unauthorized = GridbookError.Unauthorized(detail: "the server did not accept this device's token")
    static let cancelled = GridbookError.Cancelled(detail: "the sync was cancelled")
    static let closed = GridbookError.Closed(detail: "the store was closed; open it again to go on")
}

func now() -> Timestamp {
    Timestamp(utcMs: Int64(Date().timeIntervalSince1970 * 1000), offsetMinutes: 480)
}

/// Today in China (UTC+8), the date the store stamps on today's work.
func todayInChina() -> DateComponents {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
    let c = calendar.dateComponents([.year, .month, .day], from: Date())
    return day(c.year!, c.month!, c.day!)
}

/// A date as the core gives it: year, month and day, nothing else.
func day(_ year: Int, _ month: Int, _ day: Int) -> DateComponents {
    DateComponents(year: year, month: month, day: day)
}

/// A time of day as the core gives it: hour and minute.
func timeOfDay(_ hour: Int, _ minute: Int) -> DateComponents {
    DateComponents(hour: hour, minute: minute)
}

/// `date` moved by `days` days.
func addDays(_ date: DateComponents, _ days: Int) -> DateComponents {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let moved = calendar.date(byAdding: .day, value: days, to: calendar.date(from: date)!)!
    let c = calendar.dateComponents([.year, .month, .day], from: moved)
    return day(c.year!, c.month!, c.day!)
}

struct Fixture {
    let grid: String
    let building: String
    let household: String
}

func fixture(_ store: Store) async throws -> Fixture {
    let grid = try await store.createGrid(
        input: GridInput(code: "330106001001001", name: "文新一网格", community: "文新社区", street: nil, boundary: nil)
    )
    let building = try await store.createBuilding(
        gridId: grid,
        input: BuildingInput(number: "3栋", estate: "幸福小区", units: 2, floors: 6, location: GeoPoint(lon: 120.1, lat: 30.28))
    )
    let household = try await store.createHousehold(
        input: HouseholdInput(
            buildingId: building, unit: "1", floor: 5, room: "502", useKind: .ownerOccupied,
            tags: [], location: nil, notes: nil
        )
    )
    return Fixture(grid: grid, building: building, household: household)
}

func residentInput(_ household: String, phone: String = "13800138000", idNumber: String? = nil) -> ResidentInput {
    ResidentInput(
        householdId: household, name: "王秀英", gender: .female, birthDate: day(1941, 3, 2), idNumber: idNumber,
        phones: [phone], relation: "02", registration: .local,
        residenceState: .consistent, care: ["elderly_alone"], movedIn: nil
    )
}

func visitInput(_ household: String, seen: [String], notes: String) -> VisitInput {
    VisitInput(
        householdId: household, at: now(), kind: .specialCare, outcome: .met,
        residentsSeen: seen, notes: notes,
        findings: [FindingInput(id: nil, kind: .request, text: "需要助餐服务", resolution: .escalated)],
        gps: GpsFix(point: GeoPoint(lon: 120.1, lat: 30.28), accuracyM: 8.0)
    )
}

/// Records every progress report of a sync; implemented in Swift, called from
/// Rust on the syncing thread, read from the test's thread.
final class RecordingListener: SyncListener, @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [SyncProgress] = []
    /// Called (outside the lock) after each report is recorded.
    private let then: (@Sendable (SyncProgress) -> Void)?

    init(then: (@Sendable (SyncProgress) -> Void)? = nil) {
        self.then = then
    }

    func onProgress(progress: SyncProgress) throws {
        lock.lock()
        reports.append(progress)
        lock.unlock()
        then?(progress)
    }

    var seen: [SyncProgress] {
        lock.lock()
        defer { lock.unlock() }
        return reports
    }

    var stages: [SyncStage] { seen.map(\.stage) }
}

/// Runs `body`, which must throw a `GridbookError`; returns it.
func expectGridbookError<T>(
    _ what: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T
) -> GridbookError? {
    do {
        let value = try body()
        XCTFail("\(what): expected a GridbookError, got \(value)", file: file, line: line)
    } catch let error as GridbookError {
        return error
    } catch {
        XCTFail("\(what): expected a GridbookError, got \(type(of: error)): \(error)", file: file, line: line)
    }
    return nil
}

/// `expectGridbookError` for an async call.
func expectGridbookError<T>(
    _ what: String, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> T
) async -> GridbookError? {
    do {
        let value = try await body()
        XCTFail("\(what): expected a GridbookError, got \(value)", file: file, line: line)
    } catch let error as GridbookError {
        return error
    } catch {
        XCTFail("\(what): expected a GridbookError, got \(type(of: error)): \(error)", file: file, line: line)
    }
    return nil
}

/// `XCTAssertEqual` for values read with `await` (XCTest's autoclosures cannot await).
func XCTAssertEqualAsync<T: Equatable>(
    _ a: @autoclosure () async throws -> T, _ b: @autoclosure () async throws -> T, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        let (x, y) = (try await a(), try await b())
        XCTAssertEqual(x, y, message(), file: file, line: line)
    } catch {
        XCTFail("\(message()): threw \(error)", file: file, line: line)
    }
}

/// `XCTAssertTrue` for a condition read with `await`.
func XCTAssertTrueAsync(
    _ condition: @autoclosure () async throws -> Bool, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        let value = try await condition()
        XCTAssertTrue(value, message(), file: file, line: line)
    } catch {
        XCTFail("\(message()): threw \(error)", file: file, line: line)
    }
}

/// A sync server with the default settings, or `settings`.
func server(_ url: String, token: String = "token", settings: SyncSettings = defaultSyncSettings()) -> SyncServer {
    SyncServer(url: url, token: token, settings: settings)
}

/// The ways an app shows or logs an error: each must name the field and none
/// may contain personal data.
func renderings(_ error: Error) -> [String] {
    ["\(error)", String(reflecting: error), error.localizedDescription]
}

// A real gridbook-server process on 127.0.0.1 for the sync tests; the binary
// comes from GRIDBOOK_SERVER (set by scripts/test-swift).

private func serverBinary() throws -> String {
    guard let path = ProcessInfo.processInfo.environment["GRIDBOOK_SERVER"], !path.isEmpty else {
        throw TestError("GRIDBOOK_SERVER is not set (the gridbook-server binary)")
    }
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw TestError("GRIDBOOK_SERVER=\(path) is not an executable")
    }
    return path
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs one `gridbook-server admin` command against `data`; returns its stdout.
@discardableResult
func admin(_ data: URL, _ args: String...) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try serverBinary())
    process.arguments = ["--data", data.path, "admin"] + args
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let bytes = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw TestError("admin \(args.joined(separator: " ")) exited with \(process.terminationStatus)")
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Issues a device token; returns the device id and the token.
func issueToken(_ data: URL, worker: String, device: String) throws -> (device: String, token: String) {
    let lines = try admin(data, "issue-token", "--worker", worker, "--device", device).split(separator: "\n")
    func value(_ key: String) throws -> String {
        guard let line = lines.first(where: { $0.hasPrefix(key + " ") }) else {
            throw TestError("issue-token printed no \(key) line") // the output itself is not shown: it holds a secret
        }
        return line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
    }
    return (try value("device"), try value("token"))
}

/// A `gridbook-server --listen 127.0.0.1:0` process, stopped with SIGTERM by `stop()`.
final class RunningServer {
    private let process = Process()
    let url: String

    init(data: URL, log: URL) throws {
        process.executableURL = URL(fileURLWithPath: try serverBinary())
        process.arguments = ["--data", data.path, "--listen", "127.0.0.1:0"]
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw TestError("cannot create \(log.path)")
        }
        process.standardError = try FileHandle(forWritingTo: log)
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        // A server that never prints its line is stopped, which ends the read.
        let pid = process.processIdentifier
        let printed = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            if printed.wait(timeout: .now() + 30) == .timedOut { kill(pid, SIGKILL) }
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        printed.signal()
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("listening on http://127.0.0.1:") else {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            let logged = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestError("the server did not print its listening line (got '\(text)'); its log:\n\(logged)")
        }
        url = String(text.dropFirst("listening on ".count))
    }

    /// SIGTERM, then SIGKILL if it has not exited within 10 seconds. Returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        let pid = process.processIdentifier
        let exited = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            if exited.wait(timeout: .now() + 10) == .timedOut { kill(pid, SIGKILL) }
        }
        process.terminate()
        process.waitUntilExit()
        exited.signal()
        return process.terminationStatus
    }
}
