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

/// What waits for the server, for the panel's badge: the changes not sent
/// yet (held ones included) and one line per grid the server refused
/// (`Labels.blockedGrid`).
public struct SyncBadge: Equatable, Sendable {
    public var unsentChanges: Int64
    public var blocked: [String]

    public init(unsentChanges: Int64, blocked: [String]) {
        self.unsentChanges = unsentChanges
        self.blocked = blocked
    }
}

public enum SyncState: Equatable, Sendable {
    /// Not syncing, and no sync ran yet.
    case idle
    /// Running: the last step reported (nil before the first), and whether cancel was asked.
    case running(progress: SyncProgress?, cancelling: Bool)
    case done(SyncProgress)
    /// Cancelled; what the rounds before applied stays applied.
    case cancelled
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
/// The badge (`status`) follows the store's sync status live: a local edit,
/// a sync round or a refusal changes it with no re-read by the app.
@MainActor
public final class SyncModel {
    public let state = StateCell<SyncState>(.idle)
    /// What waits to be sent, once `observe` read it (nil before).
    public let status = StateCell<SyncBadge?>(nil)
    private var watching: Task<Void, Never>?
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

    deinit {
        watching?.cancel()
        running?.cancel()
    }

    /// Starts following the store's sync status in a task the model owns; `close` stops it.
    public func observe() {
        watching?.cancel()
        let store = calls.store
        let updates = store.syncStatusUpdates()
        watching = Task { [weak self] in
            do {
                for try await status in updates {
                    // A refused grid is named by the phone's copy of it, when it has one.
                    var names: [String: String] = [:]
                    if !status.blockedGrids.isEmpty {
                        for grid in try await store.grids() { names[grid.id] = grid.name }
                    }
                    let badge = SyncBadge(
                        unsentChanges: status.unsentChanges,
                        blocked: status.blockedGrids.map { Labels.blockedGrid($0, name: names[$0.gridId]) }
                    )
                    guard let self, !Task.isCancelled else { return }
                    self.status.value = badge
                }
            } catch {
                guard let self, self.running == nil else { return }
                self.state.value = .failed(message: describe(error), needsNewToken: false)
            }
        }
    }

    /// Stops following the sync status and cancels a running sync (the app goes).
    public func close() {
        cancel()
        watching?.cancel()
        watching = nil
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
                result = .cancelled
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
