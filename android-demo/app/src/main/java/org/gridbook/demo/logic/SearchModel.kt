package org.gridbook.demo.logic

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import org.gridbook.core.SearchHit
import org.gridbook.core.SearchMatch

/** A search hit as shown: the core's masked display line and how it matched. */
data class SearchRow(
    val householdId: String,
    /** The resident, when the hit is a person; null for a household found by its address. */
    val residentId: String?,
    /** The core's line: masked name and address ("张*三 3栋 2单元 401"). */
    val display: String,
    /** "拼音", "地址" … ([Labels.match]). */
    val matched: String,
)

data class SearchState(
    val query: String = "",
    val rows: List<SearchRow> = emptyList(),
    val searching: Boolean = false,
    val error: String? = null,
)

/**
 * The household and resident search field: each query goes to the core's
 * `search`, which reads names as typed or in pinyin (zs, zhangsan, 张s),
 * phone and ID-number endings, and addresses as people type them (3-2-401,
 * 3栋2单元401, 三栋). Names come back masked; nothing is unmasked here.
 * A newer query cancels the older one's read.
 */
class SearchModel(
    private val calls: StoreCalls,
    private val scope: CoroutineScope,
    val gridId: String,
    private val limit: Int = 20,
) {
    private val mutable = MutableStateFlow(SearchState())
    val state: StateFlow<SearchState> = mutable.asStateFlow()

    @Volatile
    private var searching: Job? = null

    /** The field's text changed. A blank query clears the list. */
    fun setQuery(query: String): Job {
        searching?.cancel()
        mutable.update { it.copy(query = query, searching = query.isNotBlank(), error = null) }
        return scope.launch {
            if (query.isBlank()) {
                mutable.update { it.copy(rows = emptyList()) }
                return@launch
            }
            try {
                val hits = calls.read { store -> store.search(gridId, query.trim(), limit) }
                mutable.update { if (it.query == query) it.copy(rows = hits.map(::row), searching = false) else it }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                mutable.update { if (it.query == query) it.copy(rows = emptyList(), searching = false, error = describe(e)) else it }
            }
        }.also { searching = it }
    }

    private fun row(hit: SearchHit) = SearchRow(hit.householdId, hit.residentId, hit.display, Labels.match(hit.matched))
}

/** How a search hit matched, in Chinese. */
fun Labels.match(value: SearchMatch): String = when (value) {
    SearchMatch.NAME -> "姓名"
    SearchMatch.PINYIN -> "拼音"
    SearchMatch.PHONE_SUFFIX -> "手机尾号"
    SearchMatch.ID_NUMBER_SUFFIX -> "身份证尾号"
    SearchMatch.ADDRESS -> "地址"
}
