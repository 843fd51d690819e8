package org.gridbook.demo.logic

import kotlinx.coroutines.runBlocking

import org.gridbook.core.GridbookException
import org.gridbook.core.InvalidReason
import org.gridbook.core.PrivacyAction
import org.gridbook.core.WorkerRole
import org.gridbook.core.RecordKind
import org.junit.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull

class MaskingTest {
    @Test
    fun namesKeepTheirFirstCharacterThroughTheCore(): Unit = runBlocking {
        fun masked(name: String) = Masking.conflictValue("name", "\"$name\"", revealed = false)
        assertEquals("王**", masked("王秀英"))
        assertEquals("欧***", masked(" 欧阳娜娜 "))
        assertEquals("*", masked("李"))
        assertEquals("", masked(""))
        assertEquals("𠀀*", masked("𠀀明"), "a character outside the BMP counts once")
        assertEquals("王秀英", Masking.conflictValue("name", "\"王秀英\"", revealed = true))
    }

    @Test
    fun conflictValuesAreDecodedAndMaskedByField(): Unit = runBlocking {
        // ID numbers and phones arrive masked from the core and are shown as they come.
        assertEquals("139****9000,137****7000", Masking.conflictValue("phones", "\"139****9000,137****7000\"", revealed = false))
        assertEquals("110105********002X", Masking.conflictValue("id_number", "\"110105********002X\"", revealed = false))
        assertEquals(listOf(false, false, true, true), listOf("phones", "id_number", "name", "birth_date").map(Masking::isSensitive))
        assertEquals("王**", Masking.conflictValue("name", "\"王秀英\"", revealed = false))
        assertEquals("1949-**-**", Masking.conflictValue("birth_date", "\"1949-12-31\"", revealed = false))
        assertEquals("（空）", Masking.conflictValue("phones", "null", revealed = false))
        assertEquals("5", Masking.conflictValue("floor", "5", revealed = false))
        assertEquals("a\"b中\n", Masking.jsonString("\"a\\\"b\\u4e2d\\n\""))
        assertNull(Masking.jsonString("\"bad\\x\""))
        assertNull(Masking.jsonString("12"))
    }

    @Test
    fun labelsForTheScreens(): Unit = runBlocking {
        assertEquals(listOf("512 B", "1.5 KB", "2.0 MB"), listOf(512L, 1536L, 2L * 1024L * 1024L).map(::formatBytes))
        assertEquals("2025-06-10 09:30", Labels.time(org.gridbook.core.Timestamp(utcMs = FixedClock.at(2025, 6, 10, 9, 30).nowMs, offsetMinutes = 480)))
        assertEquals("发现问题的内容", Labels.field("findings.text"))
        assertEquals("unknown_field", Labels.field("unknown_field"))
    }

    @Test
    fun errorMessagesNameTheFieldNeverTheValue(): Unit = runBlocking {
        assertEquals("电话：电话号码格式不对", describe(GridbookException.Invalid("phones", InvalidReason.Phone)))
        assertEquals("备注：太长（最多 500 个字）", describe(GridbookException.Invalid("notes", InvalidReason.TooLong(500L))))
        assertEquals("找不到该居民（可能已被删除）", describe(GridbookException.NotFound(RecordKind.RESIDENT, "r-1")))
        assertEquals("只有记录这条走访记录的网格员可以修改它", describe(GridbookException.NotAuthor(RecordKind.VISIT, "v-1")))
        assertEquals("同步已取消", describe(GridbookException.Cancelled("the sync was cancelled")))
        assertEquals("照片：照片太大（最多 5 MB）", describe(GridbookException.Invalid("photo", InvalidReason.PhotoTooLarge(5_242_880L))))
        assertEquals("数据已关闭，请重新打开", describe(GridbookException.Closed("the store was closed; open it again to go on")))
        assertEquals("身份证号：身份证号校验位不对", describe(GridbookException.Invalid("idNumber", InvalidReason.IdNumberCheckDigit)))
        assertEquals(
            "楼栋长不能查看完整证件号码和电话",
            describe(GridbookException.PrivacyRoleMayNot(PrivacyAction.REVEAL_RESIDENT, WorkerRole.BUILDING_HEAD)),
        )
        assertEquals("协管员不能查看查阅记录", describe(GridbookException.PrivacyRoleMayNot(PrivacyAction.READ_REVEAL_LOG, WorkerRole.ASSISTANT)))
        assertEquals("查阅说明：不能为空", describe(GridbookException.Invalid("note", InvalidReason.Empty)))
        assertEquals("查阅记录", Labels.record(RecordKind.REVEAL))
        assertEquals("操作失败", describe(IllegalStateException("13800138000")))
    }
}
