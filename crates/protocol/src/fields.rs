//! The JSON field names of the answers, for readers that do not go through the serde models
//! (the wasm client reads the few fields it decides on straight from the JavaScript objects
//! `JSON.parse` makes). The tests below tie each name to what the model's `Serialize` writes,
//! so the names cannot drift from the models.

/// `request_id`: sync and async invoke answers, listing records, gateway error bodies.
pub const REQUEST_ID: &str = "request_id";
/// `result` of a `v1` sync invoke answer.
pub const RESULT: &str = "result";
/// `log` of a `v1` sync invoke answer.
pub const LOG: &str = "log";
/// `status`: of a `v1` sync invoke answer (a number), of a listing record (a word).
pub const STATUS: &str = "status";
/// `invocations` of a listing.
pub const INVOCATIONS: &str = "invocations";
/// `count` of a listing.
pub const COUNT: &str = "count";
/// `next_marker` of a listing.
pub const NEXT_MARKER: &str = "next_marker";
/// `error_code`: of an error body (`FSS.0404`), of a listing record (a number).
pub const ERROR_CODE: &str = "error_code";
/// `error_msg` of an error body.
pub const ERROR_MSG: &str = "error_msg";
/// `error_message` of a listing record.
pub const ERROR_MESSAGE: &str = "error_message";
/// `start_time` of a listing record.
pub const START_TIME: &str = "start_time";
/// `end_time` of a listing record.
pub const END_TIME: &str = "end_time";

/// The fields of `X-Cff-Invoke-Summary` ([`crate::InvokeSummary`]).
pub mod summary {
    /// Execution time, ms.
    pub const DURATION: &str = "duration";
    /// Billed time, ms.
    pub const BILLING_DURATION: &str = "billingDuration";
    /// Configured memory, MB.
    pub const MEMORY_SIZE: &str = "memorySize";
    /// Memory used, MB.
    pub const MEMORY_USED: &str = "memoryUsed";
}

/// The fields of a failed function's result, as the Node.js runtime writes it.
pub mod function_error {
    /// The error's class, e.g. `Error`.
    pub const ERROR_TYPE: &str = "errorType";
    /// The error's message.
    pub const ERROR_MESSAGE: &str = "errorMessage";
    /// Stack trace lines.
    pub const STACK_TRACE: &str = "stackTrace";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        AsyncInvocation, AsyncStatus, ErrorBody, InvokeResponseBody, InvokeSummary,
        ListAsyncInvocationsResponse,
    };

    fn keys<T: serde::Serialize>(value: &T) -> Vec<String> {
        let mut keys: Vec<String> = serde_json::to_value(value)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    fn names(list: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn the_names_are_what_the_models_write() {
        let body = InvokeResponseBody {
            request_id: "r".into(),
            result: "{}".into(),
            log: String::new(),
            status: 200,
        };
        assert_eq!(keys(&body), names(&[REQUEST_ID, RESULT, LOG, STATUS]));
        let record = AsyncInvocation {
            request_id: "r".into(),
            status: AsyncStatus::Wait,
            error_message: String::new(),
            error_code: 0,
            start_time: String::new(),
            end_time: String::new(),
        };
        assert_eq!(
            keys(&record),
            names(&[
                REQUEST_ID,
                STATUS,
                ERROR_MESSAGE,
                ERROR_CODE,
                START_TIME,
                END_TIME
            ])
        );
        let page = ListAsyncInvocationsResponse {
            invocations: vec![],
            count: 0,
            next_marker: Some(0),
        };
        assert_eq!(keys(&page), names(&[INVOCATIONS, COUNT, NEXT_MARKER]));
        let error = ErrorBody {
            error_code: "FSS.0404".into(),
            error_msg: String::new(),
            request_id: Some("r".into()),
        };
        assert_eq!(keys(&error), names(&[ERROR_CODE, ERROR_MSG, REQUEST_ID]));
        let summary = InvokeSummary {
            duration: 1.0,
            billing_duration: 1,
            memory_size: 128,
            memory_used: 1.0,
        };
        assert_eq!(
            keys(&summary),
            names(&[
                summary::DURATION,
                summary::BILLING_DURATION,
                summary::MEMORY_SIZE,
                summary::MEMORY_USED
            ])
        );
    }
}
