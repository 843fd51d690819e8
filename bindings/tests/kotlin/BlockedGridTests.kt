// A grid the sync server refuses blocks only itself (schema/sync-protocol.md,
// "Refused grids"), through a real gridbook-server process: the sync goes on
// for every other grid, the refused grid's changes are held on the phone
// until an administrator lifts the refusal or the user discards them with
// the confirmation the status gives.
package org.gridbook.tests

import org.gridbook.*
import org.gridbook.core.*
import java.io.File

/** A district's server with three workers; only the grid head may create grids. */
private class District(val dir: File, val data: File, val url: String) {
    /** The sync server as [worker]'s phone reaches it, with a token of its own. */
    fun client(worker: String): SyncServer = server(url, issueToken(data, worker, "$worker 的手机"))

    fun assign(worker: String, grid: String) {
        admin(data, "assign", "--worker", worker, "--grid", grid)
    }
}

private suspend fun withDistrict(name: String, body: suspend District.() -> Unit) {
    val dir = tempDir(name)
    val data = File(dir, "server-data").also { it.mkdirs() }
    // The stores' identities say grid_head (Fixtures), so the workers who
    // write are grid heads on the server too: a change claiming another
    // role than the server's is a forgery, refused whole.
    admin(data, "add-worker", "--id", "w-head", "--name", "张伟", "--role", "grid_head", "--can-create-grids")
    admin(data, "add-worker", "--id", "w-li", "--name", "李娜", "--role", "grid_head")
    admin(data, "add-worker", "--id", "w-wang", "--name", "王芳", "--role", "building_head")
    RunningServer(data, File(dir, "server.log")).use { District(dir, data, it.url).body() }
}

private suspend fun Store.syncWith(client: SyncServer): SyncProgress {
    val report = sync(client, RecordingListener())
    assertEq(SyncStage.DONE, report.stage, "the sync finished")
    return report
}

private suspend fun Store.visitNotes(household: String): Set<String?> =
    household(household).visits.map { it.notes }.toSet()

fun blockedGridTests(r: Runner) {
    r.test("blocked: a grid the worker may not create is held, the assigned grid still syncs") {
        withDistrict("may-not-create") {
            openStore(dir, "w-head").use { head ->
                openStore(dir, "w-li").use { li ->
                    val (headClient, liClient) = client("w-head") to client("w-li")
                    val assigned = fixture(head)
                    head.syncWith(headClient)
                    assign("w-li", assigned.grid)
                    li.syncWith(liClient)
                    assertEq(listOf(assigned.household), li.roster(assigned.grid).map { it.household.id }, "li's roster")

                    // Offline: a visit in the assigned grid, and a grid of li's own.
                    li.logVisit(visitInput(assigned.household, listOf(), "独居老人回访"))
                    assertEq(2L, li.syncStatus().unsentChanges, "the visit, and li joining the grid's workers")
                    val created = fixture(li)
                    assertEq(5L, li.syncStatus().unsentChanges, "plus the new grid, its building and household")

                    val started = System.currentTimeMillis()
                    val report = li.syncWith(liClient) // no exception: the refusal is per grid
                    assertEq(2L, report.pushedChanges, "the assigned grid's changes went out")
                    val status = li.syncStatus()
                    assertEq(1, status.blockedGrids.size, "blocked grids: ${status.blockedGrids}")
                    val blocked = status.blockedGrids.single()
                    assertEq(created.grid, blocked.gridId, "the blocked grid")
                    assertEq(GridRefusal.MAY_NOT_CREATE, blocked.reason, "why it is blocked")
                    assertEq(3L, blocked.heldChanges, "the grid, its building and household are held")
                    assertEq(DiscardConfirmation(gridId = created.grid, heldChanges = 3L), blocked.confirmation, "confirmation")
                    assertTrue(blocked.sinceMs in started..System.currentTimeMillis()) { "sinceMs ${blocked.sinceMs} is not this sync's" }
                    assertTrue(blocked.heldBytes > 0 && blocked.heldBytes == status.unsentBytes) { "held bytes: $status" }
                    assertEq(3L, status.unsentChanges, "only the held changes wait")
                    assertEq(3L, status.heldChanges, "held in all")
                    assertEq(false, status.canCreateGrids, "li may not create grids")

                    // The other worker on the grid pulls li's visit; the server never stored the new grid.
                    head.syncWith(headClient)
                    assertEq(setOf<String?>("独居老人回访"), head.visitNotes(assigned.household), "the head's visits")
                    assertEq(true, head.syncStatus().canCreateGrids, "the head may create grids")
                    assertTrue(!admin(data, "list").contains(created.grid)) { "the server lists the refused grid" }

                    // A later sync sends nothing more and keeps the block as it was.
                    assertEq(0L, li.syncWith(liClient).pushedChanges, "pushed by the next sync")
                    assertEq(status, li.syncStatus(), "the status after the next sync")
                }
            }
        }
    }

    r.test("blocked: an unassigned grid holds its visit until reassigned, the other grid syncs both ways") {
        withDistrict("not-assigned") {
            openStore(dir, "w-head").use { head ->
                openStore(dir, "w-li").use { li ->
                    val (headClient, liClient) = client("w-head") to client("w-li")
                    val a = fixture(head)
                    val b = fixture(head)
                    head.syncWith(headClient)
                    assign("w-li", a.grid)
                    assign("w-li", b.grid)
                    li.syncWith(liClient)
                    assertEq(setOf(a.grid, b.grid), li.grids().map { it.id }.toSet(), "li's grids")

                    li.logVisit(visitInput(a.household, listOf(), "A 网格的走访"))
                    assertEq(2L, li.syncStatus().unsentChanges, "the visit, and li joining A's workers")
                    admin(data, "unassign", "--worker", "w-li", "--grid", a.grid)
                    li.logVisit(visitInput(b.household, listOf(), "B 网格的走访"))
                    head.logVisit(visitInput(b.household, listOf(), "网格长的走访"))
                    head.syncWith(headClient)

                    val report = li.syncWith(liClient) // no exception: only A is refused
                    assertEq(2L, report.pushedChanges, "B's visit, and li joining B's workers")
                    val status = li.syncStatus()
                    assertEq(1, status.blockedGrids.size, "blocked grids: ${status.blockedGrids}")
                    val blocked = status.blockedGrids.single()
                    assertEq(a.grid, blocked.gridId, "the blocked grid")
                    assertEq(GridRefusal.NOT_ASSIGNED, blocked.reason, "why it is blocked")
                    assertEq(2L, blocked.heldChanges, "A's visit is held")
                    assertEq(2L, status.unsentChanges, "only A's changes wait")
                    assertEq(2L, status.heldChanges, "held in all")

                    // B syncs both ways; A's visit has not reached the head.
                    val both = setOf<String?>("B 网格的走访", "网格长的走访")
                    assertEq(both, li.visitNotes(b.household), "li has the head's visit in B")
                    head.syncWith(headClient)
                    assertEq(both, head.visitNotes(b.household), "the head has li's visit in B")
                    assertEq(setOf<String?>(), head.visitNotes(a.household), "the head's visits in A")

                    // Reassigned: the next sync sends the held visit and the block is gone.
                    assign("w-li", a.grid)
                    assertEq(2L, li.syncWith(liClient).pushedChanges, "the held changes went out")
                    val after = li.syncStatus()
                    assertEq(listOf<BlockedGrid>(), after.blockedGrids, "blocked grids after reassignment")
                    assertEq(0L to 0L, after.unsentChanges to after.heldChanges, "unsent and held after reassignment")
                    head.syncWith(headClient)
                    assertEq(setOf<String?>("A 网格的走访"), head.visitNotes(a.household), "the head has li's visit in A")
                }
            }
        }
    }

    r.test("blocked: discarding needs the status's confirmation and is recorded") {
        withDistrict("discard") {
            openStore(dir, "w-head").use { head ->
                openStore(dir, "w-li").use { li ->
                    val liClient = client("w-li")
                    val assigned = fixture(head)
                    head.syncWith(client("w-head"))
                    assign("w-li", assigned.grid)
                    li.syncWith(liClient)
                    val created = fixture(li)
                    li.syncWith(liClient)
                    val before = li.syncStatus()
                    val confirmation = before.blockedGrids.single().confirmation
                    assertEq(DiscardConfirmation(gridId = created.grid, heldChanges = 3L), confirmation, "the status's confirmation")

                    // A count the user was not shown: refused, nothing changes.
                    val stale = assertThrows<GridbookException.StaleConfirmation>("a wrong count") {
                        li.discardQuarantinedGrid(created.grid, confirmation.copy(heldChanges = 2L))
                    }
                    assertEq(Triple(created.grid, 2L, 3L), Triple(stale.gridId, stale.confirmed, stale.held), "the stale confirmation")
                    // A grid that is not blocked: refused, nothing changes.
                    val notBlocked = assertThrows<GridbookException.GridNotBlocked>("the assigned grid") {
                        li.discardQuarantinedGrid(assigned.grid, DiscardConfirmation(gridId = assigned.grid, heldChanges = 0L))
                    }
                    assertEq(assigned.grid, notBlocked.gridId, "the grid that is not blocked")
                    assertEq(before, li.syncStatus(), "the status after two refused discards")
                    assertEq(listOf<DiscardedGrid>(), li.discardedGrids(), "discarded grids after two refused discards")
                    assertEq(setOf(assigned.grid, created.grid), li.grids().map { it.id }.toSet(), "li's grids before the discard")

                    val discarded = li.discardQuarantinedGrid(created.grid, confirmation)
                    assertEq(created.grid, discarded.gridId, "discarded grid")
                    assertEq("w-li", discarded.workerId, "who discarded it")
                    assertEq(3L, discarded.changes, "the changes dropped")
                    assertEq(GridRefusal.MAY_NOT_CREATE, discarded.reason, "why")
                    assertEq(listOf(discarded), li.discardedGrids(), "the discard is recorded")
                    assertEq(listOf(assigned.grid), li.grids().map { it.id }, "li's grids after the discard")
                    assertEq(listOf<RosterRow>(), li.roster(created.grid), "the discarded grid's roster")
                    assertThrows<GridbookException.NotFound>("the discarded grid's household") { li.household(created.household) }
                    val after = li.syncStatus()
                    assertEq(listOf<BlockedGrid>(), after.blockedGrids, "blocked grids after the discard")
                    assertEq(0L to 0L, after.unsentChanges to after.heldChanges, "unsent and held after the discard")

                    // The assigned grid is untouched and still syncs.
                    assertEq(0L, li.syncWith(liClient).pushedChanges, "pushed after the discard")
                    assertEq(listOf(assigned.household), li.roster(assigned.grid).map { it.household.id }, "the assigned grid's roster")
                }
            }
        }
    }

    r.test("blocked: workers lists everyone the server assigned, with the server's names") {
        withDistrict("workers") {
            openStore(dir, "w-head").use { head ->
                openStore(dir, "w-li").use { li ->
                    val (headClient, liClient) = client("w-head") to client("w-li")
                    val f = fixture(head)
                    head.syncWith(headClient)
                    assertEq(listOf("w-head"), head.workers(f.grid).map { it.id }, "workers before the assignments")
                    // w-li only syncs and w-wang has no phone at all: neither wrote in the grid.
                    assign("w-li", f.grid)
                    assign("w-wang", f.grid)
                    head.syncWith(headClient)
                    li.syncWith(liClient)
                    // li's own store calls li 张伟 (Fixtures' identity); the server's name wins.
                    val team = listOf(
                        Worker(id = "w-head", name = "张伟", role = WorkerRole.GRID_HEAD),
                        Worker(id = "w-li", name = "李娜", role = WorkerRole.GRID_HEAD),
                        Worker(id = "w-wang", name = "王芳", role = WorkerRole.BUILDING_HEAD),
                    )
                    assertEq(team, head.workers(f.grid), "the head's list")
                    assertEq(team, li.workers(f.grid), "li's list")
                    assertEq(0L, li.syncStatus().unsentChanges, "li wrote nothing")
                }
            }
        }
    }
}
