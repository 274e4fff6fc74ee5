//! SDK-HMAC-SHA256 for any Huawei Cloud API request, as the official SDKs sign: what
//! `signRequest` exposes (the client signs its own AK/SK calls in `transport`).

use functiongraph_protocol::headers as h;
use functiongraph_protocol::query::decode;
use functiongraph_protocol::sign::{sign, SignableRequest};
use functiongraph_protocol::time::format_sdk_date;

use crate::config::{has_line_break, host_header, split_scheme};
use crate::error::Error;

/// A request to sign.
#[derive(Debug, Clone, Default)]
pub struct RequestToSign {
    /// HTTP method.
    pub method: String,
    /// Absolute http(s) URL, query included.
    pub url: String,
    /// Headers that will be sent (and signed).
    pub headers: Vec<(String, String)>,
    /// The exact body that will be sent.
    pub body: String,
}

/// `(host, path, raw query)` of an absolute http(s) URL; `Host` as the platform sends
/// it (lower-case, default port dropped).
fn split_url(url: &str) -> Result<(String, &str, &str), Error> {
    let field = "request.url";
    let (scheme, rest) = split_scheme(url)
        .ok_or_else(|| Error::invalid(field, "must be an absolute http(s) URL"))?;
    let rest = rest.split('#').next().unwrap_or_default();
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    // (Not `split_at`: see `crate::error::shown` on string slicing.)
    let (authority, path_query) = rest.split_at_checked(end).unwrap_or((rest, ""));
    if authority.is_empty() {
        return Err(Error::invalid(field, "must name a host"));
    }
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    let path = if path.is_empty() { "/" } else { path };
    Ok((host_header(scheme, authority), path, query))
}

/// Signs `request` at `secs` (seconds since the epoch) and returns the headers to send:
/// the given ones (less any `Authorization` or `X-Sdk-Date`) plus `X-Security-Token`
/// (temporary credentials), `X-Sdk-Date` and `Authorization`. `Host` is signed from the
/// URL unless given, and not returned: the platform sends it.
///
/// # Errors
/// [`Error::Validation`] for a URL, method, key or header the signature cannot cover.
pub fn sign_request(
    request: &RequestToSign,
    access_key: &str,
    secret_key: &str,
    security_token: Option<&str>,
    secs: i64,
) -> Result<Vec<(String, String)>, Error> {
    let method = request.method.to_ascii_uppercase();
    if method.is_empty() || has_line_break(&method) {
        return Err(Error::invalid("request.method", "must be a single line"));
    }
    if access_key.is_empty() {
        return Err(Error::invalid(
            "credentials.accessKey",
            "is required (a non-empty string)",
        ));
    }
    if secret_key.is_empty() {
        return Err(Error::invalid(
            "credentials.secretKey",
            "is required (a non-empty string)",
        ));
    }
    if has_line_break(access_key) || has_line_break(secret_key) {
        return Err(Error::invalid("credentials", "keys must be a single line"));
    }
    if has_line_break(&request.url) {
        return Err(Error::invalid(
            "request.url",
            "must be an absolute http(s) URL",
        ));
    }
    let (host, path, raw_query) = split_url(&request.url)?;
    let query =
        decode(raw_query).ok_or_else(|| Error::invalid("request.url", "has a malformed query"))?;
    let mut out = Vec::with_capacity(request.headers.len() + 3);
    for (name, value) in &request.headers {
        if name.is_empty() || has_line_break(name) || has_line_break(value) {
            return Err(Error::invalid(
                "request.headers",
                format!("'{name}' must be a single-line name and value"),
            ));
        }
        let lower = name.to_ascii_lowercase();
        if lower != h::AUTHORIZATION && lower != h::SDK_DATE {
            out.push((name.clone(), value.clone()));
        }
    }
    if let Some(token) = security_token.filter(|t| !t.is_empty()) {
        out.push(("X-Security-Token".to_owned(), token.to_owned()));
    }
    let date = format_sdk_date(secs);
    out.push(("X-Sdk-Date".to_owned(), date));
    // `Host` is signed but not returned: pushed for the signature only.
    let host_added = !out.iter().any(|(k, _)| k.eq_ignore_ascii_case("host"));
    if host_added {
        out.push(("host".to_owned(), host));
    }
    let signature = sign(
        &SignableRequest {
            method: &method,
            path,
            query: &query,
            headers: &out,
            body: request.body.as_bytes(),
        },
        access_key,
        secret_key,
    )
    .map_err(|e| Error::invalid("request", e.to_string()))?;
    if host_added {
        out.pop();
    }
    out.push(("Authorization".to_owned(), signature.authorization));
    Ok(out)
}
