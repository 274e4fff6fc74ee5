//! Turning answers into results: the JS objects `invoke`, `invokeAsync` and
//! `listAsyncInvocations` resolve with, or the typed error for the status.

use functiongraph_protocol::headers as h;
use functiongraph_protocol::time::parse_query_time;
use functiongraph_protocol::AsyncStatus;
use js_sys::{Array, Object, JSON};
use wasm_bindgen::JsValue;

use crate::errors::ClientError;
use crate::fetch::Incoming;
use crate::js::{decode_base64_utf8, new_invoke_result};
use crate::jsobj::{get, num_field, set, str_field};

/// The first 1 KB of a body, for error messages and `ResponseError.body`.
fn snippet(text: &str) -> String {
    let mut end = text.len().min(1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// The error for an answer with status ≥ 400: the service's `{error_code, error_msg}`
/// when the body has them, otherwise the status and the start of the body.
pub fn service_error(inc: &Incoming) -> ClientError {
    let body = JSON::parse(&inc.text).unwrap_or(JsValue::UNDEFINED);
    let code = str_field(&body, "error_code");
    let message = str_field(&body, "error_msg");
    let request_id = inc
        .header(h::REQUEST_ID)
        .or_else(|| str_field(&body, "request_id"));
    match (code, message) {
        (Some(code), message) => ClientError::Service {
            status: inc.status,
            code,
            message: message.unwrap_or_default(),
            request_id,
            attempts: inc.attempts,
        },
        (None, _) => ClientError::Service {
            status: inc.status,
            code: String::new(),
            message: {
                let text = snippet(inc.text.trim());
                if text.is_empty() {
                    "(empty body)".to_owned()
                } else {
                    text
                }
            },
            request_id,
            attempts: inc.attempts,
        },
    }
}

fn response_error(inc: &Incoming, message: &str) -> ClientError {
    ClientError::Response {
        message: format!(
            "unexpected answer from the service (HTTP {}): {message}",
            inc.status
        ),
        status: inc.status,
        request_id: inc.request_id(),
        body: snippet(&inc.text),
        attempts: inc.attempts,
    }
}

/// The body of a 2xx answer as a JSON object.
fn json_object(inc: &Incoming) -> Result<JsValue, ClientError> {
    let value = JSON::parse(&inc.text).map_err(|_| response_error(inc, "the body is not JSON"))?;
    if value.is_object() && !Array::is_array(&value) {
        Ok(value)
    } else {
        Err(response_error(inc, "the body is not a JSON object"))
    }
}

/// `X-Cff-Invoke-Summary` as `{durationMs, billingDurationMs, memorySizeMb, memoryUsedMb}`.
fn summary(inc: &Incoming) -> JsValue {
    let Some(raw) = inc.header(h::INVOKE_SUMMARY) else {
        return JsValue::NULL;
    };
    let Ok(parsed) = JSON::parse(&raw) else {
        return JsValue::NULL;
    };
    let out = Object::new();
    for (from, to) in [
        ("duration", "durationMs"),
        ("billingDuration", "billingDurationMs"),
        ("memorySize", "memorySizeMb"),
        ("memoryUsed", "memoryUsedMb"),
    ] {
        match num_field(&parsed, from) {
            Some(n) => set(&out, to, &JsValue::from(n)),
            None => return JsValue::NULL,
        }
    }
    out.into()
}

/// `{code, type, message, stackTrace}` from a failed function's result text.
fn function_error(code: f64, result: &str) -> JsValue {
    let parsed = JSON::parse(result).unwrap_or(JsValue::UNDEFINED);
    let out = Object::new();
    set(&out, "code", &JsValue::from(code));
    set(
        &out,
        "type",
        &JsValue::from_str(&str_field(&parsed, "errorType").unwrap_or_default()),
    );
    let message = str_field(&parsed, "errorMessage").unwrap_or_else(|| result.to_owned());
    set(&out, "message", &JsValue::from_str(&message));
    let stack = get(&parsed, "stackTrace");
    let lines: Array = if Array::is_array(&stack) {
        Array::from(&stack)
            .iter()
            .filter(|l| l.is_string())
            .collect()
    } else {
        Array::new()
    };
    set(&out, "stackTrace", &lines);
    out.into()
}

/// What `invoke` resolves with.
///
/// # Errors
/// [`ClientError::Service`] for an error status, [`ClientError::Response`] for a body
/// that is not the expected shape.
pub fn invoke_result(inc: Incoming, v0: bool) -> Result<JsValue, ClientError> {
    if inc.status >= 400 {
        return Err(service_error(&inc));
    }
    let is_func_err = inc
        .header(h::IS_FUNC_ERR)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let err_code = inc
        .header(h::FUNC_ERR_CODE)
        .and_then(|c| c.trim().parse::<i64>().ok())
        .filter(|c| *c != 0)
        .map(|c| c as f64);
    let (request_id, result, log, status) = if v0 {
        let log = inc
            .header(h::FUNCTION_LOG)
            .map(|b| decode_base64_utf8(&b))
            .unwrap_or_default();
        let status = if is_func_err {
            err_code.unwrap_or(500.0)
        } else {
            200.0
        };
        (inc.request_id(), inc.text.clone(), log, status)
    } else {
        let body = json_object(&inc)?;
        let result = get(&body, "result");
        let result = if let Some(s) = result.as_string() {
            s
        } else if result.is_undefined() {
            return Err(response_error(&inc, "the body has no 'result'"));
        } else {
            // Some gateways answer the result as JSON rather than JSON text.
            JSON::stringify(&result)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default()
        };
        let status = match get(&body, "status") {
            v if v.is_undefined() || v.is_null() => 200.0,
            v => v
                .as_f64()
                .ok_or_else(|| response_error(&inc, "'status' is not a number"))?,
        };
        let log = match get(&body, "log") {
            v if v.is_undefined() || v.is_null() => String::new(),
            v => v
                .as_string()
                .ok_or_else(|| response_error(&inc, "'log' is not a string"))?,
        };
        (
            str_field(&body, "request_id").or_else(|| inc.request_id()),
            result,
            log,
            status,
        )
    };
    let failed = is_func_err || status != 200.0;
    let fields = Object::new();
    set(
        &fields,
        "requestId",
        &JsValue::from_str(&request_id.unwrap_or_default()),
    );
    set(&fields, "status", &JsValue::from(status));
    set(
        &fields,
        "functionError",
        &if failed {
            function_error(err_code.unwrap_or(status), &result)
        } else {
            JsValue::NULL
        },
    );
    set(&fields, "result", &JsValue::from_str(&result));
    set(&fields, "log", &JsValue::from_str(&log));
    set(&fields, "summary", &summary(&inc));
    Ok(new_invoke_result(&fields.into()))
}

/// What `invokeAsync` resolves with: `{requestId}`.
///
/// # Errors
/// As [`invoke_result`].
pub fn async_result(inc: Incoming) -> Result<JsValue, ClientError> {
    if inc.status >= 400 {
        return Err(service_error(&inc));
    }
    let body = json_object(&inc)?;
    let id = str_field(&body, "request_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| response_error(&inc, "the body has no 'request_id'"))?;
    let out = Object::new();
    set(&out, "requestId", &JsValue::from_str(&id));
    Ok(out.into())
}

fn date_or_null(v: &JsValue) -> JsValue {
    match v.as_string().as_deref().and_then(parse_query_time) {
        Some(secs) => js_sys::Date::new(&JsValue::from((secs * 1000) as f64)).into(),
        None => JsValue::NULL,
    }
}

/// One record of a listing.
fn invocation(inc: &Incoming, rec: &JsValue) -> Result<JsValue, ClientError> {
    let request_id = str_field(rec, "request_id")
        .ok_or_else(|| response_error(inc, "a record has no 'request_id'"))?;
    let status = str_field(rec, "status")
        .and_then(|s| AsyncStatus::parse(&s))
        .ok_or_else(|| response_error(inc, "a record has an unknown 'status'"))?;
    // error_code is an integer on the wire; tolerate it as a numeric string.
    let code = get(rec, "error_code");
    let code = code
        .as_f64()
        .or_else(|| {
            code.as_string()
                .and_then(|s| s.parse::<i64>().ok())
                .map(|n| n as f64)
        })
        .unwrap_or(0.0);
    let out = Object::new();
    set(&out, "requestId", &JsValue::from_str(&request_id));
    set(&out, "status", &JsValue::from_str(status.as_str()));
    set(&out, "errorCode", &JsValue::from(code));
    set(
        &out,
        "errorMessage",
        &JsValue::from_str(&str_field(rec, "error_message").unwrap_or_default()),
    );
    set(&out, "startTime", &date_or_null(&get(rec, "start_time")));
    set(&out, "endTime", &date_or_null(&get(rec, "end_time")));
    Ok(out.into())
}

/// What `listAsyncInvocations` resolves with: `{invocations, count, nextMarker}`.
///
/// # Errors
/// As [`invoke_result`].
pub fn list_page(inc: Incoming) -> Result<JsValue, ClientError> {
    if inc.status >= 400 {
        return Err(service_error(&inc));
    }
    let body = json_object(&inc)?;
    let records = get(&body, "invocations");
    let records = if records.is_undefined() || records.is_null() {
        Array::new()
    } else if Array::is_array(&records) {
        Array::from(&records)
    } else {
        return Err(response_error(&inc, "'invocations' is not an array"));
    };
    let invocations = Array::new();
    for rec in records.iter() {
        invocations.push(&invocation(&inc, &rec)?);
    }
    let count = match get(&body, "count") {
        v if v.is_undefined() || v.is_null() => f64::from(invocations.length()),
        v => v
            .as_f64()
            .ok_or_else(|| response_error(&inc, "'count' is not a number"))?,
    };
    let marker = get(&body, "next_marker");
    // Integer formatting only: float formatting would add ~20 KB to the wasm.
    let next_marker = if let Some(n) = marker.as_f64().filter(|n| n.fract() == 0.0 && *n >= 0.0) {
        JsValue::from_str(&(n as u64).to_string())
    } else if let Some(s) = marker.as_string().filter(|s| !s.is_empty()) {
        JsValue::from_str(&s)
    } else {
        JsValue::NULL
    };
    let out = Object::new();
    set(&out, "invocations", &invocations);
    set(&out, "count", &JsValue::from(count));
    set(&out, "nextMarker", &next_marker);
    Ok(out.into())
}
