//! The accept loop: how many connections, and how long each may take.
//!
//! `axum::serve` has no header-read timeout and no connection limit, so a
//! page on any site could hold thousands of half-open connections to the
//! researcher's server. This loop accepts at most [`Limits::connections`]
//! at once (the next waits in the listen backlog), closes a connection
//! whose request headers have not arrived within
//! [`Limits::header_read`], and answers `408` to a request not answered
//! within [`Limits::request`] (see [`crate::app::router`]).

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::Semaphore;

/// Bounds on the server's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once; a browser opens about six.
    pub connections: usize,
    /// Time for a client to send a request's headers (also bounds an
    /// idle kept-alive connection).
    pub header_read: Duration,
    /// Time for a whole request, body included, before `408`.
    pub request: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connections: 256,
            header_read: Duration::from_secs(10),
            request: Duration::from_secs(300),
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes,
/// then lets open requests finish (for up to ten seconds).
pub async fn run(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => {
                    // Out of file descriptors or a reset before accept:
                    // wait a little rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Each request knows its client's address (team mode counts
        // failed logins per address).
        let service = TowerToHyperService::new(tower::ServiceExt::map_request(
            app.clone(),
            move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                req
            },
        ));
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client going away mid-request is not the server's error.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}
