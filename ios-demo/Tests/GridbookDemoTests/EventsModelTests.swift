import Foundation
import XCTest

import Gridbook
@testable import GridbookDemo

/// A clock the test moves forward: each step of an event must come after the last.
final class SteppedClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var ms: Int64
    var timeZone: TimeZone { shanghai }

    init(ms: Int64) { self.ms = ms }

    func nowMs() -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        return ms
    }

    func advance(minutes: Int64) {
        lock.lock()
        ms += minutes * 60_000
        lock.unlock()
    }
}

/// A 1×1 PNG with a text chunk naming a place: what the core strips.
let photoWithText: Data = Data([
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89,
    0x00, 0x00, 0x00, 0x08,
]) + Data("tEXtComment".utf8) + Data([0x00, 0x00, 0x00, 0x00, 0x00]) + Data([
    0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
])

final class EventsModelTests: XCTestCase {
    func testAReportWithAPhotoIsListedWithItsLightAndFollowsItsSteps() async throws {
        try await Self.aReportWithAPhotoIsListedWithItsLightAndFollowsItsSteps(try tempDir(self, "events"))
    }

    @MainActor
    private static func aReportWithAPhotoIsListedWithItsLightAndFollowsItsSteps(_ dir: URL) async throws {
        let env = Env(try await openStore(dir, "w-zhang"))
        let g = try await grid(env.store, "502")
        let clock = SteppedClock(ms: FixedClock(2025, 6, 16, 9, 0).nowMs())
        let model = EventsModel(calls: env.calls, clock: clock)
        model.observe(gridId: g.id)
        defer { model.close() }
        let none = try await awaitState(model.state, "nothing open") { if case .loaded = $0 { true } else { false } }
        XCTAssertEqual(none, .loaded(gridId: g.id, rows: []))

        let refused = await model.report(gridId: g.id, category: "fire_lane_blocked", description: "3栋东侧消防通道被电动车堵塞", urgent: true, photo: photoWithText)
        XCTAssertNil(refused)
        let reported = try await awaitState(model.state, "the report") { if case let .loaded(_, rows) = $0 { rows.count == 1 } else { false } }
        guard case let .loaded(_, rows) = reported else { return XCTFail("not loaded") }
        XCTAssertEqual(rows[0], EventRow(
            id: rows[0].id, category: "消防通道堵塞", description: "3栋东侧消防通道被电动车堵塞", status: "待受理",
            level: "常规哨", light: .green, lightLabel: "绿灯", deadline: "2025-06-17 09:00", photoCount: 1, needsReview: false
        ))

        clock.advance(minutes: 1)
        let accepted = await model.step(eventId: rows[0].id, action: .accept)
        XCTAssertNil(accepted)
        _ = try await awaitState(model.state, "accepted") { if case let .loaded(_, rows) = $0 { rows.first?.status == "已受理" } else { false } }
        clock.advance(minutes: 1)
        let tooEarly = await model.step(eventId: rows[0].id, action: .close)
        XCTAssertEqual(tooEarly, "结案：事件已受理时不能办理")
        clock.advance(minutes: 1)
        let resolved = await model.step(eventId: rows[0].id, action: .selfResolve)
        XCTAssertNil(resolved)
        let done = try await awaitState(model.state, "self-resolved") { if case let .loaded(_, rows) = $0 { rows.isEmpty } else { false } }
        XCTAssertEqual(done, .loaded(gridId: g.id, rows: []))
        XCTAssertEqual(EventsModel.actionLabel(.selfResolve), "自办自结")
    }
}
