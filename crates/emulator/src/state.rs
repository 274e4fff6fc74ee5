//! What every request handler and the dispatcher share.

use std::time::{SystemTime, UNIX_EPOCH};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::config::Config;
use crate::functions::Registry;
use crate::pool::Pools;
use crate::store::Store;

/// The emulator's shared state.
pub struct AppState {
    /// Configuration.
    pub config: Config,
    /// Functions.
    pub registry: Registry,
    /// Warm workers.
    pub pools: Pools,
    /// Async invocations.
    pub store: Store,
    /// Wakes the async dispatcher (new invocation accepted, capacity freed).
    pub wake: Notify,
    /// Running async attempts by request id: notifying one stops it (cancel).
    pub running: Mutex<HashMap<String, Arc<Notify>>>,
}

impl AppState {
    /// Stops the running attempt of `request_id`, if there is one here.
    pub fn cancel_running(&self, request_id: &str) {
        if let Some(stop) = self
            .running
            .lock()
            .expect("running map lock")
            .get(request_id)
        {
            stop.notify_one();
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
