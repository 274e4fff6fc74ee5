//! JSON bodies of the invocation APIs, with the service's snake_case field names.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lenient::{
    serde_count, serde_error_code, serde_invoke_status, serde_next_marker,
    serde_optional_text as string_or_null,
};

/// Sync invoke answer in the `v1` (JSON) format, and the official SDKs' response model.
///
/// Read leniently: `request_id` and `log` may be absent or `null` (read as `""`), and
/// `status` too (read as 200). `result` is required. Written as the service writes it,
/// every field present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvokeResponseBody {
    /// Request id of the invocation.
    #[serde(default, deserialize_with = "string_or_null")]
    pub request_id: String,
    /// What the function returned, as text (JSON text unless it returned a string).
    pub result: String,
    /// The function's log, or the last 4 KB of it with `X-Cff-Log-Type: tail`.
    #[serde(default, deserialize_with = "string_or_null")]
    pub log: String,
    /// 200 when the function succeeded, otherwise the function error status.
    #[serde(default = "status_ok", deserialize_with = "serde_invoke_status")]
    pub status: i32,
}

/// The `status` of a sync invoke answer that does not give one.
fn status_ok() -> i32 {
    200
}

/// `X-Cff-Invoke-Summary`: `{"duration":1.913,"billingDuration":100,"memorySize":128,"memoryUsed":41.51171875}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokeSummary {
    /// Execution time, ms.
    pub duration: f64,
    /// Billed time, ms.
    pub billing_duration: u64,
    /// Configured memory, MB.
    pub memory_size: u32,
    /// Memory used, MB.
    pub memory_used: f64,
}

/// Async invoke answer (202).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsyncInvokeResponse {
    /// Id to look the invocation up with.
    pub request_id: String,
}

/// Lifecycle of an async invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AsyncStatus {
    /// Accepted, not started.
    Wait,
    /// Running now.
    Running,
    /// Finished successfully.
    Success,
    /// Finished with an error after its retries.
    Fail,
    /// Dropped: max event age reached before it could run, or cancelled (error 4208).
    Discard,
}

impl AsyncStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [AsyncStatus; 5] = [
        AsyncStatus::Wait,
        AsyncStatus::Running,
        AsyncStatus::Success,
        AsyncStatus::Fail,
        AsyncStatus::Discard,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AsyncStatus::Wait => "WAIT",
            AsyncStatus::Running => "RUNNING",
            AsyncStatus::Success => "SUCCESS",
            AsyncStatus::Fail => "FAIL",
            AsyncStatus::Discard => "DISCARD",
        }
    }

    /// Parses the wire spelling (exact, upper-case).
    pub fn parse(s: &str) -> Option<AsyncStatus> {
        AsyncStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the invocation will not change any more.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            AsyncStatus::Success | AsyncStatus::Fail | AsyncStatus::Discard
        )
    }
}

impl fmt::Display for AsyncStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One record of an async invocations listing.
///
/// Read leniently: `error_message`, `start_time` and `end_time` may be absent or `null`
/// (read as `""`); `error_code` may be absent or `null` (read as 0), and may be a
/// decimal string. `request_id` and `status` are required, and an unknown status is an
/// error. Written as the service writes it, every field present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsyncInvocation {
    /// Request id returned by the async invoke.
    pub request_id: String,
    /// Current status.
    pub status: AsyncStatus,
    /// Error text; empty on success or while not finished.
    #[serde(default, deserialize_with = "string_or_null")]
    pub error_message: String,
    /// Error code; 0 on success or while not finished.
    #[serde(default, deserialize_with = "serde_error_code")]
    pub error_code: i64,
    /// When it started (when accepted, while waiting), `YYYY-MM-DDTHH:mm:ss` UTC.
    #[serde(default, deserialize_with = "string_or_null")]
    pub start_time: String,
    /// When it ended, same format; empty while not finished.
    #[serde(default, deserialize_with = "string_or_null")]
    pub end_time: String,
}

/// Async invocations listing.
///
/// Read leniently: `count` may be absent (read as 0: a client takes an absent count
/// to be `invocations.len()`, which serde cannot see from this field), but must be a
/// number when given. `next_marker` may be absent or `null` (no next page), a number
/// or a decimal string: the service's marker is an offset, which its SDK models as an
/// integer and Terraform reads as a string. A string that is not decimal is an error.
/// Written as the service writes it: `next_marker` as a JSON integer (the emulator
/// always sets it, 0 on the last page); `None` is left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListAsyncInvocationsResponse {
    /// The page of records, newest first; an answer without it has none.
    #[serde(default)]
    pub invocations: Vec<AsyncInvocation>,
    /// How many records match the query in all (0 when the answer did not say: see above).
    #[serde(default, deserialize_with = "serde_count")]
    pub count: u64,
    /// Marker of the next page (the `marker` to send for it); `None` on the last page.
    #[serde(
        default,
        deserialize_with = "serde_next_marker",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_marker: Option<u64>,
}

/// How to cancel an async invocation (`type` of the cancel body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CancelType {
    /// Stop it even if it is running.
    Force,
    /// Also cancel what it started (the emulator has nothing downstream: same as force).
    Recursive,
}

impl CancelType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CancelType::Force => "force",
            CancelType::Recursive => "recursive",
        }
    }

    /// Parses the wire spelling (exact, lower-case).
    pub fn parse(s: &str) -> Option<CancelType> {
        [CancelType::Force, CancelType::Recursive]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// Body of `POST …/cancel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelAsyncInvocationRequest {
    /// The async invocation to stop.
    pub request_id: String,
    /// How; optional.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CancelType>,
}

impl CancelAsyncInvocationRequest {
    /// The body as JSON text, exactly as its `Serialize` writes it with `serde_json`. For a
    /// client that carries no serializer (the wasm client: serde's serializer for one small
    /// body would be its largest piece of serde).
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"request_id\":");
        json_string(&mut out, &self.request_id);
        if let Some(kind) = self.kind {
            out.push_str(",\"type\":\"");
            out.push_str(kind.as_str());
            out.push('"');
        }
        out.push('}');
        out
    }
}

/// `text` as a JSON string, escaped as `serde_json` escapes it.
fn json_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(HEX[(u32::from(c) >> 4) as usize]));
                out.push(char::from(HEX[(u32::from(c) & 0xf) as usize]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorBody;

    #[test]
    fn cancel_types_parse_their_wire_spelling() {
        assert_eq!(CancelType::parse("force"), Some(CancelType::Force));
        assert_eq!(CancelType::parse("recursive"), Some(CancelType::Recursive));
        assert_eq!(CancelType::parse("Force"), None);
    }

    #[test]
    fn statuses_round_trip_on_the_wire() {
        for st in AsyncStatus::ALL {
            let json = serde_json::to_string(&st).unwrap();
            assert_eq!(json, format!("\"{}\"", st.as_str()));
            assert_eq!(AsyncStatus::parse(st.as_str()), Some(st));
        }
        assert_eq!(AsyncStatus::parse("success"), None);
    }

    #[test]
    fn summary_uses_the_service_field_names() {
        let s: InvokeSummary = serde_json::from_str(
            r#"{"duration":1.913,"billingDuration":100,"memorySize":128,"memoryUsed":41.51171875}"#,
        )
        .unwrap();
        assert_eq!(s.billing_duration, 100);
        assert_eq!(s.memory_used, 41.51171875);
    }

    #[test]
    fn cancel_bodies_written_by_hand_match_serde_json() {
        let ids = [
            "r1",
            "",
            "quote\" back\\slash",
            "line\nbreak\ttab\u{1}\u{1f}\u{7f}",
            "é✓😀",
            "\u{8}\u{c}\r",
        ];
        for id in ids {
            for kind in [None, Some(CancelType::Force), Some(CancelType::Recursive)] {
                let body = CancelAsyncInvocationRequest {
                    request_id: id.to_owned(),
                    kind,
                };
                assert_eq!(
                    body.to_json(),
                    serde_json::to_string(&body).unwrap(),
                    "{id:?} {kind:?}"
                );
            }
        }
    }

    #[test]
    fn cancel_bodies_use_the_sdk_field_names() {
        let c: CancelAsyncInvocationRequest =
            serde_json::from_str(r#"{"request_id":"r1","type":"force"}"#).unwrap();
        assert_eq!(c.kind, Some(CancelType::Force));
        let c: CancelAsyncInvocationRequest =
            serde_json::from_str(r#"{"request_id":"r1"}"#).unwrap();
        assert_eq!(c.kind, None);
        assert!(serde_json::from_str::<CancelAsyncInvocationRequest>(
            r#"{"request_id":"r1","type":"gentle"}"#
        )
        .is_err());
        assert_eq!(
            serde_json::to_string(&CancelAsyncInvocationRequest {
                request_id: "r".into(),
                kind: Some(CancelType::Recursive)
            })
            .unwrap(),
            r#"{"request_id":"r","type":"recursive"}"#
        );
    }

    #[test]
    fn listing_parses_the_documented_example() {
        let r: ListAsyncInvocationsResponse = serde_json::from_str(
            r#"{"invocations":[{"request_id":"403fcbd6","status":"SUCCESS","error_message":"","start_time":"2019-10-25T15:37:27","end_time":"2019-10-25T15:37:27","error_code":0}],"count":1}"#,
        )
        .unwrap();
        assert_eq!(r.invocations[0].status, AsyncStatus::Success);
        assert_eq!(r.next_marker, None);
    }

    use serde::de::DeserializeOwned;
    use serde_json::{json, Value};

    fn from_value<T: DeserializeOwned>(v: Value) -> Result<T, serde_json::Error> {
        serde_json::from_value(v)
    }

    fn listing(next_marker: Value) -> Result<ListAsyncInvocationsResponse, serde_json::Error> {
        from_value(json!({"invocations": [], "count": 3, "next_marker": next_marker}))
    }

    #[test]
    fn next_marker_is_read_from_a_number_or_a_decimal_string() {
        assert_eq!(listing(json!(100)).unwrap().next_marker, Some(100));
        assert_eq!(listing(json!("100")).unwrap().next_marker, Some(100));
        assert_eq!(listing(json!("0")).unwrap().next_marker, Some(0));
        assert_eq!(listing(json!(null)).unwrap().next_marker, None);
        let r: ListAsyncInvocationsResponse =
            serde_json::from_str(r#"{"invocations":[],"count":3,"next_marker":"42"}"#).unwrap();
        assert_eq!(r.next_marker, Some(42));
        let r: ListAsyncInvocationsResponse =
            serde_json::from_str(r#"{"invocations":[],"count":3}"#).unwrap();
        assert_eq!(r.next_marker, None);
        assert_eq!(
            listing(json!(u64::MAX)).unwrap().next_marker,
            Some(u64::MAX)
        );
        for bad in [
            json!("abc"),
            json!(""),
            json!("+1"),
            json!(" 1"),
            json!("1.5"),
            json!("-1"),
            json!("18446744073709551616"),
            json!(-1),
            json!(true),
            json!([1]),
            json!({}),
        ] {
            assert!(listing(bad.clone()).is_err(), "{bad}");
        }
    }

    /// What `serde_wasm_bindgen` hands over for a JavaScript number: an f64.
    #[test]
    fn whole_numbers_are_read_from_floats_too() {
        assert_eq!(listing(json!(12.0)).unwrap().next_marker, Some(12));
        assert_eq!(listing(json!(0.0)).unwrap().next_marker, Some(0));
        assert_eq!(
            listing(json!(9_007_199_254_740_992.0)).unwrap().next_marker,
            Some(1 << 53)
        );
        for bad in [
            json!(12.5),
            json!(-1.0),
            json!(18_014_398_509_481_984.0),
            json!(1e300),
        ] {
            assert!(listing(bad.clone()).is_err(), "{bad}");
        }
        let inv: AsyncInvocation =
            from_value(json!({"request_id": "r", "status": "FAIL", "error_code": 4208.0})).unwrap();
        assert_eq!(inv.error_code, 4208);
        let inv: AsyncInvocation =
            from_value(json!({"request_id": "r", "status": "FAIL", "error_code": -2.0})).unwrap();
        assert_eq!(inv.error_code, -2);
        assert!(from_value::<AsyncInvocation>(
            json!({"request_id": "r", "status": "FAIL", "error_code": 0.5})
        )
        .is_err());
    }

    #[test]
    fn next_marker_is_written_as_an_integer_and_left_out_when_none() {
        let mut r = ListAsyncInvocationsResponse {
            invocations: Vec::new(),
            count: 7,
            next_marker: Some(5),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"invocations":[],"count":7,"next_marker":5}"#
        );
        r.next_marker = None;
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"invocations":[],"count":7}"#
        );
    }

    #[test]
    fn count_defaults_to_zero_but_must_be_a_number() {
        let r: ListAsyncInvocationsResponse =
            from_value(json!({"invocations": [{"request_id": "r", "status": "WAIT"}]})).unwrap();
        assert_eq!(r.count, 0);
        assert_eq!(r.invocations.len(), 1);
        let r: ListAsyncInvocationsResponse =
            from_value(json!({"invocations": [], "count": 3.0})).unwrap();
        assert_eq!(r.count, 3);
        for bad in [json!("1"), json!(null), json!(-1), json!(1.5), json!(-1.0)] {
            assert!(
                from_value::<ListAsyncInvocationsResponse>(
                    json!({"invocations": [], "count": bad})
                )
                .is_err(),
                "{bad}"
            );
        }
        // No 'invocations': a page without records.
        let empty = from_value::<ListAsyncInvocationsResponse>(json!({"count": 1})).unwrap();
        assert!(empty.invocations.is_empty());
    }

    #[test]
    fn invocations_default_what_gateways_leave_out() {
        for absent in [
            json!({"request_id": "r1", "status": "RUNNING"}),
            json!({"request_id": "r1", "status": "RUNNING", "error_message": null,
                   "error_code": null, "start_time": null, "end_time": null}),
        ] {
            let inv: AsyncInvocation = from_value(absent).unwrap();
            assert_eq!(
                inv,
                AsyncInvocation {
                    request_id: "r1".into(),
                    status: AsyncStatus::Running,
                    error_message: String::new(),
                    error_code: 0,
                    start_time: String::new(),
                    end_time: String::new(),
                }
            );
        }
        for (code, want) in [
            (json!(4208), 4208),
            (json!("4208"), 4208),
            (json!("-1"), -1),
            (json!(-1), -1),
        ] {
            let inv: AsyncInvocation =
                from_value(json!({"request_id": "r", "status": "FAIL", "error_code": code}))
                    .unwrap();
            assert_eq!(inv.error_code, want);
        }
        for bad in [
            json!({"status": "FAIL"}),
            json!({"request_id": "r"}),
            json!({"request_id": "r", "status": "DONE"}),
            json!({"request_id": "r", "status": "FAIL", "error_code": "x"}),
            json!({"request_id": "r", "status": "FAIL", "error_code": "9223372036854775808"}),
            json!({"request_id": "r", "status": "FAIL", "error_code": 9_223_372_036_854_775_808_u64}),
            json!({"request_id": "r", "status": "FAIL", "error_message": 1}),
        ] {
            assert!(from_value::<AsyncInvocation>(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn invocations_are_written_with_every_field() {
        let inv = AsyncInvocation {
            request_id: "r1".into(),
            status: AsyncStatus::Fail,
            error_message: "boom".into(),
            error_code: 4002,
            start_time: "2024-01-02T03:04:05".into(),
            end_time: String::new(),
        };
        assert_eq!(
            serde_json::to_string(&inv).unwrap(),
            r#"{"request_id":"r1","status":"FAIL","error_message":"boom","error_code":4002,"start_time":"2024-01-02T03:04:05","end_time":""}"#
        );
    }

    #[test]
    fn invoke_bodies_default_log_status_and_request_id() {
        for body in [
            json!({"result": "42"}),
            json!({"result": "42", "request_id": null, "log": null, "status": null}),
        ] {
            let b: InvokeResponseBody = from_value(body).unwrap();
            assert_eq!(
                b,
                InvokeResponseBody {
                    request_id: String::new(),
                    result: "42".into(),
                    log: String::new(),
                    status: 200,
                }
            );
        }
        let b: InvokeResponseBody =
            from_value(json!({"request_id": "r", "result": "x", "log": "l", "status": 500.0}))
                .unwrap();
        assert_eq!((b.status, b.log.as_str()), (500, "l"));
        for bad in [
            json!({}),
            json!({"result": null}),
            json!({"result": 42}),
            json!({"result": "x", "status": "200"}),
        ] {
            assert!(
                from_value::<InvokeResponseBody>(bad.clone()).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            serde_json::to_string(&InvokeResponseBody {
                request_id: "r".into(),
                result: "{}".into(),
                log: String::new(),
                status: 200,
            })
            .unwrap(),
            r#"{"request_id":"r","result":"{}","log":"","status":200}"#
        );
    }

    #[test]
    fn error_bodies_default_the_message() {
        for body in [
            json!({"error_code": "FSS.0404"}),
            json!({"error_code": "FSS.0404", "error_msg": null}),
        ] {
            let e: ErrorBody = from_value(body).unwrap();
            assert_eq!(e.error_code, "FSS.0404");
            assert_eq!(e.error_msg, "");
            assert_eq!(e.request_id, None);
        }
        assert!(from_value::<ErrorBody>(json!({"error_msg": "m"})).is_err());
        assert_eq!(
            serde_json::to_string(&crate::FssError::NOT_FOUND.body()).unwrap(),
            r#"{"error_code":"FSS.0404","error_msg":"The specified resource was not found."}"#
        );
    }
}
