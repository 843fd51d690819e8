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

// Dates and times of day cross the boundary as `YYYY-MM-DD` and `HH:MM` text
// (core/uniffi.toml names these as the custom types' lift and lower). The
// core always writes valid text; what the app gives it is checked there, and
// components left out lower to text it refuses with GridbookError.Invalid.
extension DateComponents {
    /// A Gregorian calendar date (year, month, day) of `YYYY-MM-DD` text;
    /// components that text lacks are left out.
    public init(isoDate text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        self.init(
            year: parts.count == 3 ? parts[0] : nil,
            month: parts.count == 3 ? parts[1] : nil,
            day: parts.count == 3 ? parts[2] : nil
        )
    }

    /// This date's year, month and day as `YYYY-MM-DD` text, as the core
    /// and Chinese forms write dates (empty when one is missing).
    public var isoDate: String {
        guard let year, let month, let day else { return "" }
        return String(format: "%04ld-%02ld-%02ld", year, month, day)
    }

    /// A time of day (hour, minute) of `HH:MM` text.
    public init(isoTimeOfDay text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        self.init(hour: parts.count == 2 ? parts[0] : nil, minute: parts.count == 2 ? parts[1] : nil)
    }

    /// This time's hour and minute as `HH:MM` text (empty when one is missing).
    public var isoTimeOfDay: String {
        guard let hour, let minute else { return "" }
        return String(format: "%02ld:%02ld", hour, minute)
    }
}
