package org.gridbook.demo.logic

import kotlinx.coroutines.runBlocking
import org.gridbook.core.BuildingInput
import org.gridbook.core.DwellingUse
import org.gridbook.core.GeoPoint
import org.gridbook.core.HouseholdInput
import org.junit.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

class SearchModelTest {
    @Test
    fun pinyinAndAddressQueriesShowHowTheyMatched(): Unit = runBlocking {
        Env(openStore(tempDir("search"), "w-zhang")).use { env ->
            val g = grid(env.store, "502")
            val zhang = env.store.createResident(resident(g.households[0], name = "张三", phone = "13912345678", idNumber = null))
            val building = env.store.createBuilding(
                g.id, BuildingInput(number = "5栋", estate = "阳光小区", units = 2, floors = 6, location = GeoPoint(lon = 120.101, lat = 30.28)),
            )
            val flat = env.store.createHousehold(
                HouseholdInput(buildingId = building, unit = "2", floor = 4, room = "401", useKind = DwellingUse.RENTED, tags = listOf(), location = null, notes = null),
            )
            val model = SearchModel(env.calls, env.scope, g.id)

            for (typed in listOf("zs", "zhangsan", "张s")) {
                model.setQuery(typed).join()
                val rows = model.state.value.rows
                assertEquals(listOf(Triple(g.households[0], zhang, "拼音")), rows.map { Triple(it.householdId, it.residentId, it.matched) }, typed)
                assertTrue(!rows[0].display.contains("张三"), "masked as the store returns it: ${rows[0].display}")
                assertTrue(rows[0].display.startsWith("张"), rows[0].display)
            }
            model.setQuery("张三").join()
            assertEquals(listOf("姓名"), model.state.value.rows.map { it.matched })
            model.setQuery("5678").join()
            assertEquals(listOf("手机尾号"), model.state.value.rows.map { it.matched })

            for (typed in listOf("5-2-401", "5栋2单元401", "5号楼2单元401室")) {
                model.setQuery(typed).join()
                assertEquals(listOf(Triple(flat, null, "地址")), model.state.value.rows.map { Triple(it.householdId, it.residentId, it.matched) }, typed)
            }
            model.setQuery("三栋").join()
            assertEquals(listOf(g.households[0] to "地址"), model.state.value.rows.map { it.householdId to it.matched }, "三栋")

            model.setQuery("  ").join()
            assertEquals(SearchState(query = "  "), model.state.value)
        }
    }
}
