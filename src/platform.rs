//! What the client needs of the JS platform beyond fetch: timers, a call's abort
//! signal (the caller's signal and the timeout, merged), and abortable sleeps. Global
//! bindings, so the same code runs in Node, browsers and workers.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::config::MAX_TIMER_MS;
use crate::error::Error;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_name = atob, catch)]
    fn atob(text: &str) -> Result<String, JsValue>;
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Whether a page's `document` exists: there the browser owns the `User-Agent`.
pub(crate) fn in_browser_page() -> bool {
    Reflect::has(&js_sys::global(), &JsValue::from_str("document")).unwrap_or(false)
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

/// Whether a timeout is one a timer can wait for: 0, and what a timer cannot wait, are none.
pub(crate) fn timed(timeout_ms: f64) -> bool {
    timeout_ms > 0.0 && timeout_ms <= MAX_TIMER_MS
}

/// `target.abort(reason)` as a function of no arguments: lets a timer or an event
/// listener abort a controller without a Rust closure to keep alive or free.
fn abort_fn(controller: &AbortController, reason: &JsValue) -> Function {
    let abort: Function = Reflect::get(controller, &JsValue::from_str("abort"))
        .map(JsCast::unchecked_into)
        .unwrap_or_else(|_| Function::new_no_args(""));
    abort.bind1(controller, reason).unchecked_into()
}

/// The signal of one call: fires when the caller's signal does or when the timeout
/// passes. Its own reason is always an `Error` (gloo-net's `send` cannot take another),
/// and [`CallSignal::failure`] says which of the two fired. Dropping it clears the timer
/// and the listener on the caller's signal.
pub(crate) struct CallSignal {
    controller: Option<AbortController>,
    user: Option<AbortSignal>,
    on_user_abort: Option<Function>,
    timer: Option<JsValue>,
    timeout_reason: JsValue,
    timeout_ms: f64,
    started: f64,
}

impl CallSignal {
    /// Links `user` (if any) and a timer of `timeout_ms` (if [`timed`]).
    pub(crate) fn new(user: Option<&AbortSignal>, timeout_ms: f64) -> CallSignal {
        let started = now_ms();
        let mut signal = CallSignal {
            controller: None,
            user: user.cloned(),
            on_user_abort: None,
            timer: None,
            timeout_reason: JsValue::UNDEFINED,
            timeout_ms,
            started,
        };
        if user.is_none() && !timed(timeout_ms) {
            return signal;
        }
        let Ok(controller) = AbortController::new() else {
            return signal;
        };
        if let Some(user) = user {
            let on_abort = abort_fn(&controller, &js_sys::Error::new("aborted by the caller"));
            if user.aborted() {
                let _ = on_abort.call0(&JsValue::UNDEFINED);
            } else {
                let _ = user.add_event_listener_with_callback("abort", &on_abort);
                signal.on_user_abort = Some(on_abort);
            }
        }
        if timed(timeout_ms) {
            signal.timeout_reason = js_sys::Error::new("the call timed out").into();
            let fire = abort_fn(&controller, &signal.timeout_reason);
            signal.timer = Some(set_timeout(&fire, timeout_ms));
        }
        signal.controller = Some(controller);
        signal
    }

    /// The signal to give fetch and sleeps; `None` when nothing can abort the call.
    pub(crate) fn signal(&self) -> Option<AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
    }

    /// Why the call must stop, if it must: the caller's reason, or a timeout.
    pub(crate) fn failure(&self) -> Option<Error> {
        if let Some(user) = &self.user {
            if user.aborted() {
                return Some(Error::Aborted(user.reason()));
            }
        }
        let signal = self.signal()?;
        if signal.aborted() && signal.reason() == self.timeout_reason {
            return Some(Error::Timeout {
                timeout_ms: self.timeout_ms,
                elapsed_ms: now_ms() - self.started,
            });
        }
        None
    }
}

impl Drop for CallSignal {
    fn drop(&mut self) {
        if let Some(timer) = &self.timer {
            clear_timeout(timer);
        }
        if let (Some(user), Some(on_abort)) = (&self.user, &self.on_user_abort) {
            let _ = user.remove_event_listener_with_callback("abort", on_abort);
        }
    }
}

/// Waits `ms`, or until `signal` aborts (then `Err(())`, at once).
pub(crate) async fn sleep(ms: f64, signal: Option<&AbortSignal>) -> Result<(), ()> {
    let mut timer = JsValue::UNDEFINED;
    let mut on_abort: Option<Function> = None;
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        timer = set_timeout(&resolve, ms.min(MAX_TIMER_MS));
        if let Some(signal) = signal {
            if signal.aborted() {
                let _ = reject.call0(&JsValue::UNDEFINED);
            } else {
                let _ = signal.add_event_listener_with_callback("abort", &reject);
                on_abort = Some(reject);
            }
        }
    });
    let outcome = JsFuture::from(promise).await;
    // Either way: a pending timer would keep Node running, a listener would pile up.
    clear_timeout(&timer);
    if let (Some(signal), Some(on_abort)) = (signal, &on_abort) {
        let _ = signal.remove_event_listener_with_callback("abort", on_abort);
    }
    outcome.map(drop).map_err(drop)
}
