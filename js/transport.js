// One call on the wire: credentials, signing, `fetch`, retries with backoff, hooks, and the
// answer read in full. An abort (the caller's or the timeout's) rejects with the caller's
// reason or a TimeoutError; any other failure of `fetch` is a NetworkError.
import { makeError } from "./errors.js";
import { callSignal, emit, sleep } from "./support.js";
import { parseCredentials } from "./options.js";
import { answerRequestId } from "./responses.js";

const SECRET_HEADERS = new Set(["authorization", "x-auth-token", "x-security-token"]);
const inBrowser = typeof document !== "undefined";

/** The credentials a provider gives for the next attempt. */
async function resolveCredentials(source) {
  let value;
  try {
    value = await source();
  } catch (cause) {
    throw makeError("ValidationError", "options.credentials: the credentials provider failed",
      { field: "options.credentials" }, cause);
  }
  return parseCredentials(value, "options.credentials (from the provider)");
}

/**
 * The headers of one attempt: the request's, the client's, and authentication (signed
 * with `sign` for AK/SK, which adds `X-Sdk-Date`, `X-Security-Token` and `Authorization`).
 */
function attemptHeaders(config, req, url, credentials, sign, userAgent) {
  const headers = { "content-type": "application/json" };
  for (const [k, v] of req.headers) headers[k] = v;
  for (const [k, v] of config.headers) headers[k] = v;
  if (credentials?.token !== undefined) {
    headers["x-auth-token"] = credentials.token;
  } else if (credentials) {
    headers["x-project-id"] = config.projectId;
    return withUserAgent(sign({ method: req.method, url, headers, body: req.body }, credentials), userAgent);
  }
  return withUserAgent(headers, userAgent);
}

function withUserAgent(headers, userAgent) {
  // Browsers send their own User-Agent and would need a CORS allowance for ours; it is not signed.
  if (!inBrowser) headers["user-agent"] = userAgent;
  return headers;
}

/** Whether an answer is worth another attempt: throttling (not a disabled function) and transient 5xx. */
function retryable(status, text) {
  if (status === 429) return !text.includes("Function Disabled");
  return status === 500 || status === 502 || status === 503 || status === 504;
}

/** `Retry-After` in whole seconds, as ms. */
function retryAfterMs(res) {
  const v = res.headers.get("retry-after")?.trim();
  return v && /^\d{1,9}$/.test(v) ? Number(v) * 1000 : undefined;
}

/** Full-jitter exponential backoff before attempt `attempt + 1`, never shorter than `Retry-After`. */
function backoffMs(policy, attempt, retryAfter) {
  const ceiling = Math.min(policy.baseDelayMs * 2 ** Math.min(attempt, 20), policy.maxDelayMs);
  const jittered = Math.random() * ceiling;
  return retryAfter === undefined ? jittered : Math.max(retryAfter, jittered);
}

function redacted(headers) {
  const out = {};
  for (const k in headers) {
    const name = k.toLowerCase();
    out[name] = SECRET_HEADERS.has(name) ? "[REDACTED]" : headers[k];
  }
  return out;
}

/**
 * Sends `req` (`{method, path, headers: [name, value][], body?}`), retrying per
 * `call.retry`, reads the whole answer and resolves with `shape(res, text, attempts, arg)`.
 * One timeout covers every attempt and backoff; an abort ends a backoff at once. One async
 * function for all of it: each extra async layer is a promise and microtasks per call.
 */
export async function send(config, req, call, sign, userAgent, shape, arg) {
  if (call.signal?.aborted) throw call.signal.reason;
  const link = callSignal(call.signal, call.timeoutMs);
  const signal = link.signal;
  const url = config.baseUrl + req.path;
  const observed = config.debug || config.onRequest || config.onResponse;
  try {
    for (let attempt = 1; ; attempt++) {
      // Fresh credentials and a fresh signature (X-Sdk-Date) for every attempt.
      const source = config.credentials;
      const credentials = typeof source === "function" ? await resolveCredentials(source) : source;
      if (signal?.aborted) throw link.reason();
      const headers = attemptHeaders(config, req, url, credentials, sign, userAgent);
      const info = observed ? { method: req.method, url, attempt, headers: redacted(headers) } : undefined;
      if (info) emit(config.onRequest, config.debug, "request", info);
      const started = Date.now();
      let res, text, failure;
      try {
        res = await fetch(url, { method: req.method, headers, body: req.body, signal });
        text = await res.text();
      } catch (cause) {
        failure = signal?.aborted ? { aborted: true, reason: link.reason() } : { aborted: false, cause };
      }
      if (info) {
        const after = { ...info, durationMs: Date.now() - started };
        if (failure) after.error = failure.aborted ? "aborted" : failure.cause;
        else Object.assign(after, { status: res.status, requestId: answerRequestId(res) });
        emit(config.onResponse, config.debug, "response", after);
      }
      let retryAfter;
      if (failure?.aborted) throw failure.reason;
      if (failure) {
        if (attempt >= call.retry.maxAttempts) {
          throw makeError("NetworkError", `network error: ${failure.cause?.message ?? ""}`, { attempts: attempt },
            failure.cause);
        }
      } else {
        if (attempt >= call.retry.maxAttempts || !retryable(res.status, text)) return shape(res, text, attempt, arg);
        retryAfter = retryAfterMs(res);
      }
      try {
        await sleep(backoffMs(call.retry, attempt - 1, retryAfter), signal);
      } catch {
        throw link.reason();
      }
    }
  } finally {
    link.done();
  }
}
