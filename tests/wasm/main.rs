//! The bindings inside a real JS engine (Node, and headless Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1`): signing in wasm against the official SDKs'
//! vectors, and the client's validation, error classes, abort and network paths.
#![cfg(target_arch = "wasm32")]

use functiongraph_client::Client;
use functiongraph_protocol::sign::{sign, SignableRequest};
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

const PROJECT: &str = "0123456789abcdef0123456789abcdef";

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn field(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn client(endpoint: &str) -> Client {
    let creds = obj(&[("token", "dev-token".into())]);
    Client::new(obj(&[
        ("projectId", PROJECT.into()),
        ("endpoint", endpoint.into()),
        ("credentials", creds),
    ]))
    .map_err(|e| format!("{e:?}"))
    .unwrap()
}

async fn rejection(p: Promise) -> JsValue {
    JsFuture::from(p)
        .await
        .expect_err("the promise should reject")
}

fn urn(name: &str) -> JsValue {
    JsValue::from_str(&format!(
        "urn:fss:cn-north-4:{PROJECT}:function:default:{name}:latest"
    ))
}

#[wasm_bindgen_test]
fn signing_in_wasm_matches_the_official_vectors() {
    let file: serde_json::Value = serde_json::from_str(include_str!(
        "../../crates/protocol/tests/data/sign_vectors.json"
    ))
    .unwrap();
    let mut checked = 0;
    for v in file["vectors"].as_array().unwrap() {
        let s = |k: &str| v[k].as_str().unwrap().to_owned();
        let mut headers: Vec<(String, String)> = v["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, x)| (k.clone(), x.as_str().unwrap().to_owned()))
            .collect();
        headers.push(("X-Project-Id".into(), s("project_id")));
        if let Some(t) = v["security_token"].as_str() {
            headers.push(("X-Security-Token".into(), t.into()));
        }
        headers.push(("X-Sdk-Date".into(), s("date")));
        headers.push(("Host".into(), s("host")));
        let query: Vec<(String, String)> = v["query"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
            .collect();
        let body = v["python"]["body_hashed"].as_str().unwrap_or("");
        let path = s("path");
        let sig = sign(
            &SignableRequest {
                method: &s("method"),
                path: &path,
                query: &query,
                headers: &headers,
                body: body.as_bytes(),
            },
            &s("ak"),
            &s("sk"),
        )
        .unwrap();
        assert_eq!(
            sig.authorization,
            v["python"]["authorization"].as_str().unwrap(),
            "{}",
            s("name")
        );
        checked += 1;
    }
    assert_eq!(checked, 26);
}

#[wasm_bindgen_test]
fn bad_options_throw_a_validation_error_with_its_field() {
    let err = Client::new(obj(&[("projectId", PROJECT.into())]))
        .err()
        .expect("no endpoint");
    assert_eq!(field(&err, "name"), "ValidationError");
    assert_eq!(field(&err, "field"), "options");
    assert!(err.is_instance_of::<js_sys::Error>());
    let err = Client::new(JsValue::from_f64(5.0)).err().unwrap();
    assert_eq!(field(&err, "field"), "options");
}

#[wasm_bindgen_test]
async fn bad_arguments_reject_with_validation_errors() {
    let c = client("http://127.0.0.1:9");
    let e = rejection(c.invoke(
        JsValue::from_str("not-a-urn"),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    ))
    .await;
    assert_eq!(field(&e, "name"), "ValidationError");
    assert_eq!(field(&e, "field"), "functionUrn");
    let e = rejection(c.invoke(
        urn("echo"),
        JsValue::from_str("not json"),
        JsValue::UNDEFINED,
    ))
    .await;
    assert_eq!(field(&e, "field"), "event");
    let big = JsValue::from_str(&format!("\"{}\"", "a".repeat(256 * 1024)));
    let e = rejection(c.invoke_async(urn("echo"), big, JsValue::UNDEFINED)).await;
    assert_eq!(field(&e, "field"), "event");
    let e = rejection(c.list_async_invocations(urn("echo"), obj(&[("limit", 0.into())]))).await;
    assert_eq!(field(&e, "field"), "query.limit");
}

#[wasm_bindgen_test]
async fn an_aborted_signal_rejects_with_its_reason() {
    let c = client("http://127.0.0.1:9");
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort_with_reason(&JsValue::from_str("stop"));
    let options = obj(&[("signal", controller.signal().into())]);
    let e = rejection(c.invoke(urn("echo"), JsValue::UNDEFINED, options)).await;
    assert_eq!(e, JsValue::from_str("stop"));
}

#[wasm_bindgen_test]
async fn an_unreachable_endpoint_is_a_network_error() {
    // Port 9 (discard) is closed on loopback: the request fails without an answer.
    let c = client("http://127.0.0.1:9");
    let e = rejection(c.invoke(urn("echo"), JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_eq!(field(&e, "name"), "NetworkError");
    assert!(!field(&e, "cause").is_undefined());
    let message = field(&e, "message").as_string().unwrap();
    assert!(message.starts_with("network error"), "{message}");
    let _ = e.dyn_ref::<js_sys::Error>().expect("an Error");
}
