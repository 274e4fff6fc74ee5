//! Client options and per-call options, validated once, before any request.

use js_sys::{Function, Object, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::errors::ClientError;
use crate::jsobj::{absent, get, opt_millis, opt_string, options_object, req_string};

/// Default time limit of a call.
pub const DEFAULT_TIMEOUT_MS: f64 = 60_000.0;

/// When and how a failed request is sent again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first (1 = no retry).
    pub max_attempts: u32,
    /// Base of the exponential backoff, ms.
    pub base_delay_ms: f64,
    /// Cap of one backoff delay, ms.
    pub max_delay_ms: f64,
}

impl RetryPolicy {
    /// The default: 3 attempts, 100 ms base, 5 s cap.
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

    /// Reads `retry`: `false` (no retries), `true` (`base`), or an object overriding
    /// fields of `base`; absent keeps `absent`.
    fn parse(
        v: &JsValue,
        base: RetryPolicy,
        absent_is: RetryPolicy,
        field: &str,
    ) -> Result<RetryPolicy, ClientError> {
        if absent(v) {
            return Ok(absent_is);
        }
        if let Some(b) = v.as_bool() {
            return Ok(if b { base } else { RetryPolicy::NONE });
        }
        let obj = options_object(v.clone(), field)?.unwrap_or_default();
        let attempts = get(&obj, "maxAttempts");
        let max_attempts = if absent(&attempts) {
            base.max_attempts
        } else {
            match attempts.as_f64() {
                Some(n) if n.fract() == 0.0 && (1.0..=10.0).contains(&n) => n as u32,
                _ => {
                    return Err(ClientError::invalid(
                        &format!("{field}.maxAttempts"),
                        "must be a whole number from 1 to 10",
                    ))
                }
            }
        };
        Ok(RetryPolicy {
            max_attempts,
            base_delay_ms: opt_millis(&obj, "baseDelayMs", &format!("{field}.baseDelayMs"))?
                .unwrap_or(base.base_delay_ms),
            max_delay_ms: opt_millis(&obj, "maxDelayMs", &format!("{field}.maxDelayMs"))?
                .unwrap_or(base.max_delay_ms),
        })
    }
}

/// Resolved credentials. Deliberately not `Debug`: it holds secrets.
#[derive(Clone)]
pub enum Credentials {
    /// IAM token, sent as `X-Auth-Token`.
    Token(String),
    /// AK/SK, signed with SDK-HMAC-SHA256.
    Keys {
        /// Access key id.
        access_key: String,
        /// Secret key.
        secret_key: String,
        /// Session token of temporary credentials.
        security_token: Option<String>,
    },
}

/// Where credentials come from.
pub enum CredentialSource {
    /// None (an emulator with `--no-auth`).
    None,
    /// Fixed.
    Static(Credentials),
    /// A function called before every request (tokens and temporary keys expire).
    Provider(Function),
}

/// Validated client options.
pub struct ClientConfig {
    /// Project id; every URN must belong to it.
    pub project_id: String,
    /// `scheme://authority[/prefix]`, no trailing slash.
    pub base_url: String,
    /// Path prefix of `base_url` (empty for a bare origin).
    pub base_path: String,
    /// The `Host` the platform will send (default ports dropped), for signing.
    pub host: String,
    /// Credentials.
    pub credentials: CredentialSource,
    /// Default time limit of a call (0 = none).
    pub timeout_ms: f64,
    /// Extra headers on every request.
    pub headers: Vec<(String, String)>,
    /// `User-Agent` where the platform lets us set it.
    pub user_agent: Option<String>,
    /// Retries of idempotent calls (listing) by default, and of invocations on opt-in.
    pub retry: RetryPolicy,
    /// Whether invocations are retried too (they are not idempotent).
    pub retry_invocations: bool,
    /// Called before every attempt with the request (secrets redacted).
    pub on_request: JsValue,
    /// Called after every attempt with the response or the failure.
    pub on_response: JsValue,
    /// Log requests and responses (redacted) with `console.debug`.
    pub debug: bool,
}

fn opt_function(obj: &JsValue, key: &str, field: &str) -> Result<JsValue, ClientError> {
    let v = get(obj, key);
    if absent(&v) || v.is_function() {
        Ok(v)
    } else {
        Err(ClientError::invalid(field, "must be a function"))
    }
}

/// Headers the client manages itself; a user header may not replace them.
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

fn parse_endpoint(endpoint: &str) -> Result<(String, String, String), ClientError> {
    let bad = |why: &str| ClientError::invalid("options.endpoint", why.to_owned());
    let (scheme, rest) = if let Some(r) = endpoint.strip_prefix("https://") {
        ("https", r)
    } else if let Some(r) = endpoint.strip_prefix("http://") {
        ("http", r)
    } else {
        return Err(bad("must start with http:// or https://"));
    };
    if rest.contains(['?', '#']) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("must be a base URL without query, fragment or spaces"));
    }
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    if authority.is_empty() || authority.contains('@') {
        return Err(bad("must name a host (and no user info)"));
    }
    let path = path.trim_end_matches('/');
    let base_path = if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    };
    // Browsers and Node drop the default port from the Host header they send.
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let host = authority
        .strip_suffix(default_port)
        .unwrap_or(authority)
        .to_ascii_lowercase();
    Ok((
        format!("{scheme}://{authority}{base_path}"),
        base_path,
        host,
    ))
}

fn parse_headers(v: &JsValue) -> Result<Vec<(String, String)>, ClientError> {
    if absent(v) {
        return Ok(Vec::new());
    }
    let obj = options_object(v.clone(), "options.headers")?.unwrap_or_default();
    let obj: &Object = obj.unchecked_ref();
    let mut out = Vec::new();
    for key in Object::keys(obj).iter() {
        let name = key.as_string().unwrap_or_default();
        let field = "options.headers";
        let token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token {
            return Err(ClientError::invalid(
                field,
                format!("'{name}' is not a valid header name"),
            ));
        }
        if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(ClientError::invalid(
                field,
                format!("'{name}' is set by the client itself"),
            ));
        }
        let value = get(obj, &name)
            .as_string()
            .filter(|v| !v.contains(['\r', '\n', '\0']))
            .ok_or_else(|| {
                ClientError::invalid(
                    field,
                    format!("the value of '{name}' must be a single-line string"),
                )
            })?;
        out.push((name.to_ascii_lowercase(), value));
    }
    Ok(out)
}

/// Parses `{token}` or `{accessKey, secretKey, securityToken?}`.
fn parse_credentials(v: &JsValue, field: &str) -> Result<Credentials, ClientError> {
    if !v.is_object() {
        return Err(ClientError::invalid(field, CREDENTIALS_SHAPE));
    }
    if let Some(token) = opt_string(v, "token", field)? {
        if token.is_empty() {
            return Err(ClientError::invalid(field, "token must not be empty"));
        }
        return Ok(Credentials::Token(token));
    }
    let access_key = opt_string(v, "accessKey", field)?;
    let secret_key = opt_string(v, "secretKey", field)?;
    match (access_key, secret_key) {
        (Some(access_key), Some(secret_key))
            if !access_key.is_empty() && !secret_key.is_empty() =>
        {
            Ok(Credentials::Keys {
                access_key,
                secret_key,
                security_token: opt_string(v, "securityToken", field)?.filter(|t| !t.is_empty()),
            })
        }
        _ => Err(ClientError::invalid(field, CREDENTIALS_SHAPE)),
    }
}

const CREDENTIALS_SHAPE: &str =
    "must be { token }, { accessKey, secretKey, securityToken? }, or a function returning one";

impl ClientConfig {
    /// Validates the constructor's options.
    ///
    /// # Errors
    /// [`ClientError::Validation`] naming the bad option.
    pub fn parse(options: JsValue) -> Result<ClientConfig, ClientError> {
        let options = options_object(options, "options")?.ok_or_else(|| {
            ClientError::invalid(
                "options",
                "are required: { projectId, region | endpoint, credentials }",
            )
        })?;
        let project_id = req_string(&options, "projectId", "options.projectId")?;
        if project_id.len() > 64 || !project_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ClientError::invalid(
                "options.projectId",
                "must be letters and digits (a 32-character project id)",
            ));
        }
        let endpoint = match (
            opt_string(&options, "endpoint", "options.endpoint")?,
            opt_string(&options, "region", "options.region")?,
        ) {
            (Some(e), _) => e,
            (None, Some(region)) => {
                let ok = !region.is_empty()
                    && region.len() <= 64
                    && region
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if !ok {
                    return Err(ClientError::invalid(
                        "options.region",
                        "must be a region id such as cn-north-4",
                    ));
                }
                format!("https://functiongraph.{region}.myhuaweicloud.com")
            }
            (None, None) => {
                return Err(ClientError::invalid(
                    "options",
                    "need a region (e.g. cn-north-4) or an endpoint URL",
                ));
            }
        };
        let (base_url, base_path, host) = parse_endpoint(&endpoint)?;
        let creds = get(&options, "credentials");
        let credentials = if absent(&creds) {
            CredentialSource::None
        } else if let Some(f) = creds.dyn_ref::<Function>() {
            CredentialSource::Provider(f.clone())
        } else {
            CredentialSource::Static(parse_credentials(&creds, "options.credentials")?)
        };
        Ok(ClientConfig {
            project_id,
            base_url,
            base_path,
            host,
            credentials,
            timeout_ms: opt_millis(&options, "timeoutMs", "options.timeoutMs")?
                .unwrap_or(DEFAULT_TIMEOUT_MS),
            headers: parse_headers(&get(&options, "headers"))?,
            user_agent: opt_string(&options, "userAgent", "options.userAgent")?
                .filter(|ua| !ua.contains(['\r', '\n', '\0'])),
            retry: RetryPolicy::parse(
                &get(&options, "retry"),
                RetryPolicy::DEFAULT,
                RetryPolicy::DEFAULT,
                "options.retry",
            )?,
            retry_invocations: {
                let r = get(&options, "retry");
                let v = get(&r, "retryInvocations");
                if absent(&v) {
                    false
                } else {
                    v.as_bool().ok_or_else(|| {
                        ClientError::invalid("options.retry.retryInvocations", "must be a boolean")
                    })?
                }
            },
            on_request: opt_function(&options, "onRequest", "options.onRequest")?,
            on_response: opt_function(&options, "onResponse", "options.onResponse")?,
            debug: match get(&options, "debug") {
                v if absent(&v) => false,
                v => v
                    .as_bool()
                    .ok_or_else(|| ClientError::invalid("options.debug", "must be a boolean"))?,
            },
        })
    }

    /// The credentials for the next request (calls the provider, if any).
    ///
    /// # Errors
    /// [`ClientError::Validation`] when the provider throws, rejects or returns a bad shape.
    pub async fn credentials(&self) -> Result<Option<Credentials>, ClientError> {
        match &self.credentials {
            CredentialSource::None => Ok(None),
            CredentialSource::Static(c) => Ok(Some(c.clone())),
            CredentialSource::Provider(f) => {
                let failed = |cause: JsValue| ClientError::Validation {
                    field: "options.credentials".into(),
                    message: "the credentials provider failed".into(),
                    cause,
                };
                let value = f.call0(&JsValue::UNDEFINED).map_err(failed)?;
                let value = JsFuture::from(Promise::resolve(&value))
                    .await
                    .map_err(failed)?;
                parse_credentials(&value, "options.credentials (from the provider)").map(Some)
            }
        }
    }
}

/// `signal`, `timeoutMs` and `retry` of one call, merged with the client's settings.
pub struct CallOptions {
    /// The caller's `AbortSignal`, or undefined.
    pub signal: JsValue,
    /// Time limit of the whole call, retries included (0 = none).
    pub timeout_ms: f64,
    /// Retry policy of this call.
    pub retry: RetryPolicy,
}

impl CallOptions {
    /// Reads the common call options from `obj` (already checked to be an object, if
    /// given). `idempotent` calls are retried by default; invocations only when the
    /// client or the call opts in.
    ///
    /// # Errors
    /// [`ClientError::Validation`].
    pub fn parse(
        obj: &Option<JsValue>,
        config: &ClientConfig,
        field: &str,
        idempotent: bool,
    ) -> Result<CallOptions, ClientError> {
        let default = if idempotent || config.retry_invocations {
            config.retry
        } else {
            RetryPolicy::NONE
        };
        let Some(obj) = obj else {
            return Ok(CallOptions {
                signal: JsValue::UNDEFINED,
                timeout_ms: config.timeout_ms,
                retry: default,
            });
        };
        Ok(CallOptions {
            signal: crate::jsobj::opt_signal(obj, &format!("{field}.signal"))?,
            timeout_ms: opt_millis(obj, "timeoutMs", &format!("{field}.timeoutMs"))?
                .unwrap_or(config.timeout_ms),
            retry: RetryPolicy::parse(
                &get(obj, "retry"),
                config.retry,
                default,
                &format!("{field}.retry"),
            )?,
        })
    }
}
