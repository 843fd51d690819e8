package org.gridbook.demo.logic

import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId

/** The time, injectable so tests can fix "today". */
interface Clock {
    fun nowMs(): Long
    val zone: ZoneId
}

/** The phone's clock and time zone (Asia/Shanghai on phones in China). */
object SystemClock : Clock {
    override fun nowMs(): Long = System.currentTimeMillis()
    override val zone: ZoneId get() = ZoneId.systemDefault()
}

/** Today's local date, `YYYY-MM-DD` as the core reads it via [LocalDate.toString]. */
fun Clock.today(): LocalDate = Instant.ofEpochMilli(nowMs()).atZone(zone).toLocalDate()

/** Now as the core's instant: UTC milliseconds and the local offset in minutes. */
fun Clock.now(): org.gridbook.core.Timestamp {
    val ms = nowMs()
    return org.gridbook.core.Timestamp(utcMs = ms, offsetMinutes = offsetMinutesAt(ms))
}

/** The local offset from UTC at an instant, in minutes (480 in China). */
fun Clock.offsetMinutesAt(utcMs: Long): Int = zone.rules.getOffset(Instant.ofEpochMilli(utcMs)).totalSeconds / 60
