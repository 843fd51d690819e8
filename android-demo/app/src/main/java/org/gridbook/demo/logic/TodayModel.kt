package org.gridbook.demo.logic

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import org.gridbook.Store
import org.gridbook.careCategories
import java.time.LocalDate

/** One household on today's list, ready to show. */
data class DueRow(
    val householdId: String,
    /** "3栋 1单元 502". */
    val address: String,
    val memberCount: Int,
    /** Labels of the members' care categories ("独居老人"), in the core's order. */
    val care: List<String>,
    /** Date of the last visit (`YYYY-MM-DD`), null if never visited. */
    val lastVisit: String?,
    /** When the next visit is due (`YYYY-MM-DD`), null if never visited (due now). */
    val dueOn: String?,
    val daysOverdue: Int,
    /** The visiting interval that applies to the household, in days. */
    val intervalDays: Int,
)

/**
 * Where today's list comes from: the core's query, called on the store
 * dispatcher. It decides who is due and the order (most urgent first); the
 * app only shows it.
 */
fun interface DueHouseholds {
    fun due(store: Store, gridId: String, today: LocalDate): List<DueRow>
}

sealed class TodayState {
    object Loading : TodayState()

    /** The store holds no active grid yet (first start: sync to receive one). */
    object NoGrid : TodayState()

    data class Loaded(val gridId: String, val gridName: String, val today: String, val rows: List<DueRow>) : TodayState()

    data class Failed(val message: String) : TodayState()
}

/** Today's households to visit, for the first active grid of the store (or [refresh]'s grid). */
class TodayModel(
    private val calls: StoreCalls,
    private val clock: Clock,
    private val scope: CoroutineScope,
    private val source: DueHouseholds,
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
                    val today = clock.today()
                    TodayState.Loaded(grid.id, grid.name, today.toString(), source.due(store, grid.id, today))
                }
            }
        } catch (e: Exception) {
            TodayState.Failed(describe(e))
        }
    }

    companion object {
        /** The care categories' labels from the core (code to label). */
        fun careLabels(): Map<String, String> = careCategories().associate { it.code to it.label }
    }
}
