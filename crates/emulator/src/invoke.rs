//! What a sync invocation answers: the v0/v1 body, the log with its Start and Finish
//! lines, and the `X-Cff-*` headers, for success and for each way a function fails.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use functiongraph_protocol::headers::{
    BILLING_DURATION, CFF_REQUEST_ID, FUNCTION_LOG, FUNC_ERR_CODE, INVOKE_SUMMARY, IS_FUNC_ERR,
    RESPONSE_VERSION,
};
use functiongraph_protocol::limits::{LOG_HEADER_BYTES, LOG_TAIL_BYTES, SYNC_BODY_MAX};
use functiongraph_protocol::time::format_query_time;
use functiongraph_protocol::{InvokeResponseBody, InvokeSummary};
use serde_json::value::RawValue;

use crate::pool::{Execution, Outcome};
use crate::worker::{HandlerError, PROCESS_EXIT_ERROR};

/// Body status of a successful invocation.
pub const STATUS_OK: i32 = 200;
/// The Node.js runtime's code for an error passed to the callback (or a failed load).
pub const STATUS_ENTRY_ERROR: i32 = 4001;
/// The Node.js runtime's code for an error thrown (or a promise rejected) by the handler.
pub const STATUS_INVOCATION_ERROR: i32 = 4002;
/// The Node.js runtime's code for a result over 6 MB.
pub const STATUS_RESULT_TOO_LARGE: i32 = 4004;
/// The Node.js runtime's code for a result that is not valid JSON.
pub const STATUS_RESULT_INVALID: i32 = 4007;
/// The function's instance held more memory than its `memory_size`. The code and the
/// message are the service's: Huawei's FunctionGraph FAQ "How Do I Check the Memory
/// Usage When Seeing 'runtime memory limit exceeded'?" (functiongraph_03_0869) gives
/// the message, and the error codes Huawei published with openYuanrong, the engine it
/// open-sourced from FunctionGraph, define `MemoryLimitExceeded = 4205 // runtime memory
/// limit exceeded` beside the 4001/4002/4004/4007 codes used here.
pub const STATUS_MEMORY_EXCEEDED: i32 = 4205;
/// The message the service reports for [`STATUS_MEMORY_EXCEEDED`].
pub const MEMORY_EXCEEDED_MESSAGE: &str = "runtime memory limit exceeded";
/// The function ran past its timeout (no public code exists; the emulator's choice).
pub const STATUS_TIMEOUT: i32 = 408;
/// The function's instance died (no public code exists; the emulator's choice).
pub const STATUS_INSTANCE_FAILED: i32 = 502;

/// The code of an error the runtime reported, from the prefix the FunctionGraph
/// Node.js runtime puts on its messages (see `runtime/runtime.js`).
fn handler_error_status(e: &HandlerError) -> i32 {
    if e.error_type == PROCESS_EXIT_ERROR {
        STATUS_INSTANCE_FAILED
    } else if e.error_type == "ResultTooLargeError" {
        STATUS_RESULT_TOO_LARGE
    } else if e.error_message.starts_with("function result is invalid") {
        STATUS_RESULT_INVALID
    } else if e.error_message.starts_with("function entry exception") {
        STATUS_ENTRY_ERROR
    } else {
        STATUS_INVOCATION_ERROR
    }
}

/// `X-CFF-Request-Version`: which body format the caller wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// The function's result itself as the body.
    V0,
    /// The JSON wrapper `{request_id, result, log, status}` (the official SDKs' model;
    /// also the answer when the header is absent).
    V1,
}

/// How the caller asked for the answer.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    /// `X-Cff-Log-Type: tail`.
    pub log_tail: bool,
    /// Body format.
    pub format: BodyFormat,
    /// Memory reported in the summary, MB.
    pub memory_size: u32,
}

/// The result of an invocation as the service reports it: a status, the result text,
/// and for failures the error as JSON.
pub struct Report {
    /// 200, or the function error status.
    pub status: i32,
    /// The result text (JSON unless the function returned a string).
    pub result: String,
    /// For failures: `(errorType, errorMessage)`, for async error records.
    pub error: Option<(String, String)>,
}

fn error_report(status: i32, e: HandlerError) -> Report {
    let result = serde_json::to_string(&e).unwrap_or_default();
    Report {
        status,
        result,
        error: Some((e.error_type, e.error_message)),
    }
}

/// Turns an execution's outcome into what the service reports.
pub fn report(exec: &Execution, timeout_secs: u32) -> Report {
    match &exec.outcome {
        Outcome::Success(value) => {
            let text = result_text(value);
            if text.len() > SYNC_BODY_MAX {
                return error_report(
                    STATUS_RESULT_TOO_LARGE,
                    HandlerError {
                        error_message: format!(
                            "the function's result is larger than {SYNC_BODY_MAX} bytes"
                        ),
                        error_type: "ResultTooLargeError".into(),
                        stack_trace: vec![],
                    },
                );
            }
            Report {
                status: STATUS_OK,
                result: text,
                error: None,
            }
        }
        Outcome::HandlerError(e) => error_report(handler_error_status(e), e.clone()),
        Outcome::Timeout => error_report(
            STATUS_TIMEOUT,
            HandlerError {
                error_message: format!("invocation timed out after {timeout_secs}s"),
                error_type: "TimeoutError".into(),
                stack_trace: vec![],
            },
        ),
        Outcome::MemoryExceeded => error_report(
            STATUS_MEMORY_EXCEEDED,
            HandlerError {
                error_message: MEMORY_EXCEEDED_MESSAGE.into(),
                error_type: "MemoryLimitExceeded".into(),
                stack_trace: vec![],
            },
        ),
        Outcome::InstanceFailed(why) => error_report(
            STATUS_INSTANCE_FAILED,
            HandlerError {
                error_message: why.clone(),
                error_type: "RuntimeExitError".into(),
                stack_trace: vec![],
            },
        ),
    }
}

/// A string result is reported as the string itself, anything else as JSON text.
fn result_text(value: &RawValue) -> String {
    let raw = value.get();
    if raw.starts_with('"') {
        serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_owned())
    } else {
        raw.to_owned()
    }
}

/// The function's full log: the runtime's Start line, what the handler logged, and
/// the Finish line with duration, billing and memory.
pub fn log_text(
    request_id: &str,
    version: &str,
    exec: &Execution,
    memory_size: u32,
    started_secs: i64,
    report: &Report,
) -> String {
    let start = format!("{}Z", format_query_time(started_secs));
    let end = format!(
        "{}Z",
        format_query_time(started_secs + (exec.duration_ms / 1000.0) as i64)
    );
    let mut log = format!("{start} Start invoke request '{request_id}', version: {version}\n");
    log.push_str(&exec.log);
    if !log.ends_with('\n') {
        log.push('\n');
    }
    if let Some((kind, msg)) = &report.error {
        log.push_str(&format!("{end} {kind}: {msg}\n"));
    }
    log.push_str(&format!(
        "{end} Finish invoke request '{request_id}', duration: {:.3}ms, billing duration: {}ms, memory used: {:.3}MB, billing memory: {memory_size}MB",
        exec.duration_ms,
        billing_ms(exec.duration_ms),
        exec.memory_used_mb,
    ));
    log
}

fn billing_ms(duration_ms: f64) -> u64 {
    (duration_ms.ceil() as u64).max(1)
}

/// The last `max` bytes of `s`, cut at a character boundary.
pub fn tail(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut cut = s.len() - max;
    while !s.is_char_boundary(cut) {
        cut += 1;
    }
    &s[cut..]
}

/// The complete sync invoke answer.
pub fn sync_response(
    request_id: &str,
    report: &Report,
    log: &str,
    exec: &Execution,
    opts: SyncOptions,
) -> Response {
    let summary = InvokeSummary {
        duration: (exec.duration_ms * 1000.0).round() / 1000.0,
        billing_duration: billing_ms(exec.duration_ms),
        memory_size: opts.memory_size,
        memory_used: (exec.memory_used_mb * 1000.0).round() / 1000.0,
    };
    let mut headers = HeaderMap::new();
    let mut put = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    };
    put(CFF_REQUEST_ID, request_id.to_owned());
    put(
        INVOKE_SUMMARY,
        serde_json::to_string(&summary).unwrap_or_default(),
    );
    put(BILLING_DURATION, summary.billing_duration.to_string());
    put(
        FUNC_ERR_CODE,
        if report.error.is_some() {
            report.status.to_string()
        } else {
            "0".into()
        },
    );
    put(IS_FUNC_ERR, report.error.is_some().to_string());
    put(
        RESPONSE_VERSION,
        match opts.format {
            BodyFormat::V0 => "v0".into(),
            BodyFormat::V1 => "v1".into(),
        },
    );
    if opts.log_tail {
        put(
            FUNCTION_LOG,
            base64::engine::general_purpose::STANDARD.encode(tail(log, LOG_HEADER_BYTES)),
        );
    }
    let body = match opts.format {
        BodyFormat::V1 => {
            let wrapper = InvokeResponseBody {
                request_id: request_id.to_owned(),
                result: report.result.clone(),
                log: if opts.log_tail {
                    tail(log, LOG_TAIL_BYTES).to_owned()
                } else {
                    String::new()
                },
                status: report.status,
            };
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            serde_json::to_vec(&wrapper).unwrap_or_default()
        }
        BodyFormat::V0 => {
            let is_json = serde_json::from_str::<&RawValue>(&report.result).is_ok();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(if is_json {
                    "application/json"
                } else {
                    "text/plain; charset=utf-8"
                }),
            );
            report.result.clone().into_bytes()
        }
    };
    (StatusCode::OK, headers, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_cuts_at_character_boundaries() {
        assert_eq!(tail("abc", 10), "abc");
        assert_eq!(tail("abcdef", 3), "def");
        assert_eq!(tail("a你好", 4), "好");
    }

    #[test]
    fn string_results_are_reported_unquoted() {
        let v = RawValue::from_string("\"hi \\\"there\\\"\"".into()).unwrap();
        assert_eq!(result_text(&v), "hi \"there\"");
        let v = RawValue::from_string("{\"a\":1}".into()).unwrap();
        assert_eq!(result_text(&v), "{\"a\":1}");
    }

    #[test]
    fn runtime_errors_get_the_runtime_codes() {
        let e = |t: &str, m: &str| HandlerError {
            error_type: t.into(),
            error_message: m.into(),
            stack_trace: vec![],
        };
        assert_eq!(
            handler_error_status(&e("Error", "function entry exception, error: x")),
            4001
        );
        assert_eq!(
            handler_error_status(&e("Error", "function invocation exception, error: x")),
            4002
        );
        assert_eq!(
            handler_error_status(&e("ResultTooLargeError", "too big")),
            4004
        );
        assert_eq!(
            handler_error_status(&e("TypeError", "function result is invalid, error: x")),
            4007
        );
    }

    #[test]
    fn billing_rounds_up_to_whole_ms() {
        assert_eq!(billing_ms(65.828), 66);
        assert_eq!(billing_ms(0.2), 1);
    }
}
