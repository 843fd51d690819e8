import XCTest

import Gridbook
@testable import GridbookDemo

final class MaskingTests: XCTestCase {
    func testNamesKeepTheirFirstCharacterThroughTheCore() {
        XCTAssertEqual(maskName(name: "王秀英"), "王**")
        XCTAssertEqual(maskName(name: "李"), "*")
        XCTAssertEqual(maskName(name: ""), "")
        XCTAssertEqual(maskName(name: "𠀀明"), "𠀀*", "a character outside the BMP counts once")
        XCTAssertEqual(Masking.conflictValue(field: "name", valueJson: "\" 欧阳娜娜 \"", revealed: false), "欧***")
        XCTAssertEqual(Masking.conflictValue(field: "name", valueJson: "\"李\"", revealed: false), "*")
    }

    func testConflictValuesAreDecodedAndMaskedByField() {
        // ID numbers and phones arrive masked from the core and are shown as they come.
        XCTAssertEqual(Masking.conflictValue(field: "phones", valueJson: "\"139****9000,137****7000\"", revealed: false), "139****9000,137****7000")
        XCTAssertEqual(Masking.conflictValue(field: "id_number", valueJson: "\"110105********002X\"", revealed: false), "110105********002X")
        XCTAssertEqual(["phones", "id_number", "name", "birth_date"].map(Masking.isSensitive), [false, false, true, true])
        XCTAssertEqual(Masking.conflictValue(field: "name", valueJson: "\"王秀英\"", revealed: false), "王**")
        XCTAssertEqual(Masking.conflictValue(field: "birth_date", valueJson: "\"1949-12-31\"", revealed: false), "1949-**-**")
        XCTAssertEqual(Masking.conflictValue(field: "phones", valueJson: "null", revealed: false), "（空）")
        XCTAssertEqual(Masking.conflictValue(field: "floor", valueJson: "5", revealed: false), "5")
        XCTAssertEqual(Masking.jsonString("\"a\\\"b\\u4e2d\\n\""), "a\"b中\n")
        XCTAssertNil(Masking.jsonString("\"bad\\x\""))
        XCTAssertNil(Masking.jsonString("12"))
    }

    func testLabelsForTheScreens() {
        XCTAssertEqual(([512, 1536, 2 * 1024 * 1024] as [Int64]).map(formatBytes), ["512 B", "1.5 KB", "2.0 MB"])
        XCTAssertEqual(Labels.time(Timestamp(utcMs: FixedClock(2025, 6, 10, 9, 30).ms, offsetMinutes: 480)), "2025-06-10 09:30")
        XCTAssertEqual(Labels.time(Timestamp(utcMs: FixedClock(2025, 1, 1, 7, 59).ms, offsetMinutes: 0)), "2024-12-31 23:59")
        XCTAssertEqual(FixedClock(2025, 1, 1, 7, 59).today(), day(2025, 1, 1), "today is Shanghai's date")
        XCTAssertEqual(FixedClock(2025, 1, 1, 7, 59).now(), Timestamp(utcMs: 1_735_689_540_000, offsetMinutes: 480))
        XCTAssertEqual(Labels.field("findings.text"), "发现问题的内容")
        XCTAssertEqual(Labels.field("unknown_field"), "unknown_field")
    }

    func testErrorMessagesNameTheFieldNeverTheValue() {
        XCTAssertEqual(describe(GridbookError.Invalid(field: "phones", reason: .phone)), "电话：电话号码格式不对")
        XCTAssertEqual(describe(GridbookError.Invalid(field: "notes", reason: .tooLong(max: 500))), "备注：太长（最多 500 个字）")
        XCTAssertEqual(describe(GridbookError.NotFound(kind: .resident, id: "r-1")), "找不到该居民（可能已被删除）")
        XCTAssertEqual(describe(GridbookError.Invalid(field: "photo", reason: .photoTooLarge(maxBytes: 5_242_880))), "照片：照片太大（最多 5 MB）")
        XCTAssertEqual(describe(GridbookError.Closed(detail: "the store was closed; open it again to go on")), "数据已关闭，请重新打开")
        XCTAssertEqual(describe(GridbookError.NotAuthor(kind: .visit, id: "v-1")), "只有记录这条走访记录的网格员可以修改它")
        XCTAssertEqual(describe(GridbookError.Cancelled(detail: "the sync was cancelled")), "同步已取消")
        XCTAssertEqual(describe(GridbookError.Invalid(field: "idNumber", reason: .idNumberCheckDigit)), "身份证号：身份证号校验位不对")
        XCTAssertEqual(
            describe(GridbookError.PrivacyRoleMayNot(action: .revealResident, role: .buildingHead)), "楼栋长不能查看完整证件号码和电话"
        )
        XCTAssertEqual(describe(GridbookError.PrivacyRoleMayNot(action: .readRevealLog, role: .assistant)), "协管员不能查看查阅记录")
        XCTAssertEqual(describe(GridbookError.Invalid(field: "note", reason: .empty)), "查阅说明：不能为空")
        XCTAssertEqual(Labels.record(.reveal), "查阅记录")
        XCTAssertEqual(Labels.revealPurposes.map { revealPurposeLabel(value: $0) }, ["联系住户", "核实身份", "事件处置", "上报上级系统", "其他"])
        XCTAssertEqual(describe(TestError("13800138000")), "操作失败")
    }
}
