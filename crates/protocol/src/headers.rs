//! Header names used by the invocation APIs (lower-case, as HTTP/2 and `http` want them).

/// IAM token authentication.
pub const AUTH_TOKEN: &str = "x-auth-token";
/// `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
pub const AUTHORIZATION: &str = "authorization";
/// The signer's timestamp, `YYYYMMDDTHHMMSSZ`.
pub const SDK_DATE: &str = "x-sdk-date";
/// Replaces the body hash for bodies the signer does not hash.
pub const SDK_CONTENT_SHA256: &str = "x-sdk-content-sha256";
/// Project the request is scoped to.
pub const PROJECT_ID: &str = "x-project-id";
/// Session token of temporary AK/SK credentials.
pub const SECURITY_TOKEN: &str = "x-security-token";
/// `tail` asks for the end of the function's log.
pub const LOG_TYPE: &str = "x-cff-log-type";
/// `v0` (raw result body) or `v1` (JSON wrapper).
pub const REQUEST_VERSION: &str = "x-cff-request-version";
/// Memory the caller asks the instance to have, in MB.
pub const INSTANCE_MEMORY: &str = "x-cff-instance-memory";
/// Request id of a sync invocation.
pub const CFF_REQUEST_ID: &str = "x-cff-request-id";
/// JSON summary: duration, billing duration, memory size and memory used.
pub const INVOKE_SUMMARY: &str = "x-cff-invoke-summary";
/// Base64 of the last 2,000 bytes of the log, with `X-Cff-Log-Type: tail`.
pub const FUNCTION_LOG: &str = "x-cff-function-log";
/// Billed duration in ms.
pub const BILLING_DURATION: &str = "x-cff-billing-duration";
/// The body format that was answered: `v0` or `v1`.
pub const RESPONSE_VERSION: &str = "x-cff-response-version";
/// `0` on success, otherwise the function error's code.
pub const FUNC_ERR_CODE: &str = "x-func-err-code";
/// `true` when the error came from the user's code.
pub const IS_FUNC_ERR: &str = "x-is-func-err";
/// The gateway's id of every request.
pub const REQUEST_ID: &str = "x-request-id";
/// Seconds a throttled caller should wait.
pub const RETRY_AFTER: &str = "retry-after";
