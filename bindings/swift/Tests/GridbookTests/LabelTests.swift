// The core's Chinese label of every code, one function per code list, and
// the name mask the core applies in search hits and logs.
import Foundation
import XCTest

import Gridbook

final class LabelTests: XCTestCase {
    func testEveryCodeHasTheCoresLabel() {
        XCTAssertEqual([Gender.male, .female, .unknown].map { genderLabel(value: $0) }, ["男", "女", "未知"])
        XCTAssertEqual(
            [DwellingUse.ownerOccupied, .rented, .vacant, .business, .other].map { dwellingUseLabel(value: $0) },
            ["自住", "出租", "空置", "经营", "其他"]
        )
        XCTAssertEqual([HouseholdStatus.active, .movedOut].map { householdStatusLabel(value: $0) }, ["在住", "迁出"])
        XCTAssertEqual([Registration.local, .migrant, .foreign].map { registrationLabel(value: $0) }, ["户籍", "流动", "境外"])
        XCTAssertEqual(
            [ResidenceState.consistent, .presentNotRegistered, .registeredNotPresent].map { residenceStateLabel(value: $0) },
            ["人户一致", "人在户不在", "户在人不在"]
        )
        XCTAssertEqual([ResidentStatus.active, .movedOut, .deceased].map { residentStatusLabel(value: $0) }, ["在住", "迁出", "死亡"])
        XCTAssertEqual(
            [VisitKind.routine, .followUp, .specialCare, .survey].map { visitKindLabel(value: $0) },
            ["敲门扫楼", "回访", "关爱探访", "专项调查"]
        )
        XCTAssertEqual(
            [VisitOutcome.met, .nobodyHome, .refused, .vacant, .movedAway].map { visitOutcomeLabel(value: $0) },
            ["见面", "无人在家", "拒访", "空置", "已搬离"]
        )
        XCTAssertEqual([FindingKind.request, .problem].map { findingKindLabel(value: $0) }, ["诉求", "问题隐患"])
        XCTAssertEqual([Resolution.solvedOnSite, .escalated, .open].map { resolutionLabel(value: $0) }, ["当场解决", "上报", "待跟进"])
        XCTAssertEqual(
            [WorkerRole.gridHead, .assistant, .policeOfficer, .buildingHead, .patrolVolunteer].map { workerRoleLabel(value: $0) },
            ["网格长", "协管员", "片区民警", "楼栋长", "巡逻志愿者"]
        )
    }

    func testNamesKeepTheirFirstCharacter() {
        XCTAssertEqual(maskName(name: "王秀英"), "王**")
        XCTAssertEqual(maskName(name: " 欧阳娜娜 "), "欧***", "trimmed first")
        XCTAssertEqual(maskName(name: "李"), "*")
        XCTAssertEqual(maskName(name: ""), "")
        XCTAssertEqual(maskName(name: "𠀀明"), "𠀀*", "a character outside the BMP counts once")
    }
}
