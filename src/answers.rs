//! Answers into results. The body is parsed with the platform's `JSON.parse` and stays a
//! JavaScript value: Rust reads only the fields it decides on (ids, statuses, markers,
//! error codes), through the protocol crate's rules for fields sent in more than one
//! form ([`functiongraph_protocol::lenient`]); what the function returned and its log
//! reach the caller as the JS strings they are. Error statuses become the typed error.

use functiongraph_protocol::fields as f;
use functiongraph_protocol::headers as h;
use functiongraph_protocol::lenient::{self, Field, Refused};
use functiongraph_protocol::{AsyncInvocation, AsyncStatus, InvokeSummary};
use js_sys::{Array, JsString};
use wasm_bindgen::{JsCast, JsValue};

use crate::config::RequestVersion;
use crate::error::Error;
use crate::platform::{decode_base64_utf8, get, json_parse, json_stringify};
use crate::transport::Answer;

/// Most of a body kept in an error, in UTF-16 units (as JS counts).
const SNIPPET_UNITS: usize = 1024;

/// The first 1 KB of a body (in UTF-16 units, not splitting a character).
pub(crate) fn snippet(text: &str) -> String {
    let mut units = 0;
    let mut out = String::new();
    for c in text.chars() {
        units += c.len_utf16();
        if units > SNIPPET_UNITS {
            break;
        }
        out.push(c);
    }
    out
}

impl Answer {
    /// The start of `text`, something the server sent, with the call's secrets
    /// scrubbed: only that much is copied out of the JS string, with room for a secret
    /// that straddles the cut.
    fn server_snippet(&self, text: &JsString) -> String {
        let margin = self.secrets.iter().map(String::len).max().unwrap_or(0);
        let head: String = text.slice(0, (SNIPPET_UNITS + margin) as u32).into();
        snippet(&self.scrub(&head))
    }

    /// The start of the body, for an error.
    fn body_snippet(&self) -> String {
        self.server_snippet(&self.text)
    }
}

/// `text` parsed as JSON, if it is.
fn parse(text: &JsString) -> Option<JsValue> {
    json_parse(text).ok()
}

/// A field of a parsed object as the protocol's rules see it; `scratch` holds its text.
fn field<'a>(object: &JsValue, key: &str, scratch: &'a mut String) -> Field<'a> {
    let value = get(object, key);
    if value.is_undefined() {
        Field::Absent
    } else if value.is_null() {
        Field::Null
    } else if let Some(n) = value.as_f64() {
        Field::Float(n)
    } else if let Some(text) = value.as_string() {
        *scratch = text;
        Field::Text(scratch)
    } else {
        Field::Other
    }
}

/// A field read by a protocol rule; the refusal names it.
fn rule<T>(
    object: &JsValue,
    key: &'static str,
    read: impl FnOnce(Field<'_>) -> Result<T, Refused>,
) -> Result<T, (&'static str, Refused)> {
    let mut scratch = String::new();
    read(field(object, key, &mut scratch)).map_err(|why| (key, why))
}

/// A text field kept as the JS string it is; absent or `null` is `""` (the protocol's
/// `optional_text` rule, applied without copying the text).
fn js_text(object: &JsValue, key: &'static str) -> Result<JsString, (&'static str, Refused)> {
    let value = get(object, key);
    if value.is_string() {
        return Ok(value.unchecked_into());
    }
    rule(object, key, |f| {
        lenient::optional_text(f).map(JsString::from)
    })
}

/// A required string field.
fn required_text(object: &JsValue, key: &'static str) -> Result<String, (&'static str, Refused)> {
    get(object, key)
        .as_string()
        .ok_or((key, Refused("a string")))
}

fn response_error(answer: &Answer, reason: String) -> Error {
    Error::Response {
        status: answer.status,
        reason,
        request_id: answer.request_id(),
        body: answer.body_snippet(),
        attempts: Some(answer.attempts),
    }
}

/// A field the rules refused, as the error for the answer.
fn refused(answer: &Answer, (key, why): (&'static str, Refused)) -> Error {
    response_error(answer, format!("the body's '{key}': {why}"))
}

/// The body of a 2xx answer as a JSON object.
fn json_object(answer: &Answer) -> Result<JsValue, Error> {
    let value = parse(&answer.text)
        .ok_or_else(|| response_error(answer, "the body is not JSON".to_owned()))?;
    if !value.is_object() || Array::is_array(&value) {
        return Err(response_error(
            answer,
            "the body is not a JSON object".to_owned(),
        ));
    }
    Ok(value)
}

/// The error for an answer with status ≥ 400: the service's `{error_code, error_msg}`
/// when the body has them, otherwise the status and the start of the body. What the
/// server said is scrubbed of the call's secrets; the client's own words are not touched.
pub(crate) fn service_error(answer: &Answer) -> Error {
    let body = parse(&answer.text).filter(|v| v.is_object() && !Array::is_array(v));
    let parsed = body.as_ref().and_then(|b| {
        let code = required_text(b, f::ERROR_CODE).ok()?;
        let msg = js_text(b, f::ERROR_MSG).ok()?;
        let request_id = get(b, f::REQUEST_ID).as_string();
        Some((code, msg, request_id))
    });
    let (error_code, error_msg, body_request_id) = match parsed {
        Some((code, msg, request_id)) => {
            (answer.scrub(&code), answer.server_snippet(&msg), request_id)
        }
        None => {
            let text = answer.body_snippet();
            let msg = match text.trim() {
                "" => "(empty body)".to_owned(),
                t => t.to_owned(),
            };
            (String::new(), msg, None)
        }
    };
    Error::Service {
        status: answer.status,
        error_code,
        error_msg,
        request_id: answer
            .header(h::REQUEST_ID)
            .or(body_request_id)
            .map(|id| answer.scrub(&id)),
        attempts: answer.attempts,
    }
}

/// How the function itself failed (the call succeeded).
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionError {
    /// The service's function error code, e.g. 4002 (the handler threw).
    pub code: i64,
    /// The error's class, e.g. `Error`; empty when the runtime did not say.
    pub kind: String,
    /// The error's message (the whole result when it is not the runtime's error JSON).
    pub message: JsString,
    /// Stack trace lines, when the runtime reports them.
    pub stack_trace: Vec<String>,
}

/// What a sync invocation answered. `result` and `log` are the JavaScript strings the
/// answer held: they are not copied into the wasm memory unless read.
#[derive(Debug, Clone, PartialEq)]
pub struct InvokeOutput {
    /// The invocation's request id.
    pub request_id: String,
    /// 200 on success, otherwise the function error code.
    pub status: i64,
    /// What the function returned, as text (`String::from(&out.result)` copies it).
    pub result: JsString,
    /// The log's tail with `LogType::Tail`, otherwise empty.
    pub log: JsString,
    /// `X-Cff-Invoke-Summary`, when sent.
    pub summary: Option<InvokeSummary>,
    /// Set when the function threw, timed out or crashed.
    pub function_error: Option<FunctionError>,
}

/// `{errorType, errorMessage, stackTrace}` of a failed function's result.
fn function_error(code: i64, result: &JsString) -> FunctionError {
    let parsed = parse(result).filter(JsValue::is_object);
    let text = |key: &str| {
        parsed
            .as_ref()
            .map(|p| get(p, key))
            .filter(JsValue::is_string)
    };
    let stack_trace = parsed
        .as_ref()
        .map(|p| get(p, f::function_error::STACK_TRACE))
        .filter(Array::is_array)
        .map(|v| {
            let mut lines = Vec::new();
            for line in v.unchecked_into::<Array>().iter() {
                lines.extend(line.as_string());
            }
            lines
        })
        .unwrap_or_default();
    FunctionError {
        code,
        kind: text(f::function_error::ERROR_TYPE)
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        message: text(f::function_error::ERROR_MESSAGE)
            .map_or_else(|| result.clone(), JsCast::unchecked_into),
        stack_trace,
    }
}

/// A whole number written as text (a header), if it is one.
fn integer(text: &str) -> Option<i64> {
    let t = text.trim();
    (t.len() <= 16).then(|| t.parse().ok()).flatten()
}

/// `X-Cff-Invoke-Summary`, when it is the service's JSON.
fn summary(raw: &str) -> Option<InvokeSummary> {
    let value = parse(&JsString::from(raw)).filter(JsValue::is_object)?;
    let number = |key: &str| get(&value, key).as_f64().filter(|n| n.is_finite());
    let whole = |key: &str| number(key).filter(|n| n.fract() == 0.0 && *n >= 0.0);
    Some(InvokeSummary {
        duration: number(f::summary::DURATION)?,
        billing_duration: whole(f::summary::BILLING_DURATION)? as u64,
        memory_size: whole(f::summary::MEMORY_SIZE).filter(|n| *n <= f64::from(u32::MAX))? as u32,
        memory_used: number(f::summary::MEMORY_USED)?,
    })
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
            let read = || -> Result<_, (&'static str, Refused)> {
                let raw = get(&value, f::RESULT);
                // Some gateways answer the result as JSON rather than JSON text.
                let result = if raw.is_string() {
                    raw.unchecked_into()
                } else if raw.is_undefined() {
                    return Err((f::RESULT, Refused("a string")));
                } else {
                    json_stringify(&raw)
                        .ok()
                        .filter(JsValue::is_string)
                        .ok_or((f::RESULT, Refused("a string")))?
                        .unchecked_into()
                };
                let request_id = rule(&value, f::REQUEST_ID, |f| {
                    lenient::optional_text(f).map(str::to_owned)
                })?;
                let log = js_text(&value, f::LOG)?;
                let status = rule(&value, f::STATUS, lenient::invoke_status)?;
                Ok((request_id, result, log, status))
            };
            let (request_id, result, log, status) = read().map_err(|e| refused(answer, e))?;
            let request_id = if request_id.is_empty() {
                answer.request_id().unwrap_or_default()
            } else {
                request_id
            };
            (request_id, result, log, i64::from(status))
        }
    };
    let failed = is_func_err || status != 200;
    Ok(InvokeOutput {
        function_error: failed.then(|| function_error(err_code.unwrap_or(status), &result)),
        request_id,
        status,
        result,
        log,
        summary: answer.header(h::INVOKE_SUMMARY).and_then(|s| summary(&s)),
    })
}

/// What `invoke_async` resolves with: the request id.
pub(crate) fn async_output(answer: &Answer) -> Result<String, Error> {
    if answer.status >= 400 {
        return Err(service_error(answer));
    }
    let value = json_object(answer)?;
    match get(&value, f::REQUEST_ID).as_string() {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err(response_error(
            answer,
            "the body has no 'request_id'".to_owned(),
        )),
    }
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

/// One record of a listing.
fn invocation(record: &JsValue) -> Result<AsyncInvocation, (&'static str, Refused)> {
    if !record.is_object() || Array::is_array(record) {
        return Err((f::INVOCATIONS, Refused("an array of objects")));
    }
    let status = required_text(record, f::STATUS)?;
    let text = |key| {
        rule(record, key, |f| {
            lenient::optional_text(f).map(str::to_owned)
        })
    };
    Ok(AsyncInvocation {
        request_id: required_text(record, f::REQUEST_ID)?,
        status: AsyncStatus::parse(&status).ok_or((
            f::STATUS,
            Refused("one of WAIT, RUNNING, SUCCESS, FAIL, DISCARD"),
        ))?,
        error_message: text(f::ERROR_MESSAGE)?,
        error_code: rule(record, f::ERROR_CODE, lenient::error_code)?,
        start_time: text(f::START_TIME)?,
        end_time: text(f::END_TIME)?,
    })
}

/// The marker of the page after one with `records` records that answered `next_marker`
/// to `sent`; `None` when it is the last (see [`page`]).
pub(crate) fn next_page(
    next_marker: Option<u64>,
    sent: Option<u64>,
    records: usize,
    limit: u32,
) -> Option<u64> {
    let full = records >= limit as usize;
    next_marker.filter(|&m| m != 0 && Some(m) != sent && full)
}

/// A listing's page. The last page is the one whose `next_marker` is absent or 0, equal
/// to the marker just sent, or that holds fewer records than `limit` (the real
/// service's way: see docs/service.md, "Listing pages").
pub(crate) fn page(answer: &Answer, sent_marker: Option<u64>, limit: u32) -> Result<Page, Error> {
    if answer.status >= 400 {
        return Err(service_error(answer));
    }
    let value = json_object(answer)?;
    let read = || -> Result<Page, (&'static str, Refused)> {
        let list = get(&value, f::INVOCATIONS);
        let mut invocations = Vec::new();
        if Array::is_array(&list) {
            // A loop, not `collect::<Result<Vec<_>, _>>()` (a copy of the adapters' code).
            for record in list.unchecked_into::<Array>().iter() {
                invocations.push(invocation(&record)?);
            }
        } else if !list.is_undefined() {
            return Err((f::INVOCATIONS, Refused("an array of objects")));
        }
        let count = rule(&value, f::COUNT, lenient::count)?;
        let next_marker = rule(&value, f::NEXT_MARKER, lenient::next_marker)?;
        Ok(Page {
            count: count.unwrap_or(invocations.len() as u64),
            next_marker: next_page(next_marker, sent_marker, invocations.len(), limit),
            invocations,
        })
    };
    read().map_err(|e| refused(answer, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real service's last-page rule (docs/service.md, "Listing pages").
    #[test]
    fn a_page_is_the_last_when_the_service_says_so_or_it_is_short() {
        assert_eq!(next_page(Some(100), Some(0), 100, 100), Some(100));
        assert_eq!(next_page(None, Some(0), 100, 100), None, "no marker");
        assert_eq!(next_page(Some(0), Some(100), 100, 100), None, "0 ends");
        assert_eq!(
            next_page(Some(100), Some(100), 100, 100),
            None,
            "the marker just sent"
        );
        assert_eq!(
            next_page(Some(200), Some(100), 99, 100),
            None,
            "a short page"
        );
        assert_eq!(next_page(Some(5), None, 5, 5), Some(5));
    }

    #[test]
    fn snippets_are_cut_in_utf16_units_without_splitting_a_character() {
        assert_eq!(snippet("short"), "short");
        let long = "é".repeat(2000);
        assert_eq!(snippet(&long).chars().count(), 1024);
        let emoji = "😀".repeat(600); // two UTF-16 units each
        assert_eq!(snippet(&emoji).chars().count(), 512);
    }
}
