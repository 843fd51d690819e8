package org.gridbook.demo.logic

import java.time.LocalDate
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.gridbook.core.SyncStage
import org.gridbook.core.VisitKind
import org.gridbook.core.VisitOutcome
import org.junit.Test
import java.io.File
import java.util.Collections
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class SyncModelTest {
    private val clock = FixedClock.at(2025, 6, 16, 10, 0)

    /** Every state the model passes through (StateFlow may skip some when they come fast). */
    private fun record(env: Env, model: SyncModel): MutableList<SyncState> {
        val seen = Collections.synchronizedList(mutableListOf<SyncState>())
        env.scope.launch(Dispatchers.Unconfined) { model.state.collect { seen += it } }
        return seen
    }

    @Test
    fun twoPhonesSyncThroughARealServer(): Unit = runBlocking {
        val dir = tempDir("sync")
        val data = File(dir, "server-data").also { it.mkdirs() }
        admin(data, "add-worker", "--id", "w-zhang", "--name", "张伟", "--role", "grid_head", "--can-create-grids")
        admin(data, "add-worker", "--id", "w-li", "--name", "李娜", "--role", "grid_head")
        val tokenA = issueToken(data, "w-zhang", "张伟的手机")
        val tokenB = issueToken(data, "w-li", "李娜的手机")
        RunningServer(data, File(dir, "server.log")).use { server ->
            Env(openStore(dir, "w-zhang")).use { a ->
                Env(openStore(dir, "w-li")).use { b ->
                    // Phone A: a grid, a resident, and a visit logged through the form.
                    val g = grid(a.store, "502")
                    val residentId = a.store.createResident(resident(g.households[0]))
                    val form = VisitFormModel(a.calls, clock, FixedLocation(LocationResult.Fix(120.1, 30.28, 9.0)), a.scope, g.households[0])
                    form.setKind(VisitKind.SPECIAL_CARE)
                    form.toggleSeen(residentId)
                    form.setNotes("同步测试")
                    runBlocking {
                        form.locate().join()
                        form.save().join()
                    }
                    assertNotNull(form.state.value.savedVisitId)

                    val syncA = SyncModel(a.calls, a.scope) { SyncConfig(server.url, tokenA) }
                    assertEquals(SyncState.Idle, syncA.state.value)
                    syncA.observe()
                    val idle = assertNotNull(awaitState(syncA.status, "a's sync status") { it != null })
                    assertTrue(idle.unsentChanges > 0L, "a has changes to send")
                    assertEquals(listOf(), idle.blocked)
                    val statesA = record(a, syncA)
                    val job = assertNotNull(syncA.start())
                    assertNull(syncA.start(), "a second sync does not start while one runs")
                    runBlocking { job.join() }
                    val done = assertIs<SyncState.Done>(syncA.state.value)
                    assertEquals(SyncStage.DONE, done.report.stage)
                    assertEquals(idle.unsentChanges, done.report.pushedChanges, "every unsent change was pushed")
                    assertEquals(0L, done.report.unsentChanges)
                    assertTrue(done.report.bytesSent > 0L && done.report.bytesReceived > 0L, "bytes counted: ${done.report}")
                    val running = statesA.filterIsInstance<SyncState.Running>()
                    assertTrue(running.isNotEmpty(), "no running state seen: $statesA")
                    assertTrue(running.all { !it.cancelling }, "nothing was cancelled")
                    // The badge follows the sync with no re-read: nothing waits now.
                    assertEquals(SyncBadge(0L, listOf()), awaitState(syncA.status, "nothing unsent") { it?.unsentChanges == 0L })
                    assertIs<SyncState.Done>(syncA.state.value, "the badge leaves the sync's outcome shown")

                    // The server hands the grid to both; phone B bootstraps and sees A's work.
                    admin(data, "assign", "--worker", "w-zhang", "--grid", g.id)
                    admin(data, "assign", "--worker", "w-li", "--grid", g.id)
                    // B's list is open before its first sync: no grid yet.
                    val today = TodayModel(b.calls, FixedClock.at(2025, 6, 30, 8, 0), b.scope)
                    today.observe()
                    awaitState(today.state, "no grid on b") { it == TodayState.NoGrid }
                    val syncB = SyncModel(b.calls, b.scope) { SyncConfig(server.url, tokenB) }
                    runBlocking { assertNotNull(syncB.start()).join() }
                    val doneB = assertIs<SyncState.Done>(syncB.state.value)
                    assertTrue(doneB.report.pulledChunks > 0L, "b pulled nothing: ${doneB.report}")

                    // Two weeks later, B's plan has the household due again after
                    // A's visit: the sync brought it to the list with no reload.
                    val list = assertIs<TodayState.Loaded>(awaitState(today.state, "b's plan after the sync") { it is TodayState.Loaded })
                    assertEquals(g.id, list.gridId)
                    assertEquals(
                        listOf(DueRow(g.households[0], "3栋 1单元 502", 1, listOf("独居老人"), "2025-06-16 10:00", LocalDate.of(2025, 6, 23), 7, 7)),
                        list.rows,
                    )

                    // Opened from the list, the household shows A's visit.
                    val household = HouseholdModel(b.calls, b.scope, g.households[0])
                    household.observe()
                    val detail = assertIs<HouseholdState.Loaded>(awaitState(household.state, "the household on b") { it is HouseholdState.Loaded })
                    assertEquals(listOf("王**"), detail.members.map { it.name })
                    val visit = detail.visits.single()
                    assertEquals(listOf("同步测试", "w-zhang", "关爱探访", "定位 ±9 米"), listOf(visit.notes, visit.workerId, visit.kind, visit.gps))

                    // A wrong token: a typed failure asking for a new token.
                    val bad = SyncModel(b.calls, b.scope) { SyncConfig(server.url, "not-a-token") }
                    runBlocking { assertNotNull(bad.start()).join() }
                    assertEquals(SyncState.Failed("设备令牌无效或已吊销，请联系管理员重新签发", needsNewToken = true), bad.state.value)
                }
            }
        }
    }

    @Test
    fun withoutSettingsNothingStarts(): Unit = runBlocking {
        Env(openStore(tempDir("sync-none"), "w-zhang")).use { env ->
            val model = SyncModel(env.calls, env.scope) { null }
            assertNull(model.start())
            assertEquals(SyncState.NotConfigured, model.state.value)
        }
    }

    @Test
    fun cancellingAWaitingSyncEndsItCancelledWithNothingLost(): Unit = runBlocking {
        Env(openStore(tempDir("sync-cancel"), "w-zhang")).use { env ->
            grid(env.store, "502")
            val before = env.store.syncStatus().unsentChanges
            // Nothing listens on port 9: the client waits to retry, and is cancelled meanwhile.
            val model = SyncModel(env.calls, env.scope) { SyncConfig("http://127.0.0.1:9", "token") }
            model.observe()
            assertEquals(SyncBadge(before, listOf()), awaitState(model.status, "the unsent count") { it != null })
            val job = assertNotNull(model.start())
            awaitState(model.state, "a retry wait") { it is SyncState.Running && it.progress?.stage == SyncStage.WAITING_TO_RETRY }
            model.cancel()
            val cancelling = model.state.value
            assertTrue(cancelling is SyncState.Cancelled || (cancelling is SyncState.Running && cancelling.cancelling), "state after cancel: $cancelling")
            runBlocking { job.join() }
            assertEquals(SyncState.Cancelled, model.state.value)
            assertEquals(before, env.store.syncStatus().unsentChanges)
            assertEquals(SyncBadge(before, listOf()), model.status.value, "nothing was lost")
            // A new sync can start after a cancelled one, and be cancelled at once. It must end
            // before the store closes: a native call still running when the JVM exits can crash it.
            val again = assertNotNull(model.start(), "a new sync can start after a cancelled one")
            model.cancel()
            runBlocking { again.join() }
            assertEquals(SyncState.Cancelled, model.state.value)
            model.close()
        }
    }
}
