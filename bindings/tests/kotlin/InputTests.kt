// Input records as an app writes them: only the required fields, the
// optional ones left to their defaults; and edit screens that start from
// the record as read (toInput), change one field with copy(...) and pass
// the input back.
package org.gridbook.tests

import java.time.LocalTime
import org.gridbook.*
import org.gridbook.core.*

fun inputTests(r: Runner) {
    r.test("inputs with only their required fields") {
        openStore(tempDir("inputs-required"), "w-zhang").use { store ->
            // Required fields first: a grid takes its code and name by position.
            val grid = store.createGrid(GridInput("330106001001002", "文新二网格"))
            assertEq(
                Grid(
                    id = grid, code = "330106001001002", name = "文新二网格", community = null, street = null,
                    boundary = null, retired = false,
                ),
                store.grids().single(),
                "grid",
            )
            val building = store.createBuilding(grid, BuildingInput(number = "5栋", units = 2, floors = 6))
            assertEq(
                Building(
                    id = building, gridId = grid, number = "5栋", estate = null, units = 2, floors = 6,
                    location = null, retired = false,
                ),
                store.buildings(grid).single(),
                "building",
            )
            val household = store.createHousehold(
                HouseholdInput(buildingId = building, unit = "1", floor = 2, room = "201", useKind = DwellingUse.RENTED),
            )
            val detail = store.household(household)
            assertEq(listOf<String>(), detail.household.tags, "household tags")
            assertEq(null, detail.household.location, "household location")
            assertEq(null, detail.household.notes, "household notes")

            val resident = store.createResident(
                ResidentInput(
                    householdId = household, name = "王秀英", gender = Gender.FEMALE, relation = "02",
                    registration = Registration.LOCAL, residenceState = ResidenceState.CONSISTENT,
                ),
            )
            assertEq(
                Resident(
                    id = resident, gridId = grid, householdId = household, name = "王秀英", gender = Gender.FEMALE,
                    birthDate = null, idNumber = null, phones = listOf(), relation = "02",
                    registration = Registration.LOCAL, residenceState = ResidenceState.CONSISTENT, care = listOf(),
                    movedIn = null, movedOut = null, status = ResidentStatus.ACTIVE,
                ),
                store.resident(resident),
                "resident",
            )

            val at = now()
            val visit = store.logVisit(
                VisitInput(
                    householdId = household, at = at, kind = VisitKind.ROUTINE, outcome = VisitOutcome.MET,
                    findings = listOf(FindingInput(kind = FindingKind.REQUEST, text = "需要助餐服务", resolution = Resolution.OPEN)),
                ),
            )
            val logged = store.household(household).visits.single()
            assertEq(visit, logged.id, "visit id")
            assertEq(at, logged.at, "visit time")
            assertEq(listOf<String>(), logged.residentsSeen, "residents seen")
            assertEq(null, logged.notes, "visit notes")
            assertEq(null, logged.gps, "visit gps")
            assertEq(listOf("需要助餐服务"), logged.findings.map { it.text }, "findings")

            val team = store.createPatrolTeam(grid, "夜巡队", listOf(TeamMember(memberId = "w-zhang", name = "张伟")))
            val today = store.today()
            val empty = store.createShift(ShiftInput(teamId = team, date = today, starts = LocalTime.of(19, 0), ends = LocalTime.of(21, 0)))
            assertEq(listOf<String>(), store.shiftsOn(grid, today).single { it.id == empty }.route, "shift route")
            val shift = store.createShift(
                ShiftInput(teamId = team, date = today, starts = LocalTime.of(21, 0), ends = LocalTime.of(23, 0), route = listOf("南门")),
            )
            store.assignToShift(shift, "w-zhang")
            val checkin = store.recordCheckin(CheckinInput(shiftId = shift, memberId = "w-zhang", at = now(), checkpoint = "南门"))
            assertEq(null, store.shiftCheckins(shift).single { it.id == checkin }.gps, "check-in gps")
        }
    }

    r.test("inputs: an edit starts from toInput and changes one field") {
        openStore(tempDir("inputs-edit"), "w-zhang").use { store ->
            val f = fixture(store)
            val id = store.createResident(residentInput(f.household))
            val resident = store.resident(id)
            assertEq(listOf("138****8000"), resident.phones, "read masked")
            val unsent = store.syncStatus().unsentChanges

            // Unchanged (masked as read), the input leaves the resident as it is and queues nothing.
            store.updateResident(id, resident.toInput())
            assertEq(resident, store.resident(id), "resident passed back unchanged")
            assertEq(unsent, store.syncStatus().unsentChanges, "nothing queued")

            store.updateResident(id, resident.toInput().copy(phones = listOf("13900139000")))
            assertEq(resident.copy(phones = listOf("139****9000")), store.resident(id), "only the phones changed")
            assertEq(unsent + 1, store.syncStatus().unsentChanges, "one change queued")
            assertEq(listOf("13900139000"), store.revealed(id).phones, "the new phone stored in full")

            val grid = store.grids().single()
            store.updateGrid(grid.id, grid.toInput().copy(street = "文新街道"))
            assertEq(grid.copy(street = "文新街道"), store.grids().single(), "only the street changed")

            val building = store.buildings(f.grid).single()
            store.updateBuilding(building.id, building.toInput().copy(floors = 7))
            assertEq(building.copy(floors = 7), store.buildings(f.grid).single(), "only the floors changed")

            val household = store.household(f.household).household
            store.updateHousehold(household.id, household.toInput().copy(notes = "租户常夜班"))
            assertEq(household.copy(notes = "租户常夜班"), store.household(f.household).household, "only the notes changed")

            store.logVisit(visitInput(f.household, listOf(id), "身体状况良好"))
            val visit = store.household(f.household).visits.single()
            val input = visit.toInput()
            assertEq(visit.findings.map { it.id }, input.findings.map { it.id }, "findings keep their ids")
            val solved = input.findings.single().copy(resolution = Resolution.SOLVED_ON_SITE)
            store.amendVisit(visit.id, input.copy(findings = listOf(solved)))
            assertEq(
                visit.copy(findings = listOf(visit.findings.single().copy(resolution = Resolution.SOLVED_ON_SITE))),
                store.household(f.household).visits.single(),
                "only the finding's resolution changed",
            )

            // A shift is never edited in place: its input plans another one like it.
            val team = store.createPatrolTeam(f.grid, "夜巡队", listOf())
            val today = store.today()
            val first = store.createShift(
                ShiftInput(teamId = team, date = today, starts = LocalTime.of(19, 30), ends = LocalTime.of(21, 0), route = listOf("3栋", "南门")),
            )
            val shift = store.shiftsOn(f.grid, today).single()
            val nextWeek = today.plusDays(7)
            val second = store.createShift(shift.toInput().copy(date = nextWeek))
            assertTrue(second != first) { "a new shift" }
            assertEq(shift.copy(id = second, date = nextWeek), store.shiftsOn(f.grid, nextWeek).single(), "the same shift a week later")
        }
    }
}
