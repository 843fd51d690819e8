package org.gridbook.demo.logic

import kotlinx.coroutines.runBlocking
import org.gridbook.Store
import org.gridbook.core.BuildingInput
import org.gridbook.core.DwellingUse
import org.gridbook.core.GeoPoint
import org.gridbook.core.GridInput
import org.gridbook.core.HouseholdInput
import org.gridbook.core.VisitInput
import org.gridbook.core.VisitKind
import org.gridbook.core.VisitOutcome
import org.junit.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertTrue

/** A point on a street going east, 0.001° (about 96 m) per step, as the bindings' MapTests place buildings. */
fun street(k: Double) = GeoPoint(lon = 120.150 + k * 0.001, lat = 30.280)

/** A grid with 1栋, 2栋 and 3栋 along the street, each with 2单元302, 1单元101 and 2单元101; returns the grid and the households by "栋/unit/room". */
suspend fun streetGrid(store: Store): Pair<String, Map<String, String>> {
    val grid = store.createGrid(GridInput(code = "330106001001001", name = "文新一网格", community = null, street = null, boundary = null))
    val households = mutableMapOf<String, String>()
    for ((number, k) in listOf("1栋" to 0.0, "2栋" to 1.0, "3栋" to 2.0)) {
        val building = store.createBuilding(grid, BuildingInput(number = number, estate = null, units = 2, floors = 6, location = street(k)))
        for ((unit, floor, room) in listOf(Triple("2", 3, "302"), Triple("1", 1, "101"), Triple("2", 1, "101"))) {
            households["$number/$unit/$room"] = store.createHousehold(
                HouseholdInput(buildingId = building, unit = unit, floor = floor, room = room, useKind = DwellingUse.OWNER_OCCUPIED, tags = listOf(), location = null, notes = null),
            )
        }
    }
    return grid to households
}

class RouteTest {
    private val clock = FixedClock.at(2025, 6, 16, 8, 0)

    @Test
    fun theRouteClimbsEachStairwellOnceFromThePhonesPosition(): Unit = runBlocking {
        Env(openStore(tempDir("route"), "w-zhang")).use { env ->
            val (_, households) = streetGrid(env.store)
            val here = street(3.0) // the east end of the street
            val phone = FixedLocation(LocationResult.Fix(lon = here.lon, lat = here.lat, accuracyM = 10.0))
            val model = TodayModel(env.calls, clock, env.scope, location = phone)
            assertEquals(RouteState.Idle, model.route.value)
            model.observe()
            model.planRoute()
            val route = assertIs<RouteState.Loaded>(awaitState(model.route, "the route") { it is RouteState.Loaded })
            assertEquals(1, phone.calls)
            assertTrue(route.fromHere)
            assertEquals(listOf("3栋", "2栋", "1栋"), route.buildings.map { it.number }, "from the east end, westwards")
            for (b in route.buildings) {
                assertEquals(listOf(RouteStairwellRow("1", listOf("101")), RouteStairwellRow("2", listOf("101", "302"))), b.stairwells, b.number)
            }
            assertEquals(listOf("1单元 101", "2单元 101 → 302"), route.buildings[0].stairwells.map { it.climb() })
            assertEquals(9, route.households)
            val walks = route.buildings.map { it.walkM!! }
            walks.forEach { assertTrue(it in 90..100, "about 96 m between neighbours: $walks") }
            assertTrue(kotlin.math.abs(route.totalWalkM - walks.sum()) <= 2, "the total is the walk: ${route.totalWalkM} $walks")

            // A visit logged takes its room off the route by itself.
            env.store.logVisit(
                VisitInput(
                    householdId = households.getValue("3栋/2/302"), at = clock.now(), kind = VisitKind.ROUTINE, outcome = VisitOutcome.MET,
                    residentsSeen = listOf(), notes = null, findings = listOf(), gps = null,
                ),
            )
            val after = assertIs<RouteState.Loaded>(awaitState(model.route, "the route without 302") { (it as? RouteState.Loaded)?.households == 8 })
            assertEquals(listOf(RouteStairwellRow("1", listOf("101")), RouteStairwellRow("2", listOf("101"))), after.buildings[0].stairwells)
            model.close()
        }
    }

    @Test
    fun withoutAFixTheWalkStartsAtAnEnd(): Unit = runBlocking {
        Env(openStore(tempDir("route-nofix"), "w-zhang")).use { env ->
            streetGrid(env.store)
            val model = TodayModel(env.calls, clock, env.scope, location = FixedLocation(LocationResult.NoPermission))
            model.observe()
            model.planRoute()
            val route = assertIs<RouteState.Loaded>(awaitState(model.route, "the route") { it is RouteState.Loaded })
            assertEquals(false, route.fromHere)
            val order = route.buildings.map { it.number }
            assertTrue(order == listOf("1栋", "2栋", "3栋") || order == listOf("3栋", "2栋", "1栋"), "one end to the other: $order")
            assertEquals(9, route.households)
        }
    }
}
