//! `signRequest`: the SDK-HMAC-SHA256 signer as a public function, for any Huawei
//! Cloud API request (and for measuring the signer on its own).

use functiongraph_protocol::headers as h;
use functiongraph_protocol::query::decode;
use functiongraph_protocol::sign::{sign, SignableRequest};
use functiongraph_protocol::time::format_sdk_date;
use js_sys::Object;
use wasm_bindgen::prelude::*;

use crate::errors::Invalid;
use crate::jsobj::{get, opt_string, options_object, req_string, set};

fn split_url(url: &str) -> Result<(String, String, String), Invalid> {
    let field = "request.url";
    let rest = url
        .strip_prefix("https://")
        .map(|r| (r, ":443"))
        .or_else(|| url.strip_prefix("http://").map(|r| (r, ":80")))
        .ok_or_else(|| Invalid::new(field, "must be an absolute http(s) URL"))?;
    let (rest, default_port) = rest;
    let (authority, path_query) = rest
        .split_once('/')
        .map_or((rest, String::from("/")), |(a, p)| (a, format!("/{p}")));
    let path_query = path_query.split('#').next().unwrap_or("/").to_owned();
    let (path, query) = path_query
        .split_once('?')
        .map_or((path_query.clone(), String::new()), |(p, q)| {
            (p.to_owned(), q.to_owned())
        });
    if authority.is_empty() {
        return Err(Invalid::new(field, "must name a host"));
    }
    let host = authority
        .strip_suffix(default_port)
        .unwrap_or(authority)
        .to_ascii_lowercase();
    Ok((host, path, query))
}

/// Signs a request with SDK-HMAC-SHA256, as the official Huawei Cloud SDKs do, and
/// returns the headers to send: the given ones plus `X-Sdk-Date`, `X-Security-Token`
/// (temporary credentials) and `Authorization`. `Host` is signed but not returned:
/// the platform sends it. Throws `ValidationError` for bad arguments.
#[wasm_bindgen(js_name = signRequest)]
pub fn sign_request(
    request: JsValue,
    credentials: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let request = options_object(request, "request")?
        .ok_or_else(|| Invalid::new("request", "is required"))?;
    let method = req_string(&request, "method", "request.method")?.to_ascii_uppercase();
    let url = req_string(&request, "url", "request.url")?;
    let body = opt_string(&request, "body", "request.body")?.unwrap_or_default();
    let (host, path, raw_query) = split_url(&url)?;
    let query =
        decode(&raw_query).ok_or_else(|| Invalid::new("request.url", "has a malformed query"))?;
    let credentials = options_object(credentials, "credentials")?.unwrap_or_default();
    let access_key = req_string(&credentials, "accessKey", "credentials.accessKey")?;
    let secret_key = req_string(&credentials, "secretKey", "credentials.secretKey")?;
    let security_token = opt_string(&credentials, "securityToken", "credentials.securityToken")?;
    let date_ms = match options_object(options, "options")?.map(|o| get(&o, "date")) {
        Some(d) if d.is_instance_of::<js_sys::Date>() => js_sys::Date::from(d).get_time(),
        Some(d) if !d.is_undefined() && !d.is_null() => {
            return Err(Invalid::new("options.date", "must be a Date").into())
        }
        _ => js_sys::Date::now(),
    };
    if !date_ms.is_finite() {
        return Err(Invalid::new("options.date", "is an invalid Date").into());
    }

    let mut headers: Vec<(String, String)> = Vec::new();
    let given = get(&request, "headers");
    if let Some(obj) = options_object(given, "request.headers")? {
        for key in Object::keys(obj.unchecked_ref::<Object>()).iter() {
            let name = key.as_string().unwrap_or_default();
            let value = get(&obj, &name).as_string().ok_or_else(|| {
                Invalid::new(
                    "request.headers",
                    format!("the value of '{name}' must be a string"),
                )
            })?;
            headers.push((name, value));
        }
    }
    headers.retain(|(k, _)| {
        !k.eq_ignore_ascii_case(h::AUTHORIZATION) && !k.eq_ignore_ascii_case(h::SDK_DATE)
    });
    headers.push((
        "X-Sdk-Date".to_owned(),
        format_sdk_date((date_ms / 1000.0).floor() as i64),
    ));
    if let Some(token) = security_token.filter(|t| !t.is_empty()) {
        headers.push(("X-Security-Token".to_owned(), token));
    }
    let mut signed = headers.clone();
    if !signed.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        signed.push(("Host".to_owned(), host));
    }
    let sig = sign(
        &SignableRequest {
            method: &method,
            path: &path,
            query: &query,
            headers: &signed,
            body: body.as_bytes(),
        },
        &access_key,
        &secret_key,
    )
    .map_err(|e| Invalid::new("request", e.to_string()))?;
    let out = Object::new();
    for (k, v) in &headers {
        set(&out, k, &JsValue::from_str(v));
    }
    set(
        &out,
        "Authorization",
        &JsValue::from_str(&sig.authorization),
    );
    Ok(out.into())
}
