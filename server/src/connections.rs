//! Serves the router over HTTP/1.1 with every connection bounded in time and in number, so
//! no client can hold the server's connections or file descriptors by being slow.
//!
//! `axum::serve` sets no timer: a connection that sent nothing, half a request's headers or
//! a body one byte at a time stayed open for ever (measured: still open after 45 s, each
//! holding a task, buffers and a descriptor), and enough of them would leave the server
//! without descriptors for its database. Here:
//! - a request's headers must arrive within `header_timeout`, else the connection closes
//!   (hyper sends no answer); hyper also closes a kept-alive connection idle that long, so
//!   it is by default longer than a proxy in front keeps its idle connections (60 s for
//!   nginx and AWS's load balancers), which would otherwise send a request down a connection
//!   just as it closes;
//! - a request's body must have arrived within `request_timeout` of its headers, else the
//!   request is answered 408 (`input::check_input`, which reads every body, tells) and the
//!   connection closes. The app's own work is not bounded here: a slow answer is not the
//!   client's doing, and one cut off could have written what its client is told failed;
//! - a response the client stops reading for `request_timeout` ends its connection;
//! - at most `max_connections` connections are open at once; more wait in the listen queue
//!   until one ends.
//!
//! Only HTTP/1.1: browsers speak HTTP/2 only over TLS, which a proxy in front terminates,
//! and HTTP/2 without TLS would only add a protocol to bound.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::Response;
use axum::Router;
use http::Request;
use hyper::body::{Body as _, Bytes, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::time::Sleep;
use tower::ServiceExt;

/// The bounds every connection is served within (`HTTP_*` in the configuration).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionLimits {
    /// `HTTP_HEADER_TIMEOUT_MS`: a request's headers must arrive this soon after the
    /// connection opens or its last answer was sent (so also the keep-alive idle limit).
    pub header_timeout: Duration,
    /// `HTTP_REQUEST_TIMEOUT_MS`: a request's body must arrive this soon after its headers,
    /// and a client stalls a response's writing no longer than this.
    pub request_timeout: Duration,
    /// `HTTP_MAX_CONNECTIONS`: connections open at once.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(75),
            request_timeout: Duration::from_secs(30),
            max_connections: default_max_connections(open_files_limit()),
        }
    }
}

/// Descriptors kept free of connections: the database's files and connections, logs, the
/// outbox's SMTP and SMS connections, the files under `/pkg`.
const RESERVED_DESCRIPTORS: u64 = 256;

/// Connections a server with `open_files` descriptors (its soft limit, if known) may hold:
/// all it has but a reserve, at most 10,000.
pub fn default_max_connections(open_files: Option<u64>) -> usize {
    let open_files = open_files.unwrap_or(1024);
    open_files.saturating_sub(RESERVED_DESCRIPTORS).clamp(64, 10_000) as usize
}

/// This process's soft limit of open files, from `/proc/self/limits` (Linux); `None`
/// elsewhere or when unlimited.
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|line| line.starts_with("Max open files"))?;
    line["Max open files".len()..].split_whitespace().next()?.parse().ok()
}

/// Serves `router` on `listener` within `limits`, telling handlers each client's address
/// (sign-in limits per address), until `shutdown` completes; then stops accepting and
/// lets open connections finish their requests, for at most `request_timeout`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let limits = Arc::new(limits);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // A connection reset before it was taken: the next one.
                Err(error) if matches!(error.kind(), io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset) => continue,
                Err(error) => {
                    // Out of descriptors or memory for a moment: wait rather than spin, as
                    // axum::serve does.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                        () = &mut shutdown => break,
                    }
                }
            },
            () = &mut shutdown => break,
        };
        let io = TokioIo::new(StallGuard::new(stream, limits.request_timeout));
        let service = RequestService { router: router.clone(), client, body_timeout: limits.request_timeout };
        let connection = builder.serve_connection(io, service);
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "a connection ended with an error");
                    }
                }
                () = async { drop(stopping.wait_for(|stop| *stop).await) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(slot);
        });
    }
    // New clients are refused at once (a load balancer turns to another server); those
    // connected finish their requests.
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(limits.request_timeout, slots.acquire_many(all)).await;
    Ok(())
}

/// The router for one connection's requests, each with the client's address and its
/// body's deadline.
#[derive(Clone)]
struct RequestService {
    router: Router,
    client: SocketAddr,
    body_timeout: Duration,
}

impl hyper::service::Service<Request<Incoming>> for RequestService {
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = tower::util::Oneshot<Router, Request<Body>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let timeout = self.body_timeout;
        let mut request = request.map(|body| {
            // A request without a body (most: every page) needs no deadline.
            if body.is_end_stream() {
                Body::new(body)
            } else {
                Body::new(BodyDeadline { inner: body, deadline: Box::pin(tokio::time::sleep(timeout)) })
            }
        });
        request.extensions_mut().insert(ConnectInfo(self.client));
        self.router.clone().oneshot(request)
    }
}

/// The error of a request body that had not all arrived by its deadline.
#[derive(Debug)]
pub struct BodyTooSlow;

impl std::fmt::Display for BodyTooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl std::error::Error for BodyTooSlow {}

impl BodyTooSlow {
    /// Whether `error` or an error it wraps is a [`BodyTooSlow`].
    pub fn caused(error: &(dyn std::error::Error + 'static)) -> bool {
        let mut cause = Some(error);
        while let Some(error) = cause {
            if error.is::<BodyTooSlow>() {
                return true;
            }
            cause = error.source();
        }
        false
    }
}

/// A request body that fails with [`BodyTooSlow`] once its deadline passes while part of it
/// has still to arrive.
struct BodyDeadline {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
}

impl hyper::body::Body for BodyDeadline {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|frame| frame.map_err(Into::into))),
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTooSlow)))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A stream whose writes fail once the peer has taken nothing for `limit`: hyper waits
/// for ever on a client that stops reading a response.
struct StallGuard<S> {
    inner: S,
    limit: Duration,
    /// Started when a write first could not proceed; cleared when one does.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> StallGuard<S> {
    fn new(inner: S, limit: Duration) -> Self {
        StallGuard { inner, limit, stalled: None }
    }

    /// What a write that did `result` gives: itself, or an error once the stall is too long.
    fn watch<T>(&mut self, cx: &mut Context<'_>, result: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if result.is_ready() {
            self.stalled = None;
            return result;
        }
        let limit = self.limit;
        let stalled = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading"))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for StallGuard<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for StallGuard<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, result)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let result = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, result)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let result = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, result)
    }
}

#[cfg(test)]
mod tests {
    use super::{default_max_connections, StallGuard};
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_write_the_peer_does_not_take_fails_after_the_limit_and_one_it_takes_goes_on() {
        let (server, client) = tokio::io::duplex(64);
        let mut guarded = StallGuard::new(server, Duration::from_millis(100));
        // The pipe holds 64 bytes; the peer reads none of the rest.
        let error = guarded.write_all(&[b'x'; 1024]).await.expect_err("a write nobody reads ends");
        assert_eq!(error.kind(), std::io::ErrorKind::TimedOut);
        drop(client);

        let (server, mut client) = tokio::io::duplex(64);
        // A slow reader, 64 bytes every 20 ms: each write waits far less than the limit.
        let mut guarded = StallGuard::new(server, Duration::from_secs(2));
        let reader = tokio::spawn(async move {
            let mut taken = Vec::new();
            let mut chunk = [0u8; 64];
            while taken.len() < 1024 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let n = client.read(&mut chunk).await.unwrap();
                taken.extend_from_slice(&chunk[..n]);
            }
            taken.len()
        });
        guarded.write_all(&[b'y'; 1024]).await.expect("a write the peer keeps taking goes on");
        assert_eq!(reader.await.unwrap(), 1024);
    }

    #[test]
    fn connections_leave_descriptors_for_the_rest_of_the_server() {
        assert_eq!(default_max_connections(Some(1024)), 768);
        assert_eq!(default_max_connections(Some(20_000)), 10_000);
        assert_eq!(default_max_connections(Some(100)), 64);
        assert_eq!(default_max_connections(None), 768);
    }
}
