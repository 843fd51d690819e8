// Leak checks from Kotlin. Each runs warm-up cycles first, then the measured
// cycles, and compares a settled sample taken before the measured cycles with
// one taken after them.
//
// Raw VmRSS is not the measure: on a JVM it mostly follows the JVM itself.
// With -Xmx64m, a loop calling nothing but careCategories() gains 15-25 MB
// of VmRSS over 10,000 calls, the use loop below 30-50 MB, while the same
// calls made from Rust alone gain nothing (+12 kB over 10,000 cycles). The
// JVM's share is bounded and comes from:
// - the Java heap: G1 grows the committed heap towards -Xmx under the
//   allocation rate of the calls and gives it back lazily, so its resident
//   pages swing by tens of MB;
// - the JIT: compiled code, and the compilers' working memory, malloc'd and
//   freed but kept by glibc's arenas; it levels off after about 10,000
//   cycles of the use loop;
// - JNA: every call allocates its status and buffer structures in native
//   memory, freed only when the collector and JNA's cleaner get to them.
//
// So a sample collects the heap, waits for the JIT to go idle and for its
// freed memory to reach malloc, returns glibc's free pages (malloc_trim),
// and then reads:
// - malloc'd bytes in use (glibc mallinfo2): the Rust library, SQLite, JNA's
//   structures and the JVM's own malloc; a native leak shows here first;
// - the Java heap's live bytes (a class histogram): Kotlin objects held, such
//   as listeners, handles or results kept alive;
// - resident memory without the Java heap's pages (/proc/self/smaps, the
//   heap's range from GC.heap_info): everything native, JIT code included.
// Over the measured cycles of a correct run, these moved by at most about
// +1 MB, +0.1 MB and +7 MB (the last still has some JIT warm-up in it); the
// bounds (4, 1 and 16 MB) leave room for the JVM's noise. Checked to fail
// on a leak of 512 bytes of native memory a cycle (malloc +6 MB), on
// holding one household result a cycle (heap live +21 MB) and on keeping
// each opened store (malloc +297 MB). The peak VmRSS (sampled without
// settling) is printed, not checked.
package org.gridbook.tests

import com.sun.jna.Library
import com.sun.jna.Native
import com.sun.jna.Structure
import org.gridbook.*
import org.gridbook.core.*
import java.io.File
import java.lang.management.ManagementFactory
import javax.management.ObjectName

/** glibc's `struct mallinfo2` (glibc 2.33 and later). */
@Structure.FieldOrder("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")
open class MallInfo2 : Structure() {
    @JvmField var arena: Long = 0
    @JvmField var ordblks: Long = 0
    @JvmField var smblks: Long = 0
    @JvmField var hblks: Long = 0
    @JvmField var hblkhd: Long = 0
    @JvmField var usmblks: Long = 0
    @JvmField var fsmblks: Long = 0
    @JvmField var uordblks: Long = 0
    @JvmField var fordblks: Long = 0
    @JvmField var keepcost: Long = 0

    class ByValue : MallInfo2(), Structure.ByValue
}

interface GlibcMalloc : Library {
    fun mallinfo2(): MallInfo2.ByValue

    fun malloc_trim(pad: Long): Int
}

private val glibc: GlibcMalloc by lazy { Native.load("c", GlibcMalloc::class.java) }

private fun diagnosticCommand(name: String): String = ManagementFactory.getPlatformMBeanServer().invoke(
    ObjectName("com.sun.management:type=DiagnosticCommand"), name,
    arrayOf<Any>(arrayOf<String>()), arrayOf(Array<String>::class.java.name),
) as String

/** The Java heap's reserved address range, from the GC.heap_info diagnostic command. */
private val javaHeap: LongRange by lazy {
    val info = diagnosticCommand("gcHeapInfo")
    val range = Regex("""\[0x([0-9a-f]+), ?0x([0-9a-f]+)\)""").find(info) ?: fail("no heap range in GC.heap_info: $info")
    range.groupValues[1].toLong(16) until range.groupValues[2].toLong(16)
}

/** Whether the JIT compilers are idle: nothing compiling, nothing queued (the Compiler.queue diagnostic command). */
private fun jitIdle(): Boolean {
    val queue = diagnosticCommand("compilerQueue")
    return !queue.contains("CompilerThread") && Regex("queue:").findAll(queue).count() == Regex("""queue:\s*\n\s*Empty""").findAll(queue).count()
}

private fun kb(line: String, key: String) = line.removePrefix(key).trim().removeSuffix("kB").trim().toLong()

private fun vmRssKb(): Long = kb(File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }, "VmRSS:")

/** Resident kB of the whole process and of the mappings inside the Java heap's range, from one read of smaps. */
private fun residentKb(): Pair<Long, Long> {
    var total = 0L
    var heap = 0L
    var inHeap = false
    for (line in File("/proc/self/smaps").readText().lines()) {
        val mapping = Regex("^([0-9a-f]+)-[0-9a-f]+ ").find(line)
        if (mapping != null) {
            inHeap = mapping.groupValues[1].toULong(16).toLong() in javaHeap
        } else if (line.startsWith("Rss:")) {
            total += kb(line, "Rss:")
            if (inHeap) heap += kb(line, "Rss:")
        }
    }
    return total to heap
}

private class Sample(val vmRssKb: Long, val javaHeapRssKb: Long, val mallocKb: Long, val heapLiveKb: Long, val codeKb: Long, val metaspaceKb: Long) {
    val nativeRssKb get() = vmRssKb - javaHeapRssKb
}

/** The Java heap's live data: the total of a class histogram (GC.class_histogram, after a full collection). */
private fun heapLiveKb(): Long {
    val total = diagnosticCommand("gcClassHistogram").lines().last { it.trim().startsWith("Total") }
    return total.trim().split(Regex("""\s+"""))[2].toLong() / 1024
}

/** Collects, lets the JIT and JNA's cleaner finish, returns free pages to the system, then reads. */
private fun settledSample(): Sample {
    System.gc()
    for (i in 1..100) { // at most 10 s
        if (jitIdle()) break
        Thread.sleep(100)
    }
    Thread.sleep(5_500) // the JIT's freed working memory goes back to malloc every 5 s
    val heapLive = heapLiveKb()
    Thread.sleep(100)
    glibc.malloc_trim(0)
    val malloc = glibc.mallinfo2().uordblks / 1024
    val (rss, heapRss) = residentKb()
    val pools = ManagementFactory.getMemoryPoolMXBeans()
    fun poolKb(prefix: String) = pools.filter { it.name.startsWith(prefix) }.sumOf { it.usage.used } / 1024
    return Sample(rss, heapRss, malloc, heapLive, poolKb("CodeHeap"), poolKb("Metaspace"))
}

/** Growth bounds over the measured cycles, in MB. */
private class Bounds(val mallocMb: Double, val heapLiveMb: Double, val nativeRssMb: Double)

private val bounds = Bounds(mallocMb = 4.0, heapLiveMb = 1.0, nativeRssMb = 16.0)

private suspend fun leakCheck(what: String, warmup: Int, cycles: Int, bounds: Bounds, body: suspend () -> Unit) {
    val started = System.nanoTime()
    repeat(warmup) { body() }
    val before = settledSample()
    val measuring = System.nanoTime()
    var peakKb = vmRssKb()
    val every = maxOf(cycles / 20, 1)
    for (i in 1..cycles) {
        body()
        if (i % every == 0) peakKb = maxOf(peakKb, vmRssKb())
    }
    val seconds = (System.nanoTime() - measuring) / 1e9
    val after = settledSample()
    fun mb(kb: Long) = kb / 1024.0
    fun growth(pick: (Sample) -> Long) = mb(pick(after) - pick(before))
    fun line(name: String, pick: (Sample) -> Long, bound: Double?) =
        "        %-22s %7.1f -> %7.1f MB  %+6.1f MB  %+7.3f KB/cycle%s".format(
            name, mb(pick(before)), mb(pick(after)), growth(pick), (pick(after) - pick(before)).toDouble() / cycles,
            if (bound == null) "" else "  (bound %.1f MB)".format(bound),
        )
    println(
        listOf(
            "      leak check, %s: %,d warm-up cycles, then %,d measured in %.1f s (%.1f s in all); VmRSS peak %.1f MB"
                .format(what, warmup, cycles, seconds, (System.nanoTime() - started) / 1e9, mb(peakKb)),
            line("VmRSS", { it.vmRssKb }, null),
            line("Java heap resident", { it.javaHeapRssKb }, null),
            line("VmRSS without heap", { it.nativeRssKb }, bounds.nativeRssMb),
            line("malloc in use", { it.mallocKb }, bounds.mallocMb),
            line("Java heap live", { it.heapLiveKb }, bounds.heapLiveMb),
            line("JIT code cache", { it.codeKb }, null),
            line("metaspace", { it.metaspaceKb }, null),
        ).joinToString("\n"),
    )
    assertTrue(growth { it.mallocKb } <= bounds.mallocMb) { "$what: malloc'd memory in use grew by %.1f MB".format(growth { it.mallocKb }) }
    assertTrue(growth { it.heapLiveKb } <= bounds.heapLiveMb) { "$what: the Java heap's live data grew by %.1f MB".format(growth { it.heapLiveKb }) }
    assertTrue(growth { it.nativeRssKb } <= bounds.nativeRssMb) { "$what: resident memory outside the Java heap grew by %.1f MB".format(growth { it.nativeRssKb }) }
}

private suspend fun prepared(dir: File): Pair<Fixture, String> = openStore(dir, "w-zhang").use { store ->
    val f = fixture(store)
    val residentId = store.createResident(residentInput(f.household))
    store.logVisit(visitInput(f.household, listOf(residentId), "leak"))
    f to residentId
}

private suspend fun useStore(store: Store, f: Fixture, residentId: String) {
    assertEq(1, store.roster(f.grid).size, "roster")
    val detail = store.household(f.household)
    assertEq(1, detail.visits.size, "visits")
    val resident = store.resident(residentId)
    assertEq(listOf("138****8000"), resident.phones, "masked")
    assertEq(listOf("139****9000"), maskResident(resident.copy(phones = listOf("13900139000"))).phones, "masked again")
    assertEq(1, store.search(f.grid, "王", 10).size, "search")
    assertThrows<GridbookException.NotFound>("unknown id") { store.resident("nobody") }
    assertThrows<GridbookException.Invalid>("bad phone") { store.createResident(residentInput(f.household, phone = "1")) }
}

fun leakTests(r: Runner) {
    val scale = System.getenv("GRIDBOOK_LEAK_SCALE")?.toInt() ?: 1 // divides the cycle counts, for quick local runs
    // Reads returning records, errors thrown from Rust, and a Kotlin listener
    // passed through Rust that throws at the first progress (before any
    // request) in a sync with one server (its client is cached by the store:
    // building one loads the TLS roots, ~40 ms).
    r.test("leak check: ${10_000 / scale} use cycles of results, errors and throwing listeners on one store") {
        val dir = tempDir("leak-use")
        val (f, residentId) = prepared(dir)
        val server = server("http://127.0.0.1:9")
        openStore(dir, "w-zhang").use { store ->
            leakCheck("results, errors, listener", 3_000 / scale, 10_000 / scale, bounds) {
                useStore(store, f, residentId)
                assertThrows<GridbookException.ListenerFailed>("listener threw") { store.sync(server) { throw IllegalStateException("stop") } }
            }
        }
    }

    // Opening, reading and closing the store itself (each open is file I/O,
    // about 10 ms, so 10,000 would take two minutes).
    r.test("leak check: ${1_000 / scale} open/read/close cycles of the store") {
        val dir = tempDir("leak-open")
        val (f, residentId) = prepared(dir)
        leakCheck("Store.open + reads + close", 300 / scale, 1_000 / scale, bounds) {
            openStore(dir, "w-zhang").use { store -> useStore(store, f, residentId) }
        }
    }
}
