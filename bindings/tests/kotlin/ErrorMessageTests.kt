// The texts of GridbookException as a Kotlin app sees them: `message` names
// the field in Kotlin's own naming and the reason in words, every variant has
// one, `toString()` is the whole sentence, and no text holds the rejected value.
package org.gridbook.tests

import org.gridbook.*
import org.gridbook.core.*

fun errorMessageTests(r: Runner) {
    r.test("error messages: Invalid names the camelCase field and the reason in words") {
        openStore(tempDir("messages"), "w-zhang").use { store ->
            val f = fixture(store)
            val idNumber = "110105194912310021"
            val badId = assertThrows<GridbookException.Invalid>("wrong check digit") {
                store.createResident(residentInput(f.household).copy(birthDate = null, idNumber = idNumber))
            }
            assertEq("field=idNumber, reason=check digit does not match (GB 11643)", badId.message, "message")
            assertEq("idNumber check digit does not match (GB 11643)", badId.toString(), "toString")
            assertEq("check digit does not match (GB 11643)", badId.reason.toString(), "reason")
            val phone = "1380013"
            val badPhone = assertThrows<GridbookException.Invalid>("short phone") {
                store.createResident(residentInput(f.household, phone = phone))
            }
            assertEq(
                "field=phones, reason=is neither an 11-digit mobile number nor a landline number",
                badPhone.message,
                "message",
            )
            for (e in listOf(badId, badPhone)) {
                val text = "${e.message} $e ${e.stackTraceToString()}"
                assertTrue(!text.contains(idNumber) && !text.contains(phone)) { "the value leaked: $text" }
            }
            val negative = assertThrows<GridbookException.Invalid>("negative units") {
                store.createBuilding(f.grid, BuildingInput(number = "9栋", estate = null, units = -1, floors = 6, location = null))
            }
            assertEq("field=units, reason=is out of range", negative.message, "negative units")
        }
    }

    r.test("error messages: NotADatabase, WorkerMismatch and NotFound read in words") {
        val dir = tempDir("messages-key")
        openStore(dir, "w-zhang", key = "right", file = "secret.db").use { fixture(it) }
        val wrongKey = assertThrows<GridbookException.NotADatabase>("wrong raw key") {
            openStore(dir, "w-zhang", key = "wrong", file = "secret.db")
        }
        assertEq("detail=the file is not a Gridbook database, or the key is wrong", wrongKey.message, "wrong key")
        assertEq("the file is not a Gridbook database, or the key is wrong", wrongKey.toString(), "toString")
        val passphrase = assertThrows<GridbookException.NotADatabase>("a passphrase on a raw-key file") {
            Store.open(java.io.File(dir, "secret.db").path, identity("w-zhang"), StoreKey.Passphrase("right"))
        }
        assertEq(wrongKey.message, passphrase.message, "passphrase on a raw-key file")
        val other = assertThrows<GridbookException.WorkerMismatch>("another worker") {
            openStore(dir, "w-li", key = "right", file = "secret.db")
        }
        assertEq("detail=this store belongs to another worker", other.message, "worker mismatch")
        val shortKey = assertThrows<GridbookException.Invalid>("a 16-byte raw key") {
            Store.open(java.io.File(dir, "short.db").path, identity("w-zhang"), StoreKey.Raw(ByteArray(16)))
        }
        assertEq("field=key, reason=must be exactly 32 bytes long", shortKey.message, "short key")
        assertTrue(!java.io.File(dir, "short.db").exists()) { "a file was created for a refused key" }
        openStore(dir, "w-zhang", key = "right", file = "secret.db").use { store ->
            val missing = assertThrows<GridbookException.NotFound>("no such household") { store.household("h-none") }
            assertEq("kind=household, id=h-none", missing.message, "not found")
            assertEq("no household with id h-none", missing.toString(), "toString")
        }
    }
}
