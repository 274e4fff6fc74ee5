// The public FunctionGraphClient: the wasm-bindgen class plus the conveniences built
// on its three operations (every-page iteration, waiting for an async invocation).
// It lives in its own module, imported only by the entries, because support.js and
// errors.js are imported by the wasm glue itself.
import { FunctionGraphClient as WasmClient } from "../functiongraph_client.js";
import { makeError } from "./errors.js";
import { linkSignals, sleep } from "./support.js";

const TERMINAL = new Set(["SUCCESS", "FAIL", "DISCARD"]);
/** Default limit of a wait: the longest a function may run, plus a queueing minute. */
const DEFAULT_WAIT_MS = 16 * 60 * 1000;

function invalid(field, message) {
  return makeError("ValidationError", `${field}: ${message}`, { field });
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

export class FunctionGraphClient extends WasmClient {
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
