// Input records as an app writes them: only the required fields, the
// optional ones left to their defaults; and edit screens that start from
// the record as read (toInput()), change one field of a `var` copy and pass
// the input back.
import Foundation
import XCTest

import Gridbook

final class InputTests: TempDirTestCase {
    func testInputsWithOnlyTheirRequiredFields() async throws {
        let store = try await openStore(dir("inputs-required"), "w-zhang")
        let grid = try await store.createGrid(input: GridInput(code: "330106001001002", name: "文新二网格"))
        await XCTAssertEqualAsync(
            try await store.grids(),
            [Grid(id: grid, code: "330106001001002", name: "文新二网格", community: nil, street: nil, boundary: nil, retired: false)]
        )
        let building = try await store.createBuilding(gridId: grid, input: BuildingInput(number: "5栋", units: 2, floors: 6))
        await XCTAssertEqualAsync(
            try await store.buildings(gridId: grid),
            [Building(id: building, gridId: grid, number: "5栋", estate: nil, units: 2, floors: 6, location: nil, retired: false)]
        )
        let household = try await store.createHousehold(
            input: HouseholdInput(buildingId: building, unit: "1", floor: 2, room: "201", useKind: .rented)
        )
        let detail = try await store.household(householdId: household)
        XCTAssertEqual(detail.household.tags, [])
        XCTAssertNil(detail.household.location)
        XCTAssertNil(detail.household.notes)

        let resident = try await store.createResident(
            input: ResidentInput(
                householdId: household, name: "王秀英", gender: .female, relation: "02",
                registration: .local, residenceState: .consistent
            )
        )
        await XCTAssertEqualAsync(
            try await store.resident(residentId: resident),
            Resident(
                id: resident, gridId: grid, householdId: household, name: "王秀英", gender: .female,
                birthDate: nil, idNumber: nil, phones: [], relation: "02", registration: .local,
                residenceState: .consistent, care: [], movedIn: nil, movedOut: nil, status: .active
            )
        )

        let at = now()
        let visit = try await store.logVisit(
            input: VisitInput(
                householdId: household, at: at, kind: .routine, outcome: .met,
                findings: [FindingInput(kind: .request, text: "需要助餐服务", resolution: .open)]
            )
        )
        let logged = try await store.household(householdId: household).visits
        XCTAssertEqual(logged.map(\.id), [visit])
        XCTAssertEqual(logged[0].at, at)
        XCTAssertEqual(logged[0].residentsSeen, [])
        XCTAssertNil(logged[0].notes)
        XCTAssertNil(logged[0].gps)
        XCTAssertEqual(logged[0].findings.map(\.text), ["需要助餐服务"])

        let team = try await store.createPatrolTeam(gridId: grid, name: "夜巡队", members: [TeamMember(memberId: "w-zhang", name: "张伟")])
        let today = await store.today()
        let empty = try await store.createShift(input: ShiftInput(teamId: team, date: today, starts: timeOfDay(19, 0), ends: timeOfDay(21, 0)))
        await XCTAssertEqualAsync(try await store.shiftsOn(gridId: grid, date: today).first { $0.id == empty }?.route, [])
        let shift = try await store.createShift(
            input: ShiftInput(teamId: team, date: today, starts: timeOfDay(21, 0), ends: timeOfDay(23, 0), route: ["南门"])
        )
        try await store.assignToShift(shiftId: shift, memberId: "w-zhang")
        let checkin = try await store.recordCheckin(input: CheckinInput(shiftId: shift, memberId: "w-zhang", at: now(), checkpoint: "南门"))
        let checkins = try await store.shiftCheckins(shiftId: shift)
        XCTAssertEqual(checkins.map(\.id), [checkin])
        XCTAssertNil(checkins[0].gps)
    }

    func testAnEditStartsFromToInputAndChangesOneField() async throws {
        let store = try await openStore(dir("inputs-edit"), "w-zhang")
        let f = try await fixture(store)
        let id = try await store.createResident(input: residentInput(f.household))
        let resident = try await store.resident(residentId: id)
        XCTAssertEqual(resident.phones, ["138****8000"], "read masked")
        let unsent = try await store.syncStatus().unsentChanges

        // Unchanged (masked as read), the input leaves the resident as it is and queues nothing.
        try await store.updateResident(residentId: id, input: resident.toInput())
        await XCTAssertEqualAsync(try await store.resident(residentId: id), resident)
        await XCTAssertEqualAsync(try await store.syncStatus().unsentChanges, unsent)

        var edit = resident.toInput()
        edit.phones = ["13900139000"]
        try await store.updateResident(residentId: id, input: edit)
        var expected = resident
        expected.phones = ["139****9000"]
        await XCTAssertEqualAsync(try await store.resident(residentId: id), expected, "only the phones changed")
        await XCTAssertEqualAsync(try await store.syncStatus().unsentChanges, unsent + 1)
        await XCTAssertEqualAsync(try await store.revealed(id).phones, ["13900139000"], "the new phone stored in full")

        let grid = try await store.grids()[0]
        var gridEdit = grid.toInput()
        gridEdit.street = "文新街道"
        try await store.updateGrid(gridId: grid.id, input: gridEdit)
        var expectedGrid = grid
        expectedGrid.street = "文新街道"
        await XCTAssertEqualAsync(try await store.grids(), [expectedGrid], "only the street changed")

        let building = try await store.buildings(gridId: f.grid)[0]
        var buildingEdit = building.toInput()
        buildingEdit.floors = 7
        try await store.updateBuilding(buildingId: building.id, input: buildingEdit)
        var expectedBuilding = building
        expectedBuilding.floors = 7
        await XCTAssertEqualAsync(try await store.buildings(gridId: f.grid), [expectedBuilding], "only the floors changed")

        let household = try await store.household(householdId: f.household).household
        var householdEdit = household.toInput()
        householdEdit.notes = "租户常夜班"
        try await store.updateHousehold(householdId: household.id, input: householdEdit)
        var expectedHousehold = household
        expectedHousehold.notes = "租户常夜班"
        await XCTAssertEqualAsync(try await store.household(householdId: f.household).household, expectedHousehold, "only the notes changed")

        _ = try await store.logVisit(input: visitInput(f.household, seen: [id], notes: "身体状况良好"))
        let visit = try await store.household(householdId: f.household).visits[0]
        var amend = visit.toInput()
        XCTAssertEqual(amend.findings.map(\.id), visit.findings.map(\.id), "findings keep their ids")
        amend.findings[0].resolution = .solvedOnSite
        try await store.amendVisit(visitId: visit.id, input: amend)
        var expectedVisit = visit
        expectedVisit.findings[0].resolution = .solvedOnSite
        await XCTAssertEqualAsync(try await store.household(householdId: f.household).visits, [expectedVisit], "only the resolution changed")

        // A shift is never edited in place: its input plans another one like it.
        let team = try await store.createPatrolTeam(gridId: f.grid, name: "夜巡队", members: [])
        let today = await store.today()
        let first = try await store.createShift(
            input: ShiftInput(teamId: team, date: today, starts: timeOfDay(19, 30), ends: timeOfDay(21, 0), route: ["3栋", "南门"])
        )
        let shift = try await store.shiftsOn(gridId: f.grid, date: today)[0]
        XCTAssertEqual(shift.id, first)
        let nextWeek = addDays(today, 7)
        var copy = shift.toInput()
        copy.date = nextWeek
        let second = try await store.createShift(input: copy)
        XCTAssertNotEqual(second, first)
        var expectedShift = shift
        expectedShift.id = second
        expectedShift.date = nextWeek
        await XCTAssertEqualAsync(try await store.shiftsOn(gridId: f.grid, date: nextWeek), [expectedShift], "the same shift a week later")
    }
}
