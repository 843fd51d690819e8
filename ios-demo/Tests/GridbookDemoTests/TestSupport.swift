// Real stores in temporary directories, a small grid, a fixed clock, and a
// real gridbook-server process on 127.0.0.1 (binary from GRIDBOOK_SERVER).
import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

let shanghai = TimeZone(identifier: "Asia/Shanghai")!

/// A clock stopped at a local time in Shanghai.
struct FixedClock: Clock {
    let ms: Int64
    var timeZone: TimeZone { shanghai }
    func nowMs() -> Int64 { ms }

    init(ms: Int64) { self.ms = ms }

    init(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = shanghai
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
        ms = Int64(date.timeIntervalSince1970) * 1000
    }
}

/// A location source answering `result` and counting calls.
final class FixedLocation: LocationSource, @unchecked Sendable {
    private let result: LocationResult
    private let lock = NSLock()
    private var count = 0

    init(_ result: LocationResult) { self.result = result }

    var calls: Int { lock.withLock { count } }

    func currentFix(timeout: Double) async -> LocationResult {
        lock.withLock { count += 1 }
        return result
    }
}

/// A new empty directory under the temporary directory, removed when the test ends.
func tempDir(_ test: XCTestCase, _ prefix: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("gridbook-ios-demo-\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

func identity(_ worker: String, name: String = "张伟", role: WorkerRole = .gridHead) -> WorkerIdentity {
    WorkerIdentity(workerId: worker, name: name, role: role, deviceLabel: "\(name) 的手机")
}

func openStore(_ dir: URL, _ worker: String, role: WorkerRole = .gridHead) async throws -> Store {
    try await Store.open(path: dir.appendingPathComponent("\(worker).db").path, identity: identity(worker, role: role), key: nil)
}

/// What a test needs around one store: the store and the calls through it.
struct Env {
    let store: Store
    let calls: StoreCalls

    init(_ store: Store) {
        self.store = store
        calls = StoreCalls(store: store)
    }
}

/// `XCTAssertEqual` for values read with `await` (XCTest's autoclosures
/// cannot await). It runs on the caller's actor (`#isolation`), so a
/// main-actor test's values are not sent elsewhere.
func XCTAssertEqualAsync<T: Equatable & Sendable>(
    _ a: @autoclosure () async throws -> T, _ b: @autoclosure () async throws -> T, _ message: @autoclosure () -> String = "",
    isolation: isolated (any Actor)? = #isolation, file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        let (x, y) = (try await a(), try await b())
        XCTAssertEqual(x, y, message(), file: file, line: line)
    } catch {
        XCTFail("\(message()): threw \(error)", file: file, line: line)
    }
}

struct TestGrid {
    let id: String
    let building: String
    let households: [String]
}

/// A grid with one building and a household per room (unit 1, floor from the room number).
func grid(_ store: Store, _ rooms: String...) async throws -> TestGrid {
    let grid = try await store.createGrid(
        input: GridInput(code: "330106001001001", name: "文新一网格", community: "文新社区", street: nil, boundary: nil)
    )
    let building = try await store.createBuilding(
        gridId: grid,
        input: BuildingInput(number: "3栋", estate: "幸福小区", units: 2, floors: 6, location: GeoPoint(lon: 120.1, lat: 30.28))
    )
    var households: [String] = []
    for room in rooms {
        households.append(try await store.createHousehold(input: HouseholdInput(
            buildingId: building, unit: "1", floor: Int32(room.dropLast(2))!, room: room,
            useKind: .ownerOccupied, tags: [], location: nil, notes: nil
        )))
    }
    return TestGrid(id: grid, building: building, households: households)
}

func resident(
    _ household: String, name: String = "王秀英", phone: String = "13800138000",
    idNumber: String? = "11010519491231002X", care: [String] = ["elderly_alone"], relation: String = "02"
) -> ResidentInput {
    ResidentInput(
        householdId: household, name: name, gender: .female, birthDate: day(1949, 12, 31), idNumber: idNumber,
        phones: [phone], relation: relation, registration: .local,
        residenceState: .consistent, care: care, movedIn: nil
    )
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Waits (at most 60 s) on the main actor until `cell` holds a value matching `predicate`; returns it.
@MainActor
func awaitState<T>(
    _ cell: StateCell<T>, _ what: String, file: StaticString = #filePath, line: UInt = #line,
    _ predicate: (T) -> Bool
) async throws -> T {
    let deadline = Date().addingTimeInterval(60)
    while !predicate(cell.value) {
        guard Date() < deadline else {
            XCTFail("timed out waiting for \(what); state is \(cell.value)", file: file, line: line)
            throw TestError("timed out waiting for \(what)")
        }
        try await Task.sleep(nanoseconds: 10_000_000)
    }
    return cell.value
}

// MARK: - a real gridbook-server

private func serverBinary() throws -> String {
    guard let path = ProcessInfo.processInfo.environment["GRIDBOOK_SERVER"], !path.isEmpty else {
        throw TestError("GRIDBOOK_SERVER is not set (the gridbook-server binary)")
    }
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw TestError("GRIDBOOK_SERVER=\(path) is not an executable")
    }
    return path
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
        throw TestError("admin \(args.first ?? "") exited with \(process.terminationStatus)")
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Issues a device token; the token itself is never printed.
func issueToken(_ data: URL, worker: String, device: String) throws -> String {
    let lines = try admin(data, "issue-token", "--worker", worker, "--device", device).split(separator: "\n")
    guard let line = lines.first(where: { $0.hasPrefix("token ") }) else {
        throw TestError("issue-token printed no token line")
    }
    return line.dropFirst("token ".count).trimmingCharacters(in: .whitespaces)
}

/// A `gridbook-server --listen 127.0.0.1:0` process over SQLite in `data`, stopped with SIGTERM by `stop()`.
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
        // A server that never prints its line is killed, which ends the read.
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

/// A date as the core gives it: year, month and day, nothing else.
func day(_ year: Int, _ month: Int, _ day: Int) -> DateComponents {
    DateComponents(year: year, month: month, day: day)
}
