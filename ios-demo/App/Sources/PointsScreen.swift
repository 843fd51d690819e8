import Gridbook
import GridbookDemo
import SwiftUI

/// 志愿服务积分: the month's board, a volunteer's balance and ledger, an award (grid head) and an exchange.
struct PointsScreen: View {
    let model: PointsModel
    @StateObject private var points: Watched<PointsState>
    @State private var amount = ""
    @State private var note = ""

    init(model: PointsModel) {
        self.model = model
        _points = StateObject(wrappedValue: Watched(model.state))
    }

    var body: some View {
        List {
            Section("本月积分明星榜") {
                if points.value.board.isEmpty { Text("本月还没有积分").foregroundStyle(.secondary) }
                ForEach(points.value.board, id: \.volunteerId) { row in
                    Button { model.select(volunteerId: row.volunteerId) } label: {
                        HStack {
                            Text("第 \(row.place) 名")
                            Text(row.name)
                            Spacer()
                            Text("\(row.points) 分")
                        }
                    }
                    .foregroundStyle(.primary)
                }
            }
            if let account = points.value.account {
                Section("\(account.name) · 余额 \(account.balance) 分") {
                    TextField("积分", text: $amount).keyboardType(.numberPad)
                    TextField("奖励理由或兑换物品", text: $note)
                    HStack {
                        Button("奖励") { Task { await model.award(volunteerId: account.volunteerId, points: UInt32(amount) ?? 0, reason: note) } }
                        Spacer()
                        Button("兑换") { Task { await model.spend(volunteerId: account.volunteerId, points: UInt32(amount) ?? 0, item: note) } }
                    }
                    .buttonStyle(.borderless)
                    ForEach(Array(account.entries.enumerated()), id: \.offset) { _, e in
                        Text("\(e.on.isoDate) \(e.kind) \(e.points > 0 ? "+" : "")\(e.points) \(e.note)").font(.caption)
                    }
                }
            }
            if let error = points.value.error { Text(error).foregroundStyle(.red) }
        }
        .navigationTitle("志愿积分")
    }
}
