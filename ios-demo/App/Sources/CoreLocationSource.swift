import CoreLocation
import GridbookDemo

/// One location fix from Core Location for the visit form.
///
/// `CLLocation.coordinate` is WGS-84 everywhere, mainland China included
/// (only map display is shifted there: Apple Maps, AMap and Baidu draw in
/// GCJ-02 or BD-09). The core stores WGS-84, so the fix is passed on
/// unchanged; an app drawing visits on a Chinese map converts when drawing.
/// Only "when in use" permission is asked for, and only one fix is taken
/// (`requestLocation`), never continuous or background updates.
@MainActor
final class CoreLocationSource: NSObject, LocationSource, CLLocationManagerDelegate {
    private let manager = CLLocationManager()
    private var pending: CheckedContinuation<LocationResult, Never>?
    private var authorization: [CheckedContinuation<Void, Never>] = []

    override init() {
        super.init()
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyBest
    }

    nonisolated func currentFix(timeout: Double) async -> LocationResult {
        await fix(timeout: timeout)
    }

    private func fix(timeout: Double) async -> LocationResult {
        if manager.authorizationStatus == .notDetermined {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                authorization.append(c)
                manager.requestWhenInUseAuthorization()
            }
        }
        switch manager.authorizationStatus {
        case .denied: return .noPermission
        case .restricted: return .disabled
        case .notDetermined: return .noPermission
        default: break
        }
        finish(.timedOut) // a request still waiting is superseded
        return await withCheckedContinuation { (c: CheckedContinuation<LocationResult, Never>) in
            pending = c
            manager.requestLocation()
            Task { [weak self] in
                try? await Task.sleep(nanoseconds: UInt64(max(timeout, 1) * 1_000_000_000))
                self?.finish(.timedOut)
            }
        }
    }

    private func finish(_ result: LocationResult) {
        guard let c = pending else { return }
        pending = nil
        if case .timedOut = result { manager.stopUpdatingLocation() }
        c.resume(returning: result)
    }

    private func authorizationChanged() {
        guard manager.authorizationStatus != .notDetermined else { return }
        let waiting = authorization
        authorization = []
        waiting.forEach { $0.resume() }
    }

    // Core Location calls its delegate on the thread that made the manager: the main thread.

    nonisolated func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        guard let last = locations.last(where: { $0.horizontalAccuracy >= 0 }) else { return }
        let result = LocationResult.fix(
            lon: last.coordinate.longitude, lat: last.coordinate.latitude, accuracyM: last.horizontalAccuracy
        )
        Task { @MainActor in self.finish(result) }
    }

    nonisolated func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) {
        let denied = (error as? CLError)?.code == .denied
        Task { @MainActor in
            if denied {
                self.finish(.noPermission)
            } else if !CLLocationManager.locationServicesEnabled() {
                self.finish(.disabled)
            } else {
                self.finish(.timedOut)
            }
        }
    }

    nonisolated func locationManagerDidChangeAuthorization(_ manager: CLLocationManager) {
        Task { @MainActor in self.authorizationChanged() }
    }
}
