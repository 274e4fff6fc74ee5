// Turning answers into results: what `invoke`, `invokeAsync` and the listings resolve with,
// or the typed error for the status. The field names mirror functiongraph_protocol's models
// (InvokeResponseBody, AsyncInvokeResponse, ListAsyncInvocationsResponse, ErrorBody); the
// client-against-emulator tests keep the two in step. Parsing stays in JS: JSON.parse is
// native, and shaping objects here costs nothing at the wasm boundary.
import { makeError } from "./errors.js";
import { InvokeResult } from "./support.js";

const STATUSES = new Set(["WAIT", "RUNNING", "SUCCESS", "FAIL", "DISCARD"]);

/** The first 1 KB (UTF-16 units, not splitting a pair) of a body, for errors. */
function snippet(text) {
  let end = Math.min(text.length, 1024);
  const last = text.charCodeAt(end - 1);
  if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

function tryParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A whole number written as text (a header, or a numeric string in JSON); undefined otherwise. */
function integer(text) {
  return typeof text === "string" && /^\s*[+-]?\d{1,15}\s*$/.test(text) ? Number(text) : undefined;
}

const field = (obj, key) => (typeof obj === "object" && obj !== null ? obj[key] : undefined);
const str = (v) => (typeof v === "string" ? v : undefined);

/** The request id the service gave this answer. */
export function answerRequestId(res) {
  return res.headers.get("x-cff-request-id") ?? res.headers.get("x-request-id");
}

/**
 * The error for an answer with status ≥ 400: the service's `{error_code, error_msg}` when
 * the body has them, otherwise the status and the start of the body.
 */
export function serviceError(res, text, attempts) {
  const body = tryParse(text);
  const code = str(field(body, "error_code"));
  const requestId = res.headers.get("x-request-id") ?? str(field(body, "request_id")) ?? null;
  let errorMsg;
  if (code !== undefined) errorMsg = str(field(body, "error_msg")) ?? "";
  else errorMsg = snippet(text.trim()) || "(empty body)";
  const message = code ? `${code}: ${errorMsg} (HTTP ${res.status})` : `HTTP ${res.status}: ${errorMsg}`;
  return makeError("ServiceError", message, {
    status: res.status, attempts, errorCode: code ?? "", errorMsg, requestId,
  });
}

function responseError(res, text, attempts, why) {
  return makeError("ResponseError", `unexpected answer from the service (HTTP ${res.status}): ${why}`, {
    status: res.status, attempts, requestId: answerRequestId(res), body: snippet(text),
  });
}

/** The body of a 2xx answer as a JSON object. */
function jsonObject(res, text, attempts) {
  const value = tryParse(text);
  if (value === undefined) throw responseError(res, text, attempts, "the body is not JSON");
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw responseError(res, text, attempts, "the body is not a JSON object");
  }
  return value;
}

/** `X-Cff-Invoke-Summary` as `{durationMs, billingDurationMs, memorySizeMb, memoryUsedMb}`. */
function summary(res) {
  const raw = res.headers.get("x-cff-invoke-summary");
  const s = raw === null ? undefined : tryParse(raw);
  const out = {
    durationMs: field(s, "duration"),
    billingDurationMs: field(s, "billingDuration"),
    memorySizeMb: field(s, "memorySize"),
    memoryUsedMb: field(s, "memoryUsed"),
  };
  for (const k in out) if (typeof out[k] !== "number") return null;
  return out;
}

/** `{code, type, message, stackTrace}` from a failed function's result text. */
function functionError(code, result) {
  const parsed = tryParse(result);
  const stack = field(parsed, "stackTrace");
  return {
    code,
    type: str(field(parsed, "errorType")) ?? "",
    message: str(field(parsed, "errorMessage")) ?? result,
    stackTrace: Array.isArray(stack) ? stack.filter((l) => typeof l === "string") : [],
  };
}

/** Decodes the Base64 of UTF-8 text (X-Cff-Function-Log); "" when it is not Base64. */
function decodeBase64Utf8(text) {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
  } catch {
    return "";
  }
}

/** What `invoke` resolves with. */
export function invokeResult(res, text, attempts, v0) {
  if (res.status >= 400) throw serviceError(res, text, attempts);
  const isFuncErr = res.headers.get("x-is-func-err")?.toLowerCase() === "true";
  const codeHeader = integer(res.headers.get("x-func-err-code"));
  const errCode = codeHeader !== 0 ? codeHeader : undefined;
  let requestId, result, log, status;
  if (v0) {
    const logHeader = res.headers.get("x-cff-function-log");
    log = logHeader === null ? "" : decodeBase64Utf8(logHeader);
    status = isFuncErr ? errCode ?? 500 : 200;
    requestId = answerRequestId(res);
    result = text;
  } else {
    const body = jsonObject(res, text, attempts);
    const r = body.result;
    if (r === undefined) throw responseError(res, text, attempts, "the body has no 'result'");
    // Some gateways answer the result as JSON rather than JSON text.
    result = typeof r === "string" ? r : JSON.stringify(r);
    status = body.status ?? 200;
    if (typeof status !== "number") throw responseError(res, text, attempts, "'status' is not a number");
    log = body.log ?? "";
    if (typeof log !== "string") throw responseError(res, text, attempts, "'log' is not a string");
    requestId = str(body.request_id) ?? answerRequestId(res);
  }
  const failed = isFuncErr || status !== 200;
  return new InvokeResult({
    requestId: requestId ?? "",
    status,
    functionError: failed ? functionError(errCode ?? status, result) : null,
    result,
    log,
    summary: summary(res),
  });
}

/** What `invokeAsync` resolves with: `{requestId}`. */
export function asyncResult(res, text, attempts) {
  if (res.status >= 400) throw serviceError(res, text, attempts);
  const requestId = str(jsonObject(res, text, attempts).request_id);
  if (!requestId) throw responseError(res, text, attempts, "the body has no 'request_id'");
  return { requestId };
}

/** What `cancelAsyncInvocation` resolves with: nothing. */
export function cancelResult(res, text, attempts) {
  if (res.status >= 400) throw serviceError(res, text, attempts);
}

/** One record of a listing. `parseTime` is the protocol's lenient time parser (seconds or NaN). */
function invocation(res, text, attempts, rec, parseTime) {
  const requestId = str(field(rec, "request_id"));
  if (requestId === undefined) throw responseError(res, text, attempts, "a record has no 'request_id'");
  const status = field(rec, "status");
  if (!STATUSES.has(status)) throw responseError(res, text, attempts, "a record has an unknown 'status'");
  // error_code is an integer on the wire; tolerate it as a numeric string.
  const code = field(rec, "error_code");
  const errorCode = typeof code === "number" ? code : integer(code) ?? 0;
  const date = (v) => {
    const secs = typeof v === "string" ? parseTime(v) : NaN;
    return Number.isNaN(secs) ? null : new Date(secs * 1000);
  };
  return {
    requestId,
    status,
    errorCode,
    errorMessage: str(field(rec, "error_message")) ?? "",
    startTime: date(field(rec, "start_time")),
    endTime: date(field(rec, "end_time")),
  };
}

/** What the listings resolve with: `{invocations, count, nextMarker}`. */
export function listPage(res, text, attempts, parseTime) {
  if (res.status >= 400) throw serviceError(res, text, attempts);
  const body = jsonObject(res, text, attempts);
  const records = body.invocations ?? [];
  if (!Array.isArray(records)) throw responseError(res, text, attempts, "'invocations' is not an array");
  const invocations = records.map((rec) => invocation(res, text, attempts, rec, parseTime));
  const count = body.count ?? invocations.length;
  if (typeof count !== "number") throw responseError(res, text, attempts, "'count' is not a number");
  const marker = body.next_marker;
  let nextMarker = null;
  if (typeof marker === "number" && Number.isInteger(marker) && marker >= 0) nextMarker = String(marker);
  else if (typeof marker === "string" && marker !== "") nextMarker = marker;
  return { invocations, count, nextMarker };
}
