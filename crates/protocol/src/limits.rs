//! The service's documented limits.

/// Largest sync invocation request (and response) body: 6 MB.
pub const SYNC_BODY_MAX: usize = 6 * 1024 * 1024;
/// Largest async invocation request body: 256 KB.
pub const ASYNC_BODY_MAX: usize = 256 * 1024;
/// Bytes of log returned in the body's `log` field with `X-Cff-Log-Type: tail`.
pub const LOG_TAIL_BYTES: usize = 4 * 1024;
/// Bytes of log returned Base64-encoded in `X-Cff-Function-Log`.
pub const LOG_HEADER_BYTES: usize = 2000;
/// Largest `limit` of a listing.
pub const LIST_LIMIT_MAX: u32 = 500;
/// `limit` when none is given.
pub const LIST_LIMIT_DEFAULT: u32 = 100;
/// The listing window when `query_begin_time` is not given: the last hour.
pub const LIST_DEFAULT_WINDOW_SECS: i64 = 3600;
/// Longest `request_id` or `marker` query value.
pub const QUERY_VALUE_MAX: usize = 64;
/// How far `X-Sdk-Date` may be from the server's clock: 15 minutes.
pub const SDK_DATE_SKEW_SECS: i64 = 15 * 60;
/// Allowed async max event age, seconds.
pub const ASYNC_EVENT_AGE_RANGE: std::ops::RangeInclusive<u32> = 1..=86_400;
/// Default async max event age, seconds.
pub const ASYNC_EVENT_AGE_DEFAULT: u32 = 3600;
/// Allowed async retry attempts.
pub const ASYNC_RETRY_RANGE: std::ops::RangeInclusive<u32> = 0..=3;
/// Default async retry attempts.
pub const ASYNC_RETRY_DEFAULT: u32 = 1;
