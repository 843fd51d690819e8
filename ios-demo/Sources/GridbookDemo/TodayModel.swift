import Foundation
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
    /// The date the household fell due; nil if no visit ever reached it.
    public var dueOn: DateComponents?
    public var daysOverdue: Int
    /// The visiting interval that applies to the household, in days.
    public var intervalDays: Int

    public init(
        householdId: String, address: String, memberCount: Int, care: [String], lastVisit: String?,
        dueOn: DateComponents?, daysOverdue: Int, intervalDays: Int
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
    case loaded(gridId: String, gridName: String, today: DateComponents, rows: [DueRow])
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

/// Today's households to visit, for the first active grid of the store: the
/// core's `visitsDue` under `policy` (nil: the core's default policy), kept
/// current by the store's live query. Who is due and the order, most urgent
/// first, are the core's; this only shows them. Nobody re-reads it after an
/// edit or a sync: the core signals every change that affects the list.
@MainActor
public final class TodayModel {
    public let state = StateCell<TodayState>(.loading)
    /// The order to climb today: see `planRoute`.
    public let route = StateCell<RouteState>(.idle)
    private let calls: StoreCalls
    private let clock: Clock
    private let policy: VisitPolicy?
    private let location: LocationSource?
    private let locationTimeout: Double
    private var watching: Task<Void, Never>?
    private var routing: Task<Void, Never>?

    public init(calls: StoreCalls, clock: Clock, policy: VisitPolicy? = nil, location: LocationSource? = nil, locationTimeout: Double = 15) {
        self.calls = calls
        self.clock = clock
        self.policy = policy
        self.location = location
        self.locationTimeout = locationTimeout
    }

    deinit {
        watching?.cancel()
        routing?.cancel()
    }

    /// Starts following the list in a task the model owns (a second call
    /// restarts it); `close` stops it and removes the store's listeners.
    public func observe() {
        watching?.cancel()
        let store = calls.store
        let clock = clock
        let policy = policy
        watching = Task { [weak self] in
            do {
                let labels = Labels.careLabels()
                // No live query lists the grids. A grid arrives by a sync round
                // or is created here, and both change what waits to be sent, so
                // the sync status's signal re-reads which grid to show.
                var shown: Grid?
                var due: Task<Void, Never>?
                defer { due?.cancel() }
                for try await grid in store.liveQuery(.syncStatus, read: { try await store.grids().first { !$0.retired } }) {
                    if shown == grid && due != nil { continue }
                    shown = grid
                    due?.cancel()
                    guard let grid else {
                        self?.state.value = .noGrid
                        continue
                    }
                    // visitsDueUpdates with the model's clock for "today" (the
                    // store's would be the phone's date, which tests cannot
                    // fix): re-read on every change to the grid's households,
                    // residents or visits.
                    let updates = store.liveQuery(.visitsDue(gridId: grid.id)) {
                        let today = clock.today()
                        let rows = try await store.visitsDue(gridId: grid.id, today: today, policy: policy).map { row($0, labels) }
                        return TodayState.loaded(gridId: grid.id, gridName: grid.name, today: today, rows: rows)
                    }
                    due = Task { [weak self] in
                        do {
                            for try await loaded in updates { self?.state.value = loaded }
                        } catch {
                            self?.state.value = .failed(describe(error))
                        }
                    }
                }
            } catch {
                self?.state.value = .failed(describe(error))
            }
        }
    }

    /// Asks the phone for its position once, then follows the core's walking
    /// route from there through the shown grid's households due today: the
    /// route is re-read after every change to the plan, a visit logged takes
    /// its room off. Without a fix the core starts the walk wherever it is
    /// shortest. Nothing happens before the list is loaded; a second call
    /// re-locates.
    public func planRoute() {
        guard let gridId = state.value.gridId else { return }
        routing?.cancel()
        let store = calls.store
        let clock = clock
        let policy = policy
        let location = location
        let timeout = locationTimeout
        route.value = .locating
        routing = Task { [weak self] in
            let fix = await location?.currentFix(timeout: timeout)
            let from = fix?.gpsFix?.point
            let updates = store.liveQuery(.visitsDue(gridId: gridId)) {
                try await store.walkingRoute(gridId: gridId, today: clock.today(), policy: policy, from: from)
            }
            do {
                for try await walk in updates { self?.route.value = routeLoaded(walk, fromHere: from != nil) }
            } catch {
                self?.route.value = .failed(describe(error))
            }
        }
    }

    /// Stops following the list and the route (the screen went); the last states stay.
    public func close() {
        watching?.cancel()
        watching = nil
        routing?.cancel()
        routing = nil
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
