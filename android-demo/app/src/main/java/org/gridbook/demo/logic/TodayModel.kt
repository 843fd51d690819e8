package org.gridbook.demo.logic

import java.time.LocalDate
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.flatMapLatest
import kotlinx.coroutines.flow.flowOf
import kotlinx.coroutines.launch
import org.gridbook.core.LiveQuery
import org.gridbook.core.VisitDue
import org.gridbook.core.VisitPolicy
import org.gridbook.careCategories
import org.gridbook.liveQuery

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
    /** The date the household fell due; null if no visit ever reached it. */
    val dueOn: LocalDate?,
    val daysOverdue: Int,
    /** The visiting interval that applies to the household, in days. */
    val intervalDays: Int,
)

sealed class TodayState {
    object Loading : TodayState()

    /** The store holds no active grid yet (first start: sync to receive one). */
    object NoGrid : TodayState()

    data class Loaded(val gridId: String, val gridName: String, val today: LocalDate, val rows: List<DueRow>) : TodayState()

    data class Failed(val message: String) : TodayState()
}

/**
 * Today's households to visit, for the first active grid of the store: the
 * core's `visitsDue` under [policy] (null: the core's default policy), kept
 * current by the store's live query. Who is due and the order, most urgent
 * first, are the core's; this only shows them. Nobody re-reads it after an
 * edit or a sync: the core signals every change that affects the list.
 */
class TodayModel(
    private val calls: StoreCalls,
    private val clock: Clock,
    private val scope: CoroutineScope,
    private val policy: VisitPolicy? = null,
    private val location: LocationSource? = null,
    private val locationTimeoutMs: Long = 15_000,
) {
    private val mutable = MutableStateFlow<TodayState>(TodayState.Loading)
    val state: StateFlow<TodayState> = mutable.asStateFlow()

    private val routeState = MutableStateFlow<RouteState>(RouteState.Idle)

    /** The order to climb today: see [planRoute]. */
    val route: StateFlow<RouteState> = routeState.asStateFlow()

    @Volatile
    private var watching: Job? = null

    @Volatile
    private var routing: Job? = null

    /**
     * Starts following the list in the model's scope (a second call restarts
     * it); [close] or cancelling the scope stops it and removes the store's
     * listeners.
     */
    @OptIn(ExperimentalCoroutinesApi::class)
    fun observe(): Job {
        watching?.cancel()
        val store = calls.store
        return scope.launch {
            try {
                val labels = careLabels()
                // No live query lists the grids. A grid arrives by a sync
                // round or is created here, and both change what waits to be
                // sent, so the sync status's signal re-reads which grid to show.
                store.liveQuery(LiveQuery.SyncStatus) { store.grids().firstOrNull { !it.retired } }
                    .distinctUntilChanged()
                    .flatMapLatest { grid ->
                        if (grid == null) {
                            flowOf(TodayState.NoGrid)
                        } else {
                            // visitsDueFlow with the model's clock for "today"
                            // (the store's would be the phone's date, which tests
                            // cannot fix): re-read on every change to the grid's
                            // households, residents or visits.
                            store.liveQuery(LiveQuery.VisitsDue(grid.id)) {
                                val today = clock.today()
                                TodayState.Loaded(grid.id, grid.name, today, store.visitsDue(grid.id, today, policy).map { row(it, labels) })
                            }
                        }
                    }
                    .collect { mutable.value = it }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                mutable.value = TodayState.Failed(describe(e))
            }
        }.also { watching = it }
    }

    /**
     * Asks the phone for its position once, then follows the core's walking
     * route from there through the grid's households due today (the shown
     * grid, once loaded): the route is re-read after every change to the
     * plan, a visit logged takes its room off. Without a fix the core
     * starts the walk wherever it is shortest. A second call re-locates.
     */
    fun planRoute(): Job {
        routing?.cancel()
        val store = calls.store
        return scope.launch {
            try {
                val loaded = state.first { it !is TodayState.Loading }
                val gridId = (loaded as? TodayState.Loaded)?.gridId ?: return@launch
                routeState.value = RouteState.Locating
                val fix = location?.currentFix(locationTimeoutMs) as? LocationResult.Fix
                val from = fix?.toGpsFix()?.point
                store.liveQuery(LiveQuery.VisitsDue(gridId)) { store.walkingRoute(gridId, clock.today(), policy, from) }
                    .collect { routeState.value = routeLoaded(it, fromHere = from != null) }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                routeState.value = RouteState.Failed(describe(e))
            }
        }.also { routing = it }
    }

    /** Stops following the list and the route (the screen went); the last states stay. */
    fun close() {
        watching?.cancel()
        routing?.cancel()
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
