//! What the `on_request` / `on_response` hooks see of each attempt, secrets redacted.

use std::rc::Rc;

use wasm_bindgen::JsValue;

/// Headers whose values are never shown.
const SECRET_HEADERS: [&str; 3] = ["authorization", "x-auth-token", "x-security-token"];

/// Called with each attempt; a hook must not fail the call it observes.
pub type Hook = Rc<dyn Fn(&Attempt)>;

/// One attempt of a call.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Full URL, query included.
    pub url: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Lower-case names; secrets are `[REDACTED]`.
    pub headers: Vec<(String, String)>,
    /// How it ended; `None` before it was sent.
    pub outcome: Option<Outcome>,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Time of the attempt, ms.
    pub duration_ms: f64,
    /// The answer's status and request id, or why there was none.
    pub result: Result<(u16, Option<String>), Failure>,
}

/// Why an attempt got no answer.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The call was aborted or timed out.
    Aborted,
    /// The platform's error (network failure).
    Network(JsValue),
}

/// `headers` with the secrets' values replaced.
pub(crate) fn redacted(headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        let value = if SECRET_HEADERS.contains(&name.as_str()) {
            "[REDACTED]".to_owned()
        } else {
            value.clone()
        };
        out.push((name.clone(), value));
    }
    out
}
