import Foundation
import Gridbook

/// One stairwell (单元) of a building on the route: its due rooms from the lowest floor up.
public struct RouteStairwellRow: Equatable, Sendable {
    public var unit: String
    public var rooms: [String]

    public init(unit: String, rooms: [String]) {
        self.unit = unit
        self.rooms = rooms
    }

    /// "1单元 101 → 302" for the order to climb.
    public var climb: String { "\(unit)单元 \(rooms.joined(separator: " → "))" }
}

/// One building on the route, in walking order.
public struct RouteBuildingRow: Equatable, Sendable {
    public var buildingId: String
    /// "3栋".
    public var number: String
    /// Metres to walk to it from the previous building (or from the start); nil when it has no place.
    public var walkM: Int?
    public var stairwells: [RouteStairwellRow]
}

public enum RouteState: Equatable, Sendable {
    /// Not asked for yet (the route needs the phone's position).
    case idle
    case locating
    /// The core's route through today's due households: buildings in walking
    /// order, each stairwell once, floors upwards. `fromHere` is false when
    /// the phone gave no position (the walk then starts wherever it is shortest).
    case loaded(buildings: [RouteBuildingRow], totalWalkM: Int, households: Int, fromHere: Bool)
    case failed(String)
}

func routeLoaded(_ route: WalkingRoute, fromHere: Bool) -> RouteState {
    .loaded(
        buildings: route.buildings.map { b in
            RouteBuildingRow(
                buildingId: b.buildingId,
                number: b.number,
                walkM: b.walkM.map { Int($0.rounded()) },
                stairwells: b.stairwells.map { s in RouteStairwellRow(unit: s.unit, rooms: s.households.map(\.room)) }
            )
        },
        totalWalkM: Int(route.totalWalkM.rounded()),
        households: Int(route.households),
        fromHere: fromHere
    )
}
