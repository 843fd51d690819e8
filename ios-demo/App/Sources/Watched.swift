import Combine
import GridbookDemo

/// A `StateCell` of the logic, as an ObservableObject for SwiftUI.
@MainActor
final class Watched<Value: Sendable>: ObservableObject {
    @Published private(set) var value: Value
    private var subscription: StateSubscription?

    init(_ cell: StateCell<Value>) {
        value = cell.value
        subscription = cell.observe { [weak self] in self?.value = $0 }
    }
}

/// A model held by a navigation route, compared by identity.
struct Ref<T: AnyObject>: Hashable {
    let object: T

    static func == (a: Ref<T>, b: Ref<T>) -> Bool { a.object === b.object }
    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(object)) }
}
