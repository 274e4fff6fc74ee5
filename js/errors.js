// The package's error classes (wasm-bindgen cannot define Error subclasses). Rust
// creates them through `makeError`; users test them
// with `instanceof` or `isFunctionGraphError`, both of which go by `name`, so they
// work across realms and when two copies of the package are installed.

const NAMES = new Set([
  "FunctionGraphError",
  "ServiceError",
  "NetworkError",
  "TimeoutError",
  "ValidationError",
  "ResponseError",
]);

const named = (value, name) =>
  typeof value === "object" && value !== null && value.name === name && typeof value.message === "string";

/** Base class of every error this package rejects with (except an abort's own reason). */
export class FunctionGraphError extends Error {
  constructor(message, options) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "FunctionGraphError", enumerable: false, configurable: true, writable: true });
  }
  static [Symbol.hasInstance](value) {
    return this === FunctionGraphError ? isFunctionGraphError(value) : named(value, this.name);
  }
}

function define(name) {
  const cls = {
    [name]: class extends FunctionGraphError {
      constructor(message, fields, options) {
        super(message, options);
        Object.defineProperty(this, "name", { value: name, enumerable: false, configurable: true, writable: true });
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

/** Whether `value` is one of this package's errors (by name, so across realms too). */
export function isFunctionGraphError(value) {
  return typeof value === "object" && value !== null && NAMES.has(value.name) && typeof value.message === "string";
}

const CLASSES = { ServiceError, NetworkError, TimeoutError, ValidationError, ResponseError };

/** Used by the Rust side: one entry point for every error it raises. */
export function makeError(kind, message, fields, cause) {
  const cls = CLASSES[kind] ?? FunctionGraphError;
  return new cls(message, fields, cause === undefined ? undefined : { cause });
}
