package org.gridbook.demo.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Card
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.ExtendedFloatingActionButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
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
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.launch
import org.gridbook.core.RevealPurpose
import org.gridbook.core.RevealReason
import org.gridbook.demo.logic.HouseholdModel
import org.gridbook.demo.logic.HouseholdState
import org.gridbook.demo.logic.MemberRow
import org.gridbook.demo.logic.VisitRow
import org.gridbook.revealPurposeLabel

/**
 * A household's members (masked until revealed one by one: a reveal asks for
 * a purpose and a note, and the core logs it) and its visits, newest first.
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun HouseholdScreen(model: HouseholdModel, onBack: () -> Unit, onLogVisit: () -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    var asking by remember { mutableStateOf<String?>(null) }
    asking?.let { residentId ->
        RevealDialog(
            onReveal = { reason ->
                asking = null
                scope.launch { model.reveal(residentId, reason) }
            },
            onDismiss = { asking = null },
        )
    }
    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text((state as? HouseholdState.Loaded)?.address ?: "住户") },
                navigationIcon = { TextButton(onClick = onBack) { Text("返回") } },
            )
        },
        floatingActionButton = {
            if (state is HouseholdState.Loaded) {
                ExtendedFloatingActionButton(onClick = onLogVisit) { Text("记录走访") }
            }
        },
    ) { padding ->
        when (val s = state) {
            HouseholdState.Loading -> Centered { Text("正在读取…") }
            is HouseholdState.Failed -> Centered { Text(s.message) }
            is HouseholdState.Loaded -> LazyColumn(
                modifier = Modifier.padding(padding).fillMaxSize(),
                verticalArrangement = Arrangement.spacedBy(8.dp),
            ) {
                item { Section("成员（${s.members.size}） · ${s.use}") }
                s.revealError?.let { error ->
                    item { Text(error, Modifier.padding(horizontal = 16.dp), color = MaterialTheme.colorScheme.error) }
                }
                items(s.members, key = { it.residentId }) { member ->
                    MemberCard(member, onToggle = {
                        if (member.revealed) model.hide(member.residentId) else asking = member.residentId
                    })
                }
                item { Section("走访记录（${s.visits.size}）") }
                items(s.visits, key = { it.visitId }) { visit -> VisitCard(visit) }
            }
        }
    }
}

@Composable
internal fun Section(text: String) {
    Text(text, Modifier.padding(start = 16.dp, top = 12.dp), style = MaterialTheme.typography.titleSmall)
}

@Composable
private fun MemberCard(member: MemberRow, onToggle: () -> Unit) {
    Card(Modifier.fillMaxWidth().padding(horizontal = 16.dp)) {
        Row(Modifier.padding(16.dp), verticalAlignment = Alignment.CenterVertically) {
            Column(Modifier.weight(1f), verticalArrangement = Arrangement.spacedBy(2.dp)) {
                Text(
                    member.name + (if (member.isHead) "（户主）" else "") + " · " + member.gender,
                    style = MaterialTheme.typography.titleMedium,
                )
                member.birthDate?.let { Text("出生 $it", style = MaterialTheme.typography.bodySmall) }
                if (member.phones.isNotEmpty()) Text("电话 ${member.phones.joinToString("，")}", style = MaterialTheme.typography.bodySmall)
                member.idNumber?.let { Text("身份证 $it", style = MaterialTheme.typography.bodySmall) }
                if (member.care.isNotEmpty()) {
                    Text(member.care.joinToString("、"), color = MaterialTheme.colorScheme.primary, style = MaterialTheme.typography.bodySmall)
                }
            }
            TextButton(onClick = onToggle) { Text(if (member.revealed) "隐藏" else "显示") }
        }
    }
}

/** Asks why a member's full ID number and phones are to be shown: a purpose and a note. */
@Composable
private fun RevealDialog(onReveal: (RevealReason) -> Unit, onDismiss: () -> Unit) {
    var purpose by remember { mutableStateOf(RevealPurpose.CONTACT_RESIDENT) }
    var note by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text("查看完整信息") },
        text = {
            Column {
                Text("查阅将记入本网格的查阅记录。", style = MaterialTheme.typography.bodySmall)
                RevealPurpose.entries.forEach { option ->
                    Row(verticalAlignment = Alignment.CenterVertically) {
                        RadioButton(selected = purpose == option, onClick = { purpose = option })
                        Text(revealPurposeLabel(option))
                    }
                }
                OutlinedTextField(value = note, onValueChange = { note = it }, label = { Text("说明（必填）") })
            }
        },
        confirmButton = { TextButton(onClick = { onReveal(RevealReason(purpose = purpose, note = note)) }) { Text("查看") } },
        dismissButton = { TextButton(onClick = onDismiss) { Text("取消") } },
    )
}

@Composable
private fun VisitCard(visit: VisitRow) {
    Card(Modifier.fillMaxWidth().padding(horizontal = 16.dp)) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(2.dp)) {
            Text("${visit.time} · ${visit.kind} · ${visit.outcome}", style = MaterialTheme.typography.titleSmall)
            Text("网格员 ${visit.workerId}" + (visit.gps?.let { " · $it" } ?: ""), style = MaterialTheme.typography.bodySmall)
            visit.findings.forEach { Text(it, style = MaterialTheme.typography.bodyMedium) }
            visit.notes?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        }
    }
}
