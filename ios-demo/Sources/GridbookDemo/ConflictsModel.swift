import Gridbook

/// One value a field was given, as shown.
public struct ConflictValueRow: Equatable, Sendable {
    public var text: String
    public var workerId: String?
    public var time: String?
    /// The value the store shows now (the merge's winner).
    public var isWinner: Bool
}

/// One field that several people changed at once.
public struct ConflictRow: Equatable, Sendable {
    /// Stable key of the row: record kind, id and field.
    public var key: String
    public var recordKind: RecordKind
    public var recordId: String
    /// "居民 王** · 3栋 1单元 502".
    public var record: String
    public var field: String
    public var fieldLabel: String
    /// ID numbers and phones masked by the core; names and birth dates masked by the demo unless `revealed`.
    public var values: [ConflictValueRow]
    public var sensitive: Bool
    public var revealed: Bool
}

public enum ConflictsState: Equatable, Sendable {
    case loading
    case loaded(gridId: String, rows: [ConflictRow])
    case failed(String)
}

/// The conflicts of a grid to review, as the core lists them. A conflict is
/// resolved by editing the field (the core then drops it); this screen lists
/// them with who wrote which value and when.
@MainActor
public final class ConflictsModel {
    public let state = StateCell<ConflictsState>(.loading)
    private let calls: StoreCalls
    private let clock: Clock
    private var loaded: [(Conflict, String)] = []
    private var gridId: String?
    private var revealed: Set<String> = []
    private var watching: Task<Void, Never>?

    public init(calls: StoreCalls, clock: Clock) {
        self.calls = calls
        self.clock = clock
    }

    deinit {
        watching?.cancel()
    }

    /// Starts following `gridId`'s conflicts in a task the model owns (a
    /// second call switches grid): a conflict merged by a sync appears, and
    /// one resolved by editing its field goes, with no reload. `close` stops it.
    public func observe(gridId: String) {
        watching?.cancel()
        let store = calls.store
        let updates = store.conflictsUpdates(gridId: gridId)
        watching = Task { [weak self] in
            do {
                for try await conflicts in updates {
                    var found: [(Conflict, String)] = []
                    for conflict in conflicts {
                        found.append((conflict, await describeRecord(store, conflict)))
                    }
                    guard let self, !Task.isCancelled else { return }
                    self.loaded = found
                    self.gridId = gridId
                    self.publish()
                }
            } catch {
                self?.state.value = .failed(describe(error))
            }
        }
    }

    /// Stops following the conflicts (the screen went) and removes the store's listener.
    public func close() {
        watching?.cancel()
        watching = nil
    }

    public func toggleReveal(_ key: String) {
        if revealed.remove(key) == nil { revealed.insert(key) }
        publish()
    }

    private func publish() {
        guard let grid = gridId else { return }
        state.value = .loaded(gridId: grid, rows: loaded.map { row($0.0, record: $0.1) })
    }

    private func row(_ c: Conflict, record: String) -> ConflictRow {
        let key = "\(c.recordKind)/\(c.recordId)/\(c.field)"
        let sensitive = c.recordKind == .resident && Masking.isSensitive(c.field)
        let open = !sensitive || revealed.contains(key)
        return ConflictRow(
            key: key,
            recordKind: c.recordKind,
            recordId: c.recordId,
            record: record,
            field: c.field,
            fieldLabel: Labels.field(c.field),
            values: c.values.map { v in
                ConflictValueRow(
                    text: Masking.conflictValue(field: sensitive ? c.field : "", valueJson: v.valueJson, revealed: open),
                    workerId: v.workerId,
                    time: v.atMs.map { Labels.time(Timestamp(utcMs: $0, offsetMinutes: Int32(clock.offsetMinutes(at: $0)))) },
                    isWinner: v.isWinner
                )
            },
            sensitive: sensitive,
            revealed: sensitive && open
        )
    }
}


private func describeRecord(_ store: Store, _ c: Conflict) async -> String {
    let kind = Labels.record(c.recordKind)
    do {
        switch c.recordKind {
        case .resident:
            let r = try await store.resident(residentId: c.recordId)
            return "\(kind) \(maskName(name: r.name)) · \(Labels.address(try await store.household(householdId: r.householdId).household))"
        case .household:
            return "\(kind) \(Labels.address(try await store.household(householdId: c.recordId).household))"
        default:
            return kind
        }
    } catch {
        return kind
    }
}
