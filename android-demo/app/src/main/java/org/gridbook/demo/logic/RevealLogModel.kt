package org.gridbook.demo.logic

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import org.gridbook.Store
import org.gridbook.core.GridbookException
import org.gridbook.core.RevealEntry
import org.gridbook.core.RevealSubject
import org.gridbook.core.Timestamp
import org.gridbook.exportTemplates
import org.gridbook.maskName
import org.gridbook.revealPurposeLabel
import org.gridbook.revealSubjectLabel

/** One entry of the reveal log as shown. */
data class RevealLogRow(
    val id: String,
    /** "查看住户完整信息" or "导出未脱敏数据". */
    val subject: String,
    /** "居民 王** · 3栋 1单元 502", or "花名册（网格员） · 12 行" for an export. */
    val target: String,
    /** "身份证号、电话". */
    val fields: String,
    /** "联系住户：回访独居老人". */
    val reason: String,
    val recordedBy: String,
    val time: String,
)

sealed class RevealLogState {
    object Loading : RevealLogState()
    data class Loaded(val gridId: String, val rows: List<RevealLogRow>) : RevealLogState()
    data class Failed(val message: String) : RevealLogState()
}

/**
 * The grid's reveal log (查阅记录), newest first, for the grid head: who saw
 * which resident's full ID number and phones, or exported unmasked, when and
 * why, as far as this phone has synced. Anyone else is refused by the core
 * (协管员不能查看查阅记录). Read on [load]; the screen loads again after a sync.
 */
class RevealLogModel(private val calls: StoreCalls, private val clock: Clock) {
    private val mutable = MutableStateFlow<RevealLogState>(RevealLogState.Loading)
    val state: StateFlow<RevealLogState> = mutable.asStateFlow()

    /** Reads [gridId]'s reveal log. */
    suspend fun load(gridId: String) {
        mutable.value = try {
            val rows = calls.read { store -> store.revealLog(gridId).map { row(store, it) } }
            RevealLogState.Loaded(gridId, rows)
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            RevealLogState.Failed(describe(e))
        }
    }

    private suspend fun row(store: Store, e: RevealEntry) = RevealLogRow(
        id = e.id,
        subject = revealSubjectLabel(e.subject),
        target = target(store, e),
        fields = e.fields.joinToString("、") { Labels.field(it) },
        reason = "${revealPurposeLabel(e.purpose)}：${e.note}",
        recordedBy = e.recordedBy,
        time = Labels.time(Timestamp(utcMs = e.atMs, offsetMinutes = clock.offsetMinutesAt(e.atMs))),
    )

    private suspend fun target(store: Store, e: RevealEntry): String = when (e.subject) {
        RevealSubject.RESIDENT -> {
            val kind = Labels.record(org.gridbook.core.RecordKind.RESIDENT)
            try {
                val r = store.resident(e.residentId)
                "$kind ${maskName(r.name)} · ${Labels.address(store.household(r.householdId).household)}"
            } catch (e: GridbookException) {
                kind
            }
        }
        RevealSubject.EXPORT -> {
            val title = exportTemplates().firstOrNull { it.id == e.templateId }?.title ?: e.templateId
            "$title · ${e.rows} 行"
        }
    }
}
