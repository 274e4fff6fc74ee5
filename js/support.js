// Small platform pieces: signal linking with a timeout, sleeping, hooks, and the
// InvokeResult class.
import { makeError } from "./errors.js";

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
  if (timeoutMs > 0 && !controller.signal.aborted) {
    timer = setTimeout(() => {
      const elapsedMs = Date.now() - started;
      controller.abort(
        makeError("TimeoutError", `the call timed out after ${timeoutMs} ms`, { timeoutMs, elapsedMs }),
      );
    }, timeoutMs);
  }
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      userSignal?.removeEventListener("abort", onAbort);
    },
  };
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
