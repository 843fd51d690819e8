package org.gridbook.demo.logic

import org.gridbook.core.GeoPoint
import org.gridbook.core.GpsFix

/**
 * The phone's position, behind an interface: on Android it is
 * `android.location.LocationManager` (no Google Play services), in tests a
 * fixed answer. Android reports WGS-84 longitude/latitude, which is what the
 * core stores; nothing is converted to GCJ-02 here.
 */
interface LocationSource {
    /** One current fix, waiting at most [timeoutMs]; never throws. */
    suspend fun currentFix(timeoutMs: Long): LocationResult
}

sealed class LocationResult {
    /** A fix: WGS-84 [lon]/[lat] in degrees, horizontal accuracy in metres. */
    data class Fix(val lon: Double, val lat: Double, val accuracyM: Double) : LocationResult() {
        fun toGpsFix(): GpsFix = GpsFix(point = GeoPoint(lon = lon, lat = lat), accuracyM = accuracyM)
    }

    /** The user has not granted ACCESS_FINE_LOCATION (or COARSE). */
    object NoPermission : LocationResult()

    /** Location is switched off, or the phone has no provider. */
    object Disabled : LocationResult()

    /** No fix arrived in time (indoors, in a stairwell). */
    object TimedOut : LocationResult()
}
