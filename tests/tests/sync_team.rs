//! A grid's team of 8 syncs through the real `gridbook-server` process:
//! everyone edits offline (every kind of record) over several simulated
//! days and syncs at random moments in random orders; at the end all
//! devices, and a new device bootstrapped from the server, hold the same
//! rows, and every acknowledged record is there exactly once. Run against
//! both storage backends.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use gridbook::codes::WorkerRole;

const WORKERS: usize = 8;
const DAYS: usize = 5;

fn role(i: usize) -> WorkerRole {
    match i {
        0 => WorkerRole::GridHead,
        1 | 2 => WorkerRole::Assistant,
        3 => WorkerRole::PoliceOfficer,
        4 | 5 => WorkerRole::BuildingHead,
        _ => WorkerRole::PatrolVolunteer,
    }
}

fn team_converges(backend: Backend, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    // Compact often, so that the final bootstrap reads snapshots and the log.
    let server = ServerProcess::start(backend, &["--compact-after", "150"]);
    let head_token = server.enrol("w0", role(0), None, true);
    let head = Device::new(
        dir.path(),
        "w0",
        role(0),
        client_options(&server.url(), &head_token),
    );
    let grid = seed_grid(&head.store);
    head.sync(1);

    let mut devices = vec![head];
    for i in 1..WORKERS {
        let worker = format!("w{i}");
        let token = server.enrol(&worker, role(i), Some(&grid), false);
        let device = Device::new(
            dir.path(),
            &worker,
            role(i),
            client_options(&server.url(), &token),
        );
        let report = device.sync(1);
        assert_eq!(report.round_trips, 1, "{worker}'s first sync");
        devices.push(device);
    }
    let mut rng = Rng(seed);
    let mut ack = Acknowledged::default();
    let mut syncs = 0;
    for _day in 0..DAYS {
        // A day: 40 events, each an edit by a random worker or a sync.
        for _ in 0..40 {
            let device = &devices[rng.below(WORKERS as u64) as usize];
            if rng.below(4) == 0 {
                device.sync(1);
                syncs += 1;
            } else {
                let kind = rng.below(KINDS as u64) as u8;
                let (a, b) = (rng.below(1000) as usize, rng.below(1000) as usize);
                edit(
                    &device.store,
                    &grid,
                    kind,
                    a,
                    b,
                    &mut ack,
                    OnRefusal::SkipRetiredOrNotFound,
                );
            }
        }
    }
    assert!(syncs > 20, "the schedule synced only {syncs} times");
    for _ in 0..2 {
        for device in &devices {
            device.sync(1);
        }
    }
    let token = server.enrol("w9", WorkerRole::Assistant, Some(&grid), false);
    let newcomer = Device::new(
        dir.path(),
        "w9",
        WorkerRole::Assistant,
        client_options(&server.url(), &token),
    );
    newcomer.sync(1);
    let mut all: Vec<&Device> = devices.iter().collect();
    all.push(&newcomer);
    assert_converged(&all);
    assert_nothing_lost(&newcomer, &ack);
    assert!(ack.records.len() > 50, "only {} records", ack.records.len());
}

#[test]
fn eight_workers_converge_through_the_server_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    team_converges(Backend::Sqlite(dir.path().to_path_buf()), 0x5eed_0001);
}

#[test]
fn eight_workers_converge_through_the_server_on_postgres() {
    team_converges(Backend::Postgres(server::fresh_postgres()), 0x5eed_0002);
}
