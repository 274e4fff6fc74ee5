//! Runs accepted async invocations: WAIT → RUNNING → SUCCESS | FAIL, retrying with
//! backoff per the function's policy, DISCARD once past its max event age.

use std::sync::Arc;
use std::time::Duration;

use functiongraph_protocol::AsyncStatus;
use serde_json::value::RawValue;
use tokio::sync::watch;

use crate::invoke::report;
use crate::pool::Outcome;
use crate::state::{now_ms, AppState};
use crate::store::Record;
use crate::worker::InvokeMessage;

/// How many due invocations one pass looks at.
const BATCH: usize = 256;
/// Longest sleep between passes when nothing wakes the dispatcher.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// Sleep when some invocations are due but their functions are at their limit.
const BUSY_POLL: Duration = Duration::from_millis(100);
/// Error code recorded for an invocation dropped past its max event age.
const DISCARD_AGE_CODE: i64 = 410;

/// Runs until `stop` turns true. Invocations left RUNNING by a previous process were
/// reset to WAIT at start-up, so they run again (at-least-once execution).
pub async fn run(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    loop {
        let wait = match pass(&state).await {
            Ok(wait) => wait,
            Err(e) => {
                tracing::error!("async dispatcher: {e}");
                IDLE_POLL
            }
        };
        tokio::select! {
            _ = state.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Starts what can start now; returns how long to sleep before the next pass. A
/// function found at its concurrency limit is left out of the rest of the pass, so a
/// long queue on one function never holds up the others.
async fn pass(state: &Arc<AppState>) -> Result<Duration, crate::store::StoreError> {
    let now = now_ms();
    let mut busy: Vec<String> = Vec::new();
    loop {
        let batch = state.store.due(now, BATCH, busy.clone()).await?;
        let full_batch = batch.len() == BATCH;
        let busy_before = busy.len();
        for rec in batch {
            if busy.contains(&rec.function_key) {
                continue;
            }
            let Some(spec) = state.registry.get(&rec.function_key) else {
                let msg = format!("function {} no longer exists", rec.function_key);
                state
                    .store
                    .finish(rec.seq, AsyncStatus::Discard, 404, msg, now)
                    .await?;
                continue;
            };
            let age_ms = now - rec.created_ms;
            if age_ms > i64::from(spec.max_async_event_age_in_seconds) * 1000 {
                let msg = format!(
                    "discarded: waited longer than the max event age of {}s",
                    spec.max_async_event_age_in_seconds
                );
                state
                    .store
                    .finish(rec.seq, AsyncStatus::Discard, DISCARD_AGE_CODE, msg, now)
                    .await?;
                continue;
            }
            let Some(lease) = state.pools.pool(&spec).try_lease() else {
                busy.push(rec.function_key.clone());
                continue;
            };
            // The stop signal exists before the record says RUNNING: a cancel that sees
            // RUNNING always finds it (a notify with no waiter yet is kept), so a run
            // cancelled before it began never goes on to the end.
            let stop = Arc::new(tokio::sync::Notify::new());
            state
                .running
                .lock()
                .expect("running map lock")
                .insert(rec.request_id.clone(), stop.clone());
            let started = state.store.start(rec.seq, now).await;
            if !matches!(started, Ok(true)) {
                state
                    .running
                    .lock()
                    .expect("running map lock")
                    .remove(&rec.request_id);
                started?;
                continue;
            }
            let state = state.clone();
            tokio::spawn(async move {
                execute(&state, rec, lease, &spec, stop).await;
                state.wake.notify_one();
            });
        }
        // Look again past the functions that just turned out to be busy, as long as
        // there may be more due than one batch showed.
        if !full_batch || busy.len() == busy_before {
            break;
        }
    }
    if !busy.is_empty() {
        return Ok(BUSY_POLL);
    }
    Ok(match state.store.next_due_ms().await? {
        Some(due) => {
            Duration::from_millis((due - now_ms()).clamp(0, IDLE_POLL.as_millis() as i64) as u64)
        }
        None => IDLE_POLL,
    })
}

async fn execute(
    state: &AppState,
    rec: Record,
    lease: crate::pool::Lease,
    spec: &crate::functions::FunctionSpec,
    stop: Arc<tokio::sync::Notify>,
) {
    let (version, alias) = match rec.qualifier.strip_prefix('!') {
        Some(a) => (
            spec.aliases
                .get(a)
                .cloned()
                .unwrap_or_else(|| "latest".into()),
            Some(a),
        ),
        None => (rec.qualifier.clone(), None),
    };
    let attempts = rec.attempts + 1;
    let event = RawValue::from_string(rec.event)
        .unwrap_or_else(|_| RawValue::from_string("{}".into()).expect("valid"));
    let timeout = Duration::from_secs(u64::from(spec.timeout));
    let deadline = now_ms() + timeout.as_millis() as i64;
    let msg = InvokeMessage::new(&rec.request_id, &event, deadline, &version, alias, "async");
    // A cancel drops the run: its worker is killed on drop and never reused. The store
    // already says DISCARD, and the writes below only touch RUNNING records.
    let exec = tokio::select! {
        exec = lease.run(&msg, timeout, spec.memory_size) => Some(exec),
        _ = stop.notified() => None,
    };
    state
        .running
        .lock()
        .expect("running map lock")
        .remove(&rec.request_id);
    let Some(exec) = exec else {
        tracing::debug!(request_id = %rec.request_id, "async invocation cancelled while running");
        return;
    };
    let now = now_ms();
    let id = &rec.request_id;
    if matches!(exec.outcome, Outcome::Success(_)) {
        tracing::debug!(request_id = %id, "async invocation succeeded");
        written(id, || {
            state
                .store
                .finish(rec.seq, AsyncStatus::Success, 0, String::new(), now)
        })
        .await;
        return;
    }
    let rep = report(&exec, spec.timeout);
    let (kind, text) = rep.error.unwrap_or_default();
    let message = format!("{kind}: {text}");
    let code = i64::from(rep.status);
    if attempts <= spec.max_async_retry_attempts {
        // Exponential backoff: delay, 2×delay, 4×delay.
        let delay = state.config.async_retry_delay_secs * f64::from(1u32 << (attempts - 1).min(10));
        let at = now + (delay * 1000.0) as i64;
        tracing::debug!(request_id = %id, attempts, "async invocation failed, retrying");
        written(id, || {
            state.store.retry_at(rec.seq, at, code, message.clone())
        })
        .await;
    } else {
        written(id, || {
            state
                .store
                .finish(rec.seq, AsyncStatus::Fail, code, message.clone(), now)
        })
        .await;
    }
}

/// First wait before writing an attempt's outcome again, and the longest.
const REWRITE_FIRST: Duration = Duration::from_millis(100);
const REWRITE_MAX: Duration = Duration::from_secs(5);

/// Writes an attempt's outcome, trying again until the store takes it: the run is over,
/// and a record left RUNNING would show as running until the next start (which runs it
/// again). The writes only touch records still RUNNING, so a repeat is harmless.
async fn written<F, Fut>(request_id: &str, mut write: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), crate::store::StoreError>>,
{
    let mut wait = REWRITE_FIRST;
    while let Err(e) = write().await {
        tracing::warn!(
            request_id,
            "recording an async invocation's outcome: {e}; trying again"
        );
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(REWRITE_MAX);
    }
}
