//! Rust values into JavaScript ones: errors into the package's error classes (defined
//! in `js/errors.js`), results into plain objects with the documented camelCase fields
//! (one serializer for all), and attempts into what the hooks are given.

use std::rc::Rc;

use functiongraph_protocol::time::parse_query_time;
use functiongraph_protocol::{AsyncInvocation, InvokeSummary};
use js_sys::{Function, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::answers::{FunctionError, InvokeOutput, Page};
use crate::error::Error;
use crate::hooks::{Attempt, Failure, Hook};

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(kind: &str, message: &str, fields: &JsValue, cause: &JsValue) -> JsValue;
}

#[wasm_bindgen(module = "/js/results.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeInvokeResult)]
    fn make_invoke_result(fields: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = asyncIterable)]
    pub(crate) fn async_iterable(pager: JsValue) -> JsValue;
}

/// Results as plain objects: `None` as `null`, maps as objects.
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).unwrap_or(JsValue::NULL)
}

/// An object with these fields.
fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let out = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&out, &JsValue::from_str(key), value);
    }
    out.into()
}

fn opt_string(value: &Option<String>) -> JsValue {
    value.as_deref().map_or(JsValue::NULL, JsValue::from_str)
}

impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        let message = error.to_string();
        let (kind, fields, cause) = match error {
            Error::Aborted(reason) => return reason,
            Error::Validation { field, cause, .. } => {
                ("ValidationError", object(&[("field", field.into())]), cause)
            }
            Error::Service {
                status,
                error_code,
                error_msg,
                request_id,
                attempts,
            } => (
                "ServiceError",
                object(&[
                    ("status", status.into()),
                    ("attempts", attempts.into()),
                    ("errorCode", error_code.into()),
                    ("errorMsg", error_msg.into()),
                    ("requestId", opt_string(&request_id)),
                ]),
                None,
            ),
            Error::Network {
                attempts, cause, ..
            } => (
                "NetworkError",
                object(&[("attempts", attempts.into())]),
                cause,
            ),
            Error::Timeout {
                timeout_ms,
                elapsed_ms,
            } => (
                "TimeoutError",
                object(&[
                    ("timeoutMs", timeout_ms.into()),
                    ("elapsedMs", elapsed_ms.into()),
                ]),
                None,
            ),
            Error::Response {
                status,
                request_id,
                body,
                attempts,
                ..
            } => {
                let mut fields = vec![
                    ("status", JsValue::from(status)),
                    ("requestId", opt_string(&request_id)),
                    ("body", body.into()),
                ];
                if let Some(n) = attempts {
                    fields.push(("attempts", n.into()));
                }
                ("ResponseError", object(&fields), None)
            }
        };
        make_error(
            kind,
            &message,
            &fields,
            &cause.unwrap_or(JsValue::UNDEFINED),
        )
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SummaryJs {
    duration_ms: f64,
    billing_duration_ms: u64,
    memory_size_mb: u32,
    memory_used_mb: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FunctionErrorJs<'a> {
    code: i64,
    #[serde(rename = "type")]
    kind: &'a str,
    message: &'a str,
    stack_trace: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InvokeResultJs<'a> {
    request_id: &'a str,
    status: i64,
    result: &'a str,
    log: &'a str,
    summary: Option<SummaryJs>,
    function_error: Option<FunctionErrorJs<'a>>,
}

/// What `invoke` resolves with: an `InvokeResult`.
pub(crate) fn invoke_result(out: &InvokeOutput) -> JsValue {
    let summary = out.summary.as_ref().map(|s: &InvokeSummary| SummaryJs {
        duration_ms: s.duration,
        billing_duration_ms: s.billing_duration,
        memory_size_mb: s.memory_size,
        memory_used_mb: s.memory_used,
    });
    let function_error = out
        .function_error
        .as_ref()
        .map(|e: &FunctionError| FunctionErrorJs {
            code: e.code,
            kind: &e.kind,
            message: &e.message,
            stack_trace: &e.stack_trace,
        });
    make_invoke_result(&to_js(&InvokeResultJs {
        request_id: &out.request_id,
        status: out.status,
        result: &out.result,
        log: &out.log,
        summary,
        function_error,
    }))
}

/// A listing time as a `Date`, or null when it is not one.
fn date(text: &str) -> JsValue {
    parse_query_time(text).map_or(JsValue::NULL, |secs| {
        js_sys::Date::new(&JsValue::from_f64(secs as f64 * 1000.0)).into()
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InvocationJs<'a> {
    request_id: &'a str,
    status: &'a str,
    error_code: i64,
    error_message: &'a str,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    start_time: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    end_time: JsValue,
}

/// One record of a listing.
pub(crate) fn invocation(record: &AsyncInvocation) -> JsValue {
    to_js(&invocation_fields(record))
}

fn invocation_fields(record: &AsyncInvocation) -> InvocationJs<'_> {
    InvocationJs {
        request_id: &record.request_id,
        status: record.status.as_str(),
        error_code: record.error_code,
        error_message: &record.error_message,
        start_time: date(&record.start_time),
        end_time: date(&record.end_time),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageJs<'a> {
    invocations: Vec<InvocationJs<'a>>,
    count: u64,
    next_marker: Option<String>,
}

/// A listing's page.
pub(crate) fn page(page: &Page) -> JsValue {
    to_js(&PageJs {
        invocations: page.invocations.iter().map(invocation_fields).collect(),
        count: page.count,
        next_marker: page.next_marker.map(|m| m.to_string()),
    })
}

/// What a hook is given of an attempt (secrets already redacted).
fn attempt_info(attempt: &Attempt) -> JsValue {
    let headers = Object::new();
    for (name, value) in &attempt.headers {
        let _ = Reflect::set(
            &headers,
            &JsValue::from_str(name),
            &JsValue::from_str(value),
        );
    }
    let mut fields = vec![
        ("method", JsValue::from_str(attempt.method)),
        ("url", JsValue::from_str(&attempt.url)),
        ("attempt", attempt.attempt.into()),
        ("headers", headers.into()),
    ];
    if let Some(outcome) = &attempt.outcome {
        fields.push(("durationMs", outcome.duration_ms.into()));
        match &outcome.result {
            Ok((status, request_id)) => {
                fields.push(("status", (*status).into()));
                fields.push(("requestId", opt_string(request_id)));
            }
            Err(Failure::Aborted) => fields.push(("error", "aborted".into())),
            Err(Failure::Network(cause)) => fields.push(("error", cause.clone())),
        }
    }
    object(&fields)
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = debug, catch)]
    fn console_debug(label: &str, info: &JsValue) -> Result<(), JsValue>;
}

/// A hook that logs with `console.debug` (with `debug`) and calls `function`; what
/// either throws is ignored: a hook must not fail the call it observes.
pub(crate) fn attempt_hook(
    function: Option<Function>,
    debug: bool,
    kind: &'static str,
) -> Option<Hook> {
    if function.is_none() && !debug {
        return None;
    }
    Some(Rc::new(move |attempt: &Attempt| {
        let info = attempt_info(attempt);
        if debug {
            let _ = console_debug(&format!("[functiongraph-client] {kind}"), &info);
        }
        if let Some(f) = &function {
            let _ = f.call1(&JsValue::UNDEFINED, &info);
        }
    }))
}
