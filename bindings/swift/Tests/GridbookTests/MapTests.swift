// The field day from Swift: the walking route through today's due
// households, and coordinates converted for Chinese map SDKs.
import Foundation
import Gridbook
import XCTest

/// A point on a street going east, 0.001° (about 96 m) per step.
func street(_ k: Double) -> GeoPoint { GeoPoint(lon: 120.150 + k * 0.001, lat: 30.280) }

final class MapTests: TempDirTestCase {
    func testTheWalkingRouteClimbsEachStairwellOnceNearestBuildingFirst() async throws {
        let store = try await openStore(dir("route"), "w-zhang")
        let grid = try await store.createGrid(
            input: GridInput(code: "330106001001001", name: "文新一网格", community: nil, street: nil, boundary: nil)
        )
        for (number, k) in [("1栋", 0.0), ("2栋", 1.0), ("3栋", 2.0)] {
            let building = try await store.createBuilding(
                gridId: grid, input: BuildingInput(number: number, estate: nil, units: 2, floors: 6, location: street(k))
            )
            for (unit, floor, room) in [("2", Int32(3), "302"), ("1", 1, "101"), ("2", 1, "101")] {
                _ = try await store.createHousehold(input: HouseholdInput(
                    buildingId: building, unit: unit, floor: floor, room: room, useKind: .ownerOccupied,
                    tags: [], location: nil, notes: nil
                ))
            }
        }
        let route = try await store.walkingRoute(gridId: grid, today: await store.today(), policy: nil, from: street(3))
        XCTAssertEqual(route.buildings.map(\.number), ["3栋", "2栋", "1栋"], "from the east end, westwards")
        XCTAssertEqual(route.buildings[0].stairwells.map(\.unit), ["1", "2"])
        XCTAssertEqual(route.buildings[0].stairwells[1].households.map(\.room), ["101", "302"], "floors upwards")
        XCTAssertEqual(route.households, 9)
        XCTAssertEqual(route.totalWalkM, route.buildings.compactMap(\.walkM).reduce(0, +), accuracy: 1e-6)
        await XCTAssertEqualAsync(
            await expectGridbookError("a longitude out of range") {
                try await store.walkingRoute(gridId: grid, today: await store.today(), policy: nil, from: GeoPoint(lon: 200, lat: 30))
            },
            .Invalid(field: "from.lon", reason: .outOfRange)
        )

        // A visit logged 500 m from its building is kept, and listed for review.
        let household = try await store.roster(gridId: grid).first { $0.household.buildingNumber == "1栋" }!.household.id
        let visit = try await store.logVisit(input: VisitInput(
            householdId: household, at: now(), kind: .routine, outcome: .met, residentsSeen: [], notes: nil,
            findings: [], gps: GpsFix(point: street(5.2), accuracyM: 30)
        ))
        let today = await store.today()
        let flags = try await store.gpsReview(gridId: grid, from: today, to: today, maxDistanceM: nil)
        XCTAssertEqual(flags.map(\.recordId), [visit])
        XCTAssertEqual(flags.first?.kind, .visit)
        XCTAssertGreaterThan(flags.first?.distanceM ?? 0, 150)
        await XCTAssertEqualAsync(
            try await store.gpsReview(gridId: grid, from: today, to: today, maxDistanceM: 1000).count, 0,
            "within a wider tolerance"
        )

        let map = try await store.gridMap(gridId: grid, today: today, policy: nil, now: now(), system: .gcj02)
        let json = try JSONSerialization.jsonObject(with: Data(map.utf8)) as? [String: Any]
        XCTAssertEqual(json?["type"] as? String, "FeatureCollection")
        XCTAssertEqual(json?["coordSystem"] as? String, "gcj02")
        let kinds = (json?["features"] as? [[String: Any]] ?? []).compactMap { ($0["properties"] as? [String: Any])?["kind"] as? String }
        XCTAssertEqual(kinds.filter { $0 == "building" }.count, 3, "three buildings drawn")
    }

    func testCoordinatesForAmapTencentAndBaiduWithThePublishedVector() {
        let tiananmen = GeoPoint(lon: 116.404, lat: 39.915)
        let gcj = convertCoordinates(point: tiananmen, from: .wgs84, to: .gcj02)
        XCTAssertEqual(gcj.lon, 116.41024449916938, accuracy: 1e-9)
        XCTAssertEqual(gcj.lat, 39.91640428150164, accuracy: 1e-9)
        let back = convertCoordinates(
            point: convertCoordinates(point: tiananmen, from: .wgs84, to: .bd09), from: .bd09, to: .wgs84
        )
        XCTAssertEqual(back.lon, tiananmen.lon, accuracy: 1e-9)
        XCTAssertEqual(back.lat, tiananmen.lat, accuracy: 1e-9)
        let paris = GeoPoint(lon: 2.3522, lat: 48.8566)
        XCTAssertEqual(convertCoordinates(point: paris, from: .wgs84, to: .gcj02), paris, "unchanged outside China")
        XCTAssertEqual(try coordSystemFromCode(code: "gcj02"), .gcj02, "a system kept in settings")
        XCTAssertEqual(
            expectGridbookError("an unknown system") { try coordSystemFromCode(code: "mercator") },
            .Invalid(field: "coordSystem", reason: .unknownCode),
            "named, never a silent WGS-84"
        )
    }
}
