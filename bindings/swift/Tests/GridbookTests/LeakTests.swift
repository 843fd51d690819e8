// Leak checks: the process's resident memory (VmRSS, from /proc/self/status)
// is sampled after the first tenth of the cycles and at the end; each check
// fails if it grew by more than its bound (10 MB) in between, and prints the
// figures.
// - 10,000 cycles on one open store: reads returning records, errors thrown
//   from Rust, and a Swift SyncListener passed through Rust that throws at
//   the first progress (the store caches the server's client: building one
//   loads the TLS roots);
// - 1,000 cycles of opening, reading and releasing the store itself (each
//   open is file I/O, about 10 ms).
// GRIDBOOK_LEAK_SCALE divides the cycle counts, for quick local runs.
import Foundation
import XCTest

import Gridbook

private func rssKb() throws -> Int {
    #if os(Linux)
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Int(line.dropFirst("VmRSS:".count).trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " kB", with: ""))
    else {
        throw TestError("no VmRSS line in /proc/self/status")
    }
    return kb
    #else
    throw XCTSkip("resident memory is read from /proc (Linux)")
    #endif
}

private var scale: Int {
    Int(ProcessInfo.processInfo.environment["GRIDBOOK_LEAK_SCALE"] ?? "") ?? 1
}

final class LeakTests: XCTestCase {
    private var dir: URL!
    private var f: Fixture!
    private var residentId: String!

    override func setUp() async throws {
        dir = try tempDir("leak")
        let store = try await openStore(dir, "w-zhang")
        f = try await fixture(store)
        residentId = try await store.createResident(input: residentInput(f.household))
        _ = try await store.logVisit(input: visitInput(f.household, seen: [residentId], notes: "leak"))
    }

    override func tearDown() {
        cleanUp(dir)
        super.tearDown()
    }

    private func leakCheck(_ what: String, cycles: Int, boundMb: Double, _ body: () async throws -> Void) async throws {
        let warmup = cycles / 10
        var atWarmup = 0
        let started = Date()
        for i in 1...cycles {
            try await body()
            if i == warmup { atWarmup = try rssKb() }
        }
        let atEnd = try rssKb()
        let growthMb = Double(atEnd - atWarmup) / 1024
        print(String(
            format: "      leak check, %@: %d cycles in %.1f s; VmRSS %.1f MB after %d, %.1f MB after %d (growth %.1f MB, bound %.0f MB)",
            what, cycles, Date().timeIntervalSince(started), Double(atWarmup) / 1024, warmup, Double(atEnd) / 1024, cycles, growthMb, boundMb
        ))
        XCTAssertLessThanOrEqual(growthMb, boundMb, "\(what): resident memory grew by \(growthMb) MB")
    }

    /// The reads and errors of one cycle, each checked exactly.
    private func use(_ store: Store) async throws {
        guard try await store.roster(gridId: f.grid).count == 1 else { throw TestError("roster") }
        guard try await store.household(householdId: f.household).visits.count == 1 else { throw TestError("visits") }
        var resident = try await store.resident(residentId: residentId)
        guard resident.phones == ["138****8000"] else { throw TestError("read masked") }
        resident.phones = ["13900139000"]
        guard maskResident(resident: resident).phones == ["139****9000"] else { throw TestError("masked again") }
        guard try await store.search(gridId: f.grid, query: "王", limit: 10).count == 1 else { throw TestError("search") }
        guard await expectGridbookError("unknown id", { try await store.resident(residentId: "nobody") }) == .NotFound(kind: .resident, id: "nobody") else {
            throw TestError("not found")
        }
        guard await expectGridbookError("bad phone", { try await store.createResident(input: residentInput(f.household, phone: "1")) })
            == .Invalid(field: "phones", reason: .phone) else { throw TestError("invalid") }
    }

    func testUseCyclesOfResultsErrorsAndListenersOnOneStore() async throws {
        let store = try await openStore(dir, "w-zhang")
        let closed = server(closedPort)
        let aliveBefore = CountingListener.count
        try await leakCheck("results, errors, listener", cycles: 10_000 / scale, boundMb: 10) {
            try await use(store)
            guard await expectGridbookError("listener threw", { try await store.sync(server: closed, listener: CountingListener()) })
                == .ListenerFailed(listener: "SyncListener.onProgress") else {
                throw TestError("listener failed")
            }
        }
        XCTAssertEqual(CountingListener.count, aliveBefore, "every listener passed to Rust was released")
    }

    func testOpenReadReleaseCyclesOfTheStore() async throws {
        try await leakCheck("Store.open + reads + release", cycles: 1_000 / scale, boundMb: 10) {
            let store = try await openStore(dir, "w-zhang")
            try await use(store)
        }
    }
}
