//! Hostile connections against the real `gridbook-server` binary, with short
//! limits given through its flags: idle connections, trickled headers and
//! bodies are closed within a bound; past the connection cap new connections
//! get a 503 at once while the ones in flight finish; and once the
//! attacker's connections are gone (or timed out) `/health` and a real sync
//! work again, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::attack::{
    assert_open, assert_refused, connect, error_code, health_request, health_status, read_response,
    sync_all, sync_head, trickle_body, wait_closed,
};
use common::{Phone, ServerProcess, sqlite_stats, token, worker_with_token};
use gridbook::sync::{SyncLimits, SyncResponse};

#[test]
fn idle_connections_are_closed_after_the_idle_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        dir.path(),
        &[
            "--listen",
            "127.0.0.1:0",
            "--idle-timeout",
            "1s",
            "--header-timeout",
            "3s",
        ],
    );
    // Fresh connections that never send anything: closed silently after ~1 s.
    let mut idle: Vec<TcpStream> = (0..5).map(|_| connect(&server)).collect();
    let opened = Instant::now();
    assert_open(&mut idle[0], Duration::from_millis(600));
    for stream in &mut idle {
        let (_, got) = wait_closed(stream, Duration::from_millis(2500));
        assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
    }
    let took = opened.elapsed();
    assert!(took >= Duration::from_millis(900), "closed after {took:?}");

    // Keep-alive: after an answer, the next request must start within 1 s.
    let mut kept = connect(&server);
    health_request(&mut kept);
    assert_eq!(read_response(&mut kept).0, 200);
    let (after, got) = wait_closed(&mut kept, Duration::from_millis(2500));
    assert!(got.is_empty());
    assert!(
        after >= Duration::from_millis(800),
        "closed after {after:?}"
    );

    // A connection in use is not idle: six requests 600 ms apart (3.6 s in
    // all, past the idle timeout) on one connection all get answers.
    let mut busy = connect(&server);
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(600));
        health_request(&mut busy);
        assert_eq!(read_response(&mut busy).0, 200);
    }
    assert_eq!(health_status(&server), 200);
}

#[test]
fn trickled_headers_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        dir.path(),
        &[
            "--listen",
            "127.0.0.1:0",
            "--header-timeout",
            "1s",
            "--idle-timeout",
            "5s",
        ],
    );
    // Headers that never end, one byte every 100 ms: closed unanswered about
    // 1 s after their first byte, long before the idle timeout.
    let mut stream = connect(&server);
    let endless = b"GET /health HTTP/1.1\r\nHost: gridbook\r\nX-Slow: "
        .iter()
        .chain(std::iter::repeat(&b'a'));
    let started = Instant::now();
    let mut closed_after = None;
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    for byte in endless {
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "trickled headers were not cut off"
        );
        if stream.write_all(&[*byte]).is_err() {
            closed_after = Some(started.elapsed());
            break;
        }
        let mut buf = [0u8; 256];
        match stream.read(&mut buf) {
            Ok(0) => {
                closed_after = Some(started.elapsed());
                break;
            }
            Ok(n) => panic!("unexpected answer {:?}", String::from_utf8_lossy(&buf[..n])),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                closed_after = Some(started.elapsed());
                break;
            }
            Err(_) => {}
        }
    }
    let closed_after = closed_after.unwrap();
    assert!(
        closed_after >= Duration::from_millis(900) && closed_after < Duration::from_millis(2500),
        "closed after {closed_after:?}"
    );

    // Headers that are merely slow but finish in time get their answer.
    let mut slow = connect(&server);
    for part in [
        &b"GET /health HTT"[..],
        b"P/1.1\r\nHost: g",
        b"ridbook\r\n\r\n",
    ] {
        slow.write_all(part).unwrap();
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_eq!(read_response(&mut slow).0, 200);
}

#[test]
fn a_trickled_body_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = worker_with_token(&data, &[]);
    let server = ServerProcess::start(
        &data,
        &[
            "--listen",
            "127.0.0.1:0",
            "--body-read-timeout",
            "1s",
            "--idle-timeout",
            "5s",
        ],
    );
    // One byte every 1.5 s: answered 408 about 1 s after the first byte.
    let mut stream = connect(&server);
    let head = sync_head(&server, &token, 5000);
    let (after, status, body) = trickle_body(&mut stream, &head, Duration::from_millis(1500));
    assert_eq!(status, 408);
    assert_eq!(error_code(&body), "timeout");
    assert!(
        after >= Duration::from_millis(900) && after < Duration::from_millis(2500),
        "answered after {after:?}"
    );
    assert_eq!(sqlite_stats(&data).changes, 0);

    // A real body in three parts with pauses shorter than the timeout is
    // read whole and stored (the timeout is per read, not for the body).
    let phone = Phone::new("w1");
    phone.create_grid(2);
    let request = phone.store.sync_request(&SyncLimits::default()).unwrap();
    let body = request.encode();
    let mut stream = connect(&server);
    stream
        .write_all(&sync_head(&server, &token, body.len()))
        .unwrap();
    for part in body.chunks(body.len().div_ceil(3)) {
        std::thread::sleep(Duration::from_millis(600));
        stream.write_all(part).unwrap();
    }
    let (status, _, answer) = read_response(&mut stream);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    assert_eq!(sqlite_stats(&data).changes, request.push.len() as u64);
}

/// With the default limits, a body sent one byte per 10 s is cut off at the
/// first pause (the default body read timeout is 5 s).
#[test]
fn by_default_a_body_of_one_byte_per_ten_seconds_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = worker_with_token(&data, &[]);
    let server = ServerProcess::start(&data, &["--listen", "127.0.0.1:0"]);
    let mut stream = connect(&server);
    let head = sync_head(&server, &token, 100);
    let (after, status, body) = trickle_body(&mut stream, &head, Duration::from_secs(10));
    assert_eq!(status, 408);
    assert_eq!(error_code(&body), "timeout");
    assert!(
        after >= Duration::from_millis(4500) && after < Duration::from_millis(7000),
        "answered after {after:?}"
    );
}

#[test]
fn past_the_cap_connections_are_refused_while_those_in_flight_finish() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let tokens = [worker_with_token(&data, &[]), token(&data, &[])];
    let server = ServerProcess::start(
        &data,
        &[
            "--listen",
            "127.0.0.1:0",
            "--max-connections",
            "4",
            "--idle-timeout",
            "20s",
            "--body-read-timeout",
            "10s",
        ],
    );
    // Two syncs in flight, half their bodies sent; two idle attackers.
    let phones = [Phone::new("w1"), Phone::new("w1")];
    let mut in_flight = Vec::new();
    for (phone, token) in phones.iter().zip(&tokens) {
        phone.create_grid(2);
        let request = phone.store.sync_request(&SyncLimits::default()).unwrap();
        let body = request.encode();
        let mut stream = connect(&server);
        stream
            .write_all(&sync_head(&server, token, body.len()))
            .unwrap();
        stream.write_all(&body[..body.len() / 2]).unwrap();
        in_flight.push((stream, request, body));
    }
    let attackers: Vec<TcpStream> = (0..2).map(|_| connect(&server)).collect();
    std::thread::sleep(Duration::from_millis(300));

    // Every further connection is answered 503 at once and closed.
    let started = Instant::now();
    for _ in 0..10 {
        let mut extra = connect(&server);
        health_request(&mut extra);
        assert_refused(&mut extra);
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refusals took {:?}",
        started.elapsed()
    );

    // The syncs in flight finish and are stored.
    let mut pushed = 0;
    for ((mut stream, request, body), phone) in in_flight.into_iter().zip(&phones) {
        stream.write_all(&body[body.len() / 2..]).unwrap();
        let (status, _, answer) = read_response(&mut stream);
        assert_eq!(status, 200);
        let response = SyncResponse::decode(&answer).unwrap();
        assert_eq!(response.acked_upto, request.push_upto);
        phone
            .store
            .apply_sync_response(&request, &response)
            .unwrap();
        pushed += request.push.len() as u64;
    }
    assert_eq!(sqlite_stats(&data).changes, pushed);

    // The attackers leave: health and a real sync work again.
    drop(attackers);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(health_status(&server), 200);
    let newcomer = Phone::new("w1");
    newcomer.create_grid(1);
    sync_all(&server, &tokens[0], &newcomer);
    assert!(sqlite_stats(&data).changes > pushed);

    // The refusals are logged once (not once each), and never with request text.
    let (status, log) = server.terminate();
    assert!(status.success());
    assert_eq!(log.matches("at the connection cap").count(), 1, "{log}");
}

/// An attacker fills every slot with idle connections and keeps them: the
/// server refuses meanwhile, closes them after the idle timeout, and then
/// serves `/health` and syncs again.
fn idle_flood_is_outlived(data: &Path, extra: &[&str]) {
    let token = worker_with_token(data, extra);
    let mut args = vec![
        "--listen",
        "127.0.0.1:0",
        "--max-connections",
        "16",
        "--idle-timeout",
        "1s",
        "--header-timeout",
        "1s",
    ];
    args.extend_from_slice(extra);
    let server = ServerProcess::start(data, &args);
    let mut flood: Vec<TcpStream> = (0..16).map(|_| connect(&server)).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut refused = connect(&server);
    health_request(&mut refused);
    assert_refused(&mut refused);

    // The attacker does not let go; the server closes every one of them.
    for stream in &mut flood {
        let (_, got) = wait_closed(stream, Duration::from_secs(3));
        assert!(got.is_empty());
    }
    assert_eq!(health_status(&server), 200);
    let phone = Phone::new("w1");
    phone.create_grid(2);
    assert_eq!(sync_all(&server, &token, &phone), 1);
    let (status, _) = server.terminate();
    assert!(status.success());
}

#[test]
fn an_idle_flood_is_outlived_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    idle_flood_is_outlived(&data, &[]);
    assert!(sqlite_stats(&data).changes > 0);
}

#[test]
fn an_idle_flood_is_outlived_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(common::TestDb::create());
    let dir = tempfile::tempdir().unwrap();
    idle_flood_is_outlived(dir.path(), &["--postgres", db.conn.as_str()]);
    rt.block_on(db.drop_db());
}

/// Over HTTPS the same limits hold: a connection that never finishes its
/// handshake holds its slot only until the header timeout, one past the cap
/// gets its 503 after the handshake, and a connection idle after its
/// handshake is closed after the idle timeout.
#[test]
fn over_https_the_cap_and_the_deadlines_hold() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let pem = certified.cert.pem();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, &pem).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let server = ServerProcess::start(
        &dir.path().join("data"),
        &[
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
            "--max-connections",
            "1",
            "--header-timeout",
            "2s",
            "--idle-timeout",
            "1s",
        ],
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let health = || {
        let answer = client.get(format!("{}/health", server.url)).send().unwrap();
        let status = answer.status().as_u16();
        (status, answer.bytes().unwrap().to_vec())
    };
    assert_eq!(health().0, 200);
    // The server frees that connection's slot once it sees it closed.
    std::thread::sleep(Duration::from_millis(300));

    // A connection idle after its handshake takes the one slot until the
    // idle timeout; meanwhile the next one is refused after its handshake.
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let tcp = TcpStream::connect(server.url.trim_start_matches("https://")).unwrap();
    let mut tls = rustls::StreamOwned::new(
        rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap(),
        tcp,
    );
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock).unwrap();
    }
    let handshaken = Instant::now();
    let (status, body) = health();
    assert_eq!(status, 503);
    assert_eq!(error_code(&body), "busy");
    tls.sock
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let mut buf = [0u8; 64];
    match tls.read(&mut buf) {
        Ok(0) => {}
        Err(e) if !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("expected the idle TLS connection closed, got {other:?}"),
    }
    let after = handshaken.elapsed();
    assert!(
        after >= Duration::from_millis(800) && after < Duration::from_millis(2500),
        "closed after {after:?}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(health().0, 200);
    std::thread::sleep(Duration::from_millis(300));

    // A TCP connection that never starts its handshake takes the one slot.
    let mut holder = TcpStream::connect(server.url.trim_start_matches("https://")).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let (status, body) = health();
    assert_eq!(status, 503);
    assert_eq!(error_code(&body), "busy");
    let (after, _) = wait_closed(&mut holder, Duration::from_secs(4));
    assert!(
        after >= Duration::from_millis(1500),
        "closed after {after:?}"
    );
    assert_eq!(health().0, 200);
}

#[test]
fn limits_that_cannot_work_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, value) in [
        ("--idle-timeout", "0s"),
        ("--header-timeout", "0ms"),
        ("--body-read-timeout", "25h"),
        ("--body-read-timeout", "2000m"),
        ("--max-connections", "0"),
    ] {
        let out = Command::new(common::server_bin())
            .arg("--data")
            .arg(dir.path())
            .args(["--listen", "127.0.0.1:0", flag, value])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flag} {value} was accepted");
        assert!(out.stdout.is_empty(), "{flag} {value}: must not listen");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
    }
}

/// Under an open-file limit lower than the connection cap, the cap cannot
/// protect the server: it says so at start, naming both numbers.
#[test]
fn a_cap_above_the_open_file_limit_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "ulimit -n 200 && exec '{}' --data '{}' --listen 127.0.0.1:0 --max-connections 512 \
         --idle-timeout 1s & pid=$!; sleep 1; kill $pid; wait $pid",
        common::server_bin(),
        dir.path().display()
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .env("GRIDBOOK_LOG", "info")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("does not fit under the open-file limit"),
        "{log}"
    );
    assert!(
        log.contains("max_connections=512") && log.contains("open_file_limit=200"),
        "{log}"
    );

    // A cap that fits (200 + the server's own files under 300): no warning.
    let quiet = script
        .replace("ulimit -n 200", "ulimit -n 300")
        .replace("--max-connections 512", "--max-connections 200");
    let out = Command::new("sh").args(["-c", &quiet]).output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("listening"), "{log}");
    assert!(!log.contains("open-file limit"), "{log}");
}
