package org.gridbook.demo.ui

import androidx.activity.compose.BackHandler
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.gridbook.demo.DemoViewModel
import org.gridbook.demo.Screen
import org.gridbook.demo.SessionState

/** The app: the screen on top of the back stack, once the store is open. */
@Composable
fun DemoApp(vm: DemoViewModel) {
    val stack by vm.backStack.collectAsStateWithLifecycle()
    val session by vm.session.collectAsStateWithLifecycle()
    BackHandler(enabled = stack.size > 1) { vm.back() }

    val top = stack.last()
    if (top is Screen.Setup || session is SessionState.NeedsSetup) {
        SetupScreen(vm)
        return
    }
    when (val s = session) {
        SessionState.NeedsSetup -> Unit
        SessionState.Opening -> Centered { CircularProgressIndicator() }
        is SessionState.Failed -> Centered {
            Text(s.message)
            Button(onClick = vm::openSetup) { Text("设置") }
        }
        is SessionState.Open -> when (top) {
            Screen.Today -> TodayScreen(s.session, vm)
            is Screen.Household -> HouseholdScreen(top.model, onBack = { vm.back() }, onLogVisit = { vm.logVisit(top.model) })
            is Screen.Visit -> VisitScreen(top.model, top.members, onDone = { vm.back() })
            Screen.Conflicts -> ConflictsScreen(s.session.conflicts, onBack = { vm.back() })
            Screen.Events -> EventsScreen(s.session.events, gridId = vm.currentGridId(), onBack = { vm.back() })
            is Screen.GridMap -> MapScreen(top.model, onBack = { vm.back() })
            is Screen.Points -> PointsScreen(top.model, onBack = { vm.back() })
            is Screen.Search -> SearchScreen(top.model, onOpen = vm::openHousehold, onBack = { vm.back() })
            Screen.Setup -> Unit
        }
    }
}

@Composable
internal fun Centered(content: @Composable () -> Unit) {
    Column(
        modifier = Modifier.fillMaxSize().padding(24.dp),
        verticalArrangement = Arrangement.spacedBy(16.dp, Alignment.CenterVertically),
        horizontalAlignment = Alignment.CenterHorizontally,
    ) { content() }
}
