package org.gridbook.demo.logic

import java.time.LocalDate
import kotlinx.coroutines.runBlocking
import org.gridbook.core.TeamMember
import org.junit.Test
import kotlin.test.assertEquals

class PointsModelTest {
    private val clock = FixedClock.at(2025, 6, 16, 8, 0)

    @Test
    fun theBoardAndTheLedgerFollowAwardsAndAnExchangeBeyondTheBalanceIsRefused(): Unit = runBlocking {
        Env(openStore(tempDir("points"), "w-zhang")).use { env ->
            val g = grid(env.store, "101")
            env.store.createPatrolTeam(
                g.id, "夜巡队",
                listOf(TeamMember(memberId = "v-0001", name = "赵师傅"), TeamMember(memberId = "v-0002", name = "钱阿姨"), TeamMember(memberId = "w-zhang", name = "张伟")),
            )
            val model = PointsModel(env.calls, clock, env.scope, g.id)
            model.observe()
            model.select("v-0001")
            awaitState(model.state, "an empty account") { it.account?.balance == 0L }

            model.award("v-0002", 3, "义务巡逻").join()
            model.award("v-0001", 5, " 清理楼道杂物 ").join()
            val board = awaitState(model.state, "the board") { it.board.size == 2 }.board
            assertEquals(listOf(BoardRow(1, "v-0001", "赵**", 5), BoardRow(2, "v-0002", "钱**", 3)), board, "by points, names masked")
            val account = awaitState(model.state, "the award") { it.account?.balance == 5L }.account
            assertEquals(AccountView("v-0001", "赵**", 5, listOf(LedgerRow("奖励积分", 5, LocalDate.of(2025, 6, 16), "清理楼道杂物"))), account)

            model.spend("v-0001", 6, "大米一袋").join()
            assertEquals("积分：超过了积分余额", model.state.value.error)
            assertEquals(5L, model.state.value.account?.balance, "nothing stored")

            model.spend("v-0001", 2, "大米一袋").join()
            val after = awaitState(model.state, "the exchange") { it.account?.balance == 3L }
            assertEquals(null, after.error)
            assertEquals(listOf("兑换" to -2L, "奖励积分" to 5L), after.account!!.entries.map { it.kind to it.points }, "newest first")

            model.award("w-zhang", 1, "值班").join()
            assertEquals("志愿者：不是本网格的志愿者（积分只给志愿者，不给工作人员）", model.state.value.error, "never for paid staff")
            model.close()
        }
    }
}
