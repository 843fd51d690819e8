package org.gridbook.demo.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
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
import org.gridbook.demo.logic.MapModel
import org.gridbook.demo.logic.MapState

/** 网格民情地图: the map's place, and its buildings as a list beside it. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun MapScreen(model: MapModel, onBack: () -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    Scaffold(
        topBar = { TopAppBar(title = { Text("网格地图") }, navigationIcon = { TextButton(onClick = onBack) { Text("返回") } }) },
    ) { padding ->
        when (val s = state) {
            MapState.Loading -> Centered { Text("正在读取…") }
            is MapState.Failed -> Centered { Text(s.message) }
            is MapState.Loaded -> Column(Modifier.padding(padding).fillMaxSize(), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                // No map SDK is bundled with the demo. An app puts the SDK's
                // view here (Amap's or Tencent's MapView) and hands it
                // s.geoJson, whose coordinates are already in s.coordSystem
                // (GCJ-02 by default), so nothing is converted on the way.
                Box(
                    Modifier.fillMaxWidth().height(200.dp).background(MaterialTheme.colorScheme.surfaceVariant),
                    contentAlignment = Alignment.Center,
                ) { Text("地图区域（坐标系 ${s.coordSystem}，${s.buildings.size} 栋楼）") }
                LazyColumn(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    items(s.buildings, key = { it.buildingId }) { b ->
                        Column(Modifier.padding(horizontal = 16.dp)) {
                            Text(b.number, style = MaterialTheme.typography.titleMedium)
                            Text(
                                "${b.households} 户 · 待走访 ${b.due} · 逾期 ${b.overdue} · 本月已走访 ${b.reachedThisMonth}",
                                style = MaterialTheme.typography.bodySmall,
                            )
                        }
                    }
                }
            }
        }
    }
}
