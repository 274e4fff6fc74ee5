//! The Rust client itself, in a real JS engine (Node, and headless Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1`), against a real emulator and a stub that answers the
//! way the real service does (`tests/wasm/run.mjs` starts both and passes their URLs at
//! compile time): the five operations, paging, waiting, token and AK/SK, abort with an
//! Error and with a string, timeout, retry after 503, network failure, and signing in
//! wasm against the official SDKs' vectors.
#![cfg(target_arch = "wasm32")]

use functiongraph_client::protocol::sign::{sign, SignableRequest};
use functiongraph_client::protocol::{ActiveAsyncQuery, AsyncStatus, ListAsyncQuery};
use functiongraph_client::{
    CallOptions, Client, Credentials, Error, InvokeAsyncOptions, InvokeOptions, LogType, Retry,
    RetryPolicy, WaitOptions,
};
use std::time::Duration;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::AbortController;

const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const TOKEN: &str = "dev-token";

/// A URL that tests/wasm/run.mjs passes at compile time (lint builds go without).
fn url_from_run(value: Option<&'static str>, name: &str) -> &'static str {
    match value {
        Some(url) => url,
        None => panic!("run these through tests/wasm/run.mjs ({name} is not set)"),
    }
}

fn endpoint() -> &'static str {
    url_from_run(option_env!("FGS_TEST_ENDPOINT"), "FGS_TEST_ENDPOINT")
}

fn stub() -> &'static str {
    url_from_run(option_env!("FGS_TEST_STUB"), "FGS_TEST_STUB")
}

fn urn(name: &str) -> String {
    format!("urn:fss:cn-north-4:{PROJECT}:function:default:{name}:latest")
}

fn token() -> Credentials {
    Credentials::Token(TOKEN.into())
}

fn keys() -> Credentials {
    Credentials::AccessKey {
        access_key: "DEVACCESSKEYEXAMPLE0".into(),
        secret_key: "dev-secret-key-example".into(),
        security_token: None,
    }
}

/// A client made the Rust way (the builder), as the crate's docs show.
fn client_at(url: &str, credentials: Credentials) -> Client {
    Client::builder(PROJECT)
        .endpoint(url)
        .credentials(credentials)
        .build()
        .unwrap()
}

fn client(credentials: Credentials) -> Client {
    client_at(endpoint(), credentials)
}

#[wasm_bindgen]
extern "C" {
    // (Not the client's own binding's signature: two identical ones would clash at link time.)
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32);
}

async fn sleep(ms: f64) {
    let promise = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms as i32);
    });
    JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn invoke_with_a_token_and_with_signed_requests() {
    let out = client(token())
        .invoke(
            &urn("echo"),
            r#"{"from":"rust"}"#,
            &InvokeOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.status, 200);
    assert_eq!(out.result, r#"{"from":"rust"}"#);
    assert!(out.function_error.is_none());
    assert!(out.summary.unwrap().duration > 0.0);
    let options = InvokeOptions {
        log_type: LogType::Tail,
        ..InvokeOptions::default()
    };
    let signed = client(keys())
        .invoke(&urn("hello"), r#"{"name":"wasm"}"#, &options)
        .await
        .unwrap();
    assert!(signed.result.includes("hello wasm", 0), "{}", signed.result);
    assert!(
        signed.log.includes("Finish invoke request", 0),
        "{}",
        signed.log
    );
    let failed = client(token())
        .invoke(&urn("fail"), "{}", &InvokeOptions::default())
        .await
        .unwrap();
    assert_eq!(failed.function_error.unwrap().code, 4002);
}

#[wasm_bindgen_test]
async fn service_errors_keep_their_fields() {
    match client(token())
        .invoke(&urn("no-such-function"), "{}", &InvokeOptions::default())
        .await
    {
        Err(Error::Service {
            status,
            error_code,
            request_id,
            attempts,
            ..
        }) => {
            assert_eq!((status, error_code.as_str()), (404, "FSS.0404"));
            assert!(request_id.is_some());
            assert_eq!(attempts, 1);
        }
        other => panic!("{other:?}"),
    }
    let wrong = Credentials::AccessKey {
        access_key: "DEVACCESSKEYEXAMPLE0".into(),
        secret_key: "not-the-secret".into(),
        security_token: None,
    };
    match client(wrong)
        .invoke(&urn("echo"), "{}", &InvokeOptions::default())
        .await
    {
        Err(Error::Service {
            status: 401,
            error_code,
            ..
        }) => assert_eq!(error_code, "APIGW.0301"),
        other => panic!("{other:?}"),
    }
    match client(token())
        .invoke("not-a-urn", "{}", &InvokeOptions::default())
        .await
    {
        Err(Error::Validation { field, .. }) => assert_eq!(field, "functionUrn"),
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn async_invocations_are_listed_paged_and_waited_for() {
    let c = client(keys());
    let mut ids = Vec::new();
    for i in 0..5 {
        let accepted = c
            .invoke_async(
                &urn("callback"),
                &format!(r#"{{"i":{i}}}"#),
                &InvokeAsyncOptions::default(),
            )
            .await
            .unwrap();
        ids.push(accepted.request_id);
    }
    let last = ids.last().unwrap().clone();
    let done = c
        .wait_for_async_invocation(
            &urn("callback"),
            &last,
            &WaitOptions::default().with_interval(Duration::from_millis(50)),
        )
        .await
        .unwrap();
    assert_eq!(done.request_id, last);
    assert_eq!(done.status, AsyncStatus::Success);
    let query = ListAsyncQuery {
        limit: Some(2),
        ..ListAsyncQuery::default()
    };
    let mut pager = c.async_invocations(&urn("callback"), query, CallOptions::default());
    let mut seen = Vec::new();
    while let Some(record) = pager.next().await.unwrap() {
        seen.push(record.request_id);
    }
    ids.reverse();
    assert_eq!(seen, ids, "every record once, newest first");
}

#[wasm_bindgen_test]
async fn cancel_and_the_active_listing() {
    let c = client(token());
    let running = c
        .invoke_async(
            &urn("sleep"),
            r#"{"ms":2500}"#,
            &InvokeAsyncOptions::default(),
        )
        .await
        .unwrap()
        .request_id;
    let mut active = false;
    for _ in 0..100 {
        let query = ActiveAsyncQuery {
            requests: vec![running.clone()],
            ..ActiveAsyncQuery::default()
        };
        let page = c
            .list_active_async_invocations(&urn("sleep"), &query, &CallOptions::default())
            .await
            .unwrap();
        if page.invocations.iter().any(|i| i.request_id == running) {
            active = true;
            break;
        }
        sleep(20.0).await;
    }
    assert!(active, "listed as active");
    c.cancel_async_invocation(&urn("sleep"), &running, None, &CallOptions::default())
        .await
        .unwrap();
    let done = c
        .wait_for_async_invocation(
            &urn("sleep"),
            &running,
            &WaitOptions::default().with_interval(Duration::from_millis(50)),
        )
        .await
        .unwrap();
    assert_eq!(done.status, AsyncStatus::Discard);
}

#[wasm_bindgen_test]
async fn abort_with_an_error_and_with_a_string() {
    let c = client_at(stub(), token());
    for reason in [
        JsValue::from(js_sys::Error::new("user left")),
        JsValue::from_str("stop"),
    ] {
        let controller = AbortController::new().unwrap();
        let options = InvokeOptions {
            call: CallOptions {
                signal: Some(controller.signal()),
                ..CallOptions::default()
            },
            ..InvokeOptions::default()
        };
        let abort = reason.clone();
        let later = controller.clone();
        spawn_local(async move {
            sleep(100.0).await;
            later.abort_with_reason(&abort);
        });
        match c.invoke(&urn("slow"), "{}", &options).await {
            // The caller's own reason, exactly as fetch rejects.
            Err(Error::Aborted(got)) => assert_eq!(got, reason),
            other => panic!("{other:?}"),
        }
    }
    // Already aborted: refused before any request.
    let controller = AbortController::new().unwrap();
    controller.abort_with_reason(&JsValue::from_str("before"));
    let options = CallOptions {
        signal: Some(controller.signal()),
        ..CallOptions::default()
    };
    match c
        .list_async_invocations(&urn("echo"), &ListAsyncQuery::default(), &options)
        .await
    {
        Err(Error::Aborted(got)) => assert_eq!(got, "before"),
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn timeouts_and_network_failures() {
    let options = InvokeOptions {
        call: CallOptions::default().with_timeout(Duration::from_millis(150)),
        ..InvokeOptions::default()
    };
    match client(token())
        .invoke(&urn("sleep"), r#"{"ms":1000}"#, &options)
        .await
    {
        Err(Error::Timeout {
            timeout_ms,
            elapsed_ms,
        }) => {
            assert_eq!(timeout_ms, 150.0);
            assert!(elapsed_ms >= 140.0, "{elapsed_ms}");
        }
        other => panic!("{other:?}"),
    }
    // Nothing listens on port 9 (and browsers refuse it): no answer, after every attempt.
    let offline = client_at("http://127.0.0.1:9", token());
    let retry = CallOptions {
        retry: Retry::Policy(RetryPolicy {
            max_attempts: 2,
            base_delay_ms: 1.0,
            max_delay_ms: 1.0,
        }),
        ..CallOptions::default()
    };
    let failed = offline
        .list_async_invocations(&urn("echo"), &ListAsyncQuery::default(), &retry)
        .await;
    let message = failed.as_ref().err().map(ToString::to_string);
    match failed {
        Err(Error::Network {
            attempts,
            cause,
            method,
            url,
            ..
        }) => {
            assert_eq!(attempts, 2);
            assert!(cause.is_some());
            assert_eq!(method, "GET");
            // The listing's URL without its query.
            assert!(url.starts_with("http://127.0.0.1:9/v2/"), "{url}");
            assert!(url.ends_with("/async-invocations"), "{url}");
            let message = message.unwrap_or_default();
            assert!(
                message.starts_with(&format!("network error: GET {url}: ")),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_503_is_retried_when_asked() {
    let name = format!("flaky-{}", js_sys::Math::random().to_bits());
    let c = client_at(stub(), token());
    let once = c.invoke(&urn(&name), "{}", &InvokeOptions::default()).await;
    assert!(
        matches!(
            once,
            Err(Error::Service {
                status: 503,
                attempts: 1,
                ..
            })
        ),
        "{once:?}"
    );
    let name = format!("flaky-{}", js_sys::Math::random().to_bits());
    let options = InvokeOptions {
        call: CallOptions {
            retry: Retry::On,
            ..CallOptions::default()
        },
        ..InvokeOptions::default()
    };
    let out = c.invoke(&urn(&name), "{}", &options).await.unwrap();
    assert_eq!(out.result, r#"{"ok":true}"#);
}

#[wasm_bindgen_test]
async fn a_redirect_is_not_followed() {
    // Node shows the 307 and its Location; a browser hides both from a manual redirect.
    match client_at(stub(), token())
        .invoke(&urn("moved"), "{}", &InvokeOptions::default())
        .await
    {
        Err(Error::Response { status, reason, .. }) => {
            assert!(status == 307 || status == 0, "{status}");
            assert!(reason.contains("redirect"), "{reason}");
            assert!(!reason.contains("secret"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn paging_the_real_way_yields_every_record_once() {
    let c = client_at(stub(), token());
    let query = ListAsyncQuery {
        limit: Some(100),
        ..ListAsyncQuery::default()
    };
    let mut pager = c.async_invocations(&urn("paged"), query, CallOptions::default());
    let mut seen = Vec::new();
    while let Some(record) = pager.next().await.unwrap() {
        seen.push(record.request_id);
    }
    let expected: Vec<String> = (0..250).map(|i| format!("paged-{i:03}")).collect();
    assert_eq!(seen, expected);
}

/// In wasm the signer sorts by insertion (`sort_pairs`), not with the standard sort the
/// native tests run: the vectors with unsorted and repeated keys and headers check it.
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

/// The patched serde-wasm-bindgen (patches/README.md) refuses as upstream does, in the
/// same words, with the number written by JavaScript; and `preserve` still round-trips.
#[wasm_bindgen_test]
fn patched_serde_wasm_bindgen_refuses_in_upstreams_words() {
    // The crate's errors are JS `Error`s, shown as `String(error)` shows them.
    let message = |e: serde_wasm_bindgen::Error| e.to_string().replace("Error: ", "");
    let e = serde_wasm_bindgen::from_value::<String>(JsValue::from_f64(1.5)).unwrap_err();
    assert_eq!(
        message(e),
        "invalid type: floating point `1.5`, expected a string"
    );
    let e = serde_wasm_bindgen::from_value::<u32>(JsValue::from_str("x")).unwrap_err();
    assert_eq!(message(e), "invalid type: string \"x\", expected u32");
    // Quoted as `{:?}` quotes (upstream's words), without linking `Debug`'s Unicode tables.
    let tricky = "say \"hi\"\\\n\0\u{1b} é\u{a0}\u{200b}\u{feff}";
    let e = serde_wasm_bindgen::from_value::<u32>(JsValue::from_str(tricky)).unwrap_err();
    assert_eq!(
        message(e),
        format!("invalid type: string {tricky:?}, expected u32")
    );
    let e = serde_wasm_bindgen::from_value::<bool>(JsValue::NULL).unwrap_err();
    assert_eq!(message(e), "invalid type: unit value, expected a boolean");
    // Bytes are named, not shown (as serde's `Unexpected::Bytes` writes them).
    let bytes = js_sys::Uint8Array::from(&[1u8, 2, 3][..]);
    let e = serde_wasm_bindgen::from_value::<String>(bytes.into()).unwrap_err();
    assert_eq!(message(e), "invalid type: byte array, expected a string");

    #[derive(serde::Deserialize)]
    struct Kept {
        #[serde(with = "serde_wasm_bindgen::preserve")]
        value: js_sys::Object,
    }
    let inner = js_sys::Object::new();
    let outer = js_sys::Object::new();
    js_sys::Reflect::set(&outer, &"value".into(), &inner).unwrap();
    let kept: Kept = serde_wasm_bindgen::from_value(outer.into()).unwrap();
    assert!(js_sys::Object::is(&kept.value, &inner));
    // Each preserved value arrives as itself (the patch passes its index as a Rust u32).
    #[derive(serde::Deserialize)]
    struct Two {
        #[serde(with = "serde_wasm_bindgen::preserve")]
        first: JsValue,
        #[serde(with = "serde_wasm_bindgen::preserve")]
        second: JsValue,
    }
    let (first, second) = (js_sys::Object::new(), js_sys::Array::new());
    let both = js_sys::Object::new();
    js_sys::Reflect::set(&both, &"second".into(), &second).unwrap();
    js_sys::Reflect::set(&both, &"first".into(), &first).unwrap();
    let two: Two = serde_wasm_bindgen::from_value(both.into()).unwrap();
    assert!(js_sys::Object::is(&two.first, &first));
    assert!(js_sys::Object::is(&two.second, &second));
    // A value of the wrong JS type is refused, not trapped on.
    let wrong = js_sys::Object::new();
    js_sys::Reflect::set(&wrong, &"value".into(), &JsValue::from_f64(2.0)).unwrap();
    assert!(serde_wasm_bindgen::from_value::<Kept>(wrong.into()).is_err());
}

/// Rules the JS facade used to apply alone are the core's: a Rust caller is refused with
/// the same field and words, before anything is sent (port 9 on loopback: a request sent
/// would be a NetworkError, not a ValidationError).
#[wasm_bindgen_test]
async fn the_core_refuses_what_the_js_api_refuses() {
    let offline = client_at("http://127.0.0.1:9", token());
    let field_and_message = |e: Error| match e {
        Error::Validation { field, message, .. } => (field, message),
        other => panic!("expected a ValidationError, got {other}"),
    };
    for event in ["not json", "", "{\"a\":"] {
        let e = offline
            .invoke(&urn("echo"), event, &InvokeOptions::default())
            .await
            .unwrap_err();
        let (field, message) = field_and_message(e);
        assert_eq!(field, "event");
        assert!(message.starts_with("must be JSON text"), "{message}");
    }
    let e = offline
        .invoke_async(&urn("echo"), "nope", &InvokeAsyncOptions::default())
        .await
        .unwrap_err();
    assert_eq!(field_and_message(e).0, "event");
    let zero = InvokeOptions {
        instance_memory_mb: Some(0),
        ..InvokeOptions::default()
    };
    let e = offline.invoke(&urn("echo"), "{}", &zero).await.unwrap_err();
    assert_eq!(field_and_message(e).0, "options.instanceMemory");
    let mut pager = offline
        .async_invocations(
            &urn("echo"),
            ListAsyncQuery::default(),
            CallOptions::default(),
        )
        .max_items(0);
    assert_eq!(
        field_and_message(pager.next().await.unwrap_err()).0,
        "query.maxItems"
    );
}

/// `invoke_async_and_wait` is the core's too (it was the facade's alone).
#[wasm_bindgen_test]
async fn invoke_async_and_wait_gives_the_terminal_record() {
    let record = client(token())
        .invoke_async_and_wait(&urn("echo"), r#"{"and":"wait"}"#, &WaitOptions::default())
        .await
        .unwrap();
    assert_eq!(record.status, AsyncStatus::Success);
    assert!(!record.request_id.is_empty());
}

/// An event can be any `Serialize` value (serde-wasm-bindgen, then `JSON.stringify`).
#[wasm_bindgen_test]
async fn an_event_can_be_any_serialize_value() {
    #[derive(serde::Serialize)]
    struct Greeting<'a> {
        name: &'a str,
        tags: Vec<&'a str>,
        nested: std::collections::BTreeMap<&'a str, u32>,
    }
    let event = functiongraph_client::Event::json(&Greeting {
        name: "serde",
        tags: vec!["a", "b"],
        nested: [("n", 1)].into_iter().collect(),
    })
    .unwrap();
    let out = client(token())
        .invoke(&urn("echo"), event, &InvokeOptions::default())
        .await
        .unwrap();
    assert_eq!(
        out.result,
        r#"{"name":"serde","tags":["a","b"],"nested":{"n":1}}"#
    );
    let event = functiongraph_client::Event::json(&serde_json::json!({"from": "json!"})).unwrap();
    let out = client(token())
        .invoke(&urn("echo"), event, &InvokeOptions::default())
        .await
        .unwrap();
    assert_eq!(out.result, r#"{"from":"json!"}"#);
}

/// The pager as a `futures_core::Stream`: every record once, then the end; an error is one
/// item, then the end.
#[wasm_bindgen_test]
async fn the_pager_is_a_stream_too() {
    use futures_core::Stream;
    use std::pin::Pin;

    let query = ListAsyncQuery {
        limit: Some(100),
        ..ListAsyncQuery::default()
    };
    let mut stream = client_at(stub(), token())
        .async_invocations(&urn("paged"), query, CallOptions::default())
        .into_stream();
    let mut ids = Vec::new();
    while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        ids.push(item.unwrap().request_id);
    }
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "each record once");
    assert!(ids.len() > 100, "more than one page: {}", ids.len());

    let mut failing = client_at("http://127.0.0.1:9", token())
        .async_invocations(
            &urn("echo"),
            ListAsyncQuery::default(),
            CallOptions {
                retry: Retry::Off,
                ..CallOptions::default()
            },
        )
        .into_stream();
    let first = std::future::poll_fn(|cx| Pin::new(&mut failing).poll_next(cx)).await;
    assert!(
        matches!(first, Some(Err(Error::Network { .. }))),
        "{first:?}"
    );
    let after = std::future::poll_fn(|cx| Pin::new(&mut failing).poll_next(cx)).await;
    assert!(after.is_none());
}
