// Coverage and the grid report from Kotlin: visit coverage by period, care
// tier and building, the households one worker reached, patrol coverage and
// the grid summary with its JSON.
package org.gridbook.tests

import java.time.LocalDate
import java.time.LocalTime
import java.time.ZoneOffset
import org.gridbook.*
import org.gridbook.core.*

/** [hour]:[minute] in China (UTC+8) on [day]. */
fun chinaTime(day: LocalDate, hour: Int, minute: Int) =
    Timestamp(utcMs = day.atTime(hour, minute).toInstant(ZoneOffset.ofHours(8)).toEpochMilli(), offsetMinutes = 480)

fun coverageTests(r: Runner) {
    r.test("coverage: the week starts on Monday, shares are per mille, a worker sees only their households") {
        openStore(tempDir("coverage"), "w-zhang").use { store ->
            val f = fixture(store)
            store.createResident(residentInput(f.household))
            val rented = store.createHousehold(
                HouseholdInput(buildingId = f.building, unit = "1", floor = 6, room = "601", useKind = DwellingUse.RENTED, tags = listOf(), location = null, notes = null),
            )
            val sunday = LocalDate.of(2025, 6, 1)
            val monday = LocalDate.of(2025, 6, 2)
            store.logVisit(VisitInput(householdId = f.household, at = chinaTime(monday, 0, 30), kind = VisitKind.ROUTINE, outcome = VisitOutcome.MET))
            store.logVisit(VisitInput(householdId = rented, at = chinaTime(sunday, 23, 30), kind = VisitKind.ROUTINE, outcome = VisitOutcome.MET))
            store.logVisit(VisitInput(householdId = rented, at = chinaTime(monday, 18, 0), kind = VisitKind.ROUTINE, outcome = VisitOutcome.NOBODY_HOME))
            val today = LocalDate.of(2025, 6, 4)

            val week = store.visitCoverage(f.grid, today, CoveragePeriod.WEEK)
            assertEq(monday to LocalDate.of(2025, 6, 8), week.from to week.to, "Monday to Sunday")
            assertEq(listOf<Any?>(2L, 1L, 500), listOf<Any?>(week.households, week.reached, week.sharePerMille), "one of two this week")
            assertEq(
                listOf(Triple("elderly_alone", 1L, 1L), Triple("general", 1L, 0L)),
                week.byTier.map { Triple(it.tier, it.households, it.reached) },
                "by care tier",
            )
            assertEq(listOf(Triple("3栋", 2L, 1L)), week.byBuilding.map { Triple(it.number, it.households, it.reached) }, "by building")
            assertEq(1000, store.visitCoverage(f.grid, today, CoveragePeriod.MONTH).sharePerMille, "both in June")
            assertEq(LocalDate.of(2025, 4, 1), store.visitCoverage(f.grid, today, CoveragePeriod.QUARTER).from, "the quarter's first day")

            val mine = store.householdsReachedBy("w-zhang", f.grid, today, CoveragePeriod.WEEK)
            assertEq(listOf(Triple(f.household, "幸福小区3栋1单元502室", 1L)), mine.map { Triple(it.householdId, it.address, it.visits) }, "this week's")
            assertEq(listOf<ReachedHousehold>(), store.householdsReachedBy("w-li", f.grid, today, CoveragePeriod.QUARTER), "nobody else's")
            assertEq("本季度", coveragePeriodLabel(CoveragePeriod.QUARTER), "label")
            val missing = assertThrows<GridbookException.NotFound>("an unknown grid") {
                store.visitCoverage("no-such-grid", today, CoveragePeriod.WEEK)
            }
            assertEq(RecordKind.GRID to "no-such-grid", missing.kind to missing.id, "not found")
        }
    }

    r.test("coverage: patrol shifts, checkpoints and minutes; the grid summary and its JSON") {
        openStore(tempDir("patrol-report"), "w-zhang").use { store ->
            val f = fixture(store)
            store.createResident(residentInput(f.household))
            val team = store.createPatrolTeam(f.grid, "夜巡队", listOf(TeamMember(memberId = "v1", name = "志愿者甲"), TeamMember(memberId = "v2", name = "志愿者乙")))
            val june3 = LocalDate.of(2025, 6, 3)
            val shift = store.createShift(
                ShiftInput(teamId = team, date = june3, starts = LocalTime.of(19, 0), ends = LocalTime.of(21, 0), route = listOf("东门", "北门")),
            )
            store.recordCheckin(CheckinInput(shiftId = shift, memberId = "v1", at = chinaTime(june3, 19, 0), checkpoint = "东门"))
            store.recordCheckin(CheckinInput(shiftId = shift, memberId = "v1", at = chinaTime(june3, 20, 15), checkpoint = "东门"))
            store.recordCheckin(CheckinInput(shiftId = shift, memberId = "v2", at = chinaTime(june3, 19, 10), checkpoint = "东门"))
            val later = store.createShift(ShiftInput(teamId = team, date = LocalDate.of(2025, 6, 10), starts = LocalTime.of(19, 0), ends = LocalTime.of(21, 0), route = listOf("南门")))
            store.cancelShift(later)
            val patrol = store.patrolCoverage(f.grid, LocalDate.of(2025, 6, 1), LocalDate.of(2025, 6, 30))
            assertEq(listOf(2L, 1L, 1L), listOf(patrol.shiftsPlanned, patrol.shiftsHeld, patrol.shiftsCancelled), "shifts")
            assertEq(listOf(2L, 1L), listOf(patrol.checkpointsNamed, patrol.checkpointsCovered), "checkpoints")
            assertEq(listOf("北门"), patrol.uncoveredCheckpoints, "uncovered")
            assertEq(listOf(2L, 75L, 1L), listOf(patrol.memberShifts, patrol.volunteerMinutes, patrol.unmatchedCheckins), "75 minutes, v2 unmatched")

            store.logVisit(VisitInput(householdId = f.household, at = chinaTime(june3, 10, 0), kind = VisitKind.ROUTINE, outcome = VisitOutcome.REFUSED))
            val summary = store.gridSummary(f.grid, LocalDate.of(2025, 6, 15))
            assertEq(
                listOf(DwellingUse.OWNER_OCCUPIED to 1L, DwellingUse.RENTED to 0L, DwellingUse.VACANT to 0L, DwellingUse.BUSINESS to 0L, DwellingUse.OTHER to 0L),
                summary.householdsByUse.map { it.useKind to it.count },
                "by use",
            )
            assertEq(1L, summary.residentsByCare.single { it.category == "elderly_alone" }.count, "elders living alone")
            assertEq(1L, summary.visitsByOutcomeThisMonth.single { it.outcome == VisitOutcome.REFUSED }.count, "refused this month")
            assertEq(listOf(1 to 0L, 2 to 0L, 3 to 0L), summary.eventsByLevel.map { it.level to it.count }, "no events")
            val json = store.gridSummaryJson(f.grid, LocalDate.of(2025, 6, 15))
            assertTrue(json.contains("\"householdsByUse\":{\"owner_occupied\":1,\"rented\":0,")) { json }
            assertTrue(json.contains("\"monthFrom\":\"2025-06-01\"") && !json.contains("王秀英")) { json }
        }
    }
}
