import Foundation
import Gridbook

/// Where to sync: the district server and this device's token (issued by `gridbook-server admin issue-token`).
public struct SyncConfig: Equatable, Sendable {
    public var serverUrl: String
    public var token: String

    public init(serverUrl: String, token: String) {
        self.serverUrl = serverUrl
        self.token = token
    }
}

public enum SyncState: Equatable, Sendable {
    /// Not syncing; `unsentChanges` edits wait for the server.
    case idle(unsentChanges: Int64)
    /// Running: the last step reported (nil before the first), and whether cancel was asked.
    case running(progress: SyncProgress?, cancelling: Bool)
    case done(SyncProgress)
    case cancelled(unsentChanges: Int64)
    /// `message` names the problem (never a token or data); `needsNewToken` for a revoked or wrong token.
    case failed(message: String, needsNewToken: Bool)
    /// No server configured yet.
    case notConfigured

    public var isRunning: Bool {
        if case .running = self { return true }
        return false
    }
}

/// The sync button: one sync at a time, progress (stage, round trips, bytes)
/// from the core's listener, cancellation by cancelling the sync's Task (the
/// library's `sync` passes a Task's cancellation on to Rust). The listener is
/// called on the library's thread and hands each report to the main actor.
@MainActor
public final class SyncModel {
    public let state = StateCell<SyncState>(.idle(unsentChanges: 0))
    private let calls: StoreCalls
    private let server: @MainActor () -> SyncConfig?
    private var running: Task<Void, Never>?
    private var cancelling = false
    /// Tells the listener of a finished sync from the current one's.
    private var generation = 0

    public init(calls: StoreCalls, server: @escaping @MainActor () -> SyncConfig?) {
        self.calls = calls
        self.server = server
    }

    /// Reads how much waits to be sent (for the idle state).
    public func refreshStatus() async {
        if running != nil { return }
        do {
            let status = try await calls.read { store in try await store.syncStatus() }
            if running == nil { state.value = .idle(unsentChanges: status.unsentChanges) }
        } catch {
            state.value = .failed(message: describe(error), needsNewToken: false)
        }
    }

    /// Starts a sync unless one is running; returns its task, or nil if none was started.
    @discardableResult
    public func start() -> Task<Void, Never>? {
        guard let config = server() else {
            state.value = .notConfigured
            return nil
        }
        if running != nil { return nil }
        generation += 1
        let current = generation
        cancelling = false
        state.value = .running(progress: nil, cancelling: false)
        let listener = ProgressRelay { [weak self] progress in
            guard let self, self.generation == current, self.running != nil else { return }
            self.state.value = .running(progress: progress, cancelling: self.cancelling)
        }
        let server = SyncServer(url: config.serverUrl, token: config.token, settings: defaultSyncSettings())
        let task = Task { @MainActor in
            let result: SyncState
            do {
                let report = try await calls.write { store in try await store.sync(server: server, listener: listener) }
                result = .done(report)
            } catch GridbookError.Cancelled {
                result = .cancelled(unsentChanges: await unsent())
            } catch {
                let unauthorized = if case .Unauthorized? = error as? GridbookError { true } else { false }
                result = .failed(message: describe(error), needsNewToken: unauthorized)
            }
            running = nil
            state.value = result
        }
        running = task
        return task
    }

    /// Asks the running sync to stop; it ends as `.cancelled` (what was applied stays).
    public func cancel() {
        guard let task = running else { return }
        cancelling = true
        task.cancel()
        if case let .running(progress, _) = state.value {
            state.value = .running(progress: progress, cancelling: true)
        }
    }

    private func unsent() async -> Int64 {
        (try? await calls.read { store in try await store.syncStatus().unsentChanges }) ?? 0
    }

    /// Whether a state is a finished sync (the screens then reload).
    public static func finished(_ state: SyncState) -> Bool {
        if case let .done(report) = state { return report.stage == .done }
        return false
    }
}

/// The core's listener: called on the syncing thread, it passes each report
/// to the main queue in order.
private final class ProgressRelay: SyncListener, @unchecked Sendable {
    private let deliver: @MainActor (SyncProgress) -> Void

    init(_ deliver: @escaping @MainActor (SyncProgress) -> Void) {
        self.deliver = deliver
    }

    func onProgress(progress: SyncProgress) throws {
        let deliver = deliver
        DispatchQueue.main.async {
            MainActor.assumeIsolated { deliver(progress) }
        }
    }
}
