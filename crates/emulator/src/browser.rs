//! Safe browser access by default: the `Host` header must name this machine (loopback
//! names, IP literals, or configured names), so a web page cannot reach the emulator
//! through DNS rebinding; CORS admits loopback pages unless configured otherwise; and
//! `/_emulator/info` keeps the dev credentials from other origins. Compare Vite's dev
//! server after CVE-2025-24010 (`server.allowedHosts`, loopback CORS by default).

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use functiongraph_protocol::headers::REQUEST_ID;
use tower_http::cors::AllowOrigin;

use crate::state::AppState;

/// `error_code` of a request whose `Host` is not allowed (the emulator's own refusal;
/// the service never sees such a request).
pub const HOST_NOT_ALLOWED: &str = "EMULATOR.0403";

/// The host name of a `Host` header value, without its port, lowercased.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [v6]:port
        rest.split_once(']').map_or(host, |(inside, _)| inside)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `name` (a host without port) may address the emulator: `localhost` and its
/// subdomains and IP literals (a rebinding page can only send a DNS name), plus the
/// configured names (`"*"` for any).
pub fn host_allowed(name: &str, allowed: &[String]) -> bool {
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok()
        || allowed.iter().any(|a| a == "*" || host_name(a) == name)
}

/// Middleware: refuses a request whose `Host` is not allowed with 403 and a JSON error,
/// with an `X-Request-Id` as every other answer has (docs/openapi.yaml).
/// A request without `Host` (HTTP/1.0 tools) comes from no browser and passes.
pub async fn check_host(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().map(host_name).unwrap_or_default());
    match host {
        Some(name) if !host_allowed(&name, &state.config.allowed_hosts) => {
            let body = serde_json::json!({
                "error_code": HOST_NOT_ALLOWED,
                "error_msg": format!(
                    "Host '{name}' is not allowed: the emulator answers loopback names and IP \
                     addresses; add the name with --allowed-host or allowed_hosts in the config"
                ),
            });
            let request_id = uuid::Uuid::new_v4().to_string();
            (
                StatusCode::FORBIDDEN,
                [
                    (header::CONTENT_TYPE, "application/json".to_owned()),
                    (HeaderName::from_static(REQUEST_ID), request_id),
                ],
                body.to_string(),
            )
                .into_response()
        }
        _ => next.run(req).await,
    }
}

/// Whether `origin` matches one configured pattern: `"*"`, an exact origin, or
/// `scheme://host:*` for that host on any port (or none).
fn origin_matches(origin: &str, pattern: &str) -> bool {
    if pattern == "*" || origin.eq_ignore_ascii_case(pattern) {
        return true;
    }
    let Some(prefix) = pattern.strip_suffix(":*") else {
        return false;
    };
    let origin = origin.to_ascii_lowercase();
    let prefix = prefix.to_ascii_lowercase();
    origin == prefix
        || origin
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|port| !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()))
}

/// The CORS origins from the configuration.
pub fn allow_origin(patterns: &[String]) -> AllowOrigin {
    if patterns.iter().any(|p| p == "*") {
        return AllowOrigin::any();
    }
    let patterns = patterns.to_vec();
    AllowOrigin::predicate(move |origin: &HeaderValue, _| {
        origin
            .to_str()
            .is_ok_and(|o| patterns.iter().any(|p| origin_matches(o, p)))
    })
}

/// Whether a request comes from a page of another origin than the emulator's own: its
/// `Origin` names another host or port than its `Host`. Browsers send no `Origin` on a
/// same-origin GET, and tools send none at all.
pub fn is_cross_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let origin = origin.to_str().unwrap_or("null");
    let authority = origin.split_once("://").map(|(_, rest)| rest);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (authority, host) {
        (Some(authority), Some(host)) => !authority.eq_ignore_ascii_case(host),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_lose_their_port() {
        assert_eq!(host_name("localhost:8787"), "localhost");
        assert_eq!(host_name("[::1]:8787"), "::1");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_name("Example.COM.:80"), "example.com");
    }

    #[test]
    fn loopback_and_ip_hosts_pass_names_need_configuring() {
        for ok in [
            "localhost",
            "app.localhost",
            "127.0.0.1",
            "::1",
            "192.168.1.5",
        ] {
            assert!(host_allowed(ok, &[]), "{ok}");
        }
        assert!(!host_allowed("evil.example", &[]));
        assert!(!host_allowed("localhost.evil.example", &[]));
        assert!(host_allowed("dev.box", &["dev.box".into()]));
        assert!(host_allowed("anything", &["*".into()]));
    }

    #[test]
    fn origin_patterns() {
        let p = "http://localhost:*";
        assert!(origin_matches("http://localhost:5173", p));
        assert!(origin_matches("http://localhost", p));
        assert!(!origin_matches("http://localhost.evil.example", p));
        assert!(!origin_matches("http://localhost:5173.evil.example", p));
        assert!(!origin_matches("https://localhost:5173", p));
        assert!(origin_matches("http://[::1]:3000", "http://[::1]:*"));
        assert!(origin_matches("https://app.example", "https://app.example"));
        assert!(!origin_matches(
            "https://app.example.evil",
            "https://app.example"
        ));
    }
}
