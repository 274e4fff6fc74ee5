//! Everything imported from JavaScript: the global `fetch`, and the package's own JS
//! modules (error classes, signal linking, the InvokeResult class).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (Node ≥ 18, browsers, workers), called as `fetch(url, init)`:
    /// building a `Request` first makes Node's fetch build it twice (~70 µs a call).
    /// Sending it ourselves keeps the abort reason intact (gloo-net 0.6's `send()` does not).
    #[wasm_bindgen(js_name = fetch)]
    pub fn global_fetch(url: &str, init: &web_sys::RequestInit) -> js_sys::Promise;
}

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    /// Creates one of the package's error classes by name.
    #[wasm_bindgen(js_name = makeError)]
    pub fn make_error(kind: &str, message: &str, fields: &JsValue, cause: &JsValue) -> JsValue;
}

#[wasm_bindgen(module = "/js/support.js")]
extern "C" {
    /// The caller's signal and a timeout merged into one signal.
    pub type LinkedSignal;

    /// Links `user_signal` (or undefined) with a timeout (0 = none).
    #[wasm_bindgen(js_name = linkSignals)]
    pub fn link_signals(user_signal: &JsValue, timeout_ms: f64) -> LinkedSignal;

    /// The merged signal.
    #[wasm_bindgen(method, getter)]
    pub fn signal(this: &LinkedSignal) -> web_sys::AbortSignal;

    /// Clears the timer and the listener on the caller's signal.
    #[wasm_bindgen(method)]
    pub fn done(this: &LinkedSignal);

    /// `new InvokeResult(fields)`.
    #[wasm_bindgen(js_name = newInvokeResult)]
    pub fn new_invoke_result(fields: &JsValue) -> JsValue;

    /// A promise that resolves after `ms`, or rejects with the signal's reason.
    pub fn sleep(ms: f64, signal: &web_sys::AbortSignal) -> js_sys::Promise;

    /// Calls an `onRequest`/`onResponse` hook (errors ignored) and logs with `debug`.
    pub fn emit(hook: &JsValue, debug: bool, kind: &str, info: &JsValue);

    /// Base64 → UTF-8 text, "" when malformed.
    #[wasm_bindgen(js_name = decodeBase64Utf8)]
    pub fn decode_base64_utf8(text: &str) -> String;
}
