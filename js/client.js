// The public FunctionGraphClient. The wasm (through ./wire.js) checks and builds
// what goes on the wire and signs it; this module validates options, sends with `fetch`
// (retries, timeouts, aborts, hooks) and shapes results, plus the conveniences built on the
// operations (every-page iteration, waiting for an async invocation). Only the entries
// import it, after the wasm is instantiated.
import { makeError } from "./errors.js";
import { callOptions, cancelType, clientConfig, invalid, invokeOptions, optionsObject } from "./options.js";
import { asyncResult, cancelResult, invokeResult, listPage } from "./responses.js";
import { linkSignals, sleep } from "./support.js";
import { signRequest } from "./signer.js";
import { send } from "./transport.js";
// version.js is written by scripts/build-pkg.mjs (from Cargo.toml).
import { version } from "./version.js";
import { bodyLimit, cancelBody, listingQuery, parseTime, requestPath } from "./wire.js";

const TERMINAL = new Set(["SUCCESS", "FAIL", "DISCARD"]);
/** Default limit of a wait: the longest a function may run, plus a queueing minute. */
const DEFAULT_WAIT_MS = 16 * 60 * 1000;

/** Checked paths a client remembers (see `#path`). */
const PATH_CACHE_SIZE = 256;

const NO_HEADERS = [];
const rejected = (e) => Promise.reject(e);

/** Operation numbers of the wasm's `requestPath` (and indexes of a client's path caches). */
const OP = { invoke: 0, invokeAsync: 1, list: 2, active: 3, cancel: 4 };

let limits;
/** The event as JSON text within the sync (or async) limit of UTF-8 bytes. */
function eventBody(event, isAsync) {
  let text;
  if (event === undefined) {
    text = "{}";
  } else if (typeof event === "string") {
    try {
      JSON.parse(event);
    } catch {
      throw invalid("event", "a string event is sent as is and must be JSON text; to send a plain string, pass JSON.stringify(text)");
    }
    text = event;
  } else {
    try {
      text = JSON.stringify(event);
    } catch (cause) {
      throw invalid("event", "cannot be serialised as JSON", cause);
    }
    if (typeof text !== "string") throw invalid("event", "cannot be represented as JSON");
  }
  limits ??= [bodyLimit(false), bodyLimit(true)];
  const limit = limits[isAsync ? 1 : 0];
  // A UTF-16 unit is at most 3 UTF-8 bytes: count exactly only when it could matter.
  if (text.length * 3 > limit) {
    const bytes = utf8Length(text);
    if (bytes > limit) {
      throw invalid("event", `is ${bytes} bytes as JSON; a ${isAsync ? "async" : "sync"} invocation takes at most ${limit} bytes`);
    }
  }
  return text;
}

function utf8Length(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function positiveNumber(value, field, { integer = false, allowZero = false } = {}) {
  if (value === undefined) return undefined;
  const ok = typeof value === "number" && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0) &&
    (!integer || Number.isInteger(value));
  if (!ok) throw invalid(field, `must be a ${integer ? "whole " : ""}number${allowZero ? ", 0 or more" : " above 0"}`);
  return value;
}

/**
 * Every record of a paged listing: `fetchPage(query)` is one of the client's listing
 * methods. Stops when there is no next page or after `maxItems`, and refuses a page
 * marker the service already returned instead of looping forever.
 */
async function* everyRecord(fetchPage, query) {
  if (query === null || typeof query !== "object") throw invalid("query", "must be an object");
  const { maxItems, ...rest } = query;
  positiveNumber(maxItems, "query.maxItems", { integer: true });
  const limit = maxItems ?? Infinity;
  const seen = new Set();
  let marker = rest.marker;
  let yielded = 0;
  for (;;) {
    const page = await fetchPage({ ...rest, marker });
    for (const invocation of page.invocations) {
      yield invocation;
      if (++yielded >= limit) return;
    }
    const next = page.nextMarker;
    if (next === null || next === undefined) return;
    if (seen.has(next) || (marker !== undefined && String(marker) === next)) {
      throw makeError(
        "ResponseError",
        `the service returned page marker ${next} twice; stopping rather than looping`,
        { status: 200, requestId: null, body: "" },
      );
    }
    seen.add(next);
    marker = next;
  }
}

/** A client for one project. Create it once and reuse it; every method returns a Promise. */
export class FunctionGraphClient {
  #config;
  #userAgent;
  #paths = [new Map(), new Map(), new Map(), new Map(), new Map()];

  /** Checks the options; throws ValidationError naming a bad one. No request is sent. */
  constructor(options) {
    this.#config = clientConfig(options);
    const base = `functiongraph-client/${version()}`;
    this.#userAgent = this.#config.userAgent ? `${base} ${this.#config.userAgent}` : base;
  }

  /** Sends one operation's request; resolves with `shape(res, text, attempts, arg)`. */
  #send(method, path, headers, body, call, shape, arg) {
    return send(this.#config, { method, path, headers, body }, call, signRequest, this.#userAgent, shape, arg);
  }

  /**
   * The checked path of `op` on `functionUrn`, remembered (the check is pure), so a hot
   * loop on one function does not cross into the wasm each call.
   */
  #path(functionUrn, op) {
    const paths = this.#paths[op];
    let path = paths.get(functionUrn);
    if (path === undefined) {
      path = requestPath(this.#config.projectId, functionUrn, op);
      if (paths.size >= PATH_CACHE_SIZE) paths.clear();
      paths.set(functionUrn, path);
    }
    return path;
  }

  // The methods are not `async` (a layer of promises per call); a bad argument still
  // rejects rather than throws, through `rejected`.

  /** Runs a function and waits for its result. */
  invoke(functionUrn, event, options) {
    try {
      const path = this.#path(functionUrn, OP.invoke);
      const body = eventBody(event, false);
      const o = optionsObject(options, "options");
      const call = callOptions(o, this.#config, "options", false);
      const { headers, v0 } = invokeOptions(o);
      return this.#send("POST", path, headers, body, call, invokeResult, v0);
    } catch (e) {
      return rejected(e);
    }
  }

  /** Queues a function run; resolves with its request id once the service has accepted it. */
  invokeAsync(functionUrn, event, options) {
    try {
      const path = this.#path(functionUrn, OP.invokeAsync);
      const body = eventBody(event, true);
      const call = callOptions(optionsObject(options, "options"), this.#config, "options", false);
      return this.#send("POST", path, NO_HEADERS, body, call, asyncResult);
    } catch (e) {
      return rejected(e);
    }
  }

  /** One page of a function's async invocations, newest first. */
  listAsyncInvocations(functionUrn, query) {
    return this.#list(functionUrn, OP.list, query);
  }

  /** One page of a function's WAIT and RUNNING async invocations, newest first. */
  listActiveAsyncInvocations(functionUrn, query) {
    return this.#list(functionUrn, OP.active, query);
  }

  #list(functionUrn, op, query) {
    try {
      const path = this.#path(functionUrn, op); // the URN first, then the query
      const search = listingQuery(query, op === OP.active);
      const call = callOptions(query ?? undefined, this.#config, "query", true);
      return this.#send("GET", search ? `${path}?${search}` : path, NO_HEADERS, undefined, call, listPage, parseTime);
    } catch (e) {
      return rejected(e);
    }
  }

  /** Stops a WAIT or RUNNING async invocation (it ends as DISCARD). */
  cancelAsyncInvocation(functionUrn, requestId, options) {
    try {
      const path = this.#path(functionUrn, OP.cancel);
      const o = optionsObject(options, "options");
      const body = cancelBody(requestId, cancelType(o));
      const call = callOptions(o, this.#config, "options", false);
      return this.#send("POST", path, NO_HEADERS, body, call, cancelResult);
    } catch (e) {
      return rejected(e);
    }
  }

  /** Nothing to release: the client holds no wasm memory. Kept for `using` and older code. */
  free() {}

  [Symbol.dispose ?? Symbol.for("Symbol.dispose")]() {}

  /** Every async invocation matching `query`, across pages, newest first (`maxItems` caps it). */
  asyncInvocations(functionUrn, query = {}) {
    return everyRecord((q) => this.listAsyncInvocations(functionUrn, q), query);
  }

  /** Every WAIT and RUNNING async invocation matching `query`, across pages. */
  activeAsyncInvocations(functionUrn, query = {}) {
    return everyRecord((q) => this.listActiveAsyncInvocations(functionUrn, q), query);
  }

  /**
   * Polls until the async invocation reaches SUCCESS, FAIL or DISCARD and resolves with
   * that record. The interval starts at `intervalMs` and grows ×1.5 up to
   * `maxIntervalMs`. Rejects with TimeoutError after `timeoutMs` (default 16 minutes),
   * or with the signal's reason when aborted.
   */
  async waitForAsyncInvocation(functionUrn, requestId, options = {}) {
    if (typeof requestId !== "string" || requestId === "") throw invalid("requestId", "must be a non-empty string");
    if (options === null || typeof options !== "object") throw invalid("options", "must be an object");
    let interval = positiveNumber(options.intervalMs, "options.intervalMs") ?? 500;
    const maxInterval = positiveNumber(options.maxIntervalMs, "options.maxIntervalMs") ?? 5000;
    const timeoutMs = positiveNumber(options.timeoutMs, "options.timeoutMs", { allowZero: true }) ?? DEFAULT_WAIT_MS;
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw invalid("options.signal", "must be an AbortSignal");
    }
    const link = linkSignals(options.signal, timeoutMs);
    try {
      for (;;) {
        const page = await this.listAsyncInvocations(functionUrn, { requestId, signal: link.signal });
        const record = page.invocations.find((i) => i.requestId === requestId);
        if (record && TERMINAL.has(record.status)) return record;
        await sleep(interval, link.signal);
        interval = Math.min(interval * 1.5, maxInterval);
      }
    } finally {
      link.done();
    }
  }

  /** Starts an async invocation and waits for its terminal record (see waitForAsyncInvocation). */
  async invokeAsyncAndWait(functionUrn, event, options = {}) {
    if (options === null || typeof options !== "object") throw invalid("options", "must be an object");
    const { requestId } = await this.invokeAsync(functionUrn, event, { signal: options.signal });
    return this.waitForAsyncInvocation(functionUrn, requestId, options);
  }
}
