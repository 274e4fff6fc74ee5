//! Refusals of bad arguments, turned into the `ValidationError` class of
//! `js/errors.js`. No message ever carries a secret.

use alloc::borrow::ToOwned;
use alloc::string::String;

use js_sys::Object;
use wasm_bindgen::prelude::*;

use crate::jsobj::set;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    /// Creates one of the package's error classes by name.
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(kind: &str, message: &str, fields: &JsValue, cause: &JsValue) -> JsValue;
}

/// An argument refused before any request.
#[derive(Debug)]
pub struct Invalid {
    /// The argument (`functionUrn`, `query.limit`, ...).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl Invalid {
    /// A refusal of `field`.
    pub fn new(field: &str, message: impl Into<String>) -> Invalid {
        Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

impl From<Invalid> for JsValue {
    fn from(e: Invalid) -> JsValue {
        let fields = Object::new();
        set(&fields, "field", &JsValue::from_str(&e.field));
        let mut text = e.field;
        text.push_str(": ");
        text.push_str(&e.message);
        make_error("ValidationError", &text, &fields, &JsValue::UNDEFINED)
    }
}
