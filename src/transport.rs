//! One call on the wire: credentials, signing, sending with gloo-net, retries with
//! backoff, the hooks, and the answer read in full (as a JS string: see [`crate::body`]).
//! An abort (the caller's or the timeout's) ends the call at once, in a backoff too.

use functiongraph_protocol::headers as h;
use functiongraph_protocol::query::decode;
use functiongraph_protocol::sign::{sign_hashed, SignableRequest};
use functiongraph_protocol::time::format_sdk_date;
use gloo_net::http::{Headers, Request, Response};
use js_sys::{JsString, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{AbortSignal, RequestInit, RequestRedirect, ResponseType};

use crate::body::{self, Event, Read};

use crate::client::Inner;
use crate::config::{CallOptions, CredentialSource, Credentials, Retry, RetryPolicy};
use crate::error::Error;
use crate::hooks::{redacted, Attempt, Failure, Outcome};
use crate::platform::{in_browser_page, now_ms};
use crate::signal::{sleep, CallSignal};

/// A request of one operation, before the endpoint, authentication and client headers.
pub(crate) struct Prepared {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Path and query, as signed and sent.
    pub path: String,
    /// The operation's own headers, lower-case.
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<Event>,
    /// Listings: retried by default.
    pub idempotent: bool,
}

/// An answer read in full.
pub(crate) struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The response's headers (read once: each read of `Response.headers` crosses into JS).
    pub headers: Headers,
    /// The body as text (invalid UTF-8 replaced), a JS string.
    pub text: JsString,
    /// Requests sent for it.
    pub attempts: u32,
    /// The call's secrets (token, secret key, security token), to keep out of errors.
    pub secrets: Vec<String>,
}

impl Answer {
    /// `text` with the call's secrets replaced: a server may echo what it was sent, and
    /// errors end up in logs.
    pub fn scrub(&self, text: &str) -> String {
        self.secrets
            .iter()
            .filter(|s| !s.is_empty())
            .fold(text.to_owned(), |out, secret| redact(&out, secret))
    }

    /// A response header.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name)
    }

    /// The request id the service gave this answer.
    pub fn request_id(&self) -> Option<String> {
        request_id(&self.headers)
    }
}

/// `text` with every `secret` replaced (an empty one replaces nothing). Not `str::replace`:
/// its substring searcher weighs 2.4 KB in the wasm. This loop compares the secret at
/// each character, so it takes the text's length times the secret's at worst: the texts
/// are a body's first 1 KB and what the server says in an error code or a request id.
fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.chars();
    while !rest.as_str().is_empty() {
        if let Some(after) = rest.as_str().strip_prefix(secret) {
            out.push_str("[REDACTED]");
            rest = after.chars();
        } else if let Some(c) = rest.next() {
            out.push(c);
        }
    }
    out
}

/// The request id an answer's headers give: the invocation's, else the gateway's.
fn request_id(headers: &Headers) -> Option<String> {
    headers
        .get(h::CFF_REQUEST_ID)
        .or_else(|| headers.get(h::REQUEST_ID))
}

/// The retry policy of one call.
fn policy(inner: &Inner, call: &CallOptions, idempotent: bool) -> RetryPolicy {
    let client = inner.config.retry;
    match call.retry {
        Retry::Default if idempotent || inner.config.retry_invocations => client,
        Retry::Default | Retry::Off => RetryPolicy::NONE,
        Retry::On => client,
        Retry::Policy(p) => p,
    }
}

/// Whether an answer is worth another attempt: throttling (not a disabled function) and transient 5xx.
fn retryable(status: u16, text: &JsString) -> bool {
    retryable_status(status, || text.includes("Function Disabled", 0))
}

/// The rule of [`retryable`]: `disabled` says whether a 429 is for a disabled function.
fn retryable_status(status: u16, disabled: impl FnOnce() -> bool) -> bool {
    match status {
        429 => !disabled(),
        500 | 502 | 503 | 504 => true,
        _ => false,
    }
}

/// `Retry-After` in whole seconds, as ms.
fn retry_after_ms(response: &Response) -> Option<f64> {
    let value = response.headers().get(h::RETRY_AFTER)?;
    let value = value.trim();
    let secs: u32 = (value.len() <= 9).then(|| value.parse().ok())??;
    Some(f64::from(secs) * 1000.0)
}

/// Full-jitter exponential backoff before attempt `attempt + 1`, never shorter than `Retry-After`.
/// `random` is a fraction in [0, 1) (`Math.random()`).
fn backoff_ms(policy: &RetryPolicy, attempt: u32, retry_after: Option<f64>, random: f64) -> f64 {
    let ceiling =
        (policy.base_delay_ms * 2f64.powi(attempt.min(20) as i32)).min(policy.max_delay_ms);
    let jittered = random * ceiling;
    retry_after.map_or(jittered, |r| r.max(jittered))
}

/// The secrets among `credentials`.
fn secrets(credentials: Option<&Credentials>) -> Vec<String> {
    match credentials {
        None => Vec::new(),
        Some(Credentials::Token(token)) => vec![token.clone()],
        Some(Credentials::AccessKey {
            secret_key,
            security_token,
            ..
        }) => {
            let mut out = vec![secret_key.clone()];
            out.extend(security_token.iter().cloned());
            out
        }
    }
}

/// The credentials of the next attempt.
async fn credentials(source: &CredentialSource) -> Result<Option<Credentials>, Error> {
    match source {
        CredentialSource::None => Ok(None),
        CredentialSource::Static(c) => Ok(Some(c.clone())),
        CredentialSource::Provider(provider) => provider().await.map(Some),
    }
}

/// The headers of one attempt: the operation's, the client's, and authentication
/// (signed for AK/SK, which adds `X-Sdk-Date`, `X-Security-Token` and `Authorization`).
/// `payload_hash` keeps the body's hash for the call's next attempts: the body is the same.
fn attempt_headers(
    inner: &Inner,
    req: &Prepared,
    credentials: Option<&Credentials>,
    payload_hash: &mut Option<String>,
) -> Result<Vec<(String, String)>, Error> {
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    headers.extend(req.headers.iter().cloned());
    headers.extend(inner.config.headers.iter().cloned());
    match credentials {
        None => {}
        Some(Credentials::Token(token)) => headers.push((h::AUTH_TOKEN.to_owned(), token.clone())),
        Some(Credentials::AccessKey {
            access_key,
            secret_key,
            security_token,
        }) => {
            headers.push((h::PROJECT_ID.to_owned(), inner.config.project_id.clone()));
            if let Some(token) = security_token {
                headers.push((h::SECURITY_TOKEN.to_owned(), token.clone()));
            }
            let date = format_sdk_date((now_ms() / 1000.0).floor() as i64);
            headers.push((h::SDK_DATE.to_owned(), date));
            let (path, raw_query) = req.path.split_once('?').unwrap_or((&req.path, ""));
            let query = decode(raw_query).unwrap_or_default();
            // `Host` is signed, not set: the platform sends it.
            headers.push(("host".to_owned(), inner.endpoint.host.clone()));
            let payload_hash = payload_hash.get_or_insert_with(|| match &req.body {
                Some(event) => event.sha256_hex(),
                None => functiongraph_protocol::sign::sha256_hex(b""),
            });
            let signature = sign_hashed(
                &SignableRequest {
                    method: req.method,
                    path: &format!("{}{}", inner.endpoint_path(), path),
                    query: &query,
                    headers: &headers,
                    body: &[],
                },
                payload_hash,
                access_key,
                secret_key,
            )
            .map_err(|e| Error::invalid("request", e.to_string()))?;
            headers.pop();
            headers.push((h::AUTHORIZATION.to_owned(), signature.authorization));
        }
    }
    // Browsers send their own User-Agent (and ours would need a CORS allowance); it is not signed.
    if !in_browser_page() {
        headers.push(("user-agent".to_owned(), inner.user_agent.clone()));
    }
    Ok(headers)
}

/// One attempt through gloo-net: the request is built as a `web_sys::Request` from the
/// signed URL (gloo's builder would re-encode the query) and wrapped.
async fn fetch_once(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<&Event>,
    signal: Option<&AbortSignal>,
    cap: usize,
) -> Result<(Response, Read), JsValue> {
    let init = RequestInit::new();
    init.set_method(method);
    let raw_headers = web_sys::Headers::new()?;
    for (name, value) in headers {
        raw_headers.append(name, value)?;
    }
    init.set_headers(&raw_headers);
    if let Some(body) = body {
        init.set_body(body.as_js());
    }
    init.set_signal(signal);
    // Never follow a redirect: fetch would send the token, or the signed headers, and the
    // event to wherever the answer points. A 3xx is an error of its own (see `redirect`).
    init.set_redirect(RequestRedirect::Manual);
    let request = Request::from(web_sys::Request::new_with_str_and_init(url, &init)?);
    let response = web_sys::Response::from(request.send().await.map_err(gloo_error)?);
    let body = body::read(&response, cap).await?;
    Ok((Response::from(response), body))
}

/// The error for a redirect: its status and where it pointed, without the query (which
/// could carry a secret). Browsers hide both from a manual redirect (status 0).
fn redirect(response: &Response, attempts: u32) -> Option<Error> {
    let status = response.status();
    let opaque = response.type_() == ResponseType::Opaqueredirect;
    if !(opaque || (300..400).contains(&status)) {
        return None;
    }
    let location = response.headers().get("location").map_or_else(
        || "a location the platform does not show".to_owned(),
        |l| l.split(['?', '#']).next().unwrap_or_default().to_owned(),
    );
    Some(Error::Response {
        status,
        reason: format!(
            "the service answered with a redirect (HTTP {status}) to {location}; the client does not follow redirects, which would send the credentials and the event elsewhere"
        ),
        request_id: None,
        body: String::new(),
        attempts: Some(attempts),
    })
}

/// The platform's words for a request that got no answer ("fetch failed", "Failed to
/// fetch"), as gloo-net kept them.
fn network_message(error: &JsValue) -> String {
    Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_default()
}

/// gloo-net keeps a JS error's name and message, not the object: make it an `Error` again.
fn gloo_error(error: gloo_net::Error) -> JsValue {
    match error {
        gloo_net::Error::JsError(e) => {
            let out = js_sys::Error::new(&e.message);
            out.set_name(&e.name);
            out.into()
        }
        // `send()`'s own error: fetch resolved with something that is not a `Response`
        // (patches/gloo-net; upstream panics). Its description of the value is not shown:
        // a mock's object may hold anything.
        _ => js_sys::TypeError::new(
            "fetch resolved with something that is not a Response (a mocked or polyfilled fetch, or a Response of another realm)",
        )
        .into(),
    }
}

fn report(hook: Option<&crate::hooks::Hook>, attempt: &Attempt) {
    if let Some(hook) = hook {
        hook(attempt);
    }
}

/// Sends `req`, retrying as the call's policy says, and reads the whole answer.
pub(crate) async fn send(
    inner: &Inner,
    req: &Prepared,
    call: &CallOptions,
) -> Result<Answer, Error> {
    if let Some(signal) = &call.signal {
        if signal.aborted() {
            return Err(Error::Aborted(signal.reason()));
        }
    }
    let timeout = call.timeout_ms.unwrap_or(inner.config.timeout_ms);
    let guard = CallSignal::new(call.signal.as_ref(), timeout);
    let signal = guard.signal();
    let policy = policy(inner, call, req.idempotent);
    let url = format!("{}{}", inner.endpoint.base, req.path);
    let observed = inner.config.on_request.is_some() || inner.config.on_response.is_some();
    let mut attempt = 1;
    let mut payload_hash = None;
    loop {
        // Fresh credentials and a fresh signature (X-Sdk-Date) for every attempt.
        let credentials = credentials(&inner.config.credentials).await?;
        if let Some(failure) = guard.failure() {
            return Err(failure);
        }
        let headers = attempt_headers(inner, req, credentials.as_ref(), &mut payload_hash)?;
        let mut info = observed.then(|| Attempt {
            method: req.method,
            url: url.clone(),
            attempt,
            headers: redacted(&headers),
            outcome: None,
        });
        if let Some(info) = &info {
            report(inner.config.on_request.as_ref(), info);
        }
        let started = now_ms();
        let cap = inner.config.max_response_bytes;
        let result = fetch_once(
            req.method,
            &url,
            &headers,
            req.body.as_ref(),
            signal.as_ref(),
            cap,
        )
        .await;
        let aborted = if result.is_err() {
            guard.failure()
        } else {
            None
        };
        if let Some(info) = &mut info {
            info.outcome = Some(Outcome {
                duration_ms: now_ms() - started,
                result: match &result {
                    Ok((response, _)) => Ok((response.status(), request_id(&response.headers()))),
                    Err(_) if aborted.is_some() => Err(Failure::Aborted),
                    Err(e) => Err(Failure::Network(e.clone())),
                },
            });
            report(inner.config.on_response.as_ref(), info);
        }
        if let (Err(_), Some(failure)) = (&result, aborted) {
            return Err(failure);
        }
        let retry_after = match result {
            Err(cause) => {
                if attempt >= policy.max_attempts {
                    return Err(Error::Network {
                        method: req.method.to_owned(),
                        // The path only: the query says nothing the reader needs, and a
                        // message should not grow with it.
                        url: url.split(['?', '#']).next().unwrap_or_default().to_owned(),
                        // gloo-net keeps the platform's name and message, not its
                        // `cause` (Node's ECONNREFUSED): see README, "How the client is built".
                        message: network_message(&cause),
                        attempts: attempt,
                        cause: Some(cause),
                    });
                }
                None
            }
            Ok((response, body)) => {
                if let Some(e) = redirect(&response, attempt) {
                    return Err(e);
                }
                let status = response.status();
                let Read::Text(text) = body else {
                    return Err(Error::Response {
                        status,
                        reason: format!(
                            "the answer is larger than maxResponseBytes ({cap} bytes) and was not read further"
                        ),
                        request_id: request_id(&response.headers()),
                        body: String::new(),
                        attempts: Some(attempt),
                    });
                };
                if attempt >= policy.max_attempts || !retryable(status, &text) {
                    return Ok(Answer {
                        status,
                        headers: response.headers(),
                        text,
                        attempts: attempt,
                        secrets: secrets(credentials.as_ref()),
                    });
                }
                retry_after_ms(&response)
            }
        };
        let delay = backoff_ms(&policy, attempt - 1, retry_after, js_sys::Math::random());
        if sleep(delay, signal.as_ref()).await.is_err() {
            return Err(guard
                .failure()
                .unwrap_or(Error::Aborted(JsValue::UNDEFINED)));
        }
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_under_a_cap_and_never_shorter_than_retry_after() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay_ms: 100.0,
            max_delay_ms: 1_000.0,
        };
        assert_eq!(backoff_ms(&p, 0, None, 0.5), 50.0);
        assert_eq!(backoff_ms(&p, 2, None, 0.999), 399.6);
        assert_eq!(
            backoff_ms(&p, 9, None, 0.5),
            500.0,
            "capped at max_delay_ms"
        );
        assert_eq!(
            backoff_ms(&p, 60, None, 1.0),
            1_000.0,
            "no overflow far out"
        );
        assert_eq!(backoff_ms(&p, 0, Some(3_000.0), 0.5), 3_000.0);
        assert_eq!(backoff_ms(&p, 0, Some(10.0), 0.5), 50.0);
    }

    #[test]
    fn redact_replaces_every_occurrence_and_keeps_the_rest() {
        assert_eq!(redact("", "k"), "");
        assert_eq!(redact("abc", ""), "abc", "an empty secret replaces nothing");
        assert_eq!(redact("kk-k", "k"), "[REDACTED][REDACTED]-[REDACTED]");
        assert_eq!(
            redact("é sk=s3cr3t; again s3cr3ts3cr3", "s3cr3t"),
            "é sk=[REDACTED]; again [REDACTED]s3cr3"
        );
        assert_eq!(redact("ключ ключ", "юч"), "кл[REDACTED] кл[REDACTED]");
    }

    #[test]
    fn what_is_retried() {
        for status in [500, 502, 503, 504] {
            assert!(retryable_status(status, || false));
        }
        assert!(retryable_status(429, || false), "throttled");
        assert!(
            !retryable_status(429, || true),
            "a disabled function stays disabled"
        );
        for status in [400, 401, 403, 404, 501, 200] {
            assert!(!retryable_status(status, || false), "{status}");
        }
    }
}
