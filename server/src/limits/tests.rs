//! The connection deadlines on an in-memory stream, for what the tests
//! against the binary cannot reach cheaply: a client that stops reading its
//! answer, a slow reader that keeps up, and a request in flight that waits
//! longer than the idle timeout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::conn::{Activity, Guarded, InFlight};
use crate::config::ConnectionLimits;

const IDLE: Duration = Duration::from_millis(200);

/// A guarded server end and the client end of a 64-byte pipe.
fn pipe() -> (Guarded<DuplexStream>, DuplexStream, Arc<Activity>) {
    let (server, client) = tokio::io::duplex(64);
    let limits = ConnectionLimits {
        idle_timeout: IDLE,
        header_timeout: Duration::from_secs(1),
        ..ConnectionLimits::default()
    };
    let slot = Arc::new(Semaphore::new(1)).try_acquire_owned().unwrap();
    let activity = Arc::new(Activity::default());
    let guarded = Guarded::new(server, Arc::clone(&activity), limits, slot);
    (guarded, client, activity)
}

#[tokio::test]
async fn a_client_that_stops_reading_its_answer_is_cut_off() {
    let (mut server, _client, _) = pipe();
    let started = Instant::now();
    let written = server.write_all(&[b'x'; 4096]).await;
    let error = written.expect_err("the write must fail");
    assert_eq!(error.kind(), std::io::ErrorKind::TimedOut);
    let took = started.elapsed();
    assert!(took >= IDLE && took < IDLE * 4, "cut off after {took:?}");
}

#[tokio::test]
async fn a_slow_reader_that_keeps_up_gets_the_whole_answer() {
    let (mut server, mut client, _) = pipe();
    let reader = tokio::spawn(async move {
        let mut got = 0;
        let mut buf = [0u8; 64];
        while got < 1024 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            got += client.read(&mut buf).await.unwrap();
        }
        got
    });
    let started = Instant::now();
    server.write_all(&[b'x'; 1024]).await.unwrap();
    // Longer in all than the idle timeout: progress restarts it.
    assert!(started.elapsed() > IDLE * 2);
    assert_eq!(reader.await.unwrap(), 1024);
}

#[tokio::test]
async fn a_request_in_flight_has_no_idle_deadline() {
    let (mut server, _client, activity) = pipe();
    let in_flight = InFlight::start(&activity);
    let mut buf = [0u8; 16];
    let waited = tokio::time::timeout(IDLE * 3, server.read(&mut buf)).await;
    assert!(waited.is_err(), "a busy connection must not time out");
    // Once answered, the idle deadline starts again and ends the connection.
    drop(in_flight);
    let started = Instant::now();
    assert_eq!(server.read(&mut buf).await.unwrap(), 0);
    let took = started.elapsed();
    assert!(took >= IDLE && took < IDLE * 4, "closed after {took:?}");
}
