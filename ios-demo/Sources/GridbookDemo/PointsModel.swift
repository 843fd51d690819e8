import Foundation
import Gridbook

/// A place on the month's board (积分明星榜); the name masked by the core.
public struct BoardRow: Equatable, Sendable {
    public var place: Int
    public var volunteerId: String
    public var name: String
    public var points: Int64
}

/// A line of a volunteer's ledger, newest first: "奖励积分 +5 清理楼道杂物".
public struct LedgerRow: Equatable, Sendable {
    public var kind: String
    public var points: Int64
    public var on: DateComponents
    public var note: String
}

/// A volunteer's account as shown.
public struct AccountView: Equatable, Sendable {
    public var volunteerId: String
    public var name: String
    public var balance: Int64
    public var entries: [LedgerRow]
}

public struct PointsState: Equatable, Sendable {
    public var board: [BoardRow] = []
    public var account: AccountView?
    /// Why the last award or exchange was refused (names the field, never the value).
    public var error: String?

    public init() {}
}

/// Volunteer points (志愿服务积分) of a grid: the month's board and one
/// volunteer's balance and ledger, both live (an award, an exchange or a
/// patrol check-in merged by a sync reaches them by itself); the grid head
/// awards with a reason, an exchange beyond the balance is refused by the
/// core (`exceedsBalance`) and shown in Chinese.
@MainActor
public final class PointsModel {
    public let state = StateCell(PointsState())
    public let gridId: String
    private let calls: StoreCalls
    private let clock: Clock
    private let boardSize: UInt32
    private var watchingBoard: Task<Void, Never>?
    private var watchingAccount: Task<Void, Never>?

    public init(calls: StoreCalls, clock: Clock, gridId: String, boardSize: UInt32 = 10) {
        self.calls = calls
        self.clock = clock
        self.gridId = gridId
        self.boardSize = boardSize
    }

    deinit {
        watchingBoard?.cancel()
        watchingAccount?.cancel()
    }

    /// Starts following the month's board; `close` stops it.
    public func observe() {
        watchingBoard?.cancel()
        let store = calls.store
        let (gridId, clock, size) = (gridId, clock, boardSize)
        let updates = store.liveQuery(.points(gridId: gridId)) {
            try await store.pointsBoard(gridId: gridId, month: clock.today(), limit: size)
        }
        watchingBoard = Task { [weak self] in
            do {
                for try await board in updates {
                    self?.state.value.board = board.map {
                        BoardRow(place: Int($0.place), volunteerId: $0.volunteer.volunteerId, name: $0.volunteer.displayName, points: $0.points)
                    }
                }
            } catch {
                self?.state.value.error = describe(error)
            }
        }
    }

    /// Shows one volunteer's balance and ledger, live.
    public func select(volunteerId: String) {
        watchingAccount?.cancel()
        let updates = calls.store.pointsAccountUpdates(gridId: gridId, volunteerId: volunteerId, today: clock.today())
        watchingAccount = Task { [weak self] in
            do {
                for try await account in updates {
                    self?.state.value.account = AccountView(
                        volunteerId: account.volunteer.volunteerId,
                        name: account.volunteer.displayName,
                        balance: account.balance,
                        entries: account.entries.map {
                            LedgerRow(kind: pointsEntryKindLabel(value: $0.kind), points: $0.points, on: $0.on, note: $0.note)
                        }
                    )
                }
            } catch {
                self?.state.value.error = describe(error)
            }
        }
    }

    /// The grid head awards `points` with a `reason` (奖励积分).
    public func award(volunteerId: String, points: UInt32, reason: String) async {
        let award = PointsAward(
            gridId: gridId, volunteerId: volunteerId, points: points,
            reason: reason.trimmingCharacters(in: .whitespaces), on: clock.today()
        )
        await write { try await $0.awardPoints(award: award) }
    }

    /// An exchange (兑换) of `points` for `item`; never undone.
    public func spend(volunteerId: String, points: UInt32, item: String) async {
        let spending = PointsSpending(
            gridId: gridId, volunteerId: volunteerId, points: points,
            item: item.trimmingCharacters(in: .whitespaces), on: clock.today()
        )
        await write { try await $0.spendPoints(spending: spending) }
    }

    public func close() {
        watchingBoard?.cancel()
        watchingAccount?.cancel()
        watchingBoard = nil
        watchingAccount = nil
    }

    private func write(_ body: @Sendable (Store) async throws -> String) async {
        state.value.error = nil
        do {
            _ = try await calls.write(body)
        } catch {
            state.value.error = describe(error)
        }
    }
}
