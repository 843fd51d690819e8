//! `gridbench`: builds the five-year grid in a scratch directory and measures
//! what a grid worker's phone feels: opening the store, logging a visit,
//! reading the roster, searching, and the size of the file, each next to a
//! plain-SQLite baseline where one makes sense.
//!
//! Then the same store syncs through a real sync server on loopback (the
//! embedded `gridbook-server` over HTTP on 127.0.0.1): idle sync, a day of
//! work from one phone to another, and a new phone's bootstrap from
//! compacted snapshots, each next to Automerge's own sync protocol over the
//! same documents (`gridbook_harness::sim::syncbench`).
//!
//! The roster exported to XLSX and CSV (`gridbook_harness::exportbench`).
//!
//! Last, the write path with 0, 1 and 8 change listeners registered
//! (`gridbook_harness::sim::listenbench`), and grid events in a store of
//! their own: a report with a ~300 KB photo, a step, the open list of 2,000
//! events and the store's size with 200 photos
//! (`gridbook_harness::eventbench`). Then the upload of 40 such photos
//! through a sync, next to plain HTTP POSTs of the same bytes to the same
//! server (`gridbook_harness::sim::photobench`).
//!
//! `gridbench --hostile` measures only the CPU time of the worst requests a
//! device token can send (`gridbook_harness::sim::hostile`).
//!
//! `gridbench --photos` measures only the photo upload
//! (`gridbook_harness::sim::photobench`).
//!
//! The roster import of 10,000 residents from XLSX and GBK CSV, and the
//! sync cost of the imported grid next to the same grid built by single
//! API calls (`gridbook_harness::importbench`), runs last in a full run;
//! `gridbench --import` measures only that.
//!
//! `gridbench --json` prints one JSON object; without it, a table. To add a
//! measurement, time exactly what its key names, add the key to [`Report`]
//! and to both printouts, and describe its method in a comment there.

// The JSON report has more keys than serde_json's macro expands by default.
#![recursion_limit = "256"]

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use gridbook::codes::{CodeList, VisitKind, VisitOutcome, WorkerRole};
use gridbook::spatial::CoordSystem;
use gridbook::{
    CoveragePeriod, FindingInput, GeoPoint, GpsFix, Store, Timestamp, VisitInput, VisitPolicy,
    WorkerIdentity,
};
use gridbook_harness::eventbench::{self, EventBench, OPEN_EVENTS, PHOTO_EVENTS};
use gridbook_harness::exportbench::{self, ExportBench};
use gridbook_harness::generator::{self, GeneratedGrid, GridSpec};
use gridbook_harness::importbench::{self, ImportBench};
use gridbook_harness::openbench::{self, OpenTimes};
use gridbook_harness::pointsbench::{self, PointsBench};
use gridbook_harness::rng::SplitMix64;
use gridbook_harness::scratch::{ScratchDir, sqlite_file_bytes};
use gridbook_harness::sim::listenbench::{self, LISTENER_COUNTS, ListenBench};
use gridbook_harness::sim::photobench::{self, PhotoBench, UPLOAD_PHOTOS};
use gridbook_harness::sim::syncbench::{self, DAY_EDITS, SyncBench};
use gridbook_harness::stats::{median, micros, millis, percentile};
use gridbook_harness::timefmt::now_ms;
use rusqlite::{Connection, params};
use serde_json::json;

/// Visits logged one by one for the write-latency measurement.
const VISIT_WRITES: usize = 2000;
/// Visits logged for the listener measurement, split between the listener counts.
const LISTENER_WRITES: usize = 1500;
/// Repetitions of each query measurement.
const QUERY_RUNS: usize = 9;
/// How many due households the walking route is measured with, at least.
const ROUTE_DUE: usize = 60;

type BoxError = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    let json = std::env::args().skip(1).any(|a| a == "--json");
    if std::env::args().skip(1).any(|a| a == "--hostile") {
        return hostile(json);
    }
    if std::env::args().skip(1).any(|a| a == "--photos") {
        return photos_only(json);
    }
    if std::env::args().skip(1).any(|a| a == "--import") {
        return import_only(json);
    }
    match run() {
        Ok(report) => {
            if json {
                println!("{}", report.to_json());
            } else {
                report.print_table();
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gridbench failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `gridbench --hostile [--json]`: only the CPU time of the worst requests a
/// device token can send (`gridbook_harness::sim::hostile`).
fn hostile(json: bool) -> ExitCode {
    let costs = match gridbook_harness::sim::hostile::run() {
        Ok(costs) => costs,
        Err(e) => {
            eprintln!("gridbench --hostile failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    if json {
        let rows: Vec<_> = costs
            .iter()
            .map(|c| {
                json!({"shape": c.shape, "body_bytes": c.body_bytes, "status": c.status,
                       "expected": c.expected, "cpu_ms": round(c.cpu_ms, 1), "wall_ms": round(c.wall_ms, 1)})
            })
            .collect();
        println!("{}", json!({ "hostile": rows }));
    } else {
        println!(
            "{:>9} {:>9} {:>6} {:>9}  shape",
            "cpu ms", "wall ms", "status", "body"
        );
        for c in &costs {
            println!(
                "{:>9.1} {:>9.1} {:>6} {:>9}  {}",
                c.cpu_ms,
                c.wall_ms,
                c.status,
                mib(c.body_bytes as u64),
                c.shape
            );
        }
    }
    if costs.iter().all(|c| c.status == c.expected) {
        ExitCode::SUCCESS
    } else {
        eprintln!("gridbench --hostile: a request was not answered as expected");
        ExitCode::FAILURE
    }
}

/// `gridbench --photos [--json]`: only the photo upload against plain HTTP
/// (`gridbook_harness::sim::photobench`), without building the grid.
fn photos_only(json: bool) -> ExitCode {
    let measured = ScratchDir::new("gridbench-photos")
        .map_err(|e| e.to_string())
        .and_then(|dir| photobench::measure(dir.path(), UPLOAD_PHOTOS).map_err(|e| e.to_string()));
    let bench = match measured {
        Ok(bench) => bench,
        Err(e) => {
            eprintln!("gridbench --photos failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    if json {
        println!(
            "{}",
            json!({
                "photo_upload_photos": bench.photos,
                "photo_upload_bytes": bench.bytes,
                "photo_upload_mb_s": round(bench.upload_mb_s(), 2),
                "photo_http_mb_s": round(bench.http_mb_s(), 2),
                "photo_upload_ratio_vs_http": round(bench.ratio_vs_http(), 3),
            })
        );
    } else {
        println!(
            "photo upload ({} photos, {}): {:.1} MB/s; plain HTTP POST {:.1} MB/s; ratio {:.2}×",
            bench.photos,
            mib(bench.bytes),
            bench.upload_mb_s(),
            bench.http_mb_s(),
            bench.ratio_vs_http()
        );
    }
    ExitCode::SUCCESS
}

/// `gridbench --import [--json]`: only the roster import and the sync cost
/// of the imported grid (`gridbook_harness::importbench`), without building
/// the five-year grid.
fn import_only(json: bool) -> ExitCode {
    match importbench::measure() {
        Ok(bench) => {
            if json {
                println!("{}", serde_json::Value::Object(import_json(&bench)));
            } else {
                for (label, value) in import_rows(&bench) {
                    println!("  {label:<36} {value:>18}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gridbench --import failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The import's JSON keys. import_rows_per_s_*: rows of the file over the
/// wall time of `Store::import_roster` (read, match, check, one write) into
/// an empty grid; import_dry_run_rows_per_s: the same for the dry run of
/// the GBK CSV; import_baseline_sqlite_rows_per_s: the same GBK bytes
/// decoded, split and inserted into plain tables in one transaction. The
/// sync keys: bytes (request plus response bodies) and round trips of the
/// push to a loopback server, of a second phone's pull of the change log
/// and of a third phone's bootstrap after the server compacted the grid,
/// for the imported grid (`import_sync_*`) and the grid built by one API
/// call per record (`api_built_sync_*`).
fn import_json(b: &ImportBench) -> serde_json::Map<String, serde_json::Value> {
    let mut keys = serde_json::Map::new();
    let mut put = |key: &str, value: serde_json::Value| {
        keys.insert(key.to_string(), value);
    };
    put("import_rows", json!(b.rows));
    put("import_households", json!(b.households));
    put("import_buildings", json!(b.buildings));
    put("import_xlsx_bytes", json!(b.xlsx_bytes));
    put("import_gbk_csv_bytes", json!(b.csv_bytes));
    put("import_rows_per_s_xlsx", json!(round(b.xlsx_rows_per_s, 0)));
    put(
        "import_rows_per_s_gbk_csv",
        json!(round(b.gbk_csv_rows_per_s, 0)),
    );
    put(
        "import_dry_run_rows_per_s",
        json!(round(b.dry_run_rows_per_s, 0)),
    );
    put(
        "import_baseline_sqlite_rows_per_s",
        json!(round(b.baseline_rows_per_s, 0)),
    );
    put("api_built_build_s", json!(round(b.api_build_s, 2)));
    for (prefix, cost) in [
        ("import_sync", &b.imported),
        ("api_built_sync", &b.api_built),
    ] {
        put(&format!("{prefix}_changes"), json!(cost.changes));
        put(&format!("{prefix}_push_bytes"), json!(cost.push_bytes));
        put(
            &format!("{prefix}_push_round_trips"),
            json!(cost.push_round_trips),
        );
        put(&format!("{prefix}_pull_bytes"), json!(cost.pull_bytes));
        put(
            &format!("{prefix}_pull_round_trips"),
            json!(cost.pull_round_trips),
        );
        put(
            &format!("{prefix}_bootstrap_bytes"),
            json!(cost.bootstrap_bytes),
        );
        put(
            &format!("{prefix}_bootstrap_round_trips"),
            json!(cost.bootstrap_round_trips),
        );
    }
    keys
}

/// The import's table rows.
fn import_rows(b: &ImportBench) -> Vec<(String, String)> {
    let mut rows = vec![
        (
            format!("import {} rows, XLSX", b.rows),
            format!("{:.0} rows/s", b.xlsx_rows_per_s),
        ),
        (
            format!("import {} rows, GBK CSV", b.rows),
            format!("{:.0} rows/s", b.gbk_csv_rows_per_s),
        ),
        (
            "  dry run, GBK CSV".to_string(),
            format!("{:.0} rows/s", b.dry_run_rows_per_s),
        ),
        (
            "  plain SQLite insert, same CSV".to_string(),
            format!("{:.0} rows/s", b.baseline_rows_per_s),
        ),
        (
            "same grid by single API calls".to_string(),
            format!("{:.1} s", b.api_build_s),
        ),
    ];
    for (label, cost) in [("imported", &b.imported), ("API-built", &b.api_built)] {
        rows.push((
            format!("{label}: push ({} changes)", cost.changes),
            format!(
                "{}, {} round trips",
                mib(cost.push_bytes),
                cost.push_round_trips
            ),
        ));
        rows.push((
            format!("{label}: pull of the log"),
            format!(
                "{}, {} round trips",
                mib(cost.pull_bytes),
                cost.pull_round_trips
            ),
        ));
        rows.push((
            format!("{label}: bootstrap, compacted"),
            format!(
                "{}, {} round trips",
                mib(cost.bootstrap_bytes),
                cost.bootstrap_round_trips
            ),
        ));
    }
    rows
}

/// Every measurement of one run.
struct Report {
    households: u32,
    residents: u32,
    visits: u32,
    checkins: u32,
    shifts: u32,
    api_writes: u32,
    build_s: f64,
    open_ms: f64,
    open_times: OpenTimes,
    visit_write_us_p50: f64,
    visit_write_us_p99: f64,
    baseline_insert_us_p50: f64,
    baseline_insert_us_p99: f64,
    roster_query_ms: f64,
    roster_rows: usize,
    search_ms: f64,
    pinyin_search_ms: f64,
    geojson_ms: f64,
    geojson_bytes: usize,
    route_ms: f64,
    route_households: i32,
    route_buildings: usize,
    points: PointsBench,
    report_ms: f64,
    export: ExportBench,
    db_bytes: u64,
    baseline_db_bytes: u64,
    compact_ms: f64,
    compacted_db_bytes: u64,
    synced_db_bytes: u64,
    sync: SyncBench,
    listen: ListenBench,
    events: EventBench,
    photos: PhotoBench,
    import: ImportBench,
}

fn identity() -> WorkerIdentity {
    WorkerIdentity {
        worker_id: "w-bench".into(),
        name: "基准测试员".into(),
        role: WorkerRole::GridHead,
        device_label: "基准测试机".into(),
    }
}

/// `--keep PATH`: also copy the generated store to PATH, for inspection.
fn keep_path() -> Option<std::path::PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--keep")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from)
}

fn run() -> Result<Report, BoxError> {
    let scratch = ScratchDir::new("gridbench")?;
    let db_path = scratch.join("grid.db");
    let spec = GridSpec::five_year_grid();

    // build_s: generating the whole grid, one API call per edit.
    let build_start = Instant::now();
    let store = Store::open(&db_path, identity())?;
    let grid = generator::generate(&store, &spec)?;
    let build_s = build_start.elapsed().as_secs_f64();
    drop(store);

    // open_ms: a fresh open of the existing file (the OS page cache is warm:
    // this is an app start, not a cold boot) until the roster is in hand.
    let open_start = Instant::now();
    let store = Store::open(&db_path, identity())?;
    let first_rows = store.roster(&grid.grid_id)?;
    let open_ms = millis(open_start.elapsed());
    if first_rows.is_empty() {
        return Err("the generated roster is empty".into());
    }

    // open_plain_ms / open_raw_key_ms / open_passphrase_ms: medians of
    // Store::open_with on a small store of each kind of key (openbench).
    let open_times = openbench::measure(scratch.path(), &identity())?;

    // visit_write_us_*: N visits logged through Store::log_visit, each its
    // own committed SQLite transaction, timed call by call.
    let inputs = bench_visits(&grid, &store, VISIT_WRITES)?;
    let mut store_samples = Vec::with_capacity(inputs.len());
    let mut logged = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let start = Instant::now();
        let id = store.log_visit(input.clone())?;
        store_samples.push(micros(start.elapsed()));
        logged.push(id);
    }

    // roster_query_ms / search_ms: medians of repeated calls.
    let mut roster_samples = Vec::new();
    let mut roster_rows = 0;
    for _ in 0..QUERY_RUNS {
        let start = Instant::now();
        roster_rows = store.roster(&grid.grid_id)?.len();
        roster_samples.push(millis(start.elapsed()));
    }
    let queries = search_queries(&store, &grid)?;
    let mut search_samples = Vec::new();
    for _ in 0..QUERY_RUNS.div_ceil(queries.len().max(1)) {
        for query in &queries {
            let start = Instant::now();
            let hits = store.search(&grid.grid_id, query, 50)?;
            search_samples.push(millis(start.elapsed()));
            if hits.is_empty() {
                return Err("a benchmark search found nothing".into());
            }
        }
    }
    // pinyin_search_ms: names typed as pinyin, full and initials, median.
    let mut pinyin_samples = Vec::new();
    for _ in 0..QUERY_RUNS {
        for query in ["zhang", "wxy", "lim", "zs"] {
            let start = Instant::now();
            store.search(&grid.grid_id, query, 50)?;
            pinyin_samples.push(millis(start.elapsed()));
        }
    }
    // geojson_ms / route_ms: the grid's map (in GCJ-02, as Amap draws it)
    // and a walking route from its first building, medians. The generated
    // grid is visited up to today, so the route is taken on the first day
    // ahead when at least ROUTE_DUE households are due.
    let today = store.today();
    let policy = VisitPolicy::default();
    let mut route_day = today;
    for ahead in 0..=92 {
        route_day = today.add_days(ahead);
        if store.visits_due(&grid.grid_id, route_day, &policy)?.len() >= ROUTE_DUE {
            break;
        }
    }
    let now = Timestamp {
        utc_ms: now_ms(),
        offset_minutes: 480,
    };
    let start_at = store
        .buildings(&grid.grid_id)?
        .first()
        .and_then(|b| b.location);
    let (mut geojson_samples, mut route_samples) = (Vec::new(), Vec::new());
    let (mut geojson_bytes, mut route_households, mut route_buildings) = (0, 0, 0);
    for _ in 0..QUERY_RUNS {
        let start = Instant::now();
        geojson_bytes = store
            .grid_map(&grid.grid_id, today, &policy, now, CoordSystem::Gcj02)?
            .len();
        geojson_samples.push(millis(start.elapsed()));
        let start = Instant::now();
        let route = store.walking_route(&grid.grid_id, route_day, &policy, start_at)?;
        route_samples.push(millis(start.elapsed()));
        route_households = route.households;
        route_buildings = route.buildings.len();
    }
    // points_balance_ms / points_board_ms: the volunteers' ledger, with a
    // plain SQL sum as the baseline (pointsbench).
    let points = pointsbench::measure(&store, &db_path, &grid.grid_id, today)
        .map_err(|e| format!("points measurements: {e}"))?;
    // report_ms: the grid report of a weekly meeting, median: the grid
    // summary, visit coverage for the week, month and quarter containing
    // today, and patrol coverage for today's month.
    let (month_from, month_to) = CoveragePeriod::Month.bounds(today);
    let mut report_samples = Vec::new();
    for _ in 0..QUERY_RUNS {
        let start = Instant::now();
        store.grid_summary(&grid.grid_id, today)?;
        for period in [
            CoveragePeriod::Week,
            CoveragePeriod::Month,
            CoveragePeriod::Quarter,
        ] {
            store.visit_coverage(&grid.grid_id, today, period)?;
        }
        store.patrol_coverage(&grid.grid_id, month_from, month_to)?;
        report_samples.push(millis(start.elapsed()));
    }
    // export_xlsx_ms / export_csv_ms: the roster template to XLSX and to
    // CSV, medians, with the bytes (exportbench).
    let export = exportbench::measure(&store, &grid.grid_id)
        .map_err(|e| format!("export measurements: {e}"))?;
    drop(store);
    if let Some(keep) = keep_path() {
        std::fs::copy(&db_path, &keep)?;
    }

    // baseline_insert_us_*: the same visit rows into a plain table, no CRDT.
    let baseline_path = scratch.join("baseline-insert.db");
    let baseline_samples = baseline_inserts(&baseline_path, &grid, &inputs, &logged)?;

    // db_bytes: the store file plus its WAL after a TRUNCATE checkpoint.
    checkpoint(&db_path)?;
    let db_bytes = sqlite_file_bytes(&db_path);

    // baseline_db_bytes: the same rows without CRDT history.
    let baseline_db_bytes = plain_copy_bytes(&db_path, &scratch.join("baseline-copy.db"))?;

    // compact_*: Store::compact (every document to one snapshot), then a
    // checkpoint and VACUUM so the freed pages leave the file.
    let store = Store::open(&db_path, identity())?;
    let start = Instant::now();
    store.compact()?;
    let compact_ms = millis(start.elapsed());
    drop(store);
    checkpoint(&db_path)?;
    Connection::open(&db_path)?.execute_batch("VACUUM")?;
    checkpoint(&db_path)?;
    let compacted_db_bytes = sqlite_file_bytes(&db_path);

    // sync_*, bootstrap_*, automerge_*: see gridbook_harness::sim::syncbench.
    let sync = syncbench::measure(&db_path, &identity().worker_id, &grid, &scratch)
        .map_err(|e| format!("sync measurements: {e}"))?;

    // synced_db_bytes: the same store once the server has acknowledged every
    // change (its outbox is empty, as on a phone that syncs), compacted and
    // VACUUMed. db_bytes and compacted_db_bytes above are of a store that
    // never synced, whose outbox still holds all of its changes.
    let store = Store::open(&db_path, identity())?;
    if store.sync_status()?.unsent_changes > 0 {
        return Err("the upload left changes unacknowledged".into());
    }
    store.compact()?;
    drop(store);
    checkpoint(&db_path)?;
    Connection::open(&db_path)?.execute_batch("VACUUM")?;
    checkpoint(&db_path)?;
    let synced_db_bytes = sqlite_file_bytes(&db_path);

    // visit_write_*_listener*: see gridbook_harness::sim::listenbench; last,
    // so that its visits change no other measurement.
    let store = Store::open(&db_path, identity())?;
    let inputs = bench_visits(&grid, &store, LISTENER_WRITES)?;
    let listen = listenbench::measure(&store, &grid, &inputs)
        .map_err(|e| format!("listener measurements: {e}"))?;
    drop(store);

    // event_*, events_open_list_ms, store_bytes_with_200_photos: see
    // gridbook_harness::eventbench; a store of their own, so nothing above
    // changes.
    let events = eventbench::measure(&scratch.join("events.db"), &identity())
        .map_err(|e| format!("event measurements: {e}"))?;

    // photo_upload_*, photo_http_mb_s: see gridbook_harness::sim::photobench;
    // a phone store and a server of their own.
    let photo_dir = scratch.join("photo-upload");
    std::fs::create_dir_all(&photo_dir)?;
    let photos = photobench::measure(&photo_dir, UPLOAD_PHOTOS)
        .map_err(|e| format!("photo upload measurements: {e}"))?;

    // import_*, api_built_*: see import_json and gridbook_harness::importbench;
    // stores and servers of their own.
    let import = importbench::measure().map_err(|e| format!("import measurements: {e}"))?;

    let visit_write_us_p50 = percentile(&store_samples, 50.0);
    Ok(Report {
        households: grid.counts.households,
        residents: grid.counts.residents,
        visits: grid.counts.visits,
        checkins: grid.counts.checkins,
        shifts: grid.counts.shifts,
        api_writes: grid.counts.api_writes,
        build_s,
        open_ms,
        open_times,
        visit_write_us_p50,
        visit_write_us_p99: percentile(&store_samples, 99.0),
        baseline_insert_us_p50: percentile(&baseline_samples, 50.0),
        baseline_insert_us_p99: percentile(&baseline_samples, 99.0),
        roster_query_ms: median(&roster_samples),
        roster_rows,
        search_ms: median(&search_samples),
        pinyin_search_ms: median(&pinyin_samples),
        geojson_ms: median(&geojson_samples),
        geojson_bytes,
        route_ms: median(&route_samples),
        route_households,
        route_buildings,
        points,
        report_ms: median(&report_samples),
        export,
        db_bytes,
        baseline_db_bytes,
        compact_ms,
        compacted_db_bytes,
        synced_db_bytes,
        sync,
        listen,
        events,
        photos,
        import,
    })
}

/// Visits as a worker logs them today: recent times, a household of the
/// grid, its residents seen, sometimes a finding and a GPS fix.
fn bench_visits(
    grid: &GeneratedGrid,
    store: &Store,
    n: usize,
) -> Result<Vec<VisitInput>, BoxError> {
    let mut rng = SplitMix64::new(0x00be_11c4);
    let now = now_ms();
    let mut inputs = Vec::with_capacity(n);
    for i in 0..n {
        let household_id = grid
            .household_ids
            .get(i % grid.household_ids.len().max(1))
            .cloned()
            .ok_or("no households")?;
        let members = store.household(&household_id)?.members;
        let seen: Vec<String> = members.iter().take(1).map(|m| m.id.clone()).collect();
        // Within the last 30 days, oldest first, a minute apart at most.
        let age_ms = i64::try_from(n - i).unwrap_or(0) * 60_000 + 5 * 60_000;
        let findings = if rng.chance(0.2) {
            vec![FindingInput {
                id: None,
                kind: gridbook::codes::FindingKind::Request,
                text: "反映电梯经常故障".into(),
                resolution: gridbook::codes::Resolution::Escalated,
            }]
        } else {
            Vec::new()
        };
        inputs.push(VisitInput {
            household_id,
            at: Timestamp {
                utc_ms: now - age_ms,
                offset_minutes: 480,
            },
            kind: VisitKind::Routine,
            outcome: VisitOutcome::Met,
            residents_seen: seen,
            notes: Some("已核对家庭成员信息".into()),
            findings,
            gps: Some(GpsFix {
                point: GeoPoint {
                    lon: 120.1 + (rng.unit() - 0.5) * 0.004,
                    lat: 30.2 + (rng.unit() - 0.5) * 0.004,
                },
                accuracy_m: 5.0 + rng.unit() * 20.0,
            }),
        });
    }
    Ok(inputs)
}

/// A name fragment, a 4-digit phone suffix and a building address, taken
/// from the generated data so that each finds something.
fn search_queries(store: &Store, grid: &GeneratedGrid) -> Result<Vec<String>, BoxError> {
    let mut fragment = None;
    let mut suffix = None;
    for id in &grid.resident_ids {
        let r = store.resident(id)?;
        if fragment.is_none() {
            fragment = r.name.chars().nth(1).map(String::from);
        }
        if suffix.is_none() {
            suffix = r
                .phones
                .iter()
                .find(|p| p.len() == 11)
                .map(|p| p.chars().skip(7).collect::<String>());
        }
        if fragment.is_some() && suffix.is_some() {
            break;
        }
    }
    let mut queries: Vec<String> = fragment.into_iter().chain(suffix).collect();
    queries.push("12栋".into());
    Ok(queries)
}

/// The baseline: one plain table shaped like the store's `visits` query
/// table (same columns, same household index), in WAL mode with
/// synchronous=NORMAL like the store, one transaction per insert.
fn baseline_inserts(
    path: &Path,
    grid: &GeneratedGrid,
    inputs: &[VisitInput],
    ids: &[String],
) -> Result<Vec<f64>, BoxError> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(
        "CREATE TABLE visits (
            id           TEXT PRIMARY KEY,
            doc_id       TEXT NOT NULL,
            grid_id      TEXT NOT NULL,
            household_id TEXT,
            worker_id    TEXT,
            at_ms        INTEGER,
            offset_min   INTEGER,
            local_date   TEXT,
            kind         TEXT,
            outcome      TEXT,
            notes        TEXT,
            lon          REAL,
            lat          REAL,
            accuracy_m   REAL
        ) STRICT;
        CREATE INDEX visits_by_household ON visits(household_id, at_ms);",
    )?;
    let worker = identity().worker_id;
    let mut samples = Vec::with_capacity(inputs.len());
    for (input, id) in inputs.iter().zip(ids) {
        let date = input.at.local_date();
        let doc_id = format!("visits/{}/{}Q{}", grid.grid_id, date.year(), date.quarter());
        let start = Instant::now();
        conn.execute_batch("BEGIN IMMEDIATE")?;
        conn.prepare_cached(
            "INSERT INTO visits VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            id,
            doc_id,
            grid.grid_id,
            input.household_id,
            worker,
            input.at.utc_ms,
            input.at.offset_minutes,
            date.to_string(),
            input.kind.code(),
            input.outcome.code(),
            input.notes,
            input.gps.map(|g| g.point.lon),
            input.gps.map(|g| g.point.lat),
            input.gps.map(|g| g.accuracy_m),
        ])?;
        conn.execute_batch("COMMIT")?;
        samples.push(micros(start.elapsed()));
    }
    Ok(samples)
}

/// Moves the WAL into the main file and truncates it.
fn checkpoint(db: &Path) -> Result<(), BoxError> {
    let conn = Connection::open(db)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// The size of a plain SQLite database holding the same rows as the store's
/// query tables (roster, visits, findings, patrols, check-ins…) with their
/// indexes, but no CRDT history: every table except `chunks`, `docs`, `meta`
/// and `conflicts` is copied with CREATE TABLE AS SELECT, its indexes are
/// recreated, and the file is VACUUMed.
fn plain_copy_bytes(store_db: &Path, copy: &Path) -> Result<u64, BoxError> {
    let conn = Connection::open(copy)?;
    let source = store_db.to_str().ok_or("the store path is not UTF-8")?;
    conn.execute("ATTACH DATABASE ?1 AS src", [source])?;
    // The CRDT layer and sync state: what the baseline does without.
    let skip = [
        "chunks",
        "docs",
        "meta",
        "conflicts",
        "outbox",
        "sync_cursors",
    ];
    let objects: Vec<(String, String, String, Option<String>)> = conn
        .prepare(
            "SELECT type, name, tbl_name, sql FROM src.sqlite_master
             WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'
             ORDER BY type = 'index', name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (kind, name, table, sql) in objects {
        if skip.contains(&table.as_str()) {
            continue;
        }
        if kind == "table" {
            conn.execute_batch(&format!(
                "CREATE TABLE main.\"{name}\" AS SELECT * FROM src.\"{name}\""
            ))?;
        } else if let Some(sql) = sql {
            conn.execute_batch(&sql)?;
        }
    }
    conn.execute_batch("DETACH DATABASE src; VACUUM;")?;
    drop(conn);
    Ok(sqlite_file_bytes(copy))
}

impl Report {
    fn write_ratio(&self) -> f64 {
        if self.baseline_insert_us_p50 > 0.0 {
            self.visit_write_us_p50 / self.baseline_insert_us_p50
        } else {
            0.0
        }
    }

    fn to_json(&self) -> serde_json::Value {
        let mut report = json!({
            "households": self.households,
            "residents": self.residents,
            "visits": self.visits,
            "checkins": self.checkins,
            "shifts": self.shifts,
            "api_writes": self.api_writes,
            "build_s": round(self.build_s, 2),
            "open_ms": round(self.open_ms, 2),
            "open_plain_ms": round(self.open_times.plain_ms, 2),
            "open_raw_key_ms": round(self.open_times.raw_key_ms, 2),
            "open_passphrase_ms": round(self.open_times.passphrase_ms, 2),
            "visit_writes": VISIT_WRITES,
            "visit_write_us_p50": round(self.visit_write_us_p50, 1),
            "visit_write_us_p99": round(self.visit_write_us_p99, 1),
            "baseline_insert_us_p50": round(self.baseline_insert_us_p50, 1),
            "baseline_insert_us_p99": round(self.baseline_insert_us_p99, 1),
            "write_ratio_vs_sqlite": round(self.write_ratio(), 2),
            "roster_query_ms": round(self.roster_query_ms, 3),
            "roster_rows": self.roster_rows,
            "search_ms": round(self.search_ms, 3),
            "pinyin_search_ms": round(self.pinyin_search_ms, 3),
            "geojson_ms": round(self.geojson_ms, 3),
            "geojson_bytes": self.geojson_bytes,
            "route_ms": round(self.route_ms, 3),
            "route_households": self.route_households,
            "route_buildings": self.route_buildings,
            "points_balance_ms": round(self.points.balance_ms, 3),
            "points_balance_baseline_ms": round(self.points.baseline_ms, 3),
            "points_ledger_lines": self.points.ledger_lines,
            "points_board_ms": round(self.points.board_ms, 3),
            "points_volunteers": self.points.volunteers,
            "report_ms": round(self.report_ms, 3),
            "export_xlsx_ms": round(self.export.xlsx_ms, 3),
            "export_xlsx_bytes": self.export.xlsx_bytes,
            "export_csv_ms": round(self.export.csv_ms, 3),
            "export_csv_bytes": self.export.csv_bytes,
            "export_rows": self.export.rows,
            "db_bytes": self.db_bytes,
            "baseline_db_bytes": self.baseline_db_bytes,
            "size_ratio_vs_sqlite": round(ratio(self.db_bytes, self.baseline_db_bytes), 2),
            "compact_ms": round(self.compact_ms, 1),
            "compacted_db_bytes": self.compacted_db_bytes,
            "synced_db_bytes": self.synced_db_bytes,
            "synced_size_ratio_vs_sqlite": round(ratio(self.synced_db_bytes, self.baseline_db_bytes), 2),
            "sync_upload_s": round(self.sync.upload_s, 2),
            "sync_documents": self.sync.documents,
            "sync_idle_bytes": self.sync.idle_bytes,
            "sync_idle_round_trips": self.sync.idle_round_trips,
            "sync_day_edits": DAY_EDITS,
            "sync_day_changes": self.sync.day_changes,
            "sync_day_documents": self.sync.day_documents,
            "sync_day_bytes": self.sync.day_bytes,
            "sync_day_round_trips": self.sync.day_round_trips,
            "automerge_sync_day_bytes": self.sync.automerge_day_bytes,
            "automerge_sync_day_changed_docs_bytes": self.sync.automerge_day_changed_docs_bytes,
            "automerge_sync_day_messages": self.sync.automerge_day_messages,
            "sync_day_ratio_vs_automerge": round(ratio(self.sync.day_bytes, self.sync.automerge_day_bytes), 3),
            "bootstrap_bytes": self.sync.bootstrap_bytes,
            "bootstrap_round_trips": self.sync.bootstrap_round_trips,
            "bootstrap_ms": round(self.sync.bootstrap_ms, 1),
            "bootstrap_apply_ms": round(self.sync.bootstrap_apply_ms, 1),
            "automerge_bootstrap_bytes": self.sync.automerge_bootstrap_bytes,
            "bootstrap_ratio_vs_automerge": round(ratio(self.sync.bootstrap_bytes, self.sync.automerge_bootstrap_bytes), 3),
            "listener_visit_writes": self.listen.writes_each,
            "visit_write_0_listeners_us_p50": round(self.listen.p50_us[0], 1),
            "visit_write_0_listeners_us_p99": round(self.listen.p99_us[0], 1),
            "visit_write_1_listener_us_p50": round(self.listen.p50_us[1], 1),
            "visit_write_1_listener_us_p99": round(self.listen.p99_us[1], 1),
            "visit_write_8_listeners_us_p50": round(self.listen.p50_us[2], 1),
            "visit_write_8_listeners_us_p99": round(self.listen.p99_us[2], 1),
            "event_photo_bytes": self.events.photo_bytes,
            "event_report_us_p50": round(self.events.report_us_p50, 1),
            "event_step_us_p50": round(self.events.step_us_p50, 1),
            "events_open": OPEN_EVENTS,
            "events_open_list_ms": round(self.events.open_list_ms, 2),
            "store_bytes_with_200_photos": self.events.store_bytes_with_photos,
            "photo_upload_photos": self.photos.photos,
            "photo_upload_bytes": self.photos.bytes,
            "photo_upload_mb_s": round(self.photos.upload_mb_s(), 2),
            "photo_http_mb_s": round(self.photos.http_mb_s(), 2),
            "photo_upload_ratio_vs_http": round(self.photos.ratio_vs_http(), 3),
        });
        if let serde_json::Value::Object(keys) = &mut report {
            keys.extend(import_json(&self.import));
        }
        report
    }

    fn print_table(&self) {
        let rows: Vec<(&str, String)> = vec![
            ("households", self.households.to_string()),
            ("residents", self.residents.to_string()),
            ("visits (generated)", self.visits.to_string()),
            ("shifts", self.shifts.to_string()),
            ("check-ins", self.checkins.to_string()),
            ("API writes to build", self.api_writes.to_string()),
            ("build", format!("{:.1} s", self.build_s)),
            ("open + roster", format!("{:.1} ms", self.open_ms)),
            (
                "open: plain / raw key / passphrase",
                format!(
                    "{:.1} / {:.1} / {:.1} ms",
                    self.open_times.plain_ms,
                    self.open_times.raw_key_ms,
                    self.open_times.passphrase_ms
                ),
            ),
            (
                "log_visit p50 / p99",
                format!(
                    "{:.0} / {:.0} µs",
                    self.visit_write_us_p50, self.visit_write_us_p99
                ),
            ),
            (
                "plain SQLite insert p50 / p99",
                format!(
                    "{:.0} / {:.0} µs",
                    self.baseline_insert_us_p50, self.baseline_insert_us_p99
                ),
            ),
            (
                "write ratio vs SQLite",
                format!("{:.1}×", self.write_ratio()),
            ),
            (
                "roster query",
                format!("{:.2} ms ({} rows)", self.roster_query_ms, self.roster_rows),
            ),
            ("search", format!("{:.2} ms", self.search_ms)),
            (
                "search by pinyin",
                format!("{:.2} ms", self.pinyin_search_ms),
            ),
            (
                "grid map (GeoJSON, GCJ-02)",
                format!("{:.2} ms ({} bytes)", self.geojson_ms, self.geojson_bytes),
            ),
            (
                "walking route",
                format!(
                    "{:.2} ms ({} households in {} buildings)",
                    self.route_ms, self.route_households, self.route_buildings
                ),
            ),
            (
                "points balance",
                format!(
                    "{:.2} ms ({} ledger lines; a plain SQL sum {:.3} ms)",
                    self.points.balance_ms, self.points.ledger_lines, self.points.baseline_ms
                ),
            ),
            (
                "points board",
                format!(
                    "{:.2} ms ({} volunteers)",
                    self.points.board_ms, self.points.volunteers
                ),
            ),
            (
                "grid report (summary, coverage ×3, patrol)",
                format!("{:.2} ms", self.report_ms),
            ),
            (
                "roster export to XLSX",
                format!(
                    "{:.1} ms ({} rows, {} bytes)",
                    self.export.xlsx_ms, self.export.rows, self.export.xlsx_bytes
                ),
            ),
            (
                "roster export to CSV",
                format!(
                    "{:.1} ms ({} bytes)",
                    self.export.csv_ms, self.export.csv_bytes
                ),
            ),
            ("store file", mib(self.db_bytes)),
            ("plain SQLite copy", mib(self.baseline_db_bytes)),
            (
                "size ratio vs SQLite",
                format!("{:.1}×", ratio(self.db_bytes, self.baseline_db_bytes)),
            ),
            ("compact", format!("{:.0} ms", self.compact_ms)),
            (
                "store file after compact + VACUUM",
                mib(self.compacted_db_bytes),
            ),
            (
                "after syncing (outbox empty), compact + VACUUM",
                mib(self.synced_db_bytes),
            ),
            (
                "idle sync",
                format!(
                    "{} B, {} round trips",
                    self.sync.idle_bytes, self.sync.idle_round_trips
                ),
            ),
            (
                "day sync (upload + download)",
                format!(
                    "{} B, {} round trips",
                    self.sync.day_bytes, self.sync.day_round_trips
                ),
            ),
            (
                "  Automerge sync, same day",
                format!(
                    "{} B ({} B changed docs)",
                    self.sync.automerge_day_bytes, self.sync.automerge_day_changed_docs_bytes
                ),
            ),
            (
                "  ratio vs Automerge",
                format!(
                    "{:.2}×",
                    ratio(self.sync.day_bytes, self.sync.automerge_day_bytes)
                ),
            ),
            (
                "bootstrap",
                format!(
                    "{}, {} round trips, {:.0} ms ({:.0} applying)",
                    mib(self.sync.bootstrap_bytes),
                    self.sync.bootstrap_round_trips,
                    self.sync.bootstrap_ms,
                    self.sync.bootstrap_apply_ms
                ),
            ),
            (
                "  Automerge sync from empty",
                mib(self.sync.automerge_bootstrap_bytes),
            ),
        ];
        let listen = LISTENER_COUNTS.iter().enumerate().map(|(i, count)| {
            (
                format!("log_visit p50 / p99, {count} listeners"),
                format!(
                    "{:.0} / {:.0} µs",
                    self.listen.p50_us[i], self.listen.p99_us[i]
                ),
            )
        });
        let events = [
            (
                "report event + photo p50".to_string(),
                format!(
                    "{:.0} µs ({} KB)",
                    self.events.report_us_p50,
                    self.events.photo_bytes / 1000
                ),
            ),
            (
                "event step p50".to_string(),
                format!("{:.0} µs", self.events.step_us_p50),
            ),
            (
                format!("open events list ({OPEN_EVENTS})"),
                format!("{:.2} ms", self.events.open_list_ms),
            ),
            (
                format!("store with {PHOTO_EVENTS} photos"),
                mib(self.events.store_bytes_with_photos),
            ),
            (
                format!("photo upload ({} photos)", self.photos.photos),
                format!("{:.1} MB/s", self.photos.upload_mb_s()),
            ),
            (
                "  plain HTTP POST, same bytes".to_string(),
                format!("{:.1} MB/s", self.photos.http_mb_s()),
            ),
            (
                "  ratio vs plain HTTP".to_string(),
                format!("{:.2}×", self.photos.ratio_vs_http()),
            ),
        ];
        let rows: Vec<(String, String)> = rows
            .into_iter()
            .map(|(label, value)| (label.to_string(), value))
            .chain(listen)
            .chain(events)
            .chain(import_rows(&self.import))
            .collect();
        println!("gridbench: five-year grid ({VISIT_WRITES} timed visit writes)");
        for (label, value) in rows {
            println!("  {label:<36} {value:>18}");
        }
    }
}

fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}
