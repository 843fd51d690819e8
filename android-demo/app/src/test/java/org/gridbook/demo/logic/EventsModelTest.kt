package org.gridbook.demo.logic

import kotlinx.coroutines.runBlocking
import org.gridbook.core.StepAction
import org.gridbook.core.WarningLight
import org.junit.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNull

class EventsModelTest {
    /** A 1×1 PNG with a text chunk naming a place: what the core strips. */
    private val photo: ByteArray = (
        listOf(
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89,
        ) + listOf(0x00, 0x00, 0x00, 0x08) + "tEXtComment".map { it.code } + listOf(0x00, 0x00, 0x00, 0x00, 0x00) +
            listOf(
                0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
                0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
                0x42, 0x60, 0x82,
            )
        ).map { it.toByte() }.toByteArray()

    @Test
    fun aReportWithAPhotoIsListedWithItsLightAndFollowsItsSteps(): Unit = runBlocking {
        Env(openStore(tempDir("events"), "w-zhang")).use { env ->
            val g = grid(env.store, "502")
            val clock = FixedClock.at(2025, 6, 16, 9, 0)
            val model = EventsModel(env.calls, clock, env.scope)
            model.observe(g.id)
            assertEquals(EventsState.Loaded(g.id, listOf()), awaitState(model.state, "nothing open") { it is EventsState.Loaded })

            assertNull(model.report(g.id, "fire_lane_blocked", "3栋东侧消防通道被电动车堵塞", urgent = true, photo = photo))
            val reported = assertIs<EventsState.Loaded>(awaitState(model.state, "the report") { (it as? EventsState.Loaded)?.rows?.size == 1 })
            val row = reported.rows.single()
            assertEquals(
                EventRow(
                    id = row.id, category = "消防通道堵塞", description = "3栋东侧消防通道被电动车堵塞", status = "待受理",
                    level = "常规哨", light = WarningLight.GREEN, lightLabel = "绿灯", deadline = "2025-06-17 09:00",
                    photoCount = 1, needsReview = false,
                ),
                row,
            )

            clock.nowMs += 60_000
            assertNull(model.step(row.id, StepAction.ACCEPT))
            awaitState(model.state, "accepted") { (it as? EventsState.Loaded)?.rows?.singleOrNull()?.status == "已受理" }
            clock.nowMs += 60_000
            assertEquals("结案：事件已受理时不能办理", model.step(row.id, StepAction.CLOSE))
            clock.nowMs += 60_000
            assertNull(model.step(row.id, StepAction.SELF_RESOLVE))
            assertEquals(EventsState.Loaded(g.id, listOf()), awaitState(model.state, "self-resolved") { (it as? EventsState.Loaded)?.rows?.isEmpty() == true })
            assertEquals("自办自结", EventsModel.actionLabel(StepAction.SELF_RESOLVE))
            model.close()
        }
    }
}
