// What wasm-bindgen cannot express: a frozen result object with its own enumerable
// fields and a method, and the async-iterator protocol (`for await`) over a Rust pager.
import { ResponseError } from "./errors.js";

const MADE_BY_CLIENT = Symbol("made by the client");

/** What `invoke` resolves with. Rust fills it (see src/bindings/convert.rs). */
export class InvokeResult {
  /** By shape, like the error classes: works across realms and duplicate installs. */
  static [Symbol.hasInstance](value) {
    return typeof value === "object" && value !== null && typeof value.requestId === "string" &&
      typeof value.result === "string" && "functionError" in value && typeof value.json === "function";
  }

  constructor(token, fields) {
    // Private, as the types declare it: only the client makes one (through makeInvokeResult).
    if (token !== MADE_BY_CLIENT) throw new TypeError("InvokeResult is made by the client only: it is what invoke() resolves with");
    Object.assign(this, fields);
    Object.freeze(this);
  }

  /** The result parsed as JSON. */
  json() {
    try {
      return JSON.parse(this.result);
    } catch (cause) {
      throw new ResponseError("the function's result is not JSON",
        { status: 200, requestId: this.requestId, body: this.result.slice(0, 1024) }, { cause });
    }
  }
}

/** Used by Rust: an InvokeResult with these fields. */
export function makeInvokeResult(fields) {
  return new InvokeResult(MADE_BY_CLIENT, fields);
}

/**
 * Used by Rust: `for await` over a pager whose `next()` resolves with a record or
 * undefined. Calls are queued, as an async generator queues them.
 */
export function asyncIterable(pager) {
  let tail = Promise.resolve();
  let closed = false;
  const step = (fn) => {
    const result = tail.then(fn);
    tail = result.catch(() => {});
    return result;
  };
  return {
    next: () => step(async () => {
      if (closed) return { value: undefined, done: true };
      const value = await pager.next();
      return value === undefined ? { value, done: true } : { value, done: false };
    }),
    return: (value) => step(() => {
      if (!closed) pager.free();
      closed = true;
      return { value, done: true };
    }),
    throw: (error) => step(() => {
      if (!closed) pager.free();
      closed = true;
      throw error;
    }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
