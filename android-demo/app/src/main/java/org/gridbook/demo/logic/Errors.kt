package org.gridbook.demo.logic

import org.gridbook.core.GridbookException
import org.gridbook.core.ImportRefusal
import org.gridbook.core.InvalidReason
import org.gridbook.eventStatusLabel
import org.gridbook.importFieldLabel
import org.gridbook.pointsActionLabel
import org.gridbook.privacyActionLabel
import org.gridbook.stepActionLabel
import org.gridbook.stepRefusalLabel
import org.gridbook.workerRoleLabel

/**
 * A message for the user. It names the field, never the value (the core's
 * errors carry no personal data, and neither does this), and is safe to log.
 */
fun describe(error: Throwable): String = when (error) {
    is GridbookException.Invalid -> "${Labels.field(error.field)}：${reason(error.reason)}"
    is GridbookException.NotFound -> "找不到该${Labels.record(error.kind)}（可能已被删除）"
    is GridbookException.Retired -> "该${Labels.record(error.kind)}已停用"
    is GridbookException.NotAuthor -> "只有记录这条${Labels.record(error.kind)}的网格员可以修改它"
    is GridbookException.Unauthorized -> "设备令牌无效或已吊销，请联系管理员重新签发"
    is GridbookException.Forbidden -> "没有该网格的权限"
    is GridbookException.Unreachable -> "无法连接同步服务器，请检查网络后重试"
    is GridbookException.Cancelled -> "同步已取消"
    is GridbookException.ListenerFailed -> "同步进度显示出错，同步已停止"
    is GridbookException.Closed -> "数据已关闭，请重新打开"
    is GridbookException.Rejected -> "服务器拒绝了请求（${error.status}）"
    is GridbookException.Config -> "同步设置有误：服务器地址或证书"
    is GridbookException.NotADatabase -> "数据文件无法打开（密钥错误或文件损坏）"
    is GridbookException.WorkerMismatch -> "数据文件属于另一位网格员"
    is GridbookException.SchemaTooNew -> "数据文件来自更新版本的应用，请升级"
    is GridbookException.Protocol, is GridbookException.MalformedChanges -> "收到的数据格式有误"
    is GridbookException.Database, is GridbookException.Document -> "数据存储出错"
    is GridbookException.GridNotBlocked -> "该网格没有被服务器拒绝，无需丢弃"
    is GridbookException.StaleConfirmation -> "待发送的记录已有变化，请重新确认后再丢弃"
    is GridbookException.StepNotAllowed -> "${stepActionLabel(error.action)}：事件${eventStatusLabel(error.status)}时不能办理"
    is GridbookException.RoleMayNot -> "${workerRoleLabel(error.role)}不能办理“${stepActionLabel(error.action)}”"
    is GridbookException.GridHeadOnly -> "只有网格长可以修改本网格的事件分类和吹哨等级"
    is GridbookException.PointsRoleMayNot -> "${workerRoleLabel(error.role)}不能${pointsActionLabel(error.action)}"
    is GridbookException.PrivacyRoleMayNot -> "${workerRoleLabel(error.role)}不能${privacyActionLabel(error.action)}"
    is GridbookException.StepRefused -> "${stepActionLabel(error.action)}：${stepRefusalLabel(error.reason)}"
    is GridbookException.ImportRefused -> "花名册未导入：${refusal(error.reason)}"
    else -> "操作失败"
}

private fun refusal(r: ImportRefusal): String = when (r) {
    is ImportRefusal.TooLarge -> "文件太大（最多 ${r.maxBytes / 1_048_576u} MB）"
    is ImportRefusal.ZipBomb -> "表格解压后过大"
    ImportRefusal.NotASpreadsheet -> "不是 CSV 或 Excel（.xlsx）文件"
    ImportRefusal.UnknownEncoding -> "CSV 文件既不是 UTF-8 也不是 GBK 编码"
    is ImportRefusal.MalformedCsv -> "CSV 文件第 ${r.row} 行格式有误"
    ImportRefusal.MalformedSpreadsheet -> "表格已损坏，无法读取"
    ImportRefusal.NoHeader -> "文件没有表头"
    is ImportRefusal.MissingColumn -> "缺少“${importFieldLabel(r.field)}”列"
    is ImportRefusal.DuplicateColumn -> "“${importFieldLabel(r.field)}”列出现了两次"
    is ImportRefusal.RowsInError -> "${r.rows} 行有错误，请修改或跳过这些行"
    is ImportRefusal.FileNotFound -> "找不到该文件"
    is ImportRefusal.FileUnreadable -> "无法读取该文件"
}

private fun reason(r: InvalidReason): String = when (r) {
    InvalidReason.Empty -> "不能为空"
    is InvalidReason.TooLong -> "太长（最多 ${r.max} 个字）"
    InvalidReason.ControlCharacters, InvalidReason.BadCharacters -> "含有不允许的字符"
    InvalidReason.IdNumberFormat -> "身份证号格式不对"
    InvalidReason.IdNumberBirthDate -> "身份证号中的出生日期不对"
    InvalidReason.IdNumberCheckDigit -> "身份证号校验位不对"
    InvalidReason.Phone -> "电话号码格式不对"
    InvalidReason.DateFormat -> "日期格式不对"
    InvalidReason.InFuture -> "不能晚于今天"
    InvalidReason.TooOld -> "日期太早"
    InvalidReason.TimeFormat -> "时间格式不对"
    InvalidReason.OutOfRange -> "超出范围"
    InvalidReason.NotFinite -> "不是有效数字"
    InvalidReason.UnknownCode -> "未知的代码"
    InvalidReason.EndsBeforeStart -> "结束早于开始"
    InvalidReason.NotOnShift -> "不在该班次路线上"
    InvalidReason.Required -> "此步骤必须填写"
    InvalidReason.PhotoId -> "不是有效的照片编号"
    is InvalidReason.WrongLength -> "长度不对（应为 ${r.expected} 字节）"
    is InvalidReason.PhotoTooLarge -> "照片太大（最多 ${r.maxBytes / 1_048_576} MB）"
    InvalidReason.PhotoType -> "不是 JPEG、PNG、HEIC 或 WebP 图片"
    InvalidReason.PhotoMalformed -> "图片已损坏或不完整"
    InvalidReason.PhotoHashMismatch -> "图片与其编号不符"
    InvalidReason.ReservedCode -> "本网格自定义的编码须以 local_ 开头"
    InvalidReason.NotSimpleRing -> "边界须是不自相交的闭合区域（至少 3 个点）"
    InvalidReason.ExceedsBalance -> "超过了积分余额"
    InvalidReason.NotAVolunteer -> "不是本网格的志愿者（积分只给志愿者，不给工作人员）"
}
