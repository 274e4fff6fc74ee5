//! One HTTP exchange: credentials, signing, the request, our `fetch`, and the
//! answer read in full. An abort (the caller's or the timeout's) rejects with the
//! signal's reason; any other failure of `fetch` is a network error.

use functiongraph_protocol::headers as h;
use functiongraph_protocol::query;
use functiongraph_protocol::sign::{sign, SignableRequest};
use functiongraph_protocol::time::format_sdk_date;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;
use web_sys::{Headers, RequestInit};

use crate::errors::ClientError;
use crate::js::{emit, global_fetch, link_signals, sleep};
use crate::jsobj::set;
use crate::options::{CallOptions, ClientConfig, Credentials, RetryPolicy};
use js_sys::Object;

/// The HTTP methods the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Listings.
    Get,
    /// Invocations and cancel.
    Post,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// What to send.
pub struct Outgoing {
    /// `GET` or `POST`.
    pub method: Method,
    /// API path (`/v2/…`), without the endpoint's prefix.
    pub path: String,
    /// Query pairs, decoded.
    pub query: Vec<(String, String)>,
    /// Operation-specific headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<String>,
}

/// What came back.
pub struct Incoming {
    /// HTTP status.
    pub status: u16,
    headers: web_sys::Headers,
    /// The body as text.
    pub text: String,
    /// Requests sent for this answer, retries included.
    pub attempts: u32,
}

impl Incoming {
    /// A response header.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).ok().flatten()
    }

    /// The request id the service gave this answer.
    pub fn request_id(&self) -> Option<String> {
        self.header(h::CFF_REQUEST_ID)
            .or_else(|| self.header(h::REQUEST_ID))
    }
}

fn aborted(signal: &JsValue) -> Option<JsValue> {
    signal
        .dyn_ref::<AbortSignal>()
        .filter(|s| s.aborted())
        .map(AbortSignal::reason)
}

fn in_browser() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("document")).unwrap_or(false)
}

fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// The headers to send, with authentication added (and signed, for AK/SK).
fn authenticated_headers(
    config: &ClientConfig,
    out: &Outgoing,
    credentials: Option<Credentials>,
) -> Vec<(String, String)> {
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    headers.extend(out.headers.iter().cloned());
    headers.extend(config.headers.iter().cloned());
    match credentials {
        None => {}
        Some(Credentials::Token(token)) => headers.push((h::AUTH_TOKEN.to_owned(), token)),
        Some(Credentials::Keys {
            access_key,
            secret_key,
            security_token,
        }) => {
            headers.push((h::PROJECT_ID.to_owned(), config.project_id.clone()));
            headers.push((h::SDK_DATE.to_owned(), format_sdk_date(now_secs())));
            if let Some(token) = security_token {
                headers.push((h::SECURITY_TOKEN.to_owned(), token));
            }
            // Host is signed but sent by the platform itself (scripts may not set it).
            let mut signed = headers.clone();
            signed.push(("host".to_owned(), config.host.clone()));
            let path = format!("{}{}", config.base_path, out.path);
            let req = SignableRequest {
                method: out.method.as_str(),
                path: &path,
                query: &out.query,
                headers: &signed,
                body: out.body.as_deref().unwrap_or("").as_bytes(),
            };
            if let Ok(sig) = sign(&req, &access_key, &secret_key) {
                headers.push((h::AUTHORIZATION.to_owned(), sig.authorization));
            }
        }
    }
    if !in_browser() {
        // Browsers send their own User-Agent and would need a CORS allowance for ours.
        let ua = match &config.user_agent {
            Some(extra) => format!("functiongraph-client/{} {extra}", env!("CARGO_PKG_VERSION")),
            None => format!("functiongraph-client/{}", env!("CARGO_PKG_VERSION")),
        };
        headers.push(("user-agent".to_owned(), ua));
    }
    headers
}

/// Whether an answer is worth another attempt: throttling (except a disabled
/// function, which stays disabled) and the transient 5xx statuses.
fn retryable(inc: &Incoming) -> bool {
    match inc.status {
        429 => !inc.text.contains("Function Disabled"),
        500 | 502 | 503 | 504 => true,
        _ => false,
    }
}

/// `Retry-After` in whole seconds, as ms.
fn retry_after_ms(inc: &Incoming) -> Option<f64> {
    let secs: u32 = inc.header(h::RETRY_AFTER)?.trim().parse().ok()?;
    Some(f64::from(secs) * 1000.0)
}

/// Full-jitter exponential backoff before attempt `attempt + 1`, never shorter than
/// what the service asked for with `Retry-After`.
fn backoff_ms(policy: &RetryPolicy, attempt: u32, retry_after: Option<f64>) -> f64 {
    let ceiling =
        (policy.base_delay_ms * f64::from(1u32 << attempt.min(20))).min(policy.max_delay_ms);
    let jittered = js_sys::Math::random() * ceiling;
    retry_after.map_or(jittered, |ra| ra.max(jittered))
}

/// The headers shown to hooks and `debug`: credentials replaced by `[REDACTED]`.
fn redacted(headers: &[(String, String)]) -> JsValue {
    let out = Object::new();
    for (k, v) in headers {
        let secret = matches!(
            k.as_str(),
            h::AUTHORIZATION | h::AUTH_TOKEN | h::SECURITY_TOKEN
        );
        set(
            &out,
            k,
            &JsValue::from_str(if secret { "[REDACTED]" } else { v }),
        );
    }
    out.into()
}

/// Sends `out`, retrying per `call.retry`, and reads the whole answer. One timeout
/// covers every attempt and every backoff; an abort ends a backoff at once.
///
/// # Errors
/// [`ClientError::Aborted`] (with the signal's reason) when aborted or timed out,
/// [`ClientError::Network`] when `fetch` fails, [`ClientError::Validation`] when the
/// credentials provider fails.
pub async fn send(
    config: &ClientConfig,
    out: Outgoing,
    call: &CallOptions,
) -> Result<Incoming, ClientError> {
    if let Some(reason) = aborted(&call.signal) {
        return Err(ClientError::Aborted(reason));
    }
    let link = link_signals(&call.signal, call.timeout_ms);
    let signal = link.signal();
    let result = send_with_retries(config, &out, call, &signal).await;
    link.done();
    result
}

async fn send_with_retries(
    config: &ClientConfig,
    out: &Outgoing,
    call: &CallOptions,
    signal: &AbortSignal,
) -> Result<Incoming, ClientError> {
    let mut url = format!("{}{}", config.base_url, out.path);
    if !out.query.is_empty() {
        url.push('?');
        url.push_str(&query::encode(&out.query));
    }
    let method = out.method.as_str();
    let mut attempt = 1;
    loop {
        // Fresh credentials and a fresh signature (X-Sdk-Date) for every attempt.
        let credentials = config.credentials().await?;
        if let Some(reason) = aborted(signal) {
            return Err(ClientError::Aborted(reason));
        }
        let headers = authenticated_headers(config, out, credentials);
        let info = Object::new();
        set(&info, "method", &JsValue::from_str(method));
        set(&info, "url", &JsValue::from_str(&url));
        set(&info, "attempt", &JsValue::from(attempt));
        if config.debug || !config.on_request.is_undefined() {
            set(&info, "headers", &redacted(&headers));
            emit(&config.on_request, config.debug, "request", &info);
        }
        let started = js_sys::Date::now();
        let result = exchange(&url, out.method, &headers, out.body.clone(), signal).await;
        if config.debug || !config.on_response.is_undefined() {
            set(
                &info,
                "durationMs",
                &JsValue::from(js_sys::Date::now() - started),
            );
            match &result {
                Ok(inc) => {
                    set(&info, "status", &JsValue::from(inc.status));
                    set(
                        &info,
                        "requestId",
                        &inc.request_id()
                            .map_or(JsValue::NULL, |r| JsValue::from_str(&r)),
                    );
                }
                Err(ClientError::Network { cause, .. }) => set(&info, "error", cause),
                Err(_) => set(&info, "error", &JsValue::from_str("aborted")),
            }
            emit(&config.on_response, config.debug, "response", &info);
        }
        let retry_after = match result {
            Ok(mut inc) => {
                inc.attempts = attempt;
                if attempt >= call.retry.max_attempts || !retryable(&inc) {
                    return Ok(inc);
                }
                retry_after_ms(&inc)
            }
            Err(ClientError::Network { cause, .. }) => {
                if attempt >= call.retry.max_attempts {
                    return Err(ClientError::Network {
                        cause,
                        attempts: attempt,
                    });
                }
                None
            }
            Err(other) => return Err(other),
        };
        let delay = backoff_ms(&call.retry, attempt - 1, retry_after);
        JsFuture::from(sleep(delay, signal))
            .await
            .map_err(ClientError::Aborted)?;
        attempt += 1;
    }
}

async fn exchange(
    url: &str,
    method: Method,
    headers: &[(String, String)],
    body: Option<String>,
    signal: &AbortSignal,
) -> Result<Incoming, ClientError> {
    let failed = |cause: JsValue| match aborted(signal) {
        Some(reason) => ClientError::Aborted(reason),
        None => ClientError::Network { cause, attempts: 1 },
    };
    // Built with web-sys directly: gloo-net 0.6's RequestBuilder appends '&' to a URL
    // that already has a query, and its query() form-encodes (space as '+'), either of
    // which breaks a signed query.
    let init = RequestInit::new();
    init.set_method(method.as_str());
    let sent = Headers::new().map_err(failed)?;
    for (k, v) in headers {
        sent.set(k, v).map_err(failed)?;
    }
    init.set_headers(&sent);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(&b));
    }
    init.set_signal(Some(signal));
    let response = JsFuture::from(global_fetch(url, &init))
        .await
        .map_err(failed)?;
    let response: web_sys::Response = response.unchecked_into();
    let status = response.status();
    let headers = response.headers();
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    Ok(Incoming {
        status,
        headers,
        text: text.as_string().unwrap_or_default(),
        attempts: 1,
    })
}
