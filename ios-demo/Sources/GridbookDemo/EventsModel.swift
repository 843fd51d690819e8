import Foundation
import Gridbook

/// One open event as the list shows it (网格吹哨).
public struct EventRow: Equatable, Sendable {
    public var id: String
    /// The category's name ("消防通道堵塞").
    public var category: String
    public var description: String
    /// "待受理", "已派遣" …
    public var status: String
    /// The whistle level's name ("常规哨").
    public var level: String
    /// The light of the time left; nil without a deadline.
    public var light: WarningLight?
    /// "红灯" …; nil without a deadline.
    public var lightLabel: String?
    /// The deadline, "2025-06-16 10:00"; nil without one.
    public var deadline: String?
    public var photoCount: Int
    /// Steps contradicted each other: the grid head should look.
    public var needsReview: Bool
}

public enum EventsState: Equatable, Sendable {
    case loading
    case loaded(gridId: String, rows: [EventRow])
    case failed(String)
}

/// A grid's open events, most urgent first, with their warning light (红黄绿灯)
/// at the model's clock; reporting one with a photo (随手拍) and taking a step
/// of its loop. The list follows the store's live query: a report, a step or
/// a merged sync updates it with no reload. Refusals come back as a message
/// for the user (`describe`) and change nothing.
@MainActor
public final class EventsModel {
    public let state = StateCell<EventsState>(.loading)
    private let calls: StoreCalls
    private let clock: Clock
    private var watching: Task<Void, Never>?

    public init(calls: StoreCalls, clock: Clock) {
        self.calls = calls
        self.clock = clock
    }

    deinit {
        watching?.cancel()
    }

    /// Starts following `gridId`'s open events (a second call switches grid); `close` stops it.
    public func observe(gridId: String) {
        watching?.cancel()
        let store = calls.store
        let clock = self.clock
        let updates = store.openEventsUpdates(gridId: gridId)
        watching = Task { [weak self] in
            do {
                for try await events in updates {
                    // Read with each update: the grid head may have added a category or renamed a level.
                    let categories = Dictionary(
                        try await store.eventCategories(gridId: gridId).categories.map { ($0.code, $0.name) },
                        uniquingKeysWith: { first, _ in first }
                    )
                    let levels = Dictionary(
                        try await store.whistleLevels(gridId: gridId).levels.map { ($0.rank, $0.name) },
                        uniquingKeysWith: { first, _ in first }
                    )
                    guard let self, !Task.isCancelled else { return }
                    self.state.value = .loaded(
                        gridId: gridId, rows: events.map { Self.row($0, categories, levels, now: clock.now()) }
                    )
                }
            } catch {
                self?.state.value = .failed(describe(error))
            }
        }
    }

    /// Stops following the list (the screen went); the last state stays.
    public func close() {
        watching?.cancel()
        watching = nil
    }

    /// Reports an event at the model's clock, with the photo's bytes if one
    /// was taken (its metadata is stripped by the core); returns nil, or the
    /// message of a refusal (nothing is kept then, the photo included).
    public func report(gridId: String, category: String, description: String, urgent: Bool, photo: Data?) async -> String? {
        let at = clock.now()
        do {
            _ = try await calls.write { store in
                var photos: [String] = []
                if let photo { photos.append(try await store.addPhoto(gridId: gridId, bytes: photo).id) }
                return try await store.reportEvent(input: EventInput(
                    gridId: gridId, category: category, description: description,
                    urgency: urgent ? .urgent : .normal, source: .doorKnocking, at: at, photos: photos
                ))
            }
            return nil
        } catch {
            return describe(error)
        }
    }

    /// Takes a step at the model's clock; returns nil, or the refusal's message.
    public func step(eventId: String, action: StepAction, assignee: String? = nil) async -> String? {
        let input = EventStepInput(eventId: eventId, action: action, at: clock.now(), assignee: assignee)
        do {
            _ = try await calls.write { try await $0.takeEventStep(input: input) }
            return nil
        } catch {
            return describe(error)
        }
    }

    /// A step's name in words ("受理", "派遣" …).
    public static func actionLabel(_ action: StepAction) -> String { stepActionLabel(value: action) }

    private static func row(_ e: Event, _ categories: [String: String], _ levels: [Int32: String], now: Timestamp) -> EventRow {
        let light = e.warningLight(now: now)
        return EventRow(
            id: e.id,
            category: categories[e.category] ?? e.category,
            description: e.description,
            status: eventStatusLabel(value: e.status),
            level: levels[e.level] ?? String(e.level),
            light: light,
            lightLabel: light.map { warningLightLabel(value: $0) },
            deadline: e.deadline.map(Labels.time),
            photoCount: e.photos.count,
            needsReview: e.needsReview
        )
    }
}
