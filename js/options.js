// Client options and per-call options, checked once, before any request. Every bad value
// is a ValidationError naming its field. Pure JavaScript: reading a JS object from wasm
// costs a boundary crossing per field and several KB of binary for the same checks.
import { makeError } from "./errors.js";

/** Default time limit of a call, retries included. */
const DEFAULT_TIMEOUT_MS = 60_000;
/** Retry policies: the default for listings, and one attempt only. */
const RETRY_DEFAULT = Object.freeze({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5_000 });
const RETRY_NONE = Object.freeze({ ...RETRY_DEFAULT, maxAttempts: 1 });

/** Headers the client sets itself; a user header may not replace them. */
const RESERVED_HEADERS = new Set([
  "authorization", "x-auth-token", "x-sdk-date", "x-security-token", "x-project-id", "host",
  "content-length", "content-type",
]);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** A line break or NUL: not allowed in a header value (or in what the signer packs). */
export const CONTROL_LINE = /[\r\n\0]/;
const CREDENTIALS_SHAPE = "must be { token }, { accessKey, secretKey, securityToken? }, or a function returning one";

export function invalid(field, message, cause) {
  return makeError("ValidationError", `${field}: ${message}`, { field }, cause);
}

const absent = (v) => v === undefined || v === null;

/** An optional options object: undefined/null → undefined; anything but a plain object is refused. */
export function optionsObject(v, field) {
  if (absent(v)) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw invalid(field, "must be an object");
  return v;
}

/** An optional string field. */
export function optString(obj, key, field) {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (typeof v !== "string") throw invalid(field, "must be a string");
  return v;
}

/** A required, non-empty string field. */
export function requiredString(obj, key, field) {
  const v = optString(obj, key, field);
  if (!v) throw invalid(field, "is required (a non-empty string)");
  return v;
}

function optMillis(obj, key, field) {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw invalid(field, "must be a finite number of milliseconds, 0 or more");
  }
  return v;
}

function optFunction(obj, key, field) {
  const v = obj[key];
  if (absent(v)) return undefined;
  if (typeof v !== "function") throw invalid(field, "must be a function");
  return v;
}

/**
 * Reads `retry`: `false` (no retries), `true` (`base`), or an object overriding fields of
 * `base`; absent gives `whenAbsent`.
 */
function retryPolicy(v, base, whenAbsent, field) {
  if (absent(v)) return whenAbsent;
  if (typeof v === "boolean") return v ? base : RETRY_NONE;
  const obj = optionsObject(v, field);
  const attempts = obj.maxAttempts;
  if (!absent(attempts) && !(Number.isInteger(attempts) && attempts >= 1 && attempts <= 10)) {
    throw invalid(`${field}.maxAttempts`, "must be a whole number from 1 to 10");
  }
  return {
    maxAttempts: attempts ?? base.maxAttempts,
    baseDelayMs: optMillis(obj, "baseDelayMs", `${field}.baseDelayMs`) ?? base.baseDelayMs,
    maxDelayMs: optMillis(obj, "maxDelayMs", `${field}.maxDelayMs`) ?? base.maxDelayMs,
  };
}

/** `{token}` or `{accessKey, secretKey, securityToken?}`, normalised. */
export function parseCredentials(v, field) {
  if (typeof v !== "object" || v === null) throw invalid(field, CREDENTIALS_SHAPE);
  const token = optString(v, "token", field);
  if (token !== undefined) {
    if (token === "") throw invalid(field, "token must not be empty");
    return { token };
  }
  const accessKey = optString(v, "accessKey", field);
  const secretKey = optString(v, "secretKey", field);
  if (!accessKey || !secretKey) throw invalid(field, CREDENTIALS_SHAPE);
  const securityToken = optString(v, "securityToken", field) || undefined;
  return { accessKey, secretKey, securityToken };
}

/** `{baseUrl, origin}` of an endpoint URL: scheme, authority and path prefix, no trailing slash. */
function parseEndpoint(endpoint) {
  const bad = (why) => invalid("options.endpoint", why);
  const scheme = endpoint.startsWith("https://") ? "https" : endpoint.startsWith("http://") ? "http" : null;
  if (!scheme) throw bad("must start with http:// or https://");
  const rest = endpoint.slice(scheme.length + 3);
  if (/[?#\s\p{Cc}]/u.test(rest)) throw bad("must be a base URL without query, fragment or spaces");
  const slash = rest.indexOf("/");
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "" : rest.slice(slash + 1).replace(/\/+$/, "");
  if (authority === "" || authority.includes("@")) throw bad("must name a host (and no user info)");
  return `${scheme}://${authority}${path ? `/${path}` : ""}`;
}

function parseHeaders(v) {
  const field = "options.headers";
  const obj = optionsObject(v, field);
  const out = [];
  if (!obj) return out;
  for (const name of Object.keys(obj)) {
    if (!HEADER_NAME.test(name)) throw invalid(field, `'${name}' is not a valid header name`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw invalid(field, `'${name}' is set by the client itself`);
    const value = obj[name];
    if (typeof value !== "string" || CONTROL_LINE.test(value)) {
      throw invalid(field, `the value of '${name}' must be a single-line string`);
    }
    out.push([name.toLowerCase(), value]);
  }
  return out;
}

function parseBoolean(v, field) {
  if (absent(v)) return false;
  if (typeof v !== "boolean") throw invalid(field, "must be a boolean");
  return v;
}

/** Validates the constructor's options into the client's settings. */
export function clientConfig(options) {
  if (absent(options)) throw invalid("options", "are required: { projectId, region | endpoint, credentials }");
  optionsObject(options, "options");
  const projectId = requiredString(options, "projectId", "options.projectId");
  if (projectId.length > 64 || !/^[A-Za-z0-9]+$/.test(projectId)) {
    throw invalid("options.projectId", "must be letters and digits (a 32-character project id)");
  }
  let endpoint = optString(options, "endpoint", "options.endpoint");
  const region = optString(options, "region", "options.region");
  if (endpoint === undefined) {
    if (region === undefined) throw invalid("options", "need a region (e.g. cn-north-4) or an endpoint URL");
    if (!/^[a-z0-9-]{1,64}$/.test(region)) throw invalid("options.region", "must be a region id such as cn-north-4");
    endpoint = `https://functiongraph.${region}.myhuaweicloud.com`;
  }
  const credentials = options.credentials;
  const userAgent = optString(options, "userAgent", "options.userAgent");
  const retryOption = options.retry;
  const config = {
    projectId,
    baseUrl: parseEndpoint(endpoint),
    credentials: absent(credentials) || typeof credentials === "function"
      ? credentials ?? undefined
      : parseCredentials(credentials, "options.credentials"),
    timeoutMs: optMillis(options, "timeoutMs", "options.timeoutMs") ?? DEFAULT_TIMEOUT_MS,
    headers: parseHeaders(options.headers),
    userAgent: userAgent !== undefined && !CONTROL_LINE.test(userAgent) ? userAgent : undefined,
    retry: retryPolicy(retryOption, RETRY_DEFAULT, RETRY_DEFAULT, "options.retry"),
    retryInvocations: parseBoolean(
      typeof retryOption === "object" && retryOption !== null ? retryOption.retryInvocations : undefined,
      "options.retry.retryInvocations",
    ),
    onRequest: optFunction(options, "onRequest", "options.onRequest"),
    onResponse: optFunction(options, "onResponse", "options.onResponse"),
    debug: parseBoolean(options.debug, "options.debug"),
  };
  // A call's options when it is given none (by whether it is idempotent), made once.
  config.defaultCalls = [config.retryInvocations ? config.retry : RETRY_NONE, config.retry].map((retry) =>
    Object.freeze({ signal: undefined, timeoutMs: config.timeoutMs, retry }));
  return Object.freeze(config);
}

/**
 * `signal`, `timeoutMs` and `retry` of one call (`obj` already checked to be an object or
 * undefined), merged with the client's settings. `idempotent` calls are retried by
 * default; invocations only when the client or the call opts in.
 */
export function callOptions(obj, config, field, idempotent) {
  const byDefault = idempotent || config.retryInvocations ? config.retry : RETRY_NONE;
  if (obj === undefined) return config.defaultCalls[idempotent ? 1 : 0];
  const signal = obj.signal;
  if (!absent(signal) && !(signal instanceof AbortSignal)) throw invalid(`${field}.signal`, "must be an AbortSignal");
  return {
    signal: signal ?? undefined,
    timeoutMs: optMillis(obj, "timeoutMs", `${field}.timeoutMs`) ?? config.timeoutMs,
    retry: retryPolicy(obj.retry, config.retry, byDefault, `${field}.retry`),
  };
}

/** `logType` and `requestVersion` of `invoke`: the headers to add, and whether v0 was asked. */
/** `invokeOptions(undefined)`, shared: the common call allocates nothing for it. */
const INVOKE_DEFAULTS = Object.freeze({ headers: Object.freeze([Object.freeze(["x-cff-request-version", "v1"])]), v0: false });

export function invokeOptions(obj) {
  if (obj === undefined) return INVOKE_DEFAULTS;
  const logType = obj && optString(obj, "logType", "options.logType");
  if (logType !== undefined && logType !== "tail" && logType !== "none") {
    throw invalid("options.logType", 'must be "tail" or "none"');
  }
  const version = (obj && optString(obj, "requestVersion", "options.requestVersion")) ?? "v1";
  if (version !== "v0" && version !== "v1") throw invalid("options.requestVersion", 'must be "v0" or "v1"');
  const headers = [["x-cff-request-version", version]];
  if (logType === "tail") headers.push(["x-cff-log-type", "tail"]);
  return { headers, v0: version === "v0" };
}

/** `options.type` of a cancel: a string (the wasm checks it is "force" or "recursive"). */
export function cancelType(obj) {
  return obj && optString(obj, "type", "options.type");
}
