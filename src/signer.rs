//! The SDK-HMAC-SHA256 signer behind `signRequest` and the client's AK/SK calls.
//!
//! `js/signer.js` checks the arguments and packs the request into one string, so a
//! signature costs one crossing in and one out: reading the same fields one by one
//! through `Reflect` cost more than the hashing itself.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use functiongraph_protocol::query::decode;
use functiongraph_protocol::sign::{sign, SignableRequest};
use functiongraph_protocol::time::format_sdk_date;
use wasm_bindgen::prelude::*;

use crate::errors::{answer, Invalid};

/// `(host, path, raw query)` of an absolute http(s) URL; `Host` as the platform sends
/// it (lower-case, default port dropped).
fn split_url(url: &str) -> Result<(String, &str, &str), Invalid> {
    let field = "request.url";
    let (rest, default_port) = if let Some(r) = url.strip_prefix("https://") {
        (r, ":443")
    } else if let Some(r) = url.strip_prefix("http://") {
        (r, ":80")
    } else {
        return Err(Invalid::new(field, "must be an absolute http(s) URL"));
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_query) = rest.split_at_checked(end).unwrap_or((rest, ""));
    if authority.is_empty() {
        return Err(Invalid::new(field, "must name a host"));
    }
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    let host = authority
        .strip_suffix(default_port)
        .unwrap_or(authority)
        .to_ascii_lowercase();
    Ok((host, if path.is_empty() { "/" } else { path }, query))
}

/// Signs a packed request and its body, and returns `"{X-Sdk-Date}\n{Authorization}"`.
///
/// The packing, each field followed by `\n` (which no field may contain): method,
/// url, access key, secret key, signing time (whole seconds since the epoch), header
/// count, then each header's name and value. `Host` is signed from the URL unless a
/// header gives it. The body is separate, so a large one is not copied into the packing.
#[wasm_bindgen(js_name = signPacked)]
pub fn sign_packed(packed: &str, body: &str) -> String {
    answer(sign_unpacked(packed, body))
}

fn sign_unpacked(packed: &str, body: &str) -> Result<String, Invalid> {
    let bad = || Invalid::new("request", "could not be read for signing");
    let mut rest = packed;
    let mut next = || -> Result<&str, Invalid> {
        let (field, tail) = rest.split_once('\n').ok_or_else(bad)?;
        rest = tail;
        Ok(field)
    };
    let method = next()?;
    let url = next()?;
    let access_key = next()?;
    let secret_key = next()?;
    let secs: i64 = next()?.parse().map_err(|_| bad())?;
    let count: usize = next()?.parse().map_err(|_| bad())?;
    let mut headers = Vec::with_capacity(count + 2);
    for _ in 0..count {
        let name = next()?;
        let value = next()?;
        headers.push((name.to_owned(), value.to_owned()));
    }
    if !rest.is_empty() {
        return Err(bad());
    }
    let (host, path, raw_query) = split_url(url)?;
    let query =
        decode(raw_query).ok_or_else(|| Invalid::new("request.url", "has a malformed query"))?;
    let date = format_sdk_date(secs);
    headers.push(("x-sdk-date".to_owned(), date.clone()));
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        headers.push(("host".to_owned(), host));
    }
    let signature = sign(
        &SignableRequest {
            method,
            path,
            query: &query,
            headers: &headers,
            body: body.as_bytes(),
        },
        access_key,
        secret_key,
    )
    .map_err(|_| bad())?;
    let mut out = date;
    out.push('\n');
    out.push_str(&signature.authorization);
    Ok(out)
}
