import Gridbook
import GridbookDemo
import SwiftUI

/// 住户: active members (masked until 显示 is tapped on one and a purpose and
/// note are given; the core logs the reveal) and visits, newest first.
struct HouseholdScreen: View {
    let app: AppModel
    let model: HouseholdModel
    @StateObject private var household: Watched<HouseholdState>
    @State private var asking: String?
    @State private var purpose: RevealPurpose = .contactResident
    @State private var note = ""

    init(app: AppModel, model: HouseholdModel) {
        self.app = app
        self.model = model
        _household = StateObject(wrappedValue: Watched(model.state))
    }

    var body: some View {
        Group {
            switch household.value {
            case .loading:
                ProgressView()
            case let .failed(message):
                Text(message).foregroundStyle(.red).padding()
            case let .loaded(view):
                List {
                    Section("\(view.use)\(view.tags.isEmpty ? "" : " · " + view.tags.joined(separator: "、"))") {
                        if let error = view.revealError { Text(error).foregroundStyle(.red) }
                        ForEach(view.members, id: \.residentId) { member in
                            MemberView(member: member) {
                                if member.revealed { model.hide(member.residentId) } else { asking = member.residentId }
                            }
                        }
                    }
                    Section("走访记录（\(view.visits.count)）") {
                        ForEach(view.visits, id: \.visitId) { VisitRowView(visit: $0) }
                    }
                }
                .navigationTitle(view.address)
            }
        }
        .toolbar {
            ToolbarItem(placement: .navigationBarTrailing) { Button("记录走访") { app.logVisit(model) } }
        }
        .sheet(isPresented: Binding(get: { asking != nil }, set: { if !$0 { asking = nil } })) {
            NavigationStack {
                Form {
                    Text("查阅将记入本网格的查阅记录。").font(.caption)
                    Picker("查阅目的", selection: $purpose) {
                        ForEach(Labels.revealPurposes, id: \.self) { Text(revealPurposeLabel(value: $0)).tag($0) }
                    }
                    TextField("说明（必填）", text: $note)
                }
                .navigationTitle("查看完整信息")
                .toolbar {
                    ToolbarItem(placement: .cancellationAction) { Button("取消") { asking = nil } }
                    ToolbarItem(placement: .confirmationAction) {
                        Button("查看") {
                            guard let residentId = asking else { return }
                            let reason = RevealReason(purpose: purpose, note: note)
                            asking = nil
                            note = ""
                            Task { await model.reveal(residentId, reason: reason) }
                        }
                    }
                }
            }
        }
    }
}

struct MemberView: View {
    let member: MemberRow
    let toggle: () -> Void

    var body: some View {
        HStack(alignment: .top) {
            VStack(alignment: .leading, spacing: 2) {
                Text("\(member.name)\(member.isHead ? "（户主）" : "") · \(member.gender)").font(.headline)
                if let birth = member.birthDate { Text("出生 \(birth.isoDate)").font(.caption) }
                if let id = member.idNumber { Text("身份证 \(id)").font(.caption.monospaced()) }
                if !member.phones.isEmpty { Text("电话 \(member.phones.joined(separator: "，"))").font(.caption.monospaced()) }
                if !member.care.isEmpty { Text(member.care.joined(separator: "、")).font(.caption).foregroundStyle(.orange) }
            }
            Spacer()
            Button(member.revealed ? "隐藏" : "显示", action: toggle).buttonStyle(.bordered)
        }
    }
}

struct VisitRowView: View {
    let visit: VisitRow

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text("\(visit.time) · \(visit.kind) · \(visit.outcome)").font(.subheadline)
            Text(visit.workerId + (visit.gps.map { " · \($0)" } ?? "")).font(.caption).foregroundStyle(.secondary)
            if let notes = visit.notes { Text(notes).font(.caption) }
            ForEach(visit.findings, id: \.self) { Text($0).font(.caption) }
        }
    }
}
