import Foundation
import Gridbook

/// A member as shown: the ID number and phones as the core reads them
/// (masked) and the name masked by the demo, unless `revealed`, when they are
/// the full values of a reveal.
public struct MemberRow: Equatable, Sendable {
    public var residentId: String
    public var name: String
    public var gender: String
    public var birthDate: DateComponents?
    public var phones: [String]
    public var idNumber: String?
    public var care: [String]
    public var isHead: Bool
    public var revealed: Bool

    public init(
        residentId: String, name: String, gender: String, birthDate: DateComponents?, phones: [String],
        idNumber: String?, care: [String], isHead: Bool, revealed: Bool
    ) {
        self.residentId = residentId
        self.name = name
        self.gender = gender
        self.birthDate = birthDate
        self.phones = phones
        self.idNumber = idNumber
        self.care = care
        self.isHead = isHead
        self.revealed = revealed
    }
}

/// A past visit as shown. The position is not shown, only that there was a fix.
public struct VisitRow: Equatable, Sendable {
    public var visitId: String
    public var time: String
    public var kind: String
    public var outcome: String
    public var workerId: String
    public var notes: String?
    /// "诉求：需要助餐服务（上报）".
    public var findings: [String]
    /// "定位 ±8 米", or nil without a fix.
    public var gps: String?

    public init(
        visitId: String, time: String, kind: String, outcome: String, workerId: String, notes: String?,
        findings: [String], gps: String?
    ) {
        self.visitId = visitId
        self.time = time
        self.kind = kind
        self.outcome = outcome
        self.workerId = workerId
        self.notes = notes
        self.findings = findings
        self.gps = gps
    }
}

public enum HouseholdState: Equatable, Sendable {
    case loading
    case loaded(HouseholdView)
    case failed(String)
}

/// A household as shown.
public struct HouseholdView: Equatable, Sendable {
    public var householdId: String
    public var address: String
    public var use: String
    public var tags: [String]
    public var members: [MemberRow]
    /// Newest first.
    public var visits: [VisitRow]
    /// Why the last reveal was refused ("楼栋长不能…", "查阅说明：不能为空"); nil after a reveal or hide that went through.
    public var revealError: String?
}

/// One household's active members and visit history, newest visit first,
/// kept current by the store's live query: a visit logged here or a change
/// merged by a sync reaches the screen with no reload.
@MainActor
public final class HouseholdModel {
    public let state = StateCell<HouseholdState>(.loading)
    public let householdId: String
    private let calls: StoreCalls

    // The store reads members masked; the full values of a member revealed
    // through the core (and logged there) stay here until hidden.
    private var detail: HouseholdDetail?
    private var careLabels: [String: String] = [:]
    private var revealed: [String: Resident] = [:]
    private var revealError: String?
    private var watching: Task<Void, Never>?

    public init(calls: StoreCalls, householdId: String) {
        self.calls = calls
        self.householdId = householdId
    }

    deinit {
        watching?.cancel()
    }

    /// Starts following the household in a task the model owns; `close` (the screen went) stops it.
    public func observe() {
        watching?.cancel()
        let updates = calls.store.householdUpdates(householdId: householdId)
        watching = Task { [weak self] in
            do {
                let labels = Labels.careLabels()
                for try await loaded in updates {
                    guard let self else { return }
                    self.careLabels = labels
                    self.detail = loaded
                    self.publish()
                }
            } catch {
                self?.state.value = .failed(describe(error))
            }
        }
    }

    /// Stops following the household and removes the store's listener.
    public func close() {
        watching?.cancel()
        watching = nil
    }

    /// Whether `residentId`'s full values are shown.
    public func isRevealed(_ residentId: String) -> Bool { revealed[residentId] != nil }

    /// Shows one member's full ID number, phones and name: asks the core
    /// (`Store.revealResident`), which writes the reveal with `reason` (the
    /// purpose and note the user picked) to the grid's reveal log first. A
    /// refusal (a role that may not, an empty note) is shown as
    /// `HouseholdView.revealError` and nothing is revealed. Returns whether
    /// the member is now revealed.
    @discardableResult
    public func reveal(_ residentId: String, reason: RevealReason) async -> Bool {
        let ok: Bool
        do {
            revealed[residentId] = try await calls.write { try await $0.revealResident(residentId: residentId, reason: reason) }
            revealError = nil
            ok = true
        } catch {
            revealError = describe(error)
            ok = false
        }
        publish()
        return ok
    }

    /// Masks one member again and drops their full values from memory.
    public func hide(_ residentId: String) {
        revealed[residentId] = nil
        revealError = nil
        publish()
    }

    /// `hide`s a revealed member, else `reveal`s them for `reason`.
    public func toggleReveal(_ residentId: String, reason: RevealReason) async {
        if isRevealed(residentId) { hide(residentId) } else { await reveal(residentId, reason: reason) }
    }

    /// The active members, masked as shown (for "who was seen" in the visit form).
    public var members: [MemberRow] {
        if case let .loaded(view) = state.value { return view.members }
        return []
    }

    private func publish() {
        guard let d = detail else { return }
        let active = d.members.filter { $0.status == .active }
        // A reveal holds the values of its moment: a member who left, or whose
        // ID number or phones changed since (a sync, an edit), is masked again.
        for (id, full) in revealed {
            guard let now = active.first(where: { $0.id == id }), Masking.sameMasked(now, full) else {
                revealed[id] = nil
                continue
            }
        }
        let members = active.map { member($0, head: d.household.headId) }
        state.value = .loaded(HouseholdView(
            householdId: d.household.id,
            address: Labels.address(d.household),
            use: dwellingUseLabel(value: d.household.useKind),
            tags: d.household.tags,
            members: members,
            visits: d.visits.map(visit),
            revealError: revealError
        ))
    }

    private func member(_ r: Resident, head: String?) -> MemberRow {
        let full = revealed[r.id]
        let open = full != nil
        let shown = Masking.resident(r, full: full)
        return MemberRow(
            residentId: r.id,
            name: shown.name,
            gender: genderLabel(value: r.gender),
            birthDate: shown.birthDate,
            phones: shown.phones,
            idNumber: shown.idNumber,
            care: r.care.map { Labels.care($0, careLabels) },
            isHead: r.id == head,
            revealed: open
        )
    }

    private func visit(_ v: Visit) -> VisitRow {
        VisitRow(
            visitId: v.id,
            time: Labels.time(v.at),
            kind: visitKindLabel(value: v.kind),
            outcome: visitOutcomeLabel(value: v.outcome),
            workerId: v.workerId,
            notes: v.notes,
            findings: v.findings.map { "\(findingKindLabel(value: $0.kind))：\($0.text)（\(resolutionLabel(value: $0.resolution))）" },
            gps: v.gps.map { "定位 ±\(Int($0.accuracyM.rounded())) 米" }
        )
    }
}
