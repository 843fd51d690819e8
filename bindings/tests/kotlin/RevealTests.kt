// The audited reveal from Kotlin: reads are masked, the full ID number and
// phones only through revealResident with a purpose by an allowed role, an
// unmasked export only by the grid head, and the reveal log, synced through
// a real gridbook-server, read by the grid head alone.
package org.gridbook.tests

import org.gridbook.*
import org.gridbook.core.*
import java.io.File
import java.time.LocalDate

private const val FULL_ID = "11010519491231002X"
private const val MASKED_ID = "110105********002X"

/** The resident of the reveal tests: with an ID number and a phone. */
private fun identifiedResident(household: String) =
    residentInput(household).copy(birthDate = LocalDate.of(1949, 12, 31), idNumber = FULL_ID)

/** A grid head's store holding the fixture and a resident, and a store of [role] that imported them. */
private class Team(val head: Store, val other: Store, val f: Fixture, val residentId: String)

private suspend fun withTeam(name: String, role: WorkerRole, body: suspend (Team) -> Unit) {
    val dir = tempDir(name)
    openStore(dir, "w-zhang").use { head ->
        openStore(dir, "w-other", role = role).use { other ->
            val f = fixture(head)
            val residentId = head.createResident(identifiedResident(f.household))
            other.importChanges(head.exportSince(0L).bytes)
            body(Team(head, other, f, residentId))
        }
    }
}

fun revealTests(r: Runner) {
    r.test("reveal: reads are masked, an assistant's reveal shows the full ID number and phones") {
        withTeam("reveal-read", WorkerRole.ASSISTANT) { t ->
            val shown = t.other.resident(t.residentId)
            assertEq(MASKED_ID, shown.idNumber, "the ID number reads masked")
            assertEq(listOf("138****8000"), shown.phones, "the phones read masked")
            assertEq("王秀英", shown.name, "the name is not masked by the core")
            val member = t.other.household(t.f.household).members.single()
            assertEq(MASKED_ID to listOf("138****8000"), member.idNumber to member.phones, "members masked")
            val cared = t.other.residentsByCare(t.f.grid, "elderly_alone").single()
            assertEq(MASKED_ID to listOf("138****8000"), cared.idNumber to cared.phones, "care list masked")

            val full = t.other.revealResident(t.residentId, revealReason())
            assertEq(FULL_ID, full.idNumber, "the full ID number")
            assertEq(listOf("13800138000"), full.phones, "the full phone")
            assertEq(shown.copy(idNumber = FULL_ID, phones = listOf("13800138000")), full, "nothing else differs")
            assertEq(shown, maskResident(full), "maskResident masks the revealed resident again")
            assertEq(MASKED_ID, t.other.resident(t.residentId).idNumber, "reads stay masked after a reveal")
        }
    }

    r.test("reveal: a building head and a patrol volunteer are refused and nothing is logged") {
        for (role in listOf(WorkerRole.BUILDING_HEAD, WorkerRole.PATROL_VOLUNTEER)) {
            withTeam("reveal-refused", role) { t ->
                val unsent = t.other.syncStatus().unsentChanges
                val refused = assertThrows<GridbookException.PrivacyRoleMayNot>("a reveal by $role") {
                    t.other.revealResident(t.residentId, revealReason())
                }
                assertEq(PrivacyAction.REVEAL_RESIDENT to role, refused.action to refused.role, "the action and role")
                assertEq(unsent, t.other.syncStatus().unsentChanges, "nothing written by $role")
                t.head.importChanges(t.other.exportSince(0L).bytes)
                assertEq(listOf<RevealEntry>(), t.head.revealLog(t.f.grid), "nothing logged for $role")
            }
        }
    }

    r.test("reveal: an empty note is Invalid(note, Empty) and nothing is written") {
        withTeam("reveal-note", WorkerRole.ASSISTANT) { t ->
            val unsent = t.other.syncStatus().unsentChanges
            for (note in listOf("", "   ")) {
                val refused = assertThrows<GridbookException.Invalid>("the note '$note'") {
                    t.other.revealResident(t.residentId, revealReason(note))
                }
                assertEq("note" to InvalidReason.Empty, refused.field to refused.reason, "the note named")
            }
            assertEq(unsent, t.other.syncStatus().unsentChanges, "nothing written")
        }
    }

    r.test("reveal: saving a masked resident back keeps the full ID number and phones") {
        withTeam("reveal-save", WorkerRole.ASSISTANT) { t ->
            val masked = t.other.resident(t.residentId)
            assertEq(MASKED_ID, masked.idNumber, "read masked")
            t.other.updateResident(t.residentId, masked.toInput().copy(name = "王秀珍"))
            val full = t.other.revealResident(t.residentId, revealReason("核对更名"))
            assertEq("王秀珍", full.name, "the edit saved")
            assertEq(FULL_ID, full.idNumber, "the stored ID number kept")
            assertEq(listOf("13800138000"), full.phones, "the stored phone kept")
        }
    }

    r.test("reveal: an unmasked export is the grid head's and is logged; an assistant is refused") {
        withTeam("reveal-export", WorkerRole.ASSISTANT) { t ->
            val reason = RevealReason(purpose = RevealPurpose.REPORT_UPSTREAM, note = "报街道人口系统")
            val unmasked = ExportOptions(masking = Masking.Unmasked(reason))
            val file = t.head.export(t.f.grid, "roster_grid_worker", ExportFormat.CSV, unmasked)
            val text = file.bytes.toString(Charsets.UTF_8)
            assertTrue(text.contains(FULL_ID)) { "the full ID number is exported: $text" }
            assertTrue(text.contains("13800138000")) { "the full phone is exported: $text" }
            assertEq(false, file.masked, "masked")
            assertEq(1u, file.rows, "one resident")
            val entry = t.head.revealLog(t.f.grid).single()
            assertEq(RevealSubject.EXPORT, entry.subject, "an export logged")
            assertEq("roster_grid_worker" to 1u, entry.templateId to entry.rows, "which export")
            assertEq("" to reason, entry.residentId to RevealReason(entry.purpose, entry.note), "why")
            assertEq("w-zhang", entry.recordedBy, "by the grid head")

            val masked = t.head.export(t.f.grid, "roster_grid_worker", ExportFormat.CSV, ExportOptions(masking = Masking.Masked))
            assertTrue(masked.masked && !masked.bytes.toString(Charsets.UTF_8).contains(FULL_ID)) { "the default stays masked" }

            val refused = assertThrows<GridbookException.PrivacyRoleMayNot>("an assistant's unmasked export") {
                t.other.export(t.f.grid, "roster_grid_worker", ExportFormat.CSV, unmasked)
            }
            assertEq(PrivacyAction.EXPORT_UNMASKED to WorkerRole.ASSISTANT, refused.action to refused.role, "refused")
        }
    }

    r.test("reveal: the log syncs through a real gridbook-server to the grid head, who alone reads it") {
        val dir = tempDir("reveal-server")
        val data = File(dir, "server-data").also { it.mkdirs() }
        admin(data, "add-worker", "--id", "w-zhang", "--name", "张伟", "--role", "grid_head", "--can-create-grids")
        admin(data, "add-worker", "--id", "w-wang", "--name", "王芳", "--role", "assistant")
        val tokenHead = issueToken(data, "w-zhang", "张伟的手机")
        val tokenAssistant = issueToken(data, "w-wang", "王芳的手机")
        RunningServer(data, File(dir, "server.log")).use { running ->
            openStore(dir, "w-zhang").use { head ->
                openStore(dir, "w-wang", role = WorkerRole.ASSISTANT).use { assistant ->
                    val f = fixture(head)
                    val residentId = head.createResident(identifiedResident(f.household))
                    assertEq(SyncStage.DONE, head.sync(server(running.url, tokenHead)).stage, "the head's first sync")
                    admin(data, "assign", "--worker", "w-zhang", "--grid", f.grid)
                    admin(data, "assign", "--worker", "w-wang", "--grid", f.grid)
                    assistant.sync(server(running.url, tokenAssistant))
                    assertEq(MASKED_ID, assistant.resident(residentId).idNumber, "the assistant reads masked")

                    val before = System.currentTimeMillis()
                    val reason = RevealReason(purpose = RevealPurpose.VERIFY_IDENTITY, note = "派出所协查")
                    assertEq(FULL_ID, assistant.revealResident(residentId, reason).idNumber, "revealed")
                    val pushed = assistant.sync(server(running.url, tokenAssistant))
                    assertEq(0L, assistant.syncStatus().unsentChanges, "the reveal was pushed: $pushed")
                    head.sync(server(running.url, tokenHead))

                    val entry = head.revealLog(f.grid).single()
                    assertEq(RevealSubject.RESIDENT, entry.subject, "subject")
                    assertEq(residentId, entry.residentId, "which resident")
                    assertEq("" to 0u, entry.templateId to entry.rows, "no export")
                    assertEq(listOf("id_number", "phones"), entry.fields, "the fields shown")
                    assertEq(RevealPurpose.VERIFY_IDENTITY, entry.purpose, "purpose")
                    assertEq("派出所协查", entry.note, "note")
                    assertEq("w-wang", entry.recordedBy, "recorded by the assistant")
                    assertTrue(entry.atMs >= before && entry.atMs <= System.currentTimeMillis()) { "when: ${entry.atMs}" }

                    val refused = assertThrows<GridbookException.PrivacyRoleMayNot>("the assistant reads the log") {
                        assistant.revealLog(f.grid)
                    }
                    assertEq(PrivacyAction.READ_REVEAL_LOG to WorkerRole.ASSISTANT, refused.action to refused.role, "refused")
                }
            }
        }
    }
}
