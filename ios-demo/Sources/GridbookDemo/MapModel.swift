import Foundation
import Gridbook

/// A building of the map, for the list beside it (no personal data: the GeoJSON holds none).
public struct MapBuilding: Equatable, Sendable {
    public var buildingId: String
    /// "3栋".
    public var number: String
    public var households: Int
    public var due: Int
    public var overdue: Int
    public var reachedThisMonth: Int
}

public enum MapState: Equatable, Sendable {
    case loading
    /// `geoJson` is what the map SDK's view takes, with coordinates in
    /// `coordSystem` (the collection's own `coordSystem`: "gcj02", "bd09" or
    /// "wgs84"); `buildings` are its building features, in its order.
    case loaded(geoJson: String, coordSystem: String, buildings: [MapBuilding])
    case failed(String)
}

/// The grid as the map shows it: the core's GeoJSON (`gridMap`) in the
/// coordinate system the app's map SDK draws (`system`: GCJ-02 for Amap and
/// Tencent maps, the default; BD-09 for Baidu; WGS-84 for MapKit outside
/// China), and the buildings read from it for a list. Re-read after every
/// change to the visit plan.
@MainActor
public final class MapModel {
    public let state = StateCell<MapState>(.loading)
    private let calls: StoreCalls
    private let clock: Clock
    private let system: CoordSystem
    private let policy: VisitPolicy?
    private var watching: Task<Void, Never>?

    public init(calls: StoreCalls, clock: Clock, system: CoordSystem = .gcj02, policy: VisitPolicy? = nil) {
        self.calls = calls
        self.clock = clock
        self.system = system
        self.policy = policy
    }

    deinit {
        watching?.cancel()
    }

    /// Starts following the grid's map; `close` stops it.
    public func observe(gridId: String) {
        watching?.cancel()
        let store = calls.store
        let clock = clock
        let system = system
        let policy = policy
        let updates = store.liveQuery(.visitsDue(gridId: gridId)) {
            try await store.gridMap(gridId: gridId, today: clock.today(), policy: policy, now: clock.now(), system: system)
        }
        watching = Task { [weak self] in
            do {
                for try await geoJson in updates { self?.state.value = try MapModel.loaded(geoJson) }
            } catch {
                self?.state.value = .failed(describe(error))
            }
        }
    }

    public func close() {
        watching?.cancel()
        watching = nil
    }

    /// The map's state from the core's GeoJSON.
    public nonisolated static func loaded(_ geoJson: String) throws -> MapState {
        let collection = try JSONSerialization.jsonObject(with: Data(geoJson.utf8)) as? [String: Any] ?? [:]
        let features = collection["features"] as? [[String: Any]] ?? []
        let buildings = features.compactMap { $0["properties"] as? [String: Any] }
            .filter { $0["kind"] as? String == "building" }
            .map { p in
                func count(_ key: String) -> Int { (p[key] as? NSNumber)?.intValue ?? 0 }
                return MapBuilding(
                    buildingId: p["id"] as? String ?? "",
                    number: p["number"] as? String ?? "",
                    households: count("households"),
                    due: count("due"),
                    overdue: count("overdue"),
                    reachedThisMonth: count("reachedThisMonth")
                )
            }
        return .loaded(geoJson: geoJson, coordSystem: collection["coordSystem"] as? String ?? "", buildings: buildings)
    }
}
