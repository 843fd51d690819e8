package org.gridbook.demo.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SuggestionChip
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.gridbook.demo.DemoViewModel
import org.gridbook.demo.Session
import org.gridbook.demo.logic.DueRow
import org.gridbook.demo.logic.TodayState

/**
 * Today's households to visit, most urgent first (the core's order), with the
 * sync panel on top and the walking route (the order to climb) above the list.
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun TodayScreen(session: Session, vm: DemoViewModel) {
    val state by session.today.state.collectAsStateWithLifecycle()
    val title = (state as? TodayState.Loaded)?.let { "今日走访 · ${it.gridName}" } ?: "今日走访"
    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text(title) },
                actions = {
                    TextButton(onClick = vm::openSearch) { Text("查找") }
                    TextButton(onClick = vm::openMap) { Text("地图") }
                    TextButton(onClick = vm::openPoints) { Text("积分") }
                    TextButton(onClick = vm::openEvents) { Text("事件") }
                    TextButton(onClick = vm::openConflicts) { Text("待核冲突") }
                    TextButton(onClick = vm::openSetup) { Text("设置") }
                },
            )
        },
    ) { padding ->
        Column(Modifier.padding(padding).fillMaxSize()) {
            SyncPanel(session.sync, onSettings = vm::openSetup)
            when (val s = state) {
                TodayState.Loading -> Centered { Text("正在读取…") }
                TodayState.NoGrid -> Centered { Text("本机还没有网格数据：先同步，从服务器获取分配给你的网格。") }
                is TodayState.Failed -> Centered { Text(s.message) }
                is TodayState.Loaded -> if (s.rows.isEmpty()) {
                    Centered { Text("${s.today} 没有到期的走访。") }
                } else {
                    LazyColumn(
                        modifier = Modifier.fillMaxSize(),
                        verticalArrangement = Arrangement.spacedBy(8.dp),
                    ) {
                        item { Text("${s.today} · ${s.rows.size} 户待走访", Modifier.padding(horizontal = 16.dp)) }
                        item { RoutePanel(session.today) }
                        items(s.rows, key = { it.householdId }) { row ->
                            DueCard(row, onClick = { vm.openHousehold(row.householdId) })
                        }
                    }
                }
            }
        }
    }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun DueCard(row: DueRow, onClick: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(horizontal = 16.dp).clickable(onClick = onClick)) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                Text(row.address, style = MaterialTheme.typography.titleMedium)
                Text(urgency(row), color = MaterialTheme.colorScheme.primary, style = MaterialTheme.typography.titleMedium)
            }
            Text("${row.memberCount} 人 · 每 ${row.intervalDays} 天走访一次", style = MaterialTheme.typography.bodySmall)
            Text(row.lastVisit?.let { "上次走访 $it" } ?: "还没有走访记录", style = MaterialTheme.typography.bodySmall)
            if (row.care.isNotEmpty()) {
                FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                    row.care.forEach { SuggestionChip(onClick = {}, label = { Text(it) }) }
                }
            }
        }
    }
}

private fun urgency(row: DueRow): String = when {
    row.dueOn == null -> "尚未走访到"
    row.daysOverdue > 0 -> "逾期 ${row.daysOverdue} 天"
    else -> "今天到期"
}
