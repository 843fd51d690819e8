// Roster import from Kotlin: a GBK CSV's dry run, the commit refused for a
// row in error, the commit skipping it, a re-import that writes nothing, an
// XLSX file by its path, and files refused whole.
package org.gridbook.tests

import org.gridbook.*
import org.gridbook.core.*
import java.io.ByteArrayOutputStream
import java.io.File
import java.util.zip.ZipEntry
import java.util.zip.ZipOutputStream

/** An ID number with its GB 11643 check character computed from 17 digits. */
fun idNumber(first17: String): String {
    val weights = intArrayOf(7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    val sum = first17.mapIndexed { i, c -> (c - '0') * weights[i] }.sum()
    return first17 + "10X98765432"[sum % 11]
}

const val IMPORT_HEADER = "姓名,性别,身份证号,出生日期,联系电话,楼栋,单元,楼层,房号,与户主关系"

/** Three good rows in two new buildings, and a fourth whose ID number has a wrong check digit. */
fun importRows(): List<List<String>> {
    val right = idNumber("11010519900404123")
    val wrong = right.dropLast(1) + (if (right.last() == '0') '1' else '0')
    return listOf(
        "张三,男,${idNumber("11010519800101123")},,13800138001,5栋,1,5,501,户主",
        "李四,女,${idNumber("11010519820202124")},1982-02-02,13800138002,5栋,1,5,501,配偶",
        "王五,男,${idNumber("11010519750303135")},,13900139003,6栋,2,,1203,户主",
        "赵六,男,$wrong,,13900139004,6栋,2,,1204,户主",
    ).map { it.split(",") }
}

fun importCsv(): String = (listOf(IMPORT_HEADER) + importRows().map { it.joinToString(",") }).joinToString("\r\n", postfix = "\r\n")

/** A one-sheet workbook with the cells as inline strings: the few parts a reader needs. */
fun xlsxOf(rows: List<List<String>>): ByteArray {
    val main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    val rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    val docRels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    val sheet = StringBuilder("<worksheet xmlns=\"$main\"><sheetData>")
    rows.forEachIndexed { r, row ->
        sheet.append("<row r=\"${r + 1}\">")
        row.forEachIndexed { c, text ->
            if (text.isNotEmpty()) sheet.append("<c r=\"${'A' + c}${r + 1}\" t=\"inlineStr\"><is><t>$text</t></is></c>")
        }
        sheet.append("</row>")
    }
    sheet.append("</sheetData></worksheet>")
    val parts = listOf(
        "[Content_Types].xml" to "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" +
            "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>" +
            "<Default Extension=\"xml\" ContentType=\"application/xml\"/>" +
            "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>" +
            "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>",
        "_rels/.rels" to "<Relationships xmlns=\"$rels\"><Relationship Id=\"rId1\" Type=\"$docRels/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>",
        "xl/workbook.xml" to "<workbook xmlns=\"$main\" xmlns:r=\"$docRels\"><sheets><sheet name=\"花名册\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
        "xl/_rels/workbook.xml.rels" to "<Relationships xmlns=\"$rels\"><Relationship Id=\"rId1\" Type=\"$docRels/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
        "xl/worksheets/sheet1.xml" to sheet.toString(),
    )
    val out = ByteArrayOutputStream()
    ZipOutputStream(out).use { zip ->
        for ((name, text) in parts) {
            zip.putNextEntry(ZipEntry(name))
            zip.write(text.toByteArray(Charsets.UTF_8))
            zip.closeEntry()
        }
    }
    return out.toByteArray()
}

/** The grid's households as `building-unit-room:members`, sorted. */
suspend fun rosterLines(store: Store, grid: String): List<String> =
    store.roster(grid).map { "${it.household.buildingNumber}-${it.household.unit}-${it.household.room}:${it.memberCount}" }.sorted()

fun importTests(r: Runner) {
    r.test("import: a GBK CSV's dry run, the refused commit, the commit skipping the bad row, a re-import") {
        openStore(tempDir("import"), "w-zhang").use { store ->
            val f = fixture(store)
            val options = defaultRosterImportOptions()
            val gbk = importCsv().toByteArray(charset("GBK"))
            assertTrue(runCatching { Charsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(gbk)) }.isFailure) { "not UTF-8" }
            val before = rosterLines(store, f.grid)
            assertEq(listOf("3栋-1-502:0"), before, "the fixture's household")

            val report = store.importRosterDryRun(f.grid, gbk, options)
            assertEq(
                listOf(
                    2u to RowOutcome.Create(newBuilding = true, newHousehold = true),
                    3u to RowOutcome.Create(newBuilding = true, newHousehold = true),
                    4u to RowOutcome.Create(newBuilding = true, newHousehold = true),
                    5u to RowOutcome.Error,
                ),
                report.rows.map { it.row to it.outcome },
                "each row's outcome",
            )
            assertEq(
                listOf(2u, 2u, 3u, 0u, 0u, 1u),
                listOf(
                    report.buildingsCreated, report.householdsCreated, report.residentsCreated,
                    report.rowsUpdated, report.rowsUnchanged, report.rowsInError,
                ),
                "the totals",
            )
            assertEq(
                listOf(CellError(row = 5u, column = "身份证号", field = ImportField.ID_NUMBER, problem = CellProblem.Invalid(InvalidReason.IdNumberCheckDigit))),
                report.rows.flatMap { it.errors },
                "the bad cell: its row, column, field and reason",
            )
            assertEq(before, rosterLines(store, f.grid), "a dry run writes nothing")

            val refused = assertThrows<GridbookException.ImportRefused>("a row in error") {
                store.importRoster(f.grid, gbk, options, skipRowsInError = false)
            }
            assertEq(ImportRefusal.RowsInError(rows = 1u), refused.reason, "the rows in error counted")
            assertTrue(!refused.toString().contains("赵六")) { refused.toString() }
            assertEq(before, rosterLines(store, f.grid), "nothing written")

            val done = store.importRoster(f.grid, gbk, options, skipRowsInError = true)
            assertTrue(done.written) { "written" }
            assertEq(report, done.report, "the commit reports what the dry run said")
            assertEq(listOf("3栋-1-502:0", "5栋-1-501:2", "6栋-2-1203:1"), rosterLines(store, f.grid), "the imported roster")

            val again = store.importRoster(f.grid, gbk, options, skipRowsInError = true)
            assertTrue(!again.written) { "a re-import writes nothing" }
            assertEq(3u to 1u, again.report.rowsUnchanged to again.report.rowsInError, "unchanged rows")
            assertEq(listOf("3栋-1-502:0", "5栋-1-501:2", "6栋-2-1203:1"), rosterLines(store, f.grid), "the same roster")
        }
    }

    r.test("import: an XLSX file by its path, and files refused whole") {
        val dir = tempDir("import-file")
        openStore(dir, "w-zhang").use { store ->
            val f = fixture(store)
            val options = defaultRosterImportOptions()
            val xlsx = File(dir, "花名册.xlsx")
            xlsx.writeBytes(xlsxOf(listOf(IMPORT_HEADER.split(",")) + importRows().take(3)))
            val report = store.importRosterFileDryRun(f.grid, xlsx.path, options)
            assertEq(listOf(2u, 2u, 3u, 0u), listOf(report.buildingsCreated, report.householdsCreated, report.residentsCreated, report.rowsInError), "the totals")
            val done = store.importRosterFile(f.grid, xlsx.path, options, skipRowsInError = false)
            assertTrue(done.written) { "written" }
            assertEq(listOf("3栋-1-502:0", "5栋-1-501:2", "6栋-2-1203:1"), rosterLines(store, f.grid), "the imported roster")

            val missing = assertThrows<GridbookException.ImportRefused>("a missing file") {
                store.importRosterFileDryRun(f.grid, File(dir, "无此文件.csv").path, options)
            }
            assertEq(ImportRefusal.FileNotFound(field = "path"), missing.reason, "names the argument")
            assertTrue(!missing.toString().contains("无此文件")) { "never the path: $missing" }

            val png = File(dir, "photo.csv")
            png.writeBytes(byteArrayOf(0x89.toByte(), 'P'.code.toByte(), 'N'.code.toByte(), 'G'.code.toByte(), 13, 10, 26, 10))
            val notSheet = assertThrows<GridbookException.ImportRefused>("a PNG") {
                store.importRosterFile(f.grid, png.path, options, skipRowsInError = true)
            }
            assertEq(ImportRefusal.NotASpreadsheet, notSheet.reason, "not a spreadsheet")

            val tooLarge = assertThrows<GridbookException.ImportRefused>("over the cap") {
                store.importRosterFileDryRun(f.grid, xlsx.path, options.copy(maxFileBytes = 100uL))
            }
            assertEq(ImportRefusal.TooLarge(maxBytes = 100uL), tooLarge.reason, "refused by its size")

            val noName = assertThrows<GridbookException.ImportRefused>("no name column") {
                store.importRosterDryRun(f.grid, "楼栋,房号\r\n5栋,501\r\n".toByteArray(), options)
            }
            assertEq(ImportRefusal.MissingColumn(field = ImportField.NAME), noName.reason, "the missing column")
        }
    }
}
