//! The accept loop: HTTP/1.1 connections with a bounded count, a deadline on each request
//! head, and graceful shutdown.
//!
//! `axum::serve` offers none of these bounds, so connections are served here with hyper's
//! own connection builder. When `max_connections` are open, the loop stops accepting until
//! one closes: new clients wait in the kernel's listen queue (as Go's
//! `netutil.LimitListener` does) rather than being accepted and dropped, so a burst is
//! delayed, not refused, and the process never runs out of file descriptors in `accept`.

use super::parse_errors::ParseErrorBodies;
use axum::body::Body;
use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// Bounds on client connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Longest wait for a request head (and longest idle time between requests).
    pub header_read_timeout: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
}

/// Serve `app` on `listener` until `shutdown` resolves; then stop accepting, let each
/// connection finish its request in flight, and return once all are closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let connections = TaskTracker::new();
    let stop = CancellationToken::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = shutdown.as_mut() => break,
            permit = acquire(&permits, limits.max_connections) => permit,
        };
        let (stream, peer) = tokio::select! {
            () = shutdown.as_mut() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
        };
        let app = app.clone();
        connections.spawn(connection(stream, peer, app, limits, permit, stop.clone()));
    }
    drop(listener);
    stop.cancel();
    connections.close();
    connections.wait().await;
}

async fn acquire(permits: &Arc<Semaphore>, max: usize) -> OwnedSemaphorePermit {
    if permits.available_permits() == 0 {
        tracing::debug!(
            max_connections = max,
            "connection limit reached; waiting for a connection to close"
        );
    }
    // The semaphore is never closed.
    match permits.clone().acquire_owned().await {
        Ok(permit) => permit,
        Err(_) => std::future::pending().await,
    }
}

/// As hyper 0.14 and `axum::serve` do: a reset before accept is nothing; anything else
/// (such as running out of file descriptors) is logged and retried after a pause.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    _permit: OwnedSemaphorePermit,
    stop: CancellationToken,
) {
    let io = TokioIo::new(ParseErrorBodies::new(stream));
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        app.clone().oneshot(req.map(Body::new))
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // One flat write buffer: `ParseErrorBodies` needs hyper's answers whole.
        .writev(false);
    let conn = builder.serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = stop.cancelled() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    match result {
        Ok(()) => {}
        Err(e) if e.is_timeout() => tracing::debug!(
            %peer,
            timeout = ?limits.header_read_timeout,
            "no request within the header read timeout; connection closed"
        ),
        Err(e) => tracing::debug!(%peer, error = %e, "connection ended with an error"),
    }
}
