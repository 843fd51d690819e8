//! Shared pieces of the integration tests: the server process, the faulty
//! proxy, random edits (`edits`, also behind the merge property test
//! `convergence.rs`), and a grid's team of devices. Each test file declares
//! `mod common;` and uses what it needs.
#![allow(
    dead_code,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod edits;
pub mod proxy;
pub mod server;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use gridbook::codes::*;
use gridbook::sync::{CancelToken, SyncClient, SyncClientOptions, SyncError, SyncProgress};
use gridbook::*;

pub use edits::{Acknowledged, KINDS, OnRefusal, edit};
pub use server::{Backend, ServerProcess};

/// One worker's phone: a store and a sync client.
pub struct Device {
    /// The worker id.
    pub worker: String,
    /// The store on the phone.
    pub store: Store,
    client: SyncClient,
}

/// Client settings for tests: short waits, so retries do not dominate run time.
pub fn client_options(url: &str, token: &str) -> SyncClientOptions {
    let mut options = SyncClientOptions::new(url, token);
    options.initial_backoff = Duration::from_millis(5);
    options.max_backoff = Duration::from_millis(50);
    options.request_timeout = Duration::from_secs(20);
    options.max_attempts = 6;
    options
}

impl Device {
    /// A new store for `worker` in `dir`, syncing with `options`.
    pub fn new(dir: &Path, worker: &str, role: WorkerRole, options: SyncClientOptions) -> Device {
        let store = Store::open(
            dir.join(format!("{worker}-{}.db", uuid_suffix())),
            WorkerIdentity {
                worker_id: worker.into(),
                name: format!("{worker} 姓名"),
                role,
                device_label: format!("{worker}'s phone"),
            },
        )
        .unwrap();
        Device {
            worker: worker.into(),
            store,
            client: SyncClient::new(options).unwrap(),
        }
    }

    /// One sync; errors are returned (a phone would try again later).
    pub fn try_sync(&self) -> Result<SyncProgress, SyncError> {
        self.client
            .sync(&self.store, &mut |_| {}, &CancelToken::new())
    }

    /// Syncs, trying again (up to `attempts` times) after failures a bad network causes.
    pub fn sync(&self, attempts: u32) -> SyncProgress {
        let mut last = None;
        for _ in 0..attempts {
            match self.try_sync() {
                Ok(report) => return report,
                Err(e @ SyncError::Unreachable(_)) => last = Some(e),
                Err(other) => panic!("{} sync failed: {other}", self.worker),
            }
        }
        panic!("{} could not sync: {last:?}", self.worker)
    }

    /// The query tables.
    pub fn dump(&self) -> BTreeMap<String, Vec<String>> {
        self.store.query_table_dump().unwrap()
    }
}

fn uuid_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos:x}")
}

/// Creates a grid with one building, household, resident, a patrol team
/// (members m0..m3) and a shift with m0: enough for every kind of random edit.
pub fn seed_grid(store: &Store) -> String {
    let grid = store
        .create_grid(GridInput {
            code: "330106001001001".into(),
            name: "文新一网格".into(),
            community: Some("文新社区".into()),
            street: None,
            boundary: None,
        })
        .unwrap();
    let building = store
        .create_building(
            &grid,
            BuildingInput {
                number: "1栋".into(),
                estate: None,
                units: 2,
                floors: 6,
                location: None,
            },
        )
        .unwrap();
    store
        .create_household(HouseholdInput {
            building_id: building,
            unit: "1".into(),
            floor: 1,
            room: "101".into(),
            use_kind: DwellingUse::OwnerOccupied,
            tags: vec![],
            location: None,
            notes: None,
        })
        .unwrap();
    let team = store
        .create_patrol_team(
            &grid,
            "巡逻队",
            (0..4)
                .map(|i| TeamMember {
                    member_id: format!("m{i}"),
                    name: format!("队员{i}"),
                })
                .collect(),
        )
        .unwrap();
    let shift = store
        .create_shift(ShiftInput {
            team_id: team,
            date: store.today(),
            starts: TimeOfDay::new(18, 30).unwrap(),
            ends: TimeOfDay::new(20, 30).unwrap(),
            route: vec!["东门".into(), "3栋".into()],
        })
        .unwrap();
    store.assign_to_shift(&shift, "m0").unwrap();
    grid
}

/// Every device has the same query rows as the first, and as its own rebuild.
pub fn assert_converged(devices: &[&Device]) {
    let reference = devices[0].dump();
    for device in devices {
        let dump = device.dump();
        for (table, rows) in &reference {
            assert_eq!(
                &dump[table], rows,
                "{} differs from {} in {table}",
                device.worker, devices[0].worker
            );
        }
        assert_eq!(device.store.sync_status().unwrap().unsent_changes, 0);
    }
    devices[0].store.rebuild().unwrap();
    assert_eq!(devices[0].dump(), reference, "rebuild differs");
}

/// Every acknowledged record is present, each exactly once.
pub fn assert_nothing_lost(device: &Device, ack: &Acknowledged) {
    let dump = device.dump();
    for (kind, id) in &ack.records {
        let table = edits::table_of(kind);
        let rows = dump[table]
            .iter()
            .filter(|row| row.starts_with(&format!("Text({id:?})")))
            .count();
        assert_eq!(rows, 1, "acknowledged {kind} {id} is there {rows} times");
    }
    for (kind, table) in [("visit", "visits"), ("checkin", "checkins")] {
        let acked = ack.records.iter().filter(|(k, _)| *k == kind).count();
        // Only records the test made: the seeded grid has no visits or check-ins.
        assert_eq!(dump[table].len(), acked, "{table}: rows vs acknowledged");
    }
}

/// A small seeded generator for test schedules.
pub struct Rng(pub u64);

impl Rng {
    /// The next value in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n.max(1)
    }
}
