//! The built `fgs-emulator` binary on a real socket: every endpoint with token and
//! AK/SK auth, error statuses, CORS, and a graceful SIGTERM.

mod common;

use std::time::{Duration, Instant};

use common::*;
use functiongraph_protocol::paths::Operation;
use serde_json::Value;

fn wait_terminal(addr: &str, name: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let target = format!(
            "{}?request_id={id}",
            op_path(name, Operation::ListAsyncInvocations)
        );
        let r = http(addr, "GET", &target, &token_headers(), b"");
        let inv = r.json()["invocations"][0].clone();
        if matches!(inv["status"].as_str(), Some("SUCCESS" | "FAIL" | "DISCARD")) {
            return inv;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{id} did not finish");
}

#[test]
fn every_endpoint_over_a_real_socket() {
    let functions = functions_dir();
    let data = data_dir();
    let emu = EmulatorProcess::start(functions.path(), data.path(), &[]);
    let addr = emu.addr.as_str();

    // Sync invoke, AK/SK signed, URN percent-encoded as the official SDKs send it.
    let target = op_path("echo", Operation::Invoke);
    let body = br#"{"over":"socket"}"#;
    let mut headers = signed_headers("POST", addr, &target, &[], body, dev_secret(), now_secs());
    headers.push(("X-Cff-Log-Type".into(), "tail".into()));
    // X-Cff-Log-Type was added after signing, and is unsigned: still accepted.
    let r = http(addr, "POST", &target, &headers, body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["result"], r#"{"over":"socket"}"#);
    assert!(r.header("x-cff-request-id").is_some());
    assert!(r
        .header("x-cff-invoke-summary")
        .unwrap()
        .contains("billingDuration"));

    // The same URN unencoded.
    let raw_target = format!(
        "/v2/{PROJECT}/fgs/functions/{}/invocations",
        urn("echo:latest")
    );
    let r = http(addr, "POST", &raw_target, &token_headers(), b"[1,2,3]");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["result"], "[1,2,3]");

    // Async invoke, then list it to SUCCESS, signed GET with a query.
    let r = http(
        addr,
        "POST",
        &op_path("echo", Operation::InvokeAsync),
        &token_headers(),
        b"{\"a\":1}",
    );
    assert_eq!(r.status, 202);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let id = r.json()["request_id"].as_str().unwrap().to_owned();
    assert_eq!(wait_terminal(addr, "echo", &id)["status"], "SUCCESS");
    let list = op_path("echo", Operation::ListAsyncInvocations);
    let query = vec![("request_id".to_owned(), id.clone())];
    let headers = signed_headers("GET", addr, &list, &query, b"", dev_secret(), now_secs());
    let r = http(
        addr,
        "GET",
        &format!("{list}?request_id={id}"),
        &headers,
        b"",
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["count"], 1);

    // Error statuses travel with the service's body and our request id.
    for (method, target, hdrs, body, status, code) in [
        (
            "POST",
            op_path("nope", Operation::Invoke),
            token_headers(),
            b"{}".to_vec(),
            404,
            "FSS.1051",
        ),
        (
            "POST",
            op_path("echo", Operation::Invoke),
            vec![],
            b"{}".to_vec(),
            401,
            "FSS.0401",
        ),
        (
            "POST",
            op_path("echo", Operation::Invoke),
            token_headers(),
            b"{oops".to_vec(),
            406,
            "FSS.0406",
        ),
        (
            "GET",
            format!("{list}?limit=1000"),
            token_headers(),
            vec![],
            400,
            "FSS.1001",
        ),
        (
            "POST",
            op_path("echo", Operation::InvokeAsync),
            token_headers(),
            vec![b'1'; 300 * 1024],
            413,
            "FSS.1201",
        ),
    ] {
        let r = http(addr, method, &target, &hdrs, &body);
        assert_eq!(r.status, status, "{method} {target}");
        assert_eq!(r.json()["error_code"], code);
        assert!(r.header("x-request-id").is_some());
    }

    // CORS preflight from a browser on another origin.
    let r = http(
        addr,
        "OPTIONS",
        &target,
        &[
            ("Origin".into(), "http://localhost:5173".into()),
            ("Access-Control-Request-Method".into(), "POST".into()),
            (
                "Access-Control-Request-Headers".into(),
                "authorization,x-sdk-date,content-type".into(),
            ),
        ],
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn sigterm_lets_in_flight_calls_finish() {
    let functions = functions_dir();
    let data = data_dir();
    let mut emu = EmulatorProcess::start(functions.path(), data.path(), &[]);
    let addr = emu.addr.clone();
    let in_flight = std::thread::spawn(move || {
        http(
            &addr,
            "POST",
            &op_path("sleep", Operation::Invoke),
            &token_headers(),
            b"{\"ms\":800}",
        )
    });
    std::thread::sleep(Duration::from_millis(300));
    let pid = emu.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let r = in_flight.join().unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], 200, "the in-flight call completed");
    let status = emu.child.wait().unwrap();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
}
