//! The client's one error type. Every variant keeps its fields (the JS facade maps each
//! onto its own error class); nothing is stringified early.

use std::fmt;

use wasm_bindgen::JsValue;

/// Why a call failed.
#[derive(Debug, Clone)]
pub enum Error {
    /// An argument was refused before any request was sent.
    Validation {
        /// Which argument, named as in the JavaScript API (`functionUrn`, `query.limit`, ...).
        field: String,
        /// What is wrong with it.
        message: String,
        /// What was thrown, when the value could not be read (a getter, a provider).
        cause: Option<JsValue>,
    },
    /// The service answered with an error status (HTTP ≥ 400).
    Service {
        /// HTTP status.
        status: u16,
        /// The service's code (`FSS.0404`, `APIGW.0301`); empty when the body had none.
        error_code: String,
        /// The service's message, or the start of a body that was not the service's JSON
        /// (the first 1 KB either way, the call's secrets scrubbed).
        error_msg: String,
        /// `X-Request-Id` (or the body's `request_id`), when sent.
        request_id: Option<String>,
        /// Requests sent, retries included.
        attempts: u32,
    },
    /// The request got no answer (refused, reset, DNS, CORS).
    Network {
        /// `GET` or `POST`.
        method: String,
        /// Where the request went, without its query.
        url: String,
        /// The platform's words for it (`fetch failed` in Node, `Failed to fetch` in
        /// Chromium), as gloo-net keeps them: name and message, not the system error's code.
        message: String,
        /// Requests sent, retries included.
        attempts: u32,
        /// The platform's error, as a JS `Error` with its name and message.
        cause: Option<JsValue>,
    },
    /// The call (or a wait) ran out of time.
    Timeout {
        /// The limit, ms.
        timeout_ms: f64,
        /// Time actually spent, ms.
        elapsed_ms: f64,
    },
    /// A success status with a body that cannot be understood.
    Response {
        /// HTTP status.
        status: u16,
        /// What is wrong with the answer.
        reason: String,
        /// The service's request id, when known.
        request_id: Option<String>,
        /// The first 1 KB of the body.
        body: String,
        /// Requests sent, retries included (none for errors raised outside a request).
        attempts: Option<u32>,
    },
    /// The caller's signal aborted the call: its `reason`, as `fetch` rejects.
    Aborted(JsValue),
}

impl Error {
    /// A refusal of `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Validation {
            field: field.into(),
            message: message.into(),
            cause: None,
        }
    }

    /// A refusal of `field` whose value threw `cause` when read.
    pub fn unreadable(
        field: impl Into<String>,
        message: impl Into<String>,
        cause: JsValue,
    ) -> Error {
        Error::Validation {
            field: field.into(),
            message: message.into(),
            cause: Some(cause),
        }
    }
}

/// Longest part of a refused value an error shows, in characters.
const SHOWN_MAX: usize = 60;

/// A refused value as an error message shows it: quoted, control characters escaped, at
/// most [`SHOWN_MAX`] characters. Only for values that are never secret (URNs, ids, enum
/// words): credentials, header values and events are never shown.
///
/// Written out, not with `{:?}`: with no `Debug` of text and no string slicing in the
/// client, core's Unicode tables for `Debug` and its char-boundary panic messages are
/// not linked into the wasm (3 KB gzip). Quotes, backslashes and control characters are
/// escaped as `Debug` escapes them.
pub(crate) fn shown(value: &str) -> String {
    let mut out = String::from("\"");
    for (i, c) in value.chars().enumerate() {
        if i == SHOWN_MAX {
            out.push_str("\"…");
            return out;
        }
        push_escaped(&mut out, c);
    }
    out.push('"');
    out
}

/// `c` as `{:?}` writes it inside a string literal, for the characters a refused value
/// holds in practice: `"`, `\\`, control characters, and the invisible ones a pasted value
/// carries (spaces other than U+0020, soft hyphen, zero-width and direction marks, BOM,
/// combining accents, private use) escaped; the rest as it is. (`{:?}` also escapes
/// unassigned and other rare code points, which are written here as they are.) The
/// serde-wasm-bindgen patch has the same function (`quoted`, another crate).
pub(crate) fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        c if c.is_control() || (c.is_whitespace() && c != ' ') || invisible(c) => {
            let code = u32::from(c);
            out.push_str("\\u{");
            let digits = (32 - code.leading_zeros()).div_ceil(4).max(1);
            for shift in (0..digits).rev() {
                out.push(char::from_digit((code >> (shift * 4)) & 0xf, 16).unwrap_or('0'));
            }
            out.push('}');
        }
        c => out.push(c),
    }
}

/// Characters `{:?}` escapes that show as nothing, or as part of their neighbour.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{300}'..='\u{36f}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{e000}'..='\u{f8ff}')
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation { field, message, .. } => write!(f, "{field}: {message}"),
            Error::Service {
                status,
                error_code,
                error_msg,
                ..
            } if !error_code.is_empty() => write!(f, "{error_code}: {error_msg} (HTTP {status})"),
            Error::Service {
                status, error_msg, ..
            } => write!(f, "HTTP {status}: {error_msg}"),
            Error::Network {
                method,
                url,
                message,
                ..
            } => write!(f, "network error: {method} {url}: {message}"),
            // Whole milliseconds: the limit as the caller wrote it (and no float formatting).
            Error::Timeout { timeout_ms, .. } => {
                write!(f, "the call timed out after {} ms", *timeout_ms as u64)
            }
            Error::Response { status, reason, .. } => {
                write!(
                    f,
                    "unexpected answer from the service (HTTP {status}): {reason}"
                )
            }
            Error::Aborted(_) => f.write_str("the call was aborted"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
impl Error {
    /// The refused field of a validation error (tests: which rule refused).
    pub(crate) fn refused_field(self) -> String {
        match self {
            Error::Validation { field, .. } => field,
            other => panic!("not a validation error: {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_quotes_as_debug_does() {
        for value in [
            "urn:fss:oops",
            "",
            "say \"hi\"",
            "back\\slash",
            "line\nbreak\r\ttab",
            "nul\0 esc\u{1b} del\u{7f} c1\u{85}",
            "nbsp\u{a0} shy\u{ad} zw\u{200b} lrm\u{200e} ls\u{2028} wj\u{2060} bom\u{feff}",
            "ideo\u{3000} thin\u{2009} accent e\u{301} private\u{e000}",
            "é ключ 😀",
        ] {
            assert_eq!(shown(value), format!("{value:?}"), "{value}");
        }
    }

    #[test]
    fn shown_cuts_long_values() {
        let long = "x".repeat(SHOWN_MAX + 5);
        assert_eq!(shown(&long), format!("{:?}…", &long[..SHOWN_MAX]));
        let exact = "y".repeat(SHOWN_MAX);
        assert_eq!(shown(&exact), format!("{exact:?}"));
    }
}
