//! Shared by the emulator's integration tests: a functions folder with the samples
//! and the test fixtures, request builders for each kind of credentials, and a small
//! HTTP/1.1 client for real-socket tests.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use functiongraph_emulator::config::{
    Config, DEV_ACCESS_KEY, DEV_PROJECT_ID, DEV_SECRET_KEY, DEV_TOKEN,
};
use functiongraph_protocol::paths::{path, Operation};
use functiongraph_protocol::sign::{sign, SignableRequest};
use functiongraph_protocol::time::format_sdk_date;

pub const PROJECT: &str = DEV_PROJECT_ID;

/// `urn:fss:cn-north-4:{project}:function:default:{name_and_qualifier}`.
pub fn urn(name: &str) -> String {
    format!("urn:fss:cn-north-4:{PROJECT}:function:default:{name}")
}

pub fn op_path(name: &str, op: Operation) -> String {
    path(PROJECT, &urn(name), op)
}

/// A folder holding the sample functions and the test fixtures side by side.
pub fn functions_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for src in [
        root.join("../../examples/functions"),
        root.join("tests/functions"),
    ] {
        for entry in std::fs::read_dir(&src).unwrap() {
            let entry = entry.unwrap();
            if entry.path().join("function.json").is_file() {
                copy_dir(&entry.path(), &dir.path().join(entry.file_name()));
            }
        }
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The default config with fast async retries, so retry tests take milliseconds.
pub fn test_config() -> Config {
    Config {
        async_retry_delay_secs: 0.05,
        ..Config::default()
    }
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The headers an AK/SK client sends, signed at `date` with `secret`.
pub fn signed_headers(
    method: &str,
    host: &str,
    wire_path: &str,
    query: &[(String, String)],
    body: &[u8],
    secret: &str,
    date_secs: i64,
) -> Vec<(String, String)> {
    let mut headers = vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("X-Project-Id".to_owned(), PROJECT.to_owned()),
        ("X-Sdk-Date".to_owned(), format_sdk_date(date_secs)),
        ("Host".to_owned(), host.to_owned()),
    ];
    let sig = sign(
        &SignableRequest {
            method,
            path: wire_path,
            query,
            headers: &headers,
            body,
        },
        DEV_ACCESS_KEY,
        secret,
    )
    .unwrap();
    headers.push(("Authorization".to_owned(), sig.authorization));
    headers
}

pub fn token_headers() -> Vec<(String, String)> {
    vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("X-Auth-Token".to_owned(), DEV_TOKEN.to_owned()),
    ]
}

pub fn dev_secret() -> &'static str {
    DEV_SECRET_KEY
}

/// A response read off a real socket.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One HTTP/1.1 request with `Connection: close`, read to the end. Minimal on purpose:
/// the tests need to see exactly the bytes the emulator sends.
pub fn http(
    addr: &str,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> RawResponse {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> RawResponse {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16)
                .unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// The built emulator binary, started on a free port; stdout's first line gives the URL.
pub struct EmulatorProcess {
    pub child: std::process::Child,
    pub addr: String,
}

impl EmulatorProcess {
    pub fn start(functions: &Path, data: &Path, extra: &[&str]) -> EmulatorProcess {
        Self::start_with_env(functions, data, extra, &[])
    }

    /// Like `start`, with extra variables in the emulator's own environment.
    pub fn start_with_env(
        functions: &Path,
        data: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> EmulatorProcess {
        Self::spawn(
            std::process::Command::new(env!("CARGO_BIN_EXE_fgs-emulator")),
            functions,
            data,
            extra,
            env,
        )
    }

    /// Like `start`, with at most `max_fds` open descriptors (`ulimit -n`).
    pub fn start_with_fd_limit(
        functions: &Path,
        data: &Path,
        extra: &[&str],
        max_fds: u64,
    ) -> EmulatorProcess {
        use std::os::unix::process::CommandExt as _;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_fgs-emulator"));
        // SAFETY: setrlimit is async-signal-safe and only touches the child's limits.
        unsafe {
            cmd.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: max_fds as libc::rlim_t,
                    rlim_max: max_fds as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        Self::spawn(cmd, functions, data, extra, &[])
    }

    fn spawn(
        mut cmd: std::process::Command,
        functions: &Path,
        data: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> EmulatorProcess {
        use std::io::BufRead;
        let mut child = cmd
            .envs(env.iter().copied())
            .args(["--listen", "127.0.0.1:0", "--functions"])
            .arg(functions)
            .arg("--data")
            .arg(data)
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first).unwrap();
        // Keep reading so the rest of the banner never meets a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        EmulatorProcess { child, addr }
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}
