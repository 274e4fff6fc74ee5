//! One warm Node.js process running `runtime/runtime.js`, spoken to with one JSON
//! message per line on its stdin and stdout. Handler output never reaches stdout:
//! the runtime captures it into each invocation's log.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::functions::FunctionSpec;

/// The runtime source, embedded so the binary is self-contained.
pub const RUNTIME_JS: &str = include_str!("../runtime/runtime.js");

/// Longest protocol line accepted from a worker: a 6 MB result, JSON-escaped, plus log.
const MAX_LINE: usize = 16 * 1024 * 1024;
/// Bytes of a worker's own stderr kept to explain a crash.
const STDERR_TAIL: usize = 2048;
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
        /// The end of what it wrote to stderr.
        stderr: String,
    },
    /// It answered something that is not the protocol.
    #[error("the function instance answered out of protocol: {0}")]
    Protocol(String),
    /// The module took longer than allowed to load.
    #[error("the function instance did not start within {}s", START_TIMEOUT.as_secs())]
    StartTimeout,
}

fn describe_exit(code: Option<i32>, stderr: &str) -> String {
    let code = code.map_or_else(
        || " (killed by a signal)".to_owned(),
        |c| format!(" with code {c}"),
    );
    let last = stderr.trim().lines().last().unwrap_or("");
    if last.is_empty() {
        code
    } else {
        format!("{code}: {last}")
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
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    stderr_tail: Arc<Mutex<String>>,
}

impl Worker {
    /// Starts a worker for `spec` and waits until its handler is loaded.
    ///
    /// # Errors
    /// [`WorkerFailure`] when the process cannot start or the handler cannot load.
    pub async fn start(launcher: &Launcher, spec: &FunctionSpec) -> Result<Worker, WorkerFailure> {
        let mut cmd = Command::new(&launcher.node);
        cmd.arg(format!("--max-old-space-size={}", spec.memory_size))
            .arg(&launcher.runtime)
            .current_dir(&spec.code_dir)
            // Handlers see only what the function's configuration gives them, never
            // the emulator's own environment (which may hold real credentials).
            .env_clear()
            .envs(handler_env(launcher, spec))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group: what the handler starts is in it too, and a timeout,
            // a cancel or a shutdown ends the whole group (see `kill`), as the service
            // ends an instance.
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(WorkerFailure::Spawn)?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        let stderr_tail = Arc::new(Mutex::new(String::new()));
        tokio::spawn(drain_stderr(
            child.stderr.take().expect("piped"),
            stderr_tail.clone(),
            spec.key(),
        ));
        let mut worker = Worker {
            child,
            stdin,
            stdout,
            stderr_tail,
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
                memory_size: spec.memory_size,
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
        Ok(Reply {
            result,
            log: reply.log,
            log_dropped_bytes: reply.log_dropped_bytes,
            memory_used_mb: reply.memory_used_mb,
        })
    }

    /// Whether the process is still running (it may die between calls, e.g. from a
    /// timer left behind by a handler).
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills the process and everything it started, now (timeouts, cancels, shutdown).
    pub fn kill(&mut self) {
        kill_group(&self.child);
        let _ = self.child.start_kill();
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
        if self.stdin.write_all(&line).await.is_err() || self.stdin.flush().await.is_err() {
            return Err(self.exited().await);
        }
        Ok(())
    }

    async fn receive(&mut self) -> Result<WorkerMessage, WorkerFailure> {
        match read_line_bounded(&mut self.stdout, MAX_LINE).await {
            Ok(Some(line)) => serde_json::from_slice(&line)
                .map_err(|e| WorkerFailure::Protocol(format!("unreadable message: {e}"))),
            Ok(None) => Err(self.exited().await),
            Err(e) => {
                self.kill();
                Err(WorkerFailure::Protocol(e.to_string()))
            }
        }
    }

    /// The failure of a worker whose pipes closed: waits briefly for its exit status.
    async fn exited(&mut self) -> WorkerFailure {
        let status = tokio::time::timeout(Duration::from_secs(2), self.child.wait()).await;
        let code = match status {
            Ok(Ok(s)) => s.code(),
            _ => {
                self.kill();
                None
            }
        };
        // Let the stderr reader catch up with the last words of the process.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let stderr = self
            .stderr_tail
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        WorkerFailure::Exited { code, stderr }
    }
}

/// The environment a handler runs with: the function's user data and the runtime's
/// own variables, plus a minimal PATH and locale.
fn handler_env(launcher: &Launcher, spec: &FunctionSpec) -> Vec<(String, String)> {
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
        ("RUNTIME_MEMORY".to_owned(), spec.memory_size.to_string()),
        (
            "RUNTIME_CODE_ROOT".to_owned(),
            spec.code_dir.to_string_lossy().into_owned(),
        ),
        ("RUNTIME_REGION".to_owned(), launcher.region.clone()),
    ];
    env.extend(spec.user_data.iter().map(|(k, v)| (k.clone(), v.clone())));
    env
}

/// Keeps the last bytes of a worker's own stderr (runtime faults, Node's fatal
/// errors) to explain crashes, and logs them.
async fn drain_stderr(
    mut stderr: tokio::process::ChildStderr,
    tail: Arc<Mutex<String>>,
    key: String,
) {
    let mut buf = vec![0u8; 4096];
    while let Ok(n) = stderr.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&buf[..n]);
        tracing::debug!(function = %key, "worker stderr: {}", text.trim_end());
        if let Ok(mut t) = tail.lock() {
            t.push_str(&text);
            if t.len() > STDERR_TAIL {
                let cut = t.len() - STDERR_TAIL;
                let cut = (cut..t.len())
                    .find(|&i| t.is_char_boundary(i))
                    .unwrap_or(t.len());
                t.drain(..cut);
            }
        }
    }
}

/// Reads one `\n`-terminated line, refusing lines longer than `max` so that a worker
/// cannot make the emulator buffer without bound. `None` at end of stream.
async fn read_line_bounded<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    max: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(None);
        }
        if let Some(pos) = available.iter().position(|&b| b == b'\n') {
            line.extend_from_slice(&available[..pos]);
            reader.consume(pos + 1);
            return Ok(Some(line));
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

/// SIGKILL to the worker's process group (its id is the worker's pid).
fn kill_group(child: &Child) {
    if let Some(pid) = child.id().and_then(|pid| i32::try_from(pid).ok()) {
        // SAFETY: kill(2) with a negative pid signals that process group; it touches no
        // memory of ours. The group is the worker's own (process_group(0) at spawn).
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // kill_on_drop ends the worker alone; its children would outlive it.
        kill_group(&self.child);
    }
}
