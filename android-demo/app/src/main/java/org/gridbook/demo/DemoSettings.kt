package org.gridbook.demo

import android.content.Context
import android.content.SharedPreferences
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import androidx.core.content.edit
import org.gridbook.core.WorkerIdentity
import org.gridbook.core.WorkerRole
import org.gridbook.demo.logic.SyncConfig
import java.security.KeyStore
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Who uses this phone and where it syncs, in the app's private preferences.
 * The device token and the store's SQLCipher key are secrets: they are kept
 * encrypted with an AES key that never leaves the Android Keystore.
 */
class DemoSettings(context: Context) {
    private val prefs: SharedPreferences = context.getSharedPreferences("gridbook", Context.MODE_PRIVATE)
    private val secrets = Secrets(prefs)

    val identity: WorkerIdentity?
        get() {
            val id = prefs.getString("worker_id", null) ?: return null
            val name = prefs.getString("worker_name", null) ?: return null
            val role = prefs.getString("worker_role", null)?.let { r -> WorkerRole.entries.firstOrNull { it.name == r } } ?: return null
            return WorkerIdentity(workerId = id, name = name, role = role, deviceLabel = "$name 的 ${Build.MODEL}")
        }

    val server: SyncConfig?
        get() {
            val url = prefs.getString("server_url", null)?.takeIf { it.isNotBlank() } ?: return null
            val token = secrets.get("token") ?: return null
            return SyncConfig(url, token)
        }

    val serverUrl: String get() = prefs.getString("server_url", null) ?: ""

    fun save(workerId: String, name: String, role: WorkerRole, serverUrl: String, token: String) {
        prefs.edit {
            putString("worker_id", workerId.trim())
            putString("worker_name", name.trim())
            putString("worker_role", role.name)
            putString("server_url", serverUrl.trim())
        }
        if (token.isNotBlank()) secrets.put("token", token.trim())
    }

    /** The store's SQLCipher key as hex text: 32 random bytes made on first use, kept encrypted; opened as a raw key. */
    fun databaseKey(): String = secrets.get("db_key") ?: run {
        val bytes = ByteArray(32).also { SecureRandom().nextBytes(it) }
        bytes.joinToString("") { "%02x".format(it) }.also { secrets.put("db_key", it) }
    }
}

/** Strings encrypted with AES-GCM under a key held by the Android Keystore. */
private class Secrets(private val prefs: SharedPreferences) {
    private fun key(): SecretKey {
        val store = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }
        (store.getKey(ALIAS, null) as? SecretKey)?.let { return it }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore")
        generator.init(
            KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return generator.generateKey()
    }

    fun put(name: String, value: String) {
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, key())
        val sealed = cipher.iv + cipher.doFinal(value.toByteArray(Charsets.UTF_8))
        prefs.edit { putString("secret_$name", Base64.encodeToString(sealed, Base64.NO_WRAP)) }
    }

    fun get(name: String): String? {
        val sealed = prefs.getString("secret_$name", null)?.let { Base64.decode(it, Base64.NO_WRAP) } ?: return null
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(128, sealed, 0, IV_BYTES))
        return String(cipher.doFinal(sealed, IV_BYTES, sealed.size - IV_BYTES), Charsets.UTF_8)
    }

    private companion object {
        const val ALIAS = "gridbook-secrets"
        const val IV_BYTES = 12
    }
}
