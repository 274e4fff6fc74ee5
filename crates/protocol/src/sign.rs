//! `SDK-HMAC-SHA256`: the AK/SK request signature of the official Huawei Cloud SDKs,
//! for the client (sign) and the emulator (verify). Same canonical form both ways.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::encoding::{hex, percent_decode, quote_into};
use crate::headers::{SDK_CONTENT_SHA256, SDK_DATE};
use crate::limits::SDK_DATE_SKEW_SECS;
use crate::time::parse_sdk_date;

/// The algorithm name at the start of `Authorization`.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// `X-Sdk-Content-Sha256` value for bodies the signature does not cover.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// A request as the signature sees it. Header names may be in any case; the caller
/// passes every header it sends (or, verifying, every header it received).
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path as sent on the wire (encoded or not: it is decoded, then re-encoded).
    pub path: &'a str,
    /// Query parameters, decoded, in any order.
    pub query: &'a [(String, String)],
    /// Headers.
    pub headers: &'a [(String, String)],
    /// Body bytes.
    pub body: &'a [u8],
}

/// Whether a body of this content type is left out of the signature: the SDKs hash
/// only JSON and BSON bodies and mark others `UNSIGNED-PAYLOAD`.
pub fn is_unsigned_content_type(content_type: &str) -> bool {
    let ct = content_type.trim_start().to_ascii_lowercase();
    !(ct.starts_with("application/json") || ct.starts_with("application/bson"))
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Canonical URI: decode, encode each segment, and end with `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    push_canonical_uri(&mut out, path);
    out
}

/// [`canonical_uri`], appended to `out` (which, if not empty, ends with a line break).
fn push_canonical_uri(out: &mut String, path: &str) {
    let decoded = percent_decode(path);
    for (i, segment) in decoded.as_deref().unwrap_or(path).split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        quote_into(out, segment);
    }
    if !out.ends_with('/') {
        out.push('/');
    }
}

/// Canonical query: pairs sorted by key then value, each part encoded.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut out = String::new();
    push_canonical_query(&mut out, query);
    out
}

/// [`canonical_query`], appended to `out`.
fn push_canonical_query(out: &mut String, query: &[(String, String)]) {
    let mut sorted = query.to_vec();
    sort_pairs(&mut sorted);
    crate::query::encode_into(out, &sorted);
}

/// Sorts pairs by name, then value: the order of the canonical query and headers.
///
/// In wasm, where a request has a handful of headers and parameters, an insertion sort:
/// the standard sorts would add ~4 KB to the client's download. Elsewhere (the emulator
/// verifies whatever it is sent) the standard sort.
pub fn sort_pairs(pairs: &mut [(String, String)]) {
    #[cfg(target_arch = "wasm32")]
    for i in 1..pairs.len() {
        let mut j = i;
        while j > 0 && pairs[j - 1] > pairs[j] {
            pairs.swap(j - 1, j);
            j -= 1;
        }
    }
    // Unstable is fine: equal pairs are identical.
    #[cfg(not(target_arch = "wasm32"))]
    pairs.sort_unstable();
}

/// The headers a signer signs: every one whose name has no `_`, lower-cased and
/// sorted, values trimmed, repeated names joined with `,` in the order sent.
fn signable_headers(headers: &[(String, String)], only: Option<&[&str]>) -> Vec<(String, String)> {
    // A list, not a map: a request has tens of headers at most (hyper caps the
    // emulator's at 100), and a map's code would weigh on the wasm client.
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if name.contains('_') || only.is_some_and(|o| !o.contains(&name.as_str())) {
            continue;
        }
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, joined)) => {
                joined.push(',');
                joined.push_str(value.trim());
            }
            None => out.push((name, value.trim().to_owned())),
        }
    }
    // Names are unique now, so the order of values is the one sent.
    sort_pairs(&mut out);
    out
}

/// The canonical request and the signed-headers list for `headers`, each written
/// into one string (not joined from pieces: allocation was a tenth of a signature in wasm).
fn canonical_request(
    req: &SignableRequest<'_>,
    headers: &[(String, String)],
    payload_hash: &str,
) -> (String, String) {
    let mut signed = String::new();
    for (i, (n, _)) in headers.iter().enumerate() {
        if i > 0 {
            signed.push(';');
        }
        signed.push_str(n);
    }
    let mut canonical = String::with_capacity(256 + req.path.len());
    for c in req.method.chars() {
        canonical.push(c.to_ascii_uppercase());
    }
    canonical.push('\n');
    push_canonical_uri(&mut canonical, req.path);
    canonical.push('\n');
    push_canonical_query(&mut canonical, req.query);
    canonical.push('\n');
    for (n, v) in headers {
        for part in [n, ":", v, "\n"] {
            canonical.push_str(part);
        }
    }
    for part in ["\n", &signed, "\n", payload_hash] {
        canonical.push_str(part);
    }
    (canonical, signed)
}

/// `SDK-HMAC-SHA256\n{date}\n{hex sha256(canonical request)}`.
pub fn string_to_sign(date: &str, canonical_request: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + date.len() + 66);
    for part in [ALGORITHM, "\n", date, "\n"] {
        out.push_str(part);
    }
    out.push_str(&hex(&Sha256::digest(canonical_request.as_bytes())));
    out
}

fn hmac_hex(secret_key: &str, message: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret_key.as_bytes()).expect("any key length");
    mac.update(message.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Everything a signature is made of, for tests and debugging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// `;`-joined signed header names.
    pub signed_headers: String,
    /// Hex signature.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

/// Signs a request whose headers already include `Host` and `X-Sdk-Date` (and
/// `X-Sdk-Content-Sha256` where [`is_unsigned_content_type`] says so).
///
/// # Errors
/// [`SignError::MissingDate`] when there is no `X-Sdk-Date` header.
pub fn sign(
    req: &SignableRequest<'_>,
    access_key: &str,
    secret_key: &str,
) -> Result<Signature, SignError> {
    // A body marked with X-Sdk-Content-Sha256 is not hashed (see `sign_hashed`).
    let hash = match header(req.headers, SDK_CONTENT_SHA256) {
        Some(_) => String::new(),
        None => sha256_hex(req.body),
    };
    sign_hashed(req, &hash, access_key, secret_key)
}

/// A body's SHA-256, fed in pieces: for a signer whose body is not in one slice of
/// memory (the wasm client hashes a JavaScript string a chunk at a time).
#[derive(Debug, Clone, Default)]
pub struct PayloadHasher(Sha256);

impl PayloadHasher {
    /// Hashes the next bytes of the body.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The hex digest, as [`sign_hashed`] takes it.
    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// [`sign`] for a body already hashed (`payload_hash`, hex SHA-256, e.g. from a
/// [`PayloadHasher`]); `req.body` is not read.
///
/// # Errors
/// [`SignError::MissingDate`] when there is no `X-Sdk-Date` header.
pub fn sign_hashed(
    req: &SignableRequest<'_>,
    payload_hash: &str,
    access_key: &str,
    secret_key: &str,
) -> Result<Signature, SignError> {
    let date = header(req.headers, SDK_DATE).ok_or(SignError::MissingDate)?;
    let headers = signable_headers(req.headers, None);
    // The body's hash, unless the caller marked it with X-Sdk-Content-Sha256 (which it
    // then also signs, like every header it sends).
    let payload_hash = match header(req.headers, SDK_CONTENT_SHA256) {
        Some(v) => v.trim(),
        None => payload_hash,
    };
    let (canonical_request, signed_headers) = canonical_request(req, &headers, payload_hash);
    let string_to_sign = string_to_sign(date.trim(), &canonical_request);
    let signature = hmac_hex(secret_key, &string_to_sign);
    let mut authorization = String::with_capacity(128 + access_key.len() + signed_headers.len());
    for part in [
        ALGORITHM,
        " Access=",
        access_key,
        ", SignedHeaders=",
        &signed_headers,
        ", Signature=",
        &signature,
    ] {
        authorization.push_str(part);
    }
    Ok(Signature {
        canonical_request,
        string_to_sign,
        signed_headers,
        signature,
        authorization,
    })
}

/// Signing could not be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignError {
    /// The request has no `X-Sdk-Date` header.
    MissingDate,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::MissingDate => f.write_str("the request has no X-Sdk-Date header to sign"),
        }
    }
}

impl std::error::Error for SignError {}

/// A parsed `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// Access key id.
    pub access_key: String,
    /// Lower-case signed header names, in the order given.
    pub signed_headers: Vec<String>,
    /// Hex signature as given.
    pub signature: String,
}

/// Why a signature was refused. Messages never contain secrets or the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// `Authorization` is not `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
    Malformed,
    /// `X-Sdk-Date` is missing, malformed, or not among the signed headers.
    BadDate,
    /// `X-Sdk-Date` is further than 15 minutes from the server's clock.
    Expired,
    /// A header named in `SignedHeaders` (or `host`) is missing from the request or the list.
    MissingHeader(String),
    /// The access key is not known.
    UnknownAccessKey,
    /// The signature does not match the request.
    Mismatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Malformed => {
                f.write_str("the Authorization header is not a valid SDK-HMAC-SHA256 authorization")
            }
            VerifyError::BadDate => f.write_str("X-Sdk-Date is missing, malformed or not signed"),
            VerifyError::Expired => write!(
                f,
                "X-Sdk-Date is more than {} minutes from the server time",
                SDK_DATE_SKEW_SECS / 60
            ),
            VerifyError::MissingHeader(h) => write!(f, "signed header '{h}' is missing"),
            VerifyError::UnknownAccessKey => f.write_str("the access key is not known"),
            VerifyError::Mismatch => f.write_str("verify aksk signature fail"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Parses an `Authorization` header value.
///
/// # Errors
/// [`VerifyError::Malformed`] when any part is missing or repeated.
pub fn parse_authorization(value: &str) -> Result<Authorization, VerifyError> {
    let rest = value
        .trim()
        .strip_prefix(ALGORITHM)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or(VerifyError::Malformed)?;
    let (mut access, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=').ok_or(VerifyError::Malformed)?;
        let slot = match k {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(VerifyError::Malformed),
        };
        if slot.replace(v).is_some() || v.is_empty() {
            return Err(VerifyError::Malformed);
        }
    }
    let (Some(access), Some(signed), Some(signature)) = (access, signed, signature) else {
        return Err(VerifyError::Malformed);
    };
    Ok(Authorization {
        access_key: access.to_owned(),
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature: signature.to_owned(),
    })
}

/// Compares without an early exit, so the time taken says nothing about where a
/// forged signature first differs.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Verifies a received request against `auth` with the secret key of its access key.
/// `now` is the server's clock in seconds since the epoch.
///
/// # Errors
/// [`VerifyError`] says why the request is refused.
pub fn verify(
    req: &SignableRequest<'_>,
    auth: &Authorization,
    secret_key: &str,
    now: i64,
) -> Result<(), VerifyError> {
    for required in [SDK_DATE, "host"] {
        if !auth.signed_headers.iter().any(|h| h == required) {
            return Err(if required == SDK_DATE {
                VerifyError::BadDate
            } else {
                VerifyError::MissingHeader(required.to_owned())
            });
        }
    }
    let date_value = header(req.headers, SDK_DATE).ok_or(VerifyError::BadDate)?;
    let date = parse_sdk_date(date_value.trim()).ok_or(VerifyError::BadDate)?;
    // Saturating: an absurd clock or date is expired, never an overflow.
    if now.saturating_sub(date).unsigned_abs() > SDK_DATE_SKEW_SECS.unsigned_abs() {
        return Err(VerifyError::Expired);
    }
    let only: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
    // X-Sdk-Content-Sha256 stands in for the body hash, so it counts only when signed
    // (an unsigned one added in transit is ignored), and then only as UNSIGNED-PAYLOAD
    // or as the body's real hash: otherwise a body could be swapped under a valid signature.
    let body_hash = sha256_hex(req.body);
    let payload_hash = match header(req.headers, SDK_CONTENT_SHA256).map(str::trim) {
        Some(claimed) if only.contains(&SDK_CONTENT_SHA256) => {
            if claimed != UNSIGNED_PAYLOAD && claimed != body_hash {
                return Err(VerifyError::Mismatch);
            }
            claimed.to_owned()
        }
        _ => body_hash,
    };
    let headers = signable_headers(req.headers, Some(&only));
    if let Some(missing) = only.iter().find(|n| !headers.iter().any(|(h, _)| h == *n)) {
        return Err(VerifyError::MissingHeader((*missing).to_owned()));
    }
    // Sign over the headers in the order the client listed them, so a reordered or
    // tampered list changes the string to sign and fails the comparison.
    let ordered: Vec<(String, String)> = only
        .iter()
        .filter_map(|n| headers.iter().find(|(h, _)| h == n).cloned())
        .collect();
    let (canonical, _) = canonical_request(req, &ordered, &payload_hash);
    let expected = hmac_hex(secret_key, &string_to_sign(date_value.trim(), &canonical));
    if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}
