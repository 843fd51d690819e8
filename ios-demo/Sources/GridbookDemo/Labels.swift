import Foundation
import Gridbook

/// The app's own Chinese texts: sync stages, record kinds, field names,
/// addresses and times. The code lists' labels come from the core
/// (`visitOutcomeLabel`, `genderLabel`, …), as does `careCategories()`.
public enum Labels {
    public static func stage(_ value: SyncStage) -> String {
        switch value {
        case .exchanging: "正在交换数据"
        case .waitingToRetry: "网络不佳，稍后重试"
        case .applying: "正在写入"
        case .done: "已完成"
        }
    }

    /// A grid the server refused, for the sync panel: its name (`name`, the
    /// grid's id when the phone has no name for it), why, and how many
    /// changes wait on the phone ("文新一网格 未分配给你，3 条更改暂存在手机上").
    public static func blockedGrid(_ grid: BlockedGrid, name: String?) -> String {
        let why = switch grid.reason {
        case .notAssigned: "未分配给你"
        case .mayNotCreate: "你无权新建网格"
        }
        return "\(name ?? grid.gridId) \(why)，\(grid.heldChanges) 条更改暂存在手机上"
    }

    /// The purposes a reveal may give, in the order the picker shows them
    /// (labels from the core's `revealPurposeLabel`).
    public static let revealPurposes: [RevealPurpose] = [.contactResident, .verifyIdentity, .handleEvent, .reportUpstream, .other]

    public static func record(_ value: RecordKind) -> String {
        switch value {
        case .grid: "网格"
        case .building: "楼栋"
        case .household: "住户"
        case .resident: "居民"
        case .visit: "走访记录"
        case .headAppointment: "楼栋长任命"
        case .patrolTeam: "巡逻队"
        case .shift: "巡逻班次"
        case .checkin: "巡逻签到"
        case .worker: "网格员"
        case .event: "事件"
        case .eventStep: "事件办理步骤"
        case .eventCatalogue: "事件分类或吹哨等级"
        case .photo: "照片"
        case .pointsEntry: "积分记录"
        case .pointsRule: "积分规则"
        case .volunteer: "志愿者"
        case .reveal: "查阅记录"
        }
    }

    /// A field name of a record as the core reports it in conflicts and errors.
    /// A field name as the core reports it in conflicts (snake_case) and errors (camelCase).
    public static func field(_ name: String) -> String { fields[name] ?? fields[snakeCase(name)] ?? name }

    /// An error's camelCase field path ("idNumber") as the conflicts' snake_case one ("id_number").
    private static func snakeCase(_ name: String) -> String {
        name.map { $0.isUppercase ? "_" + $0.lowercased() : String($0) }.joined()
    }

    private static let fields: [String: String] = [
        "name": "姓名",
        "phones": "电话",
        "photo": "照片",
        "id_number": "身份证号",
        "birth_date": "出生日期",
        "gender": "性别",
        "relation": "与户主关系",
        "registration": "户籍类型",
        "residence_state": "人户状态",
        "care": "关爱类别",
        "household_id": "所属住户",
        "moved_in": "迁入日期",
        "date": "日期",
        "time": "时刻",
        "notes": "备注",
        "note": "查阅说明",
        "household_notes": "住户备注",
        "address": "地址",
        "tags": "标签",
        "use_kind": "房屋用途",
        "unit": "单元",
        "floor": "楼层",
        "room": "房号",
        "head_id": "户主",
        "status": "状态",
        "outcome": "走访结果",
        "kind": "走访类型",
        "findings": "发现问题",
        "findings.text": "发现问题的内容",
        "gps": "定位",
        "at": "时间",
        "points": "积分",
        "reason": "奖励理由",
        "item": "兑换物品",
        "volunteer_id": "志愿者",
    ]

    /// "3栋 1单元 502" (the estate is on the building, not the household).
    public static func address(_ h: Household) -> String { "\(h.buildingNumber) \(h.unit)单元 \(h.room)" }

    /// A core instant shown in its own offset: "2026-11-22 14:30".
    public static func time(_ t: Timestamp) -> String {
        let local = t.utcMs + Int64(t.offsetMinutes) * 60_000
        let c = utcCalendar.dateComponents([.hour, .minute], from: date(ms: local))
        return utcDate(ms: local) + String(format: " %02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }

    /// A care category code's label from the core's list, or the code itself for a local category.
    public static func care(_ code: String, _ labels: [String: String]) -> String { labels[code] ?? code }

    /// The care categories' labels from the core (code to label).
    public static func careLabels() -> [String: String] {
        Dictionary(careCategories().map { ($0.code, $0.label) }, uniquingKeysWith: { first, _ in first })
    }

    /// "YYYY-MM-DD" of a UTC instant in milliseconds.
    static func utcDate(ms: Int64) -> String { utcDay(ms: ms).isoDate }

    /// The year, month and day of a UTC instant in milliseconds.
    static func utcDay(ms: Int64) -> DateComponents {
        let c = utcCalendar.dateComponents([.year, .month, .day], from: date(ms: ms))
        return DateComponents(year: c.year, month: c.month, day: c.day)
    }

    private static func date(ms: Int64) -> Date {
        // Whole seconds, rounded down, so 09:29:59.999 stays 09:29.
        Date(timeIntervalSince1970: Double(ms.floorDiv(1000)))
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

extension Int64 {
    fileprivate func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

/// A byte count for people: "512 B", "1.5 KB", "2.3 MB".
public func formatBytes(_ bytes: Int64) -> String {
    let n = Double(bytes)
    if bytes < 1024 { return "\(bytes) B" }
    if n < 1024 * 1024 { return String(format: "%.1f KB", n / 1024) }
    return String(format: "%.1f MB", n / 1024 / 1024)
}
