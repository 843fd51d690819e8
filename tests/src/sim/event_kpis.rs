//! The month's grid events and the grid's KPIs, as `gridsim` prints them
//! in its summary and shows them in its HTML report: one
//! [`EventSummary`] read from a store, printed by [`print_events`].
//!
//! To show a new event figure: a field in [`EventSummary`] filled in
//! [`event_summary`], a line in [`print_events`] and, for the page, in
//! `report/sections.rs`.

use gridbook::codes::{CodeList, EventStatus};
use gridbook::{Date, Store};

use super::SimError;
use super::summary::percent;
use super::work::Worker;

/// The month's grid events as `gridsim` prints and reports them: the
/// grid's KPIs from `event_kpis`, the steps the workers took and had
/// refused, counts by status and by whistle level with their labels, and
/// the events needing review. Totals only: the KPIs count events, never
/// people, so nothing here ranks a worker.
#[derive(Debug, Clone)]
pub struct EventSummary {
    /// The grid's KPIs over the period.
    pub kpis: gridbook::EventKpis,
    /// Steps the workers took on events.
    pub steps: u64,
    /// Steps refused because the event had moved on.
    pub refused: u64,
    /// Events by status: "已结案 closed"-style label and count.
    pub by_status: Vec<(String, i64)>,
    /// Events by whistle level: the level's name and code, and count.
    pub by_level: Vec<(String, i64)>,
    /// Events whose offline steps contradict each other (待复核).
    pub needing_review: usize,
}

/// The month's grid events reported on `from..=to`: see [`EventSummary`].
pub fn event_summary(
    store: &Store,
    grid: &str,
    from: Date,
    to: Date,
    workers: &[Worker],
) -> Result<EventSummary, SimError> {
    let kpis = store.event_kpis(grid, from, to)?;
    let (steps, refused) = workers.iter().fold((0, 0), |(s, r), w| {
        (s + w.tally.event_steps, r + w.tally.event_refused)
    });
    let status_label = |code: &str| {
        EventStatus::from_code(code)
            .map_or_else(|| code.to_string(), |s| format!("{} {code}", s.label()))
    };
    let levels = store.whistle_levels(grid)?.levels;
    let level_label = |code: &str| {
        levels
            .iter()
            .find(|l| l.rank.to_string() == code)
            .map_or_else(|| code.to_string(), |l| format!("{} {}", l.name, l.code))
    };
    let by_status = kpis
        .by_status
        .iter()
        .map(|c| (status_label(&c.code), c.count))
        .collect();
    let by_level = kpis
        .by_level
        .iter()
        .map(|c| (level_label(&c.code), c.count))
        .collect();
    Ok(EventSummary {
        needing_review: store.events_needing_review(grid)?.len(),
        kpis,
        steps,
        refused,
        by_status,
        by_level,
    })
}

/// Prints the month's grid events: how many came in, where they stand, and
/// the grid's KPIs.
pub fn print_events(summary: &EventSummary) {
    let kpis = &summary.kpis;
    let counts = |list: &[(String, i64)]| {
        if list.is_empty() {
            return "（无 none）".to_string();
        }
        list.iter()
            .map(|(label, count)| format!("{label} {count}"))
            .collect::<Vec<_>>()
            .join("，")
    };
    println!(
        "  上报 reported: {} 件 events；{} 步办理 steps taken，{} 步因事件已变化被拒 steps refused (the event had moved on)",
        kpis.reported, summary.steps, summary.refused
    );
    println!("  状态 by status: {}", counts(&summary.by_status));
    println!("  等级 by level:  {}", counts(&summary.by_level));
    println!(
        "  响应率 response rate {}（{}/{}），响应时长中位数 median response {} 分钟 min",
        percent(kpis.response_rate),
        kpis.responded,
        kpis.reported,
        kpis.median_response_minutes
            .map_or_else(|| "—".to_string(), |m| m.to_string())
    );
    println!(
        "  解决率 resolution rate {}（{} 结案 closed，{} 注销 cancelled），按时办结率 on-time rate {}（{}），满意率 satisfaction rate {}（{}/{} 评价 rated）",
        percent(kpis.resolution_rate),
        kpis.closed,
        kpis.cancelled,
        percent(kpis.on_time_rate),
        kpis.closed_on_time,
        percent(kpis.satisfaction_rate),
        kpis.satisfied,
        kpis.rated
    );
    println!(
        "  待复核 needing review: {} 件（离线并发的步骤互相矛盾 contradicting offline steps）；只统计事件，不按人排名 (events counted, no one ranked)",
        summary.needing_review
    );
}
