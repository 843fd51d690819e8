package org.gridbook.demo.logic

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch
import org.gridbook.core.Conflict
import org.gridbook.core.GridbookException
import org.gridbook.core.RecordKind
import org.gridbook.Store
import org.gridbook.conflictsFlow
import org.gridbook.maskName

/** One value a field was given, as shown. */
data class ConflictValueRow(
    val text: String,
    val workerId: String?,
    val time: String?,
    /** The value the store shows now (the merge's winner). */
    val isWinner: Boolean,
)

/** One field that several people changed at once. */
data class ConflictRow(
    /** Stable key of the row: record kind, id and field. */
    val key: String,
    val recordKind: RecordKind,
    val recordId: String,
    /** "居民 王** · 3栋 1单元 502". */
    val record: String,
    val field: String,
    val fieldLabel: String,
    /** ID numbers and phones masked by the core; names and birth dates masked by the demo unless [revealed]. */
    val values: List<ConflictValueRow>,
    val sensitive: Boolean,
    val revealed: Boolean,
)

sealed class ConflictsState {
    object Loading : ConflictsState()
    data class Loaded(val gridId: String, val rows: List<ConflictRow>) : ConflictsState()
    data class Failed(val message: String) : ConflictsState()
}

/**
 * The conflicts of a grid to review, as the core lists them. A conflict is
 * resolved by editing the field (the core then drops it); this screen lists
 * them with who wrote which value and when.
 */
class ConflictsModel(
    private val calls: StoreCalls,
    private val clock: Clock,
    private val scope: CoroutineScope,
) {
    private val mutable = MutableStateFlow<ConflictsState>(ConflictsState.Loading)
    val state: StateFlow<ConflictsState> = mutable.asStateFlow()

    @Volatile
    private var loaded: List<Pair<Conflict, String>> = emptyList()

    @Volatile
    private var gridId: String? = null
    private val revealed = mutableSetOf<String>()

    @Volatile
    private var watching: Job? = null

    /**
     * Starts following [gridId]'s conflicts in the model's scope (a second
     * call switches grid): a conflict merged by a sync appears, and one
     * resolved by editing its field goes, with no reload. [close] stops it.
     */
    fun observe(gridId: String): Job {
        watching?.cancel()
        val store = calls.store
        return scope.launch {
            try {
                store.conflictsFlow(gridId)
                    .map { found -> found.map { it to describeRecord(store, it) } }
                    .collect {
                        loaded = it
                        this@ConflictsModel.gridId = gridId
                        publish()
                    }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                mutable.value = ConflictsState.Failed(describe(e))
            }
        }.also { watching = it }
    }

    /** Stops following the conflicts (the screen went) and removes the store's listener. */
    fun close() {
        watching?.cancel()
    }

    fun toggleReveal(key: String) {
        if (!revealed.remove(key)) revealed += key
        publish()
    }

    private fun publish() {
        val grid = gridId ?: return
        mutable.value = ConflictsState.Loaded(grid, loaded.map { (c, record) -> row(c, record) })
    }

    private fun row(c: Conflict, record: String): ConflictRow {
        val key = "${c.recordKind}/${c.recordId}/${c.field}"
        val sensitive = c.recordKind == RecordKind.RESIDENT && Masking.isSensitive(c.field)
        val open = !sensitive || key in revealed
        return ConflictRow(
            key = key,
            recordKind = c.recordKind,
            recordId = c.recordId,
            record = record,
            field = c.field,
            fieldLabel = Labels.field(c.field),
            values = c.values.map { v ->
                ConflictValueRow(
                    text = if (sensitive) Masking.conflictValue(c.field, v.valueJson, open) else Masking.conflictValue("", v.valueJson, true),
                    workerId = v.workerId,
                    time = v.atMs?.let { ms -> Labels.time(org.gridbook.core.Timestamp(utcMs = ms, offsetMinutes = clock.offsetMinutesAt(ms))) },
                    isWinner = v.isWinner,
                )
            },
            sensitive = sensitive,
            revealed = sensitive && open,
        )
    }

    private suspend fun describeRecord(store: Store, c: Conflict): String {
        val kind = Labels.record(c.recordKind)
        return try {
            when (c.recordKind) {
                RecordKind.RESIDENT -> {
                    val r = store.resident(c.recordId)
                    "$kind ${maskName(r.name)} · ${Labels.address(store.household(r.householdId).household)}"
                }
                RecordKind.HOUSEHOLD -> "$kind ${Labels.address(store.household(c.recordId).household)}"
                else -> kind
            }
        } catch (e: GridbookException) {
            kind
        }
    }
}
