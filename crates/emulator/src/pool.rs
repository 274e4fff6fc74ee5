//! Warm workers per function, up to the function's concurrency. A call beyond it is
//! throttled rather than queued, as the service does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::value::RawValue;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::functions::FunctionSpec;
use crate::worker::{
    HandlerError, InvokeMessage, Launcher, Worker, WorkerFailure, PROCESS_EXIT_ERROR,
};

/// Every function's pool.
pub struct Pools {
    launcher: Launcher,
    pools: Mutex<HashMap<String, Arc<Pool>>>,
}

/// One function's workers.
pub struct Pool {
    spec: Arc<FunctionSpec>,
    launcher: Launcher,
    /// Warm workers with the time each was last used.
    idle: Mutex<Vec<(Worker, Instant)>>,
    permits: Arc<Semaphore>,
}

/// The right to run one invocation now (one unit of the function's concurrency).
pub struct Lease {
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

/// How an invocation ended.
#[derive(Debug)]
pub enum Outcome {
    /// The handler returned this JSON value.
    Success(Box<RawValue>),
    /// The handler threw, rejected, or could not be loaded.
    HandlerError(HandlerError),
    /// It ran past the function's timeout and its instance was stopped.
    Timeout,
    /// Its instance died (crash, `process.exit`, out of memory) or broke the protocol.
    InstanceFailed(String),
}

/// An invocation's outcome with what it logged and what it cost.
#[derive(Debug)]
pub struct Execution {
    /// How it ended.
    pub outcome: Outcome,
    /// What the handler logged (the last 64 KiB at most).
    pub log: String,
    /// Wall time of the call inside the instance, ms.
    pub duration_ms: f64,
    /// Resident memory of the instance, MB.
    pub memory_used_mb: f64,
}

impl Pools {
    /// Pools that start workers with `launcher`.
    pub fn new(launcher: Launcher) -> Pools {
        Pools {
            launcher,
            pools: Mutex::new(HashMap::new()),
        }
    }

    /// The pool of `spec`, created on first use.
    pub fn pool(&self, spec: &Arc<FunctionSpec>) -> Arc<Pool> {
        let mut pools = self.pools.lock().expect("pool map lock");
        pools
            .entry(spec.key())
            .or_insert_with(|| {
                Arc::new(Pool {
                    spec: spec.clone(),
                    launcher: self.launcher.clone(),
                    idle: Mutex::new(Vec::new()),
                    permits: Arc::new(Semaphore::new(spec.concurrency as usize)),
                })
            })
            .clone()
    }

    /// Stops the workers that have been idle longer than `max_idle`, so memory held
    /// after a burst is given back. Returns how many were stopped.
    pub fn reap(&self, max_idle: Duration) -> usize {
        let pools = self.pools.lock().expect("pool map lock");
        let mut stopped = 0;
        for pool in pools.values() {
            let mut idle = pool.idle.lock().expect("idle lock");
            idle.retain_mut(|(w, since)| {
                let keep = since.elapsed() < max_idle;
                if !keep {
                    w.kill();
                    stopped += 1;
                }
                keep
            });
        }
        stopped
    }

    /// How many warm workers are waiting, over all functions.
    pub fn idle_count(&self) -> usize {
        let pools = self.pools.lock().expect("pool map lock");
        pools
            .values()
            .map(|p| p.idle.lock().expect("idle lock").len())
            .sum()
    }

    /// Stops every idle worker (shutdown).
    pub fn stop_all(&self) {
        let pools = self.pools.lock().expect("pool map lock");
        for pool in pools.values() {
            for (mut w, _) in pool.idle.lock().expect("idle lock").drain(..) {
                w.kill();
            }
        }
    }
}

impl Pool {
    /// A lease if the function has a free unit of concurrency, `None` if it is at its limit.
    pub fn try_lease(self: &Arc<Self>) -> Option<Lease> {
        let permit = self.permits.clone().try_acquire_owned().ok()?;
        Some(Lease {
            pool: self.clone(),
            _permit: permit,
        })
    }

    /// A warm worker that is still alive, if any; dead ones are dropped.
    fn take_idle(&self) -> Option<Worker> {
        let mut idle = self.idle.lock().expect("idle lock");
        while let Some((mut w, _)) = idle.pop() {
            if w.is_alive() {
                return Some(w);
            }
        }
        None
    }
}

impl Lease {
    /// Runs one invocation on a warm worker (or a new one), enforcing the timeout.
    pub async fn run(self, msg: &InvokeMessage<'_>, timeout: Duration) -> Execution {
        let pool = &self.pool;
        let started = Instant::now();
        let mut worker = match pool.take_idle() {
            Some(w) => w,
            None => match Worker::start(&pool.launcher, &pool.spec).await {
                Ok(w) => w,
                Err(failure) => return failed_start(failure, started),
            },
        };
        // The cold start counts against the timeout, as it does in the service.
        let remaining = timeout.saturating_sub(started.elapsed());
        let reply = tokio::time::timeout(remaining, worker.invoke(msg)).await;
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        match reply {
            Ok(Ok(reply)) => {
                if matches!(&reply.result, Err(e) if e.error_type == PROCESS_EXIT_ERROR) {
                    worker.kill();
                } else {
                    pool.idle
                        .lock()
                        .expect("idle lock")
                        .push((worker, Instant::now()));
                }
                Execution {
                    outcome: match reply.result {
                        Ok(value) => Outcome::Success(value),
                        Err(e) => Outcome::HandlerError(e),
                    },
                    log: with_dropped_note(reply.log, reply.log_dropped_bytes),
                    duration_ms,
                    memory_used_mb: reply.memory_used_mb,
                }
            }
            Ok(Err(failure)) => {
                worker.kill();
                Execution {
                    outcome: Outcome::InstanceFailed(failure.to_string()),
                    log: String::new(),
                    duration_ms,
                    memory_used_mb: 0.0,
                }
            }
            Err(_elapsed) => {
                worker.kill();
                Execution {
                    outcome: Outcome::Timeout,
                    log: String::new(),
                    duration_ms,
                    memory_used_mb: 0.0,
                }
            }
        }
    }
}

fn failed_start(failure: WorkerFailure, started: Instant) -> Execution {
    let outcome = match failure {
        WorkerFailure::Init(e) => Outcome::HandlerError(e),
        other => Outcome::InstanceFailed(other.to_string()),
    };
    Execution {
        outcome,
        log: String::new(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        memory_used_mb: 0.0,
    }
}

fn with_dropped_note(log: String, dropped: u64) -> String {
    if dropped == 0 {
        log
    } else {
        format!("[{dropped} earlier bytes of log dropped]\n{log}")
    }
}
