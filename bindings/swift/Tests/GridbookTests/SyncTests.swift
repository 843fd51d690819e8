// The sync client without a server: a Swift SyncListener called from Rust,
// cancellation with CancelHandle (before the sync, from the listener, from
// another thread), the Unreachable error after the retries, and the client's
// SyncSettings.
import Foundation
import XCTest

import Gridbook

/// Nothing listens on the discard port of the loopback address: connections are refused at once.
let closedPort = "http://127.0.0.1:9"

final class SyncTests: TempDirTestCase {
    private func store(_ prefix: String) throws -> Store {
        let store = try openStore(dir(prefix), "w-zhang")
        _ = try fixture(store)
        return store
    }

    func testAPreCancelledSyncFailsWithCancelledAndChangesNothing() throws {
        let store = try store("cancel")
        let before = try store.syncStatus()
        let client = try SyncClient(serverUrl: closedPort, token: "token", extraRootCertificatePem: nil)
        let cancel = CancelHandle()
        XCTAssertFalse(cancel.isCancelled())
        cancel.cancel()
        XCTAssertTrue(cancel.isCancelled())
        cancel.cancel()
        XCTAssertTrue(cancel.isCancelled(), "cancelling twice is harmless")
        let listener = RecordingListener()
        XCTAssertEqual(expectGridbookError("a cancelled sync") { try client.sync(store: store, listener: listener, cancel: cancel) }, .cancelled)
        XCTAssertEqual(listener.seen.count, 0, "no progress before the first request")
        XCTAssertEqual(try store.syncStatus(), before)
        // The same through the store as the receiver.
        XCTAssertEqual(expectGridbookError("a cancelled store.sync") { try store.sync(client: client, listener: listener, cancel: cancel) }, .cancelled)
        XCTAssertEqual(listener.seen.count, 0)
        XCTAssertEqual(try store.syncStatus(), before)
    }

    func testCancelledFromTheListenerWhileWaitingToRetry() throws {
        let store = try store("listener-cancel")
        let client = try SyncClient(serverUrl: closedPort, token: "token", extraRootCertificatePem: nil)
        let cancel = CancelHandle()
        let listener = RecordingListener { progress in
            if progress.stage == .waitingToRetry { cancel.cancel() }
        }
        XCTAssertEqual(expectGridbookError("a sync cancelled by its listener") {
            try client.sync(store: store, listener: listener, cancel: cancel)
        }, .cancelled)
        XCTAssertEqual(listener.stages, [.exchanging, .waitingToRetry], "one refused request, then cancelled while waiting")
        XCTAssertEqual(listener.seen.map(\.retries), [0, 1])
        XCTAssertEqual(listener.seen.map(\.roundTrips), [0, 0])
        XCTAssertEqual(listener.seen.first?.unsentChanges, 3, "grid, building and household wait to be sent")
        XCTAssertEqual(try store.syncStatus().unsentChanges, 3, "nothing was acknowledged")
    }

    func testCancelledFromAnotherThreadWhileTheSyncRunsInATask() async throws {
        let store = try store("task-cancel")
        let client = try SyncClient(serverUrl: closedPort, token: "token", extraRootCertificatePem: nil)
        let cancel = CancelHandle()
        let waiting = DispatchSemaphore(value: 0)
        let listener = RecordingListener { progress in
            if progress.stage == .waitingToRetry { waiting.signal() }
        }
        // As an app does it: the blocking call off the main thread.
        let sync = Task.detached { try client.sync(store: store, listener: listener, cancel: cancel) }
        XCTAssertEqual(waiting.wait(timeout: .now() + 30), .success, "the sync never waited to retry")
        let started = Date()
        cancel.cancel()
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

    func testAnUnreachableServerIsUnreachableAfterFourRetries() throws {
        let store = try store("unreachable")
        let client = try SyncClient(serverUrl: closedPort, token: "secret-device-token", extraRootCertificatePem: nil)
        let listener = RecordingListener()
        let started = Date()
        let error = expectGridbookError("a sync to a closed port") {
            try client.sync(store: store, listener: listener, cancel: CancelHandle())
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

    func testSyncSettingsDefaultsAndRefusalsNameTheSetting() throws {
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
        let store = try store("settings")
        let client = try SyncClient.withSettings(serverUrl: closedPort, token: "token", settings: quick)
        let listener = RecordingListener()
        let error = expectGridbookError("a sync to a closed port") {
            try client.sync(store: store, listener: listener, cancel: CancelHandle())
        }
        guard case .Unreachable? = error else {
            return XCTFail("expected Unreachable, got \(String(describing: error))")
        }
        XCTAssertEqual(listener.stages, [.exchanging, .waitingToRetry], "two attempts")

        var none = settings
        none.maxAttempts = 0
        let refused = expectGridbookError("no attempts") {
            try SyncClient.withSettings(serverUrl: "https://sync.example.org", token: "t", settings: none)
        }
        guard case .Config(let detail)? = refused else {
            return XCTFail("expected Config, got \(String(describing: refused))")
        }
        XCTAssertTrue(detail.contains("max_attempts"), "detail: \(detail)")

        var junk = settings
        junk.extraRootCertificatePem = Data("junk".utf8)
        let pem = expectGridbookError("a PEM with no certificate") {
            try SyncClient.withSettings(serverUrl: "https://sync.example.org", token: "t", settings: junk)
        }
        guard case .Config? = pem else {
            return XCTFail("expected Config, got \(String(describing: pem))")
        }

        // Plain HTTP only to loopback, unless the development-only setting allows it.
        let plain = expectGridbookError("plain HTTP to the network") {
            try SyncClient(serverUrl: "http://192.0.2.10:8722", token: "t", extraRootCertificatePem: nil)
        }
        guard case .Config(let why)? = plain else {
            return XCTFail("expected Config, got \(String(describing: plain))")
        }
        XCTAssertTrue(why.contains("https://"), "detail: \(why)")
        _ = try SyncClient(serverUrl: "http://localhost:8722", token: "t", extraRootCertificatePem: nil)
        var development = settings
        development.allowPlainHttp = true
        _ = try SyncClient.withSettings(serverUrl: "http://192.0.2.10:8722", token: "t", settings: development)
    }
}
