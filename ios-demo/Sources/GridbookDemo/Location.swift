import Gridbook

/// The phone's position, behind a protocol: on iOS it is Core Location's
/// `CLLocationManager` (the app's `CoreLocationSource`), in tests a fixed
/// answer. Core Location reports WGS-84 longitude/latitude, which is what the
/// core stores; nothing is converted to GCJ-02 here.
public protocol LocationSource: Sendable {
    /// One current fix, waiting at most `timeout` seconds; never throws.
    func currentFix(timeout: Double) async -> LocationResult
}

public enum LocationResult: Equatable, Sendable {
    /// A fix: WGS-84 `lon`/`lat` in degrees, horizontal accuracy in metres.
    case fix(lon: Double, lat: Double, accuracyM: Double)
    /// The user has not allowed location for the app.
    case noPermission
    /// Location Services are off, or restricted on this phone.
    case disabled
    /// No fix arrived in time (indoors, in a stairwell).
    case timedOut

    /// The core's fix, for a `.fix`.
    public var gpsFix: GpsFix? {
        guard case let .fix(lon, lat, accuracyM) = self else { return nil }
        return GpsFix(point: GeoPoint(lon: lon, lat: lat), accuracyM: accuracyM)
    }
}
