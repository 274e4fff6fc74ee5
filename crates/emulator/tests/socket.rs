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
            "FSS.0404",
        ),
        (
            "POST",
            op_path("echo", Operation::Invoke),
            vec![],
            b"{}".to_vec(),
            401,
            "APIGW.0301",
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
        let id = r.header("x-request-id").expect("x-request-id");
        // The gateway's own answers carry the id in the body as well; the service's do not.
        let in_body = r.json()["request_id"].as_str().map(str::to_owned);
        if code.starts_with("APIGW.") {
            assert_eq!(in_body.as_deref(), Some(id), "{method} {target}");
        } else {
            assert_eq!(in_body, None, "{method} {target}");
        }
    }

    // CORS preflight from a page on another loopback port (the default CORS origins
    // are loopback pages on any port, echoed back).
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
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
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

#[test]
fn a_caller_hanging_up_does_not_cost_the_warm_instance() {
    // The service lets a function finish when its caller goes away. The emulator used to
    // drop the worker with the request (killed on drop), so every hang-up cost the next
    // call a cold start: under load, a p99 of hundreds of ms.
    let functions = functions_dir();
    let data = data_dir();
    let emu = EmulatorProcess::start(functions.path(), data.path(), &[]);
    let target = op_path("pid", Operation::Invoke);
    let pid_of = |body: &[u8]| {
        let r = http(&emu.addr, "POST", &target, &token_headers(), body);
        assert_eq!(r.status, 200);
        let result: Value = serde_json::from_str(r.json()["result"].as_str().unwrap()).unwrap();
        result["pid"].as_u64().expect("a pid")
    };
    let warm = pid_of(b"{}");

    let mut stream = std::net::TcpStream::connect(&emu.addr).unwrap();
    let body = b"{\"ms\":400}";
    let mut req = format!(
        "POST {target} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        emu.addr,
        body.len()
    );
    for (k, v) in token_headers() {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    std::io::Write::write_all(&mut stream, req.as_bytes()).unwrap();
    std::io::Write::write_all(&mut stream, body).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    drop(stream); // hang up while the function runs

    // Concurrency 1: the next call waits for the instance to be free, then must reuse it.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let again = loop {
        let r = http(&emu.addr, "POST", &target, &token_headers(), b"{}");
        if r.status == 200 {
            let result: Value = serde_json::from_str(r.json()["result"].as_str().unwrap()).unwrap();
            break result["pid"].as_u64().unwrap();
        }
        assert_eq!(r.status, 429, "busy until the abandoned call ends");
        assert!(
            std::time::Instant::now() < deadline,
            "the instance never came back"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(again, warm, "the same warm instance served the next call");
}

/// Whether the server closes `stream` (EOF or reset) before the hang guard: what it
/// sends first, if anything, is read and dropped.
fn closed_by_server(stream: &mut std::net::TcpStream) -> bool {
    use std::io::Read as _;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false, // the hang guard ran out: still open
        }
    }
}

#[test]
fn idle_and_half_sent_connections_are_closed() {
    use std::io::Write as _;
    let functions = functions_dir();
    let data = data_dir();
    let emu = EmulatorProcess::start(
        functions.path(),
        data.path(),
        &["--header-read-timeout", "0.5"],
    );
    let addr = emu.addr.as_str();
    // Connected, nothing sent.
    let mut idle = std::net::TcpStream::connect(addr).unwrap();
    // Half a request head, then silence (slowloris).
    let mut half = std::net::TcpStream::connect(addr).unwrap();
    half.write_all(b"POST /v2/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: dev")
        .unwrap();
    // A kept-alive connection after its answer.
    let mut kept = std::net::TcpStream::connect(addr).unwrap();
    let target = op_path("echo", Operation::Invoke);
    let mut req = format!("POST {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 2\r\n");
    for (k, v) in token_headers() {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n{}");
    kept.write_all(req.as_bytes()).unwrap();
    // A complete head, then part of the body it announced.
    let mut half_body = std::net::TcpStream::connect(addr).unwrap();
    let head = req.replace("Content-Length: 2", "Content-Length: 20");
    half_body
        .write_all(head.trim_end_matches("{}").as_bytes())
        .unwrap();
    half_body.write_all(b"{\"half\":").unwrap();
    for (name, stream) in [
        ("idle", &mut idle),
        ("half-sent", &mut half),
        ("kept-alive", &mut kept),
        ("half-body", &mut half_body),
    ] {
        assert!(
            closed_by_server(stream),
            "the {name} connection stayed open"
        );
    }
    // A normal request still answers, and a call that runs longer than the timeout
    // is not cut: the timer covers reading a request, not answering it.
    let r = http(addr, "POST", &target, &token_headers(), b"{\"still\":1}");
    assert_eq!(r.status, 200);
    let slow = op_path("sleep", Operation::Invoke);
    let r = http(addr, "POST", &slow, &token_headers(), b"{\"ms\":1500}");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["status"],
        200,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
}

#[test]
fn a_request_answers_while_more_idle_sockets_than_the_limit_are_open() {
    let functions = functions_dir();
    let data = data_dir();
    // As in the issue, scaled down: under `ulimit -n 128`, 200 idle sockets would take
    // every descriptor (before, calls then hung for as long as the sockets stayed). A
    // long header timeout: the idle sockets stay unless the connection cap makes room.
    let emu = EmulatorProcess::start_with_fd_limit(
        functions.path(),
        data.path(),
        &["--header-read-timeout", "120", "--max-connections", "8"],
        128,
    );
    let addr = emu.addr.as_str();
    let idle: Vec<_> = (0..200)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    let target = op_path("echo", Operation::Invoke);
    for i in 0..3 {
        let body = format!("{{\"call\":{i}}}");
        let r = http(addr, "POST", &target, &token_headers(), body.as_bytes());
        assert_eq!(r.status, 200, "call {i} while 200 idle sockets are open");
        assert_eq!(r.json()["result"], body);
    }
    drop(idle);
}
