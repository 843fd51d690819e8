// Grid events from Kotlin: a grid head reports a blocked fire lane with a
// photo, accepts and dispatches it to a department's account, the department
// takes and resolves it, the grid verifies and closes it; refusals are typed
// and write nothing; the open list is a Flow.
package org.gridbook.tests

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import org.gridbook.*
import org.gridbook.core.*
import java.security.MessageDigest

/** A 1×1 PNG, as a camera app might hand it over without metadata. */
val TINY_PNG: ByteArray = listOf(
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
).map { it.toByte() }.toByteArray()

/** The same PNG with a text chunk naming a place after its header: metadata the store must strip. */
fun pngWithText(text: String): ByteArray {
    val payload = "Comment".toByteArray() + byteArrayOf(0) + text.toByteArray()
    val length = java.nio.ByteBuffer.allocate(4).putInt(payload.size).array()
    val chunk = length + "tEXt".toByteArray() + payload + byteArrayOf(0, 0, 0, 0)
    return TINY_PNG.copyOfRange(0, 33) + chunk + TINY_PNG.copyOfRange(33, TINY_PNG.size)
}

fun sha256Hex(bytes: ByteArray): String =
    MessageDigest.getInstance("SHA-256").digest(bytes).joinToString("") { "%02x".format(it) }

/** Minutes after a fixed start: each step must come after the one before. */
fun minute(n: Int): Timestamp = Timestamp(utcMs = 1_780_000_000_000L + n * 60_000L, offsetMinutes = 480)

fun departmentIdentity(worker: String) =
    WorkerIdentity(workerId = worker, name = "房管所", role = WorkerRole.DEPARTMENT, deviceLabel = "房管所的手机")

fun step(eventId: String, action: StepAction, at: Int, assignee: String? = null) =
    EventStepInput(eventId = eventId, action = action, at = minute(at), assignee = assignee)

fun eventTests(r: Runner) {
    r.test("events: report with a photo, accept, dispatch to a department, take, resolve, verify, close") {
        val dir = tempDir("events")
        openStore(dir, "w-zhang").use { head ->
            Store.open(java.io.File(dir, "d-housing.db").path, departmentIdentity("d-housing"), null).use { department ->
                val f = fixture(head)
                val photo = head.addPhoto(f.grid, pngWithText("幸福小区3栋 王秀英家门口"))
                assertEq(sha256Hex(TINY_PNG), photo.id, "the id is the SHA-256 of the stripped bytes")
                assertTrue(head.photo(photo.id).contentEquals(TINY_PNG)) { "the text chunk was not stripped" }
                assertEq(PhotoUpload.Waiting, photo.upload, "waiting for its upload")

                val eventId = head.reportEvent(
                    EventInput(
                        gridId = f.grid, category = "fire_lane_blocked", description = "3栋东侧消防通道被电动车堵塞",
                        urgency = Urgency.URGENT, buildingId = f.building, source = EventSource.DOOR_KNOCKING,
                        at = minute(0), photos = listOf(photo.id),
                    ),
                )
                head.takeEventStep(step(eventId, StepAction.ACCEPT, 1))
                head.takeEventStep(step(eventId, StepAction.DISPATCH, 2, assignee = "d-housing"))
                val dispatched = head.event(eventId)
                assertEq(EventStatus.DISPATCHED to "d-housing", dispatched.status to dispatched.assignee, "dispatched")
                assertEq(minute(1).utcMs + 24 * 3_600_000L, dispatched.deadline?.utcMs, "24 hours from the acceptance")

                department.importChanges(head.exportSince(0L).bytes)
                assertEq(listOf(eventId), department.eventsAssignedTo("d-housing").map { it.id }, "the department's list")
                val refused = assertThrows<GridbookException.RoleMayNot>("a department may not cancel") {
                    department.takeEventStep(step(eventId, StepAction.CANCEL, 3))
                }
                assertEq(StepAction.CANCEL to WorkerRole.DEPARTMENT, refused.action to refused.role, "refusal")
                department.takeEventStep(step(eventId, StepAction.TAKE, 3))
                department.takeEventStep(step(eventId, StepAction.RESOLVE, 4))

                head.importChanges(department.exportSince(0L).bytes)
                val wrong = assertThrows<GridbookException.StepNotAllowed>("close before verifying") {
                    head.takeEventStep(step(eventId, StepAction.CLOSE, 5))
                }
                assertEq(EventStatus.RESOLVED, wrong.status, "status named")
                assertEq(4, head.event(eventId).steps.size, "the refused step wrote nothing")
                head.takeEventStep(step(eventId, StepAction.VERIFY, 5))
                head.takeEventStep(step(eventId, StepAction.CLOSE, 6))
                val closed = head.event(eventId)
                assertEq(EventStatus.CLOSED, closed.status, "closed")
                assertEq(
                    listOf(StepAction.ACCEPT, StepAction.DISPATCH, StepAction.TAKE, StepAction.RESOLVE, StepAction.VERIFY, StepAction.CLOSE),
                    closed.steps.map { it.action }, "the log",
                )
                assertEq(listOf("w-zhang", "w-zhang", "d-housing", "d-housing", "w-zhang", "w-zhang"), closed.steps.map { it.workerId }, "who")
                assertEq(null, closed.warningLight(minute(7)), "no light once closed")
                assertEq("已结案", eventStatusLabel(closed.status), "label")
                assertEq(0, head.eventsOpen(f.grid).size, "nothing open")

                // Reported 2026-05-29 04:26 in China; the grid's KPIs for that day.
                val day = java.time.LocalDate.of(2026, 5, 29)
                val kpis = head.eventKpis(f.grid, day, day)
                assertEq(
                    listOf(1L, 1L, 1L, 0L, 1L, 0L),
                    listOf(kpis.reported, kpis.responded, kpis.closed, kpis.cancelled, kpis.closedOnTime, kpis.rated),
                    "reported, responded, closed, cancelled, on time, rated",
                )
                assertEq(1L, kpis.medianResponseMinutes, "accepted a minute after the report")
                assertEq(1.0 to 1.0, kpis.resolutionRate to kpis.onTimeRate, "rates")
                assertEq(null, kpis.satisfactionRate, "nobody to ask: no satisfaction rate")
                assertEq(listOf(KpiCount("fire_lane_blocked", 1)), kpis.byCategory, "by category")
                assertEq(listOf(KpiCount("closed", 1)), kpis.byStatus, "by status")
                assertEq(0L, head.eventKpis(f.grid, day.plusDays(1), day.plusDays(1)).reported, "nothing the next day")
            }
        }
    }

    r.test("events: the grid adds its own category and names a level; a department reads them; only the grid head may") {
        val dir = tempDir("event-settings")
        openStore(dir, "w-zhang").use { head ->
            Store.open(java.io.File(dir, "d-housing.db").path, departmentIdentity("d-housing"), null).use { department ->
                val f = fixture(head)
                head.defineEventCategory(
                    LocalCategoryInput(
                        gridId = f.grid, code = "local_pothole", name = "路面坑洼", groupCode = "local_roads", groupName = "道路交通",
                        limit = TimeLimit.WorkingDays(days = 5), closeCondition = "坑洼填平，现场复核", initialLevel = 2,
                    ),
                )
                head.setWhistleLevel(
                    WhistleLevelInput(gridId = f.grid, rank = 2, name = "街道哨", handledBy = "街道城管科", supervised = true, defaultAssignee = "d-housing"),
                )
                val own = head.eventCategories(f.grid).categories.last()
                assertEq(Triple("local_pothole", true, TimeLimit.WorkingDays(days = 5)), Triple(own.code, own.local, own.limit), "the grid's own category, last")
                val id = head.reportEvent(
                    EventInput(gridId = f.grid, category = "local_pothole", description = "2栋门前路面塌陷", urgency = Urgency.URGENT, source = EventSource.DOOR_KNOCKING, at = minute(0)),
                )
                assertEq(2, head.event(id).level, "starts at the category's level")

                department.importChanges(head.exportSince(0L).bytes)
                assertEq(head.eventCategories(f.grid), department.eventCategories(f.grid), "the department reads the same catalogue")
                val joint = department.whistleLevels(f.grid).levels[1]
                assertEq(Triple("街道哨", "joint", "d-housing"), Triple(joint.name, joint.code, joint.defaultAssignee), "named and routed")

                val refused = assertThrows<GridbookException.GridHeadOnly>("a department may not name a level") {
                    department.setWhistleLevel(WhistleLevelInput(gridId = f.grid, rank = 1, name = "部门哨", handledBy = "部门", supervised = false))
                }
                assertEq(WorkerRole.DEPARTMENT, refused.role, "names the role")
                val reserved = assertThrows<GridbookException.Invalid>("a code without local_") {
                    head.defineEventCategory(
                        LocalCategoryInput(
                            gridId = f.grid, code = "pothole", name = "路面坑洼", groupCode = "safety", groupName = "",
                            limit = TimeLimit.Hours(hours = 8), closeCondition = "填平", initialLevel = 1,
                        ),
                    )
                }
                assertEq("code" to InvalidReason.ReservedCode, reserved.field to reserved.reason, "reserved")
                head.retireEventCategory(f.grid, "local_pothole")
                assertEq(15, head.eventCategories(f.grid).categories.size, "retired: no longer offered")
                assertEq("local_pothole", head.event(id).category, "its event keeps it")
            }
        }
    }

    r.test("events: the open list is a Flow that follows a report and a step") {
        openStore(tempDir("events-flow"), "w-zhang").use { store ->
            val f = fixture(store)
            val seen = Channel<List<EventStatus>>(Channel.UNLIMITED)
            coroutineScope {
                val job = launch(Dispatchers.Default) { store.openEventsFlow(f.grid).collect { seen.send(it.map { e -> e.status }) } }
                withTimeout(10_000) {
                    assertEq(emptyList<EventStatus>(), seen.receive(), "nothing open yet")
                    val id = store.reportEvent(
                        EventInput(gridId = f.grid, category = "gas_leak", description = "楼道有燃气味", urgency = Urgency.URGENT, source = EventSource.RESIDENT_REQUEST, at = minute(0)),
                    )
                    assertEq(listOf(EventStatus.REPORTED), seen.receive(), "reported")
                    store.takeEventStep(step(id, StepAction.ACCEPT, 1))
                    assertEq(listOf(EventStatus.ACCEPTED), seen.receive(), "accepted")
                    assertEq(2, store.event(id).level, "a gas leak starts at the joint whistle")
                    val unknown = assertThrows<GridbookException.Invalid>("an unknown category") {
                        store.reportEvent(EventInput(gridId = f.grid, category = "no_such", description = "x", urgency = Urgency.NORMAL, source = EventSource.HOTLINE12345, at = minute(2)))
                    }
                    assertEq("category", unknown.field, "names the field")
                }
                job.cancel()
            }
        }
    }
}
