// Shared fixtures: temporary stores and a small grid, as a phone app builds them.
package org.gridbook.tests

import java.time.LocalDate
import org.gridbook.*
import org.gridbook.core.*
import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit

fun tempDir(prefix: String): File {
    val dir = Files.createTempDirectory("gridbook-kt-$prefix").toFile()
    Runtime.getRuntime().addShutdownHook(Thread { dir.deleteRecursively() })
    return dir
}

fun identity(worker: String, device: String = "$worker 的手机", role: WorkerRole = WorkerRole.GRID_HEAD) =
    WorkerIdentity(workerId = worker, name = "张伟", role = role, deviceLabel = device)

/** A raw 32-byte key made from [seed] (the same seed, the same key), as an app takes one from the Keystore. */
fun rawKey(seed: String): StoreKey =
    StoreKey.Raw(java.security.MessageDigest.getInstance("SHA-256").digest(seed.toByteArray()))

suspend fun openStore(
    dir: File,
    worker: String,
    key: String? = null,
    file: String = "$worker.db",
    role: WorkerRole = WorkerRole.GRID_HEAD,
): Store = Store.open(File(dir, file).path, identity(worker, role = role), key?.let(::rawKey))

/** Why a test reveals a resident: to reach them. */
fun revealReason(note: String = "回访独居老人") = RevealReason(purpose = RevealPurpose.CONTACT_RESIDENT, note = note)

/** The resident with the full ID number and phones, as the reveal shows them (and logs it). */
suspend fun Store.revealed(residentId: String, note: String = "回访独居老人"): Resident =
    revealResident(residentId, revealReason(note))

fun now(): Timestamp = Timestamp(utcMs = System.currentTimeMillis(), offsetMinutes = 480)

class Fixture(val grid: String, val building: String, val household: String)

suspend fun fixture(store: Store): Fixture {
    val grid = store.createGrid(
        GridInput(code = "330106001001001", name = "文新一网格", community = "文新社区", street = null, boundary = null),
    )
    val building = store.createBuilding(
        grid,
        BuildingInput(number = "3栋", estate = "幸福小区", units = 2, floors = 6, location = GeoPoint(lon = 120.1, lat = 30.28)),
    )
    val household = store.createHousehold(
        HouseholdInput(
            buildingId = building, unit = "1", floor = 5, room = "502", useKind = DwellingUse.OWNER_OCCUPIED,
            tags = listOf(), location = null, notes = null,
        ),
    )
    return Fixture(grid, building, household)
}

fun residentInput(household: String, phone: String = "13800138000") = ResidentInput(
    householdId = household, name = "王秀英", gender = Gender.FEMALE, birthDate = LocalDate.of(1941, 3, 2), idNumber = null,
    phones = listOf(phone), relation = "02", registration = Registration.LOCAL,
    residenceState = ResidenceState.CONSISTENT, care = listOf("elderly_alone"), movedIn = null,
)

fun visitInput(household: String, seen: List<String>, notes: String) = VisitInput(
    householdId = household, at = now(), kind = VisitKind.SPECIAL_CARE, outcome = VisitOutcome.MET,
    residentsSeen = seen, notes = notes,
    findings = listOf(FindingInput(id = null, kind = FindingKind.REQUEST, text = "需要助餐服务", resolution = Resolution.ESCALATED)),
    gps = GpsFix(point = GeoPoint(lon = 120.1, lat = 30.28), accuracyM = 8.0),
)

/** A sync server with the default settings. */
fun server(url: String, token: String = "token", attempts: Int = 5) =
    SyncServer(url = url, token = token, settings = defaultSyncSettings().copy(maxAttempts = attempts))

/** Records every progress report of a sync; implemented in Kotlin, called from Rust. */
class RecordingListener : SyncListener {
    val seen: MutableList<SyncProgress> = java.util.Collections.synchronizedList(mutableListOf())

    override fun onProgress(progress: SyncProgress) {
        seen += progress
    }
}

// A real gridbook-server process on 127.0.0.1 for the sync tests; the binary
// comes from GRIDBOOK_SERVER (set by scripts/test-kotlin).

private fun serverBinary(): String {
    val path = System.getenv("GRIDBOOK_SERVER") ?: fail("GRIDBOOK_SERVER is not set (the gridbook-server binary)")
    assertTrue(File(path).canExecute()) { "GRIDBOOK_SERVER=$path is not an executable" }
    return path
}

/** Runs one `gridbook-server admin` command against [data]; returns its stdout. */
fun admin(data: File, vararg args: String): String {
    val process = ProcessBuilder(listOf(serverBinary(), "--data", data.path, "admin") + args)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start()
    val out = process.inputStream.bufferedReader().readText()
    assertTrue(process.waitFor(60, TimeUnit.SECONDS)) { "admin ${args.joinToString(" ")} did not finish" }
    assertEq(0, process.exitValue(), "exit status of admin ${args.joinToString(" ")}")
    return out
}

/** Issues a token for a new device of [worker]; returns the token. */
fun issueToken(data: File, worker: String, device: String): String {
    val out = admin(data, "issue-token", "--worker", worker, "--device", device)
    return out.lines().firstOrNull { it.startsWith("token ") }?.removePrefix("token ")?.trim()
        ?: fail("issue-token printed no token line") // the output itself is not shown: it is a secret
}

/** A `gridbook-server --listen 127.0.0.1:0` process on [data], stopped by `close()`. */
class RunningServer(data: File, log: File) : AutoCloseable {
    private val process: Process = ProcessBuilder(serverBinary(), "--data", data.path, "--listen", "127.0.0.1:0")
        .redirectError(log)
        .start()
    val url: String

    init {
        val line = try {
            process.inputStream.bufferedReader().readLine()
        } catch (e: Exception) {
            null
        }
        if (line == null || !line.startsWith("listening on http://127.0.0.1:")) {
            close()
            fail("the server did not print its listening line (got '$line'); its log:\n${log.readText()}")
        }
        url = line.removePrefix("listening on ").trim()
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly()
            process.waitFor(10, TimeUnit.SECONDS)
        }
    }
}
