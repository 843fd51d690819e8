package org.gridbook.demo.logic

import org.gridbook.core.BlockedGrid
import org.gridbook.core.GridRefusal
import org.gridbook.core.Household
import org.gridbook.core.RecordKind
import org.gridbook.core.SyncStage
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter

/**
 * Text the app shows that the core does not export: sync stages, record
 * kinds, field names, addresses and times. The code lists' labels come from
 * the core ([org.gridbook.visitOutcomeLabel], [org.gridbook.genderLabel] …).
 */
object Labels {
    fun stage(value: SyncStage): String = when (value) {
        SyncStage.EXCHANGING -> "正在交换数据"
        SyncStage.WAITING_TO_RETRY -> "网络不佳，稍后重试"
        SyncStage.APPLYING -> "正在写入"
        SyncStage.DONE -> "已完成"
    }

    /**
     * A grid the server refused, for the sync panel: its name ([name], the
     * grid's id when the phone has no name for it), why, and how many changes
     * wait on the phone ("文新一网格 未分配给你，3 条更改暂存在手机上").
     */
    fun blockedGrid(grid: BlockedGrid, name: String?): String {
        val why = when (grid.reason) {
            GridRefusal.NOT_ASSIGNED -> "未分配给你"
            GridRefusal.MAY_NOT_CREATE -> "你无权新建网格"
        }
        return "${name ?: grid.gridId} $why，${grid.heldChanges} 条更改暂存在手机上"
    }

    fun record(value: RecordKind): String = when (value) {
        RecordKind.GRID -> "网格"
        RecordKind.BUILDING -> "楼栋"
        RecordKind.HOUSEHOLD -> "住户"
        RecordKind.RESIDENT -> "居民"
        RecordKind.VISIT -> "走访记录"
        RecordKind.HEAD_APPOINTMENT -> "楼栋长任命"
        RecordKind.PATROL_TEAM -> "巡逻队"
        RecordKind.SHIFT -> "巡逻班次"
        RecordKind.CHECKIN -> "巡逻签到"
        RecordKind.WORKER -> "网格员"
        RecordKind.EVENT -> "事件"
        RecordKind.EVENT_STEP -> "事件办理步骤"
        RecordKind.EVENT_CATALOGUE -> "事件分类或吹哨等级"
        RecordKind.PHOTO -> "照片"
        RecordKind.POINTS_ENTRY -> "积分记录"
        RecordKind.POINTS_RULE -> "积分规则"
        RecordKind.VOLUNTEER -> "志愿者"
        RecordKind.REVEAL -> "查阅记录"
    }

    /** A field name of a record as the core reports it in conflicts (snake_case) and errors (camelCase). */
    fun field(name: String): String = FIELDS[name] ?: FIELDS[snakeCase(name)] ?: name

    /** An error's camelCase field path ("idNumber") as the conflicts' snake_case one ("id_number"). */
    private fun snakeCase(name: String): String = name.replace(Regex("[A-Z]")) { "_" + it.value.lowercase() }

    private val FIELDS = mapOf(
        "name" to "姓名",
        "phones" to "电话",
        "photo" to "照片",
        "id_number" to "身份证号",
        "birth_date" to "出生日期",
        "gender" to "性别",
        "relation" to "与户主关系",
        "registration" to "户籍类型",
        "residence_state" to "人户状态",
        "care" to "关爱类别",
        "household_id" to "所属住户",
        "moved_in" to "迁入日期",
        "date" to "日期",
        "time" to "时刻",
        "notes" to "备注",
        "note" to "查阅说明",
        "household_notes" to "住户备注",
        "address" to "地址",
        "tags" to "标签",
        "use_kind" to "房屋用途",
        "unit" to "单元",
        "floor" to "楼层",
        "room" to "房号",
        "head_id" to "户主",
        "status" to "状态",
        "outcome" to "走访结果",
        "kind" to "走访类型",
        "findings" to "发现问题",
        "findings.text" to "发现问题的内容",
        "gps" to "定位",
        "at" to "时间",
        "points" to "积分",
        "reason" to "奖励理由",
        "item" to "兑换物品",
        "volunteer_id" to "志愿者",
    )

    /** "3栋 1单元 502" (the estate is on the building, not the household). */
    fun address(h: Household): String = "${h.buildingNumber} ${h.unit}单元 ${h.room}"

    private val minute = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")

    /** A core instant shown in its own offset: "2026-11-22 14:30". */
    fun time(t: org.gridbook.core.Timestamp): String =
        Instant.ofEpochMilli(t.utcMs).atOffset(ZoneOffset.ofTotalSeconds(t.offsetMinutes * 60)).format(minute)

    /** A care category code's label from the core's list, or the code itself for a local category. */
    fun care(code: String, labels: Map<String, String>): String = labels[code] ?: code
}

/** A byte count for people: "512 B", "1.5 KB", "2.3 MB". */
fun formatBytes(bytes: Long): String {
    val n = bytes.toDouble()
    return when {
        bytes < 1024L -> "$bytes B"
        n < 1024.0 * 1024 -> "%.1f KB".format(java.util.Locale.ROOT, n / 1024)
        else -> "%.1f MB".format(java.util.Locale.ROOT, n / 1024 / 1024)
    }
}
