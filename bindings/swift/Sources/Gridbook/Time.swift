// Foundation at the boundary: a Timestamp (an instant with the UTC offset it
// was recorded in, the core's type) to and from Date and TimeZone.
import Foundation

extension Timestamp {
    /// The instant of this timestamp.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(utcMs) / 1000) }

    /// The fixed offset it was recorded in (a visit at 09:30 in Beijing: UTC+8).
    public var timeZone: TimeZone? { TimeZone(secondsFromGMT: Int(offsetMinutes) * 60) }

    /// A timestamp of `date`, to the millisecond, in `timeZone`'s offset at that
    /// date (the device's zone by default).
    public init(date: Date, timeZone: TimeZone = .current) {
        self.init(
            utcMs: Int64((date.timeIntervalSince1970 * 1000).rounded()),
            offsetMinutes: Int32(timeZone.secondsFromGMT(for: date) / 60)
        )
    }
}
