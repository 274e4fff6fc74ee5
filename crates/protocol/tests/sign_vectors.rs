//! The signer against vectors produced by the official Python and Node SDK signers
//! (`tests/data/sign_vectors.json`, copied from the project's shared notes), and the
//! verifier against the same requests, tampered and not.

use functiongraph_protocol::sign::{
    parse_authorization, sign, verify, SignableRequest, VerifyError,
};
use functiongraph_protocol::time::parse_sdk_date;
use serde_json::Value;

struct Vector {
    name: String,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    ak: String,
    sk: String,
    date: String,
    expected: Value,
}

fn vectors() -> Vec<Vector> {
    let file: Value = serde_json::from_str(include_str!("data/sign_vectors.json")).unwrap();
    file["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap().to_owned();
            let mut headers: Vec<(String, String)> = v["headers"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect();
            headers.push(("X-Project-Id".into(), s("project_id")));
            if let Some(tok) = v["security_token"].as_str() {
                headers.push(("X-Security-Token".into(), tok.into()));
            }
            headers.push(("X-Sdk-Date".into(), s("date")));
            headers.push(("Host".into(), s("host")));
            Vector {
                name: s("name"),
                method: s("method"),
                path: s("path"),
                query: v["query"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
                    .collect(),
                headers,
                body: v["python"]["body_hashed"]
                    .as_str()
                    .unwrap_or("")
                    .as_bytes()
                    .to_vec(),
                ak: s("ak"),
                sk: s("sk"),
                date: s("date"),
                // Where the two official signers disagree (padded header values, header
                // names with '_'), the Python signer trims and skips; we do the same.
                expected: v["python"].clone(),
            }
        })
        .collect()
}

fn request(v: &Vector) -> SignableRequest<'_> {
    SignableRequest {
        method: &v.method,
        path: &v.path,
        query: &v.query,
        headers: &v.headers,
        body: &v.body,
    }
}

#[test]
fn signer_matches_every_official_vector() {
    let all = vectors();
    assert_eq!(all.len(), 26);
    for v in &all {
        let sig = sign(&request(v), &v.ak, &v.sk).unwrap();
        let e = &v.expected;
        assert_eq!(
            sig.canonical_request,
            e["canonical_request"].as_str().unwrap(),
            "{}",
            v.name
        );
        assert_eq!(
            sig.string_to_sign,
            e["string_to_sign"].as_str().unwrap(),
            "{}",
            v.name
        );
        assert_eq!(
            sig.signed_headers,
            e["signed_headers"].as_str().unwrap(),
            "{}",
            v.name
        );
        assert_eq!(
            sig.signature,
            e["signature"].as_str().unwrap(),
            "{}",
            v.name
        );
        assert_eq!(
            sig.authorization,
            e["authorization"].as_str().unwrap(),
            "{}",
            v.name
        );
    }
}

#[test]
fn signer_matches_the_encoded_wire_path_too() {
    for v in vectors() {
        let wire = v.expected["wire_path"].as_str().unwrap().to_owned();
        let req = SignableRequest {
            path: &wire,
            ..request(&v)
        };
        let sig = sign(&req, &v.ak, &v.sk).unwrap();
        assert_eq!(
            sig.signature,
            v.expected["signature"].as_str().unwrap(),
            "{}",
            v.name
        );
    }
}

#[test]
fn verifier_accepts_official_signatures_and_refuses_tampering() {
    for v in vectors() {
        let now = parse_sdk_date(&v.date).unwrap();
        let auth = parse_authorization(v.expected["authorization"].as_str().unwrap()).unwrap();
        let req = request(&v);
        assert_eq!(verify(&req, &auth, &v.sk, now), Ok(()), "{}", v.name);
        assert_eq!(verify(&req, &auth, &v.sk, now + 899), Ok(()), "{}", v.name);
        assert_eq!(
            verify(&req, &auth, &v.sk, now + 901),
            Err(VerifyError::Expired),
            "{}",
            v.name
        );
        assert_eq!(
            verify(&req, &auth, &v.sk, now - 901),
            Err(VerifyError::Expired),
            "{}",
            v.name
        );
        assert_eq!(
            verify(&req, &auth, "wrong-secret", now),
            Err(VerifyError::Mismatch),
            "{}",
            v.name
        );

        let mut body = v.body.clone();
        body.push(b' ');
        let tampered = SignableRequest { body: &body, ..req };
        if req.method != "GET" && req.method != "DELETE" {
            assert_eq!(
                verify(&tampered, &auth, &v.sk, now),
                Err(VerifyError::Mismatch),
                "{}",
                v.name
            );
        }
        let mut query = v.query.clone();
        query.push(("extra".into(), "1".into()));
        let tampered = SignableRequest {
            query: &query,
            ..req
        };
        assert_eq!(
            verify(&tampered, &auth, &v.sk, now),
            Err(VerifyError::Mismatch),
            "{}",
            v.name
        );
        let other_path = format!("{}x", v.path);
        let tampered = SignableRequest {
            path: &other_path,
            ..req
        };
        assert_eq!(
            verify(&tampered, &auth, &v.sk, now),
            Err(VerifyError::Mismatch),
            "{}",
            v.name
        );

        let mut flipped = auth.clone();
        let last = flipped.signature.pop().unwrap();
        flipped.signature.push(if last == '0' { '1' } else { '0' });
        assert_eq!(
            verify(&req, &flipped, &v.sk, now),
            Err(VerifyError::Mismatch),
            "{}",
            v.name
        );
    }
}

#[test]
fn verifier_refuses_a_signature_over_different_headers() {
    let v = &vectors()[0];
    let now = parse_sdk_date(&v.date).unwrap();
    let auth = parse_authorization(v.expected["authorization"].as_str().unwrap()).unwrap();
    // The same signature, but a signed header's value changed in transit.
    let mut headers = v.headers.clone();
    for (k, val) in &mut headers {
        if k.eq_ignore_ascii_case("x-cff-log-type") {
            *val = "none".into();
        }
    }
    let req = SignableRequest {
        headers: &headers,
        ..request(v)
    };
    assert_eq!(verify(&req, &auth, &v.sk, now), Err(VerifyError::Mismatch));
    // A signed header removed from the request.
    let headers: Vec<_> = v
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("x-cff-log-type"))
        .cloned()
        .collect();
    let req = SignableRequest {
        headers: &headers,
        ..request(v)
    };
    assert_eq!(
        verify(&req, &auth, &v.sk, now),
        Err(VerifyError::MissingHeader("x-cff-log-type".into()))
    );
    // A list that leaves out x-sdk-date or host.
    let mut no_date = auth.clone();
    no_date.signed_headers.retain(|h| h != "x-sdk-date");
    assert_eq!(
        verify(&request(v), &no_date, &v.sk, now),
        Err(VerifyError::BadDate)
    );
    let mut no_host = auth.clone();
    no_host.signed_headers.retain(|h| h != "host");
    assert_eq!(
        verify(&request(v), &no_host, &v.sk, now),
        Err(VerifyError::MissingHeader("host".into()))
    );
}

#[test]
fn authorization_parsing_is_strict() {
    let ok = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=ab";
    let a = parse_authorization(ok).unwrap();
    assert_eq!(a.access_key, "AK");
    assert_eq!(a.signed_headers, vec!["host", "x-sdk-date"]);
    for bad in [
        "",
        "SDK-HMAC-SHA256",
        "SDK-HMAC-SHA1 Access=AK, SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host",
        "SDK-HMAC-SHA256 Access=AK, Access=BK, SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab, Extra=1",
        "Bearer abc",
    ] {
        assert_eq!(
            parse_authorization(bad),
            Err(VerifyError::Malformed),
            "{bad:?}"
        );
    }
}

#[test]
fn x_sdk_content_sha256_cannot_swap_the_body() {
    use functiongraph_protocol::sign::sha256_hex;
    let v = &vectors()[0];
    let now = parse_sdk_date(&v.date).unwrap();
    let auth = parse_authorization(v.expected["authorization"].as_str().unwrap()).unwrap();
    // A forged body with the original body's hash in an unsigned header: the header is
    // ignored and the forged body's real hash fails the signature.
    let forged = b"{\"key\":\"forged\"}".to_vec();
    let mut headers = v.headers.clone();
    headers.push(("X-Sdk-Content-Sha256".into(), sha256_hex(&v.body)));
    let req = SignableRequest {
        headers: &headers,
        body: &forged,
        ..request(v)
    };
    assert_eq!(verify(&req, &auth, &v.sk, now), Err(VerifyError::Mismatch));
    // An unsigned header added in transit does not change the answer for the real body.
    let req = SignableRequest {
        headers: &headers,
        ..request(v)
    };
    assert_eq!(verify(&req, &auth, &v.sk, now), Ok(()));

    // Signed: UNSIGNED-PAYLOAD is honoured; a hash must be the body's real one.
    for (claimed, body, want) in [
        ("UNSIGNED-PAYLOAD".to_owned(), forged.clone(), Ok(())),
        (sha256_hex(&v.body), v.body.clone(), Ok(())),
        (
            sha256_hex(&v.body),
            forged.clone(),
            Err(VerifyError::Mismatch),
        ),
    ] {
        let mut headers = v.headers.clone();
        headers.push(("X-Sdk-Content-Sha256".into(), claimed.clone()));
        let signed = SignableRequest {
            headers: &headers,
            body: &body,
            ..request(v)
        };
        let sig = sign(&signed, &v.ak, &v.sk).unwrap();
        assert!(sig.signed_headers.contains("x-sdk-content-sha256"));
        let auth = parse_authorization(&sig.authorization).unwrap();
        assert_eq!(verify(&signed, &auth, &v.sk, now), want, "{claimed}");
    }
}

#[test]
fn absurd_clocks_are_expired_not_an_overflow() {
    let v = &vectors()[0];
    let auth = parse_authorization(v.expected["authorization"].as_str().unwrap()).unwrap();
    for now in [i64::MIN, i64::MAX, 0] {
        assert_eq!(
            verify(&request(v), &auth, &v.sk, now),
            Err(VerifyError::Expired),
            "{now}"
        );
    }
}
