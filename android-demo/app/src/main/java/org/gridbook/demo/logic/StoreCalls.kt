package org.gridbook.demo.logic

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import org.gridbook.Store

/**
 * The store's calls, counted: [changes] counts the writes and syncs made
 * through it, so screens showing data can reload when it moves. Every store
 * call is a `suspend fun` that runs on the library's own thread pool, so
 * [read] and [write] may be called from any coroutine, the main one included.
 */
class StoreCalls(val store: Store) {
    private val changeCount = MutableStateFlow(0L)

    /** Incremented after every [write] (a visit logged, a sync applied). */
    val changes: StateFlow<Long> = changeCount.asStateFlow()

    /** A read. */
    suspend fun <T> read(block: suspend (Store) -> T): T = block(store)

    /** A write: like [read], then [changes] moves on (also when [block] threw: part of a sync may have applied). */
    suspend fun <T> write(block: suspend (Store) -> T): T = try {
        block(store)
    } finally {
        changeCount.value = changeCount.value + 1
    }
}
