//! The wasm exports inside a real JS engine (Node, and headless Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1`): signing in wasm against the official SDKs'
//! vectors, and the wire checks the JS client relies on (paths, queries, cancel
//! bodies, times), with their refusals. The client as a whole is
//! tested through the package in tests/js (Node) and tests/browser (Chromium).
#![cfg(target_arch = "wasm32")]

use functiongraph_client::{
    body_limit, cancel_body, listing_query, parse_time, request_path, sign_packed,
};
use functiongraph_protocol::sign::{sign, SignableRequest};
use wasm_bindgen_test::wasm_bindgen_test;

const PROJECT: &str = "0123456789abcdef0123456789abcdef";

/// The field of a refusal (`"\0{field}\0{message}"`, which js/wire.js throws).
fn refused(out: String) -> String {
    let rest = out
        .strip_prefix('\0')
        .unwrap_or_else(|| panic!("should be refused: {out}"));
    let (field, message) = rest.split_once('\0').unwrap();
    assert!(!message.is_empty() && !message.contains('\0'), "{out:?}");
    field.to_owned()
}

fn urn(name: &str) -> String {
    format!("urn:fss:cn-north-4:{PROJECT}:function:default:{name}:latest")
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
    let out = sign_packed(&packed, v["python"]["body_hashed"].as_str().unwrap());
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
    assert_eq!(
        request_path(PROJECT, &urn("echo"), 0),
        format!("/v2/{PROJECT}/fgs/functions/urn%3Afss%3Acn-north-4%3A{PROJECT}%3Afunction%3Adefault%3Aecho%3Alatest/invocations")
    );
    assert!(request_path(PROJECT, &urn("echo"), 1).ends_with("/invocations-async"));
    assert!(request_path(PROJECT, &urn("echo"), 3).ends_with("/active-async-invocations"));
    assert!(request_path(PROJECT, &urn("echo"), 4).ends_with("/cancel"));
    for bad in [
        "not-a-urn",
        "",
        "urn:fss:cn-north-4:ffffffffffffffffffffffffffffffff:function:default:echo",
    ] {
        assert_eq!(refused(request_path(PROJECT, bad, 0)), "functionUrn");
    }
}

/// The fields of a listing query, as js/wire.js passes them.
#[derive(Default, Clone)]
struct Query {
    active: bool,
    request_id: Option<&'static str>,
    status: Option<&'static str>,
    limit: Option<f64>,
    marker: Option<&'static str>,
    begin: Option<&'static str>,
    begin_ms: Option<f64>,
    end: Option<&'static str>,
    end_ms: Option<f64>,
    ids: Option<(&'static str, u32)>,
}

impl Query {
    fn run(self) -> String {
        let s = |v: Option<&str>| v.map(str::to_owned);
        listing_query(
            self.active,
            s(self.request_id),
            s(self.status),
            self.limit,
            s(self.marker),
            s(self.begin),
            self.begin_ms,
            s(self.end),
            self.end_ms,
            s(self.ids.map(|(joined, _)| joined)),
            self.ids.map_or(0, |(_, count)| count),
        )
    }
}

#[wasm_bindgen_test]
fn listing_queries_are_checked_and_encoded() {
    let query = Query {
        limit: Some(5.0),
        marker: Some("40"),
        status: Some("FAIL"),
        begin: Some("2026-01-02T03:04:05"),
        end_ms: Some(js_sys::Date::new(&"2026-01-02T04:00:00.999Z".into()).get_time()),
        ..Query::default()
    };
    assert_eq!(
        query.run(),
        "limit=5&marker=40&query_begin_time=2026-01-02T03%3A04%3A05&query_end_time=2026-01-02T04%3A00%3A00&status=FAIL"
    );
    assert_eq!(Query::default().run(), "");
    let active = Query {
        active: true,
        ..Query::default()
    };
    let ids = |joined, count| Query {
        ids: Some((joined, count)),
        ..active.clone()
    };
    assert_eq!(ids("a,b", 2).run(), "requests=a%2Cb");
    assert_eq!(ids("", 0).run(), "");
    let cases: [(Query, &str); 14] = [
        (
            Query {
                limit: Some(0.0),
                ..Query::default()
            },
            "query.limit",
        ),
        (
            Query {
                limit: Some(1.5),
                ..Query::default()
            },
            "query.limit",
        ),
        (
            Query {
                limit: Some(f64::NAN),
                ..Query::default()
            },
            "query.limit",
        ),
        (
            Query {
                marker: Some("x"),
                ..Query::default()
            },
            "query.marker",
        ),
        (
            Query {
                marker: Some("-1"),
                ..Query::default()
            },
            "query.marker",
        ),
        (
            Query {
                status: Some("DONE"),
                ..Query::default()
            },
            "query.status",
        ),
        (
            Query {
                begin: Some("yesterday"),
                ..Query::default()
            },
            "query.begin",
        ),
        (
            Query {
                begin_ms: Some(f64::NAN),
                ..Query::default()
            },
            "query.begin",
        ),
        (
            Query {
                begin: Some("2026-01-02T00:00:00"),
                end: Some("2026-01-01T00:00:00"),
                ..Query::default()
            },
            "query.begin",
        ),
        (
            Query {
                request_id: Some("a"),
                ..active.clone()
            },
            "query.requestId",
        ),
        (
            Query {
                status: Some("SUCCESS"),
                ..active.clone()
            },
            "query.status",
        ),
        // An id with a comma in it shows as a piece too many.
        (ids("a,b", 1), "query.requestIds"),
        (ids("a,,b", 3), "query.requestIds"),
        (ids("", 11), "query.requestIds"),
    ];
    for (query, expected) in cases {
        assert_eq!(refused(query.run()), expected);
    }
}

#[wasm_bindgen_test]
fn cancel_bodies_times_and_limits() {
    assert_eq!(cancel_body("r1", None), r#"{"request_id":"r1"}"#);
    assert_eq!(
        cancel_body("r\"1", Some("force".into())),
        r#"{"request_id":"r\"1","type":"force"}"#
    );
    assert_eq!(refused(cancel_body("", None)), "requestId");
    assert_eq!(refused(cancel_body("a,b", None)), "requestId");
    assert_eq!(
        refused(cancel_body("r1", Some("now".into()))),
        "options.type"
    );
    assert_eq!(parse_time("1970-01-01T00:01:00"), 60.0);
    assert!(parse_time("not a time").is_nan());
    assert_eq!(body_limit(false), 6 * 1024 * 1024);
    assert_eq!(body_limit(true), 256 * 1024);
}
