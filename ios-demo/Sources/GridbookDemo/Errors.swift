import Gridbook

/// A message for the user. It names the field, never the value (the core's
/// errors carry no personal data, and neither does this), and is safe to log.
public func describe(_ error: Error) -> String {
    guard let error = error as? GridbookError else { return "操作失败" }
    switch error {
    case let .Invalid(field, reason): return "\(Labels.field(field))：\(describe(reason))"
    case let .NotFound(kind, _): return "找不到该\(Labels.record(kind))（可能已被删除）"
    case let .Retired(kind, _): return "该\(Labels.record(kind))已停用"
    case let .NotAuthor(kind, _): return "只有记录这条\(Labels.record(kind))的网格员可以修改它"
    case .Unauthorized: return "设备令牌无效或已吊销，请联系管理员重新签发"
    case .Forbidden: return "没有该网格的权限"
    case .Unreachable: return "无法连接同步服务器，请检查网络后重试"
    case .Cancelled: return "同步已取消"
    case .ListenerFailed: return "同步进度显示出错，同步已停止"
    case .Closed: return "数据已关闭，请重新打开"
    case let .Rejected(status, _): return "服务器拒绝了请求（\(status)）"
    case .Config: return "同步设置有误：服务器地址或证书"
    case .NotADatabase: return "数据文件无法打开（密钥错误或文件损坏）"
    case .WorkerMismatch: return "数据文件属于另一位网格员"
    case .SchemaTooNew: return "数据文件来自更新版本的应用，请升级"
    case .Protocol, .MalformedChanges: return "收到的数据格式有误"
    case .Database, .Document: return "数据存储出错"
    case .GridNotBlocked: return "该网格没有被服务器拒绝，无需丢弃"
    case .StaleConfirmation: return "待发送的记录已有变化，请重新确认后再丢弃"
    case let .StepNotAllowed(action, status): return "\(stepActionLabel(value: action))：事件\(eventStatusLabel(value: status))时不能办理"
    case let .RoleMayNot(action, role): return "\(workerRoleLabel(value: role))不能办理“\(stepActionLabel(value: action))”"
    case .GridHeadOnly: return "只有网格长可以修改本网格的事件分类和吹哨等级"
    case let .PointsRoleMayNot(action, role): return "\(workerRoleLabel(value: role))不能\(pointsActionLabel(value: action))"
    case let .PrivacyRoleMayNot(action, role): return "\(workerRoleLabel(value: role))不能\(privacyActionLabel(value: action))"
    case let .StepRefused(action, reason): return "\(stepActionLabel(value: action))：\(stepRefusalLabel(value: reason))"
    case let .ImportRefused(reason): return "花名册未导入：\(describe(reason))"
    }
}

private func describe(_ refusal: ImportRefusal) -> String {
    switch refusal {
    case let .tooLarge(maxBytes): "文件太大（最多 \(maxBytes / 1_048_576) MB）"
    case .zipBomb: "表格解压后过大"
    case .notASpreadsheet: "不是 CSV 或 Excel（.xlsx）文件"
    case .unknownEncoding: "CSV 文件既不是 UTF-8 也不是 GBK 编码"
    case let .malformedCsv(row): "CSV 文件第 \(row) 行格式有误"
    case .malformedSpreadsheet: "表格已损坏，无法读取"
    case .noHeader: "文件没有表头"
    case let .missingColumn(field): "缺少“\(importFieldLabel(value: field))”列"
    case let .duplicateColumn(field): "“\(importFieldLabel(value: field))”列出现了两次"
    case let .rowsInError(rows): "\(rows) 行有错误，请修改或跳过这些行"
    case .fileNotFound: "找不到该文件"
    case .fileUnreadable: "无法读取该文件"
    }
}

private func describe(_ reason: InvalidReason) -> String {
    switch reason {
    case .empty: "不能为空"
    case let .tooLong(max): "太长（最多 \(max) 个字）"
    case .controlCharacters, .badCharacters: "含有不允许的字符"
    case .idNumberFormat: "身份证号格式不对"
    case .idNumberBirthDate: "身份证号中的出生日期不对"
    case .idNumberCheckDigit: "身份证号校验位不对"
    case .phone: "电话号码格式不对"
    case .dateFormat: "日期格式不对"
    case .inFuture: "不能晚于今天"
    case .tooOld: "日期太早"
    case .timeFormat: "时间格式不对"
    case .outOfRange: "超出范围"
    case .notFinite: "不是有效数字"
    case .unknownCode: "未知的代码"
    case .endsBeforeStart: "结束早于开始"
    case .notOnShift: "不在该班次路线上"
    case .required: "此步骤必须填写"
    case .photoId: "不是有效的照片编号"
    case let .wrongLength(expected): "长度不对（应为 \(expected) 字节）"
    case let .photoTooLarge(maxBytes): "照片太大（最多 \(maxBytes / 1_048_576) MB）"
    case .photoType: "不是 JPEG、PNG、HEIC 或 WebP 图片"
    case .photoMalformed: "图片已损坏或不完整"
    case .photoHashMismatch: "图片与其编号不符"
    case .reservedCode: "本网格自定义的编码须以 local_ 开头"
    case .notSimpleRing: "边界须是不自相交的闭合区域（至少 3 个点）"
    case .exceedsBalance: "超过了积分余额"
    case .notAVolunteer: "不是本网格的志愿者（积分只给志愿者，不给工作人员）"
    }
}
