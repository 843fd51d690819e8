//! What a roster import costs, for `gridbench`: a street's roster of
//! 10,000 residents in 3,600 households and 300 buildings, made here by a
//! deterministic generator (valid ID numbers with their GB 11643 check
//! character, genders and birth dates that agree with them), imported into
//! an empty grid as XLSX (`import_rows_per_s_xlsx`) and as GBK CSV
//! (`import_rows_per_s_gbk_csv`), each the whole commit
//! (`Store::import_roster`: read, match, check and write). The baseline in
//! the same run (`import_baseline_sqlite_rows_per_s`) decodes the same GBK
//! bytes, splits them with the csv crate and inserts the rows into three
//! plain SQLite tables in one transaction: no checks, no CRDT.
//!
//! Then the sync cost of the grid so imported next to the same grid built
//! by one API call per record (`create_building`, `create_household`,
//! `create_resident`), each pushed to its own embedded sync server on
//! loopback: the push (`*_push_*`), a second phone's pull of the server's
//! change log (`*_pull_*`, the server's compaction held off), and a third
//! phone's bootstrap once the server has compacted the grid
//! (`*_bootstrap_*`). Bytes are request plus response bodies as the client
//! counts them.
//!
//! To add a measurement: a field in [`ImportBench`] or [`SyncCost`], filled
//! in [`measure`], and its key in `gridbench`.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use gridbook::codes::{DwellingUse, Gender, Registration, ResidenceState, WorkerRole};
use gridbook::{
    BuildingInput, Date, GridInput, HouseholdInput, ResidentInput, RosterImportOptions, Store,
    WorkerIdentity,
};
use rusqlite::Connection;

use crate::rng::SplitMix64;
use crate::scratch::ScratchDir;
use crate::sim::SimError;
use crate::sim::device::Device;
use crate::sim::server::SimServer;
use crate::sim::team::{Member, Role};

/// Residents in the generated roster.
pub const IMPORT_RESIDENTS: usize = 10_000;
/// Buildings in the generated roster.
pub const IMPORT_BUILDINGS: usize = 300;
/// Units per building.
const UNITS: usize = 2;
/// Floors per building (one dwelling per unit and floor).
const FLOORS: usize = 6;
/// Households with three residents; the others have two.
const THREE_PERSON_HOUSEHOLDS: usize = IMPORT_RESIDENTS - 2 * IMPORT_BUILDINGS * UNITS * FLOORS;

const HEADER: [&str; 11] = [
    "姓名",
    "性别",
    "身份证号",
    "联系电话",
    "楼栋",
    "单元",
    "楼层",
    "房号",
    "与户主关系",
    "户籍类型",
    "人户状态",
];

/// One generated resident, as a roster row holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterLine {
    /// 姓名.
    pub name: String,
    /// 性别, agreeing with the ID number.
    pub male: bool,
    /// 身份证号 with its check character.
    pub id_number: String,
    /// The birth date the ID number holds.
    pub birth_date: Date,
    /// 联系电话.
    pub phone: String,
    /// 楼栋, for example `12栋`.
    pub building: String,
    /// 单元.
    pub unit: String,
    /// 楼层.
    pub floor: i32,
    /// 房号, for example `502`.
    pub room: String,
    /// GB/T 4761 code: 02 户主, 10 配偶, 20 子, 30 女.
    pub relation: &'static str,
}

impl RosterLine {
    fn cells(&self) -> [String; 11] {
        [
            self.name.clone(),
            if self.male { "男" } else { "女" }.to_string(),
            self.id_number.clone(),
            self.phone.clone(),
            self.building.clone(),
            self.unit.clone(),
            self.floor.to_string(),
            self.room.clone(),
            relation_label(self.relation).to_string(),
            "户籍".to_string(),
            "人户一致".to_string(),
        ]
    }
}

fn relation_label(code: &str) -> &'static str {
    match code {
        "02" => "户主",
        "10" => "配偶",
        "20" => "子",
        _ => "女",
    }
}

/// An ID number: the 17 digits and their GB 11643 check character.
pub fn id_number(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = b"10X98765432"
        .get((sum % 11) as usize)
        .copied()
        .unwrap_or(b'X');
    format!("{first17}{}", char::from(check))
}

/// The generated roster: [`IMPORT_BUILDINGS`] buildings of two units and six
/// floors, one dwelling per unit and floor, two or three residents in each
/// (a head, a spouse, a child), [`IMPORT_RESIDENTS`] in all, each ID number
/// unique (its region code and sequence follow the resident's index).
pub fn roster_lines(seed: u64) -> Result<Vec<RosterLine>, SimError> {
    const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
    const GIVEN: &[&str] = &[
        "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
        "涛", "明", "超", "秀兰", "霞",
    ];
    let mut rng = SplitMix64::new(seed);
    let mut lines = Vec::with_capacity(IMPORT_RESIDENTS);
    let mut household = 0;
    for building in 1..=IMPORT_BUILDINGS {
        for floor in 1..=FLOORS {
            for unit in 1..=UNITS {
                let members = if household < THREE_PERSON_HOUSEHOLDS {
                    3
                } else {
                    2
                };
                household += 1;
                let surname = rng.pick(SURNAMES).copied().unwrap_or("王");
                for member in 0..members {
                    let k = lines.len();
                    let (from, to) = if member == 2 {
                        (1990, 2015)
                    } else {
                        (1945, 1988)
                    };
                    let year = i32::try_from(rng.range(from, to))?;
                    let month = u32::try_from(rng.range(1, 12))?;
                    let day = u32::try_from(rng.range(1, 28))?;
                    // Odd sequence digits are men: the head is a man, the spouse a woman.
                    let male = match member {
                        0 => true,
                        1 => false,
                        _ => rng.chance(0.5),
                    };
                    let sequence = (k % 500) * 2 + usize::from(male);
                    let first17 = format!(
                        "3301{:02}{year:04}{month:02}{day:02}{sequence:03}",
                        1 + k / 500
                    );
                    let relation = match (member, male) {
                        (0, _) => "02",
                        (1, _) => "10",
                        (_, true) => "20",
                        (_, false) => "30",
                    };
                    let given = rng.pick(GIVEN).copied().unwrap_or("伟");
                    lines.push(RosterLine {
                        name: format!("{surname}{given}"),
                        male,
                        id_number: id_number(&first17),
                        birth_date: Date::parse(&format!("{year:04}-{month:02}-{day:02}"))
                            .map_err(|e| format!("a generated birth date: {e}"))?,
                        phone: format!("13{:09}", rng.below(1_000_000_000)),
                        building: format!("{building}栋"),
                        unit: unit.to_string(),
                        floor: i32::try_from(floor)?,
                        room: format!("{floor}0{unit}"),
                        relation,
                    });
                }
            }
        }
    }
    Ok(lines)
}

/// The roster as a CSV text (CRLF), before encoding.
pub fn csv_text(lines: &[RosterLine]) -> String {
    let mut text = HEADER.join(",");
    text.push_str("\r\n");
    for line in lines {
        text.push_str(&line.cells().join(","));
        text.push_str("\r\n");
    }
    text
}

/// The roster as GBK bytes, as a spreadsheet saves "CSV" on a Chinese Windows.
pub fn gbk_csv(lines: &[RosterLine]) -> Result<Vec<u8>, SimError> {
    let text = csv_text(lines);
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    if unmappable {
        return Err("the generated roster has characters GBK cannot hold".into());
    }
    Ok(bytes.into_owned())
}

/// The roster as an XLSX workbook of one sheet, every cell text.
pub fn xlsx(lines: &[RosterLine]) -> Result<Vec<u8>, SimError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in HEADER.iter().enumerate() {
        sheet.write_string(0, u16::try_from(col)?, *header)?;
    }
    for (row, line) in lines.iter().enumerate() {
        for (col, cell) in line.cells().iter().enumerate() {
            sheet.write_string(u32::try_from(row + 1)?, u16::try_from(col)?, cell)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// The sync cost of one way of building the grid.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SyncCost {
    /// Changes the building phone had to send.
    pub changes: u64,
    /// Its push: request plus response body bytes.
    pub push_bytes: u64,
    /// Its round trips.
    pub push_round_trips: u64,
    /// A second phone's pull of the server's change log: body bytes.
    pub pull_bytes: u64,
    /// Its round trips.
    pub pull_round_trips: u64,
    /// A third phone's bootstrap once the server compacted the grid: body bytes.
    pub bootstrap_bytes: u64,
    /// Its round trips.
    pub bootstrap_round_trips: u64,
}

/// The import measurements of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImportBench {
    /// Rows in the file.
    pub rows: usize,
    /// Households and buildings the import created.
    pub households: u32,
    /// Buildings the import created.
    pub buildings: u32,
    /// The XLSX file's bytes.
    pub xlsx_bytes: usize,
    /// The GBK CSV file's bytes.
    pub csv_bytes: usize,
    /// Rows per second of the XLSX import's commit.
    pub xlsx_rows_per_s: f64,
    /// Rows per second of the GBK CSV import's commit.
    pub gbk_csv_rows_per_s: f64,
    /// Rows per second of the GBK CSV's dry run.
    pub dry_run_rows_per_s: f64,
    /// Rows per second of the plain-SQLite baseline.
    pub baseline_rows_per_s: f64,
    /// Seconds to build the same grid by one API call per record.
    pub api_build_s: f64,
    /// The imported grid's sync.
    pub imported: SyncCost,
    /// The API-built grid's sync.
    pub api_built: SyncCost,
}

const WORKER: &str = "w-import";

fn uploader() -> Member {
    Member {
        worker_id: WORKER.into(),
        name: "导入测试员".into(),
        role: Role::GridHead,
    }
}

fn identity() -> WorkerIdentity {
    WorkerIdentity {
        worker_id: WORKER.into(),
        name: "导入测试员".into(),
        role: WorkerRole::GridHead,
        device_label: "导入测试机".into(),
    }
}

fn new_grid(store: &Store) -> Result<String, SimError> {
    Ok(store.create_grid(GridInput {
        code: "330106001002".into(),
        name: "导入网格".into(),
        community: Some("文新社区".into()),
        street: None,
        boundary: None,
    })?)
}

/// Opens a new store at `path` with an empty grid, imports `bytes` (timed:
/// the commit alone), checks the counts and returns rows per second.
fn timed_import(
    path: &Path,
    bytes: &[u8],
    lines: &[RosterLine],
) -> Result<(f64, u32, u32, String), SimError> {
    let store = Store::open(path, identity())?;
    let grid = new_grid(&store)?;
    let options = RosterImportOptions::default();
    let start = Instant::now();
    let outcome = store.import_roster(&grid, bytes, &options, false)?;
    let secs = start.elapsed().as_secs_f64();
    let report = outcome.report;
    if usize::try_from(report.residents_created)? != lines.len() || report.rows_in_error != 0 {
        return Err(format!(
            "the import created {} residents with {} rows in error, not {}",
            report.residents_created,
            report.rows_in_error,
            lines.len()
        )
        .into());
    }
    Ok((
        rows_per_s(lines.len(), secs),
        report.households_created,
        report.buildings_created,
        grid,
    ))
}

fn rows_per_s(rows: usize, secs: f64) -> f64 {
    if secs > 0.0 { rows as f64 / secs } else { 0.0 }
}

/// Builds the same roster by one API call per record into a new store at `path`.
fn build_by_api(path: &Path, lines: &[RosterLine]) -> Result<String, SimError> {
    let store = Store::open(path, identity())?;
    let grid = new_grid(&store)?;
    let mut buildings: HashMap<&str, String> = HashMap::new();
    let mut households: HashMap<(&str, &str, &str), String> = HashMap::new();
    for line in lines {
        let building = match buildings.get(line.building.as_str()) {
            Some(id) => id.clone(),
            None => {
                let id = store.create_building(
                    &grid,
                    BuildingInput {
                        number: line.building.clone(),
                        estate: None,
                        units: i32::try_from(UNITS)?,
                        floors: i32::try_from(FLOORS)?,
                        location: None,
                    },
                )?;
                buildings.insert(&line.building, id.clone());
                id
            }
        };
        let key = (
            line.building.as_str(),
            line.unit.as_str(),
            line.room.as_str(),
        );
        let household = match households.get(&key) {
            Some(id) => id.clone(),
            None => {
                let id = store.create_household(HouseholdInput {
                    building_id: building,
                    unit: line.unit.clone(),
                    floor: line.floor,
                    room: line.room.clone(),
                    use_kind: DwellingUse::OwnerOccupied,
                    tags: Vec::new(),
                    location: None,
                    notes: None,
                })?;
                households.insert(key, id.clone());
                id
            }
        };
        store.create_resident(ResidentInput {
            household_id: household,
            name: line.name.clone(),
            gender: if line.male {
                Gender::Male
            } else {
                Gender::Female
            },
            birth_date: Some(line.birth_date),
            id_number: Some(line.id_number.clone()),
            phones: vec![line.phone.clone()],
            relation: line.relation.to_string(),
            registration: Registration::Local,
            residence_state: ResidenceState::Consistent,
            care: Vec::new(),
            moved_in: None,
        })?;
    }
    Ok(grid)
}

/// The baseline: the GBK bytes decoded, split by the csv crate and inserted
/// into plain tables (buildings, households, residents) in one transaction.
fn baseline(path: &Path, bytes: &[u8]) -> Result<f64, SimError> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch(
        "CREATE TABLE buildings (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE);
         CREATE TABLE households (id INTEGER PRIMARY KEY, building_id INTEGER NOT NULL,
             unit TEXT, floor INTEGER, room TEXT NOT NULL, UNIQUE (building_id, unit, room));
         CREATE TABLE residents (id INTEGER PRIMARY KEY, household_id INTEGER NOT NULL,
             name TEXT NOT NULL, gender TEXT, id_number TEXT UNIQUE, phone TEXT,
             relation TEXT, registration TEXT, residence_state TEXT);",
    )?;
    let start = Instant::now();
    let (text, _, _) = encoding_rs::GB18030.decode(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let tx = conn.transaction()?;
    let mut rows = 0;
    {
        let mut buildings: HashMap<String, i64> = HashMap::new();
        let mut households: HashMap<(i64, String, String), i64> = HashMap::new();
        let mut add_building = tx.prepare("INSERT INTO buildings (number) VALUES (?1)")?;
        let mut add_household = tx.prepare(
            "INSERT INTO households (building_id, unit, floor, room) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut add_resident = tx.prepare(
            "INSERT INTO residents (household_id, name, gender, id_number, phone, relation,
             registration, residence_state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for record in reader.records() {
            let record = record?;
            let cell = |i: usize| record.get(i).unwrap_or_default();
            let building = match buildings.get(cell(4)) {
                Some(id) => *id,
                None => {
                    add_building.execute([cell(4)])?;
                    let id = tx.last_insert_rowid();
                    buildings.insert(cell(4).to_string(), id);
                    id
                }
            };
            let key = (building, cell(5).to_string(), cell(7).to_string());
            let household = match households.get(&key) {
                Some(id) => *id,
                None => {
                    add_household.execute(rusqlite::params![
                        building,
                        cell(5),
                        cell(6),
                        cell(7)
                    ])?;
                    let id = tx.last_insert_rowid();
                    households.insert(key, id);
                    id
                }
            };
            add_resident.execute(rusqlite::params![
                household,
                cell(0),
                cell(1),
                cell(2),
                cell(3),
                cell(8),
                cell(9),
                cell(10)
            ])?;
            rows += 1;
        }
    }
    tx.commit()?;
    Ok(rows_per_s(rows, start.elapsed().as_secs_f64()))
}

/// Pushes the store at `db` (holding `grid`) to a new embedded server, pulls
/// it on a second phone from the change log, then bootstraps a third once
/// the server has compacted the grid.
fn sync_cost(db: &Path, grid: &str, scratch: &Path) -> Result<SyncCost, SimError> {
    // Compaction held off: the second phone pulls the changes as pushed.
    let server = SimServer::embedded(Some(u64::MAX))?;
    let up = uploader();
    server.ensure_worker(&up.worker_id, &up.name, up.role.worker_role(), true)?;
    let readers = ["w-reader-1", "w-reader-2"].map(|id| Member {
        worker_id: id.into(),
        name: "新设备".into(),
        role: Role::Assistant,
    });
    let token = server.admin().issue_token(&up.worker_id, "A")?;
    let mut a = Device::open(up, db, server.url(), &token.token)?;
    let mut out = SyncCost {
        changes: u64::try_from(a.store.sync_status()?.unsent_changes).unwrap_or(0),
        ..SyncCost::default()
    };
    let push = a.sync()?;
    out.push_bytes = bytes(&push);
    out.push_round_trips = round_trips(&push);
    let mut pulled = Vec::new();
    for (i, reader) in readers.into_iter().enumerate() {
        server.ensure_worker(
            &reader.worker_id,
            &reader.name,
            reader.role.worker_role(),
            false,
        )?;
        server.admin().assign(&reader.worker_id, grid)?;
        let token = server
            .admin()
            .issue_token(&reader.worker_id, &format!("R{i}"))?;
        if i == 1 {
            server.compact_now(grid)?;
        }
        let mut device = Device::open(
            reader,
            &scratch.join(format!("reader-{i}.db")),
            server.url(),
            &token.token,
        )?;
        let report = device.sync()?;
        if device.store.query_table_dump()? != a.store.query_table_dump()? {
            return Err("a pulling phone differs from the pushing one".into());
        }
        pulled.push((bytes(&report), round_trips(&report)));
    }
    if let [(pull_bytes, pull_trips), (boot_bytes, boot_trips)] = pulled[..] {
        out.pull_bytes = pull_bytes;
        out.pull_round_trips = pull_trips;
        out.bootstrap_bytes = boot_bytes;
        out.bootstrap_round_trips = boot_trips;
    }
    drop(a);
    server.shutdown()?;
    Ok(out)
}

/// Request plus response bytes of one sync.
fn bytes(report: &gridbook::sync::SyncProgress) -> u64 {
    report.bytes_sent.unsigned_abs() + report.bytes_received.unsigned_abs()
}

/// The round trips of one sync.
fn round_trips(report: &gridbook::sync::SyncProgress) -> u64 {
    u64::from(report.round_trips.unsigned_abs())
}

/// Runs every import measurement in a scratch directory of its own.
pub fn measure() -> Result<ImportBench, SimError> {
    let scratch = ScratchDir::new("gridbench-import")?;
    let lines = roster_lines(0x1a9_0b7)?;
    let xlsx = xlsx(&lines)?;
    let gbk = gbk_csv(&lines)?;

    let imported_db = scratch.join("imported.db");
    let (xlsx_rows_per_s, households, buildings, imported_grid) =
        timed_import(&imported_db, &xlsx, &lines)?;
    let (gbk_csv_rows_per_s, ..) = timed_import(&scratch.join("gbk.db"), &gbk, &lines)?;

    // The dry run of the same file into an empty grid: the read, match and check alone.
    let dry_store = Store::open(scratch.join("dry.db"), identity())?;
    let dry_grid = new_grid(&dry_store)?;
    let start = Instant::now();
    dry_store.import_roster_dry_run(&dry_grid, &gbk, &RosterImportOptions::default())?;
    let dry_run_rows_per_s = rows_per_s(lines.len(), start.elapsed().as_secs_f64());
    drop(dry_store);

    let baseline_rows_per_s = baseline(&scratch.join("baseline.db"), &gbk)?;

    let api_db = scratch.join("api.db");
    let start = Instant::now();
    let api_grid = build_by_api(&api_db, &lines)?;
    let api_build_s = start.elapsed().as_secs_f64();

    let imported = sync_cost(&imported_db, &imported_grid, scratch.path())?;
    let api_dir = ScratchDir::new("gridbench-import-api")?;
    let api_built = sync_cost(&api_db, &api_grid, api_dir.path())?;
    Ok(ImportBench {
        rows: lines.len(),
        households,
        buildings,
        xlsx_bytes: xlsx.len(),
        csv_bytes: gbk.len(),
        xlsx_rows_per_s,
        gbk_csv_rows_per_s,
        dry_run_rows_per_s,
        baseline_rows_per_s,
        api_build_s,
        imported,
        api_built,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_generated_roster_has_its_shape_and_valid_id_numbers() {
        let lines = roster_lines(7).unwrap();
        assert_eq!(lines.len(), IMPORT_RESIDENTS);
        let households: std::collections::HashSet<_> = lines
            .iter()
            .map(|l| (&l.building, &l.unit, &l.room))
            .collect();
        assert_eq!(households.len(), IMPORT_BUILDINGS * UNITS * FLOORS);
        let ids: std::collections::HashSet<_> = lines.iter().map(|l| &l.id_number).collect();
        assert_eq!(ids.len(), IMPORT_RESIDENTS);
        for line in &lines {
            assert!(
                gridbook::validate::id_number(&line.id_number, Date::parse("2026-01-01").unwrap())
                    .is_ok()
            );
        }
        assert_eq!(roster_lines(7).unwrap(), lines);
    }

    #[test]
    fn a_small_roster_imports_from_xlsx_and_gbk_csv() {
        let lines: Vec<RosterLine> = roster_lines(7).unwrap().into_iter().take(30).collect();
        let dir = ScratchDir::new("importbench-test").unwrap();
        for (name, bytes) in [
            ("x.db", xlsx(&lines).unwrap()),
            ("c.db", gbk_csv(&lines).unwrap()),
        ] {
            let store = Store::open(dir.join(name), identity()).unwrap();
            let grid = new_grid(&store).unwrap();
            let report = store
                .import_roster_dry_run(&grid, &bytes, &RosterImportOptions::default())
                .unwrap();
            assert_eq!(
                (
                    report.buildings_created,
                    report.households_created,
                    report.residents_created,
                    report.rows_in_error
                ),
                (1, 10, 30, 0)
            );
        }
    }
}
