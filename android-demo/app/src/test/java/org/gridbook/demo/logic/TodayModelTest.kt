package org.gridbook.demo.logic

import java.time.LocalDate
import kotlinx.coroutines.runBlocking
import org.gridbook.Store
import org.gridbook.core.VisitInput
import org.gridbook.core.VisitKind
import org.gridbook.core.VisitOutcome
import org.gridbook.core.VisitPolicy
import org.gridbook.defaultVisitPolicy
import org.junit.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs

class TodayModelTest {
    private val clock = FixedClock.at(2025, 6, 16, 8, 0)

    private suspend fun visit(store: Store, household: String, clockAt: FixedClock, outcome: VisitOutcome) {
        store.logVisit(
            VisitInput(
                householdId = household, at = clockAt.now(), kind = VisitKind.ROUTINE, outcome = outcome,
                residentsSeen = listOf(), notes = null, findings = listOf(), gps = null,
            ),
        )
    }

    @Test
    fun anEmptyStoreHasNoGrid(): Unit = runBlocking {
        Env(openStore(tempDir("today-empty"), "w-zhang")).use { env ->
            val model = TodayModel(env.calls, clock, env.scope)
            assertEquals(TodayState.Loading, model.state.value)
            model.observe()
            awaitState(model.state, "no grid") { it == TodayState.NoGrid }
            // A grid created on the phone shows with no call to the model. The
            // grid, its building and its household are three writes, so the
            // list may first show the grid empty; wait for the household.
            val g = grid(env.store, "101")
            val loaded = awaitState(model.state, "the new grid") { it is TodayState.Loaded && it.rows.isNotEmpty() }
            assertEquals(TodayState.Loaded(g.id, "文新一网格", LocalDate.of(2025, 6, 16), listOf(DueRow(g.households[0], "3栋 1单元 101", 0, listOf(), null, null, 0, 90))), loaded)
            model.close()
        }
    }

    /**
     * Five households on 2025-06-16 under the default policy (elders living
     * alone weekly, others quarterly). The order is the core's; the test
     * pins what the screen gets.
     */
    @Test
    fun theCoresPlanIsShownMostUrgentFirst(): Unit = runBlocking {
        Env(openStore(tempDir("today"), "w-zhang")).use { env ->
            val s = env.store
            val g = grid(s, "101", "102", "103", "104", "105")
            val (never, weekly, quarterly, fresh, notHome) = g.households
            s.createResident(resident(never))                                   // elderly_alone, never visited
            s.createResident(resident(weekly, name = "赵桂兰", phone = "13811112222", idNumber = null))
            visit(s, weekly, FixedClock.at(2025, 6, 6, 9, 0), VisitOutcome.MET) // due 06-13: 3 days over
            s.createResident(resident(quarterly, name = "钱强", phone = "13833334444", idNumber = null, care = listOf()))
            visit(s, quarterly, FixedClock.at(2025, 3, 8, 15, 30), VisitOutcome.MET) // +90: due 06-06, 10 days over
            s.createResident(resident(fresh, name = "孙丽", phone = "13855556666", idNumber = null))
            visit(s, fresh, FixedClock.at(2025, 6, 14, 10, 0), VisitOutcome.MET) // due 06-21: not today
            s.createResident(resident(notHome, name = "李军", phone = "13877778888", idNumber = null, care = listOf()))
            visit(s, notHome, FixedClock.at(2025, 6, 13, 19, 0), VisitOutcome.NOBODY_HOME) // never reached

            val model = TodayModel(env.calls, clock, env.scope)
            model.observe()
            val loaded = assertIs<TodayState.Loaded>(awaitState(model.state, "the plan") { it is TodayState.Loaded })
            assertEquals(g.id, loaded.gridId)
            assertEquals("文新一网格", loaded.gridName)
            assertEquals(LocalDate.of(2025, 6, 16), loaded.today)
            assertEquals(
                listOf(
                    DueRow(never, "3栋 1单元 101", 1, listOf("独居老人"), null, null, 0, 7),
                    DueRow(notHome, "3栋 1单元 105", 1, listOf(), "2025-06-13 19:00", null, 0, 90),
                    DueRow(quarterly, "3栋 1单元 103", 1, listOf(), "2025-03-08 15:30", LocalDate.of(2025, 6, 6), 10, 90),
                    DueRow(weekly, "3栋 1单元 102", 1, listOf("独居老人"), "2025-06-06 09:00", LocalDate.of(2025, 6, 13), 3, 7),
                ),
                loaded.rows,
            )

            // A visit logged through the form takes the household off today's
            // list by itself: the test calls nothing on the list's model.
            val form = VisitFormModel(env.calls, FixedClock.at(2025, 6, 16, 9, 0), FixedLocation(LocationResult.TimedOut), env.scope, never)
            runBlocking { form.save().join() }
            val after = awaitState(model.state, "the list without the visited household") { (it as? TodayState.Loaded)?.rows?.size == 3 }
            assertEquals(listOf(notHome, quarterly, weekly), assertIs<TodayState.Loaded>(after).rows.map { it.householdId })
        }
    }

    @Test
    fun aPolicyWithoutAGeneralIntervalListsOnlyCareHouseholds(): Unit = runBlocking {
        Env(openStore(tempDir("today-policy"), "w-zhang")).use { env ->
            val g = grid(env.store, "101", "102")
            env.store.createResident(resident(g.households[0]))
            env.store.createResident(resident(g.households[1], name = "钱强", phone = "13833334444", idNumber = null, care = listOf()))
            val policy: VisitPolicy = defaultVisitPolicy().copy(generalIntervalDays = null)
            val model = TodayModel(env.calls, clock, env.scope, policy)
            model.observe()
            val loaded = awaitState(model.state, "the plan") { it is TodayState.Loaded }
            assertEquals(listOf(g.households[0]), assertIs<TodayState.Loaded>(loaded).rows.map { it.householdId })

            val invalid = TodayModel(env.calls, clock, env.scope, defaultVisitPolicy().copy(generalIntervalDays = 0))
            invalid.observe()
            assertEquals(TodayState.Failed("generalIntervalDays：超出范围"), awaitState(invalid.state, "the failure") { it is TodayState.Failed })
        }
    }
}
