import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

final class PointsModelTests: XCTestCase {
    private static let clock = FixedClock(2025, 6, 16, 8, 0)

    func testTheBoardAndTheLedgerFollowAwardsAndAnExchangeBeyondTheBalanceIsRefused() async throws {
        try await Self.boardAndLedger(try tempDir(self, "points"))
    }

    @MainActor
    private static func boardAndLedger(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let g = try await grid(env.store, "101")
        _ = try await env.store.createPatrolTeam(gridId: g.id, name: "夜巡队", members: [
            TeamMember(memberId: "v-0001", name: "赵师傅"), TeamMember(memberId: "v-0002", name: "钱阿姨"),
            TeamMember(memberId: "w-zhang", name: "张伟"),
        ])
        let model = PointsModel(calls: env.calls, clock: clock, gridId: g.id)
        model.observe()
        model.select(volunteerId: "v-0001")
        _ = try await awaitState(model.state, "an empty account") { $0.account?.balance == 0 }

        await model.award(volunteerId: "v-0002", points: 3, reason: "义务巡逻")
        await model.award(volunteerId: "v-0001", points: 5, reason: " 清理楼道杂物 ")
        let board = try await awaitState(model.state, "the board") { $0.board.count == 2 }.board
        XCTAssertEqual(board, [
            BoardRow(place: 1, volunteerId: "v-0001", name: "赵**", points: 5),
            BoardRow(place: 2, volunteerId: "v-0002", name: "钱**", points: 3),
        ], "by points, names masked")
        let account = try await awaitState(model.state, "the award") { $0.account?.balance == 5 }.account
        XCTAssertEqual(account, AccountView(
            volunteerId: "v-0001", name: "赵**", balance: 5,
            entries: [LedgerRow(kind: "奖励积分", points: 5, on: day(2025, 6, 16), note: "清理楼道杂物")]
        ))

        await model.spend(volunteerId: "v-0001", points: 6, item: "大米一袋")
        XCTAssertEqual(model.state.value.error, "积分：超过了积分余额")
        XCTAssertEqual(model.state.value.account?.balance, 5, "nothing stored")

        await model.spend(volunteerId: "v-0001", points: 2, item: "大米一袋")
        let after = try await awaitState(model.state, "the exchange") { $0.account?.balance == 3 }
        XCTAssertNil(after.error)
        XCTAssertEqual(after.account?.entries.map(\.kind), ["兑换", "奖励积分"], "newest first")
        XCTAssertEqual(after.account?.entries.map(\.points), [-2, 5])

        await model.award(volunteerId: "w-zhang", points: 1, reason: "值班")
        XCTAssertEqual(model.state.value.error, "志愿者：不是本网格的志愿者（积分只给志愿者，不给工作人员）", "never for paid staff")
        model.close()
    }
}
