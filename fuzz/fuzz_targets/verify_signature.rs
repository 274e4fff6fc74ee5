//! The signature verifier against arbitrary input, with a fixed secret.
//!
//! - `parse_authorization` never panics, and what it accepts survives being written
//!   back and parsed again.
//! - `verify` with an arbitrary `Authorization` never panics, and never accepts a
//!   signature other than the one the signer makes over the signed headers.
//! - A genuine signature, then a list of changes in transit (body bytes, signature
//!   characters, header values, unsigned headers added, query pairs, method, path,
//!   secret): `verify` answers exactly what a model built from `sign` says — accept
//!   when the signer, given only the signed headers, makes the same signature, and
//!   otherwise the same error. A signed `X-Sdk-Content-Sha256` must be
//!   `UNSIGNED-PAYLOAD` or the body's real hash; an unsigned one changes nothing.
#![no_main]

use functiongraph_protocol::sign::{
    parse_authorization, sha256_hex, sign, verify, Authorization, SignableRequest, VerifyError,
    UNSIGNED_PAYLOAD,
};
use functiongraph_protocol::time::{format_sdk_date, parse_sdk_date};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

const AK: &str = "QTWAOYTTINDUT2QVKYUC";
const SK: &str = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
/// 20240102T030405Z.
const T0: i64 = 1_704_164_645;
const SKEW: i64 = 15 * 60;

#[derive(Arbitrary, Debug)]
enum Date {
    /// A well-formed date this many seconds (mod 1200) from T0.
    Near(i16),
    /// Any text.
    Raw(String),
    /// No X-Sdk-Date header.
    Missing,
}

#[derive(Arbitrary, Debug)]
enum Change {
    BodyByte(usize, u8),
    BodyAppend(u8),
    SignatureChar(usize, u8),
    /// Replace the value of the header at this index.
    HeaderValue(usize, String),
    /// Add a header that is not signed (skipped when its name is signed).
    AddHeader(String, String),
    AddQuery(String, String),
    DropQuery(usize),
    FlipMethod,
    AppendPath(String),
    Secret(String),
    Clock(i16),
}

#[derive(Arbitrary, Debug)]
struct Input {
    authorization: String,
    post: bool,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    date: Date,
    clock: i16,
    changes: Vec<Change>,
}

#[derive(Clone, Debug)]
struct Req {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn signable(&self) -> SignableRequest<'_> {
        SignableRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }
}

fn first_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// An HTTP token (RFC 9110 `tchar`), as every real header name is.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// What `verify` should answer: its checks before the signature, in its order, then
/// "the signer, given only the signed headers, makes this exact signature and list".
fn model(req: &Req, auth: &Authorization, secret: &str, now: i64) -> Result<(), VerifyError> {
    let signed = &auth.signed_headers;
    if !signed.iter().any(|h| h == "x-sdk-date") {
        return Err(VerifyError::BadDate);
    }
    if !signed.iter().any(|h| h == "host") {
        return Err(VerifyError::MissingHeader("host".into()));
    }
    let date = first_header(&req.headers, "x-sdk-date").ok_or(VerifyError::BadDate)?;
    let date = parse_sdk_date(date.trim()).ok_or(VerifyError::BadDate)?;
    if (now - date).abs() > SKEW {
        return Err(VerifyError::Expired);
    }
    // A signed X-Sdk-Content-Sha256 must be UNSIGNED-PAYLOAD or the body's real hash;
    // an unsigned one is ignored (the signer, given only signed headers, never sees it).
    if signed.iter().any(|h| h == "x-sdk-content-sha256") {
        if let Some(claimed) = first_header(&req.headers, "x-sdk-content-sha256") {
            let claimed = claimed.trim();
            if claimed != UNSIGNED_PAYLOAD && claimed != sha256_hex(&req.body) {
                return Err(VerifyError::Mismatch);
            }
        }
    }
    for name in signed {
        let present = !name.contains('_')
            && req
                .headers
                .iter()
                .any(|(k, _)| k.to_ascii_lowercase() == *name);
        if !present {
            return Err(VerifyError::MissingHeader(name.clone()));
        }
    }
    let only_signed = Req {
        headers: req
            .headers
            .iter()
            .filter(|(k, _)| signed.contains(&k.to_ascii_lowercase()))
            .cloned()
            .collect(),
        ..req.clone()
    };
    let s = sign(&only_signed.signable(), AK, secret).expect("x-sdk-date is signed");
    if s.signed_headers == signed.join(";") && s.signature == auth.signature {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

fn check_parse_authorization(value: &str) -> Option<Authorization> {
    let auth = parse_authorization(value).ok()?;
    assert!(!auth.access_key.is_empty() && !auth.signature.is_empty());
    let written = format!(
        "SDK-HMAC-SHA256 Access={}, SignedHeaders={}, Signature={}",
        auth.access_key,
        auth.signed_headers.join(";"),
        auth.signature
    );
    assert_eq!(
        parse_authorization(&written).as_ref(),
        Ok(&auth),
        "{written:?}"
    );
    Some(auth)
}

fn apply(
    change: &Change,
    req: &mut Req,
    auth: &mut Authorization,
    secret: &mut String,
    now: &mut i64,
) {
    match change {
        Change::BodyByte(i, x) => {
            if !req.body.is_empty() {
                let i = i % req.body.len();
                req.body[i] ^= (*x).max(1);
            }
        }
        Change::BodyAppend(b) => req.body.push(*b),
        Change::SignatureChar(i, c) => {
            let mut sig: Vec<char> = auth.signature.chars().collect();
            if !sig.is_empty() {
                let i = i % sig.len();
                sig[i] = char::from(b"0123456789abcdef"[usize::from(c % 16)]);
                auth.signature = sig.into_iter().collect();
            }
        }
        Change::HeaderValue(i, v) => {
            let n = req.headers.len();
            if n > 0 {
                req.headers[i % n].1 = v.clone();
            }
        }
        Change::AddHeader(name, value) => {
            let lower = name.to_ascii_lowercase();
            if auth.signed_headers.contains(&lower) {
                return;
            }
            req.headers.push((name.clone(), value.clone()));
        }
        Change::AddQuery(k, v) => req.query.push((k.clone(), v.clone())),
        Change::DropQuery(i) => {
            if !req.query.is_empty() {
                let i = i % req.query.len();
                req.query.remove(i);
            }
        }
        Change::FlipMethod => {
            req.method = if req.method == "GET" {
                "POST".into()
            } else {
                "GET".into()
            };
        }
        Change::AppendPath(s) => req.path.push_str(s),
        Change::Secret(s) => *secret = s.clone(),
        Change::Clock(d) => *now = T0 + i64::from(*d),
    }
}

fuzz_target!(|input: Input| {
    let now = T0 + i64::from(input.clock) % 1200;
    let mut headers = vec![(
        "Host".to_owned(),
        "functiongraph.cn-north-4.myhuaweicloud.com".to_owned(),
    )];
    match &input.date {
        Date::Near(d) => headers.push((
            "X-Sdk-Date".into(),
            format_sdk_date(T0 + i64::from(*d) % 1200),
        )),
        Date::Raw(s) => headers.push(("X-Sdk-Date".into(), s.clone())),
        Date::Missing => {}
    }
    headers.extend(input.headers.iter().cloned());
    let req = Req {
        method: if input.post { "POST" } else { "GET" }.to_owned(),
        path: input.path.clone(),
        query: input.query.clone(),
        headers,
        body: input.body.clone(),
    };

    // 1. An arbitrary Authorization: anything verify accepts must be the real signature.
    if let Some(auth) = check_parse_authorization(&input.authorization) {
        let got = verify(&req.signable(), &auth, SK, now);
        let want = model(&req, &auth, SK, now);
        // An Ok from the model would mean the input forged a signature; both answers
        // must agree, error for error.
        assert_eq!(got, want, "verify and the model disagree");
        if got.is_ok() {
            assert!(
                auth.signature.len() == 64 && auth.signature.bytes().all(|b| b.is_ascii_hexdigit())
            );
        }
    }

    // 2. A genuine signature, then changes in transit.
    let Ok(sig) = sign(&req.signable(), AK, SK) else {
        assert!(first_header(&req.headers, "x-sdk-date").is_none());
        return;
    };
    let names_ok = req.headers.iter().all(|(k, _)| is_token(k));
    let Ok(mut auth) = parse_authorization(&sig.authorization) else {
        assert!(
            !names_ok,
            "the signer's own Authorization does not parse: {:?}",
            sig.authorization
        );
        return;
    };
    let (mut tampered, mut secret, mut clock) = (req.clone(), SK.to_owned(), now);
    let got = verify(&tampered.signable(), &auth, &secret, clock);
    if names_ok {
        assert_eq!(got, model(&tampered, &auth, &secret, clock), "untouched");
        let fresh = first_header(&req.headers, "x-sdk-date")
            .and_then(|d| parse_sdk_date(d.trim()))
            .is_some_and(|d| (now - d).abs() <= SKEW);
        // A body hash the caller declared must be true (or UNSIGNED-PAYLOAD).
        let honest = first_header(&req.headers, "x-sdk-content-sha256")
            .map(str::trim)
            .is_none_or(|h| h == UNSIGNED_PAYLOAD || h == sha256_hex(&req.body));
        assert_eq!(
            got.is_ok(),
            fresh && honest,
            "a fresh, honest genuine signature is accepted: {got:?}"
        );
    }
    if input.changes.is_empty() || !names_ok {
        return;
    }
    for change in &input.changes {
        apply(change, &mut tampered, &mut auth, &mut secret, &mut clock);
    }
    let got = verify(&tampered.signable(), &auth, &secret, clock);
    let want = model(&tampered, &auth, &secret, clock);
    assert_eq!(got, want, "after {:?}", input.changes);
});
