package org.gridbook.demo.ui

import android.Manifest
import android.content.pm.PackageManager
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import androidx.core.content.ContextCompat
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.gridbook.core.FindingKind
import org.gridbook.core.Resolution
import org.gridbook.core.VisitKind
import org.gridbook.core.VisitOutcome
import org.gridbook.demo.logic.FindingDraft
import org.gridbook.demo.logic.LocationResult
import org.gridbook.demo.logic.LocationState
import org.gridbook.demo.logic.MemberRow
import org.gridbook.demo.logic.VisitFormModel
import org.gridbook.findingKindLabel
import org.gridbook.resolutionLabel
import org.gridbook.visitKindLabel
import org.gridbook.visitOutcomeLabel

private val LOCATION_PERMISSIONS = arrayOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION)

/** Logging a visit: kind, outcome, who was seen, findings, notes and the phone's fix. */
@OptIn(ExperimentalMaterial3Api::class, ExperimentalLayoutApi::class)
@Composable
fun VisitScreen(model: VisitFormModel, members: List<MemberRow>, onDone: () -> Unit) {
    val form by model.state.collectAsStateWithLifecycle()
    val context = LocalContext.current
    // Asks for location once; whatever the answer, the source reports it (NoPermission included).
    val permissions = rememberLauncherForActivityResult(ActivityResultContracts.RequestMultiplePermissions()) { model.locate() }
    val locate: () -> Unit = {
        val granted = LOCATION_PERMISSIONS.any { ContextCompat.checkSelfPermission(context, it) == PackageManager.PERMISSION_GRANTED }
        if (granted) {
            model.locate()
        } else {
            permissions.launch(LOCATION_PERMISSIONS)
        }
    }
    LaunchedEffect(Unit) { if (form.location == LocationState.Idle) locate() }
    LaunchedEffect(form.savedVisitId) { if (form.savedVisitId != null) onDone() }

    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text("记录走访") },
                navigationIcon = { TextButton(onClick = onDone) { Text("取消") } },
            )
        },
    ) { padding ->
        Column(
            Modifier.padding(padding).fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            Text("走访类型", style = MaterialTheme.typography.titleSmall)
            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                VisitKind.entries.forEach { kind ->
                    FilterChip(selected = form.kind == kind, onClick = { model.setKind(kind) }, label = { Text(visitKindLabel(kind)) })
                }
            }
            Text("走访结果", style = MaterialTheme.typography.titleSmall)
            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                VisitOutcome.entries.forEach { outcome ->
                    FilterChip(selected = form.outcome == outcome, onClick = { model.setOutcome(outcome) }, label = { Text(visitOutcomeLabel(outcome)) })
                }
            }
            if (members.isNotEmpty()) {
                Text("见到的人", style = MaterialTheme.typography.titleSmall)
                FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    // Names as the household screen showed them (masked unless revealed there).
                    members.forEach { m ->
                        FilterChip(
                            selected = m.residentId in form.residentsSeen,
                            onClick = { model.toggleSeen(m.residentId) },
                            label = { Text(m.name) },
                        )
                    }
                }
            }

            Text("发现的问题与诉求", style = MaterialTheme.typography.titleSmall)
            form.findings.forEachIndexed { index, finding -> FindingEditor(index, finding, model) }
            OutlinedButton(onClick = { model.addFinding(FindingDraft(FindingKind.PROBLEM, "", Resolution.OPEN)) }) { Text("添加一条") }

            OutlinedTextField(
                value = form.notes,
                onValueChange = model::setNotes,
                label = { Text("备注") },
                modifier = Modifier.fillMaxWidth(),
                minLines = 3,
            )

            Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                Text(locationText(form.location), Modifier.weight(1f), style = MaterialTheme.typography.bodyMedium)
                OutlinedButton(onClick = locate, enabled = form.location != LocationState.Locating) { Text("重新定位") }
            }

            form.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            Button(onClick = { model.save() }, enabled = !form.saving, modifier = Modifier.fillMaxWidth()) {
                Text(if (form.saving) "正在保存…" else "保存")
            }
        }
    }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun FindingEditor(index: Int, finding: FindingDraft, model: VisitFormModel) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                FindingKind.entries.forEach { kind ->
                    FilterChip(
                        selected = finding.kind == kind,
                        onClick = { model.updateFinding(index, finding.copy(kind = kind)) },
                        label = { Text(findingKindLabel(kind)) },
                    )
                }
            }
            OutlinedTextField(
                value = finding.text,
                onValueChange = { model.updateFinding(index, finding.copy(text = it)) },
                label = { Text("内容") },
                modifier = Modifier.fillMaxWidth(),
            )
            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Resolution.entries.forEach { resolution ->
                    FilterChip(
                        selected = finding.resolution == resolution,
                        onClick = { model.updateFinding(index, finding.copy(resolution = resolution)) },
                        label = { Text(resolutionLabel(resolution)) },
                    )
                }
                TextButton(onClick = { model.removeFinding(index) }) { Text("删除") }
            }
        }
    }
}

private fun locationText(state: LocationState): String = when (state) {
    LocationState.Idle -> "尚未定位"
    LocationState.Locating -> "正在定位…"
    // The position itself is not shown: a precise location is personal data.
    is LocationState.Located -> "已定位，精度 ±${Math.round(state.fix.accuracyM)} 米（WGS-84）"
    is LocationState.Unavailable -> when (state.reason) {
        LocationResult.NoPermission -> "未获定位权限，本次走访将不带位置保存"
        LocationResult.Disabled -> "定位服务已关闭，本次走访将不带位置保存"
        else -> "定位超时，可重试或不带位置保存"
    }
}
