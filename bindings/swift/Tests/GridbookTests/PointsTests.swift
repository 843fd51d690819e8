// Volunteer points from Swift: awards, an exchange refused beyond the
// balance, staff who never hold points, the monthly board, and the account
// as a live async sequence.
import Foundation
import Gridbook
import XCTest

final class PointsTests: TempDirTestCase {
    func testAwardsAndAnExchangeMakeTheBalanceStaffHoldNoneTheBoardMasksNames() async throws {
        let store = try await openStore(dir("points"), "w-zhang")
        let f = try await fixture(store)
        _ = try await store.createPatrolTeam(gridId: f.grid, name: "夜巡队", members: [
            TeamMember(memberId: "v-0001", name: "赵师傅"), TeamMember(memberId: "w-zhang", name: "张伟"),
        ])
        let today = await store.today()
        XCTAssertEqual(defaultPointsRule().minutesPerPoint, 60, "one point an hour")
        XCTAssertEqual(defaultPointsRule().expiry, .afterYears(years: 3), "kept three years")
        let volunteers = try await store.volunteers(gridId: f.grid)
        XCTAssertEqual(volunteers.map(\.volunteerId), ["v-0001"], "the grid head is staff")
        XCTAssertEqual(volunteers.map(\.source), [.teamMember])

        _ = try await store.awardPoints(award: PointsAward(gridId: f.grid, volunteerId: "v-0001", points: 5, reason: "清理楼道杂物", on: today))
        await XCTAssertEqualAsync(
            await expectGridbookError("more than the balance") {
                try await store.spendPoints(spending: PointsSpending(gridId: f.grid, volunteerId: "v-0001", points: 6, item: "大米一袋", on: today))
            },
            .Invalid(field: "points", reason: .exceedsBalance)
        )
        _ = try await store.spendPoints(spending: PointsSpending(gridId: f.grid, volunteerId: "v-0001", points: 2, item: "大米一袋", on: today))
        await XCTAssertEqualAsync(
            await expectGridbookError("the grid head") {
                try await store.awardPoints(award: PointsAward(gridId: f.grid, volunteerId: "w-zhang", points: 1, reason: "值班", on: today))
            },
            .Invalid(field: "volunteerId", reason: .notAVolunteer)
        )

        let account = try await store.pointsAccount(gridId: f.grid, volunteerId: "v-0001", today: today)
        XCTAssertEqual(account.balance, 3, "5 - 2")
        XCTAssertEqual(account.entries.map(\.kind), [.spend, .award], "newest first")
        XCTAssertEqual(account.entries.map(\.points), [-2, 5])
        XCTAssertEqual(account.volunteer.displayName, "赵**", "masked")
        let board = try await store.pointsBoard(gridId: f.grid, month: today, limit: 10)
        XCTAssertEqual(board.map(\.place), [1])
        XCTAssertEqual(board.map(\.volunteer.displayName), ["赵**"])
        XCTAssertEqual(board.map(\.points), [5])

        let rule = PointsRule(minutesPerPoint: 30, expiry: .yearEnd)
        try await store.setPointsRule(gridId: f.grid, fromMonth: today, rule: rule)
        await XCTAssertEqualAsync(try await store.pointsRules(gridId: f.grid).map(\.rule), [rule], "the rule as set")
        await XCTAssertEqualAsync(
            await expectGridbookError("a rule out of bounds") {
                try await store.setPointsRule(gridId: f.grid, fromMonth: today, rule: PointsRule(minutesPerPoint: 30, expiry: .afterYears(years: 0)))
            },
            .Invalid(field: "expiry.years", reason: .outOfRange)
        )

        let seen = Collected<Int64>()
        let stream = store.pointsAccountUpdates(gridId: f.grid, volunteerId: "v-0001", today: today)
        let consumer = Task { for try await account in stream { seen.append(account.balance) } }
        var balances = try await seen.waitFor(count: 1)
        XCTAssertEqual(balances, [3], "the balance now")
        _ = try await store.awardPoints(award: PointsAward(gridId: f.grid, volunteerId: "v-0001", points: 4, reason: "义务巡逻", on: today))
        balances = try await seen.waitFor(count: 2)
        XCTAssertEqual(balances, [3, 7], "after an award")
        consumer.cancel()
    }
}
