//! JSON bodies of the invocation APIs, with the service's snake_case field names.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Sync invoke answer in the `v1` (JSON) format, and the official SDKs' response model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvokeResponseBody {
    /// Request id of the invocation.
    pub request_id: String,
    /// What the function returned, as text (JSON text unless it returned a string).
    pub result: String,
    /// The function's log, or the last 4 KB of it with `X-Cff-Log-Type: tail`.
    pub log: String,
    /// 200 when the function succeeded, otherwise the function error status.
    pub status: i32,
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
    /// Dropped: max event age reached before it could run (or cancelled).
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsyncInvocation {
    /// Request id returned by the async invoke.
    pub request_id: String,
    /// Current status.
    pub status: AsyncStatus,
    /// Error text; empty on success or while not finished.
    pub error_message: String,
    /// Error code; 0 on success or while not finished.
    pub error_code: i64,
    /// When it started (when accepted, while waiting), `YYYY-MM-DDTHH:mm:ss` UTC.
    pub start_time: String,
    /// When it ended, same format; empty while not finished.
    pub end_time: String,
}

/// Async invocations listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListAsyncInvocationsResponse {
    /// The page of records, newest first.
    pub invocations: Vec<AsyncInvocation>,
    /// How many records match the query in all.
    pub count: u64,
    /// Marker of the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<i64>,
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
