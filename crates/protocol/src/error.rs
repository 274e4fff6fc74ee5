//! The service's error body and the error codes the invocation APIs answer with, as
//! the API pages and the API gateway in front of the service give them (docs/service.md).

use serde::{Deserialize, Serialize};

use crate::paths::Operation;

/// The JSON body of every 4xx/5xx answer: `{"error_code": "FSS.0404", "error_msg": "..."}`.
///
/// Read leniently: `error_msg` may be absent or `null` (read as `""`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Machine-readable code, e.g. `FSS.0404` or `APIGW.0301`.
    pub error_code: String,
    /// Human-readable message.
    #[serde(default, deserialize_with = "crate::lenient::serde_optional_text")]
    pub error_msg: String,
    /// Set by the API gateway on its own errors (authentication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One of the service's error codes with the HTTP status it travels with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FssError {
    /// HTTP status.
    pub status: u16,
    /// Error code.
    pub code: &'static str,
    /// The service's own wording for the code.
    pub message: &'static str,
}

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = ($status:expr, $code:expr, $msg:expr);)*) => {
        impl FssError {
            $($(#[$doc])* pub const $name: FssError = FssError { status: $status, code: $code, message: $msg };)*
        }
    };
}

codes! {
    /// Invalid request parameters.
    INVALID_PARAMETER = (400, "FSS.0400", "Invalid parameter.");
    /// An async invocation's request id that is malformed or unknown to the function
    /// (cancel; "Stopping an Asynchronous Invocation Request").
    INVALID_REQUEST_ID = (400, "FSS.0400", "Invalid RequestId");
    /// Valid identity, operation not allowed (credentials for another project).
    FORBIDDEN = (403, "FSS.0403", "Forbidden");
    /// No such resource (route).
    NOT_FOUND = (404, "FSS.0404", "The specified resource was not found.");
    /// No such function. The message depends on the operation: see
    /// [`FssError::function_not_found`].
    FUNCTION_NOT_FOUND = (404, "FSS.0404", "can not find function");
    /// Method not allowed on the resource.
    METHOD_NOT_ALLOWED = (405, "FSS.0405", "Method not allowed.");
    /// The body is not JSON.
    NOT_ACCEPTABLE = (406, "FSS.0406", "Not acceptable.");
    /// The request timed out.
    REQUEST_TIMEOUT = (408, "FSS.0408", "Request timeout.");
    /// Too many concurrent requests for the function.
    TOO_MANY_REQUESTS = (429, "FSS.0429", "Too many requests.");
    /// The function is disabled.
    FUNCTION_DISABLED = (429, "FSS.0429", "Function Disabled");
    /// Internal error; details are logged, not returned.
    INTERNAL = (500, "FSS.0500", "Internal server error.");
    /// Temporarily unavailable (shutting down, store unavailable).
    UNAVAILABLE = (503, "FSS.0503", "Service unavailable.");
    /// Invalid query parameter.
    INVALID_QUERY = (400, "FSS.1001", "Invalid query parameter.");
    /// The version does not exist.
    VERSION_NOT_FOUND = (404, "FSS.1052", "The version does not exist.");
    /// The alias does not exist.
    ALIAS_NOT_FOUND = (404, "FSS.1053", "The alias does not exist.");
    /// The request body exceeds the limit for the operation.
    BODY_TOO_LARGE = (413, "FSS.1201", "The request body is too large.");
    /// The function URN is malformed.
    INVALID_URN = (400, "FSS.1309", "Invalid function URN.");
    /// The API gateway refused the credentials: no token, a token it cannot decrypt, or
    /// an AK/SK signature that does not verify (unknown key, wrong signature, date more
    /// than 15 minutes off). The gateway puts its `request_id` in the body.
    GATEWAY_AUTH = (401, "APIGW.0301", "Incorrect IAM authentication information");
}

/// `error_msg` detail of the gateway's answer to a request with no credentials.
pub const GATEWAY_NO_TOKEN: &str = "x-auth-token not found";
/// `error_msg` detail of the gateway's answer to a token it cannot read.
pub const GATEWAY_BAD_TOKEN: &str = "decrypt token fail";

/// `error_code` of an async invocation stopped by a cancel request.
pub const CANCELLED_CODE: i64 = 4208;
/// `error_message` of an async invocation stopped by a cancel request.
pub const CANCELLED_MESSAGE: &str = "function invocation canceled";

impl FssError {
    /// Whether the API gateway in front of the service answers this (not the service
    /// itself): its bodies also carry the `request_id`.
    pub fn is_gateway(&self) -> bool {
        self.code.starts_with("APIGW.")
    }

    /// The gateway's refusal with its detail, e.g. [`GATEWAY_NO_TOKEN`]:
    /// `Incorrect IAM authentication information: x-auth-token not found`.
    pub fn gateway_message(detail: &str) -> String {
        format!("{}: {detail}", FssError::GATEWAY_AUTH.message)
    }

    /// The message of [`FssError::FUNCTION_NOT_FOUND`] as each operation words it: the
    /// invoke pages give `function 'test' not exist` (seed `003_…`), the listing
    /// `can not find function` (seed `004_…`), and so does the cancel page. (Only an
    /// older sync page, from before `X-CFF-Request-Version`, shows `FSS.1051` "Not found
    /// the function"; the current pages answer `FSS.0404`.)
    pub fn function_not_found(op: Operation, name: &str) -> String {
        match op {
            Operation::Invoke | Operation::InvokeAsync => format!("function '{name}' not exist"),
            Operation::ListAsyncInvocations
            | Operation::ListActiveAsyncInvocations
            | Operation::CancelAsyncInvocation => FssError::FUNCTION_NOT_FOUND.message.to_owned(),
        }
    }

    /// The error body with the service's own message.
    pub fn body(&self) -> ErrorBody {
        self.body_with(self.message)
    }

    /// The error body with a more specific message.
    pub fn body_with(&self, msg: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error_code: self.code.to_owned(),
            error_msg: msg.into(),
            request_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_functions_are_worded_per_operation_as_the_pages_show() {
        assert_eq!(
            FssError::function_not_found(Operation::InvokeAsync, "test"),
            "function 'test' not exist"
        );
        assert_eq!(
            FssError::function_not_found(Operation::Invoke, "test"),
            "function 'test' not exist"
        );
        for op in [
            Operation::ListAsyncInvocations,
            Operation::ListActiveAsyncInvocations,
            Operation::CancelAsyncInvocation,
        ] {
            assert_eq!(
                FssError::function_not_found(op, "x"),
                "can not find function"
            );
        }
        assert_eq!(FssError::FUNCTION_NOT_FOUND.code, "FSS.0404");
    }

    #[test]
    fn gateway_refusals_are_told_apart_from_the_service_s() {
        assert!(FssError::GATEWAY_AUTH.is_gateway());
        assert!(!FssError::FORBIDDEN.is_gateway());
        assert_eq!(
            FssError::gateway_message(GATEWAY_NO_TOKEN),
            "Incorrect IAM authentication information: x-auth-token not found"
        );
    }
}
