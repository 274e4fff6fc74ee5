//! One warm Node.js process running `runtime/runtime.js`, spoken to with one JSON
//! message per line over a socket at its fd 3. Its fd 1 and fd 2 are log, as on the
//! service: the runtime captures `console.*` and `process.stdout.write`, and what
//! reaches the descriptors themselves (`fs.writeSync(1, …)`) is read by [`Output`] and
//! added to the invocation's log. A handler cannot forge a reply by printing one.

use std::collections::BTreeMap;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::process::{Child, Command};

use crate::functions::FunctionSpec;
use crate::output::{self, Output};

/// The runtime source, embedded so the binary is self-contained.
pub const RUNTIME_JS: &str = include_str!("../runtime/runtime.js");

/// Longest protocol line accepted from a worker: a 6 MB result, JSON-escaped, plus log.
const MAX_LINE: usize = 16 * 1024 * 1024;
/// The worker's descriptor for the protocol socket.
const CHANNEL_FD: i32 = 3;
/// What Node prints to fd 2 when V8's heap limit (`--max-old-space-size`) is reached.
const HEAP_OOM: &str = "JavaScript heap out of memory";
/// How long a new worker may take to load the handler's module.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// What the emulator needs to start workers.
#[derive(Debug, Clone)]
pub struct Launcher {
    /// The `node` executable.
    pub node: PathBuf,
    /// Where `runtime.js` was written.
    pub runtime: PathBuf,
    /// Project id the handlers see.
    pub project_id: String,
    /// Region the handlers see.
    pub region: String,
}

/// `errorType` of the runtime's reply when the handler called `process.exit`: the
/// runtime answers, then exits, so the worker must not be reused.
pub const PROCESS_EXIT_ERROR: &str = "ProcessExitError";

/// An error thrown by a handler (or by loading it), as the runtime reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HandlerError {
    /// The error's message.
    pub error_message: String,
    /// The error's class name.
    pub error_type: String,
    /// Stack trace lines.
    pub stack_trace: Vec<String>,
}

/// A worker's answer to one invocation.
#[derive(Debug)]
pub struct Reply {
    /// What the handler returned, or the error it raised.
    pub result: Result<Box<RawValue>, HandlerError>,
    /// Captured log (the runtime keeps the last 64 KiB).
    pub log: String,
    /// Log bytes the runtime dropped from the front.
    pub log_dropped_bytes: u64,
    /// Resident memory of the worker, MB.
    pub memory_used_mb: f64,
}

/// Why a worker could not answer; the worker must not be reused.
#[derive(Debug, thiserror::Error)]
pub enum WorkerFailure {
    /// The process could not be started.
    #[error("could not start the Node.js runtime: {0}")]
    Spawn(std::io::Error),
    /// Loading the handler failed.
    #[error("the handler could not be loaded: {}", .0.error_message)]
    Init(HandlerError),
    /// The process exited (crash, `process.exit`, out of memory).
    #[error("the function instance exited{}", describe_exit(*.code, .stderr))]
    Exited {
        /// Exit code, if it exited normally.
        code: Option<i32>,
        /// The last line it wrote to fd 1 or fd 2.
        stderr: String,
    },
    /// It answered something that is not the protocol.
    #[error("the function instance answered out of protocol: {0}")]
    Protocol(String),
    /// The module took longer than allowed to load.
    #[error("the function instance did not start within {}s", START_TIMEOUT.as_secs())]
    StartTimeout,
    /// V8 stopped the process at its heap limit (derived from `memory_size`).
    #[error("runtime memory limit exceeded")]
    HeapLimit,
}

fn describe_exit(code: Option<i32>, last_line: &str) -> String {
    let code = code.map_or_else(
        || " (killed by a signal)".to_owned(),
        |c| format!(" with code {c}"),
    );
    if last_line.is_empty() {
        code
    } else {
        format!("{code}: {last_line}")
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InitMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    handler: &'a str,
    code_dir: &'a Path,
    function: InitFunction<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InitFunction<'a> {
    name: &'a str,
    package: &'a str,
    version: &'a str,
    alias: Option<&'a str>,
    memory_size: u32,
    timeout: u32,
    project_id: &'a str,
    region: &'a str,
    user_data: &'a BTreeMap<String, String>,
    runtime: &'a str,
}

/// One invocation sent to a worker.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokeMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    event: &'a RawValue,
    deadline_ms: i64,
    context: InvokeContext<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct InvokeContext<'a> {
    request_id: &'a str,
    version: &'a str,
    alias: Option<&'a str>,
    invoke_type: &'a str,
    trace_id: &'a str,
}

impl<'a> InvokeMessage<'a> {
    /// An invocation of `event` that must finish by `deadline_ms` (Unix ms).
    pub fn new(
        request_id: &'a str,
        event: &'a RawValue,
        deadline_ms: i64,
        version: &'a str,
        alias: Option<&'a str>,
        invoke_type: &'a str,
    ) -> Self {
        InvokeMessage {
            kind: "invoke",
            id: request_id,
            event,
            deadline_ms,
            context: InvokeContext {
                request_id,
                version,
                alias,
                invoke_type,
                trace_id: request_id,
            },
        }
    }
}

/// Every field any worker message may have; one flat struct because the result is
/// kept as raw JSON, which serde's tagged enums cannot hold.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WorkerMessage {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    ok: Option<bool>,
    #[serde(default)]
    result: Option<Box<RawValue>>,
    #[serde(default)]
    error: Option<HandlerError>,
    #[serde(default)]
    log: String,
    #[serde(default)]
    log_dropped_bytes: u64,
    #[serde(default)]
    memory_used_mb: f64,
}

/// A running worker process.
pub struct Worker {
    child: Child,
    /// Its pid, which is also its process group's id; kept because `Child::id` is gone
    /// once the exit is reaped, and the group must still be ended then.
    pid: i32,
    /// Set once the process's exit was seen and its group ended: the group id may be
    /// reused after that, so it is never signalled again.
    ended: bool,
    to_worker: OwnedWriteHalf,
    from_worker: BufReader<OwnedReadHalf>,
    /// A protocol line read in part (reads are cancelled when the process exits).
    partial: Vec<u8>,
    output: Output,
    /// The instance's memory, MB: its V8 heap limit, what its handler is told, its cap.
    memory_mb: u32,
}

impl Worker {
    /// Starts a worker for `spec` as an instance of `memory_mb` (the function's
    /// `memory_size`, or a call's `X-Cff-Instance-Memory`) and waits until its handler is
    /// loaded.
    ///
    /// # Errors
    /// [`WorkerFailure`] when the process cannot start or the handler cannot load.
    pub async fn start(
        launcher: &Launcher,
        spec: &FunctionSpec,
        memory_mb: u32,
    ) -> Result<Worker, WorkerFailure> {
        let (ours, theirs) =
            std::os::unix::net::UnixStream::pair().map_err(WorkerFailure::Spawn)?;
        let (stdout_read, stdout_write) = output::pipe().map_err(WorkerFailure::Spawn)?;
        let (stderr_read, stderr_write) = output::pipe().map_err(WorkerFailure::Spawn)?;
        let channel = theirs.as_raw_fd();
        let mut cmd = Command::new(&launcher.node);
        cmd.arg(format!("--max-old-space-size={memory_mb}"))
            .arg(&launcher.runtime)
            .current_dir(&spec.code_dir)
            // Handlers see only what the function's configuration gives them, never
            // the emulator's own environment (which may hold real credentials).
            .env_clear()
            .envs(handler_env(launcher, spec, memory_mb))
            .stdin(Stdio::null())
            .stdout(Stdio::from(stdout_write))
            .stderr(Stdio::from(stderr_write))
            // Its own process group: what the handler starts is in it too, and a timeout,
            // a cancel or a shutdown ends the whole group (see `kill`), as the service
            // ends an instance.
            .process_group(0)
            .kill_on_drop(true);
        // SAFETY: between fork and exec only async-signal-safe calls (dup2, fcntl) run.
        unsafe {
            cmd.pre_exec(move || move_to_channel_fd(channel));
        }
        let spawned = cmd.spawn();
        // The child's ends now live in the child; ours must close, or EOF never comes.
        drop(cmd);
        drop(theirs);
        let child = spawned.map_err(WorkerFailure::Spawn)?;
        let pid = child
            .id()
            .and_then(|pid| i32::try_from(pid).ok())
            .ok_or_else(|| WorkerFailure::Protocol("the new process has no pid".into()))?;
        let output =
            Output::start(stdout_read, stderr_read, spec.key()).map_err(WorkerFailure::Spawn)?;
        ours.set_nonblocking(true).map_err(WorkerFailure::Spawn)?;
        let (from_worker, to_worker) = tokio::net::UnixStream::from_std(ours)
            .map_err(WorkerFailure::Spawn)?
            .into_split();
        let mut worker = Worker {
            child,
            pid,
            ended: false,
            to_worker,
            from_worker: BufReader::new(from_worker),
            partial: Vec::new(),
            output,
            memory_mb,
        };
        let init = InitMessage {
            kind: "init",
            handler: &spec.handler,
            code_dir: &spec.code_dir,
            function: InitFunction {
                name: &spec.name,
                package: &spec.package,
                version: "latest",
                alias: None,
                memory_size: memory_mb,
                timeout: spec.timeout,
                project_id: &launcher.project_id,
                region: &launcher.region,
                user_data: &spec.user_data,
                runtime: &spec.runtime,
            },
        };
        worker.send(&init).await?;
        let msg = tokio::time::timeout(START_TIMEOUT, worker.receive())
            .await
            .map_err(|_| WorkerFailure::StartTimeout)??;
        match msg.kind.as_str() {
            "ready" => Ok(worker),
            "init_error" => Err(WorkerFailure::Init(msg.error.unwrap_or_default())),
            other => Err(WorkerFailure::Protocol(format!(
                "expected ready, got {other:?}"
            ))),
        }
    }

    /// The worker's pid (for memory sampling).
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The instance's memory, MB.
    pub fn memory_mb(&self) -> u32 {
        self.memory_mb
    }

    /// Runs one invocation. The caller enforces the time limit (and kills on expiry).
    ///
    /// # Errors
    /// [`WorkerFailure`] when the process dies or breaks the protocol.
    pub async fn invoke(&mut self, msg: &InvokeMessage<'_>) -> Result<Reply, WorkerFailure> {
        self.send(msg).await?;
        let reply = self.receive().await?;
        if reply.kind != "result" || reply.id.as_deref() != Some(msg.id) {
            return Err(WorkerFailure::Protocol(format!(
                "expected the result of {}, got a {:?} message",
                msg.id, reply.kind
            )));
        }
        let result = if reply.ok == Some(true) {
            Ok(reply
                .result
                .unwrap_or_else(|| RawValue::from_string("null".into()).expect("valid JSON")))
        } else {
            Err(reply.error.unwrap_or_default())
        };
        let (raw, raw_dropped) = self.output.take();
        Ok(Reply {
            result,
            log: append_raw_output(reply.log, &raw),
            log_dropped_bytes: reply.log_dropped_bytes + raw_dropped,
            memory_used_mb: reply.memory_used_mb,
        })
    }

    /// What the handler wrote to fd 1 and fd 2 since the last reply (for a call whose
    /// instance failed before it could answer).
    pub fn take_output(&self) -> String {
        let (raw, dropped) = self.output.take();
        if dropped == 0 {
            raw
        } else {
            format!("[{dropped} earlier bytes of output dropped]\n{raw}")
        }
    }

    /// Whether the process is still running (it may die between calls, e.g. from a
    /// timer left behind by a handler). A dead one's process group is ended here.
    pub fn is_alive(&mut self) -> bool {
        match self.child.try_wait() {
            Ok(None) => true,
            _ => {
                self.end_group();
                false
            }
        }
    }

    /// Kills the process and everything it started, now (timeouts, cancels, shutdown).
    pub fn kill(&mut self) {
        self.signal_group();
        let _ = self.child.start_kill();
    }

    /// SIGKILL to the worker's process group, unless its exit was already dealt with.
    fn signal_group(&self) {
        if !self.ended {
            // SAFETY: kill(2) with a negative pid signals that process group; it touches
            // no memory of ours. The group is the worker's own (process_group(0) at spawn),
            // and its id cannot have been reused: either the worker has not been reaped,
            // or (`ended` unset) this is the first signal after its exit was seen, while
            // the group's other members keep the id taken.
            unsafe {
                libc::kill(-self.pid, libc::SIGKILL);
            }
        }
    }

    /// The worker exited by itself: what it started goes too, as with a timeout.
    fn end_group(&mut self) {
        self.signal_group();
        self.ended = true;
    }

    async fn send<T: Serialize>(&mut self, msg: &T) -> Result<(), WorkerFailure> {
        let mut line =
            serde_json::to_vec(msg).map_err(|e| WorkerFailure::Protocol(e.to_string()))?;
        // One message per line: the event is embedded verbatim (RawValue), and a
        // pretty-printed event carries line breaks. In valid JSON a raw CR or LF can only
        // be whitespace (strings escape them; UTF-8 never uses those bytes inside a
        // character), so turning them into spaces changes nothing else.
        for b in &mut line {
            if *b == b'\n' || *b == b'\r' {
                *b = b' ';
            }
        }
        line.push(b'\n');
        if self.to_worker.write_all(&line).await.is_err() || self.to_worker.flush().await.is_err() {
            return Err(self.exited().await);
        }
        Ok(())
    }

    /// The next protocol line. If the process exits first, its group is ended at once
    /// (a child holding fd 3 open would otherwise keep the socket from closing) and a
    /// reply it wrote on the way out is still read.
    async fn receive(&mut self) -> Result<WorkerMessage, WorkerFailure> {
        let line = tokio::select! {
            biased;
            line = read_line_bounded(&mut self.from_worker, &mut self.partial, MAX_LINE) => line,
            _ = self.child.wait() => {
                self.end_group();
                let rest = read_line_bounded(&mut self.from_worker, &mut self.partial, MAX_LINE);
                tokio::time::timeout(Duration::from_secs(2), rest)
                    .await
                    .unwrap_or(Ok(None))
            }
        };
        match line {
            Ok(Some(line)) => serde_json::from_slice(&line)
                .map_err(|e| WorkerFailure::Protocol(format!("unreadable message: {e}"))),
            Ok(None) => Err(self.exited().await),
            Err(e) => {
                self.kill();
                Err(WorkerFailure::Protocol(e.to_string()))
            }
        }
    }

    /// The failure of a worker whose socket closed: waits briefly for its exit status.
    async fn exited(&mut self) -> WorkerFailure {
        let status = tokio::time::timeout(Duration::from_secs(2), self.child.wait()).await;
        let code = match status {
            Ok(Ok(s)) => {
                self.end_group();
                s.code()
            }
            _ => {
                self.kill();
                None
            }
        };
        if self.output.contains(HEAP_OOM) {
            return WorkerFailure::HeapLimit;
        }
        WorkerFailure::Exited {
            code,
            stderr: self.output.last_line(),
        }
    }
}

/// The runtime's log, then what reached fd 1 and fd 2 directly.
fn append_raw_output(mut log: String, raw: &str) -> String {
    if !raw.is_empty() {
        if !log.is_empty() && !log.ends_with('\n') {
            log.push('\n');
        }
        log.push_str(raw);
    }
    log
}

/// In the child, before exec: the protocol socket becomes fd 3 (without close-on-exec).
fn move_to_channel_fd(fd: i32) -> std::io::Result<()> {
    // SAFETY: dup2 and fcntl are async-signal-safe and touch only descriptors.
    unsafe {
        if fd == CHANNEL_FD {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags < 0 || libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) < 0 {
                return Err(std::io::Error::last_os_error());
            }
        } else if libc::dup2(fd, CHANNEL_FD) < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The environment a handler runs with: the function's user data and the runtime's
/// own variables, plus a minimal PATH and locale.
fn handler_env(launcher: &Launcher, spec: &FunctionSpec, memory_mb: u32) -> Vec<(String, String)> {
    let mut env = vec![
        ("PATH".to_owned(), "/usr/local/bin:/usr/bin:/bin".to_owned()),
        ("LANG".to_owned(), "C.UTF-8".to_owned()),
        ("TZ".to_owned(), "UTC".to_owned()),
        (
            "HOME".to_owned(),
            std::env::temp_dir().to_string_lossy().into_owned(),
        ),
        ("RUNTIME_PROJECT_ID".to_owned(), launcher.project_id.clone()),
        ("RUNTIME_FUNC_NAME".to_owned(), spec.name.clone()),
        ("RUNTIME_PACKAGE".to_owned(), spec.package.clone()),
        ("RUNTIME_HANDLER".to_owned(), spec.handler.clone()),
        ("RUNTIME_TIMEOUT".to_owned(), spec.timeout.to_string()),
        ("RUNTIME_MEMORY".to_owned(), memory_mb.to_string()),
        (
            "RUNTIME_CODE_ROOT".to_owned(),
            spec.code_dir.to_string_lossy().into_owned(),
        ),
        ("RUNTIME_REGION".to_owned(), launcher.region.clone()),
    ];
    env.extend(spec.user_data.iter().map(|(k, v)| (k.clone(), v.clone())));
    env
}

/// Reads one `\n`-terminated line into `line`, refusing lines longer than `max` so
/// that a worker cannot make the emulator buffer without bound. `None` at end of
/// stream. Cancel-safe: a partial line stays in `line` for the next call.
async fn read_line_bounded<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(None);
        }
        if let Some(pos) = available.iter().position(|&b| b == b'\n') {
            line.extend_from_slice(&available[..pos]);
            reader.consume(pos + 1);
            return Ok(Some(std::mem::take(line)));
        }
        let n = available.len();
        line.extend_from_slice(available);
        reader.consume(n);
        if line.len() > max {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a message longer than {max} bytes"),
            ));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // kill_on_drop ends the worker alone; its children would outlive it.
        self.signal_group();
    }
}
