//! Answers into results: the service's JSON is parsed with the platform's `JSON.parse`
//! and read into the protocol crate's serde models with serde-wasm-bindgen (no JSON
//! parser in the wasm), or into the typed error for its status.

use functiongraph_protocol::headers as h;
use functiongraph_protocol::{
    AsyncInvocation, AsyncInvokeResponse, ErrorBody, InvokeResponseBody, InvokeSummary,
    ListAsyncInvocationsResponse,
};
use js_sys::{Reflect, JSON};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

use crate::config::RequestVersion;
use crate::error::Error;
use crate::platform::decode_base64_utf8;
use crate::transport::Answer;

/// Most of a body kept in an error.
const SNIPPET_CHARS: usize = 1024;

/// The first 1 KB of a body (in UTF-16 units, as JS counts, not splitting a character).
pub(crate) fn snippet(text: &str) -> String {
    let mut units = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        units += c.len_utf16();
        if units > SNIPPET_CHARS {
            break;
        }
        end = i + c.len_utf8();
    }
    text[..end].to_owned()
}

/// `text` parsed as JSON, if it is.
pub(crate) fn parse_json(text: &str) -> Option<JsValue> {
    JSON::parse(text).ok()
}

/// A JSON value read into a model; serde's words on failure.
fn read<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

fn response_error(answer: &Answer, reason: impl Into<String>) -> Error {
    // serde's words may quote a value of the answer, so the reason is scrubbed too.
    Error::Response {
        status: answer.status,
        reason: answer.scrub(&reason.into()),
        request_id: answer.request_id(),
        body: snippet(&answer.scrub(&answer.text)),
        attempts: Some(answer.attempts),
    }
}

/// The body of a 2xx answer as a JSON object.
fn json_object(answer: &Answer) -> Result<JsValue, Error> {
    let value =
        parse_json(&answer.text).ok_or_else(|| response_error(answer, "the body is not JSON"))?;
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(response_error(answer, "the body is not a JSON object"));
    }
    Ok(value)
}

/// A 2xx body read into a model.
fn body<T: DeserializeOwned>(answer: &Answer) -> Result<T, Error> {
    let value = json_object(answer)?;
    read(value).map_err(|why| response_error(answer, why))
}

/// The error for an answer with status ≥ 400: the service's `{error_code, error_msg}`
/// when the body has them, otherwise the status and the start of the body.
pub(crate) fn service_error(answer: &Answer) -> Error {
    let parsed: Option<ErrorBody> = parse_json(&answer.text)
        .filter(JsValue::is_object)
        .and_then(|v| read(v).ok());
    let (error_code, error_msg, body_request_id) = match parsed {
        Some(b) => (b.error_code, b.error_msg, b.request_id),
        None => {
            // Scrubbed before it is cut, so no part of a secret stays at the cut.
            let text = snippet(answer.scrub(&answer.text).trim());
            let msg = if text.is_empty() {
                "(empty body)".to_owned()
            } else {
                text
            };
            (String::new(), msg, None)
        }
    };
    Error::Service {
        status: answer.status,
        error_code: answer.scrub(&error_code),
        error_msg: answer.scrub(&error_msg),
        request_id: answer.header(h::REQUEST_ID).or(body_request_id),
        attempts: answer.attempts,
    }
}

/// How the function itself failed (the call succeeded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    /// The service's function error code, e.g. 4002 (the handler threw).
    pub code: i64,
    /// The error's class, e.g. `Error`; empty when the runtime did not say.
    pub kind: String,
    /// The error's message (the whole result when it is not the runtime's error JSON).
    pub message: String,
    /// Stack trace lines, when the runtime reports them.
    pub stack_trace: Vec<String>,
}

/// What a sync invocation answered.
#[derive(Debug, Clone, PartialEq)]
pub struct InvokeOutput {
    /// The invocation's request id.
    pub request_id: String,
    /// 200 on success, otherwise the function error code.
    pub status: i64,
    /// What the function returned, as text.
    pub result: String,
    /// The log's tail with `LogType::Tail`, otherwise empty.
    pub log: String,
    /// `X-Cff-Invoke-Summary`, when sent.
    pub summary: Option<InvokeSummary>,
    /// Set when the function threw, timed out or crashed.
    pub function_error: Option<FunctionError>,
}

/// A string field of a parsed JSON object (no getters: it came from `JSON.parse`).
fn string_field(object: &JsValue, key: &str) -> Option<String> {
    Reflect::get(object, &JsValue::from_str(key))
        .ok()?
        .as_string()
}

/// `{errorType, errorMessage, stackTrace}` of a failed function's result.
fn function_error(code: i64, result: &str) -> FunctionError {
    let parsed = parse_json(result).filter(JsValue::is_object);
    let field = |key: &str| parsed.as_ref().and_then(|p| string_field(p, key));
    let stack_trace = parsed
        .as_ref()
        .and_then(|p| Reflect::get(p, &JsValue::from_str("stackTrace")).ok())
        .filter(js_sys::Array::is_array)
        .map(|v| {
            v.unchecked_into::<js_sys::Array>()
                .iter()
                .filter_map(|line| line.as_string())
                .collect()
        })
        .unwrap_or_default();
    FunctionError {
        code,
        kind: field("errorType").unwrap_or_default(),
        message: field("errorMessage").unwrap_or_else(|| result.to_owned()),
        stack_trace,
    }
}

/// A whole number written as text (a header), if it is one.
fn integer(text: &str) -> Option<i64> {
    let t = text.trim();
    (t.len() <= 16).then(|| t.parse().ok()).flatten()
}

/// What `invoke` resolves with.
pub(crate) fn invoke_output(
    answer: &Answer,
    version: RequestVersion,
) -> Result<InvokeOutput, Error> {
    if answer.status >= 400 {
        return Err(service_error(answer));
    }
    let is_func_err = answer
        .header(h::IS_FUNC_ERR)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let err_code = answer
        .header(h::FUNC_ERR_CODE)
        .and_then(|v| integer(&v))
        .filter(|&c| c != 0);
    let (request_id, result, log, status) = match version {
        RequestVersion::V0 => {
            let log = answer
                .header(h::FUNCTION_LOG)
                .map(|v| decode_base64_utf8(&v))
                .unwrap_or_default();
            let status = if is_func_err {
                err_code.unwrap_or(500)
            } else {
                200
            };
            (
                answer.request_id().unwrap_or_default(),
                answer.text.clone(),
                log,
                status,
            )
        }
        RequestVersion::V1 => {
            let value = json_object(answer)?;
            // Some gateways answer the result as JSON rather than JSON text.
            let result_key = JsValue::from_str("result");
            if let Ok(result) = Reflect::get(&value, &result_key) {
                if !result.is_undefined() && !result.is_string() {
                    if let Ok(text) = JSON::stringify(&result) {
                        let _ = Reflect::set(&value, &result_key, &text);
                    }
                }
            }
            let b: InvokeResponseBody = read(value).map_err(|why| response_error(answer, why))?;
            let request_id = if b.request_id.is_empty() {
                answer.request_id().unwrap_or_default()
            } else {
                b.request_id
            };
            (request_id, b.result, b.log, i64::from(b.status))
        }
    };
    let failed = is_func_err || status != 200;
    let summary = answer
        .header(h::INVOKE_SUMMARY)
        .and_then(|raw| parse_json(&raw))
        .and_then(|v| read::<InvokeSummary>(v).ok());
    Ok(InvokeOutput {
        function_error: failed.then(|| function_error(err_code.unwrap_or(status), &result)),
        request_id,
        status,
        result,
        log,
        summary,
    })
}

/// What `invoke_async` resolves with.
pub(crate) fn async_output(answer: &Answer) -> Result<AsyncInvokeResponse, Error> {
    if answer.status >= 400 {
        return Err(service_error(answer));
    }
    let out: AsyncInvokeResponse = body(answer)?;
    if out.request_id.is_empty() {
        return Err(response_error(answer, "the body has no 'request_id'"));
    }
    Ok(out)
}

/// What a cancel resolves with: nothing.
pub(crate) fn cancel_output(answer: &Answer) -> Result<(), Error> {
    if answer.status >= 400 {
        return Err(service_error(answer));
    }
    Ok(())
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Newest first.
    pub invocations: Vec<AsyncInvocation>,
    /// How many match in all.
    pub count: u64,
    /// The offset of the next page; `None` on the last page.
    pub next_marker: Option<u64>,
}

/// A listing's page. The last page is the one whose `next_marker` is absent or 0, equal
/// to the marker just sent, or that holds fewer records than `limit` (the real service's
/// way: see API-NOTES "Listing pages").
pub(crate) fn page(answer: &Answer, sent_marker: Option<u64>, limit: u32) -> Result<Page, Error> {
    if answer.status >= 400 {
        return Err(service_error(answer));
    }
    let value = json_object(answer)?;
    let count_given = Reflect::has(&value, &JsValue::from_str("count")).unwrap_or(false);
    let listing: ListAsyncInvocationsResponse =
        read(value).map_err(|why| response_error(answer, why))?;
    let full = listing.invocations.len() >= limit as usize;
    let next_marker = listing
        .next_marker
        .filter(|&m| m != 0 && Some(m) != sent_marker && full);
    Ok(Page {
        count: if count_given {
            listing.count
        } else {
            listing.invocations.len() as u64
        },
        next_marker,
        invocations: listing.invocations,
    })
}
