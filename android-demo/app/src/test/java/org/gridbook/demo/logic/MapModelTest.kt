package org.gridbook.demo.logic

import kotlinx.coroutines.runBlocking
import org.gridbook.convertCoordinates
import org.gridbook.core.CoordSystem
import org.gridbook.core.VisitInput
import org.gridbook.core.VisitKind
import org.gridbook.core.VisitOutcome
import org.junit.Test
import kotlin.math.abs
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertTrue

class MapModelTest {
    private val clock = FixedClock.at(2025, 6, 16, 8, 0)

    @Test
    fun theListMatchesTheStoreInGcj02ByDefault(): Unit = runBlocking {
        Env(openStore(tempDir("map"), "w-zhang")).use { env ->
            val (grid, households) = streetGrid(env.store)
            env.store.logVisit(
                VisitInput(
                    householdId = households.getValue("2栋/1/101"), at = FixedClock.at(2025, 6, 3, 10, 0).now(), kind = VisitKind.ROUTINE,
                    outcome = VisitOutcome.MET, residentsSeen = listOf(), notes = null, findings = listOf(), gps = null,
                ),
            )
            val model = MapModel(env.calls, clock, env.scope)
            model.observe(grid)
            val map = assertIs<MapState.Loaded>(awaitState(model.state, "the map") { it is MapState.Loaded })
            assertEquals("gcj02", map.coordSystem)
            // Counts per building, as the store's plan has them: 2栋's 101 was reached on 06-03.
            val due = env.store.visitsDue(grid, clock.today(), null).groupingBy { it.household.buildingNumber }.eachCount()
            assertEquals(mapOf("1栋" to 3, "2栋" to 2, "3栋" to 3), due)
            assertEquals(
                listOf(Triple("1栋", 3, 3), Triple("2栋", 3, 2), Triple("3栋", 3, 3)),
                map.buildings.map { Triple(it.number, it.households, it.due) },
            )
            assertEquals(listOf(0, 1, 0), map.buildings.map { it.reachedThisMonth })
            assertEquals(listOf(0, 0, 0), map.buildings.map { it.overdue })
            assertEquals(env.store.buildings(grid).map { it.id }.toSet(), map.buildings.map { it.buildingId }.toSet())

            // The drawn point of 1栋 is its WGS-84 place converted to GCJ-02.
            val gcj = convertCoordinates(street(0.0), CoordSystem.WGS84, CoordSystem.GCJ02)
            val first = firstBuildingPoint(map.geoJson)
            assertTrue(abs(first[0] - gcj.lon) < 1e-9 && abs(first[1] - gcj.lat) < 1e-9, "$first vs $gcj")
            model.close()
        }
    }

    @Test
    fun theCoordinateSystemIsTheOneAsked(): Unit = runBlocking {
        Env(openStore(tempDir("map-bd"), "w-zhang")).use { env ->
            val (grid, _) = streetGrid(env.store)
            for ((system, code) in listOf(CoordSystem.BD09 to "bd09", CoordSystem.WGS84 to "wgs84")) {
                val model = MapModel(env.calls, clock, env.scope, system = system)
                model.observe(grid)
                val map = assertIs<MapState.Loaded>(awaitState(model.state, "the map in $code") { it is MapState.Loaded })
                assertEquals(code, map.coordSystem)
                val want = convertCoordinates(street(0.0), CoordSystem.WGS84, system)
                val first = firstBuildingPoint(map.geoJson)
                assertTrue(abs(first[0] - want.lon) < 1e-9 && abs(first[1] - want.lat) < 1e-9, "$code: $first vs $want")
                model.close()
            }
        }
    }

    /** The coordinates of the first building feature (1栋, in the store's building order). */
    private fun firstBuildingPoint(geoJson: String): List<Double> {
        val features = (Json.parse(geoJson) as Map<*, *>)["features"] as List<*>
        val building = features.map { it as Map<*, *> }.first { (it["properties"] as Map<*, *>)["number"] == "1栋" }
        return ((building["geometry"] as Map<*, *>)["coordinates"] as List<*>).map { it as Double }
    }
}
