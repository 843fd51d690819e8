//! Crash test: a child process (`crashwriter`) writing visits, check-ins and
//! household notes with frequent compaction is killed with SIGKILL at random
//! moments, 60 times. After each kill the store must open, SQLite's
//! `PRAGMA integrity_check` must say `ok`, every write the child acknowledged
//! (in this and all earlier runs) must be there, and the query tables must
//! equal a rebuild from the documents.
//!
//! The kill comes a random 5..150 ms after the writer's first acknowledged
//! write, or, in every fourth run, after its spawn (so some kills land while
//! it opens the store or loads its first document, which in a debug build can
//! take most of that range). The delays come from a seeded generator; the
//! seed is printed at the start and can be replayed with `CRASH_SEED=<seed>`.
//! Timing still varies between machines, so a replay hits similar, not
//! identical, moments.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use gridbook::codes::{DwellingUse, WorkerRole};
use gridbook::{
    BuildingInput, GridInput, HouseholdInput, ShiftInput, Store, TeamMember, TimeOfDay,
    WorkerIdentity,
};

/// How many times the writer is killed.
const RUNS: u64 = 60;
/// How many kills must hit a writer that had acknowledged at least one write.
const MIN_KILLS_MID_WRITE: u64 = 40;
/// The kill delay, in milliseconds: `KILL_MIN_MS..KILL_MAX_MS`.
const KILL_MIN_MS: u64 = 5;
/// The upper bound (exclusive) of the kill delay, in milliseconds.
const KILL_MAX_MS: u64 = 150;
/// The worker the store belongs to; the writer opens it with the same identity.
const WORKER_ID: &str = "w-crash";
/// The household notes before any writer ran.
const INITIAL_NOTES: &str = "initial notes";
/// Every this many runs, the delay counts from the spawn instead of the first acknowledgement.
const FROM_SPAWN_EVERY: u64 = 4;
/// How long to wait for the writer's first acknowledgement before killing it anyway.
const FIRST_ACK_TIMEOUT: Duration = Duration::from_secs(20);
/// SIGKILL's number on every Unix.
const SIGKILL: i32 = 9;

/// The identity the store is created with; must match `crashwriter`'s.
fn identity() -> WorkerIdentity {
    WorkerIdentity {
        worker_id: WORKER_ID.to_string(),
        name: "Crash Writer".to_string(),
        role: WorkerRole::Assistant,
        device_label: "crash test device".to_string(),
    }
}

/// A small xorshift64* generator for the kill delays.
struct Rng(u64);

impl Rng {
    /// The next pseudo-random number.
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

/// The seed: `CRASH_SEED` if set, else the clock.
fn seed() -> u64 {
    if let Ok(text) = std::env::var("CRASH_SEED") {
        return text.trim().parse().expect("CRASH_SEED must be a u64");
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    (nanos as u64) | 1
}

/// The store and the records the writer needs.
struct Fixture {
    /// Keeps the temporary directory alive.
    _dir: tempfile::TempDir,
    /// The store file.
    db: PathBuf,
    /// The household visited and updated.
    household_id: String,
    /// The shift checked in to.
    shift_id: String,
}

/// Creates the store with a grid, a building, a household, a team and a shift for today.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let store = Store::open(&db, identity()).unwrap();
    let grid_id = store
        .create_grid(GridInput {
            code: "CRASH-01".into(),
            name: "Crash test grid".into(),
            community: None,
            street: None,
            boundary: None,
        })
        .unwrap();
    let building_id = store
        .create_building(
            &grid_id,
            BuildingInput {
                number: "1".into(),
                estate: None,
                units: 2,
                floors: 6,
                location: None,
            },
        )
        .unwrap();
    let household_id = store
        .create_household(HouseholdInput {
            building_id,
            unit: "1".into(),
            floor: 3,
            room: "301".into(),
            use_kind: DwellingUse::OwnerOccupied,
            tags: Vec::new(),
            location: None,
            notes: Some(INITIAL_NOTES.into()),
        })
        .unwrap();
    let team_id = store
        .create_patrol_team(
            &grid_id,
            "Night patrol",
            vec![TeamMember {
                member_id: WORKER_ID.into(),
                name: "Crash Writer".into(),
            }],
        )
        .unwrap();
    let shift_id = store
        .create_shift(ShiftInput {
            team_id,
            date: store.today(),
            starts: TimeOfDay::new(0, 0).unwrap(),
            ends: TimeOfDay::new(23, 59).unwrap(),
            // Must match `CHECKPOINTS` in `crashwriter`.
            route: vec!["gate".into(), "bike shed".into()],
        })
        .unwrap();
    drop(store);
    Fixture {
        _dir: dir,
        db,
        household_id,
        shift_id,
    }
}

/// What one writer acknowledged, in order.
#[derive(Debug, Default)]
struct Acks {
    /// Visit ids.
    visits: Vec<String>,
    /// Check-in ids.
    checkins: Vec<String>,
    /// Household notes written.
    notes: Vec<String>,
    /// When the first acknowledgement arrived, counted from the spawn.
    first_after: Option<Duration>,
}

impl Acks {
    /// How many writes were acknowledged.
    fn len(&self) -> usize {
        self.visits.len() + self.checkins.len() + self.notes.len()
    }
}

/// Reads the writer's stdout until it closes; only complete lines count.
/// Sends `()` on `first` when the first acknowledgement arrives.
fn collect_acks(stdout: impl Read, spawned: Instant, first: mpsc::Sender<()>) -> Acks {
    let mut reader = BufReader::new(stdout);
    let mut acks = Acks::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if line.last() != Some(&b'\n') {
            // Cut off by the kill: not acknowledged.
            break;
        }
        if acks.first_after.is_none() {
            acks.first_after = Some(spawned.elapsed());
            // The receiver may have stopped waiting; nothing to do then.
            let _ = first.send(());
        }
        let text = String::from_utf8(line[..line.len() - 1].to_vec()).unwrap();
        let (kind, value) = text.split_once(' ').unwrap();
        match kind {
            "visit" => acks.visits.push(value.to_string()),
            "checkin" => acks.checkins.push(value.to_string()),
            "notes" => acks.notes.push(value.to_string()),
            other => panic!("unexpected line kind from crashwriter: {other}"),
        }
    }
    acks
}

/// Reads all of stderr as text.
fn read_all(mut pipe: impl Read) -> String {
    let mut text = String::new();
    let _ = pipe.read_to_string(&mut text);
    text
}

/// Spawns the writer, kills it `delay` after its first acknowledgement (or
/// after the spawn when `from_spawn`), and returns what it acknowledged.
fn run_writer(
    fixture: &Fixture,
    run: u64,
    delay: Duration,
    from_spawn: bool,
) -> (Acks, ExitStatus, String) {
    let spawned = Instant::now();
    let mut child: Child = Command::new(env!("CARGO_BIN_EXE_crashwriter"))
        .arg(&fixture.db)
        .arg(WORKER_ID)
        .arg(&fixture.household_id)
        .arg(&fixture.shift_id)
        .arg(run.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (first_tx, first_rx) = mpsc::channel();
    let stdout = std::thread::spawn(move || collect_acks(stdout, spawned, first_tx));
    let stderr = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || read_all(stderr));
    if !from_spawn {
        // A timeout or a closed channel (the writer died) falls through to
        // the kill; the exit status check then reports what happened.
        let _ = first_rx.recv_timeout(FIRST_ACK_TIMEOUT);
    }
    std::thread::sleep(delay);
    // SIGKILL on Unix. An error here means the child is already gone; the
    // exit status below tells why.
    let _ = child.kill();
    let status = child.wait().unwrap();
    let acks = stdout.join().unwrap();
    let stderr = stderr.join().unwrap();
    (acks, status, stderr)
}

/// `PRAGMA integrity_check` through a connection of its own; must be exactly `ok`.
fn integrity_check(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("PRAGMA integrity_check").unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// The step number of a notes text the writer wrote in `run`, if it is one.
fn notes_step(notes: &str, run: u64) -> Option<u64> {
    notes
        .strip_prefix(&format!("crash run {run} update "))?
        .parse()
        .ok()
}

/// Everything acknowledged so far, across runs.
#[derive(Default)]
struct Ledger {
    /// Visit ids.
    visits: BTreeSet<String>,
    /// Check-in ids.
    checkins: BTreeSet<String>,
    /// The household notes found after the previous run.
    notes: Option<String>,
}

/// Opens the store after a kill and checks it against everything acknowledged.
fn verify(fixture: &Fixture, run: u64, acks: &Acks, ledger: &mut Ledger, context: &str) {
    let integrity = integrity_check(&fixture.db);
    assert_eq!(
        integrity,
        vec!["ok".to_string()],
        "{context}: integrity_check"
    );

    let store = Store::open(&fixture.db, identity())
        .unwrap_or_else(|e| panic!("{context}: store does not open after the kill: {e}"));

    ledger.visits.extend(acks.visits.iter().cloned());
    ledger.checkins.extend(acks.checkins.iter().cloned());

    let detail = store.household(&fixture.household_id).unwrap();
    let household_visits: BTreeSet<String> = detail.visits.iter().map(|v| v.id.clone()).collect();
    let lost: Vec<&String> = ledger.visits.difference(&household_visits).collect();
    assert!(
        lost.is_empty(),
        "{context}: {} acknowledged visit(s) missing from household(): {lost:?}",
        lost.len()
    );
    let today = store.today();
    let by_worker: BTreeSet<String> = store
        .visits_by_worker(WORKER_ID, today.add_days(-2), today.add_days(1))
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    let lost: Vec<&String> = ledger.visits.difference(&by_worker).collect();
    assert!(
        lost.is_empty(),
        "{context}: {} acknowledged visit(s) missing from visits_by_worker(): {lost:?}",
        lost.len()
    );

    let checkins: BTreeSet<String> = store
        .shift_checkins(&fixture.shift_id)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let lost: Vec<&String> = ledger.checkins.difference(&checkins).collect();
    assert!(
        lost.is_empty(),
        "{context}: {} acknowledged check-in(s) missing: {lost:?}",
        lost.len()
    );

    // The notes must be the last acknowledged update of this run, or a later
    // update of this run that committed before the kill cut off its
    // acknowledgement; with no acknowledged update, they may also be unchanged.
    let stored = detail.household.notes.clone().unwrap_or_default();
    let stored_step = notes_step(&stored, run);
    let notes_ok = match acks.notes.last() {
        Some(last) => {
            let last_step = notes_step(last, run).unwrap();
            stored == *last || stored_step.is_some_and(|s| s > last_step)
        }
        None => stored_step.is_some() || Some(&stored) == ledger.notes.as_ref(),
    };
    assert!(
        notes_ok,
        "{context}: household notes {stored:?} after acknowledged {:?} (previously {:?})",
        acks.notes.last(),
        ledger.notes
    );
    ledger.notes = Some(stored);

    let before = store.query_table_dump().unwrap();
    store.rebuild().unwrap();
    let after = store.query_table_dump().unwrap();
    if before != after {
        let mut report = String::new();
        for (table, rows) in &before {
            let rebuilt = after.get(table).cloned().unwrap_or_default();
            if *rows != rebuilt {
                let old: BTreeSet<&String> = rows.iter().collect();
                let new: BTreeSet<&String> = rebuilt.iter().collect();
                report.push_str(&format!(
                    "\n  {table}: only incremental {:?}\n  {table}: only rebuilt {:?}",
                    old.difference(&new).collect::<Vec<_>>(),
                    new.difference(&old).collect::<Vec<_>>()
                ));
            }
        }
        panic!("{context}: query tables differ from a rebuild:{report}");
    }
    drop(store);
}

/// Kills the writer 60 times at random moments and checks the store after each kill.
#[test]
fn sigkill_during_writes_loses_nothing_acknowledged() {
    let seed = seed();
    println!("crash test seed: {seed} (replay with CRASH_SEED={seed})");
    let mut rng = Rng(seed);
    let started = Instant::now();
    let fixture = fixture();
    let mut ledger = Ledger {
        notes: Some(INITIAL_NOTES.to_string()),
        ..Ledger::default()
    };
    let mut kills_mid_write = 0u64;
    let mut acknowledged = 0usize;
    for run in 0..RUNS {
        let delay = Duration::from_millis(rng.range(KILL_MIN_MS, KILL_MAX_MS));
        let from_spawn = run % FROM_SPAWN_EVERY == FROM_SPAWN_EVERY - 1;
        let since = if from_spawn { "spawn" } else { "first ack" };
        let context = format!("seed {seed}, run {run}, kill {delay:?} after {since}");
        let (acks, status, stderr) = run_writer(&fixture, run, delay, from_spawn);
        assert_eq!(
            status.signal(),
            Some(SIGKILL),
            "{context}: crashwriter was not killed by SIGKILL ({status}); stderr:\n{stderr}"
        );
        if acks.len() > 0 {
            kills_mid_write += 1;
        }
        acknowledged += acks.len();
        println!(
            "run {run}: kill {delay:?} after {since}, {} acknowledged, first {:?} after spawn",
            acks.len(),
            acks.first_after
        );
        verify(&fixture, run, &acks, &mut ledger, &context);
    }
    println!(
        "crash test: {RUNS} kills, {kills_mid_write} mid-write, {acknowledged} writes \
         acknowledged ({} visits, {} check-ins), {:?}",
        ledger.visits.len(),
        ledger.checkins.len(),
        started.elapsed()
    );
    assert!(!ledger.visits.is_empty(), "no visit was ever acknowledged");
    assert!(
        kills_mid_write >= MIN_KILLS_MID_WRITE,
        "only {kills_mid_write} of {RUNS} kills hit a writer that had acknowledged a write"
    );
}
