//! Percent-encoding as the official SDKs' signer does it, and hex.

/// Whether `b` passes through Python's `quote(s, safe='~')` unchanged.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes every byte of `s` except the RFC 3986 unreserved characters,
/// with upper-case hex: the encoding the signer's canonical form is built from.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    quote_into(&mut out, s);
    out
}

/// [`quote`], appended to `out`: the signer writes its canonical form into one string.
pub fn quote_into(out: &mut String, s: &str) {
    // Runs of unreserved bytes are pushed as one slice (they are ASCII, so `get` always
    // finds char boundaries); pushing chars one by one was a tenth of a signature in wasm.
    let mut run = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if !is_unreserved(b) {
            out.push_str(s.get(run..i).unwrap_or_default());
            out.push('%');
            out.push(char::from(HEX_UPPER[(b >> 4) as usize]));
            out.push(char::from(HEX_UPPER[(b & 15) as usize]));
            run = i + 1;
        }
    }
    out.push_str(s.get(run..).unwrap_or_default());
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes. `+` stays a plus sign (RFC 3986, not form encoding), because
/// the official SDKs encode spaces as `%20` and sign the decoded value.
///
/// Returns `None` for a malformed escape or when the decoded bytes are not UTF-8:
/// a server must refuse such input rather than guess.
pub fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex_value(*bytes.get(i + 1)?)?;
            let lo = hex_value(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    // Bytes, then one check: `String::push` per char was 5% of a signature in wasm.
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.extend_from_slice(&[HEX_LOWER[(b >> 4) as usize], HEX_LOWER[(b & 15) as usize]]);
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_matches_python_safe_tilde() {
        assert_eq!(quote("a b+c/d:e&f=g%h"), "a%20b%2Bc%2Fd%3Ae%26f%3Dg%25h");
        assert_eq!(quote("~*'!()"), "~%2A%27%21%28%29");
        assert_eq!(quote("ÄÖ中文"), "%C3%84%C3%96%E4%B8%AD%E6%96%87");
        assert_eq!(quote("Az09-._~"), "Az09-._~");
    }

    #[test]
    fn decode_round_trips_and_refuses_garbage() {
        let s = "urn:fss:cn-north-4:p:function:default:héllo wörld";
        assert_eq!(percent_decode(&quote(s)).as_deref(), Some(s));
        assert_eq!(percent_decode("a+b").as_deref(), Some("a+b"));
        assert_eq!(percent_decode("%3a%3A").as_deref(), Some("::"));
        assert_eq!(percent_decode("%"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%ff%fe"), None);
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }
}
