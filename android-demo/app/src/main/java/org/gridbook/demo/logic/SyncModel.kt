package org.gridbook.demo.logic

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import org.gridbook.core.GridbookException
import org.gridbook.core.SyncProgress
import org.gridbook.defaultSyncSettings
import org.gridbook.sync
import org.gridbook.syncStatusFlow

/** Where to sync: the district server and this device's token (issued by `gridbook-server admin issue-token`). */
data class SyncConfig(val serverUrl: String, val token: String)

/**
 * What waits for the server, for the panel's badge: the changes not sent yet
 * (held ones included) and one line per grid the server refused
 * ([Labels.blockedGrid]).
 */
data class SyncBadge(val unsentChanges: Long, val blocked: List<String>)

sealed class SyncState {
    /** Not syncing, and no sync ran yet. */
    object Idle : SyncState()

    /** Running: the last step reported (null before the first), and whether cancel was asked. */
    data class Running(val progress: SyncProgress?, val cancelling: Boolean) : SyncState()

    data class Done(val report: SyncProgress) : SyncState()

    /** Cancelled; what the rounds before applied stays applied. */
    object Cancelled : SyncState()

    /** [message] names the problem (never a token or data); [needsNewToken] for a revoked or wrong token. */
    data class Failed(val message: String, val needsNewToken: Boolean) : SyncState()

    /** No server configured yet. */
    object NotConfigured : SyncState()
}

/**
 * The sync button: one sync at a time, progress (stage, round trips, bytes)
 * from the core's listener, cancellation by cancelling the sync's coroutine
 * (the Stop button; cancelling [scope] does it too). The sync is a suspend
 * call; the listener runs on the library's thread and only sets the state flow.
 * The badge ([status]) follows the store's sync status live: a local edit,
 * a sync round or a refusal changes it with no re-read by the app.
 */
class SyncModel(
    private val calls: StoreCalls,
    private val scope: CoroutineScope,
    private val server: () -> SyncConfig?,
) {
    private val mutable = MutableStateFlow<SyncState>(SyncState.Idle)
    val state: StateFlow<SyncState> = mutable.asStateFlow()

    private val badge = MutableStateFlow<SyncBadge?>(null)

    /** What waits to be sent, once [observe] read it (null before). */
    val status: StateFlow<SyncBadge?> = badge.asStateFlow()

    @Volatile
    private var running: Job? = null

    @Volatile
    private var cancelling = false

    /** Counts the syncs started, so that a finished one's late progress is ignored. */
    private var generation = 0L

    /** The last sync that ended. */
    private var ended = 0L

    @Volatile
    private var watching: Job? = null

    /** Starts following the store's sync status in the model's scope; [close] stops it. */
    fun observe(): Job {
        watching?.cancel()
        val store = calls.store
        return scope.launch {
            try {
                store.syncStatusFlow().collect { status ->
                    // A refused grid is named by the phone's copy of it, when it has one.
                    val names = if (status.blockedGrids.isEmpty()) emptyMap() else store.grids().associate { it.id to it.name }
                    badge.value = SyncBadge(status.unsentChanges, status.blockedGrids.map { Labels.blockedGrid(it, names[it.gridId]) })
                }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                if (running == null) mutable.value = SyncState.Failed(describe(e), needsNewToken = false)
            }
        }.also { watching = it }
    }

    /** Stops following the sync status and cancels a running sync (the app goes). */
    fun close() {
        cancel()
        watching?.cancel()
    }

    /** Starts a sync unless one is running; returns its job, or null if none was started. */
    fun start(): Job? {
        val config = server()
        if (config == null) {
            mutable.value = SyncState.NotConfigured
            return null
        }
        val server = org.gridbook.SyncServer(url = config.serverUrl, token = config.token, settings = defaultSyncSettings())
        synchronized(this) {
            if (running != null) return null
            generation += 1
            cancelling = false
            mutable.value = SyncState.Running(progress = null, cancelling = false)
            // UNDISPATCHED: the sync's call is made before start() returns, so a
            // cancel() right after it cancels the sync rather than a job that
            // never ran (whose body, resetting the state, would never run).
            val current = generation
            return scope.launch(start = CoroutineStart.UNDISPATCHED) { run(server, current) }.also { running = it }
        }
    }

    private suspend fun run(server: org.gridbook.SyncServer, run: Long) {
        val result = try {
            val report = calls.write { store ->
                store.sync(server) { progress ->
                    // The core's thread may report once more after a cancelled
                    // job ended: only this run, while it runs, shows progress.
                    synchronized(this@SyncModel) {
                        if (generation == run && ended != run) mutable.value = SyncState.Running(progress, cancelling)
                    }
                }
            }
            SyncState.Done(report)
        } catch (e: CancellationException) {
            // cancel() cancelled the job: the library stopped the sync.
            SyncState.Cancelled
        } catch (e: GridbookException.Cancelled) {
            SyncState.Cancelled
        } catch (e: GridbookException) {
            SyncState.Failed(describe(e), needsNewToken = e is GridbookException.Unauthorized)
        } finally {
            synchronized(this@SyncModel) {
                running = null
                ended = run
            }
        }
        synchronized(this) { mutable.value = result }
    }

    /** Asks the running sync to stop; it ends as [SyncState.Cancelled] (what was applied stays). */
    fun cancel() {
        val job = synchronized(this) { running } ?: return
        cancelling = true
        // Cancelling the coroutine cancels the sync (uniffi drops its future,
        // whose guard stops the core's sync); nothing can slip between.
        job.cancel()
        val current = mutable.value
        if (current is SyncState.Running) mutable.value = current.copy(cancelling = true)
    }
}
