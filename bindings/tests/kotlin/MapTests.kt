// The field day from Kotlin: the walking route through today's due
// households, and coordinates converted for Chinese map SDKs.
package org.gridbook.tests

import org.gridbook.*
import org.gridbook.core.*
import kotlin.math.abs

/** A point on a street going east, 0.001° (about 96 m) per step. */
fun street(k: Double) = GeoPoint(lon = 120.150 + k * 0.001, lat = 30.280)

fun mapTests(r: Runner) {
    r.test("map: the walking route climbs each stairwell once, nearest building first") {
        openStore(tempDir("route"), "w-zhang").use { store ->
            val grid = store.createGrid(GridInput(code = "330106001001001", name = "文新一网格", community = null, street = null, boundary = null))
            val rooms = mapOf("1栋" to 0.0, "2栋" to 1.0, "3栋" to 2.0).map { (number, k) ->
                val building = store.createBuilding(grid, BuildingInput(number = number, estate = null, units = 2, floors = 6, location = street(k)))
                for ((unit, floor, room) in listOf(Triple("2", 3, "302"), Triple("1", 1, "101"), Triple("2", 1, "101"))) {
                    store.createHousehold(
                        HouseholdInput(buildingId = building, unit = unit, floor = floor, room = room, useKind = DwellingUse.OWNER_OCCUPIED, tags = listOf(), location = null, notes = null),
                    )
                }
                number
            }
            assertEq(listOf("1栋", "2栋", "3栋"), rooms, "three buildings")
            val route = store.walkingRoute(grid, store.today(), null, street(3.0))
            assertEq(listOf("3栋", "2栋", "1栋"), route.buildings.map { it.number }, "from the east end, westwards")
            assertEq(
                listOf("1" to listOf("101"), "2" to listOf("101", "302")),
                route.buildings[0].stairwells.map { s -> s.unit to s.households.map { it.room } },
                "stairwells in order, floors upwards",
            )
            assertEq(9, route.households, "every due household once")
            assertTrue(abs(route.totalWalkM - route.buildings.sumOf { it.walkM ?: 0.0 }) < 1e-6) { "the total is the sum" }
            val refused = assertThrows<GridbookException.Invalid>("a longitude out of range") {
                store.walkingRoute(grid, store.today(), null, GeoPoint(lon = 200.0, lat = 30.0))
            }
            assertEq("from.lon" to InvalidReason.OutOfRange, refused.field to refused.reason, "named")

            // A visit logged 500 m from its building is kept, and listed for review.
            val household = store.roster(grid).first { it.household.buildingNumber == "1栋" }.household.id
            val visit = store.logVisit(
                VisitInput(
                    householdId = household, at = now(), kind = VisitKind.ROUTINE, outcome = VisitOutcome.MET, residentsSeen = listOf(), notes = null,
                    findings = listOf(), gps = GpsFix(point = street(5.2), accuracyM = 30.0),
                ),
            )
            val flags = store.gpsReview(grid, store.today(), store.today(), null)
            assertEq(listOf(visit to RecordKind.VISIT), flags.map { it.recordId to it.kind }, "listed")
            assertTrue((flags.single().distanceM ?: 0.0) > 150.0) { "with its distance" }
            assertEq(0, store.gpsReview(grid, store.today(), store.today(), 1000.0).size, "within a wider tolerance")

            val map = store.gridMap(grid, store.today(), null, now(), CoordSystem.GCJ02)
            assertTrue(map.contains("\"FeatureCollection\"") && map.contains("\"coordSystem\":\"gcj02\"")) { map }
            assertEq(3, Regex("\"kind\":\"building\"").findAll(map).count(), "three buildings drawn")
        }
    }

    r.test("map: WGS-84 to GCJ-02 and BD-09 for Amap, Tencent and Baidu maps, with the published vector") {
        val tiananmen = GeoPoint(lon = 116.404, lat = 39.915)
        val gcj = convertCoordinates(tiananmen, CoordSystem.WGS84, CoordSystem.GCJ02)
        assertTrue(abs(gcj.lon - 116.41024449916938) < 1e-9 && abs(gcj.lat - 39.91640428150164) < 1e-9) { "$gcj" }
        val back = convertCoordinates(convertCoordinates(tiananmen, CoordSystem.WGS84, CoordSystem.BD09), CoordSystem.BD09, CoordSystem.WGS84)
        assertTrue(abs(back.lon - tiananmen.lon) < 1e-9 && abs(back.lat - tiananmen.lat) < 1e-9) { "$back" }
        val paris = GeoPoint(lon = 2.3522, lat = 48.8566)
        assertEq(paris, convertCoordinates(paris, CoordSystem.WGS84, CoordSystem.GCJ02), "unchanged outside China")
        assertEq(CoordSystem.GCJ02, coordSystemFromCode("gcj02"), "a system kept in settings")
        val unknown = assertThrows<GridbookException.Invalid>("an unknown system") { coordSystemFromCode("mercator") }
        assertEq("coordSystem" to InvalidReason.UnknownCode, unknown.field to unknown.reason, "named, never a silent WGS-84")
    }
}
