//! `crashwriter`: the child process of the crash test (`tests/tests/crash.rs`).
//!
//! Usage: `crashwriter <db path> <worker id> <household id> <shift id> <run>`.
//!
//! It opens the store as the worker (the identity must match the one the
//! store was created with; see [`identity`]), with compaction after every 16
//! change chunks so compaction runs often, and then writes until it is
//! killed. After each write returns `Ok` it prints one line and flushes:
//!
//! - `visit <id>` for a logged visit,
//! - `checkin <id>` for a patrol check-in,
//! - `notes <text>` for a household notes update.
//!
//! A line on stdout therefore means the write was acknowledged. Nothing
//! printed carries personal data: ids and synthetic notes only. Errors go to
//! stderr and end the process with status 1.

use std::io::Write;
use std::process::ExitCode;

use gridbook::codes::{CodeList, FindingKind, Resolution, VisitKind, VisitOutcome, WorkerRole};
use gridbook::{
    CheckinInput, FindingInput, GeoPoint, GpsFix, HouseholdInput, OpenOptions, Store, Timestamp,
    VisitInput, WorkerIdentity,
};

/// The grid's local UTC offset (China).
const OFFSET_MINUTES: i32 = 480;

/// The checkpoints of the shift the crash test creates; check-ins pick one.
const CHECKPOINTS: [&str; 2] = ["gate", "bike shed"];

/// The identity the crash test creates the store with, for a worker id.
fn identity(worker_id: &str) -> WorkerIdentity {
    WorkerIdentity {
        worker_id: worker_id.to_string(),
        name: "Crash Writer".to_string(),
        role: WorkerRole::Assistant,
        device_label: "crash test device".to_string(),
    }
}

/// A small xorshift64* generator, so the writer needs no crate for randomness.
struct Rng(u64);

impl Rng {
    /// A generator from a seed (any value; zero is remapped).
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next pseudo-random number.
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A value picked from a non-empty slice.
    fn pick<T: Copy>(&mut self, values: &[T]) -> T {
        let len = u64::try_from(values.len()).unwrap_or(u64::MAX);
        let index = usize::try_from(self.below(len)).unwrap_or(0);
        values[index.min(values.len().saturating_sub(1))]
    }
}

/// Command-line arguments.
struct Args {
    /// The store file.
    db: String,
    /// The worker the store belongs to.
    worker_id: String,
    /// The household to visit and update.
    household_id: String,
    /// The shift to check in to.
    shift_id: String,
    /// The test's iteration number: seeds the generator and tags the notes.
    run: u64,
}

/// Parses the command line.
fn parse_args() -> Result<Args, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, worker_id, household_id, shift_id, run] = args.as_slice() else {
        return Err(
            "usage: crashwriter <db path> <worker id> <household id> <shift id> <run>".into(),
        );
    };
    let run = run
        .parse::<u64>()
        .map_err(|e| format!("bad run number: {e}"))?;
    Ok(Args {
        db: db.clone(),
        worker_id: worker_id.clone(),
        household_id: household_id.clone(),
        shift_id: shift_id.clone(),
        run,
    })
}

/// The current time in UTC milliseconds.
fn now_ms() -> Result<i64, String> {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| format!("clock before 1970: {e}"))?;
    i64::try_from(elapsed.as_millis()).map_err(|e| format!("clock out of range: {e}"))
}

/// A time a little before now, in the grid's local offset.
fn recent(rng: &mut Rng) -> Result<Timestamp, String> {
    let back = i64::try_from(rng.below(10 * 60 * 1000)).unwrap_or(0);
    Ok(Timestamp {
        utc_ms: now_ms()? - back,
        offset_minutes: OFFSET_MINUTES,
    })
}

/// A GPS fix near the test grid, or none.
fn maybe_gps(rng: &mut Rng) -> Option<GpsFix> {
    if rng.below(2) == 0 {
        return None;
    }
    let jitter = |r: &mut Rng| (r.below(1000) as f64) / 1_000_000.0;
    Some(GpsFix {
        point: GeoPoint {
            lon: 121.47 + jitter(rng),
            lat: 31.23 + jitter(rng),
        },
        accuracy_m: 3.0 + (rng.below(50) as f64),
    })
}

/// A visit to the household with varying kind, outcome, findings and GPS.
fn visit(rng: &mut Rng, household_id: &str, step: u64) -> Result<VisitInput, String> {
    let findings = (0..rng.below(3))
        .map(|n| FindingInput {
            id: None,
            kind: rng.pick(FindingKind::ALL),
            text: format!("crash finding {step}.{n}"),
            resolution: rng.pick(Resolution::ALL),
        })
        .collect();
    Ok(VisitInput {
        household_id: household_id.to_string(),
        at: recent(rng)?,
        kind: rng.pick(VisitKind::ALL),
        outcome: rng.pick(VisitOutcome::ALL),
        residents_seen: Vec::new(),
        notes: Some(format!("crash visit {step}")),
        findings,
        gps: maybe_gps(rng),
    })
}

/// Writes one acknowledgement line and flushes it.
fn ack(out: &mut impl Write, kind: &str, value: &str) -> Result<(), String> {
    writeln!(out, "{kind} {value}").map_err(|e| format!("stdout: {e}"))?;
    out.flush().map_err(|e| format!("stdout: {e}"))
}

/// Opens the store and writes until killed.
fn run(args: &Args) -> Result<(), String> {
    let options = OpenOptions {
        compact_after_changes: 16,
        ..OpenOptions::default()
    };
    let store = Store::open_with(&args.db, identity(&args.worker_id), options)
        .map_err(|e| format!("open: {e}"))?;
    let current = store
        .household(&args.household_id)
        .map_err(|e| format!("household: {e}"))?
        .household;
    let mut rng = Rng::new(args.run ^ 0xC0FF_EE00);
    let mut out = std::io::stdout().lock();
    for step in 0u64.. {
        if step % 5 == 4 {
            let notes = format!("crash run {} update {step}", args.run);
            let input = HouseholdInput {
                building_id: current.building_id.clone(),
                unit: current.unit.clone(),
                floor: current.floor,
                room: current.room.clone(),
                use_kind: current.use_kind,
                tags: current.tags.clone(),
                location: current.location,
                notes: Some(notes.clone()),
            };
            store
                .update_household(&args.household_id, input)
                .map_err(|e| format!("update_household: {e}"))?;
            ack(&mut out, "notes", &notes)?;
        } else if step % 7 == 6 {
            let input = CheckinInput {
                shift_id: args.shift_id.clone(),
                member_id: args.worker_id.clone(),
                at: recent(&mut rng)?,
                checkpoint: rng.pick(&CHECKPOINTS).to_string(),
                gps: maybe_gps(&mut rng),
            };
            let id = store
                .record_checkin(input)
                .map_err(|e| format!("record_checkin: {e}"))?;
            ack(&mut out, "checkin", &id)?;
        } else {
            let input = visit(&mut rng, &args.household_id, step)?;
            let id = store
                .log_visit(input)
                .map_err(|e| format!("log_visit: {e}"))?;
            ack(&mut out, "visit", &id)?;
        }
    }
    Ok(())
}

/// Runs the writer; any error is printed to stderr and ends the process with status 1.
fn main() -> ExitCode {
    let outcome = parse_args().and_then(|args| run(&args));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("crashwriter: {message}");
            ExitCode::FAILURE
        }
    }
}
