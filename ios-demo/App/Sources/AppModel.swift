import Combine
import Foundation
import Gridbook
import GridbookDemo

/// The screens pushed on the navigation stack (today's list is the root).
enum Screen: Hashable {
    case household(Ref<HouseholdModel>)
    case visit(Ref<VisitRoute>)
    case conflicts
    case events
    case map(Ref<MapModel>)
    case search(Ref<SearchModel>)
    case points(Ref<PointsModel>)
    case setup
}

/// Logging a visit: the form, and the household's members for "who was seen".
@MainActor
final class VisitRoute {
    let form: VisitFormModel
    let members: [MemberRow]

    init(form: VisitFormModel, members: [MemberRow]) {
        self.form = form
        self.members = members
    }
}

/// The store once opened, with the models that live as long as it.
@MainActor
final class Session {
    let calls: StoreCalls
    let today: TodayModel
    let sync: SyncModel
    let conflicts: ConflictsModel
    let events: EventsModel

    init(calls: StoreCalls, today: TodayModel, sync: SyncModel, conflicts: ConflictsModel, events: EventsModel) {
        self.calls = calls
        self.today = today
        self.sync = sync
        self.conflicts = conflicts
        self.events = events
    }
}

enum SessionPhase {
    case needsSetup
    case opening
    case open(Session)
    case failed(String)
}

/// The iOS side of the logic models (the counterpart of Android's
/// DemoViewModel): opens the store off the main thread, creates the models
/// (the store's calls are async), and keeps the navigation path.
@MainActor
final class AppModel: ObservableObject {
    @Published var path: [Screen] = [] {
        // A screen popped (the back button, a swipe or `back()`): its live
        // query stops, so the store drops its listener.
        didSet {
            for screen in oldValue where !path.contains(screen) { stopped(screen) }
        }
    }
    @Published private(set) var phase: SessionPhase = .needsSetup

    let settings = DemoSettings()
    private let location = CoreLocationSource()

    init() {
        if settings.identity != nil { open() }
    }

    var session: Session? {
        if case let .open(session) = phase { return session }
        return nil
    }

    func saveSetup(workerId: String, name: String, role: WorkerRole, serverUrl: String, token: String) {
        settings.save(workerId: workerId, name: name, role: role, serverUrl: serverUrl, token: token)
        path = []
        if session == nil { open() }
    }

    private func open() {
        guard let identity = settings.identity else { return }
        phase = .opening
        let settings = settings
        let location = location
        Task {
            do {
                let store = try await StoreFile.open(identity: identity, key: settings.databaseKey())
                let calls = StoreCalls(store: store)
                let session = Session(
                    calls: calls,
                    today: TodayModel(calls: calls, clock: SystemClock(), location: location),
                    sync: SyncModel(calls: calls) { [weak self] in self?.settings.server },
                    conflicts: ConflictsModel(calls: calls, clock: SystemClock()),
                    events: EventsModel(calls: calls, clock: SystemClock())
                )
                phase = .open(session)
                // The screens follow the store's live queries: a visit logged
                // or a sync applied reaches them with no reload from here.
                session.today.observe()
                session.sync.observe()
            } catch {
                phase = .failed(describe(error))
            }
        }
    }

    func openHousehold(_ householdId: String) {
        guard let session else { return }
        let model = HouseholdModel(calls: session.calls, householdId: householdId)
        model.observe()
        path.append(.household(Ref(object: model)))
    }

    func logVisit(_ household: HouseholdModel) {
        guard let session else { return }
        let form = VisitFormModel(calls: session.calls, clock: SystemClock(), location: location, householdId: household.householdId)
        path.append(.visit(Ref(object: VisitRoute(form: form, members: household.members))))
    }

    func openConflicts() {
        guard let session else { return }
        if let grid = session.today.state.value.gridId { session.conflicts.observe(gridId: grid) }
        path.append(.conflicts)
    }

    func openEvents() {
        guard let session else { return }
        if let grid = session.today.state.value.gridId { session.events.observe(gridId: grid) }
        path.append(.events)
    }

    /// The grid's map (GCJ-02, for Amap or Tencent) and its buildings.
    func openMap() {
        guard let session, let grid = session.today.state.value.gridId else { return }
        let model = MapModel(calls: session.calls, clock: SystemClock())
        model.observe(gridId: grid)
        path.append(.map(Ref(object: model)))
    }

    func openSearch() {
        guard let session, let grid = session.today.state.value.gridId else { return }
        path.append(.search(Ref(object: SearchModel(calls: session.calls, gridId: grid))))
    }

    /// The month's points board and a volunteer's ledger.
    func openPoints() {
        guard let session, let grid = session.today.state.value.gridId else { return }
        let model = PointsModel(calls: session.calls, clock: SystemClock(), gridId: grid)
        model.observe()
        path.append(.points(Ref(object: model)))
    }

    func openSetup() {
        path.append(.setup)
    }

    func back() {
        if !path.isEmpty { path.removeLast() }
    }

    private func stopped(_ screen: Screen) {
        switch screen {
        case let .household(ref): ref.object.close()
        case .conflicts: session?.conflicts.close()
        case .events: session?.events.close()
        case let .map(ref): ref.object.close()
        case let .points(ref): ref.object.close()
        default: break
        }
    }
}
