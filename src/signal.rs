//! A call's abort signal: the caller's signal and the timeout, merged, with the reason
//! the call fails with; and abortable sleeps.
//!
//! Calls with a timeout and no signal of their own, the common case, share a deadline:
//! an `AbortController` and a timer per call cost ~27 µs in Node (a third of what the
//! client adds to a call; Node makes every AbortSignal transferable). Calls whose
//! deadlines fall in one slot (a 64th of the timeout, 1 to 250 ms wide) share a
//! controller that aborts at the slot's end, so such a call times out at most one slot
//! late. A slot takes at most 64 calls: fetch leaves a listener per request on the
//! signal until it is collected.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::config::MAX_TIMER_MS;
use crate::error::Error;
use crate::platform::{clear_timeout, keep_alive, monotonic_ms, set_timeout};

/// Most calls one shared deadline takes.
const SLOT_CALLS: u32 = 64;
/// Past this many timeouts with a slot, idle slots are dropped: a caller giving every call
/// its own timeout (a remaining budget, say) must not leave a slot behind per call.
const SLOT_TIMEOUTS: usize = 32;

thread_local! {
    // The reasons the client's own signals abort with. Always `Error`s (gloo-net's `send`
    // cannot take another), made once: an `Error` captures a stack trace, which cost 3% of
    // a call's CPU when made per call. Which one fired is read from the signals themselves.
    static CALLER_ABORTED: JsValue = js_sys::Error::new("aborted by the caller").into();
    static TIMED_OUT: JsValue = js_sys::Error::new("the call timed out").into();
    /// The newest slot of each timeout.
    static SLOTS: RefCell<Vec<Rc<Slot>>> = const { RefCell::new(Vec::new()) };
}

/// Whether a timeout is one a timer can wait for: 0, and what a timer cannot wait, are none.
pub(crate) fn timed(timeout_ms: f64) -> bool {
    timeout_ms > 0.0 && timeout_ms <= MAX_TIMER_MS
}

/// `controller.abort(reason)` as a function of no arguments: lets a timer or an event
/// listener abort a controller without a Rust closure to keep alive or free.
fn abort_fn(controller: &AbortController, reason: &JsValue) -> Function {
    let abort: Function = Reflect::get(controller, &JsValue::from_str("abort"))
        .map(JsCast::unchecked_into)
        .unwrap_or_else(|_| Function::new_no_args(""));
    abort.bind1(controller, reason).unchecked_into()
}

/// A controller that times out: aborted with [`TIMED_OUT`] after `ms`.
fn timed_controller(ms: f64) -> Option<(AbortController, JsValue)> {
    let controller = AbortController::new().ok()?;
    let fire = TIMED_OUT.with(|reason| abort_fn(&controller, reason));
    let timer = set_timeout(&fire, ms.min(MAX_TIMER_MS));
    Some((controller, timer))
}

/// A deadline shared by the calls of one timeout whose deadlines fall in one slot.
struct Slot {
    timeout_ms: f64,
    end: f64,
    controller: AbortController,
    timer: JsValue,
    calls: Cell<u32>,
    pending: Cell<u32>,
}

impl Slot {
    fn is_current(self: &Rc<Slot>) -> bool {
        SLOTS.with(|slots| slots.borrow().iter().any(|s| Rc::ptr_eq(s, self)))
    }

    fn join(&self) {
        self.calls.set(self.calls.get() + 1);
        if self.pending.replace(self.pending.get() + 1) == 0 {
            keep_alive(&self.timer, true);
        }
    }

    fn leave(self: &Rc<Slot>) {
        self.pending.set(self.pending.get() - 1);
        if self.pending.get() > 0 {
            return;
        }
        if self.is_current() {
            keep_alive(&self.timer, false);
        } else {
            clear_timeout(&self.timer); // no call can join it any more
        }
    }

    /// The slot a call of `timeout_ms` starting now joins.
    fn for_call(timeout_ms: f64) -> Option<Rc<Slot>> {
        let now = monotonic_ms();
        let width = (timeout_ms / 64.0).clamp(1.0, 250.0);
        let end = ((now + timeout_ms) / width).ceil() * width;
        SLOTS.with(|slots| {
            let mut slots = slots.borrow_mut();
            let found = slots.iter().position(|s| s.timeout_ms == timeout_ms);
            if let Some(i) = found {
                let s = &slots[i];
                if s.end == end && s.calls.get() < SLOT_CALLS && !s.controller.signal().aborted() {
                    s.join();
                    return Some(s.clone());
                }
                let old = slots.swap_remove(i);
                if old.pending.get() == 0 {
                    clear_timeout(&old.timer);
                }
            }
            if slots.len() >= SLOT_TIMEOUTS {
                slots.retain(|s| {
                    let busy = s.pending.get() > 0;
                    if !busy {
                        clear_timeout(&s.timer);
                    }
                    busy
                });
            }
            let (controller, timer) = timed_controller(end - now)?;
            let slot = Rc::new(Slot {
                timeout_ms,
                end,
                controller,
                timer,
                calls: Cell::new(0),
                pending: Cell::new(0),
            });
            slot.join();
            slots.push(slot.clone());
            Some(slot)
        })
    }
}

/// How a call can be stopped.
enum Stop {
    /// Nothing can stop it.
    Never,
    /// Its timeout, shared with other calls (see the module's notes).
    Shared(Rc<Slot>),
    /// The caller's signal, and the call's own timer if it has a timeout.
    Own {
        controller: AbortController,
        user: AbortSignal,
        on_user_abort: Option<Function>,
        timer: Option<JsValue>,
    },
}

/// The signal of one call, and why it stopped; dropping it clears what it set up.
pub(crate) struct CallSignal {
    stop: Stop,
    timeout_ms: f64,
    started: f64,
}

impl CallSignal {
    /// Links `user` (if any) and a timer of `timeout_ms` (if [`timed`]).
    pub(crate) fn new(user: Option<&AbortSignal>, timeout_ms: f64) -> CallSignal {
        let started = crate::platform::now_ms();
        let stop = match user {
            None if !timed(timeout_ms) => Stop::Never,
            None => Slot::for_call(timeout_ms).map_or(Stop::Never, Stop::Shared),
            Some(user) => {
                let (controller, timer) = if timed(timeout_ms) {
                    match timed_controller(timeout_ms) {
                        Some((c, t)) => (Some(c), Some(t)),
                        None => (None, None),
                    }
                } else {
                    (AbortController::new().ok(), None)
                };
                match controller {
                    None => Stop::Never,
                    Some(controller) => {
                        let on_abort = CALLER_ABORTED.with(|reason| abort_fn(&controller, reason));
                        let on_user_abort = if user.aborted() {
                            let _ = on_abort.call0(&JsValue::UNDEFINED);
                            None
                        } else {
                            let _ = user.add_event_listener_with_callback("abort", &on_abort);
                            Some(on_abort)
                        };
                        Stop::Own {
                            controller,
                            user: user.clone(),
                            on_user_abort,
                            timer,
                        }
                    }
                }
            }
        };
        CallSignal {
            stop,
            timeout_ms,
            started,
        }
    }

    /// The signal to give fetch and sleeps; `None` when nothing can abort the call.
    pub(crate) fn signal(&self) -> Option<AbortSignal> {
        match &self.stop {
            Stop::Never => None,
            Stop::Shared(slot) => Some(slot.controller.signal()),
            Stop::Own { controller, .. } => Some(controller.signal()),
        }
    }

    /// Why the call must stop, if it must: the caller's reason, or a timeout.
    pub(crate) fn failure(&self) -> Option<Error> {
        if let Stop::Own { user, .. } = &self.stop {
            if user.aborted() {
                return Some(Error::Aborted(user.reason()));
            }
        }
        // Not the caller's: only a timer aborts the call's own signal then.
        self.signal()
            .filter(AbortSignal::aborted)
            .map(|_| Error::Timeout {
                timeout_ms: self.timeout_ms,
                elapsed_ms: crate::platform::now_ms() - self.started,
            })
    }
}

impl Drop for CallSignal {
    fn drop(&mut self) {
        match &self.stop {
            Stop::Never => {}
            Stop::Shared(slot) => slot.leave(),
            Stop::Own {
                user,
                on_user_abort,
                timer,
                ..
            } => {
                if let Some(timer) = timer {
                    clear_timeout(timer);
                }
                if let Some(on_abort) = on_user_abort {
                    let _ = user.remove_event_listener_with_callback("abort", on_abort);
                }
            }
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
