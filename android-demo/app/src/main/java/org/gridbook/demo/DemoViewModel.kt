package org.gridbook.demo

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import org.gridbook.core.WorkerRole
import org.gridbook.demo.logic.ConflictsModel
import org.gridbook.demo.logic.EventsModel
import org.gridbook.demo.logic.HouseholdModel
import org.gridbook.demo.logic.HouseholdState
import org.gridbook.demo.logic.MapModel
import org.gridbook.demo.logic.MemberRow
import org.gridbook.demo.logic.PointsModel
import org.gridbook.demo.logic.SearchModel
import org.gridbook.demo.logic.StoreCalls
import org.gridbook.demo.logic.SyncModel
import org.gridbook.demo.logic.SystemClock
import org.gridbook.demo.logic.TodayModel
import org.gridbook.demo.logic.TodayState
import org.gridbook.demo.logic.VisitFormModel
import org.gridbook.demo.logic.describe

/** The screens, as a back stack kept in the view model (it survives rotation). */
sealed class Screen {
    object Today : Screen()
    data class Household(val model: HouseholdModel) : Screen()
    /** Logging a visit; [members] are the household's, for "who was seen". */
    data class Visit(val model: VisitFormModel, val members: List<MemberRow>) : Screen()
    object Conflicts : Screen()
    object Events : Screen()
    data class GridMap(val model: MapModel) : Screen()
    data class Search(val model: SearchModel) : Screen()
    data class Points(val model: PointsModel) : Screen()
    object Setup : Screen()
}

/** The store once opened, with the models that live as long as it. */
class Session(val calls: StoreCalls, val today: TodayModel, val sync: SyncModel, val conflicts: ConflictsModel, val events: EventsModel)

sealed class SessionState {
    object NeedsSetup : SessionState()
    object Opening : SessionState()
    data class Open(val session: Session) : SessionState()
    data class Failed(val message: String) : SessionState()
}

/**
 * The Android side of the logic models: creates them on [viewModelScope]
 * in viewModelScope (the store's calls are suspend functions), and keeps the back stack.
 */
class DemoViewModel(application: Application) : AndroidViewModel(application) {
    private val app = application as GridbookApp
    private val location = AndroidLocationSource(application)

    private val sessionState = MutableStateFlow<SessionState>(SessionState.NeedsSetup)
    val session: StateFlow<SessionState> = sessionState.asStateFlow()

    private val stack = MutableStateFlow<List<Screen>>(listOf(Screen.Today))
    val backStack: StateFlow<List<Screen>> = stack.asStateFlow()

    init {
        if (app.settings.identity != null) open() else stack.value = listOf(Screen.Setup)
    }

    val serverUrl: String get() = app.settings.serverUrl

    fun saveSetup(workerId: String, name: String, role: WorkerRole, serverUrl: String, token: String) {
        app.settings.save(workerId, name, role, serverUrl, token)
        stack.value = listOf(Screen.Today)
        if (sessionState.value !is SessionState.Open) open()
    }

    private fun open() {
        val identity = app.settings.identity ?: return
        sessionState.value = SessionState.Opening
        viewModelScope.launch {
            try {
                val store = app.openStore(identity)
                val calls = StoreCalls(store)
                val session = Session(
                    calls = calls,
                    today = TodayModel(calls, SystemClock, viewModelScope, location = location),
                    sync = SyncModel(calls, viewModelScope) { app.settings.server },
                    conflicts = ConflictsModel(calls, SystemClock, viewModelScope),
                    events = EventsModel(calls, SystemClock, viewModelScope),
                )
                sessionState.value = SessionState.Open(session)
                // The screens follow the store's live queries: a visit logged
                // or a sync applied reaches them with no reload from here.
                session.today.observe()
                session.sync.observe()
            } catch (e: Exception) {
                sessionState.value = SessionState.Failed(describe(e))
            }
        }
    }

    private fun openSession(): Session? = (sessionState.value as? SessionState.Open)?.session

    private fun gridId(): String? = (openSession()?.today?.state?.value as? TodayState.Loaded)?.gridId

    fun openHousehold(householdId: String) {
        val session = openSession() ?: return
        val model = HouseholdModel(session.calls, viewModelScope, householdId)
        model.observe()
        stack.value = stack.value + Screen.Household(model)
    }

    fun logVisit(household: HouseholdModel) {
        val session = openSession() ?: return
        val members = (household.state.value as? HouseholdState.Loaded)?.members.orEmpty()
        val form = VisitFormModel(session.calls, SystemClock, location, viewModelScope, household.householdId)
        stack.value = stack.value + Screen.Visit(form, members)
    }

    fun openConflicts() {
        val session = openSession() ?: return
        gridId()?.let { session.conflicts.observe(it) }
        stack.value = stack.value + Screen.Conflicts
    }

    fun openEvents() {
        val session = openSession() ?: return
        gridId()?.let { session.events.observe(it) }
        stack.value = stack.value + Screen.Events
    }

    /** The grid's map (GCJ-02, for Amap or Tencent) and its buildings. */
    fun openMap() {
        val session = openSession() ?: return
        val gridId = gridId() ?: return
        val model = MapModel(session.calls, SystemClock, viewModelScope)
        model.observe(gridId)
        stack.value = stack.value + Screen.GridMap(model)
    }

    fun openSearch() {
        val session = openSession() ?: return
        val gridId = gridId() ?: return
        stack.value = stack.value + Screen.Search(SearchModel(session.calls, viewModelScope, gridId))
    }

    /** The month's points board and a volunteer's ledger. */
    fun openPoints() {
        val session = openSession() ?: return
        val gridId = gridId() ?: return
        val model = PointsModel(session.calls, SystemClock, viewModelScope, gridId)
        model.observe()
        stack.value = stack.value + Screen.Points(model)
    }

    /** The grid the screens show, for a report. */
    fun currentGridId(): String? = gridId()

    fun openSetup() {
        stack.value = stack.value + Screen.Setup
    }

    /** Pops a screen; false when on the first one (the activity then finishes). */
    fun back(): Boolean {
        if (stack.value.size <= 1) return false
        // The screen goes: its live query stops, so the store drops its listener.
        when (val top = stack.value.last()) {
            is Screen.Household -> top.model.close()
            Screen.Conflicts -> openSession()?.conflicts?.close()
            Screen.Events -> openSession()?.events?.close()
            is Screen.GridMap -> top.model.close()
            is Screen.Points -> top.model.close()
            else -> Unit
        }
        stack.value = stack.value.dropLast(1)
        return true
    }

    override fun onCleared() {
        // A sync in progress stops (what it applied stays applied); the live
        // queries end with viewModelScope, which is cancelled now too.
        openSession()?.sync?.close()
    }
}
