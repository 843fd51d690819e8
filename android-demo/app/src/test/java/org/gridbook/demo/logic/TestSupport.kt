// Real stores in temporary directories, a small grid, a fixed clock, and a
// real gridbook-server process on 127.0.0.1 (binary from GRIDBOOK_SERVER).
package org.gridbook.demo.logic

import java.time.LocalDate
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.gridbook.core.BuildingInput
import org.gridbook.core.DwellingUse
import org.gridbook.core.Gender
import org.gridbook.core.GeoPoint
import org.gridbook.core.GridInput
import org.gridbook.core.HouseholdInput
import org.gridbook.core.Registration
import org.gridbook.core.ResidenceState
import org.gridbook.core.ResidentInput
import org.gridbook.Store
import org.gridbook.core.WorkerIdentity
import org.gridbook.core.WorkerRole
import java.io.File
import java.nio.file.Files
import java.time.ZoneId
import java.time.ZonedDateTime
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail

val SHANGHAI: ZoneId = ZoneId.of("Asia/Shanghai")

/** A clock stopped at a local time in Shanghai. */
class FixedClock(var nowMs: Long) : Clock {
    override fun nowMs(): Long = nowMs
    override val zone: ZoneId = SHANGHAI

    companion object {
        fun at(year: Int, month: Int, day: Int, hour: Int, minute: Int) =
            FixedClock(ZonedDateTime.of(year, month, day, hour, minute, 0, 0, SHANGHAI).toInstant().toEpochMilli())
    }
}

/** A location source answering [result] and counting calls. */
class FixedLocation(private val result: LocationResult) : LocationSource {
    var calls = 0
    override suspend fun currentFix(timeoutMs: Long): LocationResult {
        calls++
        return result
    }
}

fun tempDir(prefix: String): File {
    val dir = Files.createTempDirectory("gridbook-android-$prefix").toFile()
    Runtime.getRuntime().addShutdownHook(Thread { dir.deleteRecursively() })
    return dir
}

fun identity(worker: String, name: String = "张伟", role: WorkerRole = WorkerRole.GRID_HEAD) =
    WorkerIdentity(workerId = worker, name = name, role = role, deviceLabel = "$name 的手机")

suspend fun openStore(dir: File, worker: String, role: WorkerRole = WorkerRole.GRID_HEAD): Store =
    Store.open(File(dir, "$worker.db").path, identity(worker, role = role), null)

/** What a test needs around one store: a scope for the models, and cleanup. */
class Env(val store: Store) : AutoCloseable {
    val scope = CoroutineScope(SupervisorJob() + kotlinx.coroutines.Dispatchers.Default)
    val calls = StoreCalls(store)

    override fun close() {
        scope.cancel()
        store.close()
    }
}

class Grid(val id: String, val building: String, val households: List<String>)

/** A grid with one building and [rooms] households (unit 1, floor from the room number). */
suspend fun grid(store: Store, vararg rooms: String): Grid {
    val grid = store.createGrid(GridInput(code = "330106001001001", name = "文新一网格", community = "文新社区", street = null, boundary = null))
    val building = store.createBuilding(
        grid,
        BuildingInput(number = "3栋", estate = "幸福小区", units = 2, floors = 6, location = GeoPoint(lon = 120.1, lat = 30.28)),
    )
    val households = rooms.map { room ->
        store.createHousehold(
            HouseholdInput(
                buildingId = building, unit = "1", floor = room.dropLast(2).toInt(), room = room,
                useKind = DwellingUse.OWNER_OCCUPIED, tags = listOf(), location = null, notes = null,
            ),
        )
    }
    return Grid(grid, building, households)
}

fun resident(
    household: String,
    name: String = "王秀英",
    phone: String = "13800138000",
    idNumber: String? = "11010519491231002X",
    care: List<String> = listOf("elderly_alone"),
    relation: String = "02",
) = ResidentInput(
    householdId = household, name = name, gender = Gender.FEMALE, birthDate = LocalDate.of(1949, 12, 31), idNumber = idNumber,
    phones = listOf(phone), relation = relation, registration = Registration.LOCAL,
    residenceState = ResidenceState.CONSISTENT, care = care, movedIn = null,
)

/** Waits (at most 60 s) until [flow] holds a value matching [predicate]; returns it. */
fun <T> awaitState(flow: StateFlow<T>, what: String, predicate: (T) -> Boolean): T = runBlocking {
    try {
        withTimeout(60_000) { flow.first(predicate) }
    } catch (e: kotlinx.coroutines.TimeoutCancellationException) {
        fail("timed out waiting for $what; state is ${flow.value}")
    }
}

// --- a real gridbook-server ------------------------------------------------

private fun serverBinary(): String {
    val path = System.getenv("GRIDBOOK_SERVER") ?: fail("GRIDBOOK_SERVER is not set (the gridbook-server binary)")
    assertTrue(File(path).canExecute(), "GRIDBOOK_SERVER=$path is not an executable")
    return path
}

/** Runs one `gridbook-server admin` command against [data]; returns its stdout. */
fun admin(data: File, vararg args: String): String {
    val process = ProcessBuilder(listOf(serverBinary(), "--data", data.path, "admin") + args)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start()
    val out = process.inputStream.bufferedReader().readText()
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "admin ${args.first()} did not finish")
    assertEquals(0, process.exitValue(), "exit status of admin ${args.first()}")
    return out
}

/** Issues a device token; the token itself is never printed. */
fun issueToken(data: File, worker: String, device: String): String {
    val out = admin(data, "issue-token", "--worker", worker, "--device", device)
    return out.lines().firstOrNull { it.startsWith("token ") }?.removePrefix("token ")?.trim()
        ?: fail("issue-token printed no token line")
}

/** A gridbook-server on 127.0.0.1 with a free port, over SQLite in [data]. */
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
