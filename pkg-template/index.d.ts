// Type definitions for functiongraph-client.
//
// Hand-written; one file, no imports. It compiles with `lib: ["es2022", "dom"]` alone;
// `FunctionGraphClient[Symbol.dispose]` (for `using`) is declared where the program's lib
// declares `Symbol.dispose` (TypeScript ≥ 5.2 with `lib: ["esnext"]` or
// `[..., "esnext.disposable"]`, or @types/node), and is left out otherwise. A client holds
// WebAssembly memory: `free()` releases it at once, and a client never freed is collected with
// its JS object.

/**
 * Credentials for one request: an IAM token, or an access key pair that signs the request
 * (SDK-HMAC-SHA256, as the official Huawei Cloud SDKs do).
 */
export type Credentials =
  | {
      /** An IAM token, sent as `X-Auth-Token`. */
      token: string;
    }
  | {
      /** Access key id (AK). */
      accessKey: string;
      /** Secret key (SK). Used to sign; never sent, logged or put in an error. */
      secretKey: string;
      /** Session token of temporary credentials, sent (and signed) as `X-Security-Token`. */
      securityToken?: string;
    };

/**
 * Called before every request (tokens and temporary keys expire): return fresh credentials.
 * Cache inside it if fetching them is expensive. A throw or rejection fails the call with a
 * `ValidationError` (field `options.credentials`) whose `cause` is what was thrown.
 */
export type CredentialProvider = () => Credentials | Promise<Credentials>;

/** When and how a failed request is sent again. */
export interface RetryOptions {
  /** Attempts in all, including the first, 1 to 10. Default 3. */
  maxAttempts?: number;
  /** Base of the exponential backoff, ms. Default 100. Each delay is random in [0, base × 2^n], capped. */
  baseDelayMs?: number;
  /** Cap of one delay, ms. Default 5000. A `Retry-After` from the service is honoured even if longer. */
  maxDelayMs?: number;
}

/** Client-wide retry settings. */
export interface ClientRetryOptions extends RetryOptions {
  /**
   * Also retry `invoke`, `invokeAsync` and `cancelAsyncInvocation`. They are not idempotent (a retried
   * invoke may run the function twice), so by default only listings are retried. Default false.
   */
  retryInvocations?: boolean;
}

/** What `onRequest` and `debug` see before each attempt. Credentials are `"[REDACTED]"`. */
export interface RequestInfo {
  /** HTTP method of the attempt. */
  method: "GET" | "POST";
  /** Full request URL, query included. */
  url: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Lower-case names; `authorization`, `x-auth-token` and `x-security-token` are `"[REDACTED]"`. */
  headers: Record<string, string>;
}

/** What `onResponse` and `debug` see after each attempt. */
export interface ResponseInfo extends RequestInfo {
  /** HTTP status; absent when the attempt failed without an answer. */
  status?: number;
  /** The service's request id, when it sent one. */
  requestId?: string | null;
  /** Time of the attempt, ms. */
  durationMs: number;
  /** The platform error (network failure) or `"aborted"`, when there was no answer. */
  error?: unknown;
}

/** Options of `new FunctionGraphClient(...)`. Each bad one is a `ValidationError` naming it. */
export interface ClientOptions {
  /**
   * The project id: letters and digits, at most 64 (Huawei Cloud's are 32 hex characters);
   * every function URN must belong to it. Required.
   */
  projectId: string;
  /**
   * Region, e.g. `"cn-north-4"`: the endpoint becomes `https://functiongraph.{region}.myhuaweicloud.com`.
   * One of `region` and `endpoint` is required.
   */
  region?: string;
  /**
   * Explicit base URL (http or https, no query), e.g. `"http://127.0.0.1:8787"` for the local
   * emulator. Wins over `region`.
   */
  endpoint?: string;
  /** Credentials or a provider. Omit only against an emulator started with `--no-auth`. */
  credentials?: Credentials | CredentialProvider;
  /**
   * Time limit of each call, retries included, ms. Default 60000; 0 (or more than 2^31 − 1,
   * which timers cannot wait) disables it. Calls may override it. A call times out at most a
   * 64th of the limit (and at most 250 ms) late: calls with one limit share a timer.
   */
  timeoutMs?: number;
  /** Retries; `false` disables them. Default: listings 3 attempts, invocations none. */
  retry?: ClientRetryOptions | boolean;
  /**
   * Extra headers on every request (signed with AK/SK). Headers the client sets itself
   * (`Authorization`, `X-Auth-Token`, `X-Sdk-Date`, `X-Security-Token`, `X-Project-Id`, `Host`,
   * `Content-Length`, `Content-Type`) are refused, and so is a value fetch cannot send (a line
   * break, a control character other than tab, a character above U+00FF).
   */
  headers?: Record<string, string>;
  /**
   * Appended to the `User-Agent` (`functiongraph-client/{version} {userAgent}`) where the platform
   * allows it (Node); browsers keep their own. Left out if fetch cannot send it (see `headers`).
   */
  userAgent?: string;
  /** Called before every attempt, with secrets redacted. A throwing hook does not fail the call. */
  onRequest?: (info: RequestInfo) => void;
  /** Called after every attempt, with secrets redacted. A throwing hook does not fail the call. */
  onResponse?: (info: ResponseInfo) => void;
  /** Log each attempt's request and response (redacted) with `console.debug`. Default false. */
  debug?: boolean;
  /**
   * Largest answer read, bytes, counted after the platform decompresses it; a larger one
   * fails with a `ResponseError` and is not read further (a never-ending answer, or a small
   * gzip answer that inflates past it, included). Default 16 MiB: the service's 6 MB sync result,
   * which its JSON wrapper may escape to twice the size, with headroom.
   */
  maxResponseBytes?: number;
}

/** Options every call takes. */
export interface CallOptions {
  /**
   * Aborts the call: it rejects with `signal.reason`, exactly like `fetch` (at once if the signal
   * is already aborted, before any request).
   */
  signal?: AbortSignal;
  /** Time limit of this call, retries included, ms; overrides the client's. 0 disables it. */
  timeoutMs?: number;
  /** Retries of this call: `true` uses the client's settings (opting an invocation in), `false` none. */
  retry?: RetryOptions | boolean;
}

/** Options of `invoke`. */
export interface InvokeOptions extends CallOptions {
  /** `"tail"`: the last 4 KB of the function's log in `result.log`. Default `"none"`. */
  logType?: "tail" | "none";
  /**
   * Response format asked of the service (`X-CFF-Request-Version`). Default `"v1"`: a JSON
   * wrapper. With `"v0"` the body is the function's return value itself; `log` then comes from
   * the `X-Cff-Function-Log` header, which the service keeps shorter than 4 KB.
   */
  requestVersion?: "v0" | "v1";
  /** `X-Cff-Instance-Memory`: memory the instance should have, MB (a whole number above 0). */
  instanceMemory?: number;
}

/** Options of `invokeAsync`. */
export interface InvokeAsyncOptions extends CallOptions {
  /** `X-Cff-Instance-Memory`: memory the instance should have, MB (a whole number above 0). */
  instanceMemory?: number;
}

/** `X-Cff-Invoke-Summary`, parsed. */
export interface InvokeSummary {
  /** Execution time, ms. */
  durationMs: number;
  /** Billed time, ms. */
  billingDurationMs: number;
  /** Configured memory, MB. */
  memorySizeMb: number;
  /** Memory used, MB. */
  memoryUsedMb: number;
}

/** How the function itself failed (the call succeeded). */
export interface FunctionErrorInfo {
  /** The service's function error code, e.g. 4002 (the handler threw), 408 (it timed out). */
  code: number;
  /** The error's class, e.g. `"Error"`; `""` when the service did not say. */
  type: string;
  /** The error's message. */
  message: string;
  /** Stack trace lines, when the runtime reports them; otherwise empty. */
  stackTrace: string[];
}

/** What `invoke` resolves with. Frozen; created only by the client. */
export declare class InvokeResult {
  private constructor();
  /** The invocation's request id. */
  readonly requestId: string;
  /** 200 on success, otherwise the function error code (see `functionError`), e.g. 4002. */
  readonly status: number;
  /** What the function returned, as text (JSON text unless it returned a string). */
  readonly result: string;
  /** The function's log (last 4 KB) with `logType: "tail"`, otherwise `""`. */
  readonly log: string;
  /** The invoke summary (`X-Cff-Invoke-Summary`), or null when the service sent none. */
  readonly summary: InvokeSummary | null;
  /** Set when the function threw, timed out or crashed (the call itself succeeded); null on success. */
  readonly functionError: FunctionErrorInfo | null;
  /**
   * `result` parsed as JSON (`JSON.parse(result)`); `T` is not checked at run time.
   * @throws {ResponseError} when `result` is not JSON (`body` holds its first 1 KB).
   * @example
   * const r = await client.invoke(urn, { name: "world" });
   * const { statusCode, body } = r.json<{ statusCode: number; body: string }>();
   */
  json<T = unknown>(): T;
}

/** What `invokeAsync` resolves with. */
export interface AsyncInvokeResult {
  /** Id to look the invocation up, wait for it or cancel it. */
  requestId: string;
}

/**
 * Lifecycle of an async invocation: `WAIT` (queued), `RUNNING`, then `SUCCESS` or `FAIL`
 * (after the function's retries); `DISCARD`: aged out before it could run, or cancelled.
 */
export type AsyncInvocationStatus = "WAIT" | "RUNNING" | "SUCCESS" | "FAIL" | "DISCARD";

/** One async invocation record. */
export interface AsyncInvocation {
  /** The id `invokeAsync` returned. */
  requestId: string;
  /** Where it is in its lifecycle. */
  status: AsyncInvocationStatus;
  /** How it failed (the function error code) on FAIL; 0 on success or while not finished. */
  errorCode: number;
  /** Why it failed or was discarded; `""` on success or while not finished. */
  errorMessage: string;
  /** When it started (when accepted, while waiting); null if the service sent none. */
  startTime: Date | null;
  /** When it ended; null while not finished. */
  endTime: Date | null;
}

/** Filters and paging of `listAsyncInvocations` (every field optional). */
export interface ListAsyncInvocationsQuery extends CallOptions {
  /**
   * Only this request id. The time window still applies (the service lists the last hour by
   * default): give `begin` to find an older one.
   */
  requestId?: string;
  /** Only this status. */
  status?: AsyncInvocationStatus;
  /** The `nextMarker` of the previous page. */
  marker?: string | number;
  /** Page size, a whole number from 1 to 500. Default 100. */
  limit?: number;
  /** Window start: a Date or a UTC `"YYYY-MM-DDTHH:mm:ss"`. Default an hour before `end`. */
  begin?: Date | string;
  /** Window end: a Date or a UTC `"YYYY-MM-DDTHH:mm:ss"`, not before `begin`. Default now. */
  end?: Date | string;
}

/** Filters and paging of `listActiveAsyncInvocations`. */
export interface ListActiveAsyncInvocationsQuery extends Omit<ListAsyncInvocationsQuery, "requestId" | "status"> {
  /** Only these request ids (at most 10). */
  requestIds?: string[];
  /** Only WAIT or only RUNNING. */
  status?: "WAIT" | "RUNNING";
}

/** One page of a listing. */
export interface AsyncInvocationPage {
  /** Newest first. */
  invocations: AsyncInvocation[];
  /** How many match in all (every page). */
  count: number;
  /**
   * Pass as `marker` for the next page (an offset, as text); null on the last page: when the
   * service sent none, `0`, the marker just sent, or a page shorter than `limit`.
   */
  nextMarker: string | null;
}

/** Options of the `for await` iterators. */
export interface IterateOptions {
  /** Stop after this many records (a whole number above 0). Default: every record. */
  maxItems?: number;
}

/** Options of `waitForAsyncInvocation` and `invokeAsyncAndWait`. */
export interface WaitOptions {
  /** First polling interval, ms. Default 500; it grows ×1.5 up to `maxIntervalMs`. */
  intervalMs?: number;
  /** Longest polling interval, ms. Default 5000. */
  maxIntervalMs?: number;
  /** Give up after this long, ms, with a `TimeoutError`. Default 16 minutes; 0 waits for ever. */
  timeoutMs?: number;
  /** Stops waiting at once: rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * Look the record up from this time on (a Date or a UTC `"YYYY-MM-DDTHH:mm:ss"`): the service
   * lists the last hour unless told otherwise. Default: a day and an hour before the wait
   * starts, which covers any invocation the service can still run; `invokeAsyncAndWait`
   * uses five minutes before the invocation was accepted.
   */
  since?: Date | string;
}

/** Options of `cancelAsyncInvocation`. */
export interface CancelOptions extends CallOptions {
  /** `"force"` or `"recursive"` (also what it started); optional. */
  type?: "force" | "recursive";
}

/**
 * A client for one project. Create it once and reuse it. Every method returns a Promise and never
 * throws synchronously; a rejection is one of this package's errors, or an abort's `signal.reason`.
 * Arguments are checked before any request: the URN's shape and project, the event's size
 * (UTF-8 bytes of its JSON), `limit`, times and options — each a `ValidationError` naming the field.
 *
 * @example
 * const client = new FunctionGraphClient({
 *   projectId: "0123456789abcdef0123456789abcdef",
 *   endpoint: "http://127.0.0.1:8787",
 *   credentials: { token: "dev-token" },
 * });
 */
export declare class FunctionGraphClient {
  /**
   * Checks the options and creates the client. No request is sent.
   * @throws {ValidationError} for bad options (`field` names it, e.g. `"options.projectId"`).
   * @example
   * const client = new FunctionGraphClient({
   *   projectId: "0123456789abcdef0123456789abcdef",
   *   region: "cn-north-4",
   *   credentials: { accessKey: process.env.HUAWEICLOUD_SDK_AK!, secretKey: process.env.HUAWEICLOUD_SDK_SK! },
   * });
   */
  constructor(options: ClientOptions);

  /**
   * Runs a function and waits for its result. The event may be any JSON value; a string is sent
   * as is and must itself be JSON text; `undefined` sends `{}`. At most 6 MB (UTF-8 bytes).
   * A function that fails still resolves, with `functionError` set.
   * @param functionUrn `urn:fss:{region}:{projectId}:function:{package}:{name}[:{version}|:!{alias}]`, in the client's project.
   * @throws {ValidationError} bad URN (or another project's), event, or options.
   * @throws {ServiceError} the service refused: 404 FSS.0404 no such function, 429 throttled, 401/403 credentials, ...
   * @throws {NetworkError} no answer.
   * @throws {TimeoutError} past `timeoutMs`.
   * @throws {ResponseError} an answer that cannot be understood.
   * @example
   * const r = await client.invoke(urn, { name: "world" }, { logType: "tail" });
   * if (r.functionError) console.error(r.functionError.message); else console.log(r.json());
   */
  invoke(functionUrn: string, event?: unknown, options?: InvokeOptions): Promise<InvokeResult>;

  /**
   * Queues a function run; resolves once the service has accepted it. The event is as for
   * `invoke`, at most 256 KB (UTF-8 bytes).
   * @throws {ValidationError} bad URN (or another project's), event, or options.
   * @throws {ServiceError} the service refused (e.g. 404 FSS.0404, 429, 503 FSS.0503 not accepted).
   * @throws {NetworkError | TimeoutError | ResponseError}
   * @example
   * const { requestId } = await client.invokeAsync(urn, { job: 42 });
   */
  invokeAsync(functionUrn: string, event?: unknown, options?: InvokeAsyncOptions): Promise<AsyncInvokeResult>;

  /**
   * One page of a function's async invocations, newest first (retried by default).
   * @throws {ValidationError} bad URN, `limit`, `marker`, `status` or times (`field` e.g. `"query.begin"`).
   * @throws {ServiceError | NetworkError | TimeoutError | ResponseError}
   * @example
   * const page = await client.listAsyncInvocations(urn, { status: "FAIL", limit: 50 });
   * const next = page.nextMarker && (await client.listAsyncInvocations(urn, { status: "FAIL", marker: page.nextMarker }));
   */
  listAsyncInvocations(functionUrn: string, query?: ListAsyncInvocationsQuery): Promise<AsyncInvocationPage>;

  /**
   * One page of the WAIT and RUNNING async invocations (retried by default).
   * @throws {ValidationError} bad URN or query (e.g. `requestId` instead of `requestIds`, a terminal `status`).
   * @throws {ServiceError | NetworkError | TimeoutError | ResponseError}
   * @example
   * const { invocations } = await client.listActiveAsyncInvocations(urn, { status: "RUNNING" });
   */
  listActiveAsyncInvocations(functionUrn: string, query?: ListActiveAsyncInvocationsQuery): Promise<AsyncInvocationPage>;

  /**
   * Stops a WAIT or RUNNING async invocation; it ends as DISCARD with error code 4208 ("function
   * invocation canceled"). Resolves when the service has done it.
   * @throws {ServiceError} 400 FSS.0400: it has already finished, or "Invalid RequestId" (unknown,
   * malformed, or another function's).
   * @throws {ServiceError} 404 FSS.0404 "can not find function".
   * @throws {ValidationError | NetworkError | TimeoutError | ResponseError}
   * @example
   * await client.cancelAsyncInvocation(urn, requestId, { type: "force" });
   */
  cancelAsyncInvocation(functionUrn: string, requestId: string, options?: CancelOptions): Promise<void>;

  /**
   * Every async invocation matching `query`, across pages, newest first, each request id once (a
   * record accepted while paging shifts the service's offset pages; the repeat is dropped). Stops
   * when there is no next page, or after `maxItems`. The iterator's `next()` rejects as
   * `listAsyncInvocations` does.
   * @throws {ResponseError} if the service repeats a page marker (instead of looping).
   * @throws {ValidationError | ServiceError | NetworkError | TimeoutError}
   * @example
   * for await (const inv of client.asyncInvocations(urn, { status: "FAIL", maxItems: 1000 })) console.log(inv.requestId);
   */
  asyncInvocations(functionUrn: string, query?: ListAsyncInvocationsQuery & IterateOptions): AsyncGenerator<AsyncInvocation, void, undefined>;

  /**
   * Every WAIT and RUNNING async invocation matching `query`, across pages. The iterator's
   * `next()` rejects as `listActiveAsyncInvocations` does. Pages are offsets: an invocation
   * that ends (or is cancelled) while you iterate moves the later ones to earlier pages, and
   * those are skipped. To cancel them all, cancel a page and list again from the start (the
   * README's "An admin console").
   * @throws {ResponseError} if the service repeats a page marker (instead of looping).
   * @throws {ValidationError | ServiceError | NetworkError | TimeoutError}
   * @example
   * for await (const inv of client.activeAsyncInvocations(urn, { status: "RUNNING" })) console.log(inv.requestId);
   */
  activeAsyncInvocations(functionUrn: string, query?: ListActiveAsyncInvocationsQuery & IterateOptions): AsyncGenerator<AsyncInvocation, void, undefined>;

  /**
   * Polls until the async invocation is SUCCESS, FAIL or DISCARD, and resolves with that record.
   * @throws {TimeoutError} after `timeoutMs` (with `elapsedMs`).
   * @throws {ValidationError | ServiceError | NetworkError | ResponseError}
   * @example
   * const done = await client.waitForAsyncInvocation(urn, requestId, { timeoutMs: 60_000 });
   */
  waitForAsyncInvocation(functionUrn: string, requestId: string, options?: WaitOptions): Promise<AsyncInvocation>;

  /**
   * Starts an async invocation and waits for its terminal record (see `waitForAsyncInvocation`).
   * @throws {ValidationError | ServiceError | NetworkError | TimeoutError | ResponseError}
   * @example
   * const { status, errorMessage } = await client.invokeAsyncAndWait(urn, { job: 42 });
   */
  invokeAsyncAndWait(functionUrn: string, event?: unknown, options?: WaitOptions): Promise<AsyncInvocation>;

  /**
   * Releases the client's WebAssembly memory now. Calls in flight still finish; afterwards
   * every method throws (`Error: null pointer passed to rust`), and so does a second `free()`.
   * Optional: a client that is never freed is released when it is garbage collected.
   */
  free(): void;
}

/** `Symbol.dispose`'s type where the program's lib declares it; `never` where it does not. */
type DisposeSymbol = SymbolConstructor extends { readonly dispose: infer S extends symbol } ? S : never;
/**
 * `[Symbol.dispose]()`, the same as `free()`, so `using client = new FunctionGraphClient(...)`
 * compiles and runs (TypeScript ≥ 5.2; a platform with `Symbol.dispose`). Declared through
 * the lib's own symbol, so a program whose lib has no `Symbol.dispose` still compiles.
 */
type DisposableWhereDeclared = [DisposeSymbol] extends [never] ? {} : { [K in DisposeSymbol]: () => void };
// Merged into the class above.
export interface FunctionGraphClient extends DisposableWhereDeclared {}

/** A request for `signRequest`. */
export interface SignableRequest {
  /** HTTP method, e.g. `"GET"`. */
  method: string;
  /** Absolute http(s) URL, query included. */
  url: string;
  /** Headers to send (and sign). */
  headers?: Record<string, string>;
  /** The exact body that will be sent. Default `""`. */
  body?: string;
}

/**
 * Signs any Huawei Cloud API request with SDK-HMAC-SHA256, as the official SDKs do, and returns
 * the headers to send: the given ones plus `X-Sdk-Date`, `X-Security-Token` (temporary
 * credentials) and `Authorization`. `Host` is signed but left to the platform. Synchronous.
 * @param options.date The signing time. Default now.
 * @throws {ValidationError} for bad arguments (`field` e.g. `"request.url"`, `"credentials.secretKey"`).
 * @example
 * const headers = signRequest({ method: "GET", url, headers: { "Content-Type": "application/json" } }, { accessKey, secretKey });
 * await fetch(url, { headers });
 */
export declare function signRequest(
  request: SignableRequest,
  credentials: { accessKey: string; secretKey: string; securityToken?: string },
  options?: { date?: Date },
): Record<string, string>;

/**
 * The package version, e.g. `"0.1.0"`.
 * @example
 * console.log(`functiongraph-client ${version()}`);
 */
export declare function version(): string;

/** The names of this package's error classes. */
export type FunctionGraphErrorName =
  | "FunctionGraphError"
  | "ServiceError"
  | "NetworkError"
  | "TimeoutError"
  | "ValidationError"
  | "ResponseError";

/**
 * Base class of every error this package rejects with (an abort rejects with `signal.reason`
 * instead, like `fetch`). `instanceof` goes by a brand (a registered symbol), not by `name`: it
 * works across realms and duplicate installs, and is false for other libraries' and the
 * platform's errors of the same name. `cause`, when set, is the underlying platform error.
 * @example
 * try {
 *   await client.invoke(urn, event);
 * } catch (e) {
 *   if (e instanceof ServiceError && e.status === 429) retryLater();
 *   else if (e instanceof FunctionGraphError) console.error(e.name, e.message);
 *   else throw e; // e.g. the signal's reason after an abort
 * }
 */
export declare class FunctionGraphError extends Error {
  /** Which class this is: the literal name of the most derived class. */
  readonly name: FunctionGraphErrorName;
}

/** The service answered with an error status (HTTP ≥ 400). */
export declare class ServiceError extends FunctionGraphError {
  /** Always `"ServiceError"`. */
  readonly name: "ServiceError";
  /** HTTP status, e.g. 404. */
  readonly status: number;
  /** The service's code, e.g. `"FSS.0404"`, `"APIGW.0301"`; `""` when the body had none (e.g. an HTML 502). */
  readonly errorCode: string;
  /** The service's message, or the start of a non-JSON body (the first 1 KB either way). */
  readonly errorMsg: string;
  /** `X-Request-Id`, when sent. */
  readonly requestId: string | null;
  /** Requests sent, retries included. */
  readonly attempts: number;
}

/**
 * The request got no answer (DNS, refused, reset, CORS). The message names the method, the URL
 * (without its query) and the platform's words (`fetch failed` in Node, `Failed to fetch` in
 * browsers); `cause` is an `Error` with the platform error's name and message (not the system
 * error's code, which gloo-net, sending the request, does not keep).
 */
export declare class NetworkError extends FunctionGraphError {
  /** Always `"NetworkError"`. */
  readonly name: "NetworkError";
  /** Requests sent, retries included. */
  readonly attempts: number;
}

/** The call (or a wait) ran out of time. */
export declare class TimeoutError extends FunctionGraphError {
  /** Always `"TimeoutError"`. */
  readonly name: "TimeoutError";
  /** The limit, ms. */
  readonly timeoutMs: number;
  /** Time actually spent, ms. */
  readonly elapsedMs: number;
}

/**
 * An argument was refused before any request was sent. The message ends with what was given
 * (`got "urn:fss:…"`, cut at 60 characters; only the type for credentials and header values).
 */
export declare class ValidationError extends FunctionGraphError {
  /** Always `"ValidationError"`. */
  readonly name: "ValidationError";
  /** Which argument, e.g. `"functionUrn"`, `"event"`, `"options.timeoutMs"`, `"query.limit"`. */
  readonly field: string;
}

/**
 * A success status with a body that cannot be understood, or a redirect: the client never
 * follows one (it would send the credentials and the event elsewhere); the message names the
 * status and the `Location` without its query (a browser shows neither: status 0).
 */
export declare class ResponseError extends FunctionGraphError {
  /** Always `"ResponseError"`. */
  readonly name: "ResponseError";
  /** HTTP status. */
  readonly status: number;
  /** The service's request id, when known. */
  readonly requestId: string | null;
  /** The first 1 KB of the body. */
  readonly body: string;
  /** Requests sent, retries included (absent for errors raised outside a request). */
  readonly attempts?: number;
}

/**
 * Whether `value` is one of this package's errors (by its brand, a registered symbol: works
 * across realms and duplicate installs; false for other errors of the same `name`).
 * @example
 * const message = isFunctionGraphError(e) ? `${e.name}: ${e.message}` : String(e);
 */
export declare function isFunctionGraphError(value: unknown): value is FunctionGraphError;

// Only what is marked `export` is exported (the helper types above are not).
export {};
