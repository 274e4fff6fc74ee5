//! The page and package served beside the API (`--www`, `--pkg`), and
//! `/_emulator/info`, which must never reveal anything but the public dev identity.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use functiongraph_emulator::config::{AccessKey, Config};
use functiongraph_emulator::{Emulator, Site};
use functiongraph_protocol::paths::Operation;
use tower::ServiceExt as _;

async fn get(
    router: &axum::Router,
    uri: &str,
    headers: &[(String, String)],
) -> (StatusCode, String, Vec<u8>) {
    let mut req = Request::builder().uri(uri);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    (status, ct, body)
}

#[tokio::test]
async fn the_page_the_package_and_the_api_share_one_origin() {
    let functions = functions_dir();
    let data = data_dir();
    let www = tempfile::tempdir().unwrap();
    let pkg = tempfile::tempdir().unwrap();
    std::fs::write(
        www.path().join("index.html"),
        "<!doctype html><title>demo</title>",
    )
    .unwrap();
    std::fs::write(www.path().join("app.js"), "export const x = 1;").unwrap();
    std::fs::write(pkg.path().join("browser.js"), "export {};").unwrap();
    std::fs::write(
        pkg.path().join("functiongraph_client_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    let emu = Emulator::start(test_config(), functions.path(), data.path())
        .await
        .unwrap()
        .with_site(Site {
            www: www.path().to_owned(),
            pkg: Some(pkg.path().to_owned()),
        });
    let router = emu.router();
    let (status, ct, body) = get(&router, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(String::from_utf8(body).unwrap().contains("demo"));
    let (_, ct, _) = get(&router, "/app.js", &[]).await;
    assert!(ct.contains("javascript"), "{ct}");
    let (status, ct, _) = get(&router, "/pkg/functiongraph_client_bg.wasm", &[]).await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "application/wasm"));
    let (status, _, _) = get(&router, "/pkg/../function.json", &[]).await;
    assert_ne!(status, StatusCode::OK, "no escaping the served folders");
    let (status, _, _) = get(&router, "/missing.html", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The API is unchanged under /v2/.
    let list = format!(
        "{}?limit=1",
        op_path("echo", Operation::ListAsyncInvocations)
    );
    let (status, ct, body) = get(&router, &list, &token_headers()).await;
    assert_eq!(
        (status, ct.as_str()),
        (StatusCode::OK, "application/json"),
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (status, _, body) = get(
        &router,
        &format!("/v2/{PROJECT}/fgs/functions/x/nothing"),
        &token_headers(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8(body).unwrap().contains("FSS.0404"));
    emu.stop().await;
}

#[tokio::test]
async fn info_lists_functions_and_only_the_public_dev_credentials() {
    let functions = functions_dir();
    let data = data_dir();
    let emu = Emulator::start(test_config(), functions.path(), data.path())
        .await
        .unwrap();
    let (status, _, body) = get(&emu.router(), "/_emulator/info", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let info: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(info["projectId"], PROJECT);
    let hello = info["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "hello")
        .unwrap();
    assert_eq!(hello["urn"], urn("hello:latest"));
    let versioned = info["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "versioned")
        .unwrap();
    assert_eq!(
        versioned["versions"],
        serde_json::json!(["latest", "v1", "v2"])
    );
    assert_eq!(versioned["aliases"], serde_json::json!(["prod"]));
    assert_eq!(info["devCredentials"]["token"], "dev-token");
    emu.stop().await;

    let custom = Config {
        tokens: vec!["a-real-token-value".into()],
        access_keys: vec![AccessKey {
            access_key: "REALKEY".into(),
            secret_key: "a-real-secret-value".into(),
            security_token: None,
        }],
        ..test_config()
    };
    let data = data_dir();
    let emu = Emulator::start(custom, functions.path(), data.path())
        .await
        .unwrap();
    let (_, _, body) = get(&emu.router(), "/_emulator/info", &[]).await;
    let text = String::from_utf8(body).unwrap();
    assert!(!text.contains("devCredentials"));
    assert!(
        !text.contains("a-real-token-value")
            && !text.contains("a-real-secret-value")
            && !text.contains("REALKEY")
    );
    emu.stop().await;
}
