// Live queries as Kotlin Flows: the current result first, then a fresh one
// each time a committed local edit, merge or rebuild affects the query, and
// only then. Which changes affect which query is decided in the core
// (LiveQuery, Store.subscribe); this file only re-reads. To add a live query:
// a LiveQuery variant in the core, then one line below.
package org.gridbook

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.channelFlow
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.withContext
import org.gridbook.core.ChangeOrigin
import org.gridbook.core.Conflict
import org.gridbook.core.Event
import org.gridbook.core.GridbookException
import org.gridbook.core.HouseholdDetail
import org.gridbook.core.PointsAccount
import org.gridbook.core.LiveQuery
import org.gridbook.core.PhotoInfo
import org.gridbook.core.RosterRow
import org.gridbook.core.SyncStatus
import org.gridbook.core.VisitDue
import org.gridbook.core.VisitPolicy

/**
 * A Flow of [read]'s result for [query]: emitted once at collection, then
 * again after every committed change that affects [query]. Changes arriving
 * while a read runs are conflated into one more read, and a slow collector
 * sees only the latest result. Reads run on `Dispatchers.IO`. The listener is
 * registered before the first read, so no change is missed, and removed when
 * the collector is cancelled. Closing the store ends the Flow with
 * [GridbookException.Closed].
 */
fun <T> Store.liveQuery(query: LiveQuery, read: suspend () -> T): Flow<T> = channelFlow {
    val changed = Channel<Unit>(Channel.CONFLATED)
    // Called on the thread that wrote: only signal, never read here.
    val listener = object : LiveQueryListener {
        override fun onChange(origin: ChangeOrigin) {
            changed.trySend(Unit)
        }
    }
    val id = subscribe(query, listener)
    try {
        send(read())
        for (signal in changed) send(read())
    } finally {
        withContext(NonCancellable) {
            try {
                unsubscribe(id)
            } catch (closed: GridbookException.Closed) {
                // The store was closed first; its listeners went with it.
            }
        }
    }
}.buffer(Channel.CONFLATED).flowOn(Dispatchers.IO)

/** The roster of a grid, live. */
fun Store.rosterFlow(gridId: String): Flow<List<RosterRow>> = liveQuery(LiveQuery.Roster(gridId)) { roster(gridId) }

/** One household with its residents and visits, live. */
fun Store.householdFlow(householdId: String): Flow<HouseholdDetail> = liveQuery(LiveQuery.Household(householdId)) { household(householdId) }

/** The households of a grid due for a visit today under [policy] (null: the default), live; re-read on changes, not at midnight. */
fun Store.visitsDueFlow(gridId: String, policy: VisitPolicy? = null): Flow<List<VisitDue>> = liveQuery(LiveQuery.VisitsDue(gridId)) { visitsDue(gridId, today(), policy) }

/** The conflicts of a grid, live. */
fun Store.conflictsFlow(gridId: String): Flow<List<Conflict>> = liveQuery(LiveQuery.Conflicts(gridId)) { conflicts(gridId) }

/** What waits to be sent, live: re-read after every local edit and every sync round. */
fun Store.syncStatusFlow(): Flow<SyncStatus> = liveQuery(LiveQuery.SyncStatus) { syncStatus() }

/** A grid's open events (neither closed nor cancelled), most urgent first, live. */
fun Store.openEventsFlow(gridId: String): Flow<List<Event>> = liveQuery(LiveQuery.Events(gridId)) { eventsOpen(gridId) }

/** The photos this phone holds for a grid with their upload states, live. */
fun Store.photoStatesFlow(gridId: String): Flow<List<PhotoInfo>> = liveQuery(LiveQuery.Photos(gridId)) { photoStates(gridId) }

/** A volunteer's points account on [today], live: re-read after an award, an exchange, a rule or a patrol check-in. */
fun Store.pointsAccountFlow(gridId: String, volunteerId: String, today: java.time.LocalDate): Flow<PointsAccount> =
    liveQuery(LiveQuery.Points(gridId)) { pointsAccount(gridId, volunteerId, today) }
