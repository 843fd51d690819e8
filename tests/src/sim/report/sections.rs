//! The report's sections, one builder each, taking the data it shows and
//! returning markup: the map, coverage over the days, visits per building,
//! events with the KPIs, sync traffic per worker, and the volunteers'
//! points board ([`volunteer_points_section`]).
//!
//! Names of workers are masked here, in the builders (surname + `*`), so a
//! caller cannot put a full name on the page; residents never reach them.
//! To add a section: a data struct in `mod.rs`'s [`super::ReportData`], a
//! builder here, and its call in [`super::render`].

use gridbook::validate::mask_name;

use super::bars::{Bar, PairBar, bar_chart, pair_chart};
use super::features::MapFeatures;
use super::html::{para, section, table};
use super::line_chart::{LinePoint, line_chart};
use super::map_svg::map_svg;
use super::{BuildingVisits, CoverageDay, TrafficRow, VolunteerPoints};
use crate::sim::event_kpis::EventSummary;
use crate::sim::summary::{percent, size};

/// The map of the grid at the end of the month.
pub fn map_section(map: &MapFeatures) -> String {
    let (reached, households) = map.coverage();
    let mut body = para(
        "note",
        &format!(
            "{} 栋楼 buildings，{} 件未结事件 open events，{} 个巡逻点 checkpoints；本月已走访 {reached}/{households} 户 households reached this month。悬停查看楼栋数据 hover for a building's counts.",
            map.buildings.len(),
            map.events.len(),
            map.checkpoints.len()
        ),
    );
    body.push_str(&map_svg(map));
    section("map", "网格地图 Grid map", &body)
}

/// Coverage over the days: the share of households reached month-to-date,
/// as the grid head's phone saw it at the end of each day.
pub fn coverage_section(days: &[CoverageDay]) -> String {
    let points: Vec<LinePoint> = days
        .iter()
        .map(|d| {
            let share = d.reached as f64 / d.households.max(1) as f64;
            LinePoint {
                label: format!("{:02}-{:02}", d.date.month(), d.date.day()),
                value: share,
                tip: format!(
                    "{}：{}/{} 户 households ({:.1}%)",
                    d.date,
                    d.reached,
                    d.households,
                    share * 100.0
                ),
            }
        })
        .collect();
    let breaks: Vec<usize> = days
        .iter()
        .enumerate()
        .filter(|(i, d)| *i > 0 && d.date.day() == 1)
        .map(|(i, _)| i)
        .collect();
    let mut body = para(
        "note",
        "每天结束时网格长手机上本月已走访（见到人）的住户占比；每月1日重新计数。Share of households reached by a visit this calendar month, as the grid head's phone saw it at the end of each day (it counts from the 1st of each month).",
    );
    body.push_str(&line_chart(
        "走访覆盖率 coverage over the days",
        &points,
        &breaks,
    ));
    section("coverage", "走访覆盖率 Coverage over the days", &body)
}

/// Visits per building during the simulated days.
pub fn visits_section(rows: &[BuildingVisits]) -> String {
    let bars: Vec<Bar> = rows
        .iter()
        .map(|r| Bar {
            label: format!("{}（{} 户）", r.number, r.households),
            value: r.visits as f64,
            text: format!("{} 次 visits", r.visits),
        })
        .collect();
    let total: u64 = rows.iter().map(|r| r.visits).sum();
    let mut body = para(
        "note",
        &format!(
            "模拟期间共 {total} 次走访，按楼栋 visits during the simulated days, by building（括号内为住户数 households in brackets）。"
        ),
    );
    body.push_str(&bar_chart(
        "每栋楼走访次数 visits per building",
        &bars,
        "#4a8c5c",
    ));
    section("visits", "每栋楼走访次数 Visits per building", &body)
}

/// Events by level and status, with the grid's KPIs.
pub fn events_section(e: &EventSummary) -> String {
    let k = &e.kpis;
    let mut body = para(
        "note",
        &format!(
            "{} 至 {}：上报 {} 件 events reported；{} 步办理 steps taken，{} 步被拒 refused (the event had moved on)；待复核 {} 件 needing review。只统计事件，不按人排名 events counted, no one ranked.",
            k.from, k.to, k.reported, e.steps, e.refused, e.needing_review
        ),
    );
    let median = k
        .median_response_minutes
        .map_or_else(|| "—".to_string(), |m| format!("{m} 分钟 min"));
    body.push_str(&table(
        &["指标 KPI", "值 value", "依据 basis"],
        &[
            vec![
                "响应率 response rate".into(),
                percent(k.response_rate),
                format!("{}/{}", k.responded, k.reported),
            ],
            vec![
                "响应时长中位数 median response".into(),
                median,
                String::new(),
            ],
            vec![
                "解决率 resolution rate".into(),
                percent(k.resolution_rate),
                format!("{} 结案 closed，{} 注销 cancelled", k.closed, k.cancelled),
            ],
            vec![
                "按时办结率 on-time rate".into(),
                percent(k.on_time_rate),
                format!("{} 按时 on time", k.closed_on_time),
            ],
            vec![
                "满意率 satisfaction rate".into(),
                percent(k.satisfaction_rate),
                format!("{}/{} 评价 rated", k.satisfied, k.rated),
            ],
        ],
    ));
    let bars = |list: &[(String, i64)]| -> Vec<Bar> {
        list.iter()
            .map(|(label, count)| Bar {
                label: label.clone(),
                value: *count as f64,
                text: format!("{count} 件"),
            })
            .collect()
    };
    body.push_str("<h3>按状态 By status</h3>\n");
    if e.by_status.is_empty() {
        body.push_str(&para("note", "（无 none）"));
    } else {
        body.push_str(&bar_chart(
            "事件状态 events by status",
            &bars(&e.by_status),
            "#8a6bbf",
        ));
    }
    body.push_str("<h3>按吹哨等级 By whistle level</h3>\n");
    if e.by_level.is_empty() {
        body.push_str(&para("note", "（无 none）"));
    } else {
        body.push_str(&bar_chart(
            "吹哨等级 events by level",
            &bars(&e.by_level),
            "#c0504d",
        ));
    }
    section("events", "网格事件与指标 Grid events and KPIs", &body)
}

/// Sync traffic per worker: bytes up and down and round trips.
pub fn traffic_section(rows: &[TrafficRow]) -> String {
    let who = |r: &TrafficRow| format!("{} {}", mask_name(&r.name), r.role.label());
    let pairs: Vec<PairBar> = rows
        .iter()
        .map(|r| PairBar {
            label: who(r),
            first: (r.days.bytes_sent as f64, size(r.days.bytes_sent)),
            second: (r.days.bytes_received as f64, size(r.days.bytes_received)),
        })
        .collect();
    let mut body = para(
        "note",
        "模拟期间每台手机的同步流量（请求与响应正文）Sync traffic per phone during the simulated days (request and response bodies); 初始 setup = 网格长上传、其余设备首次下载 the upload and bootstraps, 收尾 final = 最后两轮同步 the two closing rounds.",
    );
    body.push_str(&pair_chart(
        "同步流量 sync traffic per worker",
        &pairs,
        ("上传 up", "下载 down"),
    ));
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                who(r),
                r.days.syncs.to_string(),
                r.days.round_trips.to_string(),
                size(r.days.bytes_sent),
                size(r.days.bytes_received),
                size(r.setup.bytes()),
                size(r.closing.bytes()),
            ]
        })
        .collect();
    body.push_str(&table(
        &[
            "成员 worker",
            "同步 syncs",
            "往返 round trips",
            "上传 up",
            "下载 down",
            "初始 setup",
            "收尾 final",
        ],
        &table_rows,
    ));
    section("traffic", "同步流量 Sync traffic per worker", &body)
}

/// Volunteer points (志愿积分): the month's board with balances, and the
/// simulated days' service, awards and exchanges. Names come masked by the
/// store; only volunteers are listed.
pub fn volunteer_points_section(points: Option<&VolunteerPoints>) -> String {
    let body = match points {
        None => para("pending", "尚未记录 not yet recorded."),
        Some(p) => {
            let summary = para(
                "",
                &format!(
                    "服务积分 service {}，奖励 awarded {}，兑换 exchanged {}（模拟期间 in the simulated days）。志愿者才有积分，工作人员没有 Points are for volunteers, never for staff.",
                    p.service, p.awarded, p.spent
                ),
            );
            if p.rows.is_empty() {
                return section(
                    "points",
                    "志愿积分 Volunteer points",
                    &(summary + &para("pending", "本月榜单为空 no points this month.")),
                );
            }
            let rows: Vec<Vec<String>> = p
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.place.to_string(),
                        r.display_name.clone(),
                        r.source.clone(),
                        r.month_points.to_string(),
                        r.balance.to_string(),
                    ]
                })
                .collect();
            summary
                + &table(
                    &[
                        "名次 place",
                        "志愿者 volunteer",
                        "身份 as",
                        "本月积分 this month",
                        "余额 balance",
                    ],
                    &rows,
                )
        }
    };
    section("points", "志愿积分榜 Volunteer points board", &body)
}
