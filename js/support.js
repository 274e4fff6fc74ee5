// Small platform pieces: signal linking with a timeout, sleeping, hooks, and the
// InvokeResult class.
import { makeError } from "./errors.js";

/** The longest delay `setTimeout` honours (a longer one fires at once): a longer timeout is none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const timed = (timeoutMs) => timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS;

function timeoutError(timeoutMs, started) {
  return makeError("TimeoutError", `the call timed out after ${timeoutMs} ms`, {
    timeoutMs,
    elapsedMs: Date.now() - started,
  });
}

/**
 * One AbortSignal that fires when the caller's signal does (with its reason) or when
 * `timeoutMs` passes (with a TimeoutError). `done()` clears the timer and listener.
 */
export function linkSignals(userSignal, timeoutMs) {
  const controller = new AbortController();
  const started = Date.now();
  let timer;
  const onAbort = () => controller.abort(userSignal.reason);
  if (userSignal) {
    if (userSignal.aborted) controller.abort(userSignal.reason);
    else userSignal.addEventListener("abort", onAbort, { once: true });
  }
  if (timed(timeoutMs) && !controller.signal.aborted) {
    timer = setTimeout(() => controller.abort(timeoutError(timeoutMs, started)), timeoutMs);
  }
  return {
    signal: controller.signal,
    reason: () => controller.signal.reason,
    done() {
      clearTimeout(timer);
      userSignal?.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * Deadlines shared by the calls that have a timeout and no signal of their own, the
 * common case: an AbortController, a timer and fetch's set-up of a new signal cost ~10 µs
 * a call (a few percent of a loopback call). Calls whose deadlines fall in one slot (a
 * 64th of the timeout, 1 to 250 ms wide) share a controller that aborts at the slot's
 * end, so a call times out at most one slot late. A slot takes at most 64 calls: fetch
 * leaves an abort listener on the signal per request until it is collected, and lists
 * them all when it follows the signal (undici's max-listeners check), so a crowded
 * signal costs more per call than a new one. Slots are timed on the monotonic clock.
 */
class SharedDeadline {
  constructor(timeoutMs, end, now) {
    this.timeoutMs = timeoutMs;
    this.end = end;
    this.calls = 0;
    this.pending = 0;
    this.controller = new AbortController();
    this.signal = this.controller.signal;
    // `end` may lie past what a timer can wait when the timeout is near that limit.
    this.timer = setTimeout(() => this.#fire(), Math.min(end - now, MAX_TIMER_MS));
  }

  #fire() {
    if (deadlines.get(this.timeoutMs) === this) deadlines.delete(this.timeoutMs);
    // Each call rejects with its own TimeoutError (see `reason`); this one is for fetch.
    this.controller.abort(makeError("TimeoutError", `the call timed out after ${this.timeoutMs} ms`, {
      timeoutMs: this.timeoutMs,
    }));
  }

  join() {
    this.calls++;
    if (this.pending++ === 0) refTimer(this.timer, true);
  }

  leave() {
    if (--this.pending > 0) return;
    if (deadlines.get(this.timeoutMs) === this) refTimer(this.timer, false);
    else this.close(); // no call can join it any more
  }

  close() {
    clearTimeout(this.timer);
    if (deadlines.get(this.timeoutMs) === this) deadlines.delete(this.timeoutMs);
  }
}

/**
 * Whether a timer keeps the process alive (Node's Timeout, Deno's timer ids): an idle
 * slot's timer must not hold a script open for its whole timeout. Browsers have no such
 * notion.
 */
function refTimer(timer, on) {
  if (typeof timer === "object") on ? timer.ref?.() : timer.unref?.();
  else (on ? globalThis.Deno?.refTimer : globalThis.Deno?.unrefTimer)?.(timer);
}

/** The newest slot of each timeout. */
const deadlines = new Map();
const SLOT_CALLS = 64;
/**
 * Past this many timeouts with a slot, the idle slots are dropped: a caller giving every
 * call its own timeout (a remaining budget, say) must not leave a slot behind per call.
 */
const SLOT_TIMEOUTS = 32;

function dropIdleSlots() {
  for (const slot of deadlines.values()) if (slot.pending === 0) slot.close();
}

class SharedDeadlineCall {
  constructor(timeoutMs) {
    const now = performance.now();
    const width = Math.min(Math.max(timeoutMs / 64, 1), 250);
    const end = Math.ceil((now + timeoutMs) / width) * width;
    let slot = deadlines.get(timeoutMs);
    if (slot === undefined || slot.end !== end || slot.calls >= SLOT_CALLS) {
      if (slot !== undefined && slot.pending === 0) slot.close();
      if (deadlines.size >= SLOT_TIMEOUTS) dropIdleSlots();
      slot = new SharedDeadline(timeoutMs, end, now);
      deadlines.set(timeoutMs, slot);
    }
    slot.join();
    this.slot = slot;
    this.signal = slot.signal;
    this.started = Date.now();
  }

  reason() {
    return timeoutError(this.slot.timeoutMs, this.started);
  }

  done() {
    this.slot.leave();
  }
}

const NO_SIGNAL = { signal: undefined, reason() {}, done() {} };

/**
 * The signal of one call and what it rejects with when it fires (`reason()`); `done()`
 * releases it. Only a call with both a caller's signal and a timeout needs a controller
 * of its own.
 */
export function callSignal(userSignal, timeoutMs) {
  if (userSignal) {
    if (timed(timeoutMs)) return linkSignals(userSignal, timeoutMs);
    return { signal: userSignal, reason: () => userSignal.reason, done() {} };
  }
  return timed(timeoutMs) ? new SharedDeadlineCall(timeoutMs) : NO_SIGNAL;
}

/** What `invoke` resolves with. */
export class InvokeResult {
  /** By shape, like the error classes: works across realms and duplicate installs. */
  static [Symbol.hasInstance](value) {
    return typeof value === "object" && value !== null && typeof value.requestId === "string" &&
      typeof value.result === "string" && "functionError" in value && typeof value.json === "function";
  }

  constructor(fields) {
    this.requestId = fields.requestId;
    this.status = fields.status;
    this.result = fields.result;
    this.log = fields.log;
    this.summary = fields.summary;
    this.functionError = fields.functionError;
    Object.freeze(this);
  }
  /** The result parsed as JSON. */
  json() {
    try {
      return JSON.parse(this.result);
    } catch (cause) {
      throw makeError(
        "ResponseError",
        "the function's result is not JSON",
        { status: 200, requestId: this.requestId, body: this.result.slice(0, 1024) },
        cause,
      );
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Reports a request or response to the caller's hook and, with `debug`, the console. */
export function emit(hook, debug, kind, info) {
  if (debug) console.debug(`[functiongraph-client] ${kind}`, info);
  if (typeof hook === "function") {
    try {
      hook(info);
    } catch {
      // A failing hook must not fail the call it observes.
    }
  }
}
