package org.gridbook.demo.logic

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import org.gridbook.core.Event
import org.gridbook.core.EventInput
import org.gridbook.core.EventSource
import org.gridbook.core.EventStepInput
import org.gridbook.core.StepAction
import org.gridbook.core.Urgency
import org.gridbook.core.WarningLight
import org.gridbook.eventStatusLabel
import org.gridbook.openEventsFlow
import org.gridbook.stepActionLabel
import org.gridbook.warningLightLabel

/** One open event as the list shows it (网格吹哨). */
data class EventRow(
    val id: String,
    /** The category's name ("消防通道堵塞"). */
    val category: String,
    val description: String,
    /** "待受理", "已派遣" … */
    val status: String,
    /** The whistle level's name ("常规哨"). */
    val level: String,
    /** The light of the time left; null without a deadline. */
    val light: WarningLight?,
    /** "红灯" …; null without a deadline. */
    val lightLabel: String?,
    /** The deadline, "2025-06-16 10:00"; null without one. */
    val deadline: String?,
    val photoCount: Int,
    /** Steps contradicted each other: the grid head should look. */
    val needsReview: Boolean,
)

sealed class EventsState {
    object Loading : EventsState()
    data class Loaded(val gridId: String, val rows: List<EventRow>) : EventsState()
    data class Failed(val message: String) : EventsState()
}

/**
 * A grid's open events, most urgent first, with their warning light (红黄绿灯)
 * at the model's clock; reporting one with a photo (随手拍) and taking a step
 * of its loop. The list follows the store's live query: a report, a step or
 * a merged sync updates it with no reload. Refusals come back as a message
 * for the user ([describe]) and change nothing.
 */
class EventsModel(
    private val calls: StoreCalls,
    private val clock: Clock,
    private val scope: CoroutineScope,
) {
    private val mutable = MutableStateFlow<EventsState>(EventsState.Loading)
    val state: StateFlow<EventsState> = mutable.asStateFlow()

    @Volatile
    private var watching: Job? = null

    /** Starts following [gridId]'s open events (a second call switches grid); [close] stops it. */
    fun observe(gridId: String): Job {
        watching?.cancel()
        val store = calls.store
        return scope.launch {
            try {
                store.openEventsFlow(gridId).collect { events ->
                    // Read with each update: the grid head may have added a category or renamed a level.
                    val categories = store.eventCategories(gridId).categories.associate { it.code to it.name }
                    val levels = store.whistleLevels(gridId).levels.associate { it.rank to it.name }
                    mutable.value = EventsState.Loaded(gridId, events.map { row(it, categories, levels) })
                }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                mutable.value = EventsState.Failed(describe(e))
            }
        }.also { watching = it }
    }

    /** Stops following the list (the screen went); the last state stays. */
    fun close() {
        watching?.cancel()
    }

    /**
     * Reports an event at the model's clock, with the photo's bytes if one was
     * taken (its metadata is stripped by the core); returns null, or the
     * message of a refusal (nothing is kept then, the photo included).
     */
    suspend fun report(gridId: String, category: String, description: String, urgent: Boolean, photo: ByteArray?): String? =
        try {
            calls.write { store ->
                val photos = photo?.let { listOf(store.addPhoto(gridId, it).id) } ?: emptyList()
                store.reportEvent(
                    EventInput(
                        gridId = gridId, category = category, description = description,
                        urgency = if (urgent) Urgency.URGENT else Urgency.NORMAL,
                        source = EventSource.DOOR_KNOCKING, at = clock.now(), photos = photos,
                    ),
                )
            }
            null
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            describe(e)
        }

    /** Takes a step at the model's clock; returns null, or the refusal's message. */
    suspend fun step(eventId: String, action: StepAction, assignee: String? = null): String? =
        try {
            calls.write { it.takeEventStep(EventStepInput(eventId = eventId, action = action, at = clock.now(), assignee = assignee)) }
            null
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            describe(e)
        }

    private fun row(e: Event, categories: Map<String, String>, levels: Map<Int, String>): EventRow {
        val light = e.warningLight(clock.now())
        return EventRow(
            id = e.id,
            category = categories[e.category] ?: e.category,
            description = e.description,
            status = eventStatusLabel(e.status),
            level = levels[e.level] ?: e.level.toString(),
            light = light,
            lightLabel = light?.let(::warningLightLabel),
            deadline = e.deadline?.let(Labels::time),
            photoCount = e.photos.size,
            needsReview = e.needsReview,
        )
    }

    companion object {
        /** A step's name in words ("受理", "派遣" …). */
        fun actionLabel(action: StepAction): String = stepActionLabel(action)
    }
}
