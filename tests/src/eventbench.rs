//! What grid events cost on a phone, for `gridbench`: reporting an event
//! with a ~300 KB photo (`event_report_us_p50`), taking a step
//! (`event_step_us_p50`), listing a grid's open events when it has 2,000
//! (`events_open_list_ms`), and the store's size with 200 photos in it
//! (`store_bytes_with_200_photos`).
//!
//! It uses its own store with one grid, so the five-year grid's history
//! does not blur what events cost. The photos are real PNGs (a zlib stream
//! of stored blocks, correct CRCs and Adler-32) of noise, so that nothing
//! compresses them; each is different, since photos are stored once by
//! their SHA-256. To add a measurement: a field in [`EventBench`], timed in
//! [`measure`].

use std::path::Path;
use std::time::Instant;

use gridbook::codes::{EventSource, StepAction, Urgency};
use gridbook::{EventInput, EventStepInput, GridInput, Store, Timestamp, WorkerIdentity};

use crate::rng::SplitMix64;
use crate::scratch::sqlite_file_bytes;
use crate::sim::SimError;
use crate::stats::{median, micros, millis, percentile};
use crate::timefmt::now_ms;

/// Events reported with a photo each (and the photos in the store).
pub const PHOTO_EVENTS: usize = 200;
/// Events in the grid when its open list is read.
pub const OPEN_EVENTS: usize = 2000;
/// Repetitions of the open-list read.
const LIST_RUNS: usize = 9;
/// The photo's side in pixels: 320 × 320 RGB is 300 KiB of pixels.
const SIDE: usize = 320;

/// The event measurements of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventBench {
    /// Median µs of `add_photo` (a ~300 KB PNG) plus `report_event` with it.
    pub report_us_p50: f64,
    /// The photo's size as given, in bytes.
    pub photo_bytes: usize,
    /// Median µs of one `take_event_step` (accept, escalate, dispatch).
    pub step_us_p50: f64,
    /// Median ms of `events_open` on a grid with [`OPEN_EVENTS`] open events.
    pub open_list_ms: f64,
    /// Open events the list returned.
    pub open_listed: usize,
    /// The store file and its WAL after a TRUNCATE checkpoint, with
    /// [`PHOTO_EVENTS`] photos and their events (three steps each) in it.
    pub store_bytes_with_photos: u64,
}

/// CRC-32 (ISO-HDLC, as PNG uses), bit by bit: a few hundred KB, once per photo.
fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let mut out = len.to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
    out
}

/// A 320 × 320 RGB PNG of seeded noise (about 300 KB), as a camera's
/// photo would weigh after an app's resizing.
pub fn noise_png(seed: u64) -> Vec<u8> {
    noise_png_of_side(seed, SIDE)
}

/// A `side` × `side` RGB PNG of seeded noise (3·side² bytes of pixels and
/// about 70 more; `side` a multiple of 8).
pub fn noise_png_of_side(seed: u64, side: usize) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed);
    let mut raw = Vec::with_capacity(side * (side * 3 + 1));
    for _ in 0..side {
        // Each row starts with its filter type: none.
        raw.extend_from_slice(&[0]);
        for _ in 0..side * 3 / 8 {
            raw.extend_from_slice(&rng.next_u64().to_le_bytes());
        }
    }
    // zlib: no compression, stored blocks of at most 65,535 bytes.
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());
    let side = u32::try_from(side).unwrap_or(0);
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter method, no interlace
    [
        b"\x89PNG\r\n\x1a\n".to_vec(),
        chunk(b"IHDR", &ihdr),
        chunk(b"IDAT", &zlib),
        chunk(b"IEND", &[]),
    ]
    .concat()
}

/// The `k`-th benchmark event of `grid` at `at`, naming `photos`.
pub(crate) fn event(grid: &str, k: usize, at: Timestamp, photos: Vec<String>) -> EventInput {
    let categories = ["fire_lane_blocked", "ebike_charging", "facility_repair"];
    EventInput {
        grid_id: grid.to_string(),
        category: categories
            .get(k % categories.len())
            .copied()
            .unwrap_or("facility_repair")
            .to_string(),
        description: format!("{}号楼楼道内堆放杂物", k % 40 + 1),
        urgency: Urgency::Normal,
        building_id: None,
        household_id: None,
        gps: None,
        address: Some("文新街道".to_string()),
        source: EventSource::DoorKnocking,
        source_record_id: None,
        residents_involved: vec![],
        at,
        photos,
    }
}

fn step(event_id: &str, action: StepAction, at: Timestamp) -> EventStepInput {
    EventStepInput {
        event_id: event_id.to_string(),
        action,
        at,
        comment: None,
        photos: vec![],
        assignee: (action == StepAction::Dispatch).then(|| "w-dept-bench".to_string()),
        level: (action == StepAction::Escalate).then_some(2),
        extension: None,
        satisfaction: None,
    }
}

/// Creates a store at `path` as `identity` (a grid head), reports
/// [`PHOTO_EVENTS`] events with a photo each and then plain ones up to
/// [`OPEN_EVENTS`], takes three steps on each photo event, and reads the
/// open list. The size is taken after the photo events and their steps,
/// before the plain events.
pub fn measure(path: &Path, identity: &WorkerIdentity) -> Result<EventBench, SimError> {
    let store = Store::open(path, identity.clone())?;
    let grid = store.create_grid(GridInput {
        code: "330106001001002".into(),
        name: "文新二网格".into(),
        community: None,
        street: None,
        boundary: None,
    })?;
    // Every time in the past (reports must not be in the future), each
    // later than the last, one millisecond apart.
    let start = now_ms() - 24 * 3_600_000;
    let mut tick = 0i64;
    let mut next = || {
        tick += 1;
        Timestamp {
            utc_ms: start + tick,
            offset_minutes: 480,
        }
    };
    let mut report_samples = Vec::with_capacity(PHOTO_EVENTS);
    let mut reported = Vec::with_capacity(PHOTO_EVENTS);
    let mut photo_bytes = 0;
    for k in 0..PHOTO_EVENTS {
        let png = noise_png(0x9E37_79B9 ^ k as u64);
        photo_bytes = png.len();
        let at = next();
        let begin = Instant::now();
        let photo = store.add_photo(&grid, &png)?;
        let id = store.report_event(event(&grid, k, at, vec![photo.id]))?;
        report_samples.push(micros(begin.elapsed()));
        reported.push(id);
    }
    let mut step_samples = Vec::with_capacity(PHOTO_EVENTS * 3);
    for id in &reported {
        for action in [
            StepAction::Accept,
            StepAction::Escalate,
            StepAction::Dispatch,
        ] {
            let at = next();
            let begin = Instant::now();
            store.take_event_step(step(id, action, at))?;
            step_samples.push(micros(begin.elapsed()));
        }
    }
    // The size with the photos, before the plain events are added.
    drop(store);
    let conn = rusqlite::Connection::open(path)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    drop(conn);
    let store_bytes_with_photos = sqlite_file_bytes(path);
    let store = Store::open(path, identity.clone())?;
    for k in PHOTO_EVENTS..OPEN_EVENTS {
        let at = next();
        store.report_event(event(&grid, k, at, vec![]))?;
    }
    let mut list_samples = Vec::with_capacity(LIST_RUNS);
    let mut open_listed = 0;
    for _ in 0..LIST_RUNS {
        let begin = Instant::now();
        open_listed = store.events_open(&grid)?.len();
        list_samples.push(millis(begin.elapsed()));
    }
    Ok(EventBench {
        report_us_p50: percentile(&report_samples, 50.0),
        photo_bytes,
        step_us_p50: percentile(&step_samples, 50.0),
        open_list_ms: median(&list_samples),
        open_listed,
        store_bytes_with_photos,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_measurement_runs_on_real_photos_and_lists_every_open_event() {
        let dir = tempfile::tempdir().unwrap();
        let identity = WorkerIdentity {
            worker_id: "w-bench".into(),
            name: "基准测试员".into(),
            role: gridbook::codes::WorkerRole::GridHead,
            device_label: "基准测试机".into(),
        };
        let bench = measure(&dir.path().join("events.db"), &identity).unwrap();
        assert_eq!(bench.open_listed, OPEN_EVENTS);
        assert!((300_000..320_000).contains(&bench.photo_bytes));
        // The photos are noise: stored whole, never deduplicated.
        let photos = u64::try_from(PHOTO_EVENTS * bench.photo_bytes).unwrap();
        assert!(bench.store_bytes_with_photos > photos);
        assert_ne!(noise_png(1), noise_png(2));
    }
}
