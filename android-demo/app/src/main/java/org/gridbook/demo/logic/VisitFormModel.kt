package org.gridbook.demo.logic

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import org.gridbook.core.FindingInput
import org.gridbook.core.FindingKind
import org.gridbook.core.Resolution
import org.gridbook.core.VisitInput
import org.gridbook.core.VisitKind
import org.gridbook.core.VisitOutcome

/** A finding being written. */
data class FindingDraft(val kind: FindingKind, val text: String, val resolution: Resolution)

sealed class LocationState {
    object Idle : LocationState()
    object Locating : LocationState()
    data class Located(val fix: LocationResult.Fix) : LocationState()

    /** No fix: [reason] is NoPermission, Disabled or TimedOut. The visit can still be saved, without a position. */
    data class Unavailable(val reason: LocationResult) : LocationState()
}

data class VisitFormState(
    val householdId: String,
    val kind: VisitKind = VisitKind.ROUTINE,
    val outcome: VisitOutcome = VisitOutcome.MET,
    val notes: String = "",
    val findings: List<FindingDraft> = emptyList(),
    val residentsSeen: Set<String> = emptySet(),
    val location: LocationState = LocationState.Idle,
    val saving: Boolean = false,
    /** Why the last save failed: names the field, never the value. */
    val error: String? = null,
    /** The id of the logged visit once saved. */
    val savedVisitId: String? = null,
)

/**
 * Logging a visit: outcome, findings, notes, who was seen and the phone's
 * location fix. The core validates the input; a rejected save leaves the
 * form as it was with [VisitFormState.error] set and stores nothing.
 */
class VisitFormModel(
    private val calls: StoreCalls,
    private val clock: Clock,
    private val location: LocationSource,
    private val scope: CoroutineScope,
    householdId: String,
    private val locationTimeoutMs: Long = 30_000,
) {
    private val mutable = MutableStateFlow(VisitFormState(householdId))
    val state: StateFlow<VisitFormState> = mutable.asStateFlow()

    fun setKind(kind: VisitKind) = mutable.update { it.copy(kind = kind) }
    fun setOutcome(outcome: VisitOutcome) = mutable.update { it.copy(outcome = outcome) }
    fun setNotes(notes: String) = mutable.update { it.copy(notes = notes) }
    fun addFinding(draft: FindingDraft) = mutable.update { it.copy(findings = it.findings + draft) }
    fun updateFinding(index: Int, draft: FindingDraft) =
        mutable.update { s -> s.copy(findings = s.findings.mapIndexed { i, f -> if (i == index) draft else f }) }
    fun removeFinding(index: Int) = mutable.update { s -> s.copy(findings = s.findings.filterIndexed { i, _ -> i != index }) }
    fun toggleSeen(residentId: String) = mutable.update { s ->
        s.copy(residentsSeen = if (residentId in s.residentsSeen) s.residentsSeen - residentId else s.residentsSeen + residentId)
    }

    /** Asks the phone for one fix. */
    fun locate(): Job = scope.launch {
        mutable.update { it.copy(location = LocationState.Locating) }
        val result = location.currentFix(locationTimeoutMs)
        mutable.update {
            it.copy(location = if (result is LocationResult.Fix) LocationState.Located(result) else LocationState.Unavailable(result))
        }
    }

    /** Logs the visit now (the phone's time), with the fix if there is one. Saving twice is refused. */
    fun save(): Job = scope.launch {
        val form = mutable.value
        if (form.saving || form.savedVisitId != null) return@launch
        mutable.update { it.copy(saving = true, error = null) }
        val input = VisitInput(
            householdId = form.householdId,
            at = clock.now(),
            kind = form.kind,
            outcome = form.outcome,
            residentsSeen = form.residentsSeen.toList(),
            notes = form.notes.trim().ifEmpty { null },
            findings = form.findings.map { FindingInput(id = null, kind = it.kind, text = it.text, resolution = it.resolution) },
            gps = (form.location as? LocationState.Located)?.fix?.toGpsFix(),
        )
        try {
            val id = calls.write { store -> store.logVisit(input) }
            mutable.update { it.copy(saving = false, savedVisitId = id) }
        } catch (e: Exception) {
            mutable.update { it.copy(saving = false, error = describe(e)) }
        }
    }
}
