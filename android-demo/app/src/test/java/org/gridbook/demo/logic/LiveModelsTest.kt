package org.gridbook.demo.logic

import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import org.gridbook.Store
import org.gridbook.core.TeamMember
import org.gridbook.core.VisitInput
import org.gridbook.core.VisitKind
import org.gridbook.core.VisitOutcome
import org.junit.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs

/** The models follow the store's live queries: nobody re-reads after an edit or a merge. */
class LiveModelsTest {
    private val clock = FixedClock.at(2025, 6, 16, 8, 0)

    private suspend fun visit(store: Store, household: String, notes: String) = store.logVisit(
        VisitInput(
            householdId = household, at = FixedClock.at(2025, 6, 16, 9, 0).now(), kind = VisitKind.ROUTINE,
            outcome = VisitOutcome.MET, residentsSeen = listOf(), notes = notes, findings = listOf(), gps = null,
        ),
    )

    /** Waits (at most 60 s) for the store's listener count to be [expected]: unsubscribing ends after the cancel returns. */
    private fun awaitListeners(store: Store, expected: Long) = runBlocking {
        withTimeoutOrNull(60_000) {
            while (store.listenerCount() != expected) delay(10)
        }
        assertEquals(expected, store.listenerCount(), "listeners registered")
    }

    @Test
    fun aMergedVisitAndALocalOneReachTheModelsByThemselves(): Unit = runBlocking {
        val dir = tempDir("live")
        openStore(dir, "w-zhang").use { a ->
            Env(openStore(dir, "w-li")).use { b ->
                val g = grid(a, "101", "102")
                a.createResident(resident(g.households[0]))
                a.createResident(resident(g.households[1], name = "钱强", phone = "13833334444", idNumber = null))
                b.store.importChanges(a.exportSince(0L).bytes)
                val cursor = a.exportSince(0L).cursor

                val today = TodayModel(b.calls, clock, b.scope)
                today.observe()
                val first = awaitState(today.state, "b's plan") { it is TodayState.Loaded }
                assertEquals(g.households.toSet(), assertIs<TodayState.Loaded>(first).rows.map { it.householdId }.toSet())
                val household = HouseholdModel(b.calls, b.scope, g.households[0])
                household.observe()
                awaitState(household.state, "the household") { it is HouseholdState.Loaded }

                // A's visit, merged into B: the only call is the merge.
                visit(a, g.households[0], "甲的走访")
                b.store.importChanges(a.exportSince(cursor).bytes)
                val merged = awaitState(today.state, "the merged visit on the list") { (it as? TodayState.Loaded)?.rows?.size == 1 }
                assertEquals(listOf(g.households[1]), assertIs<TodayState.Loaded>(merged).rows.map { it.householdId })
                val shown = awaitState(household.state, "the merged visit in the household") { (it as? HouseholdState.Loaded)?.visits?.size == 1 }
                assertEquals(listOf("甲的走访" to "w-zhang"), assertIs<HouseholdState.Loaded>(shown).visits.map { it.notes to it.workerId })

                // B's own visit, logged through the form: the list empties by itself.
                val form = VisitFormModel(b.calls, FixedClock.at(2025, 6, 16, 10, 0), FixedLocation(LocationResult.TimedOut), b.scope, g.households[1])
                runBlocking { form.save().join() }
                assertEquals(listOf(), assertIs<TodayState.Loaded>(awaitState(today.state, "an empty list") { (it as? TodayState.Loaded)?.rows?.isEmpty() == true }).rows)

                // And a local visit to the open household shows at once, newest first.
                visit(b.store, g.households[0], "乙的走访")
                val both = awaitState(household.state, "b's visit in the household") { (it as? HouseholdState.Loaded)?.visits?.size == 2 }
                assertEquals(setOf("甲的走访", "乙的走访"), assertIs<HouseholdState.Loaded>(both).visits.map { it.notes }.toSet())
                today.close()
                household.close()
            }
        }
    }

    @Test
    fun closingTheModelsLeavesNoListener(): Unit = runBlocking {
        Env(openStore(tempDir("live-leak"), "w-zhang")).use { env ->
            val g = grid(env.store, "101")
            val before = env.store.listenerCount()
            val today = TodayModel(env.calls, clock, env.scope)
            val household = HouseholdModel(env.calls, env.scope, g.households[0])
            val conflicts = ConflictsModel(env.calls, clock, env.scope)
            val sync = SyncModel(env.calls, env.scope) { null }
            today.observe()
            household.observe()
            conflicts.observe(g.id)
            sync.observe()
            awaitState(today.state, "the list") { it is TodayState.Loaded }
            awaitState(household.state, "the household") { it is HouseholdState.Loaded }
            awaitState(conflicts.state, "the conflicts") { it is ConflictsState.Loaded }
            awaitState(sync.status, "the status") { it != null }
            // Today's list listens for the grids (through the sync status) and
            // for its visits due; each other model listens once.
            awaitListeners(env.store, before + 5)

            // Switching the conflicts to another grid replaces its listener.
            conflicts.observe(g.id)
            awaitState(conflicts.state, "the conflicts") { it is ConflictsState.Loaded }
            awaitListeners(env.store, before + 5)

            today.close()
            household.close()
            conflicts.close()
            sync.close()
            awaitListeners(env.store, before)
        }
    }

    @Test
    fun closingTheRouteMapAndPointsLeavesNoListener(): Unit = runBlocking {
        Env(openStore(tempDir("live-leak-field"), "w-zhang")).use { env ->
            val g = grid(env.store, "101")
            env.store.createPatrolTeam(g.id, "夜巡队", listOf(TeamMember(memberId = "v-0001", name = "赵师傅")))
            val before = env.store.listenerCount()
            val today = TodayModel(env.calls, clock, env.scope, location = FixedLocation(LocationResult.TimedOut))
            val map = MapModel(env.calls, clock, env.scope)
            val points = PointsModel(env.calls, clock, env.scope, g.id)
            today.observe()
            awaitState(today.state, "the list") { it is TodayState.Loaded }
            today.planRoute()
            map.observe(g.id)
            points.observe()
            points.select("v-0001")
            awaitState(today.route, "the route") { it is RouteState.Loaded }
            awaitState(map.state, "the map") { it is MapState.Loaded }
            awaitState(points.state, "the account") { it.account != null }
            // The list's two, the route's, the map's, the board's and the account's.
            awaitListeners(env.store, before + 6)

            // Planning again replaces the route's listener.
            today.planRoute()
            awaitState(today.route, "the route") { it is RouteState.Loaded }
            awaitListeners(env.store, before + 6)

            today.close()
            map.close()
            points.close()
            awaitListeners(env.store, before)
        }
    }
}
