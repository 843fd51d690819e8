// Live queries (LiveQueries.kt): a Flow emits the current result, then once
// per change that affects it (a local edit, a merge), never for another
// grid, and its listener is gone once the collector is cancelled.
package org.gridbook.tests

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import org.gridbook.*
import org.gridbook.core.*
import java.util.concurrent.atomic.AtomicInteger

/** Counts the changes the core reports for a query; called on the writer's thread. */
class CountingListener : LiveQueryListener {
    val heard = AtomicInteger(0)

    override fun onChange(origin: ChangeOrigin) {
        heard.incrementAndGet()
    }
}

fun householdInput(building: String, room: String) = HouseholdInput(
    buildingId = building, unit = "1", floor = 3, room = room, useKind = DwellingUse.OWNER_OCCUPIED,
    tags = listOf(), location = null, notes = null,
)

/** A second grid with one building in [store]; returns the building. */
suspend fun otherGrid(store: Store): String {
    val grid = store.createGrid(GridInput(code = "330106001001002", name = "文新二网格", community = null, street = null, boundary = null))
    return store.createBuilding(grid, BuildingInput(number = "9栋", estate = null, units = 1, floors = 6, location = null))
}

/** Long enough for a wrongly sent emission to arrive; no speed is asserted. */
const val QUIET_MS = 300L
const val ARRIVAL_MS = 10_000L

fun liveQueryTests(r: Runner) {
    r.test("live roster: initial, one per local edit and merge, none for another grid, gone after cancel") {
        val dir = tempDir("live")
        openStore(dir, "w-zhang").use { a ->
            openStore(dir, "w-li").use { b ->
                val f = fixture(a)
                val otherBuilding = otherGrid(a)
                b.importChanges(a.exportSince(0L).bytes)
                val counter = CountingListener()
                val counterId = a.subscribe(LiveQuery.Roster(f.grid), counter)
                runBlocking {
                    val rosters = Channel<List<RosterRow>>(Channel.UNLIMITED)
                    val job = launch(Dispatchers.IO) { a.rosterFlow(f.grid).collect { rosters.send(it) } }
                    assertEq(1, withTimeout(ARRIVAL_MS) { rosters.receive() }.size, "initial roster")
                    assertEq(2L, a.listenerCount(), "the flow's listener and the counter")

                    a.createHousehold(householdInput(f.building, "601"))
                    assertEq(2, withTimeout(ARRIVAL_MS) { rosters.receive() }.size, "after a local edit")
                    assertEq(1, counter.heard.get(), "one change heard")

                    a.createHousehold(householdInput(otherBuilding, "101"))
                    assertEq(1, counter.heard.get(), "another grid's edit is not heard")
                    assertEq(null, withTimeoutOrNull(QUIET_MS) { rosters.receive() }, "no emission for another grid")

                    b.createHousehold(householdInput(f.building, "701"))
                    val report = a.importChanges(b.exportSince(0L).bytes)
                    assertTrue(report.newChanges > 0) { "the merge brought changes" }
                    val merged = withTimeout(ARRIVAL_MS) { rosters.receive() }
                    assertEq(listOf("502", "601", "701"), merged.map { it.household.room }.sorted(), "after a merge")
                    assertEq(2, counter.heard.get(), "one change per merge")
                    assertEq(null, withTimeoutOrNull(QUIET_MS) { rosters.receive() }, "exactly one emission per change")

                    job.cancelAndJoin()
                    assertEq(1L, a.listenerCount(), "the flow unsubscribed when cancelled")
                }
                assertTrue(a.unsubscribe(counterId)) { "the counter was registered" }
                assertEq(0L, a.listenerCount(), "no listener left")
            }
        }
    }

    r.test("live household and sync status follow a logged visit") {
        openStore(tempDir("live-household"), "w-zhang").use { store ->
            val f = fixture(store)
            runBlocking {
                val details = Channel<HouseholdDetail>(Channel.UNLIMITED)
                val statuses = Channel<SyncStatus>(Channel.UNLIMITED)
                val jobs = listOf(
                    launch(Dispatchers.IO) { store.householdFlow(f.household).collect { details.send(it) } },
                    launch(Dispatchers.IO) { store.syncStatusFlow().collect { statuses.send(it) } },
                )
                assertEq(0, withTimeout(ARRIVAL_MS) { details.receive() }.visits.size, "no visit yet")
                val before = withTimeout(ARRIVAL_MS) { statuses.receive() }.unsentChanges
                store.logVisit(visitInput(f.household, listOf(), "身体状况良好"))
                assertEq(1, withTimeout(ARRIVAL_MS) { details.receive() }.visits.size, "the visit arrives")
                assertEq(before + 1L, withTimeout(ARRIVAL_MS) { statuses.receive() }.unsentChanges, "one more unsent")
                jobs.forEach { it.cancelAndJoin() }
            }
            assertEq(0L, store.listenerCount(), "both flows unsubscribed")
        }
    }

    r.test("a listener that throws is counted and the store goes on") {
        openStore(tempDir("live-throw"), "w-zhang").use { store ->
            val f = fixture(store)
            store.subscribe(
                LiveQuery.Roster(f.grid),
                object : LiveQueryListener {
                    override fun onChange(origin: ChangeOrigin): Unit = throw IllegalStateException("app bug")
                },
            )
            store.createHousehold(householdInput(f.building, "601"))
            assertEq(1L, store.listenerFailures(), "the failure is counted")
            assertEq(2, store.roster(f.grid).size, "the edit committed")
        }
    }
}
