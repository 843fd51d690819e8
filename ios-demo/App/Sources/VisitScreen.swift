import Gridbook
import GridbookDemo
import SwiftUI

/// 记录走访: kind, outcome, who was seen, findings, notes and one location fix.
struct VisitScreen: View {
    let app: AppModel
    let route: VisitRoute
    @StateObject private var form: Watched<VisitFormState>

    init(app: AppModel, route: VisitRoute) {
        self.app = app
        self.route = route
        _form = StateObject(wrappedValue: Watched(route.form.state))
    }

    private var model: VisitFormModel { route.form }

    var body: some View {
        let state = form.value
        Form {
            Section("走访") {
                Picker("类型", selection: Binding(get: { state.kind }, set: { model.setKind($0) })) {
                    ForEach([VisitKind.routine, .followUp, .specialCare, .survey], id: \.self) { Text(visitKindLabel(value: $0)).tag($0) }
                }
                Picker("结果", selection: Binding(get: { state.outcome }, set: { model.setOutcome($0) })) {
                    ForEach([VisitOutcome.met, .nobodyHome, .refused, .vacant, .movedAway], id: \.self) { Text(visitOutcomeLabel(value: $0)).tag($0) }
                }
            }
            if !route.members.isEmpty {
                Section("见到的人") {
                    ForEach(route.members, id: \.residentId) { member in
                        Toggle(member.name, isOn: Binding(
                            get: { state.residentsSeen.contains(member.residentId) },
                            set: { _ in model.toggleSeen(member.residentId) }
                        ))
                    }
                }
            }
            Section("发现的问题") {
                ForEach(Array(state.findings.enumerated()), id: \.offset) { index, finding in
                    FindingEditor(draft: finding, update: { model.updateFinding(at: index, $0) }, remove: { model.removeFinding(at: index) })
                }
                Button("添加诉求或问题") { model.addFinding(FindingDraft(kind: .request, text: "", resolution: .open)) }
            }
            Section("备注") {
                TextField("备注", text: Binding(get: { state.notes }, set: { model.setNotes($0) }), axis: .vertical)
            }
            Section("定位") {
                HStack {
                    Text(locationText(state.location))
                    Spacer()
                    Button("定位") { Task { await model.locate() } }.disabled(state.location == .locating)
                }
            }
            if let error = state.error {
                Section { Text(error).foregroundStyle(.red) }
            }
        }
        .navigationTitle("记录走访")
        .toolbar {
            ToolbarItem(placement: .navigationBarTrailing) {
                Button("保存") { Task { await model.save() } }.disabled(state.saving || state.savedVisitId != nil)
            }
        }
        .task {
            if state.location == .idle { await model.locate() }
        }
        .onChange(of: state.savedVisitId) { saved in
            if saved != nil { app.back() }
        }
    }

    private func locationText(_ location: LocationState) -> String {
        switch location {
        case .idle: return "未定位"
        case .locating: return "正在定位…"
        case let .located(fix):
            if case let .fix(_, _, accuracy) = fix { return "已定位 ±\(Int(accuracy.rounded())) 米" }
            return "已定位"
        case let .unavailable(reason):
            switch reason {
            case .noPermission: return "没有定位权限，将不保存位置"
            case .disabled: return "定位服务已关闭，将不保存位置"
            default: return "暂时无法定位，将不保存位置"
            }
        }
    }
}

struct FindingEditor: View {
    let draft: FindingDraft
    let update: (FindingDraft) -> Void
    let remove: () -> Void

    var body: some View {
        VStack(alignment: .leading) {
            Picker("类别", selection: Binding(get: { draft.kind }, set: { var d = draft; d.kind = $0; update(d) })) {
                ForEach([FindingKind.request, .problem], id: \.self) { Text(findingKindLabel(value: $0)).tag($0) }
            }
            .pickerStyle(.segmented)
            TextField("内容", text: Binding(get: { draft.text }, set: { var d = draft; d.text = $0; update(d) }))
            Picker("处理", selection: Binding(get: { draft.resolution }, set: { var d = draft; d.resolution = $0; update(d) })) {
                ForEach([Resolution.solvedOnSite, .escalated, .open], id: \.self) { Text(resolutionLabel(value: $0)).tag($0) }
            }
            Button("删除", role: .destructive, action: remove)
        }
    }
}
