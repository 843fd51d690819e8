//! One accepted connection under its timeouts. [`Guarded`] wraps the byte
//! stream and knows which phase the connection is in; [`Tracked`] wraps the
//! connection's service so that the stream learns when a request is being
//! answered and when its answer has been handed over.
//!
//! Phases: *idle* (no request yet, or the last answer written) → *headers*
//! (the first byte of a request arrived) → *busy* (the request reached the
//! router, until its answer's body has been handed to hyper). Idle and
//! headers have a deadline, checked whenever hyper waits for bytes; busy has
//! none here, because a request may wait on the database for a while (the
//! sync handler times each body read itself). Writes restart the idle
//! deadline, so a large answer on a slow link is not cut off, while a client
//! that stops reading its answer is. To add a deadline, add a phase to
//! `Phase` and say in `Guarded::refresh` when it begins.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::http::Response;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{Instant, Sleep};

use crate::config::ConnectionLimits;

/// What the stream and the service of one connection share.
#[derive(Debug, Default)]
pub(super) struct Activity {
    /// Requests being answered (more than one only with pipelining).
    in_flight: AtomicUsize,
    /// Counts finished answers, so that the stream starts a new idle period
    /// even if a whole request went by between two of its reads.
    answered: AtomicU64,
}

/// Marks one request as in flight until dropped (with its answer's body).
#[derive(Debug)]
pub(super) struct InFlight(Arc<Activity>);

impl InFlight {
    pub(super) fn start(activity: &Arc<Activity>) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(Arc::clone(activity))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        // Counted before the decrement: a stream that sees no request in
        // flight has then always seen the new count too.
        self.0.answered.fetch_add(1, Ordering::SeqCst);
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Where a connection is; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Headers,
    Busy,
}

/// An accepted connection's stream: holds its slot under the connection
/// cap and ends it when the idle or header deadline passes.
#[derive(Debug)]
pub struct Guarded<S> {
    inner: S,
    activity: Arc<Activity>,
    limits: ConnectionLimits,
    phase: Phase,
    seen_answered: u64,
    deadline: Instant,
    timer: Pin<Box<Sleep>>,
    _slot: OwnedSemaphorePermit,
}

impl<S> Guarded<S> {
    pub(super) fn new(
        inner: S,
        activity: Arc<Activity>,
        limits: ConnectionLimits,
        slot: OwnedSemaphorePermit,
    ) -> Guarded<S> {
        let deadline = Instant::now() + limits.idle_timeout;
        Guarded {
            inner,
            activity,
            limits,
            phase: Phase::Idle,
            seen_answered: 0,
            deadline,
            timer: Box::pin(tokio::time::sleep_until(deadline)),
            _slot: slot,
        }
    }

    fn enter(&mut self, phase: Phase) {
        self.phase = phase;
        let wait = match phase {
            Phase::Idle => self.limits.idle_timeout,
            Phase::Headers => self.limits.header_timeout,
            Phase::Busy => return,
        };
        self.deadline = Instant::now() + wait;
        self.timer.as_mut().reset(self.deadline);
    }

    /// Moves to busy while a request is answered, and to a fresh idle period
    /// once its answer was handed over.
    fn refresh(&mut self) {
        if self.activity.in_flight.load(Ordering::SeqCst) > 0 {
            self.phase = Phase::Busy;
            return;
        }
        let answered = self.activity.answered.load(Ordering::SeqCst);
        if answered != self.seen_answered || self.phase == Phase::Busy {
            self.seen_answered = answered;
            self.enter(Phase::Idle);
        }
    }

    /// Whether the current phase's deadline has passed; registers the timer
    /// with `cx` otherwise, so that hyper's task wakes when it does.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.phase != Phase::Busy
            && (Instant::now() >= self.deadline || self.timer.as_mut().poll(cx).is_ready())
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.refresh();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if buf.filled().len() > before => {
                if this.phase == Phase::Idle {
                    this.enter(Phase::Headers);
                } else if this.phase == Phase::Headers && Instant::now() >= this.deadline {
                    // Headers sent steadily but never finished.
                    return Poll::Ready(Err(too_slow()));
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending if this.expired(cx) => Poll::Ready(match this.phase {
                // An idle connection ends as if the client had closed it.
                Phase::Idle => Ok(()),
                _ => Err(too_slow()),
            }),
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, data);
        this.after_write(cx, result)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, data);
        this.after_write(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_flush(cx);
        this.after_write(cx, result)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

impl<S> Guarded<S> {
    /// Progress writing an answer restarts the idle period; a client that
    /// stops reading it is cut off once the idle deadline passes.
    fn after_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        self.refresh();
        match result {
            Poll::Ready(Ok(written)) => {
                if self.phase == Phase::Idle {
                    self.enter(Phase::Idle);
                }
                Poll::Ready(Ok(written))
            }
            Poll::Pending if self.phase == Phase::Idle && self.expired(cx) => {
                Poll::Ready(Err(too_slow()))
            }
            other => other,
        }
    }
}

fn too_slow() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection deadline passed")
}

/// A connection's service: marks each request in flight until its answer's
/// body has been handed to hyper.
#[derive(Debug, Clone)]
pub struct Tracked<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S> Tracked<S> {
    pub(super) fn new(inner: S, activity: Arc<Activity>) -> Tracked<S> {
        Tracked { inner, activity }
    }
}

impl<S, R> tower_service::Service<R> for Tracked<S>
where
    S: tower_service::Service<R, Response = Response<Body>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let in_flight = InFlight::start(&self.activity);
        let answer = self.inner.call(request);
        Box::pin(async move {
            let response = answer.await?;
            Ok(response.map(|inner| {
                Body::new(TrackedBody {
                    inner,
                    _in_flight: in_flight,
                })
            }))
        })
    }
}

/// An answer's body, keeping its request in flight until hyper drops it.
struct TrackedBody {
    inner: Body,
    _in_flight: InFlight,
}

impl HttpBody for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
