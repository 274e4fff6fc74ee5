//! The client's errors. They keep their fields until the one place that turns them
//! into the JS classes of `js/errors.js`. No message ever carries a secret.

use js_sys::Object;
use wasm_bindgen::JsValue;

use crate::js::make_error;
use crate::jsobj::set;

/// Why a call failed.
#[derive(Debug)]
pub enum ClientError {
    /// An argument was refused before any request.
    Validation {
        /// The argument (`functionUrn`, `event`, `options.limit`, ...).
        field: String,
        /// What is wrong.
        message: String,
        /// A JS error behind it (e.g. a credentials provider that threw).
        cause: JsValue,
    },
    /// The service answered with an error status.
    Service {
        /// HTTP status.
        status: u16,
        /// `error_code`, or "" when the body had none.
        code: String,
        /// `error_msg`, or a snippet of the body.
        message: String,
        /// `X-Request-Id`.
        request_id: Option<String>,
        /// Requests sent, retries included.
        attempts: u32,
    },
    /// No answer: `fetch` itself failed.
    Network {
        /// The platform's error.
        cause: JsValue,
        /// Requests sent, retries included.
        attempts: u32,
    },
    /// A 2xx answer that cannot be understood.
    Response {
        /// What is wrong with it.
        message: String,
        /// HTTP status.
        status: u16,
        /// Request id, when known.
        request_id: Option<String>,
        /// The first 1 KB of the body.
        body: String,
        /// Requests sent, retries included.
        attempts: u32,
    },
    /// Aborted (by the caller's signal or the timeout): rejected with the signal's
    /// reason unchanged, as `fetch` does.
    Aborted(JsValue),
}

impl ClientError {
    /// A validation error with no cause.
    pub fn invalid(field: &str, message: impl Into<String>) -> ClientError {
        ClientError::Validation {
            field: field.to_owned(),
            message: message.into(),
            cause: JsValue::UNDEFINED,
        }
    }
}

fn opt(s: &Option<String>) -> JsValue {
    s.as_deref().map_or(JsValue::NULL, JsValue::from_str)
}

impl From<ClientError> for JsValue {
    fn from(e: ClientError) -> JsValue {
        let fields = Object::new();
        match e {
            ClientError::Validation {
                field,
                message,
                cause,
            } => {
                set(&fields, "field", &JsValue::from_str(&field));
                make_error(
                    "ValidationError",
                    &format!("{field}: {message}"),
                    &fields,
                    &cause,
                )
            }
            ClientError::Service {
                status,
                code,
                message,
                request_id,
                attempts,
            } => {
                set(&fields, "status", &JsValue::from(status));
                set(&fields, "attempts", &JsValue::from(attempts));
                set(&fields, "errorCode", &JsValue::from_str(&code));
                set(&fields, "errorMsg", &JsValue::from_str(&message));
                set(&fields, "requestId", &opt(&request_id));
                let text = if code.is_empty() {
                    format!("HTTP {status}: {message}")
                } else {
                    format!("{code}: {message} (HTTP {status})")
                };
                make_error("ServiceError", &text, &fields, &JsValue::UNDEFINED)
            }
            ClientError::Network { cause, attempts } => {
                set(&fields, "attempts", &JsValue::from(attempts));
                let detail = js_sys::Reflect::get(&cause, &JsValue::from_str("message"))
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_default();
                make_error(
                    "NetworkError",
                    &format!("network error: {detail}"),
                    &fields,
                    &cause,
                )
            }
            ClientError::Response {
                message,
                status,
                request_id,
                body,
                attempts,
            } => {
                set(&fields, "status", &JsValue::from(status));
                set(&fields, "attempts", &JsValue::from(attempts));
                set(&fields, "requestId", &opt(&request_id));
                set(&fields, "body", &JsValue::from_str(&body));
                make_error("ResponseError", &message, &fields, &JsValue::UNDEFINED)
            }
            ClientError::Aborted(reason) => reason,
        }
    }
}
