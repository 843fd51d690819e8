//! The sync client against the real server: progress reports, cancellation,
//! refused tokens and grids, a reinstalled app on the same device, and
//! HTTPS with a district's own certificate.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use gridbook::codes::WorkerRole;
use gridbook::sync::{CancelToken, SyncClient, SyncError, SyncStage};

fn head_with_grid(dir: &std::path::Path, server: &ServerProcess) -> (Device, String, String) {
    let token = server.enrol("w0", WorkerRole::GridHead, None, true);
    let head = Device::new(
        dir,
        "w0",
        WorkerRole::GridHead,
        client_options(&server.url(), &token),
    );
    let grid = seed_grid(&head.store);
    (head, grid, token)
}

#[test]
fn progress_is_reported_stage_by_stage() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(Backend::Sqlite(dir.path().join("server")), &[]);
    let (head, _, token) = head_with_grid(dir.path(), &server);
    let unsent = head.store.sync_status().unwrap().unsent_changes;
    assert!(unsent > 5);
    let mut options = client_options(&server.url(), &token);
    // Three changes per request: several round trips, each reported.
    options.limits.max_push_bytes = 1;
    let client = SyncClient::new(options).unwrap();
    let mut seen = Vec::new();
    let report = client
        .sync(&head.store, &mut |p| seen.push(*p), &CancelToken::new())
        .unwrap();
    assert_eq!(report.pushed_changes, unsent);
    assert_eq!(i64::from(report.round_trips), unsent);
    assert_eq!(report.unsent_changes, 0);
    assert_eq!(seen.last().unwrap().stage, SyncStage::Done);
    assert_eq!(
        seen.iter()
            .filter(|p| p.stage == SyncStage::Applying)
            .count() as i64,
        unsent
    );
    // Unsent changes only go down, bytes only up.
    for pair in seen.windows(2) {
        assert!(pair[1].unsent_changes <= pair[0].unsent_changes);
        assert!(pair[1].bytes_sent >= pair[0].bytes_sent);
    }
    assert_eq!(head.store.sync_status().unwrap().unsent_changes, 0);
}

#[test]
fn a_cancelled_sync_stops_and_the_next_one_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(Backend::Sqlite(dir.path().join("server")), &[]);
    let (head, _, token) = head_with_grid(dir.path(), &server);
    let before = head.store.sync_status().unwrap();

    let cancelled = CancelToken::new();
    cancelled.cancel();
    let client = SyncClient::new(client_options(&server.url(), &token)).unwrap();
    assert!(matches!(
        client.sync(&head.store, &mut |_| {}, &cancelled),
        Err(SyncError::Cancelled)
    ));
    assert_eq!(head.store.sync_status().unwrap(), before);

    // The server is down: the client waits to retry, and a cancel ends the wait.
    server.kill();
    let mut options = client_options(&server.url(), &token);
    options.initial_backoff = Duration::from_secs(5);
    options.max_backoff = Duration::from_secs(5);
    options.max_attempts = 100;
    let client = SyncClient::new(options).unwrap();
    let cancel = CancelToken::new();
    let started = Instant::now();
    let outcome = std::thread::scope(|scope| {
        let sync = scope.spawn(|| client.sync(&head.store, &mut |_| {}, &cancel));
        std::thread::sleep(Duration::from_millis(300));
        cancel.cancel();
        sync.join().unwrap()
    });
    assert!(matches!(outcome, Err(SyncError::Cancelled)), "{outcome:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(head.store.sync_status().unwrap(), before);

    server.restart();
    let client = SyncClient::new(client_options(&server.url(), &token)).unwrap();
    let report = client
        .sync(&head.store, &mut |_| {}, &CancelToken::new())
        .unwrap();
    assert_eq!(report.pushed_changes, before.unsent_changes);
}

#[test]
fn refused_tokens_and_grids_are_typed_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(Backend::Sqlite(dir.path().join("server")), &[]);
    let (head, grid, token) = head_with_grid(dir.path(), &server);
    let before = head.store.sync_status().unwrap();
    let wrong = SyncClient::new(client_options(&server.url(), "gbt_not-a-token")).unwrap();
    assert!(matches!(
        wrong.sync(&head.store, &mut |_| {}, &CancelToken::new()),
        Err(SyncError::Unauthorized)
    ));
    // A worker who may not create grids cannot push one the server has never
    // seen: that grid alone is blocked (more in `sync_blocked.rs`).
    let other_token = server.enrol("w1", WorkerRole::Assistant, None, false);
    let other = Device::new(
        dir.path(),
        "w1",
        WorkerRole::Assistant,
        client_options(&server.url(), &other_token),
    );
    let created = seed_grid(&other.store);
    let unsent = other.store.sync_status().unwrap().unsent_changes;
    other.sync(1);
    let status = other.store.sync_status().unwrap();
    assert_eq!(
        (status.unsent_changes, status.held_changes),
        (unsent, unsent)
    );
    assert_eq!(status.blocked_grids.len(), 1);
    assert_eq!(status.blocked_grids[0].grid_id, created);
    assert_eq!(
        status.blocked_grids[0].reason,
        gridbook::sync::GridRefusal::MayNotCreate
    );
    assert_eq!(head.store.sync_status().unwrap(), before);

    head.sync(1);
    // Revoked: the device's next sync is refused.
    let listing = server.admin(&["list"]);
    let device_id = listing
        .lines()
        .skip_while(|l| !l.starts_with("devices:"))
        .skip(1)
        .find(|l| l.split_whitespace().nth(1) == Some("w0"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no device of w0 in {listing:?}"))
        .to_string();
    server.admin(&["revoke", "--device", &device_id]);
    let client = SyncClient::new(client_options(&server.url(), &token)).unwrap();
    assert!(matches!(
        client.sync(&head.store, &mut |_| {}, &CancelToken::new()),
        Err(SyncError::Unauthorized)
    ));
    assert!(grid.len() == 36);
}

#[test]
fn a_reinstalled_app_on_the_same_device_gets_everything_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(Backend::Sqlite(dir.path().join("server")), &[]);
    let (head, _, token) = head_with_grid(dir.path(), &server);
    head.sync(1);
    // Same token, a new store (the app was reinstalled): a new actor.
    let again = Device::new(
        dir.path(),
        "w0",
        WorkerRole::GridHead,
        client_options(&server.url(), &token),
    );
    again.sync(1);
    assert_converged(&[&head, &again]);
}

#[test]
fn https_with_the_districts_own_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let pem = cert.cert.pem();
    std::fs::write(dir.path().join("cert.pem"), &pem).unwrap();
    std::fs::write(dir.path().join("key.pem"), cert.signing_key.serialize_pem()).unwrap();
    let cert_path = dir.path().join("cert.pem").display().to_string();
    let key_path = dir.path().join("key.pem").display().to_string();
    let server = ServerProcess::start(
        Backend::Sqlite(dir.path().join("server")),
        &["--tls-cert", &cert_path, "--tls-key", &key_path],
    );
    assert!(server.url().starts_with("https://"), "{}", server.url());
    let token = server.enrol("w0", WorkerRole::GridHead, None, true);
    let mut options = client_options(&server.url(), &token);
    options.max_attempts = 1;
    // Without the district's certificate the connection is refused.
    let untrusting = Device::new(dir.path(), "w0", WorkerRole::GridHead, options.clone());
    seed_grid(&untrusting.store);
    assert!(matches!(
        untrusting.try_sync(),
        Err(SyncError::Unreachable(_))
    ));
    options.extra_root_certificate_pem = Some(pem.into_bytes());
    let trusting = Device::new(dir.path(), "w0", WorkerRole::GridHead, options);
    seed_grid(&trusting.store);
    let report = trusting.sync(1);
    assert_eq!(report.unsent_changes, 0);
    assert!(report.pushed_changes > 5);
}
