// Timestamp at the Foundation boundary (Time.swift): the same instant and
// offset both ways, and a logged visit's time reads back as given.
import Foundation
import XCTest

import Gridbook

final class TimeTests: TempDirTestCase {
    func testTimestampConvertsToAndFromDateAndTimeZone() async throws {
        let shanghai = try XCTUnwrap(TimeZone(identifier: "Asia/Shanghai"))
        let date = Date(timeIntervalSince1970: 1_733_535_015.25)
        let stamp = Timestamp(date: date, timeZone: shanghai)
        XCTAssertEqual(stamp, Timestamp(utcMs: 1_733_535_015_250, offsetMinutes: 480))
        XCTAssertEqual(stamp.date, date)
        XCTAssertEqual(stamp.timeZone?.secondsFromGMT(), 8 * 3600)

        let store = try await openStore(try dir("time"), "w-zhang")
        let f = try await fixture(store)
        var input = visitInput(f.household, seen: [], notes: "时间")
        input.at = stamp
        _ = try await store.logVisit(input: input)
        await XCTAssertEqualAsync(try await store.household(householdId: f.household).visits.first?.at, stamp)
    }
}
