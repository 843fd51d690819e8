//! Syncing through a faulty network and a crashing server. A proxy between
//! the devices and the real `gridbook-server` process drops requests, drops
//! responses after the server committed, duplicates and replays requests,
//! and cuts bodies short; separately the server is SIGKILLed in the middle
//! of a long sync and restarted. In every case the devices converge, and
//! every acknowledged record is there exactly once: nothing lost, nothing
//! duplicated.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::VecDeque;
use std::time::Duration;

use common::proxy::{Fault, FaultProxy, Plan};
use common::*;
use gridbook::codes::WorkerRole;
use gridbook::sync::SyncError;

struct Setup {
    _dir: tempfile::TempDir,
    server: ServerProcess,
    proxy: FaultProxy,
    grid: String,
    devices: Vec<Device>,
}

/// A server, a proxy in front of it, and `workers` devices syncing through it.
fn setup(workers: usize, max_attempts: u32, max_push_bytes: usize) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        Backend::Sqlite(dir.path().join("server")),
        &["--compact-after", "100"],
    );
    let proxy = FaultProxy::start(&server.addr, Plan::Script(VecDeque::new()));
    let mut devices = Vec::new();
    let mut grid = String::new();
    for i in 0..workers {
        let worker = format!("w{i}");
        let token = if i == 0 {
            server.enrol(&worker, WorkerRole::Assistant, None, true)
        } else {
            server.enrol(&worker, WorkerRole::Assistant, Some(&grid), false)
        };
        let mut options = client_options(&proxy.url(), &token);
        options.max_attempts = max_attempts;
        options.limits.max_push_bytes = max_push_bytes;
        let device = Device::new(dir.path(), &worker, WorkerRole::Assistant, options);
        if i == 0 {
            grid = seed_grid(&device.store);
        }
        device.sync(1);
        devices.push(device);
    }
    Setup {
        _dir: dir,
        server,
        proxy,
        grid,
        devices,
    }
}

fn random_edits(setup: &Setup, rng: &mut Rng, ack: &mut Acknowledged, count: usize) {
    for _ in 0..count {
        let device = &setup.devices[rng.below(setup.devices.len() as u64) as usize];
        let kind = rng.below(KINDS as u64) as u8;
        let (a, b) = (rng.below(1000) as usize, rng.below(1000) as usize);
        edit(
            &device.store,
            &setup.grid,
            kind,
            a,
            b,
            ack,
            OnRefusal::SkipRetiredOrNotFound,
        );
    }
}

fn finish(setup: &Setup, ack: &Acknowledged) {
    setup.proxy.set_plan(Plan::Script(VecDeque::new()));
    for _ in 0..2 {
        for device in &setup.devices {
            device.sync(1);
        }
    }
    let devices: Vec<&Device> = setup.devices.iter().collect();
    assert_converged(&devices);
    for device in &setup.devices {
        assert_nothing_lost(device, ack);
    }
}

#[test]
fn every_kind_of_fault_is_survived() {
    let setup = setup(3, 8, 1 << 20);
    let mut rng = Rng(0xfa17);
    let mut ack = Acknowledged::default();
    let faults = [
        Fault::DropRequest,
        Fault::DropResponse,
        Fault::Duplicate,
        Fault::ReplayOld,
        Fault::TruncateRequest,
        Fault::TruncateResponse,
    ];
    for round in 0..4 {
        for fault in faults {
            random_edits(&setup, &mut rng, &mut ack, 6);
            // The fault hits the next request; the client retries through it.
            setup
                .proxy
                .set_plan(Plan::Script(VecDeque::from([fault, fault])));
            let device = &setup.devices[(round + rng.below(3) as usize) % 3];
            let report = device.sync(1);
            assert!(report.retries >= 1 || matches!(fault, Fault::Duplicate | Fault::ReplayOld));
        }
    }
    let applied = setup.proxy.applied();
    for fault in faults {
        assert!(
            applied.iter().filter(|f| **f == fault).count() >= 4,
            "{fault:?} applied too rarely: {applied:?}"
        );
    }
    finish(&setup, &ack);
}

#[test]
fn thirty_percent_loss_converges() {
    // Few attempts per sync: some syncs fail outright and are tried later.
    let setup = setup(4, 3, 1 << 20);
    setup.proxy.set_plan(Plan::Random {
        loss: 30,
        state: 0x10_55,
    });
    let mut rng = Rng(0x10_55);
    let mut ack = Acknowledged::default();
    let mut failed = 0;
    for _ in 0..150 {
        random_edits(&setup, &mut rng, &mut ack, 2);
        let device = &setup.devices[rng.below(4) as usize];
        match device.try_sync() {
            Ok(_) => {}
            Err(SyncError::Unreachable(_)) => failed += 1,
            Err(other) => panic!("unexpected sync error {other}"),
        }
    }
    let applied = setup.proxy.applied();
    let harmed = applied.iter().filter(|f| **f != Fault::None).count();
    assert!(
        harmed * 100 >= applied.len() * 20,
        "only {harmed} of {} requests were harmed",
        applied.len()
    );
    eprintln!(
        "{harmed} of {} requests harmed, {failed} syncs failed",
        applied.len()
    );
    finish(&setup, &ack);
}

#[test]
fn a_server_killed_mid_sync_loses_nothing() {
    // Small pushes: a day's visits take many requests, so kills land mid-sync.
    let mut setup = setup(2, 2, 2048);
    let mut rng = Rng(0xdead);
    let mut ack = Acknowledged::default();
    let mut interrupted = 0;
    for round in 0..5 {
        // A long day offline: many visits, pushed in many small requests.
        for _ in 0..60 {
            edit(
                &setup.devices[0].store,
                &setup.grid,
                7,
                rng.below(1000) as usize,
                0,
                &mut ack,
                OnRefusal::SkipRetiredOrNotFound,
            );
        }
        let delay = Duration::from_millis(20 + rng.below(200));
        let device = &setup.devices[0];
        let outcome = std::thread::scope(|scope| {
            let sync = scope.spawn(|| device.try_sync());
            std::thread::sleep(delay);
            setup.server.kill();
            sync.join().unwrap()
        });
        setup.server.restart();
        setup.proxy.set_upstream(&setup.server.addr);
        match outcome {
            Ok(_) => {}
            Err(SyncError::Unreachable(_)) => interrupted += 1,
            Err(other) => panic!("round {round}: unexpected {other}"),
        }
        setup.devices[0].sync(3);
        setup.devices[1].sync(3);
    }
    assert!(
        interrupted >= 3,
        "only {interrupted} of 5 kills interrupted a sync"
    );
    finish(&setup, &ack);
}
