import Foundation
import Gridbook

/// A finding being written.
public struct FindingDraft: Equatable, Sendable {
    public var kind: FindingKind
    public var text: String
    public var resolution: Resolution

    public init(kind: FindingKind, text: String, resolution: Resolution) {
        self.kind = kind
        self.text = text
        self.resolution = resolution
    }
}

public enum LocationState: Equatable, Sendable {
    case idle
    case locating
    /// A fix (always a `LocationResult.fix`).
    case located(LocationResult)
    /// No fix: the reason is `.noPermission`, `.disabled` or `.timedOut`. The
    /// visit can still be saved, without a position.
    case unavailable(LocationResult)
}

public struct VisitFormState: Equatable, Sendable {
    public var householdId: String
    public var kind: VisitKind = .routine
    public var outcome: VisitOutcome = .met
    public var notes: String = ""
    public var findings: [FindingDraft] = []
    public var residentsSeen: Set<String> = []
    public var location: LocationState = .idle
    public var saving = false
    /// Why the last save failed: names the field, never the value.
    public var error: String?
    /// The id of the logged visit once saved.
    public var savedVisitId: String?

    public init(householdId: String) {
        self.householdId = householdId
    }
}

/// Logging a visit: outcome, findings, notes, who was seen and the phone's
/// location fix. The core validates the input; a rejected save leaves the
/// form as it was with `error` set and stores nothing.
@MainActor
public final class VisitFormModel {
    public let state: StateCell<VisitFormState>
    private let calls: StoreCalls
    private let clock: Clock
    private let location: LocationSource
    private let locationTimeout: Double

    public init(
        calls: StoreCalls, clock: Clock, location: LocationSource, householdId: String,
        locationTimeout: Double = 30
    ) {
        self.calls = calls
        self.clock = clock
        self.location = location
        self.locationTimeout = locationTimeout
        state = StateCell(VisitFormState(householdId: householdId))
    }

    public func setKind(_ kind: VisitKind) { state.value.kind = kind }
    public func setOutcome(_ outcome: VisitOutcome) { state.value.outcome = outcome }
    public func setNotes(_ notes: String) { state.value.notes = notes }
    public func addFinding(_ draft: FindingDraft) { state.value.findings.append(draft) }

    public func updateFinding(at index: Int, _ draft: FindingDraft) {
        guard state.value.findings.indices.contains(index) else { return }
        state.value.findings[index] = draft
    }

    public func removeFinding(at index: Int) {
        guard state.value.findings.indices.contains(index) else { return }
        state.value.findings.remove(at: index)
    }

    public func toggleSeen(_ residentId: String) {
        if state.value.residentsSeen.remove(residentId) == nil { state.value.residentsSeen.insert(residentId) }
    }

    /// Asks the phone for one fix.
    public func locate() async {
        state.value.location = .locating
        let result = await location.currentFix(timeout: locationTimeout)
        state.value.location = result.gpsFix != nil ? .located(result) : .unavailable(result)
    }

    /// Logs the visit now (the phone's time), with the fix if there is one. Saving twice is refused.
    public func save() async {
        let form = state.value
        if form.saving || form.savedVisitId != nil { return }
        state.value.saving = true
        state.value.error = nil
        let notes = form.notes.trimmingCharacters(in: .whitespacesAndNewlines)
        var gps: GpsFix?
        if case let .located(fix) = form.location { gps = fix.gpsFix }
        let input = VisitInput(
            householdId: form.householdId,
            at: clock.now(),
            kind: form.kind,
            outcome: form.outcome,
            residentsSeen: form.residentsSeen.sorted(),
            notes: notes.isEmpty ? nil : notes,
            findings: form.findings.map { FindingInput(id: nil, kind: $0.kind, text: $0.text, resolution: $0.resolution) },
            gps: gps
        )
        do {
            let id = try await calls.write { store in try await store.logVisit(input: input) }
            state.value.saving = false
            state.value.savedVisitId = id
        } catch {
            state.value.saving = false
            state.value.error = describe(error)
        }
    }
}
