import Gridbook

/// One household on today's list, ready to show.
public struct DueRow: Equatable, Sendable {
    public var householdId: String
    /// "3栋 1单元 502".
    public var address: String
    public var memberCount: Int
    /// Labels of the active members' care categories ("独居老人").
    public var care: [String]
    /// The latest visit of any outcome ("2025-06-10 09:30"), nil if never visited.
    public var lastVisit: String?
    /// The date the household fell due (`YYYY-MM-DD`); nil if no visit ever reached it.
    public var dueOn: String?
    public var daysOverdue: Int
    /// The visiting interval that applies to the household, in days.
    public var intervalDays: Int

    public init(
        householdId: String, address: String, memberCount: Int, care: [String], lastVisit: String?,
        dueOn: String?, daysOverdue: Int, intervalDays: Int
    ) {
        self.householdId = householdId
        self.address = address
        self.memberCount = memberCount
        self.care = care
        self.lastVisit = lastVisit
        self.dueOn = dueOn
        self.daysOverdue = daysOverdue
        self.intervalDays = intervalDays
    }
}

public enum TodayState: Equatable, Sendable {
    case loading
    /// The store holds no active grid yet (first start: sync to receive one).
    case noGrid
    case loaded(gridId: String, gridName: String, today: String, rows: [DueRow])
    case failed(String)

    /// The grid shown, once loaded.
    public var gridId: String? {
        if case let .loaded(gridId, _, _, _) = self { return gridId }
        return nil
    }

    /// The rows shown (none unless loaded).
    public var rows: [DueRow] {
        if case let .loaded(_, _, _, rows) = self { return rows }
        return []
    }
}

/// Today's households to visit, for the first active grid of the store (or
/// `refresh`'s grid): the core's `visitsDue` under `policy` (nil: the core's
/// default policy). Who is due and the order, most urgent first, are the
/// core's; this only shows them.
@MainActor
public final class TodayModel {
    public let state = StateCell<TodayState>(.loading)
    private let calls: StoreCalls
    private let clock: Clock
    private let policy: VisitPolicy?

    public init(calls: StoreCalls, clock: Clock, policy: VisitPolicy? = nil) {
        self.calls = calls
        self.clock = clock
        self.policy = policy
    }

    /// Reloads the list; `gridId` nil keeps the current grid or takes the first active one.
    public func refresh(gridId: String? = nil) async {
        let wanted = gridId ?? state.value.gridId
        let clock = clock
        let policy = policy
        do {
            state.value = try await calls.read { store in
                let grids = try await store.grids().filter { !$0.retired }
                guard let grid = grids.first(where: { $0.id == wanted }) ?? grids.first else {
                    return TodayState.noGrid
                }
                let today = clock.today()
                let labels = Labels.careLabels()
                let rows = try await store.visitsDue(gridId: grid.id, today: today, policy: policy).map { row($0, labels) }
                return TodayState.loaded(gridId: grid.id, gridName: grid.name, today: today, rows: rows)
            }
        } catch {
            state.value = .failed(describe(error))
        }
    }
}

private func row(_ due: VisitDue, _ labels: [String: String]) -> DueRow {
    DueRow(
        householdId: due.household.id,
        address: Labels.address(due.household),
        memberCount: Int(due.memberCount),
        care: due.careCategories.map { Labels.care($0, labels) },
        lastVisit: due.lastVisit.map(Labels.time),
        dueOn: due.dueOn,
        daysOverdue: Int(due.daysOverdue),
        intervalDays: Int(due.intervalDays)
    )
}
