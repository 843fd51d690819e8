package org.gridbook.demo

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.location.Location
import android.location.LocationManager
import android.os.CancellationSignal
import androidx.core.content.ContextCompat
import androidx.core.location.LocationManagerCompat
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withTimeoutOrNull
import org.gridbook.demo.logic.LocationResult
import org.gridbook.demo.logic.LocationSource
import kotlin.coroutines.resume

/**
 * One current fix from `android.location.LocationManager`: GPS when fine
 * location is granted and on, else the network provider. No Google Play
 * services (most phones sold in China have none). Android reports WGS-84,
 * which is what the core stores.
 */
class AndroidLocationSource(private val context: Context) : LocationSource {
    override suspend fun currentFix(timeoutMs: Long): LocationResult {
        val fine = granted(Manifest.permission.ACCESS_FINE_LOCATION)
        val coarse = granted(Manifest.permission.ACCESS_COARSE_LOCATION)
        if (!fine && !coarse) return LocationResult.NoPermission
        val manager = context.getSystemService(LocationManager::class.java) ?: return LocationResult.Disabled
        if (!LocationManagerCompat.isLocationEnabled(manager)) return LocationResult.Disabled
        val provider = when {
            fine && manager.isProviderEnabled(LocationManager.GPS_PROVIDER) -> LocationManager.GPS_PROVIDER
            manager.isProviderEnabled(LocationManager.NETWORK_PROVIDER) -> LocationManager.NETWORK_PROVIDER
            else -> return LocationResult.Disabled
        }
        val location: Location = withTimeoutOrNull(timeoutMs) { request(manager, provider) } ?: return LocationResult.TimedOut
        return LocationResult.Fix(
            lon = location.longitude,
            lat = location.latitude,
            // Without an accuracy the fix is still kept, marked as poor (the core requires a number).
            accuracyM = if (location.hasAccuracy()) location.accuracy.toDouble() else UNKNOWN_ACCURACY_M,
        )
    }

    private fun granted(permission: String) =
        ContextCompat.checkSelfPermission(context, permission) == PackageManager.PERMISSION_GRANTED

    @Suppress("MissingPermission") // checked in currentFix
    private suspend fun request(manager: LocationManager, provider: String): Location? =
        suspendCancellableCoroutine { continuation ->
            val signal = CancellationSignal()
            continuation.invokeOnCancellation { signal.cancel() }
            LocationManagerCompat.getCurrentLocation(manager, provider, signal, ContextCompat.getMainExecutor(context)) { location ->
                if (continuation.isActive) continuation.resume(location)
            }
        }

    private companion object {
        const val UNKNOWN_ACCURACY_M = 1000.0
    }
}
