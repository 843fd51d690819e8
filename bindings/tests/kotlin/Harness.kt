// A tiny test runner for the generated Kotlin bindings: named tests, loud
// assertions, a summary line and a non-zero exit status on any failure.
// No Gradle and no test framework: compiled with kotlinc next to the
// generated gridbook_ffi.kt and run with java (see scripts/test-kotlin).
package org.gridbook.tests

import kotlinx.coroutines.runBlocking
import kotlin.system.exitProcess

class TestFailure(message: String) : AssertionError(message)

fun fail(message: String): Nothing = throw TestFailure(message)

fun assertTrue(condition: Boolean, message: () -> String) {
    if (!condition) fail(message())
}

fun <T> assertEq(expected: T, actual: T, what: String) {
    if (expected != actual) fail("$what: expected <$expected>, got <$actual>")
}

/** Runs [block], which must throw a [E]; returns the exception. */
inline fun <reified E : Throwable> assertThrows(what: String, block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        fail("$what: expected ${E::class.simpleName}, got ${e.javaClass.name}: ${e.message}")
    }
    fail("$what: expected ${E::class.simpleName}, nothing was thrown")
}

class Runner {
    private val tests = mutableListOf<Pair<String, suspend () -> Unit>>()

    /** A test; its body may call the suspend API directly (it runs in `runBlocking`). */
    fun test(name: String, body: suspend () -> Unit) {
        tests += name to body
    }

    /** Runs the tests whose names contain [filter] (all when null); returns the failure count. */
    fun run(filter: String?): Int {
        var passed = 0
        val failed = mutableListOf<String>()
        for ((name, body) in tests) {
            if (filter != null && !name.contains(filter)) continue
            val started = System.nanoTime()
            try {
                runBlocking { body() }
                passed++
                println("ok    $name (${(System.nanoTime() - started) / 1_000_000} ms)")
            } catch (e: Throwable) {
                failed += name
                println("FAIL  $name")
                e.printStackTrace(System.out)
            }
        }
        if (passed + failed.size == 0) {
            println("no test matched '$filter'")
            return 1
        }
        if (failed.isEmpty()) {
            println("$passed tests passed")
        } else {
            println("$passed tests passed, ${failed.size} FAILED: ${failed.joinToString()}")
        }
        return failed.size
    }
}

fun main(args: Array<String>) {
    assertTrue(ClassLoader.getSystemClassLoader().getResource("org/gridbook/tests/HarnessKt.class") != null) {
        "test classes not on the class path"
    }
    var assertionsOn = false
    assert(true.also { assertionsOn = true })
    if (!assertionsOn) {
        System.err.println("run with java -ea")
        exitProcess(2)
    }
    val runner = Runner()
    storeTests(runner)
    errorMessageTests(runner)
    serverTests(runner)
    blockedGridTests(runner)
    liveQueryTests(runner)
    eventTests(runner)
    mapTests(runner)
    exportTests(runner)
    revealTests(runner)
    importTests(runner)
    pointsTests(runner)
    coverageTests(runner)
    inputTests(runner)
    timeTests(runner)
    leakTests(runner)
    val failures = runner.run(args.firstOrNull())
    exitProcess(if (failures == 0) 0 else 1)
}
