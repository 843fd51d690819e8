package org.gridbook.demo.logic

import kotlinx.coroutines.runBlocking
import org.gridbook.core.FindingKind
import org.gridbook.core.GeoPoint
import org.gridbook.core.GpsFix
import org.gridbook.core.Timestamp
import org.gridbook.core.Resolution
import org.gridbook.core.VisitKind
import org.gridbook.core.VisitOutcome
import org.junit.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull

class VisitFormModelTest {
    private val clock = FixedClock.at(2025, 6, 16, 10, 5)

    @Test
    fun aVisitIsLoggedWithTheLocationFixOnTheStoreDispatcher(): Unit = runBlocking {
        Env(openStore(tempDir("visit"), "w-zhang")).use { env ->
            val g = grid(env.store, "502")
            val head = env.store.createResident(resident(g.households[0]))
            val location = FixedLocation(LocationResult.Fix(lon = 120.1234, lat = 30.2801, accuracyM = 12.0))
            val form = VisitFormModel(env.calls, clock, location, env.scope, g.households[0])

            // Under -ea, coroutine debug mode appends " @coroutine#N" to thread names.
            runBlocking { form.locate().join() }
            assertEquals(1, location.calls)
            assertEquals(LocationState.Located(LocationResult.Fix(120.1234, 30.2801, 12.0)), form.state.value.location)

            form.setKind(VisitKind.SPECIAL_CARE)
            form.setOutcome(VisitOutcome.MET)
            form.toggleSeen(head)
            form.setNotes("  老人腿脚不便  ")
            form.addFinding(FindingDraft(FindingKind.PROBLEM, "楼道堆放杂物", Resolution.OPEN))
            form.addFinding(FindingDraft(FindingKind.REQUEST, "需要助餐", Resolution.OPEN))
            form.updateFinding(1, FindingDraft(FindingKind.REQUEST, "需要助餐服务", Resolution.ESCALATED))
            runBlocking { form.save().join() }

            val saved = form.state.value
            assertNull(saved.error)
            assertEquals(false, saved.saving)
            val visitId = assertNotNull(saved.savedVisitId)
            val visit = env.store.household(g.households[0]).visits.single()
            assertEquals(visitId, visit.id)
            assertEquals("w-zhang", visit.workerId)
            assertEquals(Timestamp(utcMs = clock.nowMs, offsetMinutes = 480), visit.at)
            assertEquals(VisitKind.SPECIAL_CARE, visit.kind)
            assertEquals(VisitOutcome.MET, visit.outcome)
            assertEquals(listOf(head), visit.residentsSeen)
            assertEquals("老人腿脚不便", visit.notes)
            assertEquals(
                setOf(
                    Triple(FindingKind.PROBLEM, "楼道堆放杂物", Resolution.OPEN),
                    Triple(FindingKind.REQUEST, "需要助餐服务", Resolution.ESCALATED),
                ),
                visit.findings.map { Triple(it.kind, it.text, it.resolution) }.toSet(),
                "the findings (the core does not keep their order)",
            )
            assertEquals(2, visit.findings.size)
            assertEquals(GpsFix(point = GeoPoint(lon = 120.1234, lat = 30.2801), accuracyM = 12.0), visit.gps)

            runBlocking { form.save().join() }
            assertEquals(1, env.store.household(g.households[0]).visits.size, "a saved form does not save twice")
        }
    }

    @Test
    fun withoutLocationPermissionTheVisitIsSavedWithoutAPosition(): Unit = runBlocking {
        Env(openStore(tempDir("visit-nogps"), "w-zhang")).use { env ->
            val g = grid(env.store, "502")
            val form = VisitFormModel(env.calls, clock, FixedLocation(LocationResult.NoPermission), env.scope, g.households[0])
            runBlocking { form.locate().join() }
            assertEquals(LocationState.Unavailable(LocationResult.NoPermission), form.state.value.location)
            form.setOutcome(VisitOutcome.NOBODY_HOME)
            runBlocking { form.save().join() }
            assertNotNull(form.state.value.savedVisitId)
            val visit = env.store.household(g.households[0]).visits.single()
            assertNull(visit.gps)
            assertEquals(VisitOutcome.NOBODY_HOME, visit.outcome)
            assertEquals(VisitKind.ROUTINE, visit.kind)
            assertNull(visit.notes)
        }
    }

    @Test
    fun anEmptyFindingIsRefusedNamingTheFieldAndNothingIsStored(): Unit = runBlocking {
        Env(openStore(tempDir("visit-invalid"), "w-zhang")).use { env ->
            val g = grid(env.store, "502")
            val form = VisitFormModel(env.calls, clock, FixedLocation(LocationResult.TimedOut), env.scope, g.households[0])
            form.addFinding(FindingDraft(FindingKind.PROBLEM, "   ", Resolution.OPEN))
            form.setNotes("秘密备注 13800138000")
            runBlocking { form.save().join() }
            val state = form.state.value
            assertEquals("发现问题的内容：不能为空", state.error)
            assertNull(state.savedVisitId)
            assertEquals(false, state.saving)
            assertEquals(0, env.store.household(g.households[0]).visits.size)
            assertIs<LocationState.Idle>(state.location)

            form.removeFinding(0)
            runBlocking { form.save().join() }
            assertNull(form.state.value.error)
            assertEquals(1, env.store.household(g.households[0]).visits.size, "fixed and saved")
        }
    }
}
