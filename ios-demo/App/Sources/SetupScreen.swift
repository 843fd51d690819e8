import Gridbook
import SwiftUI

/// 设置: worker id, name and role, the district server's URL and the device
/// token (`gridbook-server admin issue-token`). The token goes to the Keychain.
struct SetupScreen: View {
    let app: AppModel
    @State private var workerId: String
    @State private var name: String
    @State private var role: WorkerRole
    @State private var serverUrl: String
    @State private var token = ""

    init(app: AppModel) {
        self.app = app
        let identity = app.settings.identity
        _workerId = State(initialValue: identity?.workerId ?? "")
        _name = State(initialValue: identity?.name ?? "")
        _role = State(initialValue: identity?.role ?? .gridHead)
        _serverUrl = State(initialValue: app.settings.serverUrl)
    }

    var body: some View {
        Form {
            Section("网格员") {
                TextField("工号（如 w-wangfang）", text: $workerId).textInputAutocapitalization(.never).autocorrectionDisabled()
                TextField("姓名", text: $name)
                Picker("角色", selection: $role) {
                    ForEach(DemoSettings.roles, id: \.self) { Text(workerRoleLabel(value: $0)).tag($0) }
                }
            }
            Section("同步服务器") {
                TextField("https://sync.example.gov.cn", text: $serverUrl)
                    .keyboardType(.URL).textInputAutocapitalization(.never).autocorrectionDisabled()
                SecureField(app.settings.server == nil ? "设备令牌" : "设备令牌（已保存，留空不变）", text: $token)
            }
            Button("保存") {
                app.saveSetup(workerId: workerId, name: name, role: role, serverUrl: serverUrl, token: token)
            }
            .disabled(workerId.trimmingCharacters(in: .whitespaces).isEmpty || name.trimmingCharacters(in: .whitespaces).isEmpty)
        }
        .navigationTitle("设置")
    }
}
