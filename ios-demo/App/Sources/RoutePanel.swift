import GridbookDemo
import SwiftUI

/// 今日路线: the order to climb, building by building from where the worker stands, with the walk.
struct RoutePanel: View {
    let model: TodayModel
    @StateObject private var route: Watched<RouteState>

    init(model: TodayModel) {
        self.model = model
        _route = StateObject(wrappedValue: Watched(model.route))
    }

    var body: some View {
        switch route.value {
        case .idle:
            Button("从我的位置排今日路线") { model.planRoute() }
        case .locating:
            ProgressView("正在定位…")
        case let .failed(message):
            Text(message).foregroundStyle(.red)
        case let .loaded(buildings, totalWalkM, households, fromHere):
            VStack(alignment: .leading, spacing: 4) {
                Text("今日路线 · \(households) 户 · 步行约 \(totalWalkM) 米").font(.headline)
                if !fromHere { Text("未能定位，按最短路线排序").font(.caption).foregroundStyle(.secondary) }
                ForEach(Array(buildings.enumerated()), id: \.offset) { index, building in
                    Text("\(index + 1). \(building.number)" + (building.walkM.map { " · 步行 \($0) 米" } ?? " · 位置未知"))
                    ForEach(building.stairwells, id: \.unit) { stairwell in
                        Text("    \(stairwell.climb)").font(.caption)
                    }
                }
                Button("重新定位") { model.planRoute() }
            }
        }
    }
}
