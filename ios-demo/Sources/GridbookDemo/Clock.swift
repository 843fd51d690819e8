import Foundation
import Gridbook

/// The time, injectable so tests can fix "today".
public protocol Clock: Sendable {
    /// Now, in milliseconds since 1970 UTC.
    func nowMs() -> Int64
    /// The phone's time zone (Asia/Shanghai on phones in China).
    var timeZone: TimeZone { get }
}

/// The phone's clock and time zone.
public struct SystemClock: Clock {
    public init() {}
    public func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
    public var timeZone: TimeZone { TimeZone.current }
}

extension Clock {
    /// Today's local date (year, month, day).
    public func today() -> DateComponents {
        let ms = nowMs()
        let local = ms + Int64(offsetMinutes(at: ms)) * 60_000
        return Labels.utcDay(ms: local)
    }

    /// Now as the core's instant: UTC milliseconds and the local offset in minutes.
    public func now() -> Timestamp {
        let ms = nowMs()
        return Timestamp(utcMs: ms, offsetMinutes: Int32(offsetMinutes(at: ms)))
    }

    /// The local offset from UTC at an instant, in minutes (480 in China).
    public func offsetMinutes(at utcMs: Int64) -> Int {
        let date = Date(timeIntervalSince1970: Double(utcMs) / 1000)
        return timeZone.secondsFromGMT(for: date) / 60
    }
}
