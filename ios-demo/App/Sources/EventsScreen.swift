import Gridbook
import GridbookDemo
import SwiftUI

/// 网格吹哨: the grid's open events with their warning light, a report
/// (随手拍; a photo from the camera goes through `EventsModel.report`), and
/// the grid's first steps.
struct EventsScreen: View {
    let model: EventsModel
    let gridId: String?
    @StateObject private var events: Watched<EventsState>
    @State private var description = ""
    @State private var message: String?

    init(model: EventsModel, gridId: String?) {
        self.model = model
        self.gridId = gridId
        _events = StateObject(wrappedValue: Watched(model.state))
    }

    var body: some View {
        List {
            Section("随手拍") {
                TextField("发现了什么问题", text: $description)
                Button("上报") {
                    guard let gridId else { return }
                    Task {
                        message = await model.report(gridId: gridId, category: "fire_lane_blocked", description: description, urgent: false, photo: nil)
                        if message == nil { description = "" }
                    }
                }
                .disabled(gridId == nil || description.isEmpty)
                if let message { Text(message).foregroundStyle(.red) }
            }
            switch events.value {
            case .loading:
                ProgressView()
            case let .failed(text):
                Text(text).foregroundStyle(.red)
            case let .loaded(_, rows):
                if rows.isEmpty { Text("没有待办的事件").foregroundStyle(.secondary) }
                ForEach(rows, id: \.id) { row in
                    Section {
                        VStack(alignment: .leading, spacing: 4) {
                            HStack {
                                if let label = row.lightLabel { Text(label).foregroundStyle(color(row.light)) }
                                Text("\(row.category) · \(row.level) · \(row.status)").font(.headline)
                            }
                            Text(row.description)
                            if let deadline = row.deadline { Text("办理时限 \(deadline)").font(.caption) }
                            if row.needsReview { Text("办理步骤有冲突，请核对").foregroundStyle(.red) }
                        }
                        ForEach([StepAction.accept, .selfResolve], id: \.self) { action in
                            Button(EventsModel.actionLabel(action)) {
                                Task { message = await model.step(eventId: row.id, action: action) }
                            }
                        }
                    }
                }
            }
        }
        .navigationTitle("网格事件")
    }

    private func color(_ light: WarningLight?) -> Color {
        switch light {
        case .red: .red
        case .yellow: .orange
        case .green: .green
        case nil: .primary
        }
    }
}
