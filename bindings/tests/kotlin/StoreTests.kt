// The store as a phone app uses it: roster, search, visits, heads, patrols,
// conflicts, errors, the progress listener, cancellation and lifetimes.
package org.gridbook.tests

import java.time.LocalDate
import java.time.LocalTime
import java.time.ZoneOffset
import org.gridbook.*
import org.gridbook.core.*
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay

fun storeTests(r: Runner) {
    r.test("roster, search, household detail and masking") {
        openStore(tempDir("roster"), "w-zhang").use { store ->
            val f = fixture(store)
            val residentId = store.createResident(residentInput(f.household))
            assertEq(identity("w-zhang"), store.identity(), "identity")
            assertEq(listOf(f.grid), store.grids().map { it.id }, "grids")
            assertEq(f.building, store.buildings(f.grid).single().id, "buildings")

            val roster = store.roster(f.grid)
            assertEq(1, roster.size, "roster rows")
            assertEq("502", roster[0].household.room, "room")
            assertEq("3栋", roster[0].household.buildingNumber, "building number")
            assertEq(1, roster[0].memberCount, "member count")
            assertEq(null, roster[0].lastVisit, "no visit yet")

            val hits = store.search(f.grid, "王", 10)
            assertEq(1, hits.size, "search hits")
            assertEq(residentId, hits[0].residentId, "hit resident")
            assertEq(SearchMatch.NAME, hits[0].matched, "match kind")
            assertTrue(!hits[0].display.contains("王秀英")) { "search display is not masked: ${hits[0].display}" }
            val byPhone = store.search(f.grid, "8000", 10)
            assertEq(SearchMatch.PHONE_SUFFIX, byPhone.single().matched, "phone suffix match")
            assertTrue(!byPhone.single().display.contains("13800138000")) { "phone shown unmasked" }
            for (typed in listOf("wxy", "wangxiuying", "王xy")) {
                val byPinyin = store.search(f.grid, typed, 10).single()
                assertEq(residentId to SearchMatch.PINYIN, byPinyin.residentId to byPinyin.matched, "pinyin $typed")
            }
            for (typed in listOf("3-1-502", "3栋1单元502", "3号楼1单元502室", "三栋")) {
                val byAddress = store.search(f.grid, typed, 10).single()
                assertEq(f.household to SearchMatch.ADDRESS, byAddress.householdId to byAddress.matched, "address $typed")
            }

            val detail = store.household(f.household)
            assertEq(f.household, detail.household.id, "household id")
            assertEq(listOf(residentId), detail.members.map { it.id }, "members")
            assertEq(LocalDate.of(1941, 3, 2), detail.members[0].birthDate, "birth date")
            assertEq(listOf("138****8000"), detail.members[0].phones, "members read masked")
            assertEq(listOf("138****8000"), store.resident(residentId).phones, "the resident reads masked")
            val full = store.revealed(residentId)
            assertEq(listOf("13800138000"), full.phones, "the reveal shows the full phone")
            assertEq(listOf("138****8000"), maskResident(full).phones, "masked again")
            val cared = store.residentsByCare(f.grid, "elderly_alone")
            assertEq(listOf(residentId), cared.map { it.id }, "care list")
            assertEq(listOf("138****8000"), cared.single().phones, "care list masked")
            assertTrue(careCategories().any { it.code == "elderly_alone" }) { "care categories lack elderly_alone" }
            assertTrue(store.syncStatus().unsentChanges > 0L) { "nothing unsent after edits" }
        }
    }

    r.test("log and amend a visit") {
        openStore(tempDir("visit"), "w-zhang").use { store ->
            val f = fixture(store)
            val residentId = store.createResident(residentInput(f.household))
            val visitId = store.logVisit(visitInput(f.household, listOf(residentId), "身体尚好"))
            val logged = store.household(f.household).visits.single()
            assertEq(visitId, logged.id, "visit id")
            assertEq("w-zhang", logged.workerId, "visit worker")
            assertEq(Resolution.ESCALATED, logged.findings.single().resolution, "finding")
            store.amendVisit(
                visitId,
                visitInput(f.household, listOf(residentId), "已送餐").copy(
                    findings = listOf(
                        FindingInput(id = logged.findings[0].id, kind = FindingKind.REQUEST, text = "需要助餐服务", resolution = Resolution.SOLVED_ON_SITE),
                    ),
                ),
            )
            val amended = store.household(f.household).visits.single()
            assertEq("已送餐", amended.notes, "amended notes")
            assertEq(logged.findings[0].id, amended.findings.single().id, "finding keeps its id")
            assertEq(Resolution.SOLVED_ON_SITE, amended.findings[0].resolution, "amended resolution")
            val today = LocalDate.now(ZoneOffset.ofHours(8))
            assertEq(listOf(visitId), store.visitsByWorker("w-zhang", LocalDate.of(2020, 1, 1), today).map { it.id }, "visits by worker")
            assertEq(480, store.roster(f.grid)[0].lastVisit?.offsetMinutes, "roster last visit")
        }
    }

    r.test("building heads") {
        openStore(tempDir("heads"), "w-zhang").use { store ->
            val f = fixture(store)
            assertEq(listOf(f.building), store.buildingsWithoutHead(f.grid).map { it.id }, "without head")
            val first = store.appointBuildingHead(f.building, HeadPerson.Volunteer(name = "李大爷"), LocalDate.of(2025, 1, 1))
            val residentId = store.createResident(residentInput(f.household))
            val second = store.appointBuildingHead(f.building, HeadPerson.Resident(residentId = residentId), LocalDate.of(2025, 6, 1))
            val current = store.currentBuildingHeads(f.grid).single()
            assertEq(second, current.id, "current head")
            assertEq(HeadPerson.Resident(residentId = residentId), current.person, "head person")
            val history = store.buildingHeadHistory(f.building)
            assertEq(listOf(second, first), history.map { it.id }, "history newest first")
            assertEq(LocalDate.of(2025, 6, 1), history[1].endsOn, "first term ended")
            store.endBuildingHead(second, LocalDate.of(2025, 7, 1))
            assertEq(listOf(f.building), store.buildingsWithoutHead(f.grid).map { it.id }, "no head again")
        }
    }

    r.test("patrol team, shift and check-in") {
        openStore(tempDir("patrol"), "w-zhang").use { store ->
            val f = fixture(store)
            val team = store.createPatrolTeam(f.grid, "夜巡队", listOf(TeamMember(memberId = "v-0001", name = "赵师傅")))
            store.addTeamMember(team, TeamMember(memberId = "v-0002", name = "钱阿姨"))
            assertEq(listOf("v-0001", "v-0002"), store.patrolTeams(f.grid).single().members.map { it.memberId }.sorted(), "members")
            val date = LocalDate.now(ZoneOffset.ofHours(8))
            val shift = store.createShift(ShiftInput(teamId = team, date = date, starts = LocalTime.of(0, 0), ends = LocalTime.of(23, 59), route = listOf(f.building)))
            store.assignToShift(shift, "v-0001")
            assertEq(listOf(shift), store.upcomingShifts("v-0001", date).map { it.id }, "upcoming")
            assertEq(listOf(LocalTime.of(0, 0), LocalTime.of(23, 59)), store.shiftsOn(f.grid, date).single().let { listOf(it.starts, it.ends) }, "times")
            val checkin = store.recordCheckin(CheckinInput(shiftId = shift, memberId = "v-0001", at = now(), checkpoint = f.building, gps = null))
            assertEq(listOf(checkin), store.shiftCheckins(shift).map { it.id }, "check-ins")
            val wrong = assertThrows<GridbookException.Invalid>("check-in off the route") {
                store.recordCheckin(CheckinInput(shiftId = shift, memberId = "v-0001", at = now(), checkpoint = "elsewhere", gps = null))
            }
            assertEq("checkpoint", wrong.field, "invalid field")
            store.unassignFromShift(shift, "v-0001")
            store.cancelShift(shift)
            assertEq(0, store.upcomingShifts("v-0001", date).size, "cancelled shift left out")
        }
    }

    r.test("concurrent edits of the same phone make one conflict") {
        val dir = tempDir("conflict")
        openStore(dir, "w-zhang").use { a ->
            openStore(dir, "w-li").use { b ->
                val f = fixture(a)
                val residentId = a.createResident(residentInput(f.household))
                val set = a.exportSince(0L)
                assertTrue(set.chunks > 0) { "empty export" }
                val report = b.importChanges(set.bytes)
                assertTrue(report.newChanges + report.newSnapshots > 0) { "nothing imported: $report" }
                assertEq(0L, b.importChanges(set.bytes).newChanges, "import twice is harmless")
                assertEq(listOf("138****8000"), b.resident(residentId).phones, "b has the resident, masked")
                val cursorA = a.exportSince(0L).cursor
                val cursorB = b.exportSince(0L).cursor
                a.updateResident(residentId, residentInput(f.household, phone = "13900139000"))
                b.updateResident(residentId, residentInput(f.household, phone = "13700137000"))
                b.importChanges(a.exportSince(cursorA).bytes)
                a.importChanges(b.exportSince(cursorB).bytes)
                for ((name, store) in listOf("a" to a, "b" to b)) {
                    val conflicts = store.conflicts(f.grid)
                    assertEq(1, conflicts.size, "conflicts in $name: $conflicts")
                    assertEq(RecordKind.RESIDENT, conflicts[0].recordKind, "conflict kind")
                    assertEq(residentId, conflicts[0].recordId, "conflict record")
                    assertEq(2, conflicts[0].values.size, "conflicting values")
                    assertEq(1, conflicts[0].values.count { it.isWinner }, "one winner")
                    assertEq(
                        listOf("\"137****7000\"", "\"139****9000\""),
                        conflicts[0].values.map { it.valueJson }.sorted(),
                        "the conflicting phones, masked, in $name",
                    )
                }
                val converged = a.revealed(residentId).phones
                assertTrue(converged == listOf("13900139000") || converged == listOf("13700137000")) { "one edit wins: $converged" }
                assertEq(converged, b.revealed(residentId).phones, "both converge")
            }
        }
    }

    r.test("an invalid phone is Invalid(phones) without the phone") {
        openStore(tempDir("invalid"), "w-zhang").use { store ->
            val f = fixture(store)
            val e = assertThrows<GridbookException.Invalid>("invalid phone") {
                store.createResident(residentInput(f.household, phone = "1234567"))
            }
            assertEq("phones", e.field, "field")
            assertEq(InvalidReason.Phone, e.reason, "reason")
            val text = "${e.message} $e ${e.stackTraceToString()}"
            assertTrue(text.contains("phones")) { "message does not name the field: $text" }
            assertTrue(!text.contains("1234567")) { "the phone leaked into the exception: $text" }
            assertEq(0, store.household(f.household).members.size, "nothing stored")
            val date = assertThrows<GridbookException.Invalid>("bad date") {
                store.createResident(residentInput(f.household).copy(birthDate = LocalDate.of(10000, 1, 1)))
            }
            // A date the core cannot hold (after 9999) is refused as it crosses into Rust, where the field is not known: the error names its type.
            assertEq("date", date.field, "date field")
            assertEq(InvalidReason.DateFormat, date.reason, "date reason")
        }
    }

    r.test("unknown ids are NotFound, bad change bytes MalformedChanges") {
        openStore(tempDir("notfound"), "w-zhang").use { store ->
            val e = assertThrows<GridbookException.NotFound>("unknown household") { store.household("no-such-id") }
            assertEq(RecordKind.HOUSEHOLD, e.kind, "kind")
            assertEq("no-such-id", e.id, "id")
            assertThrows<GridbookException.NotFound>("unknown resident") { store.resident("nobody") }
            assertThrows<GridbookException.MalformedChanges>("garbage import") { store.importChanges(byteArrayOf(1, 2, 3)) }
        }
    }

    r.test("a wrong key is NotADatabase, another worker WorkerMismatch") {
        val dir = tempDir("key")
        openStore(dir, "w-zhang", key = "right", file = "secret.db").use { fixture(it) }
        assertThrows<GridbookException.NotADatabase>("wrong key") { openStore(dir, "w-zhang", key = "wrong", file = "secret.db") }
        assertThrows<GridbookException.NotADatabase>("no key") { openStore(dir, "w-zhang", key = null, file = "secret.db") }
        assertThrows<GridbookException.WorkerMismatch>("other worker") { openStore(dir, "w-li", key = "right", file = "secret.db") }
        openStore(dir, "w-zhang", key = "right", file = "secret.db").use { assertEq(1, it.grids().size, "reopened with the right key") }
    }

    r.test("a bad server is Config; a sync whose coroutine is cancelled fails and changes nothing") {
        openStore(tempDir("cancel"), "w-zhang").use { store ->
            fixture(store)
            val before = store.syncStatus()
            assertThrows<GridbookException.Config>("bad url") { store.sync(server("ftp://example.invalid")) }
            // Port 9 refuses: the sync retries with back-off until its coroutine is cancelled.
            val listener = RecordingListener()
            coroutineScope {
                val job = async { store.sync(server("http://127.0.0.1:9", attempts = 1_000_000), listener) }
                while (listener.seen.none { it.stage == SyncStage.WAITING_TO_RETRY }) delay(1)
                job.cancelAndJoin()
                assertTrue(job.isCancelled) { "the job was not cancelled" }
            }
            // The drop guard cancelled the core's token: the sync's thread stops, and a new sync gets its turn.
            val e = assertThrows<GridbookException.Unreachable>("the next sync runs") { store.sync(server("http://127.0.0.1:9", attempts = 1)) }
            assertTrue(e.message.orEmpty().isNotEmpty()) { "no message" }
            assertEq(before, store.syncStatus(), "sync status unchanged")
        }
    }

    r.test("cancelSync stops the running sync with Cancelled; a listener that throws is ListenerFailed") {
        openStore(tempDir("unreachable"), "w-zhang").use { store ->
            fixture(store)
            val stages = java.util.Collections.synchronizedList(mutableListOf<SyncStage>())
            assertThrows<GridbookException.Cancelled>("cancelled from the listener") {
                store.sync(server("http://127.0.0.1:9", attempts = 1_000_000)) { progress ->
                    stages += progress.stage
                    if (progress.stage == SyncStage.WAITING_TO_RETRY) store.cancelSync()
                }
            }
            assertTrue(SyncStage.WAITING_TO_RETRY in stages) { "stages: $stages" }
            var calls = 0
            val failed = assertThrows<GridbookException.ListenerFailed>("a throwing listener") {
                store.sync(server("http://127.0.0.1:9")) {
                    calls++
                    throw IllegalStateException("王秀英 13800138000")
                }
            }
            assertEq("SyncListener.onProgress", failed.listener, "listener named")
            assertTrue(!failed.message.orEmpty().contains("王秀英")) { "the exception's text leaked: ${failed.message}" }
            assertEq(1, calls, "not called after it threw")
        }
    }

    r.test("two syncs on one store: the second waits for the first, then runs") {
        openStore(tempDir("two-syncs"), "w-zhang").use { store ->
            val order = java.util.Collections.synchronizedList(mutableListOf<String>())
            coroutineScope {
                val first = async(Dispatchers.Default) {
                    store.sync(server("http://127.0.0.1:9", attempts = 1_000_000)) { order += "first ${it.stage}" }
                }
                while (order.none { it == "first WAITING_TO_RETRY" }) delay(1)
                val second = async(Dispatchers.Default) {
                    runCatching { store.sync(server("http://127.0.0.1:9", attempts = 1)) { order += "second ${it.stage}" } }.exceptionOrNull()
                }
                delay(300)
                assertTrue(order.none { it.startsWith("second") }) { "the second ran beside the first: $order" }
                first.cancelAndJoin()
                val secondOutcome = second.await()
                assertTrue(secondOutcome is GridbookException.Unreachable) { "second: $secondOutcome" }
            }
            val firstLast = order.indexOfLast { it.startsWith("first") }
            val secondFirst = order.indexOfFirst { it.startsWith("second") }
            assertTrue(secondFirst in (firstLast + 1)..order.size) { "interleaved: $order" }
        }
    }

    r.test("close and use {}: calls after close throw Closed, double close is harmless") {
        val dir = tempDir("close")
        val store = openStore(dir, "w-zhang")
        val f = fixture(store)
        store.close()
        store.close()
        val closed = assertThrows<GridbookException.Closed>("call after close") { store.roster(f.grid) }
        assertTrue(closed.message.orEmpty().contains("closed")) { "message: ${closed.message}" }
        // The file is released: it reopens with the data.
        val rows = openStore(dir, "w-zhang").use { it.roster(f.grid) }
        assertEq(1, rows.size, "roster after reopening")
        val reopened = openStore(dir, "w-zhang")
        val exception = runCatching { reopened.use { throw IllegalArgumentException("app error") } }.exceptionOrNull()
        assertTrue(exception is IllegalArgumentException) { "use {} must rethrow the body's exception: $exception" }
        assertThrows<GridbookException.Closed>("closed by use {}") { reopened.grids() }
    }

    r.test("closeAndWait: the file is closed when it returns, live queries end with Closed, later calls throw Closed") {
        val dir = tempDir("close-wait")
        val store = openStore(dir, "w-zhang", key = "secret")
        val f = fixture(store)
        val roster = kotlinx.coroutines.CompletableDeferred<Throwable?>()
        val first = kotlinx.coroutines.CompletableDeferred<Unit>()
        coroutineScope {
            val watcher = async(Dispatchers.Default) {
                runCatching { store.rosterFlow(f.grid).collect { first.complete(Unit) } }.exceptionOrNull().also { roster.complete(it) }
            }
            first.await()
            assertEq(1L, store.listenerCount(), "the live query listens")
            store.closeAndWait()
            store.closeAndWait()
            watcher.await()
        }
        val ended = roster.await()
        assertTrue(ended is GridbookException.Closed) { "the live query must end with Closed: $ended" }
        assertEq(0L, store.listenerCount(), "no listener left")
        assertThrows<GridbookException.Closed>("read after closeAndWait") { store.roster(f.grid) }
        assertThrows<GridbookException.Closed>("write after closeAndWait") { store.createResident(residentInput(f.household)) }
        assertThrows<GridbookException.Closed>("sync after closeAndWait") { store.sync(SyncServer("http://127.0.0.1:9", "token", defaultSyncSettings())) }
        assertThrows<GridbookException.Closed>("subscribe after closeAndWait") { store.rosterFlow(f.grid).collect { } }
        assertEq("w-zhang", store.identity().workerId, "identity still answers")
        store.close()
        // Closed means closed: the files can go (a worker signing out), and a new store starts empty.
        dir.listFiles()!!.forEach { assertTrue(it.delete()) { "could not delete ${it.name}" } }
        openStore(dir, "w-zhang", key = "secret").use { assertEq(0, it.grids().size, "a fresh store") }
    }

    r.test("the day's plan: visitsDue under the default and a custom policy") {
        openStore(tempDir("plan"), "w-zhang").use { store ->
            val f = fixture(store)
            store.createResident(residentInput(f.household))
            val today = LocalDate.now(ZoneOffset.ofHours(8))
            val due = store.visitsDue(f.grid, today, null).single()
            assertEq(f.household, due.household.id, "due household")
            assertEq(listOf("elderly_alone"), due.careCategories, "care categories")
            assertEq(7, due.intervalDays, "weekly for an elder living alone")
            assertEq(null, due.dueOn, "never reached")
            assertEq(7, defaultVisitPolicy().categoryIntervalDays["elderly_alone"], "default policy")

            store.logVisit(visitInput(f.household, emptyList(), "身体尚好"))
            assertEq(0, store.visitsDue(f.grid, today, null).size, "reached today")
            val inAWeek = today.plusDays(7)
            val again = store.visitsDue(f.grid, inAWeek, null).single()
            assertEq(inAWeek, again.dueOn, "due again a week later")
            assertEq(today, again.lastReachedOn, "last reached")

            val monthly = VisitPolicy(generalIntervalDays = null, categoryIntervalDays = mapOf("elderly_alone" to 30))
            assertEq(0, store.visitsDue(f.grid, inAWeek, monthly).size, "monthly policy")
            val bad = assertThrows<GridbookException.Invalid>("zero interval") {
                store.visitsDue(f.grid, today, monthly.copy(generalIntervalDays = 0))
            }
            assertEq("generalIntervalDays", bad.field, "field")
            val badDate = assertThrows<GridbookException.Invalid>("bad date") { store.visitsDue(f.grid, LocalDate.of(10000, 1, 1), null) }
            assertEq(InvalidReason.DateFormat, badDate.reason, "reason")
        }
    }

    r.test("sync settings: defaults and refusals name the setting") {
        val settings = defaultSyncSettings()
        assertEq(60_000L, settings.requestTimeoutMs, "request timeout")
        assertEq(5, settings.maxAttempts, "attempts")
        openStore(tempDir("settings"), "w-zhang").use { store ->
            suspend fun refused(url: String, settings: SyncSettings) =
                assertThrows<GridbookException.Config>(url) { store.sync(SyncServer(url, "t", settings)) }
            val e = refused("https://sync.example.org", settings.copy(maxAttempts = 0))
            assertTrue(e.message.orEmpty().contains("max_attempts")) { "message: ${e.message}" }
            refused("https://sync.example.org", settings.copy(extraRootCertificatePem = "junk".toByteArray()))
            // Plain HTTP only to loopback, unless the development-only setting allows it.
            assertEq(false, settings.allowPlainHttp, "plain HTTP allowed by default")
            val plain = refused("http://192.0.2.10:8722", settings)
            assertTrue(plain.message.orEmpty().contains("https://")) { "message: ${plain.message}" }
            // Allowed: the client is built and the sync fails only at the network.
            val quick = settings.copy(maxAttempts = 1, connectTimeoutMs = 200L, allowPlainHttp = true)
            assertThrows<GridbookException.Unreachable>("plain HTTP allowed") { store.sync(SyncServer("http://127.0.0.1:9", "t", quick)) }
        }
    }

    r.test("labels and name masking from the core") {
        assertEq("无人在家", visitOutcomeLabel(VisitOutcome.NOBODY_HOME), "outcome label")
        assertEq("楼栋长", workerRoleLabel(WorkerRole.BUILDING_HEAD), "role label")
        assertEq(VisitOutcome.entries.size, VisitOutcome.entries.map { visitOutcomeLabel(it) }.toSet().size, "distinct labels")
        val masked = maskName("王秀英")
        assertTrue(masked.startsWith("王") && !masked.contains("秀英")) { "masked: $masked" }
    }

    r.test("self-report: the link's QR code, an empty review queue, an unknown report") {
        val svg = selfReportQrSvg("https://grid.example.cn/r/abc")
        assertTrue(svg.startsWith("<?xml") && svg.contains("<svg")) { "svg: ${svg.take(40)}" }
        val empty = assertThrows<GridbookException.Invalid>("an empty link") { selfReportQrSvg(" ") }
        assertEq("url", empty.field, "field")
        openStore(tempDir("self-report"), "w-zhang").use { store ->
            val f = fixture(store)
            assertEq(emptyList<QueuedSelfReport>(), store.selfReports(f.grid), "nothing queued")
            val unknown = assertThrows<GridbookException.Invalid>("an unknown report") {
                store.rejectSelfReport("no-such-report")
            }
            assertEq("reportId", unknown.field, "field")
        }
    }

    r.test("openWithOptions, today, compact and rebuildQueryTables") {
        val dir = tempDir("options")
        val path = java.io.File(dir, "w-zhang.db").path
        val options = defaultStoreOptions().copy(key = rawKey("secret"), compactAfterChanges = 4)
        assertEq(480, options.localOffsetMinutes, "default offset")
        Store.openWithOptions(path, identity("w-zhang"), options).use { store ->
            val f = fixture(store)
            store.createResident(residentInput(f.household))
            val roster = store.roster(f.grid)
            store.compact()
            store.rebuildQueryTables()
            assertEq(roster, store.roster(f.grid), "roster after compact and rebuild")
            assertEq(LocalDate.now(ZoneOffset.ofHours(8)), store.today(), "today")
        }
        assertThrows<GridbookException.NotADatabase>("opened without its key") { Store.open(path, identity("w-zhang"), null) }
        val e = assertThrows<GridbookException.Invalid>("zero compaction threshold") {
            Store.openWithOptions(path, identity("w-zhang"), options.copy(compactAfterChanges = 0))
        }
        assertEq("compactAfterChanges", e.field, "field")
        assertEq(5L * 1024 * 1024 to 200L * 1024 * 1024, options.maxPhotoBytes to options.photoCacheBytes, "photo defaults")
        for ((bad, field) in listOf(
            options.copy(maxPhotoBytes = 0) to "maxPhotoBytes",
            options.copy(maxPhotoBytes = 257L * 1024 * 1024) to "maxPhotoBytes",
            options.copy(photoCacheBytes = -1) to "photoCacheBytes",
        )) {
            val refused = assertThrows<GridbookException.Invalid>("bad $field") { Store.openWithOptions(path, identity("w-zhang"), bad) }
            assertEq(field to InvalidReason.OutOfRange, refused.field to refused.reason, "names $field")
        }
        Store.openWithOptions(path, identity("w-zhang"), options.copy(maxPhotoBytes = 100)).use { store ->
            val grid = store.grids().single().id
            val tooBig = assertThrows<GridbookException.Invalid>("a photo over the app's cap") { store.addPhoto(grid, TINY_PNG + ByteArray(100)) }
            assertEq(InvalidReason.PhotoTooLarge(maxBytes = 100), tooBig.reason, "the cap named")
            assertEq(sha256Hex(TINY_PNG), store.addPhoto(grid, TINY_PNG).id, "a photo under the cap is kept")
        }
    }

    r.test("roster edits: update and retire grids and buildings, move out, reactivate, head, retire a resident") {
        openStore(tempDir("edits"), "w-zhang").use { store ->
            val f = fixture(store)
            store.updateGrid(f.grid, GridInput(code = "330106001001001", name = "文新二网格", community = "文新社区", street = "文新街道", boundary = null))
            assertEq("文新二网格", store.grids().single().name, "grid renamed")
            assertEq(listOf("w-zhang"), store.workers(f.grid).map { it.id }, "the editing worker joined the grid")

            store.updateBuilding(f.building, BuildingInput(number = "3幢", estate = "幸福小区", units = 3, floors = 7, location = null))
            val building = store.buildings(f.grid).single()
            assertEq("3幢" to 7, building.number to building.floors, "building updated")
            assertEq("3幢", store.household(f.household).household.buildingNumber, "the roster follows the rename")

            store.updateHousehold(
                f.household,
                HouseholdInput(buildingId = f.building, unit = "1", floor = 5, room = "502", useKind = DwellingUse.RENTED, tags = listOf("rental"), location = null, notes = "租户"),
            )
            val updated = store.household(f.household).household
            assertEq(DwellingUse.RENTED to listOf("rental"), updated.useKind to updated.tags, "household updated")

            val first = store.createResident(residentInput(f.household))
            val second = store.createResident(residentInput(f.household, phone = "13900139000").copy(name = "李建国", relation = "10"))
            store.setHouseholdHead(f.household, second)
            assertEq(second, store.household(f.household).household.headId, "new head")

            store.retireResident(first, ResidentStatus.DECEASED, LocalDate.of(2025, 3, 1))
            val gone = store.resident(first)
            assertEq(ResidentStatus.DECEASED to LocalDate.of(2025, 3, 1), gone.status to gone.movedOut, "retired resident")
            assertEq(1, store.roster(f.grid).single().memberCount, "active members")

            store.moveOutHousehold(f.household)
            assertEq(HouseholdStatus.MOVED_OUT, store.household(f.household).household.status, "moved out")
            store.reactivateHousehold(f.household)
            assertEq(HouseholdStatus.ACTIVE, store.household(f.household).household.status, "reactivated")

            val other = store.createBuilding(f.grid, BuildingInput(number = "4栋", estate = null, units = 1, floors = 6, location = null))
            store.retireBuilding(other)
            val refused = assertThrows<GridbookException.Retired>("a household in a retired building") {
                store.createHousehold(HouseholdInput(buildingId = other, unit = "1", floor = 1, room = "101", useKind = DwellingUse.OWNER_OCCUPIED, tags = listOf(), location = null, notes = null))
            }
            assertEq(RecordKind.BUILDING to other, refused.kind to refused.id, "Retired names the building")
            store.retireGrid(f.grid)
            assertTrue(store.grids().single().retired) { "grid not retired" }
        }
    }

    r.test("a file from a newer app is SchemaTooNew and left untouched") {
        val dir = tempDir("schema")
        openStore(dir, "w-zhang").use { fixture(it) }
        val file = java.io.File(dir, "w-zhang.db")
        val bytes = file.readBytes()
        // SQLite keeps PRAGMA user_version (the schema version) big-endian at offset 60.
        bytes[60] = 0; bytes[61] = 0; bytes[62] = 0x03; bytes[63] = 0xE7.toByte()
        file.writeBytes(bytes)
        val e = assertThrows<GridbookException.SchemaTooNew>("newer schema") { openStore(dir, "w-zhang") }
        assertEq(999L, e.found, "found")
        assertTrue(java.util.Arrays.equals(bytes, file.readBytes())) { "the file was modified" }
    }

    r.test("closing the store while its suspend calls and a sync run: no crash, the file reopens whole (40 races)") {
        val settings = defaultSyncSettings().copy(initialBackoffMs = 1L, maxBackoffMs = 2L, maxAttempts = 1_000_000, connectTimeoutMs = 200L)
        val random = java.util.Random(7)
        repeat(40) { round ->
            val key = if (round % 2 == 0) "secret" else null
            val dir = tempDir("close-race")
            val store = openStore(dir, "w-zhang", key = key)
            val f = fixture(store)
            val outcomes = coroutineScope {
                val sync = async(Dispatchers.Default) { runCatching { store.sync(SyncServer("http://127.0.0.1:9", "token", settings)) }.exceptionOrNull() }
                val reads = List(4) {
                    async(Dispatchers.Default) {
                        runCatching { repeat(20) { store.roster(f.grid); store.createResident(residentInput(f.household)) } }.exceptionOrNull()
                    }
                }
                delay(random.nextInt(6).toLong())
                // Half the rounds release the object (close), half close the file and wait (closeAndWait).
                val closer = async(Dispatchers.Default) { if (round % 4 < 2) store.close() else store.closeAndWait() }
                delay(random.nextInt(3).toLong())
                sync.cancelAndJoin()
                closer.await()
                reads.map { it.await() } + listOf(if (sync.isCancelled) null else sync.await())
            }
            // A call begun before the close ends normally; one begun after is refused with Closed.
            for (outcome in outcomes) {
                val safe = outcome == null || outcome is GridbookException.Cancelled || outcome is GridbookException.Unreachable ||
                    outcome is GridbookException.Closed
                assertTrue(safe) { "round $round: $outcome" }
            }
            openStore(dir, "w-zhang", key = key).use {
                assertEq(f.household, it.roster(f.grid).single().household.id, "round $round: the store reopens whole")
            }
            store.close()
        }
    }
}
