package org.gridbook.demo.logic

import kotlinx.coroutines.runBlocking
import org.junit.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs

class TodayModelTest {
    private val clock = FixedClock.at(2025, 6, 16, 8, 0)

    @Test
    fun anEmptyStoreHasNoGrid() {
        Env(openStore(tempDir("today-empty"), "w-zhang")).use { env ->
            val model = TodayModel(env.calls, clock, env.scope, dueFromRoster)
            assertEquals(TodayState.Loading, model.state.value)
            runBlocking { model.refresh().join() }
            assertEquals(TodayState.NoGrid, model.state.value)
        }
    }

    @Test
    fun theListComesFromTheStoreForTheFirstActiveGrid() {
        Env(openStore(tempDir("today"), "w-zhang")).use { env ->
            val g = grid(env.store, "502", "301")
            env.store.createResident(resident(g.households[0]))
            val model = TodayModel(env.calls, clock, env.scope, dueFromRoster)
            runBlocking { model.refresh().join() }
            val loaded = assertIs<TodayState.Loaded>(model.state.value)
            assertEquals(g.id, loaded.gridId)
            assertEquals("文新一网格", loaded.gridName)
            assertEquals("2025-06-16", loaded.today)
            assertEquals(listOf("3栋 1单元 301", "3栋 1单元 502"), loaded.rows.map { it.address })
            assertEquals(listOf(0, 1), loaded.rows.map { it.memberCount })
        }
    }
}
