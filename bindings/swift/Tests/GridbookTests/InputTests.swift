// Input records as an app writes them: only the required fields, the
// optional ones left to their defaults; and edit screens that start from
// the record as read (toInput()), change one field of a `var` copy and pass
// the input back.
import Foundation
import XCTest

import Gridbook

final class InputTests: TempDirTestCase {
    func testInputsWithOnlyTheirRequiredFields() throws {
        let store = try openStore(dir("inputs-required"), "w-zhang")
        let grid = try store.createGrid(input: GridInput(code: "330106001001002", name: "文新二网格"))
        XCTAssertEqual(
            try store.grids(),
            [Grid(id: grid, code: "330106001001002", name: "文新二网格", community: nil, street: nil, boundary: nil, retired: false)]
        )
        let building = try store.createBuilding(gridId: grid, input: BuildingInput(number: "5栋", units: 2, floors: 6))
        XCTAssertEqual(
            try store.buildings(gridId: grid),
            [Building(id: building, gridId: grid, number: "5栋", estate: nil, units: 2, floors: 6, location: nil, retired: false)]
        )
        let household = try store.createHousehold(
            input: HouseholdInput(buildingId: building, unit: "1", floor: 2, room: "201", useKind: .rented)
        )
        let detail = try store.household(householdId: household)
        XCTAssertEqual(detail.household.tags, [])
        XCTAssertNil(detail.household.location)
        XCTAssertNil(detail.household.notes)

        let resident = try store.createResident(
            input: ResidentInput(
                householdId: household, name: "王秀英", gender: .female, relation: "02",
                registration: .local, residenceState: .consistent
            )
        )
        XCTAssertEqual(
            try store.resident(residentId: resident),
            Resident(
                id: resident, gridId: grid, householdId: household, name: "王秀英", gender: .female,
                birthDate: nil, idNumber: nil, phones: [], relation: "02", registration: .local,
                residenceState: .consistent, care: [], movedIn: nil, movedOut: nil, status: .active
            )
        )

        let at = now()
        let visit = try store.logVisit(
            input: VisitInput(
                householdId: household, at: at, kind: .routine, outcome: .met,
                findings: [FindingInput(kind: .request, text: "需要助餐服务", resolution: .open)]
            )
        )
        let logged = try store.household(householdId: household).visits
        XCTAssertEqual(logged.map(\.id), [visit])
        XCTAssertEqual(logged[0].at, at)
        XCTAssertEqual(logged[0].residentsSeen, [])
        XCTAssertNil(logged[0].notes)
        XCTAssertNil(logged[0].gps)
        XCTAssertEqual(logged[0].findings.map(\.text), ["需要助餐服务"])

        let team = try store.createPatrolTeam(gridId: grid, name: "夜巡队", members: [TeamMember(memberId: "w-zhang", name: "张伟")])
        let today = store.today()
        let empty = try store.createShift(input: ShiftInput(teamId: team, date: today, starts: "19:00", ends: "21:00"))
        XCTAssertEqual(try store.shiftsOn(gridId: grid, date: today).first { $0.id == empty }?.route, [])
        let shift = try store.createShift(
            input: ShiftInput(teamId: team, date: today, starts: "21:00", ends: "23:00", route: ["南门"])
        )
        try store.assignToShift(shiftId: shift, memberId: "w-zhang")
        let checkin = try store.recordCheckin(input: CheckinInput(shiftId: shift, memberId: "w-zhang", at: now(), checkpoint: "南门"))
        let checkins = try store.shiftCheckins(shiftId: shift)
        XCTAssertEqual(checkins.map(\.id), [checkin])
        XCTAssertNil(checkins[0].gps)
    }

    func testAnEditStartsFromToInputAndChangesOneField() throws {
        let store = try openStore(dir("inputs-edit"), "w-zhang")
        let f = try fixture(store)
        let id = try store.createResident(input: residentInput(f.household))
        let resident = try store.resident(residentId: id)
        let unsent = try store.syncStatus().unsentChanges

        // Unchanged, the input leaves the resident as it is and queues nothing.
        try store.updateResident(residentId: id, input: resident.toInput())
        XCTAssertEqual(try store.resident(residentId: id), resident)
        XCTAssertEqual(try store.syncStatus().unsentChanges, unsent)

        var edit = resident.toInput()
        edit.phones = ["13900139000"]
        try store.updateResident(residentId: id, input: edit)
        var expected = resident
        expected.phones = ["13900139000"]
        XCTAssertEqual(try store.resident(residentId: id), expected, "only the phones changed")
        XCTAssertEqual(try store.syncStatus().unsentChanges, unsent + 1)

        let grid = try store.grids()[0]
        var gridEdit = grid.toInput()
        gridEdit.street = "文新街道"
        try store.updateGrid(gridId: grid.id, input: gridEdit)
        var expectedGrid = grid
        expectedGrid.street = "文新街道"
        XCTAssertEqual(try store.grids(), [expectedGrid], "only the street changed")

        let building = try store.buildings(gridId: f.grid)[0]
        var buildingEdit = building.toInput()
        buildingEdit.floors = 7
        try store.updateBuilding(buildingId: building.id, input: buildingEdit)
        var expectedBuilding = building
        expectedBuilding.floors = 7
        XCTAssertEqual(try store.buildings(gridId: f.grid), [expectedBuilding], "only the floors changed")

        let household = try store.household(householdId: f.household).household
        var householdEdit = household.toInput()
        householdEdit.notes = "租户常夜班"
        try store.updateHousehold(householdId: household.id, input: householdEdit)
        var expectedHousehold = household
        expectedHousehold.notes = "租户常夜班"
        XCTAssertEqual(try store.household(householdId: f.household).household, expectedHousehold, "only the notes changed")

        _ = try store.logVisit(input: visitInput(f.household, seen: [id], notes: "身体状况良好"))
        let visit = try store.household(householdId: f.household).visits[0]
        var amend = visit.toInput()
        XCTAssertEqual(amend.findings.map(\.id), visit.findings.map(\.id), "findings keep their ids")
        amend.findings[0].resolution = .solvedOnSite
        try store.amendVisit(visitId: visit.id, input: amend)
        var expectedVisit = visit
        expectedVisit.findings[0].resolution = .solvedOnSite
        XCTAssertEqual(try store.household(householdId: f.household).visits, [expectedVisit], "only the resolution changed")

        // A shift is never edited in place: its input plans another one like it.
        let team = try store.createPatrolTeam(gridId: f.grid, name: "夜巡队", members: [])
        let today = store.today()
        let first = try store.createShift(
            input: ShiftInput(teamId: team, date: today, starts: "19:30", ends: "21:00", route: ["3栋", "南门"])
        )
        let shift = try store.shiftsOn(gridId: f.grid, date: today)[0]
        XCTAssertEqual(shift.id, first)
        let nextWeek = addDays(today, 7)
        var copy = shift.toInput()
        copy.date = nextWeek
        let second = try store.createShift(input: copy)
        XCTAssertNotEqual(second, first)
        var expectedShift = shift
        expectedShift.id = second
        expectedShift.date = nextWeek
        XCTAssertEqual(try store.shiftsOn(gridId: f.grid, date: nextWeek), [expectedShift], "the same shift a week later")
    }
}
