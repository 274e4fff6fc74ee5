//! Configuration-dependent behaviour: temporary credentials (security token),
//! `no_auth`, and the CORS origin list.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use functiongraph_emulator::config::{AccessKey, Config};
use functiongraph_emulator::Emulator;
use functiongraph_protocol::paths::Operation;
use functiongraph_protocol::sign::{sign, SignableRequest};
use functiongraph_protocol::time::format_sdk_date;
use tower::ServiceExt as _;

async fn start(config: Config) -> (Emulator, tempfile::TempDir, tempfile::TempDir) {
    let functions = functions_dir();
    let data = data_dir();
    let emulator = Emulator::start(config, functions.path(), data.path())
        .await
        .unwrap();
    (emulator, functions, data)
}

async fn send(
    emulator: &Emulator,
    headers: &[(String, String)],
) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    let mut req = Request::builder()
        .method("POST")
        .uri(op_path("echo", Operation::Invoke));
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = emulator
        .router()
        .oneshot(req.body(Body::from("{}")).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, serde_json::from_slice(&body).unwrap())
}

/// Headers signed with `ak`/`sk`, optionally carrying (and signing) a security token.
fn temporary_headers(ak: &str, sk: &str, token: Option<&str>) -> Vec<(String, String)> {
    let mut headers = vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("X-Project-Id".to_owned(), PROJECT.to_owned()),
        ("X-Sdk-Date".to_owned(), format_sdk_date(now_secs())),
        ("Host".to_owned(), "localhost".to_owned()),
    ];
    if let Some(t) = token {
        headers.push(("X-Security-Token".to_owned(), t.to_owned()));
    }
    let path = op_path("echo", Operation::Invoke);
    let sig = sign(
        &SignableRequest {
            method: "POST",
            path: &path,
            query: &[],
            headers: &headers,
            body: b"{}",
        },
        ak,
        sk,
    )
    .unwrap();
    headers.push(("Authorization".to_owned(), sig.authorization));
    headers
}

#[tokio::test]
async fn temporary_credentials_need_their_security_token() {
    let mut config = test_config();
    config.access_keys.push(AccessKey {
        access_key: "TEMPACCESSKEY".into(),
        secret_key: "temp-secret".into(),
        security_token: Some("session-token-123".into()),
    });
    let (emu, _f, _d) = start(config).await;
    let ok = temporary_headers("TEMPACCESSKEY", "temp-secret", Some("session-token-123"));
    assert_eq!(send(&emu, &ok).await.0, StatusCode::OK);
    for (name, headers) in [
        (
            "no token",
            temporary_headers("TEMPACCESSKEY", "temp-secret", None),
        ),
        (
            "wrong token",
            temporary_headers("TEMPACCESSKEY", "temp-secret", Some("other-token")),
        ),
    ] {
        let (status, _, body) = send(&emu, &headers).await;
        assert_eq!(
            (status.as_u16(), body["error_code"].as_str()),
            (401, Some("APIGW.0301")),
            "{name}"
        );
        assert!(!body["error_msg"]
            .as_str()
            .unwrap()
            .contains("session-token-123"));
    }
    emu.stop().await;
}

#[tokio::test]
async fn no_auth_accepts_anonymous_calls_but_still_checks_the_project() {
    let config = Config {
        no_auth: true,
        ..test_config()
    };
    let (emu, _f, _d) = start(config).await;
    let json = [("Content-Type".to_owned(), "application/json".to_owned())];
    let (status, _, body) = send(&emu, &json).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let req = Request::builder()
        .method("POST")
        .uri("/v2/ffffffffffffffffffffffffffffffff/fgs/functions/urn:fss:cn-north-4:ffffffffffffffffffffffffffffffff:function:default:echo/invocations")
        .body(Body::from("{}"))
        .unwrap();
    let resp = emu.router().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    emu.stop().await;
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let config = Config {
        cors_origins: vec!["http://admin.example".into()],
        ..test_config()
    };
    let (emu, _f, _d) = start(config).await;
    let mut headers = token_headers();
    headers.push(("Origin".into(), "http://admin.example".into()));
    let (_, h, _) = send(&emu, &headers).await;
    assert_eq!(h["access-control-allow-origin"], "http://admin.example");
    let mut headers = token_headers();
    headers.push(("Origin".into(), "http://evil.example".into()));
    let (_, h, _) = send(&emu, &headers).await;
    assert!(h.get("access-control-allow-origin").is_none());
    emu.stop().await;
}

#[test]
fn config_files_override_what_they_name_and_reject_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emulator.toml");
    std::fs::write(&path, "tokens = [\"t1\"]\ncors_origins = [\"http://a\"]\n").unwrap();
    let c = Config::load(&path).unwrap();
    assert_eq!(c.tokens, vec!["t1"]);
    assert_eq!(c.project_id, functiongraph_emulator::config::DEV_PROJECT_ID);
    // Naming tokens replaces the dev identity entirely (issue #16: the dev AK/SK used to
    // stay working beside a configured token list).
    assert!(
        c.access_keys.is_empty(),
        "no dev key beside configured tokens"
    );
    assert!(!c.dev_identity);
    std::fs::write(&path, "tokenz = [\"t1\"]\n").unwrap();
    let err = Config::load(&path).unwrap_err().to_string();
    assert!(err.contains("tokenz"), "{err}");
    std::fs::write(
        &path,
        "[[access_keys]]\naccess_key = \"A\"\nsecret_key = \"very-secret\"\nbogus = 1\n",
    )
    .unwrap();
    let err = Config::load(&path).unwrap_err().to_string();
    assert!(
        !err.contains("very-secret"),
        "no secret in config errors: {err}"
    );
}

#[test]
fn a_connection_limit_out_of_range_is_a_config_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emulator.toml");
    // 3e18 made the server panic ("a semaphore may not have more than MAX_PERMITS
    // permits") after it had printed its banner; 0 was quietly taken as 1.
    for n in ["0", "3000000000000000000", "4294967296"] {
        std::fs::write(&path, format!("max_connections = {n}\n")).unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("max_connections"), "{n}: {err}");
    }
    std::fs::write(&path, "max_connections = 1000000\n").unwrap();
    assert_eq!(Config::load(&path).unwrap().max_connections, 1_000_000);
}

/// The server itself, given a limit no configuration can now reach, counts what it can
/// and still stops cleanly.
#[tokio::test]
async fn the_server_takes_any_connection_limit_without_panicking() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let limits = functiongraph_emulator::serve::Limits {
        header_read_timeout: std::time::Duration::from_secs(1),
        max_connections: usize::MAX,
    };
    let served = functiongraph_emulator::serve::serve(
        listener,
        axum::Router::new(),
        limits,
        std::future::ready(()),
    );
    tokio::time::timeout(std::time::Duration::from_secs(30), served)
        .await
        .expect("stops")
        .unwrap();
}

/// What a config file leaves of the credentials, for each combination it can name.
#[test]
fn configured_credentials_replace_the_dev_identity_entirely() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emulator.toml");
    let key = "[[access_keys]]\naccess_key = \"A\"\nsecret_key = \"very-secret\"\n";
    for (text, tokens, keys, dev) in [
        (
            "cors_origins = [\"http://a\"]\n",
            vec!["dev-token"],
            vec!["DEVACCESSKEYEXAMPLE0"],
            true,
        ),
        ("tokens = [\"t1\"]\n", vec!["t1"], vec![], false),
        (key, vec![], vec!["A"], false),
        (
            &format!("tokens = [\"t1\"]\n{key}") as &str,
            vec!["t1"],
            vec!["A"],
            false,
        ),
        ("tokens = []\n", vec![], vec![], false),
    ] {
        std::fs::write(&path, text).unwrap();
        let c = Config::load(&path).unwrap();
        assert_eq!(c.tokens, tokens, "{text}");
        let names: Vec<&str> = c
            .access_keys
            .iter()
            .map(|k| k.access_key.as_str())
            .collect();
        assert_eq!(names, keys, "{text}");
        assert_eq!(c.dev_identity, dev, "{text}");
    }
}

#[tokio::test]
async fn with_only_access_keys_configured_the_dev_token_and_dev_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emulator.toml");
    std::fs::write(
        &path,
        "[[access_keys]]\naccess_key = \"A\"\nsecret_key = \"very-secret\"\n",
    )
    .unwrap();
    let (emu, _f, _d) = start(Config::load(&path).unwrap()).await;
    let dev_token = vec![("X-Auth-Token".to_owned(), "dev-token".to_owned())];
    // A token the gateway was never given is one it cannot decrypt: 401 APIGW.0301.
    let (status, _, body) = send(&emu, &dev_token).await;
    assert_eq!(
        (status.as_u16(), body["error_code"].as_str()),
        (401, Some("APIGW.0301")),
        "{body}"
    );
    let (status, _, body) = send(
        &emu,
        &temporary_headers("DEVACCESSKEYEXAMPLE0", "dev-secret-key-example", None),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["error_code"].as_str()),
        (401, Some("APIGW.0301")),
        "{body}"
    );
    let (status, _, _) = send(&emu, &temporary_headers("A", "very-secret", None)).await;
    assert_eq!(status, StatusCode::OK);
    emu.stop().await;
}
