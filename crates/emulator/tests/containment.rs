//! Handlers that misbehave are contained: a busy loop is killed at its timeout, a
//! leak dies at its heap limit, megabytes of log are cut to a bounded tail, and each
//! time the function gets a fresh instance and other functions keep answering.
//! Handlers never see the emulator's own environment.

mod common;

use std::time::{Duration, Instant};

use common::*;
use functiongraph_protocol::paths::Operation;
use serde_json::Value;

fn invoke(addr: &str, name: &str, body: &str) -> (Value, Vec<(String, String)>) {
    let mut headers = token_headers();
    headers.push(("X-Cff-Log-Type".into(), "tail".into()));
    let r = http(
        addr,
        "POST",
        &op_path(name, Operation::Invoke),
        &headers,
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    (r.json(), r.headers)
}

fn result(v: &Value) -> Value {
    serde_json::from_str(v["result"].as_str().unwrap()).unwrap_or(Value::Null)
}

#[test]
fn runaway_handlers_are_contained_and_replaced() {
    let functions = functions_dir();
    let data = data_dir();
    let emu = EmulatorProcess::start(functions.path(), data.path(), &[]);
    let addr = emu.addr.as_str();

    let started = Instant::now();
    let (spin, _) = invoke(addr, "spin", "{}");
    assert_eq!(spin["status"], 408, "{spin}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "killed at its 1 s timeout"
    );

    let (leak, _) = invoke(addr, "leak", "{}");
    assert_eq!(leak["status"], 502, "{leak}");
    assert!(
        leak["result"].as_str().unwrap().contains("exited"),
        "{leak}"
    );

    let (flood, headers) = invoke(addr, "flood", "{\"mb\":8}");
    assert_eq!(flood["status"], 200);
    assert_eq!(result(&flood)["logged"], 8);
    let log = flood["log"].as_str().unwrap();
    assert!(log.len() <= 4096 && log.contains("Finish invoke request"));
    let b64 = headers
        .iter()
        .find(|(k, _)| k == "x-cff-function-log")
        .unwrap()
        .1
        .len();
    assert!(b64 <= 2000 * 4 / 3 + 4, "{b64}");

    // Each function answers again on a fresh instance, and the others were never affected.
    for (name, body) in [("spin", "{}"), ("leak", "{}")] {
        let (again, _) = invoke(addr, name, body);
        assert_ne!(
            again["status"], 200,
            "{name} misbehaves again, on a new instance"
        );
    }
    let (echo, _) = invoke(addr, "echo", "{\"still\":\"fine\"}");
    assert_eq!(result(&echo)["still"], "fine");
}

#[test]
fn handlers_see_their_configuration_not_the_emulators_environment() {
    let functions = functions_dir();
    let data = data_dir();
    // A secret in the emulator's own environment, as a real deployment might have.
    let emu = EmulatorProcess::start_with_env(
        functions.path(),
        data.path(),
        &[],
        &[("FGS_TEST_CANARY_SECRET", "do-not-leak-this")],
    );
    let (env, _) = invoke(&emu.addr, "env", "{}");
    let env = result(&env);
    assert_eq!(env["FROM_CONFIG"], "yes");
    assert_eq!(env["RUNTIME_FUNC_NAME"], "env");
    assert!(env.get("FGS_TEST_CANARY_SECRET").is_none(), "{env}");
    assert!(!env.to_string().contains("do-not-leak-this"));
    assert!(
        !env.to_string().contains("dev-secret-key-example"),
        "not the emulator's keys either"
    );
}

/// Whether a process is running (a zombie waiting to be reaped is not).
fn running(pid: u64) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[test]
fn a_timed_out_instance_takes_what_it_started_with_it() {
    let functions = functions_dir();
    let data = data_dir();
    let emu = EmulatorProcess::start(functions.path(), data.path(), &[]);
    let addr = emu.addr.as_str();
    // The warm instance starts `sleep 600` and returns its pid.
    let (started, _) = invoke(addr, "orphan", "{}");
    let child = result(&started)["child"].as_u64().expect("a pid");
    assert!(running(child), "the child runs while its instance is warm");
    // The same instance then hangs past its 1 s timeout and is killed: its process group
    // goes with it (before, the sleep was re-parented to PID 1 and ran on).
    let r = http(
        addr,
        "POST",
        &op_path("orphan", Operation::Invoke),
        &token_headers(),
        br#"{"hang":true}"#,
    );
    assert!(r.status == 200 || r.status >= 400, "{}", r.status);
    let deadline = Instant::now() + Duration::from_secs(10);
    while running(child) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!running(child), "sleep {child} outlived its instance");
}
