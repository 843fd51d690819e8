package org.gridbook.demo.logic

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.withContext
import org.gridbook.Store

/**
 * Runs the store's blocking calls on [io] (Dispatchers.IO in the app, a test
 * dispatcher in tests), never on the caller's thread.
 *
 * [changes] counts the writes and syncs made through it, so screens showing
 * data can reload when it moves.
 */
class StoreCalls(val store: Store, private val io: CoroutineDispatcher) {
    private val changeCount = MutableStateFlow(0L)

    /** Incremented after every [write] (a visit logged, a sync applied). */
    val changes: StateFlow<Long> = changeCount.asStateFlow()

    /** A read: [block] runs on the injected dispatcher. */
    suspend fun <T> read(block: (Store) -> T): T = withContext(io) { block(store) }

    /** A write: like [read], then [changes] moves on (also when [block] threw: part of a sync may have applied). */
    suspend fun <T> write(block: (Store) -> T): T = try {
        withContext(io) { block(store) }
    } finally {
        changeCount.value = changeCount.value + 1
    }

    /** Runs [block] on the injected dispatcher without touching the store (other blocking work). */
    suspend fun <T> blocking(block: () -> T): T = withContext(io) { block() }
}
