//! Browser access is safe by default: a `Host` that is not this machine is refused (DNS
//! rebinding), CORS admits loopback pages only unless configured, and
//! `/_emulator/info` hands no credentials to another origin.

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use common::*;
use functiongraph_emulator::config::Config;
use functiongraph_emulator::Emulator;
use functiongraph_protocol::paths::Operation;
use tower::ServiceExt as _;

async fn send(
    router: &axum::Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn emulator(config: Config) -> (Emulator, tempfile::TempDir, tempfile::TempDir) {
    let functions = functions_dir();
    let data = data_dir();
    let emu = Emulator::start(config, functions.path(), data.path())
        .await
        .unwrap();
    (emu, functions, data)
}

/// The `pattern` of the Error schema's `error_code` in docs/openapi.yaml.
fn error_code_pattern() -> String {
    let spec = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.yaml"),
    )
    .unwrap();
    spec.lines()
        .find(|l| {
            l.trim_start()
                .starts_with("error_code: { type: string, pattern:")
        })
        .expect("the Error schema's error_code")
        .to_owned()
}

fn preflight(origin: &str) -> Vec<(&str, &str)> {
    vec![
        ("host", "127.0.0.1:8787"),
        ("origin", origin),
        ("access-control-request-method", "POST"),
        (
            "access-control-request-headers",
            "x-auth-token,content-type",
        ),
    ]
}

#[tokio::test]
async fn a_foreign_host_is_refused_loopback_and_configured_ones_answer() {
    let (emu, _f, _d) = emulator(test_config()).await;
    let router = emu.router();
    let invoke = op_path("echo", Operation::Invoke);
    // DNS rebinding: a page of evil.example whose name now points at 127.0.0.1.
    for (method, uri) in [("GET", "/_emulator/info"), ("POST", invoke.as_str())] {
        let (status, headers, body) =
            send(&router, method, uri, &[("host", "evil.example:8787")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri}: {body}");
        assert_eq!(headers["content-type"], "application/json");
        // docs/openapi.yaml: every answer carries X-Request-Id, and the Error schema's
        // code pattern admits this one (it had neither).
        assert!(headers.contains_key("x-request-id"), "{method} {uri}");
        let error: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["error_code"], "EMULATOR.0403");
        assert!(error_code_pattern().contains("EMULATOR"));
        assert!(error["error_msg"]
            .as_str()
            .unwrap()
            .contains("allowed-host"));
        assert!(!body.contains("dev-token"));
    }
    for host in [
        "localhost:8787",
        "127.0.0.1:8787",
        "[::1]:8787",
        "localhost",
        "10.0.0.7:8787",
    ] {
        let (status, _, _) = send(&router, "GET", "/_emulator/info", &[("host", host)]).await;
        assert_eq!(status, StatusCode::OK, "{host}");
    }
    emu.stop().await;

    let (emu, _f, _d) = emulator(Config {
        allowed_hosts: vec!["dev.box".into()],
        ..test_config()
    })
    .await;
    let (status, _, _) = send(
        &emu.router(),
        "GET",
        "/_emulator/info",
        &[("host", "dev.box:8787")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    emu.stop().await;
}

#[tokio::test]
async fn cors_admits_loopback_pages_by_default_and_any_page_when_configured() {
    let (emu, _f, _d) = emulator(test_config()).await;
    let router = emu.router();
    let invoke = op_path("echo", Operation::Invoke);
    for origin in [
        "http://localhost:5173",
        "http://127.0.0.1:4000",
        "http://[::1]:3000",
    ] {
        let (status, headers, _) = send(&router, "OPTIONS", &invoke, &preflight(origin)).await;
        assert_eq!(status, StatusCode::OK, "{origin}");
        assert_eq!(headers["access-control-allow-origin"], origin);
    }
    for origin in [
        "https://evil.example",
        "http://localhost.evil.example",
        "http://localhost:5173.evil.example",
    ] {
        let (_, headers, _) = send(&router, "OPTIONS", &invoke, &preflight(origin)).await;
        assert!(
            headers.get("access-control-allow-origin").is_none(),
            "{origin} was let in"
        );
    }
    emu.stop().await;

    let (emu, _f, _d) = emulator(Config {
        cors_origins: vec!["*".into()],
        ..test_config()
    })
    .await;
    let (_, headers, _) = send(
        &emu.router(),
        "OPTIONS",
        &invoke,
        &preflight("https://app.example"),
    )
    .await;
    assert_eq!(headers["access-control-allow-origin"], "*");
    emu.stop().await;
}

#[tokio::test]
async fn info_gives_no_credentials_to_another_origin() {
    let (emu, _f, _d) = emulator(Config {
        cors_origins: vec!["*".into()],
        ..test_config()
    })
    .await;
    let router = emu.router();
    // Same origin (no Origin header on a same-origin GET) and tools: the dev identity.
    let (_, _, body) = send(
        &router,
        "GET",
        "/_emulator/info",
        &[("host", "localhost:8787")],
    )
    .await;
    assert!(body.contains("devCredentials"), "{body}");
    // Another origin, even a loopback one and even with CORS open to any: no CORS
    // headers, and no credentials in the body either.
    for origin in ["https://evil.example", "http://localhost:5173"] {
        let headers = [("host", "localhost:8787"), ("origin", origin)];
        let (status, answer, body) = send(&router, "GET", "/_emulator/info", &headers).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            answer.get("access-control-allow-origin").is_none(),
            "{origin}"
        );
        assert!(!body.contains("devCredentials"), "{origin}: {body}");
        assert!(!body.contains("dev-secret-key-example") && !body.contains("dev-token"));
    }
    // A same-origin request that carries Origin (e.g. a POST-style fetch) still gets them.
    let headers = [
        ("host", "localhost:8787"),
        ("origin", "http://localhost:8787"),
    ];
    let (_, _, body) = send(&router, "GET", "/_emulator/info", &headers).await;
    assert!(body.contains("devCredentials"), "{body}");
    emu.stop().await;
}
