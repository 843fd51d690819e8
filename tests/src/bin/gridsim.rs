//! `gridsim`: a grid's team of 8 works offline for 30 days and syncs
//! through a real sync server over HTTP, then every phone must hold the
//! same rows.
//!
//! Grid events run through the month too: building heads, patrol volunteers
//! and door-knocking grid workers report them; the grid accepts,
//! self-resolves routine ones, dispatches the others (escalating some to the
//! joint whistle) to a department's account, which is assigned the grid's
//! events only and takes and resolves them from its own phone; the grid
//! verifies and closes them. The summary prints the month's event KPIs.
//! Some reports and steps carry a small photo, uploaded in the normal
//! syncs; the grid cancels (注销) reports that repeat an open event, the
//! department returns (退办) some dispatched events, which the grid
//! dispatches again, and downloads the photos of the events it handles
//! after each of its syncs.
//!
//! The grid head's phone generates a seeded grid (its roster and a year of
//! history) and uploads it; an embedded sync server (SQLite in a scratch
//! directory, plain HTTP on 127.0.0.1) gets the team's workers, a device
//! token each and the grid assigned; every other phone bootstraps from the
//! server. Then each day every worker does their role's edits offline and
//! syncs a few times at random moments, some days not at all (the police
//! officer rarely). At the end everyone syncs twice; all phones and a fresh
//! phone bootstrapped from the server must have identical query tables,
//! else the exit code is 1. The department's phone holds the grid's events
//! only, so it is compared on the event tables, exactly. Photos converge
//! too: every phone holding a photo holds the same bytes (hashing to its
//! id), every photo attached was uploaded, and the server holds every photo
//! the converged events name. `--counts FILE` writes the month's counts
//! and the outcome as JSON, for tests.
//!
//! `--server URL --admin-data DIR` uses an external `gridbook-server`
//! instead: the simulation adds its workers, issues tokens and assigns the
//! grid through that server's SQLite data directory (`--data` of the
//! server), since it needs to assign the new grid to the team. The
//! simulation is deterministic for a seed except for record ids.
//!
//! It also writes the month as one self-contained HTML page (no script,
//! no external resource): the grid's map with each building's coverage and
//! the open events' warning lights, coverage over the days as the grid
//! head's phone saw it, visits per building, events with the KPIs and sync
//! traffic per worker, personal data masked (the page is checked against
//! the head's roster). `--report PATH` says where; by default it goes to
//! `gridsim/report.html` in the cargo target directory, and the summary
//! prints its path.
//!
//! To extend the story, add edits in `gridbook_harness::sim::work` and
//! print them in `gridbook_harness::sim::summary`; to show them on the
//! page, see `gridbook_harness::sim::report`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use gridbook_harness::generator::{self, GridSpec};
use gridbook_harness::scratch::ScratchDir;
use gridbook_harness::sim::device::{Device, SyncTotals};
use gridbook_harness::sim::event_kpis::{event_summary, print_events};
use gridbook_harness::sim::progress::ProgressBar;
use gridbook_harness::sim::report::{self, ReportData, TrafficRow, collect};
use gridbook_harness::sim::schedule::{Action, plan_day};
use gridbook_harness::sim::summary::{
    check_photos, print_conflicts, print_photos, print_traffic, print_visit_distribution,
    print_workers, section, size,
};
use gridbook_harness::sim::team::department;
use gridbook_harness::sim::work::{Worker, photos_to_view, prepare_grid};
use gridbook_harness::sim::{Role, SimError, SimServer, Team, default_team};

/// The query tables of grid events: all a department's phone holds.
const EVENT_TABLES: [&str; 2] = ["events", "event_steps"];

/// A grid team's month, synced through a real server.
#[derive(Debug, Parser)]
#[command(name = "gridsim", about)]
struct Args {
    /// Households of the generated grid.
    #[arg(long, default_value_t = 300)]
    households: u32,
    /// Days to simulate (ending yesterday).
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// Workers (8: head, 2 assistants, police, 2 building heads, 2 volunteers).
    #[arg(long, default_value_t = 8)]
    workers: usize,
    /// The seed of the grid and of everyone's days.
    #[arg(long, default_value_t = 20_240_601)]
    seed: u64,
    /// An external sync server's URL instead of the embedded one (needs --admin-data).
    #[arg(long, requires = "admin_data")]
    server: Option<String>,
    /// The external server's SQLite data directory, to add workers, tokens and the grid assignment.
    #[arg(long, requires = "server")]
    admin_data: Option<PathBuf>,
    /// Also write the month's counts and the convergence outcome to this file, as JSON.
    #[arg(long)]
    counts: Option<PathBuf>,
    /// Write the month's HTML report here (default: gridsim/report.html in the cargo target directory).
    #[arg(long)]
    report: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("同步后设备数据不一致 (devices differ after syncing)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("\ngridsim 失败 failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<bool, SimError> {
    let started = Instant::now();
    let scratch = ScratchDir::new("gridsim")?;
    let server = match (&args.server, &args.admin_data) {
        (Some(url), Some(dir)) => SimServer::external(url, dir)?,
        _ => SimServer::embedded(None)?,
    };
    let mut members = default_team(args.workers);
    members.push(department());
    let mut team = Team::enroll(&server, &members, scratch.path())?;
    let days = i64::from(args.days.max(1));

    // The grid head's phone generates the grid, history ending the day before the simulation.
    eprintln!("生成网格 generating the grid…");
    let head = team.devices.first().ok_or("no workers")?;
    let sim_start = head.store.today().add_days(-days);
    let spec = GridSpec {
        households: args.households.max(2),
        buildings: (args.households / 8).max(2),
        years: 1,
        visits: args.households * 8,
        shifts: 360,
        checkins_per_shift: 10,
        seed: args.seed,
        end_date: Some(sim_start.add_days(-1)),
    };
    let grid = generator::generate(&head.store, &spec)?;
    let grid_id = grid.grid_id.clone();
    let prepared = prepare_grid(&head.store, &grid_id, &members, sim_start)?;
    let generated_s = started.elapsed().as_secs_f64();

    // Upload, assign, bootstrap.
    eprintln!("上传与初始同步 upload and bootstrap…");
    let setup_started = Instant::now();
    let mut upload = SyncTotals::default();
    if let Some(head) = team.devices.first_mut() {
        head.sync()?;
        upload = head.totals;
    }
    team.assign(&server, &grid_id)?;
    for device in team.devices.iter_mut().skip(1) {
        device.sync()?;
    }
    let setup_ms = setup_started.elapsed().as_millis();
    let setup: Vec<SyncTotals> = team.devices.iter().map(|d| d.totals).collect();

    // The days.
    let mut slots = std::collections::BTreeMap::new();
    let mut workers: Vec<Worker> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let slot = slots.entry(m.role).or_insert(0usize);
            let w = Worker::new(m.clone(), *slot, args.seed, i);
            *slot += 1;
            w
        })
        .collect();
    if let Some(w) = workers.first_mut() {
        w.tally.appointments += prepared.appointments;
        w.tally.shifts_created += prepared.shifts_created;
    }
    let days_started = Instant::now();
    let bar = ProgressBar::new(u64::try_from(days).unwrap_or(1));
    let mut syncs = 0u64;
    // Every conflict a phone showed after a sync (a later edit of the field resolves it).
    let mut conflicts_seen = std::collections::BTreeSet::new();
    // The month-to-date coverage the grid head's phone shows at each day's end.
    let mut coverage = Vec::new();
    for day in 0..days {
        let date = sim_start.add_days(day);
        let mut events: Vec<_> = workers
            .iter()
            .enumerate()
            .flat_map(|(i, w)| plan_day(args.seed, i, w.member.role, day))
            .collect();
        events.sort();
        for event in events {
            let (Some(worker), Some(device)) = (
                workers.get_mut(event.worker),
                team.devices.get_mut(event.worker),
            ) else {
                continue;
            };
            match event.action {
                Action::Edit => worker.edit(&device.store, &grid_id, date, event.minute)?,
                Action::Sync => {
                    device.sync()?;
                    syncs += 1;
                    if device.member.role == Role::Department {
                        view_photos(worker, device)?;
                    }
                    for c in device.store.conflicts(&grid_id)? {
                        conflicts_seen.insert((c.record_id, c.field));
                    }
                }
            }
        }
        let head = team.devices.first().ok_or("no workers")?;
        coverage.push(collect::coverage_on(&head.store, &grid_id, date)?);
        bar.show(
            u64::try_from(day + 1).unwrap_or(0),
            &format!("第{}天 day {} · {} 次同步 syncs", day + 1, day + 1, syncs),
        );
    }
    bar.finish();
    let days_s = days_started.elapsed().as_secs_f64();
    let after_days: Vec<SyncTotals> = team.devices.iter().map(|d| d.totals).collect();

    // Everyone syncs twice, then compare with each other and with a fresh phone.
    eprintln!("最后两轮同步 two closing rounds of syncs…");
    for _ in 0..2 {
        for device in &mut team.devices {
            device.sync()?;
        }
    }
    let head_member = members.first().ok_or("no workers")?.clone();
    let fresh_token = server
        .admin()
        .issue_token(&head_member.worker_id, "核对用新手机")?;
    let mut fresh = Device::open(
        head_member,
        &scratch.join("fresh.db"),
        server.url(),
        &fresh_token.token,
    )?;
    let fresh_started = Instant::now();
    fresh.sync()?;
    let fresh_ms = fresh_started.elapsed().as_millis();
    let reference = fresh.store.query_table_dump()?;
    let event_tables = |dump: &std::collections::BTreeMap<String, Vec<String>>| {
        dump.iter()
            .filter(|(table, _)| EVENT_TABLES.contains(&table.as_str()))
            .map(|(table, rows)| (table.clone(), rows.clone()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let reference_events = event_tables(&reference);
    let mut same = Vec::new();
    for device in &team.devices {
        let dump = device.store.query_table_dump()?;
        same.push(if device.member.role == Role::Department {
            event_tables(&dump) == reference_events
        } else {
            dump == reference
        });
    }

    let diff = |a: &SyncTotals, b: &SyncTotals| SyncTotals {
        syncs: a.syncs - b.syncs,
        round_trips: a.round_trips - b.round_trips,
        bytes_sent: a.bytes_sent - b.bytes_sent,
        bytes_received: a.bytes_received - b.bytes_received,
        pushed_changes: a.pushed_changes - b.pushed_changes,
        pulled_chunks: a.pulled_chunks - b.pulled_chunks,
        uploaded_photos: a.uploaded_photos - b.uploaded_photos,
        photo_bytes_sent: a.photo_bytes_sent - b.photo_bytes_sent,
    };
    let during: Vec<SyncTotals> = after_days
        .iter()
        .zip(&setup)
        .map(|(a, b)| diff(a, b))
        .collect();
    let closing: Vec<SyncTotals> = team
        .devices
        .iter()
        .zip(&after_days)
        .map(|(d, b)| diff(&d.totals, b))
        .collect();

    // The summary.
    let store = &fresh.store;
    let c = &grid.counts;
    section("网格 The grid");
    let name = store
        .grids()?
        .into_iter()
        .find(|g| g.id == grid_id)
        .map(|g| g.name)
        .unwrap_or_default();
    println!(
        "  {name}（种子 seed {}）: {} 栋楼 buildings，{} 户 households，{} 位居民 residents",
        args.seed, c.buildings, c.households, c.residents
    );
    println!(
        "  一年历史 a year of history: {} 次走访 visits，{} 个巡逻班次 shifts，{} 次签到 check-ins",
        c.visits, c.shifts, c.checkins
    );
    println!(
        "  同步服务器 sync server: {} ({})",
        server.url(),
        if args.server.is_some() {
            "外部 external"
        } else {
            "内置 embedded, SQLite"
        }
    );
    println!(
        "  网格长上传整个网格 the head uploaded the grid: {} 个变更 changes，{}，{} 次往返 round trips；{} 台设备初始下载 devices bootstrapped，共 {} ms",
        upload.pushed_changes,
        size(upload.bytes()),
        upload.round_trips,
        team.devices.len().saturating_sub(1),
        setup_ms
    );

    section(&format!("{} 天的工作 {} days of work", days, days));
    print_workers(&workers, &team.devices, &during);

    section(&format!("每户走访次数 Visits per household ({days} days)"));
    print_visit_distribution(store, &grid_id, sim_start)?;

    section(&format!("网格事件 Grid events ({days} days)"));
    let last_day = sim_start.add_days(days - 1);
    let events = event_summary(store, &grid_id, sim_start, last_day, &workers)?;
    print_events(&events);
    print_photos(&workers, &team.devices);

    section("同步流量 Sync traffic (request + response bodies)");
    print_traffic(&team.devices, &setup, &during, &closing);

    section("待处理冲突 Conflicts to review");
    let conflicts = print_conflicts(store, &grid_id, 3)?;
    for c in &conflicts {
        conflicts_seen.insert((c.record_id.clone(), c.field.clone()));
    }
    println!(
        "  本月共出现 {} 处冲突（记录·字段），{} 处已被后来的修改解决，{} 处待人工处理",
        conflicts_seen.len(),
        conflicts_seen.len().saturating_sub(conflicts.len()),
        conflicts.len()
    );
    println!(
        "  ({} conflicts (record·field) arose during the month, {} resolved by a later edit, {} left to review)",
        conflicts_seen.len(),
        conflicts_seen.len().saturating_sub(conflicts.len()),
        conflicts.len()
    );

    section("一致性 Convergence");
    let rows: usize = reference.values().map(Vec::len).sum();
    for (device, ok) in team.devices.iter().zip(&same) {
        println!(
            "  {} {:<22} {}",
            if *ok { "✓" } else { "✗" },
            device.member.role.label(),
            match (*ok, device.member.role) {
                (true, Role::Department) => "事件表与服务器一致 events same as the server",
                (true, _) => "与服务器一致 same as the server",
                (false, _) => "不一致 DIFFERS",
            }
        );
    }
    println!(
        "  新设备从服务器初始同步 a fresh phone bootstrapped in {fresh_ms} ms ({}, {} 次往返 round trips): {rows} 行 rows in {} 张查询表 query tables, {} 个冲突 conflicts",
        size(fresh.totals.bytes()),
        fresh.totals.round_trips,
        reference.len(),
        conflicts.len()
    );
    let event_ids: Vec<String> = workers
        .iter()
        .flat_map(|w| w.reported_events.iter().cloned())
        .collect();
    let mut phones: Vec<&gridbook::Store> = team.devices.iter().map(|d| &d.store).collect();
    phones.push(&fresh.store);
    let photos = check_photos(&phones, &fresh.store, &server, &grid_id, &event_ids)?;
    println!(
        "  {} 照片 photos: {} 张 on {} 台手机 phones ({} 份副本 copies){}；事件引用 {} 张 named by events，{}",
        if photos.holds() { "✓" } else { "✗" },
        photos.distinct,
        photos.phones,
        photos.copies,
        if photos.differing.is_empty() && photos.not_uploaded.is_empty() {
            "，字节相同且均已上传 same bytes everywhere, all uploaded".to_string()
        } else {
            format!(
                "，{} 张字节不同 differ，{} 张未上传 not uploaded",
                photos.differing.len(),
                photos.not_uploaded.len()
            )
        },
        photos.named,
        if photos.missing_on_server.is_empty() {
            "服务器全部持有 the server holds them all".to_string()
        } else {
            format!(
                "服务器缺 {} 张 missing on the server",
                photos.missing_on_server.len()
            )
        }
    );
    let all_same = same.iter().all(|ok| *ok) && photos.holds();
    println!(
        "  {}",
        if all_same {
            format!(
                "全部 {} 台设备数据一致 all {} phones hold identical rows",
                team.devices.len() + 1,
                team.devices.len() + 1
            )
        } else {
            "设备数据不一致 phones differ".to_string()
        }
    );

    section("报告 Report");
    let head = team.devices.first().ok_or("no workers")?;
    let (_, map) = collect::map_on(&head.store, &grid_id, last_day)?;
    let points = collect::volunteer_points(&head.store, &grid_id, sim_start, last_day)?;
    println!(
        "  志愿积分 volunteer points: 服务 service {}，奖励 awarded {} ({} 次)，兑换 exchanged {} ({} 次)，本月榜单 {} 人 on the board",
        points.service,
        points.awarded,
        points.award_entries,
        points.spent,
        points.spend_entries,
        points.rows.len()
    );
    let data = ReportData {
        grid_name: name,
        seed: args.seed,
        days: (sim_start, last_day),
        counts: (c.buildings.into(), c.households.into(), c.residents.into()),
        converged: all_same,
        map,
        coverage,
        visits: collect::visits_per_building(&head.store, &grid_id, sim_start)?,
        events,
        traffic: TrafficRow::per_device(&team.devices, &setup, &during, &closing),
        volunteer_points: Some(points.clone()),
    };
    let html = report::render(&data);
    // The page must not name a resident: checked against the head's roster.
    let leaks = collect::personal_data_in(&html, &head.store, &grid_id)?;
    if !leaks.is_empty() {
        return Err(format!("the report would show personal data: {}", leaks.join("，")).into());
    }
    let report_path = args.report.clone().unwrap_or_else(report::default_path);
    report::write(&report_path, &html)?;
    println!(
        "  HTML 报告 report ({}，地图 {} 栋楼 buildings，{} 件事件 events): {}",
        size(html.len() as u64),
        data.map.buildings.len(),
        data.map.events.len(),
        report_path.display()
    );
    println!(
        "  用时 wall time: {:.1} s (生成 generate {:.1} s, 模拟 {days} 天 {:.1} s)",
        started.elapsed().as_secs_f64(),
        generated_s,
        days_s
    );
    if let Some(path) = &args.counts {
        let sum = |f: &dyn Fn(&Worker) -> u64| workers.iter().map(f).sum::<u64>();
        let counts = serde_json::json!({
            "all_same": all_same,
            "photos_converged": photos.holds(),
            "photos_attached": sum(&|w| w.tally.photos_attached),
            "photos_uploaded": team.devices.iter().map(|d| d.totals.uploaded_photos).sum::<u64>(),
            "photos_downloaded": sum(&|w| w.tally.photos_downloaded),
            "photos_distinct": photos.distinct,
            "photos_named": photos.named,
            "events_reported": event_ids.len(),
            "events_cancelled": photos.cancelled,
            "returns_by_unit": photos.returned,
            "cancelled_by_grid": sum(&|w| w.tally.events_cancelled),
            "returned_by_unit": sum(&|w| w.tally.events_returned),
            "redispatched": sum(&|w| w.tally.events_redispatched),
            "report": report_path,
            "report_buildings": data.map.buildings.len(),
            "report_events": data.map.events.len(),
            "report_checkpoints": data.map.checkpoints.len(),
            "report_days": data.coverage.len(),
            "points_awarded": sum(&|w| w.tally.points_awarded),
            "points_exchanged": sum(&|w| w.tally.points_exchanged),
            "points_award_entries": points.award_entries,
            "points_spend_entries": points.spend_entries,
            "points_service": points.service,
            "points_board": points.rows.len(),
        });
        std::fs::write(path, format!("{counts}\n"))?;
    }
    drop(fresh);
    drop(team);
    server.shutdown()?;
    Ok(all_same)
}

/// The department opens the events it handles: every photo they name that
/// its phone does not hold is downloaded. A photo the server does not hold
/// yet (its phone has not finished uploading it) is tried again next time.
fn view_photos(worker: &mut Worker, device: &Device) -> Result<(), SimError> {
    for (grid, id) in photos_to_view(&device.store, &device.member.worker_id)? {
        match device.download_photo(&grid, &id) {
            Ok(_) => worker.tally.photos_downloaded += 1,
            Err(gridbook::sync::SyncError::Rejected { status: 404, .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
