import Gridbook
import GridbookDemo
import SwiftUI

/// 今日走访: the households due today, most urgent first, under the sync panel,
/// with the walking route (the order to climb) above the list.
struct TodayScreen: View {
    let app: AppModel
    let session: Session
    @StateObject private var today: Watched<TodayState>

    init(app: AppModel, session: Session) {
        self.app = app
        self.session = session
        _today = StateObject(wrappedValue: Watched(session.today.state))
    }

    var body: some View {
        List {
            Section { SyncPanel(app: app, model: session.sync) }
            switch today.value {
            case .loading:
                ProgressView()
            case .noGrid:
                Text("还没有网格数据。请先同步，等待服务器分配网格。").foregroundStyle(.secondary)
            case let .failed(message):
                Text(message).foregroundStyle(.red)
            case let .loaded(_, _, day, rows):
                if !rows.isEmpty { Section("今日路线") { RoutePanel(model: session.today) } }
                Section(rows.isEmpty ? "\(day) 没有需要走访的住户" : "\(day) 需要走访 \(rows.count) 户") {
                    ForEach(rows, id: \.householdId) { row in
                        Button { app.openHousehold(row.householdId) } label: { DueRowView(row: row) }
                            .foregroundStyle(.primary)
                    }
                }
            }
        }
        .navigationTitle(title)
        .toolbar {
            ToolbarItem(placement: .navigationBarLeading) { Button("待核冲突") { app.openConflicts() } }
            ToolbarItem(placement: .navigationBarLeading) { Button("事件") { app.openEvents() } }
            ToolbarItem(placement: .navigationBarTrailing) { Button("查找") { app.openSearch() } }
            ToolbarItem(placement: .navigationBarTrailing) { Button("地图") { app.openMap() } }
            ToolbarItem(placement: .navigationBarTrailing) { Button("积分") { app.openPoints() } }
            ToolbarItem(placement: .navigationBarTrailing) { Button("设置") { app.openSetup() } }
        }
    }

    private var title: String {
        if case let .loaded(_, name, _, _) = today.value { return name }
        return "今日走访"
    }
}

struct DueRowView: View {
    let row: DueRow

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            HStack {
                Text(row.address).font(.headline)
                Spacer()
                Text(urgency).font(.subheadline).foregroundStyle(row.daysOverdue > 0 || row.dueOn == nil ? Color.red : Color.secondary)
            }
            Text(details).font(.caption).foregroundStyle(.secondary)
        }
    }

    private var urgency: String {
        guard row.dueOn != nil else { return "尚未走访到" }
        return row.daysOverdue > 0 ? "逾期 \(row.daysOverdue) 天" : "今天到期"
    }

    private var details: String {
        var parts = ["\(row.memberCount) 人", "每 \(row.intervalDays) 天"]
        if !row.care.isEmpty { parts.append(row.care.joined(separator: "、")) }
        parts.append(row.lastVisit.map { "上次 \($0)" } ?? "从未走访")
        return parts.joined(separator: " · ")
    }
}

/// 同步: one button; while it runs, the stage, the traffic and a cancel button.
struct SyncPanel: View {
    let app: AppModel
    let model: SyncModel
    @StateObject private var sync: Watched<SyncState>
    @StateObject private var badge: Watched<SyncBadge?>

    init(app: AppModel, model: SyncModel) {
        self.app = app
        self.model = model
        _sync = StateObject(wrappedValue: Watched(model.state))
        _badge = StateObject(wrappedValue: Watched(model.status))
    }

    var body: some View {
        switch sync.value {
        case let .running(progress, cancelling):
            VStack(alignment: .leading, spacing: 8) {
                Text(progress.map { Labels.stage($0.stage) } ?? "正在连接服务器…").font(.subheadline)
                ProgressView()
                if let progress { Text(traffic(progress)).font(.caption).foregroundStyle(.secondary) }
                Button(cancelling ? "正在取消…" : "取消同步") { model.cancel() }.disabled(cancelling)
            }
        case let state:
            HStack {
                Text(summary(state, badge.value)).font(.subheadline)
                Spacer()
                if needsSettings(state) {
                    Button("设置") { app.openSetup() }
                } else {
                    Button("同步") { _ = model.start() }.buttonStyle(.borderedProminent)
                }
            }
        }
    }

    private func needsSettings(_ state: SyncState) -> Bool {
        switch state {
        case .notConfigured: return true
        case let .failed(_, needsNewToken): return needsNewToken
        default: return false
        }
    }

    private func traffic(_ p: SyncProgress) -> String {
        "已发送 \(formatBytes(p.bytesSent)) · 已接收 \(formatBytes(p.bytesReceived)) · 往返 \(p.roundTrips) 次"
            + (p.retries > 0 ? " · 重试 \(p.retries) 次" : "")
    }

    /// The last sync's outcome, then what waits to be sent and each grid the server refused (live).
    private func summary(_ state: SyncState, _ badge: SyncBadge?) -> String {
        let outcome: String? = switch state {
        case .idle, .running: nil
        case let .done(r):
            "同步完成：上传 \(r.pushedChanges) 条，下载 \(r.pulledChunks) 块，共 \(formatBytes(r.bytesSent + r.bytesReceived))"
        case .cancelled: "同步已取消"
        case let .failed(message, _): message
        case .notConfigured: "还没有设置同步服务器"
        }
        let unsent = badge.map { $0.unsentChanges == 0 ? "没有待上传的更改" : "\($0.unsentChanges) 条更改待上传" }
        return ([outcome, unsent].compactMap { $0 } + (badge?.blocked ?? [])).joined(separator: "\n")
    }
}
