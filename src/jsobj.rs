//! Reading option objects and building result objects with `Reflect`, which keeps
//! serde and its formatting machinery out of the WebAssembly binary.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::errors::ClientError;

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
pub fn options_object(v: JsValue, field: &str) -> Result<Option<JsValue>, ClientError> {
    if absent(&v) {
        Ok(None)
    } else if v.is_object() && !v.is_function() && !js_sys::Array::is_array(&v) {
        Ok(Some(v))
    } else {
        Err(ClientError::invalid(field, "must be an object"))
    }
}

/// An optional string field.
pub fn opt_string(obj: &JsValue, key: &str, field: &str) -> Result<Option<String>, ClientError> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| ClientError::invalid(field, "must be a string"))
}

/// A required, non-empty string field.
pub fn req_string(obj: &JsValue, key: &str, field: &str) -> Result<String, ClientError> {
    match opt_string(obj, key, field)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ClientError::invalid(
            field,
            "is required (a non-empty string)",
        )),
    }
}

/// An optional non-negative, finite number of milliseconds.
pub fn opt_millis(obj: &JsValue, key: &str, field: &str) -> Result<Option<f64>, ClientError> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
        _ => Err(ClientError::invalid(
            field,
            "must be a finite number of milliseconds, 0 or more",
        )),
    }
}

/// An optional `AbortSignal`.
pub fn opt_signal(obj: &JsValue, field: &str) -> Result<JsValue, ClientError> {
    let v = get(obj, "signal");
    if absent(&v) {
        return Ok(JsValue::UNDEFINED);
    }
    if v.dyn_ref::<web_sys::AbortSignal>().is_some() {
        Ok(v)
    } else {
        Err(ClientError::invalid(field, "must be an AbortSignal"))
    }
}

/// A string field of a response object; `None` when missing or not a string.
pub fn str_field(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

/// A number field of a response object; `None` when missing or not a number.
pub fn num_field(obj: &JsValue, key: &str) -> Option<f64> {
    get(obj, key).as_f64()
}
