package org.gridbook.demo.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.gridbook.core.SyncProgress
import org.gridbook.demo.logic.Labels
import org.gridbook.demo.logic.SyncBadge
import org.gridbook.demo.logic.SyncModel
import org.gridbook.demo.logic.SyncState
import org.gridbook.demo.logic.formatBytes

/** The sync button: progress (stage, bytes, round trips) while it runs, and cancel. */
@Composable
fun SyncPanel(sync: SyncModel, onSettings: () -> Unit) {
    val state by sync.state.collectAsStateWithLifecycle()
    val badge by sync.status.collectAsStateWithLifecycle()
    Surface(tonalElevation = 2.dp, modifier = Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            when (val s = state) {
                is SyncState.Running -> {
                    Text(s.progress?.let { Labels.stage(it.stage) } ?: "正在连接服务器…", style = MaterialTheme.typography.titleSmall)
                    LinearProgressIndicator(Modifier.fillMaxWidth())
                    s.progress?.let { Text(traffic(it), style = MaterialTheme.typography.bodySmall) }
                    OutlinedButton(onClick = sync::cancel, enabled = !s.cancelling) {
                        Text(if (s.cancelling) "正在取消…" else "取消同步")
                    }
                }
                else -> Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                    Text(summary(s, badge), Modifier.weight(1f), style = MaterialTheme.typography.bodyMedium)
                    when {
                        s is SyncState.NotConfigured || (s is SyncState.Failed && s.needsNewToken) ->
                            Button(onClick = onSettings) { Text("设置") }
                        else -> Button(onClick = { sync.start() }) { Text("同步") }
                    }
                }
            }
        }
    }
}

private fun traffic(p: SyncProgress) =
    "已发送 ${formatBytes(p.bytesSent)} · 已接收 ${formatBytes(p.bytesReceived)} · 往返 ${p.roundTrips} 次" +
        if (p.retries > 0) " · 重试 ${p.retries} 次" else ""

/** The last sync's outcome, then what waits to be sent and each grid the server refused (live). */
private fun summary(s: SyncState, badge: SyncBadge?): String {
    val outcome = when (s) {
        SyncState.Idle -> null
        is SyncState.Done -> "同步完成：上传 ${s.report.pushedChanges} 条，下载 ${s.report.pulledChunks} 块，" +
            "共 ${formatBytes(s.report.bytesSent + s.report.bytesReceived)}"
        SyncState.Cancelled -> "同步已取消"
        is SyncState.Failed -> s.message
        SyncState.NotConfigured -> "还没有设置同步服务器"
        is SyncState.Running -> null
    }
    val unsent = badge?.let { if (it.unsentChanges == 0L) "没有待上传的更改" else "${it.unsentChanges} 条更改待上传" }
    return (listOfNotNull(outcome, unsent) + badge?.blocked.orEmpty()).joinToString("\n")
}
