package org.gridbook.demo.logic

import kotlin.math.roundToInt
import org.gridbook.core.RouteBuilding
import org.gridbook.core.WalkingRoute

/** One stairwell (单元) of a building on the route: its due rooms from the lowest floor up. */
data class RouteStairwellRow(val unit: String, val rooms: List<String>)

/** One building on the route, in walking order. */
data class RouteBuildingRow(
    val buildingId: String,
    /** "3栋". */
    val number: String,
    /** Metres to walk to it from the previous building (or from the start); null when it has no place. */
    val walkM: Int?,
    val stairwells: List<RouteStairwellRow>,
)

sealed class RouteState {
    /** Not asked for yet (the route needs the phone's position). */
    object Idle : RouteState()
    object Locating : RouteState()

    /**
     * The core's route through today's due households: buildings in walking
     * order, each stairwell once, floors upwards. [fromHere] is false when
     * the phone gave no position (the walk then starts wherever it is shortest).
     */
    data class Loaded(val buildings: List<RouteBuildingRow>, val totalWalkM: Int, val households: Int, val fromHere: Boolean) : RouteState()

    data class Failed(val message: String) : RouteState()
}

internal fun routeLoaded(route: WalkingRoute, fromHere: Boolean) = RouteState.Loaded(
    buildings = route.buildings.map(::routeBuilding),
    totalWalkM = route.totalWalkM.roundToInt(),
    households = route.households,
    fromHere = fromHere,
)

private fun routeBuilding(b: RouteBuilding) = RouteBuildingRow(
    buildingId = b.buildingId,
    number = b.number,
    walkM = b.walkM?.roundToInt(),
    stairwells = b.stairwells.map { s -> RouteStairwellRow(s.unit, s.households.map { it.room }) },
)

/** "1单元 101 → 302" for the order to climb. */
fun RouteStairwellRow.climb(): String = "${unit}单元 ${rooms.joinToString(" → ")}"
