package org.gridbook.demo.logic

import java.time.LocalDate
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import org.gridbook.core.LiveQuery
import org.gridbook.core.PointsAccount
import org.gridbook.core.PointsAward
import org.gridbook.core.PointsSpending
import org.gridbook.liveQuery
import org.gridbook.pointsAccountFlow
import org.gridbook.pointsEntryKindLabel

/** A place on the month's board (积分明星榜); the name masked by the core. */
data class BoardRow(val place: Int, val volunteerId: String, val name: String, val points: Long)

/** A line of a volunteer's ledger, newest first: "奖励积分 +5 清理楼道杂物". */
data class LedgerRow(val kind: String, val points: Long, val on: LocalDate, val note: String)

/** A volunteer's account as shown. */
data class AccountView(val volunteerId: String, val name: String, val balance: Long, val entries: List<LedgerRow>)

data class PointsState(
    val board: List<BoardRow> = emptyList(),
    val account: AccountView? = null,
    /** Why the last award or exchange was refused (names the field, never the value). */
    val error: String? = null,
)

/**
 * Volunteer points (志愿服务积分) of a grid: the month's board and one
 * volunteer's balance and ledger, both live (an award, an exchange or a
 * patrol check-in merged by a sync reaches them by itself); the grid head
 * awards with a reason, an exchange beyond the balance is refused by the
 * core (`ExceedsBalance`) and shown in Chinese.
 */
class PointsModel(
    private val calls: StoreCalls,
    private val clock: Clock,
    private val scope: CoroutineScope,
    val gridId: String,
    private val boardSize: Int = 10,
) {
    private val mutable = MutableStateFlow(PointsState())
    val state: StateFlow<PointsState> = mutable.asStateFlow()

    @Volatile
    private var watchingBoard: Job? = null

    @Volatile
    private var watchingAccount: Job? = null

    /** Starts following the month's board; [close] stops it. */
    fun observe(): Job {
        watchingBoard?.cancel()
        val store = calls.store
        return scope.launch {
            follow {
                store.liveQuery(LiveQuery.Points(gridId)) { store.pointsBoard(gridId, clock.today(), boardSize.toUInt()) }
                    .collect { board ->
                        val rows = board.map { BoardRow(it.place.toInt(), it.volunteer.volunteerId, it.volunteer.displayName, it.points) }
                        mutable.update { it.copy(board = rows) }
                    }
            }
        }.also { watchingBoard = it }
    }

    /** Shows one volunteer's balance and ledger, live. */
    fun select(volunteerId: String): Job {
        watchingAccount?.cancel()
        return scope.launch {
            follow {
                calls.store.pointsAccountFlow(gridId, volunteerId, clock.today()).collect { account ->
                    mutable.update { it.copy(account = view(account)) }
                }
            }
        }.also { watchingAccount = it }
    }

    /** The grid head awards [points] with a [reason] (奖励积分). */
    fun award(volunteerId: String, points: Int, reason: String): Job = write {
        it.awardPoints(PointsAward(gridId = gridId, volunteerId = volunteerId, points = points.toUInt(), reason = reason.trim(), on = clock.today()))
    }

    /** An exchange (兑换) of [points] for [item]; never undone. */
    fun spend(volunteerId: String, points: Int, item: String): Job = write {
        it.spendPoints(PointsSpending(gridId = gridId, volunteerId = volunteerId, points = points.toUInt(), item = item.trim(), on = clock.today()))
    }

    fun close() {
        watchingBoard?.cancel()
        watchingAccount?.cancel()
    }

    private fun write(block: suspend (org.gridbook.Store) -> String): Job = scope.launch {
        mutable.update { it.copy(error = null) }
        try {
            calls.write(block)
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            mutable.update { it.copy(error = describe(e)) }
        }
    }

    private suspend fun follow(block: suspend () -> Unit) {
        try {
            block()
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            mutable.update { it.copy(error = describe(e)) }
        }
    }

    private fun view(a: PointsAccount) = AccountView(
        volunteerId = a.volunteer.volunteerId,
        name = a.volunteer.displayName,
        balance = a.balance,
        entries = a.entries.map { LedgerRow(pointsEntryKindLabel(it.kind), it.points, it.on, it.note) },
    )
}
