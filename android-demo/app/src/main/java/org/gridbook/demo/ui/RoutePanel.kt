package org.gridbook.demo.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.gridbook.demo.logic.RouteState
import org.gridbook.demo.logic.TodayModel
import org.gridbook.demo.logic.climb

/** 今日路线: the order to climb, building by building from where the worker stands, with the walk. */
@Composable
fun RoutePanel(model: TodayModel) {
    val route by model.route.collectAsStateWithLifecycle()
    Card(Modifier.fillMaxWidth().padding(horizontal = 16.dp)) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            when (val r = route) {
                RouteState.Idle -> TextButton(onClick = { model.planRoute() }) { Text("从我的位置排今日路线") }
                RouteState.Locating -> Text("正在定位…")
                is RouteState.Failed -> Text(r.message)
                is RouteState.Loaded -> {
                    Text("今日路线 · ${r.households} 户 · 步行约 ${r.totalWalkM} 米", style = MaterialTheme.typography.titleMedium)
                    if (!r.fromHere) Text("未能定位，按最短路线排序", style = MaterialTheme.typography.bodySmall)
                    r.buildings.forEachIndexed { i, b ->
                        val walk = b.walkM?.let { " · 步行 $it 米" } ?: " · 位置未知"
                        Text("${i + 1}. ${b.number}$walk")
                        b.stairwells.forEach { Text("    ${it.climb()}", style = MaterialTheme.typography.bodySmall) }
                    }
                    TextButton(onClick = { model.planRoute() }) { Text("重新定位") }
                }
            }
        }
    }
}
