//! Reading argument objects and building small JS objects with `Reflect`, which keeps
//! serde and its formatting machinery out of the WebAssembly binary.

use alloc::string::String;

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::errors::Invalid;

/// `obj[key]`, or undefined when `obj` is not an object.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if obj.is_object() || obj.is_function() {
        Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// `obj[key] = value` on an object we created (cannot fail).
pub fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Whether a value counts as "not given".
pub fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// An optional options object: undefined/null → None; anything but an object is refused.
pub fn options_object(v: JsValue, field: &str) -> Result<Option<JsValue>, Invalid> {
    if absent(&v) {
        Ok(None)
    } else if v.is_object() && !v.is_function() && !js_sys::Array::is_array(&v) {
        Ok(Some(v))
    } else {
        Err(Invalid::new(field, "must be an object"))
    }
}

/// An optional string field.
pub fn opt_string(obj: &JsValue, key: &str, field: &str) -> Result<Option<String>, Invalid> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| Invalid::new(field, "must be a string"))
}
