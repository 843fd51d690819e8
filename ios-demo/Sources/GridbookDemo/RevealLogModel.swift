import Foundation
import Gridbook

/// One entry of the reveal log as shown.
public struct RevealLogRow: Equatable, Sendable {
    public var id: String
    /// "查看住户完整信息" or "导出未脱敏数据".
    public var subject: String
    /// "居民 王** · 3栋 1单元 502", or "网格员花名册 · 12 行" for an export.
    public var target: String
    /// "身份证号、电话".
    public var fields: String
    /// "联系住户：回访独居老人".
    public var reason: String
    public var recordedBy: String
    public var time: String

    public init(id: String, subject: String, target: String, fields: String, reason: String, recordedBy: String, time: String) {
        self.id = id
        self.subject = subject
        self.target = target
        self.fields = fields
        self.reason = reason
        self.recordedBy = recordedBy
        self.time = time
    }
}

public enum RevealLogState: Equatable, Sendable {
    case loading
    case loaded(gridId: String, rows: [RevealLogRow])
    case failed(String)
}

/// The grid's reveal log (查阅记录), newest first, for the grid head: who saw
/// which resident's full ID number and phones, or exported unmasked, when
/// and why, as far as this phone has synced. Anyone else is refused by the
/// core (协管员不能查看查阅记录). Read on `load`; the screen loads again after a sync.
@MainActor
public final class RevealLogModel {
    public let state = StateCell<RevealLogState>(.loading)
    private let calls: StoreCalls
    private let clock: Clock

    public init(calls: StoreCalls, clock: Clock) {
        self.calls = calls
        self.clock = clock
    }

    /// Reads `gridId`'s reveal log.
    public func load(gridId: String) async {
        do {
            let entries = try await calls.read { try await $0.revealLog(gridId: gridId) }
            var rows: [RevealLogRow] = []
            for e in entries {
                rows.append(RevealLogRow(
                    id: e.id,
                    subject: revealSubjectLabel(value: e.subject),
                    target: await target(e),
                    fields: e.fields.map(Labels.field).joined(separator: "、"),
                    reason: "\(revealPurposeLabel(value: e.purpose))：\(e.note)",
                    recordedBy: e.recordedBy,
                    time: Labels.time(Timestamp(utcMs: e.atMs, offsetMinutes: Int32(clock.offsetMinutes(at: e.atMs))))
                ))
            }
            state.value = .loaded(gridId: gridId, rows: rows)
        } catch {
            state.value = .failed(describe(error))
        }
    }

    private func target(_ e: RevealEntry) async -> String {
        switch e.subject {
        case .resident:
            let kind = Labels.record(.resident)
            do {
                let r = try await calls.store.resident(residentId: e.residentId)
                let household = try await calls.store.household(householdId: r.householdId).household
                return "\(kind) \(maskName(name: r.name)) · \(Labels.address(household))"
            } catch {
                return kind
            }
        case .export:
            let title = (try? exportTemplates())?.first { $0.id == e.templateId }?.title ?? e.templateId
            return "\(title) · \(e.rows) 行"
        }
    }
}
