// Grid events from Swift: a grid head reports a blocked fire lane with a
// photo, accepts and dispatches it to a department's account, the department
// takes and resolves it, the grid verifies and closes it; refusals are typed
// and write nothing; the open list is an async sequence.
import Foundation
import XCTest

import Gridbook

/// A 1×1 PNG, as a camera app might hand it over without metadata.
let tinyPng = Data([
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
])

/// The same PNG with a text chunk naming a place after its header: metadata the store must strip.
func pngWithText(_ text: String) -> Data {
    let payload = Data("Comment".utf8) + Data([0]) + Data(text.utf8)
    let length = withUnsafeBytes(of: UInt32(payload.count).bigEndian) { Data($0) }
    let chunk = length + Data("tEXt".utf8) + payload + Data([0, 0, 0, 0])
    return tinyPng.prefix(33) + chunk + tinyPng.suffix(from: 33)
}

/// Minutes after a fixed start: each step must come after the one before.
func minute(_ n: Int64) -> Timestamp { Timestamp(utcMs: 1_780_000_000_000 + n * 60_000, offsetMinutes: 480) }

func step(_ eventId: String, _ action: StepAction, _ at: Int64, assignee: String? = nil) -> EventStepInput {
    EventStepInput(eventId: eventId, action: action, at: minute(at), assignee: assignee)
}

final class EventTests: TempDirTestCase {
    func testTheWholeLoopWithAPhotoAndADepartment() async throws {
        let dir = try dir("events")
        let head = try await openStore(dir, "w-zhang")
        let department = try await Store.open(
            path: dir.appendingPathComponent("d-housing.db").path,
            identity: WorkerIdentity(workerId: "d-housing", name: "房管所", role: .department, deviceLabel: "房管所的手机"),
            key: nil
        )
        let f = try await fixture(head)
        let photo = try await head.addPhoto(gridId: f.grid, bytes: pngWithText("幸福小区3栋 王秀英家门口"))
        // sha256sum of tinyPng (Foundation on Linux has no SHA-256).
        XCTAssertEqual(photo.id, "ebf4f635a17d10d6eb46ba680b70142419aa3220f228001a036d311a22ee9d2a", "the id is the SHA-256 of the stripped bytes")
        await XCTAssertEqualAsync(try await head.photo(photoId: photo.id), tinyPng, "the text chunk is stripped")
        XCTAssertEqual(photo.upload, .waiting)

        let eventId = try await head.reportEvent(input: EventInput(
            gridId: f.grid, category: "fire_lane_blocked", description: "3栋东侧消防通道被电动车堵塞",
            urgency: .urgent, buildingId: f.building, source: .doorKnocking, at: minute(0), photos: [photo.id]
        ))
        _ = try await head.takeEventStep(input: step(eventId, .accept, 1))
        _ = try await head.takeEventStep(input: step(eventId, .dispatch, 2, assignee: "d-housing"))
        let dispatched = try await head.event(eventId: eventId)
        XCTAssertEqual(dispatched.status, .dispatched)
        XCTAssertEqual(dispatched.assignee, "d-housing")
        XCTAssertEqual(dispatched.deadline?.utcMs, minute(1).utcMs + 24 * 3_600_000, "24 hours from the acceptance")

        _ = try await department.importChanges(bytes: try await head.exportSince(cursor: 0).bytes)
        await XCTAssertEqualAsync(try await department.eventsAssignedTo(workerId: "d-housing").map(\.id), [eventId])
        await XCTAssertEqualAsync(
            await expectGridbookError("a department may not cancel") { try await department.takeEventStep(input: step(eventId, .cancel, 3)) },
            .RoleMayNot(action: .cancel, role: .department)
        )
        _ = try await department.takeEventStep(input: step(eventId, .take, 3))
        _ = try await department.takeEventStep(input: step(eventId, .resolve, 4))

        _ = try await head.importChanges(bytes: try await department.exportSince(cursor: 0).bytes)
        await XCTAssertEqualAsync(
            await expectGridbookError("closing before verifying") { try await head.takeEventStep(input: step(eventId, .close, 5)) },
            .StepNotAllowed(action: .close, status: .resolved)
        )
        await XCTAssertEqualAsync(try await head.event(eventId: eventId).steps.count, 4, "the refused step wrote nothing")
        _ = try await head.takeEventStep(input: step(eventId, .verify, 5))
        _ = try await head.takeEventStep(input: step(eventId, .close, 6))
        let closed = try await head.event(eventId: eventId)
        XCTAssertEqual(closed.status, .closed)
        XCTAssertEqual(closed.steps.map(\.action), [.accept, .dispatch, .take, .resolve, .verify, .close])
        XCTAssertEqual(closed.steps.map(\.workerId), ["w-zhang", "w-zhang", "d-housing", "d-housing", "w-zhang", "w-zhang"])
        XCTAssertNil(closed.warningLight(now: minute(7)), "no light once closed")
        XCTAssertEqual(eventStatusLabel(value: closed.status), "已结案")
        await XCTAssertEqualAsync(try await head.eventsOpen(gridId: f.grid).count, 0)

        // Reported 2026-05-29 04:26 in China; the grid's KPIs for that day.
        let kpis = try await head.eventKpis(gridId: f.grid, from: day(2026, 5, 29), to: day(2026, 5, 29))
        XCTAssertEqual(
            [kpis.reported, kpis.responded, kpis.closed, kpis.cancelled, kpis.closedOnTime, kpis.rated],
            [1, 1, 1, 0, 1, 0], "reported, responded, closed, cancelled, on time, rated"
        )
        XCTAssertEqual(kpis.medianResponseMinutes, 1, "accepted a minute after the report")
        XCTAssertEqual([kpis.resolutionRate, kpis.onTimeRate], [1.0, 1.0])
        XCTAssertNil(kpis.satisfactionRate, "nobody to ask: no satisfaction rate")
        XCTAssertEqual(kpis.byCategory, [KpiCount(code: "fire_lane_blocked", count: 1)])
        XCTAssertEqual(kpis.byStatus, [KpiCount(code: "closed", count: 1)])
        await XCTAssertEqualAsync(
            try await head.eventKpis(gridId: f.grid, from: day(2026, 5, 30), to: day(2026, 5, 30)).reported, 0,
            "nothing the next day"
        )
    }

    func testTheGridsOwnCategoryAndLevelNameReachTheDepartmentAndOnlyTheGridHeadSetsThem() async throws {
        let dir = try dir("event-settings")
        let head = try await openStore(dir, "w-zhang")
        let department = try await Store.open(
            path: dir.appendingPathComponent("d-housing.db").path,
            identity: WorkerIdentity(workerId: "d-housing", name: "房管所", role: .department, deviceLabel: "房管所的手机"),
            key: nil
        )
        let f = try await fixture(head)
        try await head.defineEventCategory(input: LocalCategoryInput(
            gridId: f.grid, code: "local_pothole", name: "路面坑洼", groupCode: "local_roads", groupName: "道路交通",
            limit: .workingDays(days: 5), closeCondition: "坑洼填平，现场复核", initialLevel: 2
        ))
        try await head.setWhistleLevel(input: WhistleLevelInput(
            gridId: f.grid, rank: 2, name: "街道哨", handledBy: "街道城管科", supervised: true, defaultAssignee: "d-housing"
        ))
        let own = try await head.eventCategories(gridId: f.grid).categories.last
        XCTAssertEqual(own?.code, "local_pothole")
        XCTAssertEqual(own?.local, true)
        XCTAssertEqual(own?.limit, .workingDays(days: 5))
        let id = try await head.reportEvent(input: EventInput(
            gridId: f.grid, category: "local_pothole", description: "2栋门前路面塌陷",
            urgency: .urgent, source: .doorKnocking, at: minute(0)
        ))
        await XCTAssertEqualAsync(try await head.event(eventId: id).level, 2, "starts at the category's level")

        _ = try await department.importChanges(bytes: try await head.exportSince(cursor: 0).bytes)
        await XCTAssertEqualAsync(
            try await department.eventCategories(gridId: f.grid), try await head.eventCategories(gridId: f.grid),
            "the department reads the same catalogue"
        )
        let joint = try await department.whistleLevels(gridId: f.grid).levels[1]
        XCTAssertEqual([joint.name, joint.code, joint.defaultAssignee], ["街道哨", "joint", "d-housing"])
        await XCTAssertEqualAsync(
            await expectGridbookError("a department may not name a level") {
                try await department.setWhistleLevel(input: WhistleLevelInput(
                    gridId: f.grid, rank: 1, name: "部门哨", handledBy: "部门", supervised: false
                ))
            },
            .GridHeadOnly(role: .department)
        )
        await XCTAssertEqualAsync(
            await expectGridbookError("a code without local_") {
                try await head.defineEventCategory(input: LocalCategoryInput(
                    gridId: f.grid, code: "pothole", name: "路面坑洼", groupCode: "safety", groupName: "",
                    limit: .hours(hours: 8), closeCondition: "填平", initialLevel: 1
                ))
            },
            .Invalid(field: "code", reason: .reservedCode)
        )
        try await head.retireEventCategory(gridId: f.grid, code: "local_pothole")
        await XCTAssertEqualAsync(try await head.eventCategories(gridId: f.grid).categories.count, 15, "retired")
        await XCTAssertEqualAsync(try await head.event(eventId: id).category, "local_pothole", "its event keeps it")
    }

    func testTheOpenListFollowsAReportAndAStep() async throws {
        let store = try await openStore(dir("events-live"), "w-zhang")
        let f = try await fixture(store)
        let seen = Collected<[EventStatus]>()
        let stream = store.openEventsUpdates(gridId: f.grid)
        let consumer = Task { for try await events in stream { seen.append(events.map(\.status)) } }
        var lists = try await seen.waitFor(count: 1)
        XCTAssertEqual(lists[0], [], "nothing open yet")
        let id = try await store.reportEvent(input: EventInput(
            gridId: f.grid, category: "gas_leak", description: "楼道有燃气味", urgency: .urgent,
            source: .residentRequest, at: minute(0)
        ))
        lists = try await seen.waitFor(count: 2)
        XCTAssertEqual(lists[1], [.reported])
        _ = try await store.takeEventStep(input: step(id, .accept, 1))
        lists = try await seen.waitFor(count: 3)
        XCTAssertEqual(lists[2], [.accepted])
        await XCTAssertEqualAsync(try await store.event(eventId: id).level, 2, "a gas leak starts at the joint whistle")
        consumer.cancel()
    }
}
