//! The service's error body and the error codes the invocation APIs answer with.

use serde::{Deserialize, Serialize};

/// The JSON body of every 4xx/5xx answer: `{"error_code": "FSS.0404", "error_msg": "..."}`.
///
/// Read leniently: `error_msg` may be absent or `null` (read as `""`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Machine-readable code, e.g. `FSS.1051` or `APIGW.0301`.
    pub error_code: String,
    /// Human-readable message.
    #[serde(default, deserialize_with = "crate::lenient::string_or_null")]
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
    /// Missing or unusable credentials.
    UNAUTHORIZED = (401, "FSS.0401", "Unauthorized access.");
    /// Valid identity, operation not allowed (wrong project, bad token).
    FORBIDDEN = (403, "FSS.0403", "Forbidden");
    /// No such resource (route).
    NOT_FOUND = (404, "FSS.0404", "The specified resource was not found.");
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
    /// The function does not exist.
    FUNCTION_NOT_FOUND = (404, "FSS.1051", "The function does not exist.");
    /// The version does not exist.
    VERSION_NOT_FOUND = (404, "FSS.1052", "The version does not exist.");
    /// The alias does not exist.
    ALIAS_NOT_FOUND = (404, "FSS.1053", "The alias does not exist.");
    /// The request body exceeds the limit for the operation.
    BODY_TOO_LARGE = (413, "FSS.1201", "The request body is too large.");
    /// The function URN is malformed.
    INVALID_URN = (400, "FSS.1309", "Invalid function URN.");
    /// The API gateway refused the AK/SK signature or its date.
    SIGNATURE_REFUSED = (401, "APIGW.0301", "Incorrect IAM authentication information");
}

impl FssError {
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
