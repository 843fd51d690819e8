//! `gridsim`'s month as one self-contained HTML page: inline CSS and SVG,
//! no script, no external resource, readable offline. Sections: an
//! overview, the grid's map (from `Store::grid_map`), coverage over the
//! days, visits per building, events with the KPIs, sync traffic per
//! worker and the volunteer points (a place kept for a points ledger).
//!
//! Personal data stays off the page: the map's GeoJSON holds ids, codes
//! and counts only, worker names are masked by the section builders, and
//! [`collect::personal_data_in`] checks a page against a store's roster.
//!
//! Files: this one (the data, [`render`], where the file goes), `collect.rs`
//! (reading the data from a store, the privacy check), `sections.rs` (one
//! builder per section), `features.rs` (the map's GeoJSON read),
//! `map_svg.rs` (the map drawn), `line_chart.rs`, `bars.rs` and `html.rs`
//! (escaping, tables).
//! To add a section: its data in [`ReportData`], a builder in
//! `sections.rs`, its call in [`render`] and its link in the contents.

pub mod bars;
pub mod collect;
pub mod features;
pub mod html;
pub mod line_chart;
pub mod map_svg;
pub mod sections;

use std::path::{Path, PathBuf};

use gridbook::Date;

use super::SimError;
use super::device::{Device, SyncTotals};
use super::event_kpis::EventSummary;
use super::team::Role;
pub use features::MapFeatures;
use html::{escape, para, section, table};

/// The share of households reached month-to-date at the end of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoverageDay {
    /// The simulated day.
    pub date: Date,
    /// Households a visit reached this calendar month, up to that day.
    pub reached: i64,
    /// Households of the grid.
    pub households: i64,
}

/// Visits to one building's households during the simulated days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildingVisits {
    /// The building's number or name.
    pub number: String,
    /// Its households.
    pub households: u64,
    /// Visits to them.
    pub visits: u64,
}

/// One worker's phone's sync traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficRow {
    /// Their role.
    pub role: Role,
    /// Their name, as enrolled: the page shows it masked.
    pub name: String,
    /// The upload or bootstrap before the days.
    pub setup: SyncTotals,
    /// The simulated days.
    pub days: SyncTotals,
    /// The two closing rounds.
    pub closing: SyncTotals,
}

impl TrafficRow {
    /// A row per device, from its totals of the setup, the days and the
    /// closing rounds (in the order of the devices).
    pub fn per_device(
        devices: &[Device],
        setup: &[SyncTotals],
        days: &[SyncTotals],
        closing: &[SyncTotals],
    ) -> Vec<TrafficRow> {
        devices
            .iter()
            .zip(setup.iter().zip(days.iter().zip(closing)))
            .map(|(d, (s, (t, l)))| TrafficRow {
                role: d.member.role,
                name: d.member.name.clone(),
                setup: *s,
                days: *t,
                closing: *l,
            })
            .collect()
    }
}

/// One volunteer's points, for [`sections::volunteer_points_section`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointsRow {
    /// Their place on the board of the last day's month (积分明星榜).
    pub place: u32,
    /// Their name as the store masks it.
    pub display_name: String,
    /// Why they hold points, in Chinese.
    pub source: String,
    /// Points earned in the last day's month, service and awards.
    pub month_points: i64,
    /// Their balance on the last day.
    pub balance: i64,
}

/// The volunteers' points, read from the grid head's store on the last day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolunteerPoints {
    /// The board of the last day's month, one row per volunteer on it.
    pub rows: Vec<PointsRow>,
    /// Service points (from patrol check-ins) dated in the simulated days.
    pub service: i64,
    /// Points the grid head awarded in the simulated days.
    pub awarded: i64,
    /// Points exchanged in the simulated days.
    pub spent: i64,
    /// Award entries in the ledger dated in the simulated days.
    pub award_entries: u64,
    /// Exchange entries in the ledger dated in the simulated days.
    pub spend_entries: u64,
}

/// Everything the page shows.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// The grid's name.
    pub grid_name: String,
    /// The simulation's seed.
    pub seed: u64,
    /// The first and last simulated day.
    pub days: (Date, Date),
    /// Buildings, households and residents of the generated grid.
    pub counts: (u64, u64, u64),
    /// Whether every phone ended with the same rows.
    pub converged: bool,
    /// The map at the end of the month.
    pub map: MapFeatures,
    /// Coverage at the end of each day.
    pub coverage: Vec<CoverageDay>,
    /// Visits per building.
    pub visits: Vec<BuildingVisits>,
    /// Events and KPIs.
    pub events: EventSummary,
    /// Sync traffic per worker.
    pub traffic: Vec<TrafficRow>,
    /// Volunteer points; `None` when nothing read them.
    pub volunteer_points: Option<VolunteerPoints>,
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','WenQuanYi Zen Hei','PingFang SC','Microsoft YaHei',sans-serif;margin:0;background:#f4f5f7;color:#1f2933}
header{background:#1f4e79;color:#fff;padding:18px 28px}header h1{margin:0 0 6px;font-size:24px}header p{margin:2px 0}
nav{padding:8px 28px;background:#e4ebf2}nav a{margin-right:14px;color:#1f4e79}
main{max-width:800px;margin:0 auto;padding:8px 20px 40px}
section{background:#fff;border-radius:6px;padding:12px 20px 18px;margin:18px 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{font-size:19px;border-bottom:2px solid #d9e2ec;padding-bottom:4px}h3{font-size:15px;margin:14px 0 4px}
.note{color:#52606d;font-size:13px}.pending{color:#8a6d3b;background:#fcf8e3;padding:8px 12px;border-radius:4px}
.ok{color:#2e7d32;font-weight:bold}.bad{color:#c62828;font-weight:bold}header .ok{color:#a5f3a9}header .bad{color:#ffb4b4}
table{border-collapse:collapse;margin:10px 0;font-size:13px}th,td{border:1px solid #d9e2ec;padding:4px 8px;text-align:left}td.n{text-align:right}th{background:#f0f4f8}
svg{display:block;max-width:100%;height:auto}svg .tick{font-size:11px;fill:#52606d}svg .small{font-size:10px}svg .axis{font-size:12px;fill:#1f2933}
.legend{font-size:12px;margin:6px 0}.legend-title{font-weight:bold;margin-right:6px}.key{margin-right:12px;white-space:nowrap}
.key i{display:inline-block;width:14px;height:14px;border:1px solid #33485c;vertical-align:middle;margin-right:4px}
.key i.pin{border-radius:50% 50% 50% 0;border-color:#222}.key i.diamond{background:#7b4fa0;transform:rotate(45deg);width:10px;height:10px;border:none}
footer{font-size:12px;color:#52606d;text-align:center;padding:12px}";

/// The page.
pub fn render(data: &ReportData) -> String {
    let (from, to) = data.days;
    let title = format!("{} 网格月报 · gridsim report {from} – {to}", data.grid_name);
    let (buildings, households, residents) = data.counts;
    let departments = data
        .traffic
        .iter()
        .filter(|r| r.role == Role::Department)
        .count();
    let team = data.traffic.len() - departments;
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    out.push_str(&para(
        "",
        &format!(
            "模拟 simulated {from} 至 {to}（种子 seed {}）：{buildings} 栋楼 buildings，{households} 户 households，{residents} 位居民 residents；{team} 名成员 team members{}。",
            data.seed,
            if departments > 0 {
                format!("，{departments} 个报到单位 department(s)")
            } else {
                String::new()
            }
        ),
    ));
    let (class, outcome) = if data.converged {
        ("ok", "全部设备数据一致 all phones hold identical rows")
    } else {
        ("bad", "设备数据不一致 phones differ")
    };
    out.push_str(&format!(
        "<p>同步结果 convergence: <span class=\"{class}\">{}</span></p>\n</header>\n",
        escape(outcome)
    ));
    out.push_str("<nav><a href=\"#map\">地图 map</a><a href=\"#coverage\">覆盖率 coverage</a><a href=\"#visits\">走访 visits</a><a href=\"#events\">事件 events</a><a href=\"#traffic\">同步 sync</a><a href=\"#points\">积分 points</a></nav>\n<main>\n");
    out.push_str(&sections::map_section(&data.map));
    out.push_str(&sections::coverage_section(&data.coverage));
    out.push_str(&sections::visits_section(&data.visits));
    out.push_str(&sections::events_section(&data.events));
    out.push_str(&sections::traffic_section(&data.traffic));
    out.push_str(&sections::volunteer_points_section(
        data.volunteer_points.as_ref(),
    ));
    out.push_str(&section(
        "privacy",
        "个人信息 Personal data",
        &table(
            &["内容 what", "处理 how"],
            &[
                vec![
                    "居民姓名、电话、身份证号 residents' names, phones, ID numbers".into(),
                    "不出现 never shown".into(),
                ],
                vec![
                    "成员姓名 workers' names".into(),
                    "只显示姓氏 surname only (王*)".into(),
                ],
            ],
        ),
    ));
    out.push_str("</main>\n<footer>由 gridsim 生成 generated by gridsim · Gridbook</footer>\n</body>\n</html>\n");
    out
}

/// Where `gridsim` writes the report without `--report`: `gridsim/report.html`
/// in `CARGO_TARGET_DIR` when set, else in the cargo target directory the
/// running binary was built in (the parent of its `debug`/`release`
/// directory), else in the system's temporary directory. Never inside the
/// source tree.
pub fn default_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            let profile_dir = exe.parent()?;
            let name = profile_dir.file_name()?.to_str()?;
            matches!(name, "debug" | "release")
                .then(|| profile_dir.parent().map(Path::to_path_buf))?
        })
        .unwrap_or_else(std::env::temp_dir);
    target.join("gridsim").join("report.html")
}

/// Writes `html` to `path`, creating its directory.
pub fn write(path: &Path, html: &str) -> Result<(), SimError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, html)?;
    Ok(())
}
