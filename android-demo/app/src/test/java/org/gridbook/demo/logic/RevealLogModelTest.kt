package org.gridbook.demo.logic

import kotlinx.coroutines.runBlocking
import org.gridbook.core.ExportFormat
import org.gridbook.core.ExportOptions
import org.gridbook.core.Masking
import org.gridbook.core.RevealPurpose
import org.gridbook.core.RevealReason
import org.gridbook.core.Timestamp
import org.gridbook.core.WorkerRole
import org.junit.Test
import kotlin.test.assertEquals

class RevealLogModelTest {
    @Test
    fun theGridHeadSeesWhoRevealedWhatAndWhyAndAnAssistantIsRefused(): Unit = runBlocking {
        val dir = tempDir("reveal-log")
        Env(openStore(dir, "w-zhang")).use { head ->
            Env(openStore(dir, "w-wang", role = WorkerRole.ASSISTANT)).use { assistant ->
                val g = grid(head.store, "502")
                val residentId = head.store.createResident(resident(g.households[0]))
                assistant.store.importChanges(head.store.exportSince(0L).bytes)
                val model = RevealLogModel(head.calls, FixedClock(0))
                assertEquals(RevealLogState.Loading, model.state.value)
                model.load(g.id)
                assertEquals(RevealLogState.Loaded(g.id, listOf()), model.state.value, "nothing revealed yet")

                assistant.store.revealResident(residentId, RevealReason(purpose = RevealPurpose.CONTACT_RESIDENT, note = "回访独居老人"))
                head.store.importChanges(assistant.store.exportSince(0L).bytes)
                kotlinx.coroutines.delay(5) // the export is logged strictly later
                val reason = RevealReason(purpose = RevealPurpose.REPORT_UPSTREAM, note = "报街道人口系统")
                head.store.export(g.id, "roster_grid_worker", ExportFormat.CSV, ExportOptions(masking = Masking.Unmasked(reason)))
                val entries = head.store.revealLog(g.id)
                fun time(i: Int) = Labels.time(Timestamp(utcMs = entries[i].atMs, offsetMinutes = 480))

                model.load(g.id)
                assertEquals(
                    RevealLogState.Loaded(
                        g.id,
                        listOf(
                            RevealLogRow(
                                entries[0].id, "导出未脱敏数据", "网格员花名册 · 1 行", "身份证号、电话、关爱类别、住户备注",
                                "上报上级系统：报街道人口系统", "w-zhang", time(0),
                            ),
                            RevealLogRow(
                                entries[1].id, "查看住户完整信息", "居民 王** · 3栋 1单元 502", "身份证号、电话",
                                "联系住户：回访独居老人", "w-wang", time(1),
                            ),
                        ),
                    ),
                    model.state.value,
                )

                val refused = RevealLogModel(assistant.calls, FixedClock(0))
                refused.load(g.id)
                assertEquals(RevealLogState.Failed("协管员不能查看查阅记录"), refused.state.value)
            }
        }
    }
}
