import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

final class MapModelTests: XCTestCase {
    private static let clock = FixedClock(2025, 6, 16, 8, 0)

    func testTheListMatchesTheStoreInGcj02ByDefault() async throws {
        try await Self.inGcj02(try tempDir(self, "map"))
    }

    @MainActor
    private static func inGcj02(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let (grid, households) = try await streetGrid(env.store)
        _ = try await env.store.logVisit(input: VisitInput(
            householdId: households["2栋/1/101"]!, at: FixedClock(2025, 6, 3, 10, 0).now(), kind: .routine, outcome: .met,
            residentsSeen: [], notes: nil, findings: [], gps: nil
        ))
        let model = MapModel(calls: env.calls, clock: clock)
        model.observe(gridId: grid)
        guard case let .loaded(geoJson, system, buildings) = try await awaitState(model.state, "the map", {
            if case .loaded = $0 { return true } else { return false }
        }) else { return XCTFail("no map") }
        XCTAssertEqual(system, "gcj02")
        // Counts per building, as the store's plan has them: 2栋's 101 was reached on 06-03.
        let due = try await env.store.visitsDue(gridId: grid, today: clock.today(), policy: nil)
        var perBuilding: [String: Int] = [:]
        for d in due { perBuilding[d.household.buildingNumber, default: 0] += 1 }
        XCTAssertEqual(perBuilding, ["1栋": 3, "2栋": 2, "3栋": 3])
        XCTAssertEqual(buildings.map(\.number), ["1栋", "2栋", "3栋"])
        XCTAssertEqual(buildings.map(\.households), [3, 3, 3])
        XCTAssertEqual(buildings.map(\.due), [3, 2, 3])
        XCTAssertEqual(buildings.map(\.reachedThisMonth), [0, 1, 0])
        XCTAssertEqual(buildings.map(\.overdue), [0, 0, 0])
        let ids = try await env.store.buildings(gridId: grid).map(\.id)
        XCTAssertEqual(Set(buildings.map(\.buildingId)), Set(ids))

        // The drawn point of 1栋 is its WGS-84 place converted to GCJ-02.
        let gcj = convertCoordinates(point: street(0), from: .wgs84, to: .gcj02)
        let first = try firstBuildingPoint(geoJson)
        XCTAssertEqual(first[0], gcj.lon, accuracy: 1e-9)
        XCTAssertEqual(first[1], gcj.lat, accuracy: 1e-9)
        model.close()
    }

    func testTheCoordinateSystemIsTheOneAsked() async throws {
        try await Self.asked(try tempDir(self, "map-bd"))
    }

    @MainActor
    private static func asked(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let (grid, _) = try await streetGrid(env.store)
        for (system, code) in [(CoordSystem.bd09, "bd09"), (.wgs84, "wgs84")] {
            let model = MapModel(calls: env.calls, clock: clock, system: system)
            model.observe(gridId: grid)
            guard case let .loaded(geoJson, drawn, _) = try await awaitState(model.state, "the map in \(code)", {
                if case .loaded = $0 { return true } else { return false }
            }) else { return XCTFail("no map") }
            XCTAssertEqual(drawn, code)
            let want = convertCoordinates(point: street(0), from: .wgs84, to: system)
            let first = try firstBuildingPoint(geoJson)
            XCTAssertEqual(first[0], want.lon, accuracy: 1e-9, code)
            XCTAssertEqual(first[1], want.lat, accuracy: 1e-9, code)
            model.close()
        }
    }

    /// The coordinates of 1栋's feature.
    private static func firstBuildingPoint(_ geoJson: String) throws -> [Double] {
        let collection = try JSONSerialization.jsonObject(with: Data(geoJson.utf8)) as? [String: Any]
        let features = collection?["features"] as? [[String: Any]] ?? []
        let building = features.first { ($0["properties"] as? [String: Any])?["number"] as? String == "1栋" }
        let coordinates = (building?["geometry"] as? [String: Any])?["coordinates"] as? [NSNumber] ?? []
        return coordinates.map(\.doubleValue)
    }
}
