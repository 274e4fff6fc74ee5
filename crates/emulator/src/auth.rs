//! Who may call: `X-Auth-Token` tokens and `SDK-HMAC-SHA256` signatures, checked
//! against the configuration, and the project in the path.

use axum::http::{HeaderMap, Method};
use functiongraph_protocol::error::{GATEWAY_BAD_TOKEN, GATEWAY_NO_TOKEN};
use functiongraph_protocol::headers::{AUTHORIZATION, AUTH_TOKEN, PROJECT_ID, SECURITY_TOKEN};
use functiongraph_protocol::sign::{
    constant_time_eq, parse_authorization, verify, SignableRequest, VerifyError,
};
use functiongraph_protocol::FssError;

use crate::api_error::ApiError;
use crate::config::Config;

/// The parts of a request authentication looks at.
pub struct AuthRequest<'a> {
    /// Method.
    pub method: &'a Method,
    /// Raw (still encoded) path.
    pub path: &'a str,
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
    /// Headers.
    pub headers: &'a HeaderMap,
    /// Body.
    pub body: &'a [u8],
    /// Project id from the path.
    pub project_id: &'a str,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Refuses the request unless it carries valid credentials for the configured project.
///
/// # Errors
/// 401 `APIGW.0301`, as the API gateway in front of the service answers, without
/// credentials, with a token it does not know, or with a signature that does not verify;
/// 403 `FSS.0403` for credentials of another project.
///
/// An unknown token gets the gateway's "decrypt token fail", not the service's 403
/// `FSS.0403` "invalid token" (the listing page's example): the gateway reads tokens
/// before the service sees the request, and a token this emulator was not given is one
/// no gateway could decrypt. Refusing at the gateway also keeps every credential
/// failure one answer, 401 `APIGW.0301`.
pub fn authenticate(config: &Config, req: &AuthRequest<'_>, now_secs: i64) -> Result<(), ApiError> {
    if config.no_auth {
        return check_project(config, req);
    }
    if let Some(token) = header(req.headers, AUTH_TOKEN) {
        let known = config.tokens.iter().fold(false, |found, t| {
            found | constant_time_eq(t.as_bytes(), token.as_bytes())
        });
        if !known {
            return Err(gateway(GATEWAY_BAD_TOKEN));
        }
        return check_project(config, req);
    }
    let Some(authorization) = header(req.headers, AUTHORIZATION) else {
        return Err(gateway(GATEWAY_NO_TOKEN));
    };
    verify_signature(config, req, authorization, now_secs)?;
    check_project(config, req)
}

fn gateway(detail: &str) -> ApiError {
    ApiError::new(FssError::GATEWAY_AUTH, FssError::gateway_message(detail))
}

fn refused(e: &VerifyError) -> ApiError {
    gateway(&e.to_string())
}

fn verify_signature(
    config: &Config,
    req: &AuthRequest<'_>,
    authorization: &str,
    now_secs: i64,
) -> Result<(), ApiError> {
    let auth = parse_authorization(authorization).map_err(|e| refused(&e))?;
    let key = config
        .access_key(&auth.access_key)
        .ok_or_else(|| refused(&VerifyError::UnknownAccessKey))?;
    if let Some(expected) = &key.security_token {
        let sent = header(req.headers, SECURITY_TOKEN).unwrap_or("");
        if !constant_time_eq(expected.as_bytes(), sent.as_bytes()) {
            return Err(refused(&VerifyError::Mismatch));
        }
    }
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let signable = SignableRequest {
        method: req.method.as_str(),
        path: req.path,
        query: req.query,
        headers: &headers,
        body: req.body,
    };
    verify(&signable, &auth, &key.secret_key, now_secs).map_err(|e| refused(&e))
}

fn check_project(config: &Config, req: &AuthRequest<'_>) -> Result<(), ApiError> {
    let header_project = header(req.headers, PROJECT_ID);
    if req.project_id != config.project_id || header_project.is_some_and(|p| p != req.project_id) {
        return Err(ApiError::new(
            FssError::FORBIDDEN,
            "Forbidden: the credentials are not valid for this project",
        ));
    }
    Ok(())
}
