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

/// Decodes the Base64 of UTF-8 text; "" when it is not Base64.
pub(crate) fn decode_base64_utf8(text: &str) -> String {
    match atob(text) {
        // atob gives one char per byte.
        Ok(binary) => {
            let bytes: Vec<u8> = binary.chars().map(|c| c as u32 as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Err(_) => String::new(),
    }
}
