package org.gridbook.demo.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.gridbook.demo.logic.PointsModel

/** 志愿服务积分: the month's board, a volunteer's balance and ledger, an award (grid head) and an exchange. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun PointsScreen(model: PointsModel, onBack: () -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    var points by remember { mutableStateOf("") }
    var note by remember { mutableStateOf("") }
    Scaffold(
        topBar = { TopAppBar(title = { Text("志愿积分") }, navigationIcon = { TextButton(onClick = onBack) { Text("返回") } }) },
    ) { padding ->
        LazyColumn(Modifier.padding(padding).fillMaxSize().padding(horizontal = 16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            item { Text("本月积分明星榜", style = MaterialTheme.typography.titleMedium) }
            if (state.board.isEmpty()) item { Text("本月还没有积分") }
            items(state.board, key = { it.volunteerId }) { row ->
                Row(Modifier.fillMaxWidth().clickable { model.select(row.volunteerId) }, horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                    Text("第 ${row.place} 名")
                    Text(row.name, Modifier.weight(1f))
                    Text("${row.points} 分")
                }
            }
            state.account?.let { account ->
                item { Text("${account.name} · 余额 ${account.balance} 分", style = MaterialTheme.typography.titleMedium) }
                item {
                    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                        OutlinedTextField(points, { points = it.filter(Char::isDigit) }, Modifier.fillMaxWidth(), label = { Text("积分") }, singleLine = true)
                        OutlinedTextField(note, { note = it }, Modifier.fillMaxWidth(), label = { Text("奖励理由或兑换物品") }, singleLine = true)
                        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                            Button(onClick = { model.award(account.volunteerId, points.toIntOrNull() ?: 0, note) }) { Text("奖励") }
                            Button(onClick = { model.spend(account.volunteerId, points.toIntOrNull() ?: 0, note) }) { Text("兑换") }
                        }
                    }
                }
                items(account.entries) { e ->
                    Text("${e.on} ${e.kind} ${if (e.points > 0) "+" else ""}${e.points} ${e.note}", style = MaterialTheme.typography.bodySmall)
                }
            }
            state.error?.let { item { Text(it, color = MaterialTheme.colorScheme.error) } }
        }
    }
}
