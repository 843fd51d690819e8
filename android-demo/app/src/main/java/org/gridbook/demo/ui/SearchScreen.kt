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
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.gridbook.demo.logic.SearchModel

/** 查找住户或居民: names as typed or in pinyin, phone endings, addresses; names masked. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun SearchScreen(model: SearchModel, onOpen: (String) -> Unit, onBack: () -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    Scaffold(
        topBar = { TopAppBar(title = { Text("查找") }, navigationIcon = { TextButton(onClick = onBack) { Text("返回") } }) },
    ) { padding ->
        Column(Modifier.padding(padding).fillMaxSize().padding(horizontal = 16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedTextField(
                state.query, { model.setQuery(it) }, Modifier.fillMaxWidth(),
                label = { Text("姓名、拼音（zs）、手机尾号或地址（3-2-401）") },
                singleLine = true,
            )
            state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            if (!state.searching && state.query.isNotBlank() && state.rows.isEmpty() && state.error == null) Text("没有找到")
            LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                items(state.rows) { row ->
                    Row(Modifier.fillMaxWidth().clickable { onOpen(row.householdId) }, horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                        Text(row.display, Modifier.weight(1f))
                        Text("按${row.matched}", color = MaterialTheme.colorScheme.primary, style = MaterialTheme.typography.bodySmall)
                    }
                }
            }
        }
    }
}
