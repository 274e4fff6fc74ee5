// The package's error classes (wasm-bindgen cannot define Error subclasses); Rust
// constructs them through its bindings of each class. They are recognised by a brand, a
// registered symbol that every realm and every installed copy of the package shares,
// never by `name` alone: the platform's `DOMException` "TimeoutError", another library's
// `ValidationError`, or `{ name: "ServiceError" }` are not ours.

const BRAND = Symbol.for("functiongraph-client.error");

/** The class name a value is branded with, or undefined. Runs no getter or Proxy trap of the value's. */
function brandOf(value) {
  if (typeof value !== "object" || value === null) return undefined;
  try {
    const own = Object.getOwnPropertyDescriptor(value, BRAND);
    return own && typeof own.value === "string" ? own.value : undefined;
  } catch {
    return undefined; // a revoked Proxy, or one whose trap throws
  }
}

/**
 * The class below, for its own `Symbol.hasInstance`. Not named inside its body: a bundler
 * (esbuild) rewrites a class that names itself as `var X = class _X`, and `X.name` would be
 * "_X".
 */
let base;

/** Base class of every error this package rejects with (except an abort's own reason). */
export class FunctionGraphError extends Error {
  constructor(message, options) {
    super(message, options);
    Object.defineProperty(this, "name", { value: new.target.name, enumerable: false, configurable: true, writable: true });
    Object.defineProperty(this, BRAND, { value: new.target.name });
  }

  static [Symbol.hasInstance](value) {
    const brand = brandOf(value);
    return brand !== undefined && (this === base || brand === this.name);
  }
}
base = FunctionGraphError;

function define(name) {
  const cls = {
    [name]: class extends FunctionGraphError {
      constructor(message, fields, options) {
        super(message, options);
        if (fields) Object.assign(this, fields);
      }
    },
  }[name];
  return cls;
}

/** The service answered with an error status (`status`, `errorCode`, `errorMsg`, `requestId`). */
export const ServiceError = define("ServiceError");
/** The request never got an answer (DNS, connection refused or reset, CORS); `cause` has the platform error. */
export const NetworkError = define("NetworkError");
/** The call ran out of time (`timeoutMs`, `elapsedMs`). */
export const TimeoutError = define("TimeoutError");
/** An argument was refused before any request was sent (`field`). */
export const ValidationError = define("ValidationError");
/** A success status with a body that cannot be understood (`status`, `requestId`, `body`). */
export const ResponseError = define("ResponseError");

/** Whether `value` is one of this package's errors (by its brand: across realms and installed copies too). */
export function isFunctionGraphError(value) {
  return brandOf(value) !== undefined;
}
