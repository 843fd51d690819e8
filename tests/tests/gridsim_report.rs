//! `gridsim`'s HTML report, in a real browser and against the roster.
//!
//! - A short month (`--days 4 --households 32 --workers 2`) writes the
//!   report; its map has as many building, event and checkpoint marks as
//!   the GeoJSON it was drawn from had features (gridsim's `--counts`),
//!   it is self-contained, names no worker in full, and Chromium headless
//!   opens it without a single console message and screenshots it (the PNG
//!   stays next to the report under the target directory).
//! - Console messages are read from Chromium's own log on stderr
//!   (`gridbook_harness::browser`: `--enable-logging=stderr --v=0` prints
//!   each as a `CONSOLE` line, the same way for `log`, `warn` and `error`;
//!   the report has no script, so any message fails). The self-test proves
//!   the check catches a `console.error` and an uncaught exception, and
//!   passes a clean page.
//! - A generated grid's report is checked against the store's roster: no
//!   resident's name, phone or ID number appears, and the map's building
//!   marks match the GeoJSON's building features.
//!
//! Chromium comes from `scripts/toolchain-chromium` (or `GRIDBOOK_CHROMIUM`);
//! without it the browser tests fail, saying so.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gridbook::{Store, WorkerIdentity, codes::WorkerRole};
use gridbook_harness::browser;
use gridbook_harness::generator::{self, GridSpec};
use gridbook_harness::sim::event_kpis::event_summary;
use gridbook_harness::sim::report::{self, ReportData, TrafficRow, collect};
use gridbook_harness::sim::{SyncTotals, default_team};

/// Where the artefacts stay: next to the test binaries in the target directory.
fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_gridsim"))
        .parent()
        .unwrap()
        .join("gridsim-report-test");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens `page` in Chromium headless, screenshots it to `png`, and returns
/// the console messages it logged; fails the test if Chromium is missing.
fn console_of(page: &Path, png: &Path) -> Vec<String> {
    let scratch = tempfile::tempdir().unwrap();
    browser::open_headless(page, png, (1000, 3200), scratch.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .console
}

/// A PNG of some substance: the signature and more than `min_kb` KB.
fn assert_png(path: &Path, min_kb: u64) {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    assert!(
        bytes.len() as u64 > min_kb * 1024,
        "{} has only {} bytes",
        path.display(),
        bytes.len()
    );
}

#[test]
fn the_console_check_catches_errors_and_exceptions_and_passes_a_clean_page() {
    let dir = tempfile::tempdir().unwrap();
    let page = |name: &str, body: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title></head><body><p>自检 self-test</p>{body}</body></html>"),
        )
        .unwrap();
        path
    };
    let png = dir.path().join("shot.png");
    let error = console_of(
        &page(
            "error.html",
            "<script>console.error(\"x-error-marker\")</script>",
        ),
        &png,
    );
    assert!(
        error.iter().any(|l| l.contains("x-error-marker")),
        "console.error was not caught: {error:?}"
    );
    let thrown = console_of(
        &page(
            "throw.html",
            "<script>throw new Error(\"x-thrown-marker\")</script>",
        ),
        &png,
    );
    assert!(
        thrown.iter().any(|l| l.contains("x-thrown-marker")),
        "an uncaught exception was not caught: {thrown:?}"
    );
    let clean = console_of(&page("clean.html", ""), &png);
    assert!(clean.is_empty(), "a clean page logged {clean:?}");
    assert_png(&png, 1);
}

#[test]
fn a_short_month_s_report_opens_in_chromium_without_console_messages() {
    let dir = artefacts();
    let html_path = dir.join("report.html");
    let counts_path = dir.join("counts.json");
    let _ = std::fs::remove_file(&html_path);
    let output = Command::new(env!("CARGO_BIN_EXE_gridsim"))
        .args(["--days", "4", "--households", "32", "--workers", "2"])
        .arg("--report")
        .arg(&html_path)
        .arg("--counts")
        .arg(&counts_path)
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "gridsim failed:\n{stdout}");
    assert!(
        stdout.contains(&html_path.display().to_string()),
        "{stdout}"
    );
    let counts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&counts_path).unwrap()).unwrap();
    let html = std::fs::read_to_string(&html_path).unwrap();
    let marks = |class: &str| html.matches(&format!("class=\"{class}\"")).count() as u64;

    // The map has a mark per GeoJSON feature; the line a point per day.
    let buildings = counts["report_buildings"].as_u64().unwrap();
    assert!(buildings >= 2, "{counts}");
    assert_eq!(marks("building-mark"), buildings);
    assert_eq!(
        marks("event-pin"),
        counts["report_events"].as_u64().unwrap()
    );
    assert_eq!(
        marks("checkpoint-mark"),
        counts["report_checkpoints"].as_u64().unwrap()
    );
    assert_eq!(marks("point"), 4);
    assert_eq!(marks("grid-boundary"), 1);

    // Self-contained, labelled, masked.
    assert!(html.starts_with("<!DOCTYPE html>"));
    for needle in [
        "<html lang=\"zh-CN\">",
        "<meta charset=\"utf-8\">",
        "<title>",
    ] {
        assert!(html.contains(needle), "no {needle}");
    }
    for absent in ["<script", "<link", "src=", "url(", "https://", "@import"] {
        assert!(!html.contains(absent), "the report holds {absent}");
    }
    let without_xmlns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_xmlns.contains("http://"), "an external reference");
    for member in default_team(2) {
        assert!(!html.contains(&member.name), "a worker's full name");
    }
    assert!(html.contains("王*"));
    // The board: the grid's volunteers (from its generated history); the
    // two workers, the grid head and an assistant, are staff and never on it.
    assert!(html.contains("志愿积分榜 Volunteer points board"));
    assert!(html.contains("志愿者才有积分"));

    let png = dir.join("report.png");
    let _ = std::fs::remove_file(&png);
    let console = console_of(&html_path, &png);
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert_png(&png, 30);
    println!(
        "report: {}\nscreenshot: {}",
        html_path.display(),
        png.display()
    );
}

#[test]
fn a_generated_grid_s_report_names_no_resident_and_maps_every_building() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path().join("head.db"),
        WorkerIdentity {
            worker_id: "w-head".into(),
            name: "王芳".into(),
            role: WorkerRole::GridHead,
            device_label: "网格长的手机".into(),
        },
    )
    .unwrap();
    let spec = GridSpec {
        households: 48,
        buildings: 6,
        ..GridSpec::small()
    };
    let grid = generator::generate(&store, &spec).unwrap();
    let last = store.today().add_days(-1);
    let first = last.add_days(-2);
    let (geojson, map) = collect::map_on(&store, &grid.grid_id, last).unwrap();
    let coverage = (0..3)
        .map(|d| collect::coverage_on(&store, &grid.grid_id, first.add_days(d)).unwrap())
        .collect();
    let data = ReportData {
        grid_name: "测试网格".into(),
        seed: spec.seed,
        days: (first, last),
        counts: (6, 48, 0),
        converged: true,
        map,
        coverage,
        visits: collect::visits_per_building(&store, &grid.grid_id, first).unwrap(),
        events: event_summary(&store, &grid.grid_id, first, last, &[]).unwrap(),
        traffic: default_team(8)
            .into_iter()
            .map(|m| TrafficRow {
                role: m.role,
                name: m.name,
                setup: SyncTotals::default(),
                days: SyncTotals::default(),
                closing: SyncTotals::default(),
            })
            .collect(),
        volunteer_points: None,
    };
    let html = report::render(&data);

    // The roster's personal data, read here from the store, is nowhere on the page.
    let (mut personal, mut names, mut phones) = (Vec::new(), Vec::new(), Vec::new());
    for r in collect::roster_personal_data(&store, &grid.grid_id).unwrap() {
        names.push(r.name.clone());
        phones.extend(r.phones.iter().cloned());
        personal.push(r.name);
        personal.extend(r.phones);
        personal.extend(r.id_number);
    }
    assert!(
        personal.iter().any(|p| p.len() == 18 && !p.contains('*')),
        "the roster is read unmasked"
    );
    assert!(personal.len() > 48, "{} values", personal.len());
    for value in &personal {
        assert!(
            !html.contains(value.as_str()),
            "the report shows a resident's data"
        );
    }
    assert!(
        collect::personal_data_in(&html, &store, &grid.grid_id)
            .unwrap()
            .is_empty()
    );
    // The check gridsim runs finds a name or a phone put on the page, and says so masked.
    for value in [&names[0], &phones[0]] {
        let leaky = format!("{html}<p>{value}</p>");
        let found = collect::personal_data_in(&leaky, &store, &grid.grid_id).unwrap();
        assert!(!found.is_empty(), "a resident's data was not found");
        assert!(
            found.iter().all(|f| !f.contains(value.as_str())),
            "unmasked"
        );
    }
    for member in default_team(8) {
        assert!(!html.contains(&member.name), "a worker's full name");
    }

    // One mark per building feature of the GeoJSON.
    let features: serde_json::Value = serde_json::from_str(&geojson).unwrap();
    let buildings = features["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["kind"] == "building")
        .count();
    assert_eq!(buildings, 6);
    assert_eq!(html.matches("class=\"building-mark\"").count(), buildings);
}
