import GridbookDemo
import SwiftUI

/// 网格民情地图: the map's place, and its buildings as a list beside it.
struct MapScreen: View {
    let model: MapModel
    @StateObject private var map: Watched<MapState>

    init(model: MapModel) {
        self.model = model
        _map = StateObject(wrappedValue: Watched(model.state))
    }

    var body: some View {
        List {
            switch map.value {
            case .loading:
                ProgressView()
            case let .failed(message):
                Text(message).foregroundStyle(.red)
            case let .loaded(_, coordSystem, buildings):
                // No map SDK is bundled with the demo. An app puts the SDK's
                // view here (Amap's or Tencent's MAMapView / QMapView) and hands
                // it the state's geoJson, whose coordinates are already in
                // coordSystem (GCJ-02 by default), so nothing is converted on the way.
                Section {
                    Text("地图区域（坐标系 \(coordSystem)，\(buildings.count) 栋楼）")
                        .frame(maxWidth: .infinity, minHeight: 200)
                        .background(Color.gray.opacity(0.15))
                }
                Section("楼栋") {
                    ForEach(buildings, id: \.buildingId) { b in
                        VStack(alignment: .leading, spacing: 4) {
                            Text(b.number).font(.headline)
                            Text("\(b.households) 户 · 待走访 \(b.due) · 逾期 \(b.overdue) · 本月已走访 \(b.reachedThisMonth)")
                                .font(.caption).foregroundStyle(.secondary)
                        }
                    }
                }
            }
        }
        .navigationTitle("网格地图")
    }
}
