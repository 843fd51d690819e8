import GridbookDemo
import SwiftUI

/// 查找住户或居民: names as typed or in pinyin, phone endings, addresses; names masked.
struct SearchScreen: View {
    let app: AppModel
    let model: SearchModel
    @StateObject private var search: Watched<SearchState>
    @State private var query = ""

    init(app: AppModel, model: SearchModel) {
        self.app = app
        self.model = model
        _search = StateObject(wrappedValue: Watched(model.state))
    }

    var body: some View {
        List {
            TextField("姓名、拼音（zs）、手机尾号或地址（3-2-401）", text: $query)
                .onChange(of: query) { model.setQuery($0) }
            if let error = search.value.error { Text(error).foregroundStyle(.red) }
            if !search.value.searching && !query.trimmingCharacters(in: .whitespaces).isEmpty
                && search.value.rows.isEmpty && search.value.error == nil {
                Text("没有找到").foregroundStyle(.secondary)
            }
            ForEach(Array(search.value.rows.enumerated()), id: \.offset) { _, row in
                Button { app.openHousehold(row.householdId) } label: {
                    HStack {
                        Text(row.display)
                        Spacer()
                        Text("按\(row.matched)").font(.caption).foregroundStyle(.tint)
                    }
                }
                .foregroundStyle(.primary)
            }
        }
        .navigationTitle("查找")
    }
}
