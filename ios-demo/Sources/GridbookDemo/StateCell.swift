// The state a screen shows, observable without Combine or Observation (the
// logic builds on Linux too). The app wraps each cell in an ObservableObject.

/// A value on the main actor with observers called after every change.
@MainActor
public final class StateCell<Value: Sendable> {
    /// The current value; set by the model that owns the cell.
    public internal(set) var value: Value {
        didSet { notify() }
    }

    private var observers: [Int: @MainActor (Value) -> Void] = [:]
    private var nextId = 0

    public nonisolated init(_ value: Value) {
        self.value = value
    }

    /// Calls `observer` with every new value (not the current one) until the subscription is cancelled.
    @discardableResult
    public func observe(_ observer: @escaping @MainActor (Value) -> Void) -> StateSubscription {
        let id = nextId
        nextId += 1
        observers[id] = observer
        return StateSubscription { [weak self] in self?.observers[id] = nil }
    }

    private func notify() {
        let current = value
        for id in observers.keys.sorted() {
            observers[id]?(current)
        }
    }
}

/// Stops an observation of a `StateCell`.
@MainActor
public final class StateSubscription {
    private var stop: (@MainActor () -> Void)?

    init(_ stop: @escaping @MainActor () -> Void) {
        self.stop = stop
    }

    public func cancel() {
        stop?()
        stop = nil
    }
}
