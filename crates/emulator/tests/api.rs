//! Handler tests: the router driven with `oneshot`, real Node.js workers behind it.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use base64::Engine as _;
use common::*;
use functiongraph_emulator::Emulator;
use functiongraph_protocol::paths::Operation;
use serde_json::{json, Value};
use tower::ServiceExt as _;

struct Harness {
    router: Router,
    emulator: Emulator,
    _functions: tempfile::TempDir,
    _data: tempfile::TempDir,
}

async fn harness() -> Harness {
    let functions = functions_dir();
    let data = data_dir();
    let emulator = Emulator::start(test_config(), functions.path(), data.path())
        .await
        .unwrap();
    Harness {
        router: emulator.router(),
        emulator,
        _functions: functions,
        _data: data,
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_else(|| panic!("no {name}"))
    }
    fn error_code(&self) -> String {
        self.json()["error_code"].as_str().unwrap().to_owned()
    }
}

async fn call(
    router: &Router,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(target);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

async fn invoke(h: &Harness, name: &str, event: Value, extra: &[(&str, &str)]) -> Answer {
    let mut headers = token_headers();
    headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    call(
        &h.router,
        "POST",
        &op_path(name, Operation::Invoke),
        &headers,
        event.to_string().into_bytes(),
    )
    .await
}

#[tokio::test]
async fn sync_invoke_answers_the_v1_wrapper_with_summary_and_request_id() {
    let h = harness().await;
    let a = invoke(
        &h,
        "echo:latest",
        json!({"hello": "world", "n": [1, 2]}),
        &[],
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    let body = a.json();
    assert_eq!(body["status"], 200);
    assert_eq!(
        serde_json::from_str::<Value>(body["result"].as_str().unwrap()).unwrap(),
        json!({"hello": "world", "n": [1, 2]})
    );
    assert_eq!(body["log"], "", "no log without X-Cff-Log-Type: tail");
    assert_eq!(body["request_id"], a.header("x-cff-request-id"));
    assert_eq!(a.header("x-cff-response-version"), "v1");
    assert_eq!(a.header("x-is-func-err"), "false");
    assert_eq!(a.header("x-func-err-code"), "0");
    let summary: Value = serde_json::from_str(a.header("x-cff-invoke-summary")).unwrap();
    assert!(summary["duration"].as_f64().unwrap() > 0.0);
    assert!(summary["billingDuration"].as_u64().unwrap() >= 1);
    let configured: Value = serde_json::from_str(
        &std::fs::read_to_string(h._functions.path().join("echo/function.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        summary["memorySize"],
        configured.get("memory_size").cloned().unwrap_or(json!(128))
    );
    assert!(summary["memoryUsed"].as_f64().unwrap() > 1.0, "{summary}");
    assert!(!a.header("x-request-id").is_empty());
}

/// docs/service.md, "Sync invoke answers": seven, with `X-Cff-Function-Log` only for a tail.
/// docs/openapi.yaml lists the same set.
#[tokio::test]
async fn a_sync_200_sends_the_seven_documented_headers() {
    let h = harness().await;
    let a = invoke(&h, "echo", json!({}), &[("X-Cff-Log-Type", "tail")]).await;
    assert_eq!(a.status, StatusCode::OK);
    // Less the CORS layer's (Access-Control-*, Vary): cors_preflight_and_exposed_headers.
    let mut names: Vec<&str> = a
        .headers
        .keys()
        .map(|k| k.as_str())
        .filter(|k| !k.starts_with("access-control-") && *k != "vary")
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "content-length",
            "content-type",
            "x-cff-billing-duration",
            "x-cff-function-log",
            "x-cff-invoke-summary",
            "x-cff-request-id",
            "x-cff-response-version",
            "x-func-err-code",
            "x-is-func-err",
            "x-request-id",
        ]
    );
}

/// Calls asking for other instance sizes get instances of their own, yet a function never
/// keeps more processes than its `concurrency` (forge's is 1): a warm instance of another
/// size is stopped first.
#[tokio::test]
async fn instance_sizes_share_the_functions_concurrency() {
    let h = harness().await;
    for memory in ["128", "256", "512", "256"] {
        let a = invoke(&h, "forge", json!({}), &[("X-Cff-Instance-Memory", memory)]).await;
        assert_eq!(a.status, StatusCode::OK);
        let summary: Value = serde_json::from_str(a.header("x-cff-invoke-summary")).unwrap();
        assert_eq!(summary["memorySize"].to_string(), memory);
        assert_eq!(h.emulator.state.pools.idle_count(), 1, "after {memory}");
    }
}

/// The official SDK's `AsyncInvokeFunctionRequest` has `x_cff_instance_memory` too.
#[tokio::test]
async fn both_invokes_take_x_cff_instance_memory() {
    let h = harness().await;
    let a = invoke(&h, "echo", json!({}), &[("X-Cff-Instance-Memory", "256")]).await;
    let summary: Value = serde_json::from_str(a.header("x-cff-invoke-summary")).unwrap();
    assert_eq!(summary["memorySize"], 256);
    let mut headers = token_headers();
    headers.push(("X-Cff-Instance-Memory".into(), "256".into()));
    let target = op_path("echo", Operation::InvokeAsync);
    let a = call(&h.router, "POST", &target, &headers, b"{}".to_vec()).await;
    assert_eq!(a.status, StatusCode::ACCEPTED);
    for op in [Operation::Invoke, Operation::InvokeAsync] {
        let mut headers = token_headers();
        headers.push(("X-Cff-Instance-Memory".into(), "100".into()));
        let a = call(
            &h.router,
            "POST",
            &op_path("echo", op),
            &headers,
            b"{}".to_vec(),
        )
        .await;
        assert_eq!(
            (a.status.as_u16(), a.error_code().as_str()),
            (400, "FSS.0400"),
            "{op:?}"
        );
    }
}

#[tokio::test]
async fn log_tail_comes_in_the_body_and_base64_in_a_header() {
    let h = harness().await;
    let a = invoke(
        &h,
        "hello",
        json!({"name": "tail"}),
        &[("X-Cff-Log-Type", "tail")],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let body = a.json();
    let log = body["log"].as_str().unwrap();
    assert!(log.contains("Start invoke request"), "{log}");
    assert!(log.contains("Hello, World!"), "{log}");
    assert!(log.contains("Finish invoke request"), "{log}");
    let header_log = base64::engine::general_purpose::STANDARD
        .decode(a.header("x-cff-function-log"))
        .unwrap();
    assert!(String::from_utf8(header_log)
        .unwrap()
        .contains("Finish invoke request"));
    let result: Value = serde_json::from_str(body["result"].as_str().unwrap()).unwrap();
    assert_eq!(result["statusCode"], 200);
    assert!(result["body"].as_str().unwrap().contains("hello tail"));
}

#[tokio::test]
async fn long_logs_are_cut_to_their_tail() {
    let h = harness().await;
    let a = invoke(
        &h,
        "logs",
        json!({"lines": 500, "width": 80}),
        &[("X-Cff-Log-Type", "tail")],
    )
    .await;
    let log = a.json()["log"].as_str().unwrap().to_owned();
    assert!(log.len() <= 4096, "{}", log.len());
    assert!(log.contains("Finish invoke request"));
    assert!(log.contains("500"), "the last line logged is in the tail");
    assert!(!a.header("x-cff-function-log").is_empty());
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(a.header("x-cff-function-log"))
        .unwrap();
    assert!(decoded.len() <= 2000);
}

#[tokio::test]
async fn v0_answers_the_raw_result() {
    let h = harness().await;
    let a = invoke(
        &h,
        "echo",
        json!({"raw": true}),
        &[("X-CFF-Request-Version", "v0")],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("x-cff-response-version"), "v0");
    assert_eq!(a.json(), json!({"raw": true}));
    let a = invoke(
        &h,
        "echo",
        json!("just text"),
        &[("X-CFF-Request-Version", "v0")],
    )
    .await;
    assert_eq!(a.body, b"just text");
    let a = invoke(&h, "echo", json!({}), &[("X-CFF-Request-Version", "v9")]).await;
    assert_eq!(
        (a.status, a.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "FSS.0400")
    );
}

#[tokio::test]
async fn versions_and_aliases_resolve_or_answer_404() {
    let h = harness().await;
    let a = invoke(&h, "versioned:v2", json!({}), &[]).await;
    assert_eq!(
        serde_json::from_str::<Value>(a.json()["result"].as_str().unwrap()).unwrap()["version"],
        "v2"
    );
    let a = invoke(&h, "versioned:!prod", json!({}), &[]).await;
    let r: Value = serde_json::from_str(a.json()["result"].as_str().unwrap()).unwrap();
    assert_eq!(
        (r["version"].as_str(), r["alias"].as_str()),
        (Some("v1"), Some("prod"))
    );
    let a = invoke(&h, "versioned", json!({}), &[]).await;
    assert_eq!(
        serde_json::from_str::<Value>(a.json()["result"].as_str().unwrap()).unwrap()["version"],
        "latest"
    );
    for (urn, status, code) in [
        ("no-such-function:latest", 404, "FSS.0404"),
        ("versioned:v9", 404, "FSS.1052"),
        ("versioned:!staging", 404, "FSS.1053"),
    ] {
        let a = invoke(&h, urn, json!({}), &[]).await;
        assert_eq!(
            (a.status.as_u16(), a.error_code().as_str()),
            (status, code),
            "{urn}"
        );
        assert!(!a.json()["error_msg"].as_str().unwrap().is_empty());
    }
}

/// Seeds `003_…` (async invoke) and `004_…` (listing): 404 `FSS.0404`, worded per page.
#[tokio::test]
async fn an_unknown_function_is_404_fss_0404_worded_as_each_page_words_it() {
    let h = harness().await;
    let t = token_headers();
    let body = json!({"request_id": "r1"}).to_string().into_bytes();
    for (op, msg) in [
        (Operation::Invoke, "function 'nope' not exist"),
        (Operation::InvokeAsync, "function 'nope' not exist"),
        (Operation::ListAsyncInvocations, "can not find function"),
        (
            Operation::ListActiveAsyncInvocations,
            "can not find function",
        ),
        (Operation::CancelAsyncInvocation, "can not find function"),
    ] {
        let a = call(
            &h.router,
            op.method(),
            &op_path("nope", op),
            &t,
            body.clone(),
        )
        .await;
        assert_eq!(
            (a.status.as_u16(), a.json()),
            (404, json!({"error_code": "FSS.0404", "error_msg": msg})),
            "{op:?}"
        );
    }
}

#[tokio::test]
async fn bad_urns_paths_and_methods_get_the_service_errors() {
    let h = harness().await;
    let t = token_headers();
    let cases: Vec<(String, &str, u16, &str)> = vec![
        (format!("/v2/{PROJECT}/fgs/functions/not-a-urn/invocations"), "POST", 400, "FSS.1309"),
        (format!("/v2/{PROJECT}/fgs/functions/urn%3Afss%3Acn-north-4%3A{PROJECT}%3Afunction%3Adefault%3A..%2F..%2Fetc/invocations"), "POST", 400, "FSS.1309"),
        (format!("/v2/{PROJECT}/fgs/functions/urn:fss:cn-north-4:{PROJECT}:function:default:{}/invocations", "x".repeat(300)), "POST", 400, "FSS.1309"),
        (format!("/v2/{PROJECT}/fgs/functions/urn:fss:eu-west-0:{PROJECT}:function:default:echo/invocations"), "POST", 400, "FSS.1309"),
        (format!("/v2/{PROJECT}/fgs/functions/urn:fss:cn-north-4:ffffffffffffffffffffffffffffffff:function:default:echo/invocations"), "POST", 400, "FSS.1309"),
        (format!("/v2/{PROJECT}/fgs/functions/%zz/invocations"), "POST", 400, "FSS.1309"),
        (format!("/v2/{PROJECT}/fgs/functions/x/unknown"), "POST", 404, "FSS.0404"),
        ("/".to_owned(), "GET", 404, "FSS.0404"),
        (op_path("echo", Operation::Invoke), "GET", 404, "FSS.0404"),
        (op_path("echo", Operation::ListAsyncInvocations), "POST", 404, "FSS.0404"),
    ];
    for (target, method, status, code) in cases {
        let a = call(&h.router, method, &target, &t, b"{}".to_vec()).await;
        assert_eq!(
            (a.status.as_u16(), a.error_code().as_str()),
            (status, code),
            "{method} {target}"
        );
        assert_eq!(a.headers["content-type"], "application/json");
    }
    // Another project in the path: the credentials are not for it.
    let other = "/v2/ffffffffffffffffffffffffffffffff/fgs/functions/urn:fss:cn-north-4:ffffffffffffffffffffffffffffffff:function:default:echo/invocations";
    let a = call(&h.router, "POST", other, &t, b"{}".to_vec()).await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (403, "FSS.0403")
    );
}

#[tokio::test]
async fn bodies_must_be_json_and_within_the_limits() {
    let h = harness().await;
    let t = token_headers();
    let sync_path = op_path("echo", Operation::Invoke);
    let async_path = op_path("echo", Operation::InvokeAsync);
    let a = call(&h.router, "POST", &sync_path, &t, b"{not json".to_vec()).await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (406, "FSS.0406")
    );
    let a = call(&h.router, "POST", &async_path, &t, b"[1,2".to_vec()).await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (406, "FSS.0406")
    );
    // An empty body is the empty event.
    let a = call(&h.router, "POST", &sync_path, &t, Vec::new()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["result"], "{}");

    let big_async = format!("\"{}\"", "a".repeat(256 * 1024));
    let a = call(&h.router, "POST", &async_path, &t, big_async.into_bytes()).await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (413, "FSS.1201")
    );
    let near_async = format!("\"{}\"", "a".repeat(256 * 1024 - 10));
    let a = call(&h.router, "POST", &async_path, &t, near_async.into_bytes()).await;
    assert_eq!(a.status, StatusCode::ACCEPTED);

    let big_sync = format!("\"{}\"", "a".repeat(6 * 1024 * 1024));
    let a = call(&h.router, "POST", &sync_path, &t, big_sync.into_bytes()).await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (413, "FSS.1201")
    );
    let near_sync = format!("\"{}\"", "a".repeat(6 * 1024 * 1024 - 10));
    let a = call(
        &h.router,
        "POST",
        &sync_path,
        &t,
        near_sync.clone().into_bytes(),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.json()["result"].as_str().unwrap().len(),
        6 * 1024 * 1024 - 10
    );
}

#[tokio::test]
async fn credentials_are_required_and_checked() {
    let h = harness().await;
    let target = op_path("echo", Operation::Invoke);
    let body = b"{\"a\":1}".to_vec();
    let host = "localhost:8787";
    let json_ct = vec![("Content-Type".to_owned(), "application/json".to_owned())];

    // The API gateway answers these, with its request id in the body too.
    let mut bad_token = json_ct.clone();
    bad_token.push(("X-Auth-Token".into(), "not-the-token".into()));
    for (headers, detail) in [
        (&json_ct, "x-auth-token not found"),
        (&bad_token, "decrypt token fail"),
    ] {
        let a = call(&h.router, "POST", &target, headers, body.clone()).await;
        let id = a.header("x-request-id").to_owned();
        assert_eq!(
            (a.status.as_u16(), a.json()),
            (
                401,
                json!({
                    "error_code": "APIGW.0301",
                    "error_msg": format!("Incorrect IAM authentication information: {detail}"),
                    "request_id": id,
                })
            )
        );
    }

    let good = signed_headers("POST", host, &target, &[], &body, dev_secret(), now_secs());
    let a = call(&h.router, "POST", &target, &good, body.clone()).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );

    let wrong_secret = signed_headers(
        "POST",
        host,
        &target,
        &[],
        &body,
        "not-the-secret",
        now_secs(),
    );
    let expired = signed_headers(
        "POST",
        host,
        &target,
        &[],
        &body,
        dev_secret(),
        now_secs() - 16 * 60,
    );
    let future = signed_headers(
        "POST",
        host,
        &target,
        &[],
        &body,
        dev_secret(),
        now_secs() + 16 * 60,
    );
    let altered = |name: &str, change: &dyn Fn(&str) -> String| -> Vec<(String, String)> {
        good.iter()
            .map(|(k, v)| (k.clone(), if k == name { change(v) } else { v.clone() }))
            .collect()
    };
    let unknown_key = altered("Authorization", &|v| {
        v.replace("DEVACCESSKEYEXAMPLE0", "UNKNOWNKEY")
    });
    // A signature over other header values than those received.
    let other_header = altered("X-Project-Id", &|_| {
        "ffffffffffffffffffffffffffffffff".into()
    });
    let not_sdk = altered("Authorization", &|_| "Bearer something".into());
    for (name, headers, sent) in [
        ("wrong secret", wrong_secret, body.clone()),
        ("tampered body", good.clone(), b"{\"a\":2}".to_vec()),
        ("expired date", expired, body.clone()),
        ("date in the future", future, body.clone()),
        ("unknown access key", unknown_key, body.clone()),
        ("signed over other headers", other_header, body.clone()),
        (
            "not an SDK-HMAC-SHA256 authorization",
            not_sdk,
            body.clone(),
        ),
    ] {
        let a = call(&h.router, "POST", &target, &headers, sent).await;
        assert_eq!(
            (a.status.as_u16(), a.error_code().as_str()),
            (401, "APIGW.0301"),
            "{name}"
        );
        assert_eq!(a.json()["request_id"], a.header("x-request-id"), "{name}");
        let msg = a.json()["error_msg"].as_str().unwrap().to_owned();
        assert!(!msg.contains(dev_secret()), "no secret in messages");
    }
}

#[tokio::test]
async fn signed_list_requests_cover_the_query() {
    let h = harness().await;
    let base = op_path("echo", Operation::ListAsyncInvocations);
    let query = vec![
        ("limit".to_owned(), "5".to_owned()),
        ("status".to_owned(), "SUCCESS".to_owned()),
    ];
    let target = format!("{base}?{}", functiongraph_protocol::query::encode(&query));
    let headers = signed_headers(
        "GET",
        "localhost:8787",
        &base,
        &query,
        b"",
        dev_secret(),
        now_secs(),
    );
    let a = call(&h.router, "GET", &target, &headers, Vec::new()).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    let tampered = format!("{base}?limit=6&status=SUCCESS");
    let a = call(&h.router, "GET", &tampered, &headers, Vec::new()).await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (401, "APIGW.0301")
    );
}

#[tokio::test]
async fn function_errors_timeouts_and_crashes_are_reported_and_contained() {
    let h = harness().await;
    let a = invoke(
        &h,
        "fail",
        json!({"reason": "test"}),
        &[("X-Cff-Log-Type", "tail")],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("x-is-func-err"), "true");
    let body = a.json();
    assert_eq!(body["status"], 4002);
    assert_eq!(a.header("x-func-err-code"), "4002");
    let err: Value = serde_json::from_str(body["result"].as_str().unwrap()).unwrap();
    // The FunctionGraph Node.js runtime's own wording for a thrown error.
    assert_eq!(
        err["errorMessage"],
        "function invocation exception, error: intentional failure: test"
    );
    assert_eq!(err["errorType"], "Error");
    assert!(body["log"]
        .as_str()
        .unwrap()
        .contains("intentional failure"));

    let a = invoke(&h, "slow", json!({"ms": 3000}), &[]).await;
    assert_eq!(a.header("x-is-func-err"), "true");
    assert_eq!(a.json()["status"], 408);
    assert!(a.json()["result"]
        .as_str()
        .unwrap()
        .contains("timed out after 1s"));
    // The timed-out instance was stopped and replaced: the function answers again.
    let a = invoke(&h, "slow", json!({"ms": 1}), &[]).await;
    assert_eq!(a.json()["status"], 200);

    let a = invoke(&h, "crash", json!({}), &[]).await;
    assert_eq!(a.json()["status"], 502, "the instance died");
    assert!(
        a.json()["result"]
            .as_str()
            .unwrap()
            .contains("exited with code 3"),
        "{}",
        a.json()
    );
    // Other functions were never affected, and the crashed one gets a new instance.
    assert_eq!(
        invoke(&h, "echo", json!(1), &[]).await.json()["status"],
        200
    );
    assert_eq!(
        invoke(&h, "crash", json!({}), &[]).await.json()["status"],
        502
    );
}

#[tokio::test]
async fn an_instance_that_died_between_calls_is_replaced_not_reused() {
    let h = harness().await;
    let first = invoke(&h, "exit-later", json!({}), &[]).await;
    assert_eq!(first.json()["status"], 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = invoke(&h, "exit-later", json!({}), &[]).await;
    assert_eq!(second.json()["status"], 200, "{}", second.json());
    assert_ne!(
        first.json()["result"],
        second.json()["result"],
        "a new process"
    );
}

#[tokio::test]
async fn calls_beyond_the_concurrency_limit_are_throttled() {
    let h = harness().await;
    let busy = tokio::spawn({
        let router = h.router.clone();
        async move {
            call(
                &router,
                "POST",
                &op_path("slow", Operation::Invoke),
                &token_headers(),
                b"{\"ms\":700}".to_vec(),
            )
            .await
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let a = invoke(&h, "slow", json!({"ms": 1}), &[]).await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (429, "FSS.0429")
    );
    assert_eq!(a.header("retry-after"), "1");
    assert_eq!(busy.await.unwrap().json()["status"], 200);
    assert_eq!(
        invoke(&h, "slow", json!({"ms": 1}), &[]).await.status,
        StatusCode::OK
    );
}

async fn list(h: &Harness, name: &str, query: &str) -> Answer {
    let target = format!("{}?{query}", op_path(name, Operation::ListAsyncInvocations));
    call(&h.router, "GET", &target, &token_headers(), Vec::new()).await
}

async fn invoke_async(h: &Harness, name: &str, event: Value) -> String {
    let a = call(
        &h.router,
        "POST",
        &op_path(name, Operation::InvokeAsync),
        &token_headers(),
        event.to_string().into_bytes(),
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::ACCEPTED,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    a.json()["request_id"].as_str().unwrap().to_owned()
}

async fn wait_terminal(h: &Harness, name: &str, id: &str) -> Value {
    for _ in 0..200 {
        let a = list(h, name, &format!("request_id={id}")).await;
        let inv = a.json()["invocations"][0].clone();
        if matches!(inv["status"].as_str(), Some("SUCCESS" | "FAIL" | "DISCARD")) {
            return inv;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{id} never finished");
}

#[tokio::test]
async fn async_invocations_run_and_are_listed() {
    let h = harness().await;
    let ok = invoke_async(&h, "echo", json!({"async": 1})).await;
    let bad = invoke_async(&h, "fail", json!({"reason": "async"})).await;
    let done = wait_terminal(&h, "echo", &ok).await;
    assert_eq!(done["status"], "SUCCESS");
    assert_eq!(done["error_code"], 0);
    assert_eq!(done["error_message"], "");
    assert_eq!(done["start_time"].as_str().unwrap().len(), 19);
    assert_eq!(done["end_time"].as_str().unwrap().len(), 19);
    let failed = wait_terminal(&h, "fail", &bad).await;
    assert_eq!(failed["status"], "FAIL");
    assert_eq!(failed["error_code"], 4002);
    assert!(failed["error_message"]
        .as_str()
        .unwrap()
        .contains("intentional failure: async"));
    // fail has max_async_retry_attempts 2: three attempts in all.
    let a = list(&h, "fail", "").await;
    assert_eq!(a.json()["count"], 1);
    assert_eq!(a.json()["invocations"][0]["request_id"], bad.as_str());
    // Status filter.
    let a = list(&h, "echo", "status=FAIL").await;
    assert_eq!(a.json()["count"], 0);
    let a = list(&h, "echo", "status=SUCCESS").await;
    assert_eq!(a.json()["count"], 1);
    assert_eq!(
        a.json()["next_marker"],
        0,
        "0 on the last page, as the service says"
    );
}

#[tokio::test]
async fn async_attempts_are_retried_per_the_function_policy() {
    let h = harness().await;
    let id = invoke_async(&h, "fail", json!({"reason": "retry"})).await;
    wait_terminal(&h, "fail", &id).await;
    let attempts: i64 = {
        let conn = rusqlite::Connection::open(h._data.path().join("fgs.sqlite3")).unwrap();
        conn.query_row(
            "SELECT attempts FROM async_invocations WHERE request_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(attempts, 3, "one attempt plus max_async_retry_attempts = 2");
}

#[tokio::test]
async fn invocations_waiting_past_their_max_event_age_are_discarded() {
    let h = harness().await;
    // The only instance is busy for 1.5 s; the second waits past its 1 s max age.
    let busy = invoke_async(&h, "aging", json!({"ms": 1500})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let queued = invoke_async(&h, "aging", json!({"ms": 0})).await;
    let done = wait_terminal(&h, "aging", &busy).await;
    assert_eq!(done["status"], "SUCCESS");
    let dropped = wait_terminal(&h, "aging", &queued).await;
    assert_eq!(dropped["status"], "DISCARD", "{dropped}");
    assert!(dropped["error_message"]
        .as_str()
        .unwrap()
        .contains("max event age"));
}

fn ids_of(page: &Value) -> Vec<String> {
    page["invocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|inv| inv["request_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Seed `004_…`: `marker` is the "start position of the current query" and `next_marker`
/// the "start position for querying records on the next page"; `count` is the "total
/// number of queried data records".
#[tokio::test]
async fn listing_pages_by_offset_newest_first() {
    let h = harness().await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(invoke_async(&h, "echo", json!({"i": i})).await);
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut markers = Vec::new();
    let mut marker = 0;
    loop {
        let body = list(&h, "echo", &format!("limit=3&marker={marker}"))
            .await
            .json();
        assert_eq!(body["count"], 7, "the total matching, not the page size");
        seen.extend(ids_of(&body));
        marker = body["next_marker"]
            .as_u64()
            .expect("an integer next_marker");
        markers.push(marker);
        if marker == 0 {
            break;
        }
    }
    assert_eq!(markers, [3, 6, 0]);
    assert_eq!(seen, ids, "newest first, each exactly once");
    // Any offset is a start position, not only a previous page's next_marker.
    let body = list(&h, "echo", "limit=3&marker=5").await.json();
    assert_eq!(ids_of(&body), ids[5..]);
    assert_eq!(body["next_marker"], 0);
    let body = list(&h, "echo", "limit=2&marker=1").await.json();
    assert_eq!(ids_of(&body), ids[1..3]);
    assert_eq!(body["next_marker"], 3);
    for past in ["7", "1000", "99999999999999999999999999"] {
        let body = list(&h, "echo", &format!("marker={past}")).await.json();
        assert_eq!(
            (
                ids_of(&body).len(),
                body["count"].clone(),
                body["next_marker"].clone()
            ),
            (0, json!(7), json!(0)),
            "marker={past}"
        );
    }
    // As on the service, a record accepted between two pages shifts the later pages.
    let late = invoke_async(&h, "echo", json!({"late": 1})).await;
    let body = list(&h, "echo", "limit=3&marker=3").await.json();
    assert_eq!(ids_of(&body), ids[2..5]);
    assert_eq!(
        list(&h, "echo", "limit=1").await.json()["invocations"][0]["request_id"],
        late.as_str()
    );
}

/// Seed `004_…`: `query_begin_time` defaults to the last hour, and nothing lifts that
/// for a lookup by request id: an older invocation is found only with a begin time.
#[tokio::test]
async fn lookups_by_request_id_keep_the_hour_window() {
    let h = harness().await;
    let old = invoke_async(&h, "echo", json!({})).await;
    let recent = invoke_async(&h, "echo", json!({})).await;
    wait_terminal(&h, "echo", &old).await;
    wait_terminal(&h, "echo", &recent).await;
    {
        // Accepted two hours ago and still running: listed by both listings, if at all.
        // (Nothing touches a RUNNING record but its own run, which has ended.)
        let conn = rusqlite::Connection::open(h._data.path().join("fgs.sqlite3")).unwrap();
        conn.execute(
            "UPDATE async_invocations SET created_ms = created_ms - 7200000, status = 'RUNNING'
             WHERE request_id = ?1",
            [&old],
        )
        .unwrap();
    }
    let two_hours_back = functiongraph_protocol::time::format_query_time(now_secs() - 7300);
    for (query, found) in [
        (format!("request_id={old}"), false),
        (
            format!("request_id={old}&query_begin_time={two_hours_back}"),
            true,
        ),
        (format!("request_id={recent}"), true),
    ] {
        let body = list(&h, "echo", &query).await.json();
        assert_eq!(body["count"], u64::from(found), "{query}");
        assert_eq!(ids_of(&body).len(), usize::from(found), "{query}");
    }
    for (query, found) in [
        (format!("requests={old}"), false),
        (
            format!("requests={old}&query_begin_time={two_hours_back}"),
            true,
        ),
    ] {
        let body = active(&h, "echo", &query).await.json();
        assert_eq!(body["count"], u64::from(found), "{query}");
    }
}

#[tokio::test]
async fn listing_validates_its_query() {
    let h = harness().await;
    for q in [
        "limit=0",
        "limit=501",
        "limit=x",
        "marker=abc",
        "marker=-1",
        "marker=%2B1",
        "marker=1.5",
        "status=DONE",
        "query_begin_time=2024-01",
        "query_end_time=yesterday",
        "query_begin_time=2024-01-02T00:00:00&query_end_time=2024-01-01T00:00:00",
    ] {
        let a = list(&h, "echo", q).await;
        assert_eq!(
            (a.status.as_u16(), a.error_code().as_str()),
            (400, "FSS.1001"),
            "{q}"
        );
        let name = q.split('=').next().unwrap();
        assert!(
            a.json()["error_msg"]
                .as_str()
                .unwrap()
                .contains(&format!("'{name}'")),
            "{q}: the message names the parameter"
        );
    }
    assert_eq!(
        list(&h, "echo", "request_id=").await.status,
        StatusCode::OK,
        "empty means absent"
    );
    let long = format!("request_id={}", "x".repeat(65));
    assert_eq!(list(&h, "echo", &long).await.status.as_u16(), 400);
    // An explicit window in the past finds nothing; the default window finds the new record.
    let id = invoke_async(&h, "echo", json!({})).await;
    let a = list(
        &h,
        "echo",
        "query_begin_time=2020-01-01T00:00:00&query_end_time=2020-01-02T00:00:00",
    )
    .await;
    assert_eq!(a.json()["count"], 0);
    let a = list(&h, "echo", "").await;
    assert_eq!(a.json()["invocations"][0]["request_id"], id.as_str());
}

#[tokio::test]
async fn cors_preflight_and_exposed_headers() {
    // A page on another loopback port, as the default CORS origins admit (a page from
    // another site is refused: tests/browser_access.rs).
    let h = harness().await;
    let target = op_path("echo", Operation::Invoke);
    let pre = call(
        &h.router,
        "OPTIONS",
        &target,
        &[
            ("Origin".into(), "http://localhost:5173".into()),
            ("Access-Control-Request-Method".into(), "POST".into()),
            (
                "Access-Control-Request-Headers".into(),
                "content-type,x-auth-token,x-cff-log-type".into(),
            ),
        ],
        Vec::new(),
    )
    .await;
    assert_eq!(pre.status, StatusCode::OK);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        "http://localhost:5173"
    );
    assert!(pre
        .header("access-control-allow-headers")
        .contains("x-auth-token"));
    let mut headers = token_headers();
    headers.push(("Origin".into(), "http://localhost:5173".into()));
    let a = call(&h.router, "POST", &target, &headers, b"{}".to_vec()).await;
    assert_eq!(
        a.header("access-control-allow-origin"),
        "http://localhost:5173"
    );
    let exposed = a
        .header("access-control-expose-headers")
        .to_ascii_lowercase();
    for name in [
        "x-cff-request-id",
        "x-cff-invoke-summary",
        "x-cff-function-log",
        "x-request-id",
    ] {
        assert!(exposed.contains(name), "{exposed}");
    }
}

#[tokio::test]
async fn disabled_functions_answer_429_function_disabled() {
    let functions = functions_dir();
    let spec = functions.path().join("echo/function.json");
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
    json["enabled"] = json!(false);
    std::fs::write(&spec, json.to_string()).unwrap();
    let data = data_dir();
    let emulator = Emulator::start(test_config(), functions.path(), data.path())
        .await
        .unwrap();
    let a = call(
        &emulator.router(),
        "POST",
        &op_path("echo", Operation::Invoke),
        &token_headers(),
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (429, "FSS.0429")
    );
    assert_eq!(a.json()["error_msg"], "Function Disabled");
    emulator.stop().await;
}

#[tokio::test]
async fn shutdown_stops_cleanly() {
    let h = harness().await;
    assert_eq!(
        invoke(&h, "echo", json!({}), &[]).await.status,
        StatusCode::OK
    );
    h.emulator.stop().await;
}

async fn cancel(h: &Harness, name: &str, body: Value) -> Answer {
    call(
        &h.router,
        "POST",
        &op_path(name, Operation::CancelAsyncInvocation),
        &token_headers(),
        body.to_string().into_bytes(),
    )
    .await
}

async fn active(h: &Harness, name: &str, query: &str) -> Answer {
    let target = format!(
        "{}?{query}",
        op_path(name, Operation::ListActiveAsyncInvocations)
    );
    call(&h.router, "GET", &target, &token_headers(), Vec::new()).await
}

async fn wait_status(h: &Harness, name: &str, id: &str, want: &str) {
    for _ in 0..200 {
        let a = list(h, name, &format!("request_id={id}")).await;
        if a.json()["invocations"][0]["status"] == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{id} never reached {want}");
}

#[tokio::test]
async fn cancelling_stops_running_and_waiting_invocations() {
    let h = harness().await;
    // The handlers sleep 2.9 s (sleep's timeout is 3 s) and start after `t0`: left alone,
    // none of them could end before `t0 + 2.9 s`.
    let handler_ms = 2900;
    let t0 = std::time::Instant::now();
    // sleep runs two at a time: two run, the third waits.
    let running: Vec<String> = vec![
        invoke_async(&h, "sleep", json!({"ms": handler_ms})).await,
        invoke_async(&h, "sleep", json!({"ms": handler_ms})).await,
    ];
    let waiting = invoke_async(&h, "sleep", json!({"ms": handler_ms})).await;
    for id in &running {
        wait_status(&h, "sleep", id, "RUNNING").await;
    }
    let a = active(&h, "sleep", "").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["count"], 3);
    let a = active(&h, "sleep", "status=WAIT").await;
    assert_eq!(a.json()["invocations"][0]["request_id"], waiting.as_str());
    let a = active(&h, "sleep", &format!("requests={},{}", running[0], waiting)).await;
    assert_eq!(a.json()["count"], 2);

    for id in running.iter().chain([&waiting]) {
        let a = cancel(&h, "sleep", json!({"request_id": id, "type": "force"})).await;
        assert_eq!(
            a.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&a.body)
        );
        assert_eq!(a.json(), json!({}));
    }
    for id in running.iter().chain([&waiting]) {
        let rec = wait_terminal(&h, "sleep", id).await;
        assert_eq!(rec["status"], "DISCARD");
        assert_eq!(rec["error_code"], 4208);
        assert_eq!(rec["error_message"], "function invocation canceled");
    }
    assert_eq!(active(&h, "sleep", "").await.json()["count"], 0);
    // The running attempts were stopped, not waited out: both units of concurrency are
    // free again before the handlers could have ended. The units are taken directly
    // from the pool, so the check costs no cold start (two new workers starting took
    // most of the old "< 2 s" bound, which a loaded machine could exceed).
    // A stopped attempt gives its unit back just after its record says DISCARD (the kill
    // and the release follow the write), so the units are polled for, until the handlers'
    // own end: what must hold is that they are free before that, not at one instant.
    let spec = h.emulator.state.registry.get("default/sleep").unwrap();
    let pool = h.emulator.state.pools.pool(&spec);
    let leases = loop {
        let leases = (pool.try_lease(), pool.try_lease());
        let both = leases.0.is_some() && leases.1.is_some();
        if both || t0.elapsed() >= Duration::from_millis(handler_ms) {
            break leases;
        }
        drop(leases);
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let checked_at = t0.elapsed();
    assert!(
        leases.0.is_some() && leases.1.is_some(),
        "a cancelled attempt still holds its unit of concurrency"
    );
    assert!(
        checked_at < Duration::from_millis(handler_ms),
        "checked {checked_at:?} after the invocations: too late to tell stopped from finished"
    );
    drop(leases);
    // And new calls get those units: each starts a new instance.
    let calls: Vec<_> = (0..2)
        .map(|_| {
            let router = h.router.clone();
            tokio::spawn(async move {
                call(
                    &router,
                    "POST",
                    &op_path("sleep", Operation::Invoke),
                    &token_headers(),
                    b"{\"ms\":1}".to_vec(),
                )
                .await
            })
        })
        .collect();
    for c in calls {
        assert_eq!(c.await.unwrap().status, StatusCode::OK);
    }
}

#[tokio::test]
async fn cancel_races_and_bad_cancel_requests_get_the_service_errors() {
    let h = harness().await;
    let done = invoke_async(&h, "echo", json!({})).await;
    wait_terminal(&h, "echo", &done).await;
    let a = cancel(&h, "echo", json!({"request_id": done})).await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (400, "FSS.0400")
    );
    assert!(a.json()["error_msg"]
        .as_str()
        .unwrap()
        .contains("already finished (SUCCESS)"));
    let rec = wait_terminal(&h, "echo", &done).await;
    assert_eq!(
        rec["status"], "SUCCESS",
        "a finished invocation keeps its status"
    );

    // Unknown, malformed, or another function's (not this function's to cancel).
    let other = invoke_async(&h, "sleep", json!({"ms": 1000})).await;
    for id in [
        "no-such-request".to_owned(),
        String::new(),
        "x".repeat(65),
        other,
    ] {
        let a = cancel(&h, "echo", json!({ "request_id": id })).await;
        assert_eq!(
            (a.status.as_u16(), a.json()),
            (
                400,
                json!({"error_code": "FSS.0400", "error_msg": "Invalid RequestId"})
            ),
            "{id}"
        );
    }
    for body in [
        json!({}),
        json!({"request_id": "r", "type": "gentle"}),
        json!([1]),
    ] {
        let a = cancel(&h, "echo", body.clone()).await;
        assert_eq!(
            (a.status.as_u16(), a.error_code().as_str()),
            (400, "FSS.0400"),
            "{body}"
        );
    }
    let a = active(&h, "echo", "status=SUCCESS").await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (400, "FSS.1001")
    );
    let eleven = (0..11)
        .map(|i| format!("r{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let a = active(&h, "echo", &format!("requests={eleven}")).await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (400, "FSS.1001")
    );
}

#[tokio::test]
async fn post_bodies_must_be_declared_json() {
    let h = harness().await;
    let target = op_path("echo", Operation::Invoke);
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "jsonish",
    ] {
        let headers = vec![
            ("Content-Type".to_owned(), ct.to_owned()),
            ("X-Auth-Token".to_owned(), "dev-token".to_owned()),
        ];
        let a = call(&h.router, "POST", &target, &headers, b"{\"a\":1}".to_vec()).await;
        assert_eq!(
            (a.status.as_u16(), a.error_code().as_str()),
            (406, "FSS.0406"),
            "{ct}"
        );
        assert!(a.json()["error_msg"].as_str().unwrap().contains(ct));
    }
    let no_type = vec![("X-Auth-Token".to_owned(), "dev-token".to_owned())];
    let a = call(&h.router, "POST", &target, &no_type, b"{\"a\":1}".to_vec()).await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (406, "FSS.0406")
    );
    for ct in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.api+json",
    ] {
        let headers = vec![
            ("Content-Type".to_owned(), ct.to_owned()),
            ("X-Auth-Token".to_owned(), "dev-token".to_owned()),
        ];
        let a = call(&h.router, "POST", &target, &headers, b"{\"a\":1}".to_vec()).await;
        assert_eq!(a.status, StatusCode::OK, "{ct}");
    }
    // An empty body needs no type: it is the empty event.
    let a = call(&h.router, "POST", &target, &no_type, Vec::new()).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn oversized_headers_get_the_service_error() {
    let h = harness().await;
    let mut headers = token_headers();
    headers.push(("X-Padding".into(), "a".repeat(40 * 1024)));
    let a = call(
        &h.router,
        "POST",
        &op_path("echo", Operation::Invoke),
        &headers,
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(
        (a.status.as_u16(), a.error_code().as_str()),
        (400, "FSS.0400")
    );
    assert!(a.json()["error_msg"].as_str().unwrap().contains("headers"));
    let mut headers = token_headers();
    headers.push(("X-Padding".into(), "a".repeat(20 * 1024)));
    let a = call(
        &h.router,
        "POST",
        &op_path("echo", Operation::Invoke),
        &headers,
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "20 KB of headers is fine");
}

#[tokio::test]
async fn pretty_printed_events_with_line_breaks_reach_the_handler() {
    let h = harness().await;
    for body in [
        "{\n  \"a\": 1,\n  \"s\": \"x\\ny\"\n}",
        "{\r\n\"a\":1,\r\n\"s\":\"x\\ny\"}\r\n",
        "[\n1,\n2\n]",
    ] {
        let a = call(
            &h.router,
            "POST",
            &op_path("echo", Operation::Invoke),
            &token_headers(),
            body.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.json()["status"], 200, "{body:?}: {}", a.json());
        let want: Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(a.json()["result"].as_str().unwrap()).unwrap(),
            want
        );
    }
    let id = {
        let a = call(
            &h.router,
            "POST",
            &op_path("echo", Operation::InvokeAsync),
            &token_headers(),
            b"{\n\"async\": true\n}".to_vec(),
        )
        .await;
        a.json()["request_id"].as_str().unwrap().to_owned()
    };
    assert_eq!(wait_terminal(&h, "echo", &id).await["status"], "SUCCESS");
}

#[tokio::test]
async fn idle_workers_are_stopped_after_worker_idle_secs() {
    let functions = functions_dir();
    let data = data_dir();
    let config = functiongraph_emulator::config::Config {
        worker_idle_secs: 0.5,
        ..test_config()
    };
    let emulator = Emulator::start(config, functions.path(), data.path())
        .await
        .unwrap();
    let router = emulator.router();
    let a = call(
        &router,
        "POST",
        &op_path("echo", Operation::Invoke),
        &token_headers(),
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(a.json()["status"], 200);
    assert_eq!(emulator.state.pools.idle_count(), 1, "warm after the call");
    // Stopped once idle for 0.5 s: waits for it (up to 20 s, far below the default 300 s
    // a reaper ignoring worker_idle_secs would use) instead of looking once after 1.2 s.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while emulator.state.pools.idle_count() != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the idle worker was not stopped within 20 s (worker_idle_secs = 0.5)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The next call simply starts a new instance.
    let a = call(
        &router,
        "POST",
        &op_path("echo", Operation::Invoke),
        &token_headers(),
        b"{\"again\":1}".to_vec(),
    )
    .await;
    assert_eq!(a.json()["status"], 200);
    emulator.stop().await;
}

#[tokio::test]
async fn a_long_queue_on_one_function_does_not_hold_up_the_others() {
    let h = harness().await;
    // `slow` runs one at a time: 300 queued invocations of it take minutes to drain.
    for _ in 0..300 {
        invoke_async(&h, "slow", json!({"ms": 500})).await;
    }
    let other = invoke_async(&h, "echo", json!({"not": "stuck"})).await;
    let started = std::time::Instant::now();
    let rec = wait_terminal(&h, "echo", &other).await;
    assert_eq!(rec["status"], "SUCCESS");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_right_after_the_accept_stops_the_run() {
    // A cancel that answers "cancelled" means the handler never reaches its end, whether
    // the cancel found the invocation waiting, just taken by the dispatcher, or running.
    // Each invocation is cancelled 0 to 3 ms after its accept, to land in each of those
    // moments. (The dispatcher once marked a record RUNNING before its stop signal
    // existed; this test did not catch that window in 7 runs, so the fix, in
    // dispatcher.rs, is by construction.)
    let h = harness().await;
    let marks = tempfile::tempdir().unwrap();
    let path = marks.path().join("marks");
    let mut cancelled = Vec::new();
    for i in 0..150 {
        let id = invoke_async(
            &h,
            "mark",
            json!({"ms": 400, "id": i, "path": path.to_str().unwrap()}),
        )
        .await;
        // From at once to 3 ms later: somewhere in there the dispatcher takes it.
        tokio::time::sleep(Duration::from_micros(200 * (i % 16))).await;
        let a = cancel(&h, "mark", json!({"request_id": id, "type": "force"})).await;
        if a.status == StatusCode::OK {
            cancelled.push((i, id));
        }
    }
    for (_, id) in &cancelled {
        let rec = wait_terminal(&h, "mark", id).await;
        assert_eq!(rec["error_code"], 4208, "{rec}");
    }
    // Every run that was not stopped has had its 400 ms by now.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let marked = std::fs::read_to_string(&path).unwrap_or_default();
    let marked: Vec<&str> = marked.lines().collect();
    let went_on: Vec<u64> = cancelled
        .iter()
        .map(|(i, _)| *i)
        .filter(|i| marked.contains(&i.to_string().as_str()))
        .collect();
    assert!(
        went_on.is_empty(),
        "cancelled ({} of 150) yet run to the end: {went_on:?}",
        cancelled.len()
    );
    h.emulator.stop().await;
}
