// A sync of two stores through a real gridbook-server process on 127.0.0.1.
// The server binary comes from GRIDBOOK_SERVER (set by scripts/test-kotlin).
package org.gridbook.tests

import org.gridbook.*
import org.gridbook.core.*
import java.io.File

private suspend fun syncOnce(server: SyncServer, store: Store): Pair<SyncProgress, List<SyncProgress>> {
    val listener = RecordingListener()
    val report = store.sync(server, listener)
    return report to listener.seen.toList()
}

fun serverTests(r: Runner) {
    r.test("two stores sync through a real gridbook-server") {
        val dir = tempDir("server")
        val data = File(dir, "server-data").also { it.mkdirs() }
        admin(data, "add-worker", "--id", "w-zhang", "--name", "张伟", "--role", "grid_head", "--can-create-grids")
        admin(data, "add-worker", "--id", "w-li", "--name", "李娜", "--role", "grid_head")
        val tokenA = issueToken(data, "w-zhang", "张伟的手机")
        val tokenB = issueToken(data, "w-li", "李娜的手机")
        RunningServer(data, File(dir, "server.log")).use { server ->
            openStore(dir, "w-zhang").use { a ->
                openStore(dir, "w-li").use { b ->
                    server(server.url, tokenA).let { clientA ->
                        server(server.url, tokenB).let { clientB ->
                            val f = fixture(a)
                            val residentId = a.createResident(residentInput(f.household))
                            val (report, stages) = syncOnce(clientA, a)
                            assertEq(SyncStage.DONE, report.stage, "report stage")
                            assertTrue(report.pushedChanges > 0L) { "nothing pushed: $report" }
                            assertEq(0L, a.syncStatus().unsentChanges, "a has nothing unsent")
                            assertTrue(stages.isNotEmpty() && stages.last().stage == SyncStage.DONE) { "stages: ${stages.map { it.stage }}" }
                            assertTrue(stages.any { it.stage == SyncStage.EXCHANGING }) { "no exchanging stage: ${stages.map { it.stage }}" }
                            println("      progress stages seen by the Kotlin listener: ${stages.map { it.stage }}")

                            admin(data, "assign", "--worker", "w-zhang", "--grid", f.grid)
                            admin(data, "assign", "--worker", "w-li", "--grid", f.grid)
                            val (reportB, _) = syncOnce(clientB, b)
                            assertTrue(reportB.pulledChunks > 0L) { "b pulled nothing: $reportB" }
                            assertEq(listOf("138****8000"), b.resident(residentId).phones, "b got the resident, masked")
                            assertEq(listOf("13800138000"), b.revealed(residentId).phones, "b got the full phone")

                            // An edit made in A through Kotlin reaches B.
                            a.updateResident(residentId, residentInput(f.household, phone = "13900139000"))
                            a.logVisit(visitInput(f.household, listOf(residentId), "同步测试"))
                            syncOnce(clientA, a)
                            syncOnce(clientB, b)
                            assertEq(listOf("139****9000"), b.resident(residentId).phones, "b sees a's edit, masked")
                            assertEq(listOf("13900139000"), b.revealed(residentId).phones, "b got a's full new phone")
                            assertEq("同步测试", b.household(f.household).visits.single().notes, "b sees a's visit")

                            assertThrows<GridbookException.Unauthorized>("bad token") { syncOnce(server(server.url, "not-a-token"), b) }

                            // B may not create grids: its new grid alone is blocked, its changes held.
                            val other = fixture(b)
                            syncOnce(clientB, b)
                            val status = b.syncStatus()
                            assertEq(3L, status.unsentChanges, "the refused changes stay unsent")
                            assertEq(3L, status.heldChanges, "held in the blocked grid")
                            assertEq(other.grid, status.blockedGrids.single().gridId, "the blocked grid")
                            assertEq(GridRefusal.MAY_NOT_CREATE, status.blockedGrids.single().reason, "why")
                        }
                    }
                }
            }
        }
    }

    r.test("an event's photo uploads with the sync and another phone downloads it on demand") {
        val dir = tempDir("server-photo")
        val data = File(dir, "server-data").also { it.mkdirs() }
        admin(data, "add-worker", "--id", "w-zhang", "--name", "张伟", "--role", "grid_head", "--can-create-grids")
        admin(data, "add-worker", "--id", "d-housing", "--name", "房管所", "--role", "department")
        val tokenA = issueToken(data, "w-zhang", "张伟的手机")
        val tokenD = issueToken(data, "d-housing", "房管所的手机")
        RunningServer(data, File(dir, "server.log")).use { server ->
            openStore(dir, "w-zhang").use { a ->
                Store.open(File(dir, "d-housing.db").path, departmentIdentity("d-housing"), null).use { d ->
                    val f = fixture(a)
                    val photo = a.addPhoto(f.grid, pngWithText("幸福小区3栋"))
                    val eventId = a.reportEvent(
                        EventInput(
                            gridId = f.grid, category = "fire_lane_blocked", description = "消防通道堵塞",
                            urgency = Urgency.NORMAL, source = EventSource.DOOR_KNOCKING, at = minute(0), photos = listOf(photo.id),
                        ),
                    )
                    a.takeEventStep(step(eventId, StepAction.ACCEPT, 1))
                    a.takeEventStep(step(eventId, StepAction.DISPATCH, 2, assignee = "d-housing"))
                    val report = a.sync(server(server.url, tokenA))
                    assertEq(1L to 0L, report.uploadedPhotos to report.unsentPhotos, "the photo went with the sync")
                    assertEq(TINY_PNG.size.toLong(), report.photoBytesSent, "its stripped bytes")
                    assertEq(PhotoUpload.Uploaded, a.photoInfo(photo.id).upload, "uploaded")

                    admin(data, "assign", "--worker", "d-housing", "--grid", f.grid, "--scope", "events")
                    d.sync(server(server.url, tokenD))
                    val event = d.event(eventId)
                    assertEq(listOf(photo.id), event.photos, "the event names the photo")
                    assertThrows<GridbookException.NotFound>("not downloaded yet") { d.photo(photo.id) }
                    val downloaded = d.downloadPhoto(server(server.url, tokenD), f.grid, photo.id)
                    assertEq(photo.id, downloaded.id, "the same photo")
                    assertTrue(d.photo(photo.id).contentEquals(TINY_PNG)) { "the downloaded bytes differ" }
                }
            }
        }
    }
}
