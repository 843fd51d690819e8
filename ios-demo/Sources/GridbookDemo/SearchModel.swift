import Foundation
import Gridbook

/// A search hit as shown: the core's masked display line and how it matched.
public struct SearchRow: Equatable, Sendable {
    public var householdId: String
    /// The resident, when the hit is a person; nil for a household found by its address.
    public var residentId: String?
    /// The core's line: masked name and address.
    public var display: String
    /// "拼音", "地址" … (`Labels.match`).
    public var matched: String
}

public struct SearchState: Equatable, Sendable {
    public var query = ""
    public var rows: [SearchRow] = []
    public var searching = false
    public var error: String?

    public init() {}
}

/// The household and resident search field: each query goes to the core's
/// `search`, which reads names as typed or in pinyin (zs, zhangsan, 张s),
/// phone and ID-number endings, and addresses as people type them (3-2-401,
/// 3栋2单元401, 三栋). Names come back masked; nothing is unmasked here. A
/// newer query cancels the older one.
@MainActor
public final class SearchModel {
    public let state = StateCell(SearchState())
    public let gridId: String
    private let calls: StoreCalls
    private let limit: Int32
    private var searching: Task<Void, Never>?

    public init(calls: StoreCalls, gridId: String, limit: Int32 = 20) {
        self.calls = calls
        self.gridId = gridId
        self.limit = limit
    }

    deinit {
        searching?.cancel()
    }

    /// The field's text changed. A blank query clears the list. Returns the search's task (tests await it).
    @discardableResult
    public func setQuery(_ query: String) -> Task<Void, Never> {
        searching?.cancel()
        var next = state.value
        next.query = query
        next.searching = !query.trimmingCharacters(in: .whitespaces).isEmpty
        next.error = nil
        if !next.searching { next.rows = [] }
        state.value = next
        let calls = calls
        let gridId = gridId
        let limit = limit
        let task = Task { [weak self] in
            guard next.searching else { return }
            let typed = query.trimmingCharacters(in: .whitespaces)
            do {
                let hits = try await calls.read { try await $0.search(gridId: gridId, query: typed, limit: limit) }
                guard let self, !Task.isCancelled, self.state.value.query == query else { return }
                var found = self.state.value
                found.rows = hits.map { SearchRow(householdId: $0.householdId, residentId: $0.residentId, display: $0.display, matched: Labels.match($0.matched)) }
                found.searching = false
                self.state.value = found
            } catch {
                guard let self, !Task.isCancelled, self.state.value.query == query else { return }
                var failed = self.state.value
                failed.rows = []
                failed.searching = false
                failed.error = describe(error)
                self.state.value = failed
            }
        }
        searching = task
        return task
    }
}

extension Labels {
    /// How a search hit matched, in Chinese.
    public static func match(_ value: SearchMatch) -> String {
        switch value {
        case .name: "姓名"
        case .pinyin: "拼音"
        case .phoneSuffix: "手机尾号"
        case .idNumberSuffix: "身份证尾号"
        case .address: "地址"
        }
    }
}
