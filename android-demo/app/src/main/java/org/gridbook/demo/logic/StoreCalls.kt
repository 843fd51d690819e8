package org.gridbook.demo.logic

import org.gridbook.Store

/**
 * The store's calls. Every store call is a `suspend fun` that runs on the
 * library's own thread pool, so [read] and [write] may be called from any
 * coroutine, the main one included. Screens do not re-read after a write:
 * they follow the store's live queries ([store]), which the core signals
 * after every committed change that affects them.
 */
class StoreCalls(val store: Store) {
    /** A read. */
    suspend fun <T> read(block: suspend (Store) -> T): T = block(store)

    /** A write (a visit logged, a sync). */
    suspend fun <T> write(block: suspend (Store) -> T): T = block(store)
}
