package org.gridbook.demo

import android.app.Application
import org.gridbook.Store
import org.gridbook.core.StoreKey
import org.gridbook.core.WorkerIdentity
import java.io.File

/**
 * The application: holds the settings and the one [Store] of the process,
 * an encrypted SQLite file in the app's private files directory
 * (`files/gridbook.db`, not readable by other apps, excluded from backups).
 */
class GridbookApp : Application() {
    lateinit var settings: DemoSettings
        private set

    private var store: Store? = null

    override fun onCreate() {
        super.onCreate()
        settings = DemoSettings(this)
    }

    /**
     * Opens the store once for [identity] and returns it, with the raw
     * 32-byte key (no key derivation: about a millisecond). Blocking
     * (migrations): call it off the main thread.
     */
    @Synchronized
    suspend fun openStore(identity: WorkerIdentity): Store {
        val key = StoreKey.Raw(settings.databaseKey().chunked(2).map { it.toInt(16).toByte() }.toByteArray())
        return store ?: Store.open(File(filesDir, "gridbook.db").path, identity, key).also { store = it }
    }
}
