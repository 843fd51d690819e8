// Volunteer points from Kotlin: awards, an exchange refused beyond the
// balance, staff who never hold points, the monthly board, and the account
// as a live Flow.
package org.gridbook.tests

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.gridbook.*
import org.gridbook.core.*

fun pointsTests(r: Runner) {
    r.test("points: awards and an exchange make the balance, staff hold none, the board masks names") {
        openStore(tempDir("points"), "w-zhang").use { store ->
            val f = fixture(store)
            store.createPatrolTeam(f.grid, "夜巡队", listOf(TeamMember(memberId = "v-0001", name = "赵师傅"), TeamMember(memberId = "w-zhang", name = "张伟")))
            val today = store.today()
            assertEq(60u, defaultPointsRule().minutesPerPoint, "one point an hour")
            assertEq(PointsExpiry.AfterYears(3u), defaultPointsRule().expiry, "kept three years")
            assertEq(listOf("v-0001" to VolunteerSource.TEAM_MEMBER), store.volunteers(f.grid).map { it.volunteerId to it.source }, "the grid head is staff")

            store.awardPoints(PointsAward(gridId = f.grid, volunteerId = "v-0001", points = 5u, reason = "清理楼道杂物", on = today))
            val spent = assertThrows<GridbookException.Invalid>("more than the balance") {
                store.spendPoints(PointsSpending(gridId = f.grid, volunteerId = "v-0001", points = 6u, item = "大米一袋", on = today))
            }
            assertEq("points" to InvalidReason.ExceedsBalance, spent.field to spent.reason, "named")
            store.spendPoints(PointsSpending(gridId = f.grid, volunteerId = "v-0001", points = 2u, item = "大米一袋", on = today))
            val staff = assertThrows<GridbookException.Invalid>("the grid head") {
                store.awardPoints(PointsAward(gridId = f.grid, volunteerId = "w-zhang", points = 1u, reason = "值班", on = today))
            }
            assertEq("volunteerId" to InvalidReason.NotAVolunteer, staff.field to staff.reason, "never for paid staff")

            val account = store.pointsAccount(f.grid, "v-0001", today)
            assertEq(3L, account.balance, "5 - 2")
            assertEq(listOf(PointsEntryKind.SPEND to -2L, PointsEntryKind.AWARD to 5L), account.entries.map { it.kind to it.points }, "newest first")
            assertEq("赵**", account.volunteer.displayName, "masked")
            val board = store.pointsBoard(f.grid, today, 10u)
            assertEq(listOf(Triple(1u, "赵**", 5L)), board.map { Triple(it.place, it.volunteer.displayName, it.points) }, "the month's board")

            val rule = PointsRule(minutesPerPoint = 30u, expiry = PointsExpiry.YearEnd)
            store.setPointsRule(f.grid, today, rule)
            assertEq(listOf(rule), store.pointsRules(f.grid).map { it.rule }, "the rule as set")
            val bad = assertThrows<GridbookException.Invalid>("a rule out of bounds") {
                store.setPointsRule(f.grid, today, PointsRule(minutesPerPoint = 30u, expiry = PointsExpiry.AfterYears(0u)))
            }
            assertEq("expiry.years" to InvalidReason.OutOfRange, bad.field to bad.reason, "named")

            runBlocking {
                val balances = Channel<Long>(Channel.UNLIMITED)
                val job = launch(Dispatchers.IO) { store.pointsAccountFlow(f.grid, "v-0001", today).collect { balances.send(it.balance) } }
                assertEq(3L, withTimeout(ARRIVAL_MS) { balances.receive() }, "the balance now")
                store.awardPoints(PointsAward(gridId = f.grid, volunteerId = "v-0001", points = 4u, reason = "义务巡逻", on = today))
                assertEq(7L, withTimeout(ARRIVAL_MS) { balances.receive() }, "after an award")
                job.cancelAndJoin()
            }
        }
    }
}
