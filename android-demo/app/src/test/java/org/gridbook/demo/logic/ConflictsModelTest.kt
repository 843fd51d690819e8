package org.gridbook.demo.logic

import kotlinx.coroutines.runBlocking
import org.gridbook.core.RecordKind
import org.junit.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs

class ConflictsModelTest {
    @Test
    fun aConcurrentPhoneEditIsListedMaskedByTheCoreWithItsAuthors(): Unit = runBlocking {
        val dir = tempDir("conflicts")
        Env(openStore(dir, "w-zhang")).use { a ->
            openStore(dir, "w-li").use { b ->
                val g = grid(a.store, "502")
                val residentId = a.store.createResident(resident(g.households[0]))
                b.importChanges(a.store.exportSince(0L).bytes)
                val cursorA = a.store.exportSince(0L).cursor
                val cursorB = b.exportSince(0L).cursor
                val model = ConflictsModel(a.calls, FixedClock(0), a.scope)
                assertEquals(ConflictsState.Loading, model.state.value)
                model.observe(g.id)
                assertEquals(ConflictsState.Loaded(g.id, listOf()), awaitState(model.state, "no conflict") { it is ConflictsState.Loaded })

                // The conflict arrives by merging the other phone's changes; the
                // test calls nothing on the model.
                a.store.updateResident(residentId, resident(g.households[0], phone = "13900139000"))
                b.updateResident(residentId, resident(g.households[0], phone = "13700137000"))
                a.store.importChanges(b.exportSince(cursorB).bytes)
                b.importChanges(a.store.exportSince(cursorA).bytes)
                val loaded = assertIs<ConflictsState.Loaded>(
                    awaitState(model.state, "the merged conflict") { (it as? ConflictsState.Loaded)?.rows?.isNotEmpty() == true },
                )
                val row = loaded.rows.single()
                assertEquals(RecordKind.RESIDENT, row.recordKind)
                assertEquals(residentId, row.recordId)
                assertEquals("居民 王** · 3栋 1单元 502", row.record)
                assertEquals("phones", row.field)
                assertEquals("电话", row.fieldLabel)
                assertEquals(false, row.sensitive, "the core masks phones: the demo has nothing to reveal")
                assertEquals(false, row.revealed)
                assertEquals(setOf("139****9000" to "w-zhang", "137****7000" to "w-li"), row.values.map { it.text to it.workerId }.toSet())
                assertEquals(1, row.values.count { it.isWinner })
                val winner = row.values.single { it.isWinner }
                val shown = a.store.resident(residentId).phones.single()
                assertEquals(shown, winner.text, "the winner is what the store shows (masked)")
                assertEquals(2, row.values.count { it.time != null && Regex("""\d{4}-\d\d-\d\d \d\d:\d\d""").matches(it.time) })

                // Toggling changes nothing: full phones come only from a logged reveal.
                model.toggleReveal(row.key)
                assertEquals(row, assertIs<ConflictsState.Loaded>(model.state.value).rows.single())

                // Editing the field resolves it: the list empties by itself.
                a.store.updateResident(residentId, resident(g.households[0], phone = "13900139000"))
                assertEquals(
                    ConflictsState.Loaded(g.id, listOf()),
                    awaitState(model.state, "the resolved conflict gone") { (it as? ConflictsState.Loaded)?.rows?.isEmpty() == true },
                )
                model.close()
            }
        }
    }

    @Test
    fun aConcurrentNameEditIsMaskedByTheDemoUntilRevealed(): Unit = runBlocking {
        val dir = tempDir("conflicts-name")
        Env(openStore(dir, "w-zhang")).use { a ->
            openStore(dir, "w-li").use { b ->
                val g = grid(a.store, "502")
                val residentId = a.store.createResident(resident(g.households[0]))
                b.importChanges(a.store.exportSince(0L).bytes)
                val cursorA = a.store.exportSince(0L).cursor
                val cursorB = b.exportSince(0L).cursor
                a.store.updateResident(residentId, resident(g.households[0], name = "王秀珍"))
                b.updateResident(residentId, resident(g.households[0], name = "汪秀英"))
                a.store.importChanges(b.exportSince(cursorB).bytes)
                b.importChanges(a.store.exportSince(cursorA).bytes)
                val model = ConflictsModel(a.calls, FixedClock(0), a.scope)
                model.observe(g.id)
                val row = assertIs<ConflictsState.Loaded>(
                    awaitState(model.state, "the name conflict") { (it as? ConflictsState.Loaded)?.rows?.isNotEmpty() == true },
                ).rows.single()
                assertEquals("name" to "姓名", row.field to row.fieldLabel)
                assertEquals(true to false, row.sensitive to row.revealed)
                assertEquals(setOf("王**" to "w-zhang", "汪**" to "w-li"), row.values.map { it.text to it.workerId }.toSet())

                model.toggleReveal(row.key)
                val open = assertIs<ConflictsState.Loaded>(model.state.value).rows.single()
                assertEquals(true, open.revealed)
                assertEquals(setOf("王秀珍", "汪秀英"), open.values.map { it.text }.toSet())
                model.toggleReveal(row.key)
                assertEquals(row, assertIs<ConflictsState.Loaded>(model.state.value).rows.single())
                model.close()
            }
        }
    }
}
