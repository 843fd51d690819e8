package org.gridbook.demo.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import org.gridbook.core.WorkerRole
import org.gridbook.demo.DemoViewModel
import org.gridbook.workerRoleLabel

/** Who uses the phone and the district server; the token is issued by `gridbook-server admin issue-token`. */
@OptIn(ExperimentalMaterial3Api::class, ExperimentalLayoutApi::class)
@Composable
fun SetupScreen(vm: DemoViewModel) {
    var workerId by rememberSaveable { mutableStateOf("") }
    var name by rememberSaveable { mutableStateOf("") }
    var role by rememberSaveable { mutableStateOf(WorkerRole.GRID_HEAD) }
    var server by rememberSaveable { mutableStateOf(vm.serverUrl) }
    var token by rememberSaveable { mutableStateOf("") }
    Scaffold(topBar = { TopAppBar(title = { Text("设置") }) }) { padding ->
        Column(
            Modifier.padding(padding).fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            OutlinedTextField(workerId, { workerId = it }, label = { Text("网格员编号（服务器上的 worker id）") }, modifier = Modifier.fillMaxWidth())
            OutlinedTextField(name, { name = it }, label = { Text("姓名") }, modifier = Modifier.fillMaxWidth())
            Text("角色", style = MaterialTheme.typography.titleSmall)
            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                WorkerRole.entries.forEach { r -> FilterChip(selected = role == r, onClick = { role = r }, label = { Text(workerRoleLabel(r)) }) }
            }
            OutlinedTextField(server, { server = it }, label = { Text("同步服务器（https://…）") }, modifier = Modifier.fillMaxWidth())
            OutlinedTextField(
                token, { token = it },
                label = { Text("设备令牌（留空则保留原令牌）") },
                visualTransformation = PasswordVisualTransformation(),
                modifier = Modifier.fillMaxWidth(),
            )
            Text(
                "本机数据保存在应用私有目录中的加密文件里；令牌和数据库密钥由 Android Keystore 保护。",
                style = MaterialTheme.typography.bodySmall,
            )
            Button(
                onClick = { vm.saveSetup(workerId, name, role, server, token) },
                enabled = workerId.isNotBlank() && name.isNotBlank(),
                modifier = Modifier.fillMaxWidth(),
            ) { Text("保存") }
        }
    }
}
