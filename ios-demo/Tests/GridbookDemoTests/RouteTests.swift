import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

/// A point on a street going east, 0.001° (about 96 m) per step, as the bindings' MapTests place buildings.
func street(_ k: Double) -> GeoPoint { GeoPoint(lon: 120.150 + k * 0.001, lat: 30.280) }

/// A grid with 1栋, 2栋 and 3栋 along the street, each with 2单元302, 1单元101 and 2单元101;
/// returns the grid and the households by "栋/unit/room".
func streetGrid(_ store: Store) async throws -> (String, [String: String]) {
    let grid = try await store.createGrid(input: GridInput(code: "330106001001001", name: "文新一网格", community: nil, street: nil, boundary: nil))
    var households: [String: String] = [:]
    for (number, k) in [("1栋", 0.0), ("2栋", 1.0), ("3栋", 2.0)] {
        let building = try await store.createBuilding(
            gridId: grid, input: BuildingInput(number: number, estate: nil, units: 2, floors: 6, location: street(k))
        )
        for (unit, floor, room) in [("2", Int32(3), "302"), ("1", 1, "101"), ("2", 1, "101")] {
            households["\(number)/\(unit)/\(room)"] = try await store.createHousehold(input: HouseholdInput(
                buildingId: building, unit: unit, floor: floor, room: room, useKind: .ownerOccupied, tags: [], location: nil, notes: nil
            ))
        }
    }
    return (grid, households)
}

final class RouteTests: XCTestCase {
    private static let clock = FixedClock(2025, 6, 16, 8, 0)

    func testTheRouteClimbsEachStairwellOnceFromThePhonesPosition() async throws {
        try await Self.fromThePhonesPosition(try tempDir(self, "route"))
    }

    @MainActor
    private static func fromThePhonesPosition(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let (_, households) = try await streetGrid(env.store)
        let here = street(3) // the east end of the street
        let phone = FixedLocation(.fix(lon: here.lon, lat: here.lat, accuracyM: 10))
        let model = TodayModel(calls: env.calls, clock: clock, location: phone)
        XCTAssertEqual(model.route.value, .idle)
        model.observe()
        _ = try await awaitState(model.state, "the plan") { $0.rows.count == 9 }
        model.planRoute()
        guard case let .loaded(buildings, total, count, fromHere) = try await awaitState(model.route, "the route", {
            if case .loaded = $0 { return true } else { return false }
        }) else { return XCTFail("no route") }
        XCTAssertEqual(phone.calls, 1)
        XCTAssertTrue(fromHere)
        XCTAssertEqual(buildings.map(\.number), ["3栋", "2栋", "1栋"], "from the east end, westwards")
        for b in buildings {
            XCTAssertEqual(b.stairwells, [RouteStairwellRow(unit: "1", rooms: ["101"]), RouteStairwellRow(unit: "2", rooms: ["101", "302"])], b.number)
        }
        XCTAssertEqual(buildings[0].stairwells.map(\.climb), ["1单元 101", "2单元 101 → 302"])
        XCTAssertEqual(count, 9)
        let walks = buildings.map { $0.walkM ?? -1 }
        for w in walks { XCTAssertTrue((90...100).contains(w), "about 96 m between neighbours: \(walks)") }
        XCTAssertLessThanOrEqual(abs(total - walks.reduce(0, +)), 2, "the total is the walk")

        // A visit logged takes its room off the route by itself.
        _ = try await env.store.logVisit(input: VisitInput(
            householdId: households["3栋/2/302"]!, at: clock.now(), kind: .routine, outcome: .met,
            residentsSeen: [], notes: nil, findings: [], gps: nil
        ))
        guard case let .loaded(after, _, _, _) = try await awaitState(model.route, "the route without 302", {
            if case let .loaded(_, _, n, _) = $0 { return n == 8 } else { return false }
        }) else { return XCTFail("no route") }
        XCTAssertEqual(after[0].stairwells, [RouteStairwellRow(unit: "1", rooms: ["101"]), RouteStairwellRow(unit: "2", rooms: ["101"])])
        model.close()
    }

    func testWithoutAFixTheWalkStartsAtAnEnd() async throws {
        try await Self.withoutAFix(try tempDir(self, "route-nofix"))
    }

    @MainActor
    private static func withoutAFix(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        _ = try await streetGrid(env.store)
        let model = TodayModel(calls: env.calls, clock: clock, location: FixedLocation(.noPermission))
        model.observe()
        _ = try await awaitState(model.state, "the plan") { $0.rows.count == 9 }
        model.planRoute()
        guard case let .loaded(buildings, _, count, fromHere) = try await awaitState(model.route, "the route", {
            if case .loaded = $0 { return true } else { return false }
        }) else { return XCTFail("no route") }
        XCTAssertFalse(fromHere)
        let order = buildings.map(\.number)
        XCTAssertTrue(order == ["1栋", "2栋", "3栋"] || order == ["3栋", "2栋", "1栋"], "one end to the other: \(order)")
        XCTAssertEqual(count, 9)
        model.close()
    }
}
