// Timestamp at the java.time boundary (Time.kt): the same instant and offset
// both ways, and a logged visit's time reads back as the OffsetDateTime given.
package org.gridbook.tests

import java.time.Instant
import java.time.OffsetDateTime
import java.time.ZoneId
import org.gridbook.*
import org.gridbook.core.*

fun timeTests(r: Runner) {
    r.test("Timestamp converts to and from OffsetDateTime and Instant") {
        val beijing = OffsetDateTime.parse("2024-12-07T09:30:15.250+08:00")
        val stamp = Timestamp.of(beijing)
        assertEq(Timestamp(utcMs = 1_733_535_015_250L, offsetMinutes = 480), stamp, "from OffsetDateTime")
        assertEq(beijing, stamp.toOffsetDateTime(), "back to OffsetDateTime")
        assertEq(Instant.parse("2024-12-07T01:30:15.250Z"), stamp.instant, "the instant")
        assertEq(stamp, Timestamp.of(stamp.instant, ZoneId.of("Asia/Shanghai")), "from an Instant in Shanghai")
        openStore(tempDir("time"), "w-zhang").use { store ->
            val f = fixture(store)
            store.logVisit(visitInput(f.household, seen = listOf(), notes = "时间").copy(at = stamp))
            assertEq(beijing, store.household(f.household).visits.single().at.toOffsetDateTime(), "a visit's time reads back")
        }
    }
}
