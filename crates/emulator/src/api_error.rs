//! Error answers in the service's format: `{"error_code": "FSS.xxxx", "error_msg": "..."}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use functiongraph_protocol::headers::RETRY_AFTER;
use functiongraph_protocol::{ErrorBody, FssError};

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Body.
    pub body: ErrorBody,
    /// Seconds to wait before retrying (429, 503).
    pub retry_after: Option<u32>,
    /// The API gateway answers this one: its body carries the request id too.
    pub gateway: bool,
}

impl ApiError {
    /// `error` with the service's own message.
    pub fn fss(error: FssError) -> ApiError {
        ApiError::new(error, error.message)
    }

    /// `error` with a specific message (never containing a secret).
    pub fn new(error: FssError, msg: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: error.body_with(msg),
            retry_after: None,
            gateway: error.is_gateway(),
        }
    }

    /// Puts `request_id` in the body of a gateway answer, as the gateway does
    /// (`{"error_msg": …, "error_code": "APIGW.0301", "request_id": …}`); the service's
    /// own answers carry it only in the `X-Request-Id` header.
    pub fn with_request_id(mut self, request_id: &str) -> ApiError {
        if self.gateway {
            self.body.request_id = Some(request_id.to_owned());
        }
        self
    }

    /// Adds `Retry-After`.
    pub fn retry_after(mut self, secs: u32) -> ApiError {
        self.retry_after = Some(secs);
        self
    }

    /// A 500 whose details go to the log, not to the caller.
    pub fn internal(context: &str, detail: impl std::fmt::Display) -> ApiError {
        tracing::error!("{context}: {detail}");
        ApiError::fss(FssError::INTERNAL)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body).unwrap_or_default();
        let mut resp = (self.status, body).into_response();
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(secs) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
