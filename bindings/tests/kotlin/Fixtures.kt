// Shared fixtures: temporary stores and a small grid, as a phone app builds them.
package org.gridbook.tests

import org.gridbook.*
import org.gridbook.core.*
import java.io.File
import java.nio.file.Files

fun tempDir(prefix: String): File {
    val dir = Files.createTempDirectory("gridbook-kt-$prefix").toFile()
    Runtime.getRuntime().addShutdownHook(Thread { dir.deleteRecursively() })
    return dir
}

fun identity(worker: String, device: String = "$worker 的手机") =
    WorkerIdentity(workerId = worker, name = "张伟", role = WorkerRole.GRID_HEAD, deviceLabel = device)

/** A raw 32-byte key made from [seed] (the same seed, the same key), as an app takes one from the Keystore. */
fun rawKey(seed: String): StoreKey =
    StoreKey.Raw(java.security.MessageDigest.getInstance("SHA-256").digest(seed.toByteArray()))

suspend fun openStore(dir: File, worker: String, key: String? = null, file: String = "$worker.db"): Store =
    Store.open(File(dir, file).path, identity(worker), key?.let(::rawKey))

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
    householdId = household, name = "王秀英", gender = Gender.FEMALE, birthDate = "1941-03-02", idNumber = null,
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
