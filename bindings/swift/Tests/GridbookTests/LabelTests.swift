// The core's Chinese label of every code, one function per code list, the
// name mask the core applies in search hits and logs, and the QR code of a
// self-report link.
import Foundation
import XCTest

import Gridbook

final class LabelTests: XCTestCase {
    func testEveryCodeHasTheCoresLabel() {
        // Each row: the labels of one code list, in its order, and what they must read.
        let lists: [(labels: [String], expected: [String])] = [
            ([Gender.male, .female, .unknown].map { genderLabel(value: $0) }, ["男", "女", "未知"]),
            ([DwellingUse.ownerOccupied, .rented, .vacant, .business, .other].map { dwellingUseLabel(value: $0) }, ["自住", "出租", "空置", "经营", "其他"]),
            ([HouseholdStatus.active, .movedOut].map { householdStatusLabel(value: $0) }, ["在住", "迁出"]),
            ([Registration.local, .migrant, .foreign].map { registrationLabel(value: $0) }, ["户籍", "流动", "境外"]),
            ([ResidenceState.consistent, .presentNotRegistered, .registeredNotPresent].map { residenceStateLabel(value: $0) }, ["人户一致", "人在户不在", "户在人不在"]),
            ([ResidentStatus.active, .movedOut, .deceased].map { residentStatusLabel(value: $0) }, ["在住", "迁出", "死亡"]),
            ([VisitKind.routine, .followUp, .specialCare, .survey].map { visitKindLabel(value: $0) }, ["敲门扫楼", "回访", "关爱探访", "专项调查"]),
            ([VisitOutcome.met, .nobodyHome, .refused, .vacant, .movedAway].map { visitOutcomeLabel(value: $0) }, ["见面", "无人在家", "拒访", "空置", "已搬离"]),
            ([FindingKind.request, .problem].map { findingKindLabel(value: $0) }, ["诉求", "问题隐患"]),
            ([Resolution.solvedOnSite, .escalated, .open].map { resolutionLabel(value: $0) }, ["当场解决", "上报", "待跟进"]),
            ([WorkerRole.gridHead, .assistant, .policeOfficer, .buildingHead, .patrolVolunteer].map { workerRoleLabel(value: $0) }, ["网格长", "协管员", "片区民警", "楼栋长", "巡逻志愿者"]),
        ]
        for list in lists {
            XCTAssertEqual(list.labels, list.expected)
        }
    }

    func testNamesKeepTheirFirstCharacter() {
        XCTAssertEqual(maskName(name: "王秀英"), "王**")
        XCTAssertEqual(maskName(name: " 欧阳娜娜 "), "欧***", "trimmed first")
        XCTAssertEqual(maskName(name: "李"), "*")
        XCTAssertEqual(maskName(name: ""), "")
        XCTAssertEqual(maskName(name: "𠀀明"), "𠀀*", "a character outside the BMP counts once")
    }

    func testASelfReportLinkBecomesAnSvgQrCode() throws {
        let svg = try selfReportQrSvg(url: "https://grid.example.cn/r/abc")
        XCTAssertTrue(svg.hasPrefix("<?xml") && svg.contains("<svg"))
        XCTAssertThrowsError(try selfReportQrSvg(url: " ")) { error in
            XCTAssertEqual(error as? GridbookError, .Invalid(field: "url", reason: .empty))
        }
    }
}
