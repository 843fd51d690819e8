package org.gridbook.demo.logic

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import org.gridbook.core.VisitDue
import org.gridbook.core.VisitPolicy
import org.gridbook.careCategories

/** One household on today's list, ready to show. */
data class DueRow(
    val householdId: String,
    /** "3栋 1单元 502". */
    val address: String,
    val memberCount: Int,
    /** Labels of the active members' care categories ("独居老人"). */
    val care: List<String>,
    /** The latest visit of any outcome ("2025-06-10 09:30"), null if never visited. */
    val lastVisit: String?,
    /** The date the household fell due (`YYYY-MM-DD`); null if no visit ever reached it. */
    val dueOn: String?,
    val daysOverdue: Int,
    /** The visiting interval that applies to the household, in days. */
    val intervalDays: Int,
)

sealed class TodayState {
    object Loading : TodayState()

    /** The store holds no active grid yet (first start: sync to receive one). */
    object NoGrid : TodayState()

    data class Loaded(val gridId: String, val gridName: String, val today: String, val rows: List<DueRow>) : TodayState()

    data class Failed(val message: String) : TodayState()
}

/**
 * Today's households to visit, for the first active grid of the store (or
 * [refresh]'s grid): the core's `visitsDue` under [policy] (null: the core's
 * default policy). Who is due and the order, most urgent first, are the
 * core's; this only shows them.
 */
class TodayModel(
    private val calls: StoreCalls,
    private val clock: Clock,
    private val scope: CoroutineScope,
    private val policy: VisitPolicy? = null,
) {
    private val mutable = MutableStateFlow<TodayState>(TodayState.Loading)
    val state: StateFlow<TodayState> = mutable.asStateFlow()

    /** Reloads the list; [gridId] null keeps the current grid or takes the first active one. */
    fun refresh(gridId: String? = null): Job = scope.launch {
        val current = (mutable.value as? TodayState.Loaded)?.gridId
        mutable.value = try {
            calls.read { store ->
                val grids = store.grids().filter { !it.retired }
                val grid = grids.firstOrNull { it.id == (gridId ?: current) } ?: grids.firstOrNull()
                if (grid == null) {
                    TodayState.NoGrid
                } else {
                    val today = clock.today().toString()
                    val labels = careLabels()
                    TodayState.Loaded(grid.id, grid.name, today, store.visitsDue(grid.id, today, policy).map { row(it, labels) })
                }
            }
        } catch (e: Exception) {
            TodayState.Failed(describe(e))
        }
    }

    private fun row(due: VisitDue, labels: Map<String, String>) = DueRow(
        householdId = due.household.id,
        address = Labels.address(due.household),
        memberCount = due.memberCount,
        care = due.careCategories.map { Labels.care(it, labels) },
        lastVisit = due.lastVisit?.let(Labels::time),
        dueOn = due.dueOn,
        daysOverdue = due.daysOverdue,
        intervalDays = due.intervalDays,
    )

    companion object {
        /** The care categories' labels from the core (code to label). */
        fun careLabels(): Map<String, String> = careCategories().associate { it.code to it.label }
    }
}
