//! A client's settings and a call's options, checked once, before any request.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use web_sys::AbortSignal;

use crate::error::{shown, Error};
use crate::hooks::Hook;

/// Default time limit of a call, retries included, ms.
pub const DEFAULT_TIMEOUT_MS: f64 = 60_000.0;
/// Largest answer read by default, bytes: the service's 6 MB sync result, which the v1
/// wrapper may escape to twice its size, with headroom.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// The longest delay a JS timer honours (a longer one fires at once): a longer timeout is none.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// Headers the client sets itself; a caller's header may not replace them.
const RESERVED_HEADERS: [&str; 8] = [
    "authorization",
    "x-auth-token",
    "x-sdk-date",
    "x-security-token",
    "x-project-id",
    "host",
    "content-length",
    "content-type",
];

/// Credentials for one request.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// An IAM token, sent as `X-Auth-Token`.
    Token(String),
    /// An access key pair that signs each request (SDK-HMAC-SHA256).
    AccessKey {
        /// Access key id.
        access_key: String,
        /// Secret key: signs, never sent.
        secret_key: String,
        /// Session token of temporary credentials, sent as `X-Security-Token`.
        security_token: Option<String>,
    },
}

// Never print a secret, not even in a debug dump.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Token(_) => f.write_str("Token([REDACTED])"),
            Credentials::AccessKey { access_key, .. } => {
                write!(f, "AccessKey {{ access_key: {access_key:?}, .. }}")
            }
        }
    }
}

/// The future a credential provider returns.
pub type CredentialsFuture = Pin<Box<dyn Future<Output = Result<Credentials, Error>>>>;
/// Called before every attempt (tokens and temporary keys expire).
pub type CredentialProvider = Rc<dyn Fn() -> CredentialsFuture>;

/// Where a client's credentials come from.
#[derive(Clone, Default)]
pub enum CredentialSource {
    /// None (only an emulator started with `--no-auth` accepts that).
    #[default]
    None,
    /// The same credentials for every request.
    Static(Credentials),
    /// Fresh credentials for every attempt.
    Provider(CredentialProvider),
}

// The provider is a closure: only which kind of source is shown (and never a secret).
impl std::fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialSource::None => f.write_str("None"),
            CredentialSource::Static(c) => f.debug_tuple("Static").field(c).finish(),
            CredentialSource::Provider(_) => f.write_str("Provider(..)"),
        }
    }
}

/// When and how a failed request is sent again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first, 1 to 10.
    pub max_attempts: u32,
    /// Base of the full-jitter exponential backoff, ms.
    pub base_delay_ms: f64,
    /// Cap of one delay, ms (a longer `Retry-After` is still honoured).
    pub max_delay_ms: f64,
}

impl RetryPolicy {
    /// Three attempts, 100 ms base, 5 s cap.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        max_attempts: 3,
        base_delay_ms: 100.0,
        max_delay_ms: 5_000.0,
    };

    /// One attempt only.
    pub const NONE: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::DEFAULT
    };

    /// Checks the ranges; `field` names the policy in errors.
    pub(crate) fn check(&self, field: &str) -> Result<(), Error> {
        if !(1..=10).contains(&self.max_attempts) {
            return Err(Error::invalid(
                format!("{field}.maxAttempts"),
                MAX_ATTEMPTS_RULE,
            ));
        }
        for (name, ms) in [
            ("baseDelayMs", self.base_delay_ms),
            ("maxDelayMs", self.max_delay_ms),
        ] {
            check_millis(ms, &format!("{field}.{name}"))?;
        }
        Ok(())
    }
}

/// Checks a duration in ms: finite, 0 or more.
pub(crate) fn check_millis(ms: f64, field: &str) -> Result<f64, Error> {
    if ms.is_finite() && ms >= 0.0 {
        Ok(ms)
    } else {
        Err(Error::invalid(
            field,
            "must be a finite number of milliseconds, 0 or more",
        ))
    }
}

/// A client's settings. Build one with [`Config::new`] (an explicit endpoint) or
/// [`Config::for_region`], then set fields; [`crate::Client::new`] checks it.
#[derive(Clone)]
pub struct Config {
    /// The project id; every function URN must belong to it.
    pub project_id: String,
    /// Base URL (http or https, no query), e.g. `http://127.0.0.1:8787`.
    pub endpoint: String,
    /// Credentials or their provider.
    pub credentials: CredentialSource,
    /// Time limit of each call, retries included, ms; 0 (or past 2^31 − 1) is none.
    pub timeout_ms: f64,
    /// Retries of listings (and of invocations with `retry_invocations`).
    pub retry: RetryPolicy,
    /// Also retry invocations and cancels, which are not idempotent.
    pub retry_invocations: bool,
    /// Extra headers on every request (signed with AK/SK).
    pub headers: Vec<(String, String)>,
    /// Appended to the `User-Agent` where the platform lets a script set it.
    pub user_agent: Option<String>,
    /// Largest answer read, bytes; a larger one is a `Response` error, and is not read further.
    pub max_response_bytes: usize,
    /// Called before every attempt, secrets redacted.
    pub on_request: Option<Hook>,
    /// Called after every attempt, secrets redacted.
    pub on_response: Option<Hook>,
}

// Hooks are closures: whether each is set is shown. Credentials print redacted.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("project_id", &self.project_id)
            // As errors show it: user info and a query may hold a secret.
            .field(
                "endpoint",
                &format_args!("{}", endpoint_shown(&self.endpoint)),
            )
            .field("credentials", &self.credentials)
            .field("timeout_ms", &self.timeout_ms)
            .field("retry", &self.retry)
            .field("retry_invocations", &self.retry_invocations)
            .field("headers", &self.headers.len())
            .field("user_agent", &self.user_agent)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("on_request", &self.on_request.is_some())
            .field("on_response", &self.on_response.is_some())
            .finish()
    }
}

impl Config {
    /// Settings for `project_id` at an explicit endpoint.
    pub fn new(project_id: impl Into<String>, endpoint: impl Into<String>) -> Config {
        Config {
            project_id: project_id.into(),
            endpoint: endpoint.into(),
            credentials: CredentialSource::None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            retry: RetryPolicy::DEFAULT,
            retry_invocations: false,
            headers: Vec::new(),
            user_agent: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            on_request: None,
            on_response: None,
        }
    }

    /// Settings for `project_id` in `region` (`https://functiongraph.{region}.myhuaweicloud.com`).
    ///
    /// # Errors
    /// [`Error::Validation`] for a region that is not a region id.
    pub fn for_region(project_id: impl Into<String>, region: &str) -> Result<Config, Error> {
        let valid = (1..=64).contains(&region.len())
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(Error::invalid(
                "options.region",
                format!(
                    "must be a region id such as cn-north-4; got {}",
                    shown(region)
                ),
            ));
        }
        Ok(Config::new(
            project_id,
            format!("https://functiongraph.{region}.myhuaweicloud.com"),
        ))
    }

    /// The same settings with these credentials.
    #[must_use]
    pub fn with_credentials(mut self, credentials: Credentials) -> Config {
        self.credentials = CredentialSource::Static(credentials);
        self
    }
}

/// The endpoint taken apart once: what requests are built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// `scheme://authority[/prefix]`, no trailing slash.
    pub base: String,
    /// `Host` as the platform sends it: lower-case, default port dropped.
    pub host: String,
    /// The path prefix of `base` (`/fgs`), or "": the signature covers it.
    pub path: String,
}

/// The scheme of an http(s) URL and what follows `://`.
pub(crate) fn split_scheme(url: &str) -> Option<(&'static str, &str)> {
    if let Some(rest) = url.strip_prefix("https://") {
        Some(("https", rest))
    } else {
        url.strip_prefix("http://").map(|rest| ("http", rest))
    }
}

/// `Host` as the platform sends it for `authority`: lower-case, default port dropped.
pub(crate) fn host_header(scheme: &str, authority: &str) -> String {
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    authority
        .strip_suffix(default_port)
        .unwrap_or(authority)
        .to_ascii_lowercase()
}

impl Endpoint {
    pub(crate) fn parse(url: &str) -> Result<Endpoint, Error> {
        let got = endpoint_shown(url);
        let bad = |why: &str| Error::invalid("options.endpoint", format!("{why}; got {got}"));
        let (scheme, rest) =
            split_scheme(url).ok_or_else(|| bad("must start with http:// or https://"))?;
        if rest
            .chars()
            .any(|c| c == '?' || c == '#' || c.is_whitespace() || c.is_control())
        {
            return Err(bad("must be a base URL without query, fragment or spaces"));
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        if authority.is_empty() || authority.contains('@') {
            return Err(bad("must name a host (and no user info)"));
        }
        let path = path.trim_end_matches('/');
        let path = if path.is_empty() {
            String::new()
        } else {
            format!("/{path}")
        };
        Ok(Endpoint {
            base: format!("{scheme}://{authority}{path}"),
            host: host_header(scheme, authority),
            path,
        })
    }
}

/// An endpoint as an error shows it: without its query, fragment or user info, where
/// secrets go. User info ends at the last `@` (a password may hold `@`, `/`, `?` or `#`),
/// so an `@` after the first `?` or `#` leaves unclear where the secret ends: then only
/// that the URL was not shown.
pub(crate) fn endpoint_shown(url: &str) -> String {
    let (head, tail) = match url.find(['?', '#']) {
        Some(i) => url.split_at_checked(i).unwrap_or((url, "")),
        None => (url, ""),
    };
    if tail.contains('@') {
        return "a URL with user info or a query (not shown)".to_owned();
    }
    match head.rsplit_once('@') {
        Some((_, host)) => shown(&format!("…@{host}")),
        None => shown(head),
    }
}

/// Checks the client's own headers: valid names, single-line values, none the client sets.
pub(crate) fn check_headers(headers: &[(String, String)]) -> Result<Vec<(String, String)>, Error> {
    let field = "options.headers";
    // A loop of a closure, not `collect::<Result<Vec<_>, _>>()`: each such collect is a
    // copy of the iterator adapters' code in the wasm.
    let check = |(name, value): &(String, String)| {
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() {
            return Err(Error::invalid(field, "a header name is empty"));
        }
        // Only the valid start of a bad name is shown: a whole header line given as a
        // name ("Authorization: Bearer …") has its value after the first bad character.
        let valid = name.bytes().take_while(|&b| token(b)).count();
        let (start, rest) = name.split_at_checked(valid).unwrap_or((name, ""));
        if let Some(bad) = rest.chars().next() {
            // The bad character quoted as `{:?}` quotes a char (see `shown`).
            let mut bad_shown = String::from("'");
            // (`'` is a token character; a `"` is not escaped in a char's quotes.)
            match bad {
                '"' => bad_shown.push('"'),
                c => crate::error::push_escaped(&mut bad_shown, c),
            }
            return Err(Error::invalid(
                field,
                format!(
                    "a header name is letters, digits and !#$%&'*+-.^_`|~; got {} then {bad_shown}'",
                    shown(start)
                ),
            ));
        }
        let lower = name.to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(Error::invalid(
                field,
                format!("'{name}' is set by the client itself"),
            ));
        }
        if !sendable_header_value(value) {
            return Err(Error::invalid(
                field,
                format!("the value of '{name}' {HEADER_VALUE_RULE}"),
            ));
        }
        Ok((lower, value.clone()))
    };
    let mut checked = Vec::with_capacity(headers.len());
    for header in headers {
        checked.push(check(header)?);
    }
    Ok(checked)
}

/// The rules the core applies to numbers a JS caller gives as numbers: the facade only
/// converts (a whole number, in range for the Rust type) and names the field with the same
/// words, so both APIs refuse alike.
pub(crate) const MAX_RESPONSE_BYTES_RULE: &str = "must be a whole number of bytes above 0";
/// See [`MAX_RESPONSE_BYTES_RULE`].
pub(crate) const INSTANCE_MEMORY_RULE: &str = "must be a whole number of MB above 0";
/// See [`MAX_RESPONSE_BYTES_RULE`].
pub(crate) const MAX_ITEMS_RULE: &str = "must be a whole number above 0";
/// See [`MAX_RESPONSE_BYTES_RULE`].
pub(crate) const MAX_ATTEMPTS_RULE: &str = "must be a whole number from 1 to 10";
/// See [`MAX_RESPONSE_BYTES_RULE`] (the service's `limit`: 1 to `LIST_LIMIT_MAX`).
pub(crate) const LIMIT_RULE: &str = "must be a whole number from 1 to 500";

/// What [`sendable_header_value`] asks, for messages.
pub(crate) const HEADER_VALUE_RULE: &str =
    "must be a single line of printable Latin-1 characters (tab allowed)";

/// Whether fetch sends `s` as a header value: tab, printable ASCII and U+0080..=U+00FF.
/// Anything else makes fetch throw (a character above U+00FF everywhere; a control
/// character in Node), which would read as a `NetworkError` for a request never sent.
pub(crate) fn sendable_header_value(s: &str) -> bool {
    s.chars()
        .all(|c| matches!(c, '\t' | ' '..='~' | '\u{80}'..='\u{ff}'))
}

/// A line break or NUL: never allowed in a header value.
pub(crate) fn has_line_break(s: &str) -> bool {
    // A byte scan: `contains` with a char set decodes every char, and a signature checks the
    // URL, the keys and every header with it.
    s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0))
}

/// Checks a project id: letters and digits, at most 64.
pub(crate) fn check_project_id(project_id: &str) -> Result<(), Error> {
    let field = "options.projectId";
    if project_id.is_empty() {
        return Err(Error::invalid(field, "is required (a non-empty string)"));
    }
    if project_id.len() > 64 || !project_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid(
            field,
            format!(
                "must be letters and digits, at most 64 (Huawei Cloud's are 32 hex characters); got {}",
                shown(project_id)
            ),
        ));
    }
    Ok(())
}

/// How a call is retried.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Retry {
    /// The client's choice: listings by its policy, invocations only with `retry_invocations`.
    #[default]
    Default,
    /// The client's policy, for any operation (opts an invocation in).
    On,
    /// One attempt only.
    Off,
    /// This policy.
    Policy(RetryPolicy),
}

/// Options every call takes.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Aborts the call: it fails with [`Error::Aborted`] and the signal's reason.
    pub signal: Option<AbortSignal>,
    /// Time limit of this call, ms, overriding the client's; 0 is none.
    pub timeout_ms: Option<f64>,
    /// Retries of this call.
    pub retry: Retry,
}

/// `X-Cff-Log-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogType {
    /// No log in the answer.
    #[default]
    None,
    /// The last 4 KB of the function's log.
    Tail,
}

/// `X-CFF-Request-Version`: the format of a sync answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestVersion {
    /// The function's output as the body.
    V0,
    /// A JSON wrapper `{request_id, result, log, status}`.
    #[default]
    V1,
}

/// Options of `invoke`.
#[derive(Debug, Clone, Default)]
pub struct InvokeOptions {
    /// Signal, timeout, retries.
    pub call: CallOptions,
    /// Whether to return the log's tail.
    pub log_type: LogType,
    /// Answer format.
    pub request_version: RequestVersion,
    /// `X-Cff-Instance-Memory`: memory (MB) the instance should have.
    pub instance_memory_mb: Option<u32>,
}

/// Options of `invoke_async`.
#[derive(Debug, Clone, Default)]
pub struct InvokeAsyncOptions {
    /// Signal, timeout, retries.
    pub call: CallOptions,
    /// `X-Cff-Instance-Memory`: memory (MB) the instance should have.
    pub instance_memory_mb: Option<u32>,
}

/// Options of `wait_for_async_invocation`.
#[derive(Debug, Clone)]
pub struct WaitOptions {
    /// First polling interval, ms; it grows ×1.5 up to `max_interval_ms`.
    pub interval_ms: f64,
    /// Longest polling interval, ms.
    pub max_interval_ms: f64,
    /// Give up after this long, ms; 0 waits for ever.
    pub timeout_ms: f64,
    /// Stops waiting at once.
    pub signal: Option<AbortSignal>,
    /// Start of the listing window the record is looked up in (seconds since the epoch).
    /// The service lists the last hour unless told otherwise; default: a day and an hour
    /// before the wait starts, which covers any invocation the service can still run
    /// (an event's maximum age is a day).
    pub since: Option<i64>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            interval_ms: 500.0,
            max_interval_ms: 5_000.0,
            timeout_ms: 16.0 * 60_000.0,
            signal: None,
            since: None,
        }
    }
}

// The rules run natively (`cargo test`): nothing here needs a JS engine.
#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: Error) -> String {
        e.refused_field()
    }

    #[test]
    fn endpoints_keep_a_path_prefix_and_drop_default_ports() {
        let e = Endpoint::parse("https://Gateway.Example.com:443/prefix/v1/").unwrap();
        assert_eq!(e.base, "https://Gateway.Example.com:443/prefix/v1");
        assert_eq!(e.host, "gateway.example.com");
        let e = Endpoint::parse("http://127.0.0.1:8787").unwrap();
        assert_eq!(
            (e.base.as_str(), e.host.as_str()),
            ("http://127.0.0.1:8787", "127.0.0.1:8787")
        );
        for bad in [
            "ftp://x",
            "http://",
            "http://u:p@host",
            "http://h/?q=1",
            "http://h/#f",
            "http://h /x",
        ] {
            assert_eq!(
                field_of(Endpoint::parse(bad).unwrap_err()),
                "options.endpoint",
                "{bad}"
            );
        }
    }

    #[test]
    fn an_endpoint_with_user_info_or_a_query_is_never_shown() {
        let message = Endpoint::parse("ftp://user:secret@host/?token=abc")
            .unwrap_err()
            .to_string();
        assert!(
            !message.contains("secret") && !message.contains("abc"),
            "{message}"
        );
    }

    #[test]
    fn regions_and_project_ids() {
        assert_eq!(
            Config::for_region("p", "cn-north-4").unwrap().endpoint,
            "https://functiongraph.cn-north-4.myhuaweicloud.com"
        );
        assert!(Config::for_region("p", "CN North").is_err());
        assert!(check_project_id("0123456789abcdef0123456789abcdef").is_ok());
        assert!(
            check_project_id("abc").is_ok(),
            "letters and digits, at most 64"
        );
        for bad in ["", "has-dash", &"a".repeat(65)] {
            assert_eq!(
                field_of(check_project_id(bad).unwrap_err()),
                "options.projectId"
            );
        }
    }

    #[test]
    fn headers_are_checked_and_lower_cased() {
        let ok = check_headers(&[("X-Trace".into(), "a\tb é".into())]).unwrap();
        assert_eq!(ok, vec![("x-trace".to_owned(), "a\tb é".to_owned())]);
        for (name, value) in [
            ("", "v"),
            ("Authorization: Bearer secret", "v"),
            ("X-Auth-Token", "v"),
            ("x-a", "line\nbreak"),
            ("x-a", "emoji 😀"),
        ] {
            let e = check_headers(&[(name.into(), value.into())]).unwrap_err();
            assert!(!e.to_string().contains("secret"), "{e}");
            assert_eq!(field_of(e), "options.headers");
        }
        // The bad character is quoted as `{:?}` quotes a char.
        for bad in [':', ' ', '"', '\\', '\n', '\0', '\u{1b}', 'é'] {
            let e = check_headers(&[(format!("X-A{bad}b"), "v".into())]).unwrap_err();
            assert!(
                e.to_string()
                    .ends_with(&format!("got \"X-A\" then {bad:?}")),
                "{e}"
            );
        }
    }

    #[test]
    fn retry_policies_and_durations() {
        assert!(RetryPolicy::DEFAULT.check("options.retry").is_ok());
        let bad = RetryPolicy {
            max_attempts: 11,
            ..RetryPolicy::DEFAULT
        };
        assert_eq!(
            field_of(bad.check("options.retry").unwrap_err()),
            "options.retry.maxAttempts"
        );
        let bad = RetryPolicy {
            max_delay_ms: f64::NAN,
            ..RetryPolicy::DEFAULT
        };
        assert_eq!(
            field_of(bad.check("options.retry").unwrap_err()),
            "options.retry.maxDelayMs"
        );
        assert!(check_millis(-1.0, "t").is_err() && check_millis(f64::INFINITY, "t").is_err());
        assert_eq!(check_millis(0.0, "t").unwrap(), 0.0);
    }
}
