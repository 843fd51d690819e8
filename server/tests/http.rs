//! The real `gridbook-server` binary as a child process on 127.0.0.1 with
//! port 0: the sync endpoint end to end with real Gridbook stores, every
//! refusal (checking that nothing was stored), health, TLS, the plain-HTTP
//! guard, SIGTERM, and the embedded server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Phone, ServerProcess, sqlite_stats};
use gridbook::codes::WorkerRole;
use gridbook::sync::{MAX_REQUEST_BYTES, SyncLimits, SyncRequest, SyncResponse};

/// Runs `gridbook-server --data DIR admin ARGS`, returns stdout.
/// reqwest is built without a default crypto provider (the sync client
/// brings its own, `gridbook::sync`); the tests' plain requests use ring.
fn client_builder() -> reqwest::blocking::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
}

fn get(url: String) -> reqwest::Result<reqwest::blocking::Response> {
    client_builder().build()?.get(url).send()
}

fn admin(data: &Path, args: &[&str]) -> String {
    common::admin(data, &[], args)
}

/// Issues a token through the CLI: (device id, token).
fn issue(data: &Path, worker: &str) -> (String, String) {
    let out = admin(
        data,
        &["issue-token", "--worker", worker, "--device", "王芳的手机"],
    );
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap()
            .to_string()
    };
    (field("device"), field("token"))
}

fn post(url: &str, token: Option<&str>, body: Vec<u8>) -> (u16, Vec<u8>) {
    let client = client_builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let mut request = client
        .post(format!("{url}{}", gridbook::sync::SYNC_PATH))
        .header("content-type", gridbook::sync::CONTENT_TYPE)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().unwrap().to_vec())
}

fn error_code(body: &[u8]) -> String {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert!(json["message"].is_string(), "{json}");
    json["error"].as_str().unwrap().to_string()
}

/// One sync round trip of `phone`; returns (request, response).
fn sync_once(url: &str, token: &str, phone: &Phone) -> (SyncRequest, SyncResponse) {
    let request = phone.store.sync_request(&SyncLimits::default()).unwrap();
    let (status, body) = post(url, Some(token), request.encode());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let response = SyncResponse::decode(&body).unwrap();
    phone
        .store
        .apply_sync_response(&request, &response)
        .unwrap();
    (request, response)
}

/// Syncs until nothing is left; returns the number of round trips.
fn sync_all(url: &str, token: &str, phone: &Phone) -> usize {
    for round in 1..=50 {
        let request = phone.store.sync_request(&SyncLimits::default()).unwrap();
        let (status, body) = post(url, Some(token), request.encode());
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let response = SyncResponse::decode(&body).unwrap();
        let applied = phone
            .store
            .apply_sync_response(&request, &response)
            .unwrap();
        if !applied.more {
            return round;
        }
    }
    panic!("sync did not finish in 50 rounds");
}

#[test]
fn health_then_sigterm_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(dir.path(), &["--listen", "127.0.0.1:0"]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let response = get(format!("{}/health", server.url)).unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let json: serde_json::Value = serde_json::from_slice(&response.bytes().unwrap()).unwrap();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["backend"], "sqlite");
    let missing = get(format!("{}/nope", server.url)).unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    assert!(dir.path().join("gridbook-server.db").is_file());
    let (status, log) = server.terminate();
    assert!(status.success(), "exit {status:?}; log:\n{log}");
    assert!(log.contains("stopped"), "{log}");
}

#[test]
fn two_devices_sync_through_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    common::add_worker(
        data,
        &[],
        "w1",
        "王芳",
        &["--role", "grid_head", "--can-create-grids"],
    );
    common::add_worker(data, &[], "w2", "李强", &["--role", "grid_head"]);
    let (_, token_a) = issue(data, "w1");
    let (_, token_b) = issue(data, "w2");
    let server = ServerProcess::start(data, &["--listen", "127.0.0.1:0"]);

    let a = Phone::new("w1");
    let grid = a.create_grid(3);
    let (first_request, first) = sync_once(&server.url, &token_a, &a);
    let pushed = first_request.push.len() as u64;
    assert!(pushed >= 4);
    assert_eq!(first.acked_upto, first_request.push_upto);
    assert_eq!(first.grids.len(), 1);
    // The device's own changes do not come back, but its cursor moves past them.
    assert!(first.grids[0].chunks.is_empty());
    assert_eq!(first.grids[0].cursor, pushed);
    assert_eq!(sqlite_stats(data).changes, pushed);

    // The same request again (its response was "lost"): stored once.
    let (status, body) = post(&server.url, Some(&token_a), first_request.encode());
    assert_eq!(status, 200);
    assert_eq!(
        SyncResponse::decode(&body).unwrap().acked_upto,
        first_request.push_upto
    );
    assert_eq!(sqlite_stats(data).changes, pushed);

    // B's worker gets the grid assigned; B's first sync learns it from cursor 0.
    admin(data, &["assign", "--worker", "w2", "--grid", &grid]);
    let b = Phone::new("w2");
    sync_all(&server.url, &token_b, &b);
    assert_eq!(b.store.buildings(&grid).unwrap().len(), 3);
    assert_eq!(b.store.sync_cursor(&grid).unwrap(), pushed);

    // B edits; A receives it.
    b.add_buildings(&grid, 1);
    sync_all(&server.url, &token_b, &b);
    sync_all(&server.url, &token_a, &a);
    assert_eq!(a.store.buildings(&grid).unwrap().len(), 4);
    let listing = admin(data, &["list"]);
    assert!(listing.contains(&grid), "{listing}");
    assert!(!listing.contains(&token_a), "list must never show tokens");
    let (status, log) = server.terminate();
    assert!(status.success());
    assert!(!log.contains(&token_a) && !log.contains("幸福里"), "{log}");
}

#[test]
fn refused_requests_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    common::add_worker(
        data,
        &[],
        "w1",
        "王芳",
        &["--role", "grid_head", "--can-create-grids"],
    );
    common::add_worker(data, &[], "w2", "李强", &["--role", "grid_head"]);
    let (_, token_a) = issue(data, "w1");
    let (_, token_a2) = issue(data, "w1");
    let (revoked_device, revoked_token) = issue(data, "w1");
    admin(data, &["revoke", "--device", &revoked_device]);
    let (_, token_b) = issue(data, "w2");
    let server = ServerProcess::start(data, &["--listen", "127.0.0.1:0"]);
    let url = server.url.as_str();

    // A baseline: phone A's grid on the server, A's actor bound to its device.
    let a = Phone::new("w1");
    let grid = a.create_grid(1);
    sync_once(url, &token_a, &a);
    a.add_buildings(&grid, 2);
    let pending = a.store.sync_request(&SyncLimits::default()).unwrap();
    assert!(!pending.push.is_empty());
    let before = sqlite_stats(data);
    assert!(before.changes > 0);
    assert_eq!(before.actors, 1);

    let check = |status: u16, body: &[u8], want: u16, code: &str| {
        assert_eq!(status, want, "{}", String::from_utf8_lossy(body));
        assert_eq!(error_code(body), code);
        assert_eq!(
            sqlite_stats(data),
            before,
            "a refused request stored something"
        );
    };

    let (s, body) = post(url, None, pending.encode());
    check(s, &body, 401, "unauthorized");
    let (s, body) = post(url, Some("gbt_0000"), pending.encode());
    check(s, &body, 401, "unauthorized");
    let (s, body) = post(url, Some(&revoked_token), pending.encode());
    check(s, &body, 401, "unauthorized");

    // A grid not assigned to w2 (who may not create grids): a version-2
    // phone, which cannot read a per-grid refusal, is refused whole.
    let b = Phone::new("w2");
    let b_grid = b.create_grid(1);
    let old = SyncRequest {
        version: 2,
        ..b.store.sync_request(&Default::default()).unwrap()
    };
    let (s, body) = post(url, Some(&token_b), old.encode());
    check(s, &body, 403, "forbidden");
    // Naming (not pushing to) A's grid is refused too.
    let mut naming = old.clone();
    naming.push.clear();
    naming.grids = vec![gridbook::sync::GridCursor {
        grid_id: grid.clone(),
        cursor: 0,
        resume_after: None,
    }];
    let (s, body) = post(url, Some(&token_b), naming.encode());
    check(s, &body, 403, "forbidden");
    // A's changes (A's actor) sent with another device's token.
    let (s, body) = post(url, Some(&token_a2), pending.encode());
    check(s, &body, 403, "forbidden");

    // Over the body limit: 413 (not a reset connection).
    let (s, body) = post(url, Some(&token_a), vec![0u8; MAX_REQUEST_BYTES + 1]);
    check(s, &body, 413, "too_large");

    // Not a sync body, a truncated one, a corrupted change.
    let (s, body) = post(url, Some(&token_a), b"hello, server".to_vec());
    check(s, &body, 400, "bad_request");
    let encoded = pending.encode();
    let (s, body) = post(url, Some(&token_a), encoded[..encoded.len() / 2].to_vec());
    check(s, &body, 400, "bad_request");
    let mut corrupted = pending.clone();
    let last = corrupted.push.len() - 1;
    let mid = corrupted.push[last].bytes.len() / 2;
    corrupted.push[last].bytes[mid] ^= 0xff;
    let (s, body) = post(url, Some(&token_a), corrupted.encode());
    check(s, &body, 400, "bad_request");

    // From version 3 B's two grids are refused per grid, with their reasons, and
    // nothing is stored.
    let mut current = b.store.sync_request(&Default::default()).unwrap();
    current.grids.push(naming.grids[0].clone());
    let (s, body) = post(url, Some(&token_b), current.encode());
    assert_eq!(s, 200);
    let answer = SyncResponse::decode(&body).unwrap();
    let mut want = vec![
        (grid.clone(), gridbook::sync::GridRefusal::NotAssigned),
        (b_grid.clone(), gridbook::sync::GridRefusal::MayNotCreate),
    ];
    want.sort();
    let refused: Vec<_> = answer
        .refused
        .iter()
        .map(|r| (r.grid_id.clone(), r.reason))
        .collect();
    assert_eq!(refused, want);
    assert!(answer.grids.is_empty() && answer.teams.is_empty());
    // The request was served: its actor is bound to B's device, as by any sync.
    let bound = gridbook_server::storage::Stats {
        actors: before.actors + 1,
        ..before
    };
    assert_eq!(sqlite_stats(data), bound, "a refused grid stored something");

    // And the genuine request still goes through afterwards.
    let (s, _) = post(url, Some(&token_a), pending.encode());
    assert_eq!(s, 200);
    assert_eq!(
        sqlite_stats(data).changes,
        before.changes + pending.push.len() as u64
    );
}

#[test]
fn compaction_in_background_and_bootstrap_from_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    common::add_worker(
        data,
        &[],
        "w1",
        "王芳",
        &["--role", "grid_head", "--can-create-grids"],
    );
    let (_, token_a) = issue(data, "w1");
    let (_, token_c) = issue(data, "w1");
    let server = ServerProcess::start(data, &["--listen", "127.0.0.1:0", "--compact-after", "3"]);

    let a = Phone::new("w1");
    let grid = a.create_grid(6);
    sync_all(&server.url, &token_a, &a);
    let pushed = sqlite_stats(data).changes;
    assert!(pushed > 3);
    let deadline = Instant::now() + Duration::from_secs(20);
    while sqlite_stats(data).snapshots == 0 {
        assert!(Instant::now() < deadline, "no compaction within 20 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    let storage = common::open_sqlite(data);
    let state = common::block_on(storage.grid_state(grid.clone()))
        .unwrap()
        .unwrap();
    assert_eq!(state.generation, pushed);

    // A new device of the same worker starts from the snapshots.
    let c = Phone::new("w1");
    let request = c.store.sync_request(&SyncLimits::default()).unwrap();
    let (status, body) = post(&server.url, Some(&token_c), request.encode());
    assert_eq!(status, 200);
    let response = SyncResponse::decode(&body).unwrap();
    assert_eq!(response.grids.len(), 1);
    assert!(
        response.grids[0]
            .chunks
            .iter()
            .all(|ch| ch.kind == gridbook::sync::ChunkKind::Snapshot),
        "a bootstrap starts with snapshots"
    );
    assert!(!response.grids[0].chunks.is_empty());
    c.store.apply_sync_response(&request, &response).unwrap();
    sync_all(&server.url, &token_c, &c);
    assert_eq!(c.store.buildings(&grid).unwrap().len(), 6);
    assert_eq!(c.store.sync_cursor(&grid).unwrap(), pushed);
}

fn write_cert(dir: &Path) -> (String, std::path::PathBuf, std::path::PathBuf) {
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let pem = cert.cert.pem();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, &pem).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    (pem, cert_path, key_path)
}

#[test]
fn https_with_rustls() {
    let dir = tempfile::tempdir().unwrap();
    let (pem, cert, key) = write_cert(dir.path());
    let server = ServerProcess::start(
        &dir.path().join("data"),
        &[
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let client = client_builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let response = client.get(format!("{}/health", server.url)).send().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    // A client that does not trust the certificate fails the handshake.
    assert!(get(format!("{}/health", server.url)).is_err());
    // Plain HTTP to the TLS port gets no answer.
    let plain = server.url.replace("https://", "http://");
    assert!(
        get(format!("{plain}/health"))
            .map(|r| r.status().as_u16() != 200)
            .unwrap_or(true)
    );
    let (status, _) = server.terminate();
    assert!(status.success());
}

#[test]
fn plain_http_on_a_public_address_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(common::server_bin())
        .arg("--data")
        .arg(dir.path())
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "must not print a listening line");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to serve plain HTTP"), "{stderr}");
    // Half a TLS configuration is a usage error.
    let out = Command::new(common::server_bin())
        .arg("--data")
        .arg(dir.path())
        .args(["--tls-cert", "cert.pem"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn embedded_server_from_synchronous_code() {
    let dir = tempfile::tempdir().unwrap();
    let server =
        gridbook_server::spawn(gridbook_server::ServerConfig::sqlite_ephemeral(dir.path()))
            .unwrap();
    assert!(server.url.starts_with("http://127.0.0.1:"));
    let admin = server.admin();
    admin
        .add_worker("w1", "王芳", WorkerRole::GridHead, true)
        .unwrap();
    let issued = admin.issue_token("w1", "王芳的手机").unwrap();
    let a = Phone::new("w1");
    let grid = a.create_grid(2);
    sync_all(&server.url, &issued.token, &a);
    let listing = admin.list().unwrap();
    assert_eq!(listing.grids.len(), 1);
    assert_eq!(listing.grids[0].grid_id, grid);
    assert_eq!(listing.grids[0].workers, vec!["w1".to_string()]);
    assert!(admin.stats().unwrap().changes > 0);
    server.shutdown().unwrap();
}

/// SIGTERM while a request is half sent: the request still completes (its
/// push is stored), then the server exits 0.
#[test]
fn sigterm_lets_an_in_flight_request_finish() {
    use std::io::{Read, Write};

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    common::add_worker(
        data,
        &[],
        "w1",
        "王芳",
        &["--role", "grid_head", "--can-create-grids"],
    );
    let (_, token) = issue(data, "w1");
    let server = ServerProcess::start(data, &["--listen", "127.0.0.1:0"]);
    let a = Phone::new("w1");
    a.create_grid(2);
    let request = a.store.sync_request(&SyncLimits::default()).unwrap();
    let body = request.encode();
    let addr = server.url.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: {}\r\nContent-Length: {}\r\n\r\n",
        gridbook::sync::SYNC_PATH,
        gridbook::sync::CONTENT_TYPE,
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let half = body.len() / 2;
    stream.write_all(&body[..half]).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));

    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(&body[half..]).unwrap();
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                response.extend_from_slice(&buf[..n]);
                if response.windows(4).any(|w| w == b"\r\n\r\n") && response.len() > 200 {
                    break;
                }
            }
            Err(e) => panic!("reading the response: {e}"),
        }
    }
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let (status, log) = server.terminate_wait();
    assert!(status.success(), "exit {status:?}\n{log}");
    assert_eq!(sqlite_stats(data).changes, request.push.len() as u64);
}

/// On PostgreSQL: the embedded server answers health 200, then 503 once its
/// database is gone.
#[test]
fn health_on_postgres_turns_503_when_the_database_goes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(common::TestDb::create());
    let mut config = gridbook_server::ServerConfig::new(gridbook_server::Backend::Postgres {
        conn: db.conn.clone(),
    });
    config.listen = "127.0.0.1:0".parse().unwrap();
    let server = gridbook_server::spawn(config).unwrap();
    let health = || {
        let response = get(format!("{}/health", server.url)).unwrap();
        let status = response.status().as_u16();
        let json: serde_json::Value = serde_json::from_slice(&response.bytes().unwrap()).unwrap();
        assert_eq!(json["backend"], "postgres");
        (status, json["status"].as_str().unwrap().to_string())
    };
    assert_eq!(health(), (200, "ok".to_string()));
    rt.block_on(db.drop_db());
    assert_eq!(health(), (503, "unavailable".to_string()));
    server.shutdown().unwrap();
}

/// The binary on PostgreSQL (`--postgres`), administered through the CLI:
/// two devices sync, and a refused push stores nothing.
#[test]
fn binary_on_postgres_syncs_two_devices() {
    // One runtime for every PostgreSQL call: the pool's connections live on it.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(common::TestDb::create());
    let dir = tempfile::tempdir().unwrap();
    let pg = ["--postgres", db.conn.as_str()];
    let admin_pg = |args: &[&str]| {
        let mut all = pg.to_vec();
        all.extend_from_slice(args);
        admin(dir.path(), &all)
    };
    admin_pg(&[
        "add-worker",
        "--id",
        "w1",
        "--name",
        "王芳",
        "--role",
        "grid_head",
        "--can-create-grids",
    ]);
    admin_pg(&[
        "add-worker",
        "--id",
        "w2",
        "--name",
        "李强",
        "--role",
        "grid_head",
    ]);
    let token = |worker: &str| {
        let out = admin_pg(&["issue-token", "--worker", worker, "--device", "手机"]);
        out.lines()
            .find_map(|l| l.strip_prefix("token "))
            .unwrap()
            .to_string()
    };
    let (token_a, token_b) = (token("w1"), token("w2"));
    let server = ServerProcess::start(dir.path(), &["--listen", "127.0.0.1:0", pg[0], pg[1]]);
    let health = get(format!("{}/health", server.url)).unwrap();
    assert_eq!(health.status().as_u16(), 200);

    let a = Phone::new("w1");
    let grid = a.create_grid(3);
    let (request, _) = sync_once(&server.url, &token_a, &a);
    let storage = rt
        .block_on(gridbook_server::PostgresStorage::connect(&db.conn))
        .unwrap();
    let stats = || {
        rt.block_on(gridbook_server::Storage::stats(&storage))
            .unwrap()
    };
    assert_eq!(stats().changes, request.push.len() as u64);

    // B may not create grids: a version-2 phone is refused whole (403), a
    // current one gets its grid refused on its own; nothing stored either way.
    let b = Phone::new("w2");
    let b_grid = b.create_grid(1);
    let before = stats();
    let request = b.store.sync_request(&Default::default()).unwrap();
    let old = SyncRequest {
        version: 2,
        ..request.clone()
    };
    let (status, _) = post(&server.url, Some(&token_b), old.encode());
    assert_eq!(status, 403);
    assert_eq!(stats(), before);
    let (status, body) = post(&server.url, Some(&token_b), request.encode());
    assert_eq!(status, 200);
    let refused = SyncResponse::decode(&body).unwrap().refused;
    assert_eq!(refused.len(), 1);
    assert_eq!(
        (refused[0].grid_id.as_str(), refused[0].reason),
        (b_grid.as_str(), gridbook::sync::GridRefusal::MayNotCreate)
    );
    // Served: B's actor is bound to its device, as by any sync.
    let bound = gridbook_server::storage::Stats {
        actors: before.actors + 1,
        ..before
    };
    assert_eq!(stats(), bound);

    let b = Phone::new("w2");
    admin_pg(&["assign", "--worker", "w2", "--grid", &grid]);
    sync_all(&server.url, &token_b, &b);
    assert_eq!(b.store.buildings(&grid).unwrap().len(), 3);
    let (status, _) = server.terminate();
    assert!(status.success());
    drop(storage);
    rt.block_on(db.drop_db());
}
