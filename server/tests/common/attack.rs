//! Hostile clients for `hostile_connections.rs`: raw sockets that idle, trickle or read answers by hand, and a real sync
//! through reqwest. Every helper asserts exact outcomes and bounds its waits.
//! To add an attack, add its socket-level helper here and its test there.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use gridbook::sync::{SyncLimits, SyncResponse};

use super::{Phone, ServerProcess};

pub fn addr(server: &ServerProcess) -> String {
    server.url.trim_start_matches("http://").to_string()
}

pub fn connect(server: &ServerProcess) -> TcpStream {
    TcpStream::connect(addr(server)).unwrap()
}

/// Reads until the server closes `stream`; panics unless it does within
/// `within`. Returns how long it took and what was received.
pub fn wait_closed(stream: &mut TcpStream, within: Duration) -> (Duration, Vec<u8>) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = within.saturating_sub(started.elapsed());
        assert!(
            !left.is_zero(),
            "the connection was still open after {within:?}"
        );
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return (started.elapsed(), got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return (started.elapsed(), got),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("reading: {e}"),
        }
    }
}

/// Asserts that `stream` is still open: nothing to read for `for_at_least`.
pub fn assert_open(stream: &mut TcpStream, for_at_least: Duration) {
    stream.set_read_timeout(Some(for_at_least)).unwrap();
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("expected an open, silent connection, got {other:?}"),
    }
}

/// Reads one HTTP/1.1 response with a content-length: (status, headers, body).
pub fn read_response(stream: &mut TcpStream) -> (u16, String, Vec<u8>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            if got.len() >= end + 4 + length {
                let status = head[9..12].parse().unwrap();
                return (status, head, got[end + 4..end + 4 + length].to_vec());
            }
        }
        let n = stream.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "closed mid-response: {:?}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    }
}

pub fn health_request(stream: &mut TcpStream) {
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: gridbook\r\n\r\n")
        .unwrap();
}

pub fn error_code(body: &[u8]) -> String {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert!(json["message"].is_string(), "{json}");
    json["error"].as_str().unwrap().to_string()
}

/// The head of a sync request with `length` body bytes to follow.
pub fn sync_head(server: &ServerProcess, token: &str, length: usize) -> Vec<u8> {
    format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: {}\r\nContent-Length: {length}\r\n\r\n",
        gridbook::sync::SYNC_PATH,
        addr(server),
        gridbook::sync::CONTENT_TYPE,
    )
    .into_bytes()
}

pub fn http_client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

pub fn health_status(server: &ServerProcess) -> u16 {
    http_client()
        .get(format!("{}/health", server.url))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

/// Syncs `phone` through reqwest until nothing is left; returns the rounds.
pub fn sync_all(server: &ServerProcess, token: &str, phone: &Phone) -> usize {
    let client = http_client();
    for round in 1..=20 {
        let request = phone.store.sync_request(&SyncLimits::default()).unwrap();
        let answer = client
            .post(format!("{}{}", server.url, gridbook::sync::SYNC_PATH))
            .header("content-type", gridbook::sync::CONTENT_TYPE)
            .bearer_auth(token)
            .body(request.encode())
            .send()
            .unwrap();
        assert_eq!(answer.status().as_u16(), 200);
        let response = SyncResponse::decode(&answer.bytes().unwrap()).unwrap();
        if !phone
            .store
            .apply_sync_response(&request, &response)
            .unwrap()
            .more
        {
            return round;
        }
    }
    panic!("sync did not finish in 20 rounds");
}

/// Sends `head` and one body byte, then one more byte every `gap`, until the
/// server answers; returns (seconds until the answer, status, body) and
/// checks that the connection is closed right after the answer.
pub fn trickle_body(
    stream: &mut TcpStream,
    head: &[u8],
    gap: Duration,
) -> (Duration, u16, Vec<u8>) {
    stream.write_all(head).unwrap();
    stream.write_all(b"x").unwrap();
    let started = Instant::now();
    stream.set_read_timeout(Some(gap)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the trickled body was not cut off"
        );
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(_) if got.is_empty() => {
                let _ = stream.write_all(b"x");
            }
            Err(_) => panic!(
                "still open after answering {:?}",
                String::from_utf8_lossy(&got)
            ),
        }
        if got.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let answered = started.elapsed();
    let mut rest = stream.try_clone().unwrap();
    let (_, tail) = wait_closed(&mut rest, Duration::from_secs(2));
    got.extend_from_slice(&tail);
    let text = String::from_utf8_lossy(&got).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    assert!(head.to_lowercase().contains("connection: close"), "{head}");
    (answered, status, body.as_bytes().to_vec())
}

/// Reads a refusal: 503 `{"error": "busy"}`, then the connection closes.
pub fn assert_refused(stream: &mut TcpStream) {
    let (status, head, body) = read_response(stream);
    assert_eq!(status, 503, "{head}");
    assert!(head.contains("connection: close"), "{head}");
    assert!(head.contains("retry-after: 1"), "{head}");
    assert_eq!(error_code(&body), "busy");
    wait_closed(stream, Duration::from_secs(3));
}
