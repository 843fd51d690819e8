import SwiftUI

/// The app's entry: one window with the navigation stack, opening the
/// encrypted store once the worker is set up.
@main
struct GridbookDemoApp: App {
    @StateObject private var app = AppModel()
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            RootView(app: app)
        }
        .onChange(of: scenePhase) { phase in
            // The store file is protected while the phone is locked: stop a
            // running sync when the app leaves the screen (what it applied stays).
            if phase == .background { app.session?.sync.cancel() }
        }
    }
}

struct RootView: View {
    @ObservedObject var app: AppModel

    var body: some View {
        NavigationStack(path: $app.path) {
            Group {
                switch app.phase {
                case .needsSetup:
                    SetupScreen(app: app)
                case .opening:
                    ProgressView("正在打开数据…")
                case let .failed(message):
                    VStack(spacing: 12) {
                        Text(message)
                        Button("设置") { app.path.append(.setup) }
                    }
                    .padding()
                case let .open(session):
                    TodayScreen(app: app, session: session)
                }
            }
            .navigationDestination(for: Screen.self) { screen in
                switch screen {
                case let .household(ref):
                    HouseholdScreen(app: app, model: ref.object)
                case let .visit(ref):
                    VisitScreen(app: app, route: ref.object)
                case .conflicts:
                    if let session = app.session { ConflictsScreen(app: app, model: session.conflicts) }
                case .events:
                    if let session = app.session {
                        EventsScreen(model: session.events, gridId: session.today.state.value.gridId)
                    }
                case let .map(ref):
                    MapScreen(model: ref.object)
                case let .points(ref):
                    PointsScreen(model: ref.object)
                case let .search(ref):
                    SearchScreen(app: app, model: ref.object)
                case .setup:
                    SetupScreen(app: app)
                }
            }
        }
    }
}
