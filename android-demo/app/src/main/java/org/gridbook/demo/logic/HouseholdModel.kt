package org.gridbook.demo.logic

import java.time.LocalDate
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import org.gridbook.core.HouseholdDetail
import org.gridbook.core.Resident
import org.gridbook.core.RevealReason
import org.gridbook.core.ResidentStatus
import org.gridbook.core.Visit
import org.gridbook.dwellingUseLabel
import org.gridbook.findingKindLabel
import org.gridbook.genderLabel
import org.gridbook.householdFlow
import org.gridbook.resolutionLabel
import org.gridbook.visitKindLabel
import org.gridbook.visitOutcomeLabel

/**
 * A member as shown: the ID number and phones as the core reads them
 * (masked) and the name masked by the demo, unless [revealed], when they are
 * the full values of a reveal.
 */
data class MemberRow(
    val residentId: String,
    val name: String,
    val gender: String,
    val birthDate: LocalDate?,
    val phones: List<String>,
    val idNumber: String?,
    val care: List<String>,
    val isHead: Boolean,
    val revealed: Boolean,
)

/** A past visit as shown. The position is not shown, only that there was a fix. */
data class VisitRow(
    val visitId: String,
    val time: String,
    val kind: String,
    val outcome: String,
    val workerId: String,
    val notes: String?,
    /** "诉求：需要助餐服务（上报）". */
    val findings: List<String>,
    /** "定位 ±8 米", or null without a fix. */
    val gps: String?,
)

sealed class HouseholdState {
    object Loading : HouseholdState()

    data class Loaded(
        val householdId: String,
        val address: String,
        val use: String,
        val tags: List<String>,
        val members: List<MemberRow>,
        val visits: List<VisitRow>,
        /** Why the last reveal was refused ("协管员不能…", "备注：不能为空"); null after a reveal or hide that went through. */
        val revealError: String? = null,
    ) : HouseholdState()

    data class Failed(val message: String) : HouseholdState()
}

/**
 * One household's active members and visit history, newest visit first, kept
 * current by the store's live query: a visit logged here or a change merged
 * by a sync reaches the screen with no reload.
 */
class HouseholdModel(
    private val calls: StoreCalls,
    private val scope: CoroutineScope,
    val householdId: String,
) {
    private val mutable = MutableStateFlow<HouseholdState>(HouseholdState.Loading)
    val state: StateFlow<HouseholdState> = mutable.asStateFlow()

    // The store reads members masked; the full values of a member revealed
    // through the core (and logged there) stay here until hidden.
    @Volatile
    private var detail: HouseholdDetail? = null
    private var careLabels: Map<String, String> = emptyMap()
    private val revealed = java.util.concurrent.ConcurrentHashMap<String, Resident>()

    @Volatile
    private var revealError: String? = null

    @Volatile
    private var watching: Job? = null

    /** Starts following the household in the model's scope; [close] (the screen went) stops it. */
    fun observe(): Job {
        watching?.cancel()
        return scope.launch {
            try {
                careLabels = TodayModel.careLabels()
                calls.store.householdFlow(householdId).collect {
                    detail = it
                    publish()
                }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                mutable.value = HouseholdState.Failed(describe(e))
            }
        }.also { watching = it }
    }

    /** Stops following the household and removes the store's listener. */
    fun close() {
        watching?.cancel()
    }

    /** Whether [residentId]'s full values are shown. */
    fun isRevealed(residentId: String): Boolean = revealed.containsKey(residentId)

    /**
     * Shows one member's full ID number, phones and name: asks the core
     * (`Store.revealResident`), which writes the reveal with [reason] (the
     * purpose and note the user picked) to the grid's reveal log first. A
     * refusal (a role that may not, an empty note) is shown as
     * [HouseholdState.Loaded.revealError] and nothing is revealed.
     * Returns whether the member is now revealed.
     */
    suspend fun reveal(residentId: String, reason: RevealReason): Boolean {
        val ok = try {
            revealed[residentId] = calls.write { it.revealResident(residentId, reason) }
            revealError = null
            true
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            revealError = describe(e)
            false
        }
        publish()
        return ok
    }

    /** Masks one member again and drops their full values from memory. */
    fun hide(residentId: String) {
        revealed.remove(residentId)
        revealError = null
        publish()
    }

    /** [hide]s a revealed member, else [reveal]s them for [reason]. */
    suspend fun toggleReveal(residentId: String, reason: RevealReason) {
        if (isRevealed(residentId)) hide(residentId) else reveal(residentId, reason)
    }

    private fun publish() {
        val d = detail ?: return
        val active = d.members.filter { it.status == ResidentStatus.ACTIVE }
        // A reveal holds the values of its moment: a member who left, or whose
        // ID number or phones changed since (a sync, an edit), is masked again.
        for ((id, full) in revealed) {
            val now = active.firstOrNull { it.id == id }
            if (now == null || !Masking.sameMasked(now, full)) revealed.remove(id)
        }
        val members = active.map { member(it, d.household.headId) }
        val error = revealError
        mutable.update {
            HouseholdState.Loaded(
                householdId = d.household.id,
                address = Labels.address(d.household),
                use = dwellingUseLabel(d.household.useKind),
                tags = d.household.tags,
                members = members,
                visits = d.visits.map(::visit),
                revealError = error,
            )
        }
    }

    private fun member(r: Resident, headId: String?): MemberRow {
        val full = revealed[r.id]
        val open = full != null
        val shown = Masking.resident(r, full)
        return MemberRow(
            residentId = r.id,
            name = shown.name,
            gender = genderLabel(r.gender),
            birthDate = shown.birthDate,
            phones = shown.phones,
            idNumber = shown.idNumber,
            care = r.care.map { Labels.care(it, careLabels) },
            isHead = r.id == headId,
            revealed = open,
        )
    }

    private fun visit(v: Visit) = VisitRow(
        visitId = v.id,
        time = Labels.time(v.at),
        kind = visitKindLabel(v.kind),
        outcome = visitOutcomeLabel(v.outcome),
        workerId = v.workerId,
        notes = v.notes,
        findings = v.findings.map { "${findingKindLabel(it.kind)}：${it.text}（${resolutionLabel(it.resolution)}）" },
        gps = v.gps?.let { "定位 ±${Math.round(it.accuracyM)} 米" },
    )
}
