//! Nothing accepted is lost: accept a burst of async invocations, `kill -9` the
//! emulator while they run, restart it on the same data, and every one of them
//! reaches a terminal status and is listed exactly once.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::*;
use functiongraph_protocol::paths::Operation;

const N: usize = 40;

/// Every page, as the service pages: `next_marker` is the next offset, 0 after the last.
fn list_all(addr: &str) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    let mut marker = String::new();
    for _ in 0..100 {
        let target = format!(
            "{}?limit=500&marker={marker}",
            op_path("sleep", Operation::ListAsyncInvocations)
        );
        let body = http(addr, "GET", &target, &token_headers(), b"").json();
        all.extend(body["invocations"].as_array().unwrap().iter().cloned());
        match body["next_marker"].as_u64() {
            Some(0) | None => return all,
            Some(m) => marker = m.to_string(),
        }
    }
    panic!("the listing never ended");
}

#[test]
fn kill_9_mid_burst_loses_nothing() {
    let functions = functions_dir();
    let data = data_dir();
    let emu = EmulatorProcess::start(functions.path(), data.path(), &[]);
    let mut accepted = Vec::new();
    for i in 0..N {
        // sleep has concurrency 2: the burst queues, so the kill lands mid-run.
        let body = format!("{{\"ms\":150,\"i\":{i}}}");
        let r = http(
            &emu.addr,
            "POST",
            &op_path("sleep", Operation::InvokeAsync),
            &token_headers(),
            body.as_bytes(),
        );
        assert_eq!(r.status, 202);
        accepted.push(r.json()["request_id"].as_str().unwrap().to_owned());
    }
    std::thread::sleep(Duration::from_millis(400));
    let before = list_all(&emu.addr);
    let unfinished = before
        .iter()
        .filter(|i| i["status"] == "WAIT" || i["status"] == "RUNNING")
        .count();
    assert!(
        unfinished > N / 2,
        "the kill must land mid-burst ({unfinished} unfinished)"
    );
    emu.kill9();

    let emu = EmulatorProcess::start(functions.path(), data.path(), &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let after = loop {
        let all = list_all(&emu.addr);
        if all.len() == N && all.iter().all(|i| i["status"] == "SUCCESS") {
            break all;
        }
        assert!(Instant::now() < deadline, "not all finished: {all:?}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let listed: Vec<&str> = after
        .iter()
        .map(|i| i["request_id"].as_str().unwrap())
        .collect();
    let unique: HashSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), N, "each exactly once");
    assert_eq!(
        unique,
        accepted.iter().map(String::as_str).collect::<HashSet<_>>()
    );
}

#[test]
fn sigterm_leaves_running_async_invocations_resumable() {
    let functions = functions_dir();
    let data = data_dir();
    let mut emu = EmulatorProcess::start(functions.path(), data.path(), &[]);
    let r = http(
        &emu.addr,
        "POST",
        &op_path("sleep", Operation::InvokeAsync),
        &token_headers(),
        b"{\"ms\":1500}",
    );
    let id = r.json()["request_id"].as_str().unwrap().to_owned();
    std::thread::sleep(Duration::from_millis(400));
    let pid = emu.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert!(emu.child.wait().unwrap().success(), "clean exit on SIGTERM");

    let emu = EmulatorProcess::start(functions.path(), data.path(), &[]);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all = list_all(&emu.addr);
        let rec = all
            .iter()
            .find(|i| i["request_id"] == id.as_str())
            .expect("still listed");
        if rec["status"] == "SUCCESS" {
            break;
        }
        assert!(Instant::now() < deadline, "not resumed: {rec}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
