// Export from Kotlin: the roster as CSV and XLSX, masked, and the layouts.
package org.gridbook.tests

import org.gridbook.*
import org.gridbook.core.*

fun exportTests(r: Runner) {
    r.test("export: the roster as CSV and XLSX, masked, health categories only counted") {
        openStore(tempDir("export"), "w-zhang").use { store ->
            val f = fixture(store)
            store.createResident(residentInput(f.household).copy(care = listOf("elderly_alone", "disabled")))
            assertEq(
                listOf("roster_grid_worker", "households", "visits", "events"),
                exportTemplates().map { it.id },
                "the shipped layouts",
            )
            val options = ExportOptions(masking = Masking.Masked)
            val csv = store.export(f.grid, "roster_grid_worker", ExportFormat.CSV, options)
            val text = csv.bytes.toString(Charsets.UTF_8)
            assertTrue(text.startsWith("\uFEFF楼栋,单元,房号,姓名")) { "BOM and header: $text" }
            assertTrue(text.contains(",138****8000,") && !text.contains("13800138000")) { "the phone masked" }
            assertTrue(text.contains("独居老人") && !text.contains("残疾人") && text.contains("健康类 1")) { "health counted" }
            assertEq(1u, csv.rows, "one resident")
            assertTrue(csv.masked) { "masked" }
            assertTrue(csv.fileName.endsWith(".csv")) { csv.fileName }
            val xlsx = store.export(f.grid, "roster_grid_worker", ExportFormat.XLSX, options)
            assertEq("PK", xlsx.bytes.copyOfRange(0, 2).toString(Charsets.US_ASCII), "a zip file")
            assertTrue(xlsx.fileName.endsWith(".xlsx")) { xlsx.fileName }
            val refused = assertThrows<GridbookException.Invalid>("an unknown template") {
                store.export(f.grid, "no_such", ExportFormat.CSV, options)
            }
            assertEq("templateId" to InvalidReason.UnknownCode, refused.field to refused.reason, "named")
        }
    }
}
