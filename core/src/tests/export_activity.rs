//! Export of visits and events: their templates' columns and rows, free
//! text masked, the closing time of a closed event.

use super::events::{event_input, open_as, step};
use super::export_roster::{FULL_VALUES, xlsx_cells};
use super::*;

fn csv_lines(file: &ExportFile) -> Vec<String> {
    let text = String::from_utf8(file.bytes.clone()).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap();
    text.split_terminator("\r\n").map(str::to_string).collect()
}

#[test]
fn the_visits_template_gives_its_columns_and_rows() {
    let (_dir, store, f) = one_worker("w1");
    let input = VisitInput {
        outcome: VisitOutcome::Met,
        findings: vec![FindingInput {
            id: None,
            kind: FindingKind::Problem,
            text: "楼道堆物，住户电话13800138000".into(),
            resolution: Resolution::Open,
        }],
        ..visit_input(&f.household)
    };
    let day = input.at.local_date();
    store.log_visit(input).unwrap();
    let file = store
        .export(
            &f.grid,
            "visits",
            ExportFormat::Csv,
            ExportOptions::default(),
        )
        .unwrap();
    assert_eq!(file.rows, 1);
    assert_eq!(
        csv_lines(&file),
        [
            "走访日期,地址,走访人,类型,结果,发现问题".to_string(),
            format!("{day},3栋1单元502,w1 name,敲门扫楼,见面,楼道堆物，住户电话138****8000"),
        ]
    );
    let xlsx = store
        .export(
            &f.grid,
            "visits",
            ExportFormat::Xlsx,
            ExportOptions::default(),
        )
        .unwrap();
    let cells = xlsx_cells(&xlsx.bytes);
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[1][5].0, "楼道堆物，住户电话138****8000");
    for full in FULL_VALUES {
        assert!(cells.iter().flatten().all(|(t, _)| !t.contains(full)));
    }
}

#[test]
fn the_events_template_gives_its_columns_and_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_as(&dir, "w1", WorkerRole::GridHead);
    let f = fixture(&store);
    let dispute = store
        .report_event(event_input(&f.grid, "neighbour_dispute"))
        .unwrap();
    store
        .take_event_step(step(&dispute, StepAction::Accept, 1))
        .unwrap();
    store
        .take_event_step(step(&dispute, StepAction::SelfResolve, 2))
        .unwrap();
    let open = store
        .report_event(event_input(&f.grid, "fire_lane_blocked"))
        .unwrap();
    let file = store
        .export(
            &f.grid,
            "events",
            ExportFormat::Csv,
            ExportOptions::default(),
        )
        .unwrap();
    assert_eq!(file.rows, 2);
    let lines = csv_lines(&file);
    assert_eq!(lines[0], "事件编号,分类,等级,状态,上报时间,期限,办结时间");
    let rows: Vec<Vec<&str>> = lines[1..].iter().map(|l| l.split(',').collect()).collect();
    let by_id = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    let closed = by_id(&dispute);
    assert_eq!(closed[3], "已结案");
    assert_eq!(closed[1], "邻里纠纷");
    assert_eq!(closed[2], "常规哨");
    assert_eq!(closed[6].len(), "2025-06-02 14:30".len());
    let waiting = by_id(&open);
    assert_eq!((waiting[3], waiting[6]), ("待受理", ""));
    assert_eq!(waiting[4].len(), "2025-06-02 14:30".len());
}
