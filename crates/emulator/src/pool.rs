//! Warm workers per function, up to the function's concurrency. A call beyond it is
//! throttled rather than queued, as the service does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::value::RawValue;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::functions::FunctionSpec;
use crate::memory;
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
    /// Its instance died (crash, `process.exit`) or broke the protocol.
    InstanceFailed(String),
    /// Its instance held more memory than the function's `memory_size` and was stopped.
    MemoryExceeded,
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
    /// Resident memory of the instance, MB (at most the function's `memory_size`).
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
    /// after a burst is given back, and forgets those that exited by themselves (their
    /// process groups are ended as the exit is seen). Returns how many went.
    pub fn reap(&self, max_idle: Duration) -> usize {
        let pools = self.pools.lock().expect("pool map lock");
        let mut stopped = 0;
        for pool in pools.values() {
            let mut idle = pool.idle.lock().expect("idle lock");
            idle.retain_mut(|(w, since)| {
                let keep = since.elapsed() < max_idle && w.is_alive();
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

    /// A warm worker of `memory_mb` that is still alive, if any, the most recently used
    /// first; dead ones are dropped. Without one, warm workers of other sizes are stopped,
    /// least recently used first, until the new worker keeps the function within
    /// `concurrency` processes, as it was before calls could ask for other sizes.
    fn take_idle(&self, memory_mb: u32) -> Option<Worker> {
        let mut idle = self.idle.lock().expect("idle lock");
        idle.retain_mut(|(w, _)| w.is_alive());
        if let Some(at) = idle.iter().rposition(|(w, _)| w.memory_mb() == memory_mb) {
            return Some(idle.remove(at).0);
        }
        // Leased calls, this one included.
        let running =
            (self.spec.concurrency as usize).saturating_sub(self.permits.available_permits());
        while !idle.is_empty() && idle.len() + running > self.spec.concurrency as usize {
            let (oldest, _) = idle
                .iter()
                .enumerate()
                .min_by_key(|(_, (_, since))| *since)
                .expect("not empty");
            let (mut w, _) = idle.remove(oldest);
            w.kill();
        }
        None
    }
}

impl Lease {
    /// Runs one invocation on a warm worker of `memory_mb` (or a new one), enforcing the
    /// timeout and that memory size: the function's `memory_size`, or the call's
    /// `X-Cff-Instance-Memory`, as the service runs such a call on an instance that size.
    pub async fn run(
        self,
        msg: &InvokeMessage<'_>,
        timeout: Duration,
        memory_mb: u32,
    ) -> Execution {
        let pool = &self.pool;
        let started = Instant::now();
        let mut worker = match pool.take_idle(memory_mb) {
            Some(w) => w,
            None => match Worker::start(&pool.launcher, &pool.spec, memory_mb).await {
                Ok(w) => w,
                Err(failure) => return failed_start(failure, started, memory_mb),
            },
        };
        let limit_mb = memory_mb;
        let pid = worker.pid();
        // The cold start counts against the timeout, as it does in the service.
        let remaining = timeout.saturating_sub(started.elapsed());
        let reply = tokio::time::timeout(remaining, async {
            tokio::select! {
                reply = worker.invoke(msg) => Some(reply),
                _ = memory::exceeded(pid, limit_mb) => None,
            }
        })
        .await;
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        let failed = |outcome, worker: &mut Worker| {
            worker.kill();
            Execution {
                outcome,
                log: worker.take_output(),
                duration_ms,
                memory_used_mb: 0.0,
            }
        };
        match reply {
            // Sampled between two measurements, or measured by the runtime as it
            // answered: either way the instance held more than its size.
            Ok(None) => Execution {
                memory_used_mb: f64::from(limit_mb),
                ..failed(Outcome::MemoryExceeded, &mut worker)
            },
            Ok(Some(Ok(reply))) if reply.memory_used_mb > f64::from(limit_mb) => Execution {
                log: with_dropped_note(reply.log, reply.log_dropped_bytes),
                memory_used_mb: f64::from(limit_mb),
                ..failed(Outcome::MemoryExceeded, &mut worker)
            },
            Ok(Some(Ok(reply))) => {
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
            Ok(Some(Err(WorkerFailure::HeapLimit))) => Execution {
                memory_used_mb: f64::from(limit_mb),
                ..failed(Outcome::MemoryExceeded, &mut worker)
            },
            Ok(Some(Err(failure))) => {
                failed(Outcome::InstanceFailed(failure.to_string()), &mut worker)
            }
            Err(_elapsed) => failed(Outcome::Timeout, &mut worker),
        }
    }
}

fn failed_start(failure: WorkerFailure, started: Instant, limit_mb: u32) -> Execution {
    let (outcome, memory_used_mb) = match failure {
        WorkerFailure::Init(e) => (Outcome::HandlerError(e), 0.0),
        WorkerFailure::HeapLimit => (Outcome::MemoryExceeded, f64::from(limit_mb)),
        other => (Outcome::InstanceFailed(other.to_string()), 0.0),
    };
    Execution {
        outcome,
        log: String::new(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        memory_used_mb,
    }
}

fn with_dropped_note(log: String, dropped: u64) -> String {
    if dropped == 0 {
        log
    } else {
        format!("[{dropped} earlier bytes of log dropped]\n{log}")
    }
}
