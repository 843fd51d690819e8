package org.gridbook.demo.ui

import android.graphics.Bitmap
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
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
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.launch
import org.gridbook.core.StepAction
import org.gridbook.core.WarningLight
import org.gridbook.demo.logic.EventRow
import org.gridbook.demo.logic.EventsModel
import org.gridbook.demo.logic.EventsState
import java.io.ByteArrayOutputStream

/** 网格吹哨: the grid's open events with their warning light, a report with a photo (随手拍), and the grid's steps. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun EventsScreen(model: EventsModel, gridId: String?, onBack: () -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    var description by remember { mutableStateOf("") }
    var photo by remember { mutableStateOf<ByteArray?>(null) }
    var message by remember { mutableStateOf<String?>(null) }
    val camera = rememberLauncherForActivityResult(ActivityResultContracts.TakePicturePreview()) { bitmap: Bitmap? ->
        photo = bitmap?.let { ByteArrayOutputStream().also { out -> it.compress(Bitmap.CompressFormat.JPEG, 85, out) }.toByteArray() }
    }
    Scaffold(
        topBar = {
            TopAppBar(title = { Text("网格事件") }, navigationIcon = { TextButton(onClick = onBack) { Text("返回") } })
        },
    ) { padding ->
        Column(Modifier.padding(padding).fillMaxSize().padding(horizontal = 16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedTextField(description, { description = it }, Modifier.fillMaxWidth(), label = { Text("随手拍：发现了什么问题") })
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                TextButton(onClick = { camera.launch(null) }) { Text(if (photo == null) "拍照" else "已拍照") }
                Button(
                    enabled = gridId != null && description.isNotBlank(),
                    onClick = {
                        val grid = gridId ?: return@Button
                        scope.launch {
                            message = model.report(grid, "fire_lane_blocked", description, urgent = false, photo = photo)
                            if (message == null) {
                                description = ""
                                photo = null
                            }
                        }
                    },
                ) { Text("上报") }
            }
            message?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            when (val s = state) {
                EventsState.Loading -> Text("正在读取…")
                is EventsState.Failed -> Text(s.message)
                is EventsState.Loaded -> if (s.rows.isEmpty()) {
                    Text("没有待办的事件。")
                } else {
                    LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                        items(s.rows, key = { it.id }) { row ->
                            EventCard(row) { action -> scope.launch { message = model.step(row.id, action) } }
                        }
                    }
                }
            }
        }
    }
}

@Composable
private fun EventCard(row: EventRow, onStep: (StepAction) -> Unit) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                row.lightLabel?.let { Text(it, color = lightColor(row.light)) }
                Text("${row.category} · ${row.level} · ${row.status}", style = MaterialTheme.typography.titleSmall)
            }
            Text(row.description, style = MaterialTheme.typography.bodyMedium)
            row.deadline?.let { Text("办理时限 $it", style = MaterialTheme.typography.bodySmall) }
            if (row.photoCount > 0) Text("照片 ${row.photoCount} 张", style = MaterialTheme.typography.bodySmall)
            if (row.needsReview) Text("办理步骤有冲突，请核对", color = MaterialTheme.colorScheme.error)
            Row {
                listOf(StepAction.ACCEPT, StepAction.SELF_RESOLVE).forEach { action ->
                    TextButton(onClick = { onStep(action) }) { Text(EventsModel.actionLabel(action)) }
                }
            }
        }
    }
}

private fun lightColor(light: WarningLight?): Color = when (light) {
    WarningLight.RED -> Color(0xFFC62828)
    WarningLight.YELLOW -> Color(0xFFF9A825)
    WarningLight.GREEN -> Color(0xFF2E7D32)
    null -> Color.Unspecified
}
