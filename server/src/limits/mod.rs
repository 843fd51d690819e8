//! Connections with limits ([`crate::config::ConnectionLimits`]): a cap on
//! open connections, and deadlines for idle connections and request headers.
//!
//! [`LimitAcceptor`] sits in axum-server's accept step, around the plain or
//! TLS acceptor. Each accepted connection takes a slot of a semaphore for as
//! long as it is open; past the cap, the connection is answered at once
//! with `503 {"error": "busy", ..}` and `Connection: close` (over TLS after
//! the handshake) and closed, without reading its request, so that it costs
//! next to nothing. The slot travels inside the connection's stream
//! ([`conn::Guarded`]), which also enforces the idle and header deadlines;
//! hyper's own `header_read_timeout` (set in `server.rs`) is a backstop.
//! Each body read is timed by the sync handler (`http::sync`). At start,
//! [`warn_if_over_file_limit`] says when the cap does not fit under the
//! process's open-file limit, past which accepting fails before the cap can
//! refuse anything.
//!
//! To add a limit on a connection's bytes or phases, extend
//! [`conn::Guarded`]; to change how refusals look, [`refusal`].

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum_server::accept::Accept;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use crate::config::ConnectionLimits;

pub mod conn;
#[cfg(test)]
mod tests;

pub use conn::{Guarded, Tracked};

/// Refusals answered at once; beyond them an excess connection is closed
/// without an answer, so a flood costs no more than its sockets.
const MAX_REFUSING: usize = 64;
/// The longest a refusal may take (TLS handshake, answer, closing).
const REFUSAL_TIME: Duration = Duration::from_secs(2);
/// What a refusal reads of the request before closing, so that the client
/// gets the answer rather than a reset connection.
const REFUSAL_DRAIN: usize = 64 * 1024;
/// Refusals are logged at most this often (with their count).
const REFUSAL_LOG_EVERY: Duration = Duration::from_secs(10);

/// The `error` code of the answer to a connection past the cap.
pub const BUSY_CODE: &str = "busy";

/// The accept step of the server: the connection cap, then `inner` (plain
/// or TLS), then the connection's deadlines.
#[derive(Debug, Clone)]
pub struct LimitAcceptor<A> {
    inner: A,
    limits: ConnectionLimits,
    slots: Arc<Semaphore>,
    refusing: Arc<Semaphore>,
    log: Arc<RefusalLog>,
}

impl<A> LimitAcceptor<A> {
    /// Limits the connections accepted through `inner`.
    pub fn new(inner: A, limits: ConnectionLimits) -> LimitAcceptor<A> {
        LimitAcceptor {
            inner,
            limits,
            slots: Arc::new(Semaphore::new(limits.max_connections)),
            refusing: Arc::new(Semaphore::new(MAX_REFUSING)),
            log: Arc::new(RefusalLog::default()),
        }
    }
}

impl<A, S> Accept<TcpStream, S> for LimitAcceptor<A>
where
    A: Accept<TcpStream, S> + Clone + Send + Sync + 'static,
    A::Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    A::Service: Send + 'static,
    A::Future: Send + 'static,
    S: Send + 'static,
{
    type Stream = Guarded<A::Stream>;
    type Service = Tracked<A::Service>;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let Ok(slot) = Arc::clone(&this.slots).try_acquire_owned() else {
                this.log.refused(this.limits.max_connections);
                this.refuse(stream, service).await;
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    "over the connection cap",
                ));
            };
            let (stream, service) = this.inner.accept(stream, service).await?;
            let activity = Arc::new(conn::Activity::default());
            Ok((
                Guarded::new(stream, Arc::clone(&activity), this.limits, slot),
                Tracked::new(service, activity),
            ))
        })
    }
}

impl<A> LimitAcceptor<A> {
    /// Answers a connection past the cap with a 503 and closes it, within
    /// [`REFUSAL_TIME`]; with too many refusals under way, just closes it.
    async fn refuse<S>(&self, stream: TcpStream, service: S)
    where
        A: Accept<TcpStream, S>,
        A::Stream: AsyncRead + AsyncWrite + Unpin,
    {
        let Ok(_refusing) = self.refusing.try_acquire() else {
            return;
        };
        let answer = async {
            let (mut stream, _) = self.inner.accept(stream, service).await?;
            stream.write_all(refusal().as_bytes()).await?;
            stream.flush().await?;
            stream.shutdown().await?;
            let mut sink = [0u8; 4096];
            let mut drained = 0;
            while drained < REFUSAL_DRAIN {
                let n = stream.read(&mut sink).await?;
                if n == 0 {
                    break;
                }
                drained += n;
            }
            Ok::<(), io::Error>(())
        };
        // The outcome does not matter: the connection closes either way.
        let _ = tokio::time::timeout(REFUSAL_TIME, answer).await;
    }
}

/// Open files the server keeps for itself besides its connections: the
/// database, its pool, logs, refusals under way.
pub const FILE_RESERVE: u64 = 64;

/// The process's limit on open files (the soft one), where the system says
/// (Linux: `/proc/self/limits`). Past it, accepting fails and connections
/// wait unanswered, so the connection cap must stay below it.
pub fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Warns at start when the connection cap does not fit under the open-file
/// limit, naming both, since the cap then cannot protect the server.
pub fn warn_if_over_file_limit(limits: &ConnectionLimits) {
    let Some(files) = open_file_limit() else {
        return;
    };
    let wanted = (limits.max_connections as u64).saturating_add(FILE_RESERVE);
    if wanted > files {
        tracing::warn!(
            max_connections = limits.max_connections,
            open_file_limit = files,
            "the connection cap does not fit under the open-file limit: lower \
             --max-connections or raise the limit (ulimit -n, LimitNOFILE)"
        );
    }
}

/// The whole answer to a connection past the cap.
pub fn refusal() -> String {
    let body = serde_json::json!({
        "error": BUSY_CODE,
        "message": "the server is at its connection limit; retry in a moment",
    })
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Logs refusals at most every [`REFUSAL_LOG_EVERY`], with their count, so
/// that a flood does not flood the log.
#[derive(Debug)]
struct RefusalLog {
    started: Instant,
    refused: AtomicU64,
    logged_at_secs: AtomicU64,
}

impl Default for RefusalLog {
    fn default() -> RefusalLog {
        RefusalLog {
            started: Instant::now(),
            refused: AtomicU64::new(0),
            logged_at_secs: AtomicU64::new(0),
        }
    }
}

impl RefusalLog {
    fn refused(&self, max_connections: usize) {
        let total = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
        let now = self.started.elapsed().as_secs();
        let last = self.logged_at_secs.load(Ordering::Relaxed);
        let due = total == 1 || now >= last + REFUSAL_LOG_EVERY.as_secs();
        if due
            && self
                .logged_at_secs
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                refused_total = total,
                max_connections,
                "refusing connections: at the connection cap"
            );
        }
    }
}
