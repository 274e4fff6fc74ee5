//! The HTTP server loop: hyper's HTTP/1 connections with a header-read timeout and a
//! cap on connections, so idle or half-sent connections cannot take every descriptor
//! (axum's `serve` has neither).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};

/// How long to wait for a slot after asking one connection to close, before asking
/// the next oldest too (a busy one closes only after its answer).
const EVICTION_STEP: Duration = Duration::from_millis(10);

/// Limits on the connections the server holds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time a request's head may take, from when the server starts waiting for it.
    pub header_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

/// Open connections, oldest first, each with the signal that asks it to close.
#[derive(Default)]
struct Open {
    next_id: u64,
    conns: BTreeMap<u64, Arc<Notify>>,
}

/// A free connection slot. At the cap the oldest connection is asked to close (an idle
/// one closes at once), then the next oldest after each [`EVICTION_STEP`], so a new
/// caller is served while idle sockets sit open.
async fn slot(slots: &Arc<Semaphore>, open: &Mutex<Open>) -> OwnedSemaphorePermit {
    loop {
        if let Ok(permit) = slots.clone().try_acquire_owned() {
            return permit;
        }
        let oldest = open.lock().expect("open lock").conns.pop_first();
        if let Some((_, close)) = oldest {
            close.notify_one();
        }
        if let Ok(Ok(permit)) =
            tokio::time::timeout(EVICTION_STEP, slots.clone().acquire_owned()).await
        {
            return permit;
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets every open
/// connection finish its answer.
///
/// # Errors
/// Never at present; accept errors (e.g. out of descriptors) are logged and retried.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // At least one, and no more than the semaphore and `acquire_many` below can count
    // (a larger number would panic, or wrap and skip the wait for open connections).
    let max = limits.max_connections.clamp(1, u32::MAX as usize);
    let slots = Arc::new(Semaphore::new(max));
    let open = Arc::new(Mutex::new(Open::default()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // EMFILE and the like: wait a moment rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let permit = tokio::select! {
            permit = slot(&slots, &open) => permit,
            () = &mut shutdown => break,
        };
        let close = Arc::new(Notify::new());
        let id = {
            let mut open = open.lock().expect("open lock");
            let id = open.next_id;
            open.next_id += 1;
            open.conns.insert(id, close.clone());
            id
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let open = open.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            let mut closing = false;
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!("connection ended: {e}");
                        }
                        break;
                    }
                    () = close.notified(), if !closing => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                    _ = stop.wait_for(|stop| *stop), if !closing => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            open.lock().expect("open lock").conns.remove(&id);
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a slot until it ends: all slots back means all are done.
    let _ = slots
        .acquire_many(u32::try_from(max).unwrap_or(u32::MAX))
        .await;
    Ok(())
}
