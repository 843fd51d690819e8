// Store.sync without a server: a Swift SyncListener called from Rust,
// cancellation (cancelSync from the listener, the Task cancelled while the
// sync waits to retry or before it starts), a throwing closure, the
// Unreachable error after the retries, and the SyncSettings.
import Foundation
import XCTest

import Gridbook

/// Nothing listens on the discard port of the loopback address: connections are refused at once.
let closedPort = "http://127.0.0.1:9"

final class SyncTests: TempDirTestCase {
    private func store(_ prefix: String) async throws -> Store {
        let store = try await openStore(dir(prefix), "w-zhang")
        _ = try await fixture(store)
        return store
    }

    func testCancelSyncFromTheListenerWhileWaitingToRetry() async throws {
        let store = try await store("listener-cancel")
        let before = try await store.syncStatus()
        let listener = RecordingListener { progress in
            if progress.stage == .waitingToRetry { store.cancelSync() }
        }
        let error = await expectGridbookError("a sync cancelled by its listener") {
            try await store.sync(server: server(closedPort), listener: listener)
        }
        XCTAssertEqual(error, .cancelled)
        XCTAssertEqual(listener.stages, [.exchanging, .waitingToRetry], "one refused request, then cancelled while waiting")
        XCTAssertEqual(listener.seen.map(\.retries), [0, 1])
        XCTAssertEqual(listener.seen.map(\.roundTrips), [0, 0])
        XCTAssertEqual(listener.seen.first?.unsentChanges, 3, "grid, building and household wait to be sent")
        await XCTAssertEqualAsync(try await store.syncStatus(), before, "nothing was acknowledged")
    }

    func testCancellingTheTaskCancelsTheSync() async throws {
        let store = try await store("task-cancel")
        let waiting = DispatchSemaphore(value: 0)
        let listener = RecordingListener { progress in
            if progress.stage == .waitingToRetry { waiting.signal() }
        }
        let sync = Task { try await store.sync(server: server(closedPort), listener: listener) }
        XCTAssertEqual(waiting.wait(timeout: .now() + 30), .success, "the sync never waited to retry")
        let started = Date()
        sync.cancel()
        do {
            let report = try await sync.value
            XCTFail("the sync finished despite the cancel: \(report)")
        } catch let error as GridbookError {
            XCTAssertEqual(error, .cancelled)
        }
        // The first wait before a retry is about half a second; the cancel cuts it short.
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.4)
        XCTAssertEqual(listener.stages, [.exchanging, .waitingToRetry])
    }

    func testATaskCancelledBeforeItsSyncStartsStopsAfterTheFirstProgress() async throws {
        let store = try await store("pre-cancel")
        let listener = RecordingListener()
        let sync = Task {
            // Cancelled before the sync call: Rust has no sync to stop yet.
            withUnsafeCurrentTask { $0?.cancel() }
            return try await store.sync(server: server(closedPort), listener: listener)
        }
        do {
            let report = try await sync.value
            XCTFail("the sync finished despite the cancel: \(report)")
        } catch let error as GridbookError {
            XCTAssertEqual(error, .cancelled)
        }
        // Its first progress repeats the cancel; the refused first request
        // is already under way, and the sync stops while waiting to retry.
        XCTAssertEqual(listener.stages, [.exchanging, .waitingToRetry], "stopped after its first progress")
    }

    func testAClosureThatThrowsIsListenerFailedWithoutItsText() async throws {
        let store = try await store("listener-throws")
        struct Leak: Error { let text = "王秀英 13800138000" }
        let error = await expectGridbookError("a throwing closure") {
            try await store.sync(server: server(closedPort)) { _ in throw Leak() }
        }
        XCTAssertEqual(error, .ListenerFailed(listener: "SyncListener.onProgress"))
        for text in renderings(error!) {
            XCTAssertFalse(text.contains("王秀英"), "the thrown text leaked: \(text)")
        }
    }

    func testAnUnreachableServerIsUnreachableAfterFourRetries() async throws {
        let store = try await store("unreachable")
        let listener = RecordingListener()
        let started = Date()
        let error = await expectGridbookError("a sync to a closed port") {
            try await store.sync(server: server(closedPort, token: "secret-device-token"), listener: listener)
        }
        guard case .Unreachable(let detail)? = error else {
            return XCTFail("expected Unreachable, got \(String(describing: error))")
        }
        XCTAssertFalse(detail.isEmpty)
        for text in renderings(error!) {
            XCTAssertFalse(text.contains("secret-device-token"), "the token leaked: \(text)")
        }
        // Five attempts: four waits of 0.5, 1, 2 and 4 s (with jitter) in between.
        XCTAssertEqual(listener.stages, [.exchanging] + Array(repeating: .waitingToRetry, count: 4))
        XCTAssertEqual(listener.seen.map(\.retries), [0, 1, 2, 3, 4])
        XCTAssertEqual(listener.seen.last?.roundTrips, 0)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 3.0)
    }

    func testSyncSettingsDefaultsAndRefusalsNameTheSetting() async throws {
        let settings = defaultSyncSettings()
        XCTAssertEqual(settings, SyncSettings(
            connectTimeoutMs: 10_000, requestTimeoutMs: 60_000, maxAttempts: 5, initialBackoffMs: 500,
            maxBackoffMs: 30_000, maxPushBytes: 1024 * 1024, maxResponseBytes: 4 * 1024 * 1024, extraRootCertificatePem: nil,
            allowPlainHttp: false
        ))

        // The settings reach the client: two attempts, a short wait between them.
        var quick = settings
        quick.maxAttempts = 2
        quick.initialBackoffMs = 10
        quick.maxBackoffMs = 10
        let store = try await store("settings")
        let listener = RecordingListener()
        let error = await expectGridbookError("a sync to a closed port") {
            try await store.sync(server: server(closedPort, settings: quick), listener: listener)
        }
        guard case .Unreachable? = error else {
            return XCTFail("expected Unreachable, got \(String(describing: error))")
        }
        XCTAssertEqual(listener.stages, [.exchanging, .waitingToRetry], "two attempts")

        var none = settings
        none.maxAttempts = 0
        let refused = await expectGridbookError("no attempts") {
            try await store.sync(server: server("https://sync.example.org", settings: none))
        }
        guard case .Config(let detail)? = refused else {
            return XCTFail("expected Config, got \(String(describing: refused))")
        }
        XCTAssertTrue(detail.contains("max_attempts"), "detail: \(detail)")

        var junk = settings
        junk.extraRootCertificatePem = Data("junk".utf8)
        let pem = await expectGridbookError("a PEM with no certificate") {
            try await store.sync(server: server("https://sync.example.org", settings: junk))
        }
        guard case .Config? = pem else {
            return XCTFail("expected Config, got \(String(describing: pem))")
        }

        // Plain HTTP only to loopback, unless the development-only setting allows it.
        let plain = await expectGridbookError("plain HTTP to the network") {
            try await store.sync(server: server("http://192.0.2.10:8722"))
        }
        guard case .Config(let why)? = plain else {
            return XCTFail("expected Config, got \(String(describing: plain))")
        }
        XCTAssertTrue(why.contains("https://"), "detail: \(why)")
        var development = quick
        development.allowPlainHttp = true
        development.maxAttempts = 1
        development.connectTimeoutMs = 200
        let allowed = await expectGridbookError("plain HTTP allowed: fails at the network only") {
            try await store.sync(server: server(closedPort, settings: development))
        }
        guard case .Unreachable? = allowed else {
            return XCTFail("expected Unreachable, got \(String(describing: allowed))")
        }
    }
}
