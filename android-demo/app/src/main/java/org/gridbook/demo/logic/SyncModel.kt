package org.gridbook.demo.logic

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import org.gridbook.CancelHandle
import org.gridbook.core.GridbookException
import org.gridbook.SyncClient
import org.gridbook.SyncListener
import org.gridbook.core.SyncProgress
import org.gridbook.core.SyncStage

/** Where to sync: the district server and this device's token (issued by `gridbook-server admin issue-token`). */
data class SyncServer(val serverUrl: String, val token: String)

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
 * from the core's listener, cancellation through a [CancelHandle]. The
 * blocking sync runs on the store dispatcher; the listener is called on that
 * thread and only sets the state flow.
 */
class SyncModel(
    private val calls: StoreCalls,
    private val scope: CoroutineScope,
    private val server: () -> SyncServer?,
) {
    private val mutable = MutableStateFlow<SyncState>(SyncState.Idle(0L))
    val state: StateFlow<SyncState> = mutable.asStateFlow()

    @Volatile
    private var running: CancelHandle? = null

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
        synchronized(this) {
            if (running != null) return null
            running = CancelHandle()
        }
        val handle = running!!
        mutable.value = SyncState.Running(progress = null, cancelling = false)
        val listener = object : SyncListener {
            override fun onProgress(progress: SyncProgress) {
                mutable.value = SyncState.Running(progress, cancelling = handle.isCancelled())
            }
        }
        return scope.launch {
            val result = try {
                val report = calls.write { store ->
                    SyncClient(config.serverUrl, config.token, null).use { client -> store.sync(client, listener, handle) }
                }
                SyncState.Done(report)
            } catch (e: GridbookException.Cancelled) {
                SyncState.Cancelled(unsent())
            } catch (e: GridbookException) {
                SyncState.Failed(describe(e), needsNewToken = e is GridbookException.Unauthorized)
            } finally {
                synchronized(this@SyncModel) { running = null }
                handle.close()
            }
            mutable.value = result
        }
    }

    /** Asks the running sync to stop; it ends as [SyncState.Cancelled] (what was applied stays). */
    fun cancel() {
        val handle = synchronized(this) { running } ?: return
        handle.cancel()
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
