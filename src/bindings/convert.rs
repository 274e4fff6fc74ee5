//! Rust values into JavaScript ones: errors into the package's error classes (defined
//! in `js/errors.js`), results into plain objects with the documented camelCase fields
//! (one serializer for all), and attempts into what the hooks are given.

use std::rc::Rc;

use functiongraph_protocol::time::parse_query_time;
use functiongraph_protocol::{AsyncInvocation, InvokeSummary};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::answers::{FunctionError, InvokeOutput, Page};
use crate::error::Error;
use crate::hooks::{Attempt, Failure, Hook};

// Each error class is bound by name: a kind spelt wrong is a missing import, which fails
// the module's instantiation (and so every test), not a silent fallback to the base class.
#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    type ServiceError;
    #[wasm_bindgen(constructor)]
    fn new(message: &str, fields: &JsValue, options: &JsValue) -> ServiceError;
    type NetworkError;
    #[wasm_bindgen(constructor)]
    fn new(message: &str, fields: &JsValue, options: &JsValue) -> NetworkError;
    type TimeoutError;
    #[wasm_bindgen(constructor)]
    fn new(message: &str, fields: &JsValue, options: &JsValue) -> TimeoutError;
    type ValidationError;
    #[wasm_bindgen(constructor)]
    fn new(message: &str, fields: &JsValue, options: &JsValue) -> ValidationError;
    type ResponseError;
    #[wasm_bindgen(constructor)]
    fn new(message: &str, fields: &JsValue, options: &JsValue) -> ResponseError;
}

/// `{ cause }` for an error's constructor, or undefined.
fn cause_option(cause: Option<JsValue>) -> JsValue {
    cause.map_or(JsValue::UNDEFINED, |cause| object(&[("cause", cause)]))
}

#[wasm_bindgen(module = "/js/results.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeInvokeResult)]
    fn make_invoke_result(fields: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = asyncIterable)]
    pub(crate) fn async_iterable(pager: JsValue) -> JsValue;
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
        match error {
            Error::Aborted(reason) => reason,
            Error::Validation { field, cause, .. } => ValidationError::new(
                &message,
                &object(&[("field", field.into())]),
                &cause_option(cause),
            )
            .into(),
            Error::Service {
                status,
                error_code,
                error_msg,
                request_id,
                attempts,
            } => ServiceError::new(
                &message,
                &object(&[
                    ("status", status.into()),
                    ("attempts", attempts.into()),
                    ("errorCode", error_code.into()),
                    ("errorMsg", error_msg.into()),
                    ("requestId", opt_string(&request_id)),
                ]),
                &JsValue::UNDEFINED,
            )
            .into(),
            Error::Network {
                attempts, cause, ..
            } => NetworkError::new(
                &message,
                &object(&[("attempts", attempts.into())]),
                &cause_option(cause),
            )
            .into(),
            Error::Timeout {
                timeout_ms,
                elapsed_ms,
            } => TimeoutError::new(
                &message,
                &object(&[
                    ("timeoutMs", timeout_ms.into()),
                    ("elapsedMs", elapsed_ms.into()),
                ]),
                &JsValue::UNDEFINED,
            )
            .into(),
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
                ResponseError::new(&message, &object(&fields), &JsValue::UNDEFINED).into()
            }
        }
    }
}

/// What `invoke` resolves with: an `InvokeResult`. `result` and `log` are the JS
/// strings of the answer, passed on untouched.
pub(crate) fn invoke_result(out: &InvokeOutput) -> JsValue {
    let summary = out
        .summary
        .as_ref()
        .map_or(JsValue::NULL, |s: &InvokeSummary| {
            object(&[
                ("durationMs", s.duration.into()),
                ("billingDurationMs", (s.billing_duration as f64).into()),
                ("memorySizeMb", s.memory_size.into()),
                ("memoryUsedMb", s.memory_used.into()),
            ])
        });
    let function_error = out
        .function_error
        .as_ref()
        .map_or(JsValue::NULL, |e: &FunctionError| {
            let trace = js_sys::Array::new();
            for line in &e.stack_trace {
                trace.push(&JsValue::from_str(line));
            }
            object(&[
                ("code", (e.code as f64).into()),
                ("type", JsValue::from_str(&e.kind)),
                ("message", e.message.clone().into()),
                ("stackTrace", trace.into()),
            ])
        });
    make_invoke_result(&object(&[
        ("requestId", JsValue::from_str(&out.request_id)),
        ("status", (out.status as f64).into()),
        ("result", out.result.clone().into()),
        ("log", out.log.clone().into()),
        ("summary", summary),
        ("functionError", function_error),
    ]))
}

/// A listing time as a `Date`, or null when it is not one.
fn date(text: &str) -> JsValue {
    parse_query_time(text).map_or(JsValue::NULL, |secs| {
        js_sys::Date::new(&JsValue::from_f64(secs as f64 * 1000.0)).into()
    })
}

/// One record of a listing.
pub(crate) fn invocation(record: &AsyncInvocation) -> JsValue {
    object(&[
        ("requestId", JsValue::from_str(&record.request_id)),
        ("status", JsValue::from_str(record.status.as_str())),
        ("errorCode", (record.error_code as f64).into()),
        ("errorMessage", JsValue::from_str(&record.error_message)),
        ("startTime", date(&record.start_time)),
        ("endTime", date(&record.end_time)),
    ])
}

/// A listing's page.
pub(crate) fn page(page: &Page) -> JsValue {
    let invocations = js_sys::Array::new();
    for record in &page.invocations {
        invocations.push(&invocation(record));
    }
    object(&[
        ("invocations", invocations.into()),
        ("count", (page.count as f64).into()),
        (
            "nextMarker",
            page.next_marker
                .map_or(JsValue::NULL, |m| JsValue::from_str(&m.to_string())),
        ),
    ])
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
