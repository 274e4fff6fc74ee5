//! Refusals of bad arguments. Only strings cross the boundary: an export answers with
//! its value, or with a refusal written `"\0{field}\0{message}"` (no value starts with
//! NUL), which `js/wire.js` throws as a `ValidationError`. So the JS glue needs no
//! object handling and the wasm no JS imports. No message ever carries a secret.

use alloc::string::String;

/// An argument refused before any request.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid {
    /// The argument (`functionUrn`, `query.limit`, ...).
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

impl Invalid {
    /// A refusal of `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Invalid {
        Invalid {
            field,
            message: message.into(),
        }
    }
}

/// What an export returns: the value, or the refusal as `"\0{field}\0{message}"`.
pub fn answer(result: Result<String, Invalid>) -> String {
    result.unwrap_or_else(|e| {
        let mut out = String::with_capacity(e.field.len() + e.message.len() + 2);
        for part in ["\0", e.field, "\0", &e.message] {
            out.push_str(part);
        }
        out
    })
}
