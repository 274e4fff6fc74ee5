//! What the client needs of the JS platform beyond fetch: timers, clocks, Base64.
//! Global bindings, so the same code runs in Node, browsers, workers and Deno.

use std::cell::OnceCell;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_name = atob, catch)]
    fn atob(text: &str) -> Result<String, JsValue>;
    /// Monotonic milliseconds (deadlines must not move with the wall clock).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    pub(crate) fn monotonic_ms() -> f64;
}

/// Whether a timer keeps the process alive (Node's `Timeout.ref()`/`unref()`, Deno's
/// `refTimer`/`unrefTimer`); browsers have no such notion. An idle deadline must not
/// hold a script open for its whole timeout.
pub(crate) fn keep_alive(timer: &JsValue, on: bool) {
    let (method, deno_method) = if on {
        ("ref", "refTimer")
    } else {
        ("unref", "unrefTimer")
    };
    if timer.is_object() {
        if let Ok(f) = Reflect::get(timer, &JsValue::from_str(method)) {
            if let Some(f) = f.dyn_ref::<Function>() {
                let _ = f.call0(timer);
            }
        }
    } else if let Ok(deno) = Reflect::get(&js_sys::global(), &JsValue::from_str("Deno")) {
        if !deno.is_object() {
            return;
        }
        if let Ok(f) = Reflect::get(&deno, &JsValue::from_str(deno_method)) {
            if let Some(f) = f.dyn_ref::<Function>() {
                let _ = f.call1(&deno, timer);
            }
        }
    }
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

thread_local! {
    static IN_BROWSER_PAGE: OnceCell<bool> = const { OnceCell::new() };
}

/// Whether a page's `document` exists: there the browser owns the `User-Agent`.
pub(crate) fn in_browser_page() -> bool {
    IN_BROWSER_PAGE.with(|cell| {
        *cell.get_or_init(|| {
            Reflect::has(&js_sys::global(), &JsValue::from_str("document")).unwrap_or(false)
        })
    })
}

/// Decodes the Base64 of UTF-8 text, invalid UTF-8 replaced (by the platform's
/// `TextDecoder`: Rust's lossy decoder is 1 KB of wasm); "" when it is not Base64.
pub(crate) fn decode_base64_utf8(text: &str) -> js_sys::JsString {
    match atob(text) {
        // atob gives one char per byte.
        Ok(binary) => {
            let mut bytes = Vec::with_capacity(binary.len());
            for c in binary.chars() {
                bytes.push(c as u32 as u8);
            }
            TextDecoder::new().decode_all(&js_sys::Uint8Array::from(bytes.as_slice()))
        }
        Err(_) => js_sys::JsString::from(""),
    }
}

// JavaScript strings kept as JavaScript values: events and answers never need to enter
// the wasm memory whole (js_sys's JSON and the web-sys codecs take or return Rust strings).
#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub(crate) fn json_parse(text: &js_sys::JsString) -> Result<JsValue, JsValue>;
    /// `JSON.stringify`: a string, or undefined for what JSON cannot represent.
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    pub(crate) fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;

    pub(crate) type TextEncoder;
    #[wasm_bindgen(constructor)]
    pub(crate) fn new() -> TextEncoder;
    /// UTF-8 of a JS string, in a JS buffer (lone surrogates as U+FFFD, as fetch sends them).
    #[wasm_bindgen(method)]
    pub(crate) fn encode(this: &TextEncoder, text: &js_sys::JsString) -> js_sys::Uint8Array;

    pub(crate) type TextDecoder;
    #[wasm_bindgen(constructor)]
    pub(crate) fn new() -> TextDecoder;
    /// Decodes a chunk of a stream (invalid UTF-8 replaced), keeping a split character.
    #[wasm_bindgen(method, js_name = decode)]
    pub(crate) fn decode_chunk(
        this: &TextDecoder,
        chunk: &js_sys::Uint8Array,
        options: &JsValue,
    ) -> js_sys::JsString;
    /// All of `bytes` (invalid UTF-8 replaced).
    #[wasm_bindgen(method, js_name = decode)]
    pub(crate) fn decode_all(this: &TextDecoder, bytes: &js_sys::Uint8Array) -> js_sys::JsString;
    /// The end of the stream: what a split character left.
    #[wasm_bindgen(method, js_name = decode)]
    pub(crate) fn decode_end(this: &TextDecoder) -> js_sys::JsString;
}

/// A property of an object `JSON.parse` made (no getters run: it has none).
pub(crate) fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Sets a property of an object the client made.
pub(crate) fn set(object: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}
