import GridbookDemo
import SwiftUI

/// 待核冲突: fields two people changed at once, each value with who wrote it
/// and when (personal fields masked until revealed). Editing the field resolves it.
struct ConflictsScreen: View {
    let app: AppModel
    let model: ConflictsModel
    @StateObject private var conflicts: Watched<ConflictsState>

    init(app: AppModel, model: ConflictsModel) {
        self.app = app
        self.model = model
        _conflicts = StateObject(wrappedValue: Watched(model.state))
    }

    var body: some View {
        List {
            switch conflicts.value {
            case .loading:
                ProgressView()
            case let .failed(message):
                Text(message).foregroundStyle(.red)
            case let .loaded(_, rows):
                if rows.isEmpty { Text("没有待核的冲突").foregroundStyle(.secondary) }
                ForEach(rows, id: \.key) { row in
                    Section("\(row.record) · \(row.fieldLabel)") {
                        ForEach(Array(row.values.enumerated()), id: \.offset) { _, value in
                            VStack(alignment: .leading, spacing: 2) {
                                Text(value.text + (value.isWinner ? "（当前值）" : "")).font(.body.monospaced())
                                Text([value.workerId, value.time].compactMap { $0 }.joined(separator: " · "))
                                    .font(.caption).foregroundStyle(.secondary)
                            }
                        }
                        if row.sensitive {
                            Button(row.revealed ? "隐藏" : "显示") { model.toggleReveal(row.key) }
                        }
                    }
                }
            }
        }
        .navigationTitle("待核冲突")
    }
}
