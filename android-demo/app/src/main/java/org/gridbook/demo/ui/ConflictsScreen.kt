package org.gridbook.demo.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
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
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.gridbook.demo.logic.ConflictRow
import org.gridbook.demo.logic.ConflictsModel
import org.gridbook.demo.logic.ConflictsState

/** The fields several people changed at once, with who wrote which value; editing the field resolves one. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun ConflictsScreen(model: ConflictsModel, onBack: () -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text("待核冲突") },
                navigationIcon = { TextButton(onClick = onBack) { Text("返回") } },
            )
        },
    ) { padding ->
        when (val s = state) {
            ConflictsState.Loading -> Centered { Text("正在读取…") }
            is ConflictsState.Failed -> Centered { Text(s.message) }
            is ConflictsState.Loaded -> if (s.rows.isEmpty()) {
                Centered { Text("没有需要核对的冲突。") }
            } else {
                LazyColumn(Modifier.padding(padding).fillMaxSize(), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    item { Section("以下字段曾被多人同时修改，当前显示的是标注“当前值”的一项；核实后修改该字段即可解决。") }
                    items(s.rows, key = { it.key }) { row -> ConflictCard(row, onToggle = { model.toggleReveal(row.key) }) }
                }
            }
        }
    }
}

@Composable
private fun ConflictCard(row: ConflictRow, onToggle: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(horizontal = 16.dp)) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically) {
                Text("${row.record} · ${row.fieldLabel}", Modifier.weight(1f), style = MaterialTheme.typography.titleSmall)
                if (row.sensitive) TextButton(onClick = onToggle) { Text(if (row.revealed) "隐藏" else "显示") }
            }
            row.values.forEach { v ->
                Text(
                    (if (v.isWinner) "当前值：" else "另一值：") + v.text +
                        " （${v.workerId ?: "未知网格员"}${v.time?.let { "，$it" } ?: ""}）",
                    style = MaterialTheme.typography.bodyMedium,
                    color = if (v.isWinner) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.onSurface,
                )
            }
        }
    }
}
