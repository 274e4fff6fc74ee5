//! The wasm exports inside a real JS engine (Node, and headless Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1`): signing in wasm against the official SDKs'
//! vectors, and the wire checks the JS client relies on (paths, queries, cancel
//! bodies, times), with their ValidationError classes. The client as a whole is
//! tested through the package in tests/js (Node) and tests/browser (Chromium).
#![cfg(target_arch = "wasm32")]

use functiongraph_client::{body_limits, cancel_body, parse_time, request_path, sign_packed};
use functiongraph_protocol::sign::{sign, SignableRequest};
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
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

/// The `ValidationError` a call threw: checks its class and returns its `field`.
fn refused<T: std::fmt::Debug>(r: Result<T, JsValue>) -> String {
    let e = r.expect_err("should be refused");
    assert_eq!(field(&e, "name"), "ValidationError");
    assert!(e.is_instance_of::<js_sys::Error>());
    let message = field(&e, "message").as_string().unwrap();
    let name = field(&e, "field").as_string().unwrap();
    assert!(message.starts_with(&format!("{name}: ")), "{message}");
    name
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
fn the_packed_signer_signs_like_the_official_sdks() {
    // A vector without query or security token, through the export js/signer.js uses.
    let file: serde_json::Value = serde_json::from_str(include_str!(
        "../../crates/protocol/tests/data/sign_vectors.json"
    ))
    .unwrap();
    let v = file["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| {
            v["query"].as_array().unwrap().is_empty()
                && v["security_token"].is_null()
                && v["python"]["body_hashed"].as_str().is_some()
        })
        .expect("a vector without query or token");
    let s = |k: &str| v[k].as_str().unwrap().to_owned();
    let mut headers: Vec<(String, String)> = v["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, x)| (k.clone(), x.as_str().unwrap().to_owned()))
        .collect();
    headers.push(("X-Project-Id".into(), s("project_id")));
    let date = s("date"); // YYYYMMDDTHHMMSSZ
    let secs = secs_of(&date);
    let mut packed = format!(
        "{}\nhttps://{}{}\n{}\n{}\n{secs}\n{}\n",
        s("method"),
        s("host"),
        s("path"),
        s("ak"),
        s("sk"),
        headers.len()
    );
    for (k, x) in &headers {
        packed.push_str(&format!("{k}\n{x}\n"));
    }
    let out = sign_packed(&packed, v["python"]["body_hashed"].as_str().unwrap()).unwrap();
    let (sent_date, authorization) = out.split_once('\n').unwrap();
    assert_eq!(sent_date, date);
    assert_eq!(
        authorization,
        v["python"]["authorization"].as_str().unwrap(),
        "{}",
        s("name")
    );
    assert_eq!(
        refused(sign_packed("GET\nftp://x/\na\nb\n0\n0\n", "")),
        "request.url"
    );
    assert_eq!(refused(sign_packed("GET\nhttps://x/\na", "")), "request");
}

/// Seconds since the epoch of a `YYYYMMDDTHHMMSSZ` date.
fn secs_of(date: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| date[r].parse::<i64>().unwrap();
    let iso = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        n(0..4),
        n(4..6),
        n(6..8),
        n(9..11),
        n(11..13),
        n(13..15)
    );
    (js_sys::Date::new(&iso.into()).get_time() / 1000.0) as i64
}

#[wasm_bindgen_test]
fn request_paths_check_the_urn_and_its_project() {
    let path = request_path(PROJECT, urn("echo"), 0, JsValue::UNDEFINED).unwrap();
    assert_eq!(
        path,
        format!("/v2/{PROJECT}/fgs/functions/urn%3Afss%3Acn-north-4%3A{PROJECT}%3Afunction%3Adefault%3Aecho%3Alatest/invocations")
    );
    assert!(request_path(PROJECT, urn("echo"), 1, JsValue::UNDEFINED)
        .unwrap()
        .ends_with("/invocations-async"));
    assert!(request_path(PROJECT, urn("echo"), 4, JsValue::UNDEFINED)
        .unwrap()
        .ends_with("/cancel"));
    for bad in [
        JsValue::from_str("not-a-urn"),
        JsValue::from_f64(1.0),
        JsValue::from_str(
            "urn:fss:cn-north-4:ffffffffffffffffffffffffffffffff:function:default:echo",
        ),
    ] {
        assert_eq!(
            refused(request_path(PROJECT, bad, 0, JsValue::UNDEFINED)),
            "functionUrn"
        );
    }
}

#[wasm_bindgen_test]
fn listing_queries_are_checked_and_encoded() {
    let q = obj(&[
        ("limit", 5.into()),
        ("marker", "40".into()),
        ("status", "FAIL".into()),
        ("begin", "2026-01-02T03:04:05".into()),
        (
            "end",
            js_sys::Date::new(&"2026-01-02T04:00:00Z".into()).into(),
        ),
    ]);
    let path = request_path(PROJECT, urn("echo"), 2, q).unwrap();
    let query = path.split_once('?').unwrap().1;
    assert_eq!(
        query,
        "limit=5&marker=40&query_begin_time=2026-01-02T03%3A04%3A05&query_end_time=2026-01-02T04%3A00%3A00&status=FAIL"
    );
    let ids = js_sys::Array::of2(&"a".into(), &"b".into());
    let path = request_path(PROJECT, urn("echo"), 3, obj(&[("requestIds", ids.into())])).unwrap();
    assert!(
        path.ends_with("/active-async-invocations?requests=a%2Cb"),
        "{path}"
    );
    let cases: [(u8, JsValue, &str); 8] = [
        (2, obj(&[("limit", 0.into())]), "query.limit"),
        (2, obj(&[("limit", 1.5.into())]), "query.limit"),
        (2, obj(&[("marker", "x".into())]), "query.marker"),
        (2, obj(&[("status", "DONE".into())]), "query.status"),
        (2, obj(&[("begin", "yesterday".into())]), "query.begin"),
        (2, JsValue::from_str("limit=5"), "query"),
        (3, obj(&[("requestId", "a".into())]), "query.requestId"),
        (3, obj(&[("status", "SUCCESS".into())]), "query.status"),
    ];
    for (op, q, expected) in cases {
        assert_eq!(refused(request_path(PROJECT, urn("echo"), op, q)), expected);
    }
}

#[wasm_bindgen_test]
fn cancel_bodies_times_and_limits() {
    assert_eq!(
        cancel_body("r1".into(), None).unwrap(),
        r#"{"request_id":"r1"}"#
    );
    assert_eq!(
        cancel_body("r1".into(), Some("force".into())).unwrap(),
        r#"{"request_id":"r1","type":"force"}"#
    );
    assert_eq!(refused(cancel_body("".into(), None)), "requestId");
    assert_eq!(refused(cancel_body("a,b".into(), None)), "requestId");
    assert_eq!(
        refused(cancel_body("r1".into(), Some("now".into()))),
        "options.type"
    );
    assert_eq!(parse_time("1970-01-01T00:01:00"), 60.0);
    assert!(parse_time("not a time").is_nan());
    assert_eq!(body_limits(), vec![6 * 1024 * 1024, 256 * 1024]);
}
