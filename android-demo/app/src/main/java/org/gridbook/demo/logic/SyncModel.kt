package org.gridbook.demo.logic

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.withContext
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import org.gridbook.core.GridbookException
import org.gridbook.core.SyncProgress
import org.gridbook.core.SyncStage
import org.gridbook.defaultSyncSettings
import org.gridbook.sync

/** Where to sync: the district server and this device's token (issued by `gridbook-server admin issue-token`). */
data class SyncConfig(val serverUrl: String, val token: String)

sealed class SyncState {
    /** Not syncing; [unsentChanges] edits wait for the server. */
    data class Idle(val unsentChanges: Long) : SyncState()

    /** Running: the last step reported (null before the first), and whether cancel was asked. */
    data class Running(val progress: SyncProgress?, val cancelling: Boolean) : SyncState()

    data class Done(val report: SyncProgress) : SyncState()

    data class Cancelled(val unsentChanges: Long) : SyncState()

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
 */
class SyncModel(
    private val calls: StoreCalls,
    private val scope: CoroutineScope,
    private val server: () -> SyncConfig?,
) {
    private val mutable = MutableStateFlow<SyncState>(SyncState.Idle(0L))
    val state: StateFlow<SyncState> = mutable.asStateFlow()

    @Volatile
    private var running: Job? = null

    @Volatile
    private var cancelling = false

    /** Reads how much waits to be sent (for the idle state). */
    fun refreshStatus(): Job = scope.launch {
        if (running != null) return@launch
        try {
            val status = calls.read { it.syncStatus() }
            if (running == null) mutable.value = SyncState.Idle(status.unsentChanges)
        } catch (e: Exception) {
            mutable.value = SyncState.Failed(describe(e), needsNewToken = false)
        }
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
            cancelling = false
            mutable.value = SyncState.Running(progress = null, cancelling = false)
            // UNDISPATCHED: the sync's call is made before start() returns, so a
            // cancel() right after it cancels the sync rather than a job that
            // never ran (whose body, resetting the state, would never run).
            return scope.launch(start = CoroutineStart.UNDISPATCHED) { run(server) }.also { running = it }
        }
    }

    private suspend fun run(server: org.gridbook.SyncServer) {
        val result = try {
            val report = calls.write { store ->
                store.sync(server) { progress -> mutable.value = SyncState.Running(progress, cancelling) }
            }
            SyncState.Done(report)
        } catch (e: CancellationException) {
            // cancel() cancelled the job: the library stopped the sync.
            SyncState.Cancelled(withContext(NonCancellable) { unsent() })
        } catch (e: GridbookException.Cancelled) {
            SyncState.Cancelled(unsent())
        } catch (e: GridbookException) {
            SyncState.Failed(describe(e), needsNewToken = e is GridbookException.Unauthorized)
        } finally {
            synchronized(this@SyncModel) { running = null }
        }
        mutable.value = result
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

    private suspend fun unsent(): Long = try {
        calls.read { it.syncStatus().unsentChanges }
    } catch (e: GridbookException) {
        0L
    }

    companion object {
        /** Whether a state is a finished sync that changed the store's data (the screens then reload). */
        fun finished(state: SyncState): Boolean = state is SyncState.Done && state.report.stage == SyncStage.DONE
    }
}
