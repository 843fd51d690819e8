// Coverage and the grid report from Swift: visit coverage by period, care
// tier and building, the households one worker reached, patrol coverage and
// the grid summary with its JSON.
import Foundation
import Gridbook
import XCTest

/// `hour`:`minute` in China (UTC+8) on `date`.
func chinaTime(_ date: DateComponents, _ hour: Int, _ minute: Int) -> Timestamp {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
    var c = date
    c.hour = hour
    c.minute = minute
    let instant = calendar.date(from: c)!
    return Timestamp(utcMs: Int64(instant.timeIntervalSince1970 * 1000), offsetMinutes: 480)
}

final class CoverageTests: TempDirTestCase {
    func testTheWeekStartsOnMondaySharesArePerMilleAWorkerSeesOnlyTheirHouseholds() async throws {
        let store = try await openStore(dir("coverage"), "w-zhang")
        let f = try await fixture(store)
        _ = try await store.createResident(input: residentInput(f.household))
        let rented = try await store.createHousehold(input: HouseholdInput(
            buildingId: f.building, unit: "1", floor: 6, room: "601", useKind: .rented, tags: [], location: nil, notes: nil
        ))
        let (sunday, monday, today) = (day(2025, 6, 1), day(2025, 6, 2), day(2025, 6, 4))
        _ = try await store.logVisit(input: VisitInput(householdId: f.household, at: chinaTime(monday, 0, 30), kind: .routine, outcome: .met))
        _ = try await store.logVisit(input: VisitInput(householdId: rented, at: chinaTime(sunday, 23, 30), kind: .routine, outcome: .met))
        _ = try await store.logVisit(input: VisitInput(householdId: rented, at: chinaTime(monday, 18, 0), kind: .routine, outcome: .nobodyHome))

        let week = try await store.visitCoverage(gridId: f.grid, today: today, period: .week)
        XCTAssertEqual(week.from, monday)
        XCTAssertEqual(week.to, day(2025, 6, 8))
        XCTAssertEqual(week.households, 2)
        XCTAssertEqual(week.reached, 1)
        XCTAssertEqual(week.sharePerMille, 500)
        XCTAssertEqual(week.byTier, [
            TierCoverage(tier: "elderly_alone", households: 1, reached: 1, sharePerMille: 1000),
            TierCoverage(tier: "general", households: 1, reached: 0, sharePerMille: 0),
        ])
        XCTAssertEqual(week.byBuilding, [
            BuildingCoverage(buildingId: f.building, number: "3栋", households: 2, reached: 1, sharePerMille: 500),
        ])
        await XCTAssertEqualAsync(try await store.visitCoverage(gridId: f.grid, today: today, period: .month).sharePerMille, 1000)
        await XCTAssertEqualAsync(try await store.visitCoverage(gridId: f.grid, today: today, period: .quarter).from, day(2025, 4, 1))

        let mine = try await store.householdsReachedBy(workerId: "w-zhang", gridId: f.grid, today: today, period: .week)
        XCTAssertEqual(mine.map(\.householdId), [f.household])
        XCTAssertEqual(mine.map(\.address), ["幸福小区3栋1单元502室"])
        XCTAssertEqual(mine.map(\.visits), [1])
        await XCTAssertEqualAsync(
            try await store.householdsReachedBy(workerId: "w-li", gridId: f.grid, today: today, period: .quarter), []
        )
        XCTAssertEqual(coveragePeriodLabel(value: .quarter), "本季度")
        await XCTAssertEqualAsync(
            await expectGridbookError("an unknown grid") {
                try await store.visitCoverage(gridId: "no-such-grid", today: today, period: .week)
            },
            .NotFound(kind: .grid, id: "no-such-grid")
        )
    }

    func testPatrolShiftsCheckpointsAndMinutesTheGridSummaryAndItsJson() async throws {
        let store = try await openStore(dir("patrol-report"), "w-zhang")
        let f = try await fixture(store)
        _ = try await store.createResident(input: residentInput(f.household))
        let team = try await store.createPatrolTeam(
            gridId: f.grid, name: "夜巡队",
            members: [TeamMember(memberId: "v1", name: "志愿者甲"), TeamMember(memberId: "v2", name: "志愿者乙")]
        )
        let june3 = day(2025, 6, 3)
        let shift = try await store.createShift(input: ShiftInput(
            teamId: team, date: june3, starts: timeOfDay(19, 0), ends: timeOfDay(21, 0), route: ["东门", "北门"]
        ))
        for (member, hour, minute) in [("v1", 19, 0), ("v1", 20, 15), ("v2", 19, 10)] {
            _ = try await store.recordCheckin(input: CheckinInput(
                shiftId: shift, memberId: member, at: chinaTime(june3, hour, minute), checkpoint: "东门"
            ))
        }
        let later = try await store.createShift(input: ShiftInput(
            teamId: team, date: day(2025, 6, 10), starts: timeOfDay(19, 0), ends: timeOfDay(21, 0), route: ["南门"]
        ))
        try await store.cancelShift(shiftId: later)
        let patrol = try await store.patrolCoverage(gridId: f.grid, from: day(2025, 6, 1), to: day(2025, 6, 30))
        XCTAssertEqual([patrol.shiftsPlanned, patrol.shiftsHeld, patrol.shiftsCancelled], [2, 1, 1])
        XCTAssertEqual([patrol.checkpointsNamed, patrol.checkpointsCovered], [2, 1])
        XCTAssertEqual(patrol.uncoveredCheckpoints, ["北门"])
        XCTAssertEqual([patrol.memberShifts, patrol.volunteerMinutes, patrol.unmatchedCheckins], [2, 75, 1])

        _ = try await store.logVisit(input: VisitInput(householdId: f.household, at: chinaTime(june3, 10, 0), kind: .routine, outcome: .refused))
        let summary = try await store.gridSummary(gridId: f.grid, today: day(2025, 6, 15))
        XCTAssertEqual(summary.householdsByUse.map(\.useKind), [.ownerOccupied, .rented, .vacant, .business, .other])
        XCTAssertEqual(summary.householdsByUse.map(\.count), [1, 0, 0, 0, 0])
        XCTAssertEqual(summary.residentsByCare.first { $0.category == "elderly_alone" }?.count, 1)
        XCTAssertEqual(summary.visitsByOutcomeThisMonth.first { $0.outcome == .refused }?.count, 1)
        XCTAssertEqual(summary.eventsByLevel, [
            EventLevelCount(level: 1, count: 0), EventLevelCount(level: 2, count: 0), EventLevelCount(level: 3, count: 0),
        ])
        let json = try await store.gridSummaryJson(gridId: f.grid, today: day(2025, 6, 15))
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        XCTAssertEqual(object?["monthFrom"] as? String, "2025-06-01")
        XCTAssertEqual((object?["householdsByUse"] as? [String: Any])?["owner_occupied"] as? Int, 1)
        XCTAssertEqual((object?["visitsByOutcomeThisMonth"] as? [String: Any])?["refused"] as? Int, 1)
        XCTAssertFalse(json.contains("王秀英"))
    }
}
