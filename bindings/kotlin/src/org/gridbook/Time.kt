// java.time at the boundary: a Timestamp (an instant with the UTC offset it
// was recorded in, the core's type) to and from OffsetDateTime and Instant.
package org.gridbook

import java.time.Instant
import java.time.OffsetDateTime
import java.time.ZoneId
import java.time.ZoneOffset
import org.gridbook.core.Timestamp

/** The instant of this timestamp. */
val Timestamp.instant: Instant get() = Instant.ofEpochMilli(utcMs)

/** This timestamp as a date and time in the offset it was recorded in (a visit at 09:30 in Beijing reads 09:30+08:00). */
fun Timestamp.toOffsetDateTime(): OffsetDateTime =
    OffsetDateTime.ofInstant(instant, ZoneOffset.ofTotalSeconds(offsetMinutes * 60))

/** A timestamp of [time], to the millisecond, keeping its offset. */
fun Timestamp.Companion.of(time: OffsetDateTime): Timestamp =
    Timestamp(utcMs = time.toInstant().toEpochMilli(), offsetMinutes = time.offset.totalSeconds / 60)

/** A timestamp of [instant] in [zone]'s offset at that instant (the device's zone by default). */
fun Timestamp.Companion.of(instant: Instant, zone: ZoneId = ZoneId.systemDefault()): Timestamp =
    of(OffsetDateTime.ofInstant(instant, zone))

/** Now, in [zone]'s offset (the device's zone by default). */
fun Timestamp.Companion.now(zone: ZoneId = ZoneId.systemDefault()): Timestamp = of(Instant.now(), zone)
