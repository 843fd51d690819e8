package org.gridbook.demo.logic

import java.time.LocalDate
import kotlinx.coroutines.runBlocking
import org.gridbook.core.FindingInput
import org.gridbook.core.FindingKind
import org.gridbook.core.GeoPoint
import org.gridbook.core.GpsFix
import org.gridbook.core.Timestamp
import org.gridbook.core.Resolution
import org.gridbook.core.RevealPurpose
import org.gridbook.core.RevealReason
import org.gridbook.core.WorkerRole
import org.gridbook.core.VisitInput
import org.gridbook.core.VisitKind
import org.gridbook.core.VisitOutcome
import org.junit.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs

class HouseholdModelTest {
    @Test
    fun membersAreMaskedUntilRevealedAndVisitsAreNewestFirst(): Unit = runBlocking {
        Env(openStore(tempDir("household"), "w-zhang")).use { env ->
            val g = grid(env.store, "502")
            val home = g.households[0]
            val head = env.store.createResident(resident(home))
            val son = env.store.createResident(
                resident(home, name = "李明", phone = "13912345678", idNumber = null, care = listOf(), relation = "20"),
            )
            val at = FixedClock.at(2025, 6, 10, 9, 30).now()
            env.store.logVisit(
                VisitInput(
                    householdId = home, at = at, kind = VisitKind.SPECIAL_CARE, outcome = VisitOutcome.MET,
                    residentsSeen = listOf(head), notes = "老人身体尚可",
                    findings = listOf(FindingInput(id = null, kind = FindingKind.REQUEST, text = "需要助餐服务", resolution = Resolution.ESCALATED)),
                    gps = GpsFix(point = GeoPoint(lon = 120.1, lat = 30.28), accuracyM = 8.4),
                ),
            )
            env.store.logVisit(
                VisitInput(
                    householdId = home, at = Timestamp(at.utcMs + 86_400_000L, 480), kind = VisitKind.ROUTINE,
                    outcome = VisitOutcome.NOBODY_HOME, residentsSeen = listOf(), notes = null, findings = listOf(), gps = null,
                ),
            )

            val model = HouseholdModel(env.calls, env.scope, home)
            model.observe()
            val loaded = assertIs<HouseholdState.Loaded>(awaitState(model.state, "the household") { it is HouseholdState.Loaded })
            assertEquals("3栋 1单元 502", loaded.address)
            assertEquals("自住", loaded.use)
            assertEquals(2, loaded.members.size)
            val shownHead = loaded.members.single { it.residentId == head }
            assertEquals(
                MemberRow(head, "王**", "女", LocalDate.of(1949, 12, 31), listOf("138****8000"), "110105********002X", listOf("独居老人"), isHead = true, revealed = false),
                shownHead,
            )
            val shownSon = loaded.members.single { it.residentId == son }
            assertEquals(
                MemberRow(son, "李*", "女", LocalDate.of(1949, 12, 31), listOf("139****5678"), null, listOf(), isHead = false, revealed = false),
                shownSon,
            )

            assertEquals(2, loaded.visits.size)
            assertEquals(listOf("2025-06-11 09:30", "2025-06-10 09:30"), loaded.visits.map { it.time })
            val older = loaded.visits[1]
            assertEquals("关爱探访", older.kind)
            assertEquals("见面", older.outcome)
            assertEquals("w-zhang", older.workerId)
            assertEquals("老人身体尚可", older.notes)
            assertEquals(listOf("诉求：需要助餐服务（上报）"), older.findings)
            assertEquals("定位 ±8 米", older.gps)
            assertEquals(VisitRow(loaded.visits[0].visitId, "2025-06-11 09:30", "敲门扫楼", "无人在家", "w-zhang", null, listOf(), null), loaded.visits[0])

            // A reveal goes through the core, with the purpose and note picked, and is logged.
            val reason = RevealReason(purpose = RevealPurpose.CONTACT_RESIDENT, note = "回访独居老人")
            assertEquals(true, model.reveal(head, reason))
            val revealed = assertIs<HouseholdState.Loaded>(model.state.value)
            val open = revealed.members.single { it.residentId == head }
            assertEquals(shownHead.copy(name = "王秀英", phones = listOf("13800138000"), idNumber = "11010519491231002X", revealed = true), open)
            assertEquals(null, revealed.revealError)
            assertEquals(shownSon, revealed.members.single { it.residentId == son }, "only the chosen member is revealed")
            val entry = env.store.revealLog(g.id).single()
            assertEquals(
                listOf(head, "w-zhang", "回访独居老人", RevealPurpose.CONTACT_RESIDENT.name),
                listOf(entry.residentId, entry.recordedBy, entry.note, entry.purpose.name),
            )

            model.hide(head)
            assertEquals(shownHead, assertIs<HouseholdState.Loaded>(model.state.value).members.single { it.residentId == head })
            assertEquals(false, model.isRevealed(head))

            // toggleReveal reveals, then hides.
            model.toggleReveal(son, reason)
            assertEquals(listOf("13912345678"), assertIs<HouseholdState.Loaded>(model.state.value).members.single { it.residentId == son }.phones)
            model.toggleReveal(son, reason)
            assertEquals(shownSon, assertIs<HouseholdState.Loaded>(model.state.value).members.single { it.residentId == son })
            assertEquals(2, env.store.revealLog(g.id).size, "each reveal logged, hiding is not")

            // An empty note is refused by the core: the message shows, nothing is revealed.
            assertEquals(false, model.reveal(head, reason.copy(note = "")))
            val refused = assertIs<HouseholdState.Loaded>(model.state.value)
            assertEquals("查阅说明：不能为空", refused.revealError)
            assertEquals(shownHead, refused.members.single { it.residentId == head })

            // A reveal whose phone changed since (an edit, a sync) is masked again.
            assertEquals(true, model.reveal(head, reason))
            assertEquals(null, assertIs<HouseholdState.Loaded>(model.state.value).revealError)
            env.store.updateResident(head, resident(home, phone = "13900001111"))
            val edited = assertIs<HouseholdState.Loaded>(
                awaitState(model.state, "the edited phone") { s ->
                    (s as? HouseholdState.Loaded)?.members?.any { it.residentId == head && it.phones == listOf("139****1111") } == true
                },
            )
            assertEquals(shownHead.copy(phones = listOf("139****1111")), edited.members.single { it.residentId == head })
            assertEquals(false, model.isRevealed(head))
            model.close()
        }
    }

    @Test
    fun aBuildingHeadIsRefusedTheRevealAndNothingIsLogged(): Unit = runBlocking {
        val dir = tempDir("household-refused")
        openStore(dir, "w-zhang").use { head ->
            val g = grid(head, "502")
            val home = g.households[0]
            val residentId = head.createResident(resident(home))
            Env(openStore(dir, "w-wang", role = WorkerRole.BUILDING_HEAD)).use { env ->
                env.store.importChanges(head.exportSince(0L).bytes)
                val unsent = env.store.syncStatus().unsentChanges
                val model = HouseholdModel(env.calls, env.scope, home)
                model.observe()
                val loaded = assertIs<HouseholdState.Loaded>(awaitState(model.state, "the household") { it is HouseholdState.Loaded })
                val masked = loaded.members.single()
                assertEquals(listOf("王**", "138****8000", "110105********002X"), listOf(masked.name, masked.phones.single(), masked.idNumber))

                assertEquals(false, model.reveal(residentId, RevealReason(purpose = RevealPurpose.VERIFY_IDENTITY, note = "核实身份")))
                val refused = assertIs<HouseholdState.Loaded>(model.state.value)
                assertEquals("楼栋长不能查看完整证件号码和电话", refused.revealError)
                assertEquals(listOf(masked), refused.members)
                assertEquals(false, model.isRevealed(residentId))
                assertEquals(unsent, env.store.syncStatus().unsentChanges, "nothing logged")
                model.close()
            }
        }
    }

    @Test
    fun anUnknownHouseholdIsAFailureNamingTheKind(): Unit = runBlocking {
        Env(openStore(tempDir("household-missing"), "w-zhang")).use { env ->
            grid(env.store, "502")
            val model = HouseholdModel(env.calls, env.scope, "00000000-0000-0000-0000-000000000000")
            model.observe()
            assertEquals(HouseholdState.Failed("找不到该住户（可能已被删除）"), awaitState(model.state, "the failure") { it is HouseholdState.Failed })
        }
    }
}
