import Combine
import Foundation
import Gridbook
import GridbookDemo

/// The screens pushed on the navigation stack (today's list is the root).
enum Screen: Hashable {
    case household(Ref<HouseholdModel>)
    case visit(Ref<VisitRoute>)
    case conflicts
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

    init(calls: StoreCalls, today: TodayModel, sync: SyncModel, conflicts: ConflictsModel) {
        self.calls = calls
        self.today = today
        self.sync = sync
        self.conflicts = conflicts
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
    @Published var path: [Screen] = []
    @Published private(set) var phase: SessionPhase = .needsSetup

    let settings = DemoSettings()
    private let location = CoreLocationSource()
    private var changes: StateSubscription?

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
        Task {
            do {
                let store = try await StoreFile.open(identity: identity, key: settings.databaseKey())
                let calls = StoreCalls(store: store)
                let session = Session(
                    calls: calls,
                    today: TodayModel(calls: calls, clock: SystemClock()),
                    sync: SyncModel(calls: calls) { [weak self] in self?.settings.server },
                    conflicts: ConflictsModel(calls: calls, clock: SystemClock())
                )
                phase = .open(session)
                // Reload what is on screen after a visit is logged or a sync applied.
                changes = calls.changes.observe { [weak self] _ in self?.reload() }
                await session.today.refresh()
                await session.sync.refreshStatus()
            } catch {
                phase = .failed(describe(error))
            }
        }
    }

    private func reload() {
        guard let session else { return }
        Task {
            await session.today.refresh()
            switch path.last {
            case let .household(ref)?: await ref.object.load()
            case .conflicts?: if let grid = session.today.state.value.gridId { await session.conflicts.load(gridId: grid) }
            default: break
            }
        }
    }

    func openHousehold(_ householdId: String) {
        guard let session else { return }
        let model = HouseholdModel(calls: session.calls, householdId: householdId)
        path.append(.household(Ref(object: model)))
        Task { await model.load() }
    }

    func logVisit(_ household: HouseholdModel) {
        guard let session else { return }
        let form = VisitFormModel(calls: session.calls, clock: SystemClock(), location: location, householdId: household.householdId)
        path.append(.visit(Ref(object: VisitRoute(form: form, members: household.members))))
    }

    func openConflicts() {
        guard let session else { return }
        if let grid = session.today.state.value.gridId { Task { await session.conflicts.load(gridId: grid) } }
        path.append(.conflicts)
    }

    func openSetup() {
        path.append(.setup)
    }

    func back() {
        if !path.isEmpty { path.removeLast() }
    }
}
