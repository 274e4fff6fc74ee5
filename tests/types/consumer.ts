// A typed consumer of the package, checked with `tsc --strict --noEmit` (make test-types).
// Each @ts-expect-error line is wrong usage that must not compile: if it ever compiles,
// tsc fails on the unused directive.
import {
  FunctionGraphClient,
  FunctionGraphError,
  InvokeResult,
  NetworkError,
  ResponseError,
  ServiceError,
  TimeoutError,
  ValidationError,
  isFunctionGraphError,
  signRequest,
  version,
  type AsyncInvocation,
  type AsyncInvocationPage,
  type AsyncInvocationStatus,
  type ClientOptions,
  type CredentialProvider,
  type Credentials,
  type InvokeOptions,
  type ListAsyncInvocationsQuery,
  type ResponseInfo,
} from "functiongraph-client";

const projectId = "0123456789abcdef0123456789abcdef";
const urn = `urn:fss:cn-north-4:${projectId}:function:default:hello:latest`;

const provider = async (): Promise<Credentials> => ({ accessKey: "AK", secretKey: "SK", securityToken: "ST" });
const seen: ResponseInfo[] = [];
const client = new FunctionGraphClient({
  projectId,
  endpoint: "http://127.0.0.1:8787",
  credentials: provider,
  timeoutMs: 10_000,
  retry: { maxAttempts: 5, baseDelayMs: 50, retryInvocations: false },
  headers: { "X-Trace": "t" },
  onResponse: (info) => seen.push(info),
  debug: false,
});
new FunctionGraphClient({ projectId, region: "cn-north-4", credentials: { token: "t" }, retry: false });
// A synchronous provider, static AK/SK with a security token, and the remaining options.
const syncProvider: CredentialProvider = () => ({ token: "dev-token" });
const options: ClientOptions = {
  projectId,
  endpoint: "http://127.0.0.1:8787",
  credentials: { accessKey: "DEVACCESSKEYEXAMPLE0", secretKey: "dev-secret-key-example", securityToken: "st" },
  userAgent: "my-tool/1.0",
  onRequest: (info) => void info.headers["authorization"],
};
new FunctionGraphClient({ ...options, credentials: syncProvider });

async function main(): Promise<void> {
  const controller = new AbortController();
  const r: InvokeResult = await client.invoke(urn, { name: "x" }, { logType: "tail", requestVersion: "v1", signal: controller.signal });
  const status: number = r.status;
  const parsed = r.json<{ statusCode: number }>();
  const code: number = parsed.statusCode;
  const ms: number | undefined = r.summary?.durationMs;
  const failure: string | undefined = r.functionError?.message;
  const stack: string[] | undefined = r.functionError?.stackTrace;
  const billed: number | undefined = r.summary?.billingDurationMs;
  const text: string = r.result + r.log + r.requestId;
  void [status, code, ms, failure, stack, billed, text];
  const v0Options: InvokeOptions = { requestVersion: "v0", logType: "none", timeoutMs: 5_000 };
  const raw = await client.invoke(urn, undefined, v0Options);
  const anything: unknown = raw.json();
  void anything;

  const { requestId } = await client.invokeAsync(urn, "{\"raw\":true}", { timeoutMs: 0, retry: true, instanceMemory: 256 });
  const page: AsyncInvocationPage = await client.listAsyncInvocations(urn, {
    status: "FAIL",
    limit: 50,
    marker: "12",
    begin: new Date(Date.now() - 3_600_000),
    end: "2026-01-01T00:00:00",
  });
  for (const inv of page.invocations) {
    const started: Date | null = inv.startTime;
    void started?.toISOString();
    const st: AsyncInvocationStatus = inv.status;
    if (inv.endTime !== null) void (inv.endTime.getTime() - (started?.getTime() ?? 0));
    void [st, inv.errorCode.toFixed(), inv.errorMessage, inv.requestId, page.count];
  }
  // Paging by nextMarker, with string times; a numeric marker is accepted too.
  const query: ListAsyncInvocationsQuery = { begin: "2026-01-01T00:00:00", end: new Date(), limit: 500 };
  let marker: string | number | undefined = 0;
  do {
    const p: AsyncInvocationPage = await client.listAsyncInvocations(urn, { ...query, marker, signal: controller.signal });
    marker = p.nextMarker ?? undefined;
  } while (marker !== undefined);
  const next: string | null = page.nextMarker;
  void next;
  const active = await client.listActiveAsyncInvocations(urn, { requestIds: [requestId], status: "RUNNING" });
  void active.count;
  for await (const inv of client.asyncInvocations(urn, { maxItems: 10 })) {
    const s: AsyncInvocation["status"] = inv.status;
    void s;
  }
  for await (const inv of client.activeAsyncInvocations(urn)) void inv.requestId;
  const done = await client.waitForAsyncInvocation(urn, requestId, { intervalMs: 200, timeoutMs: 60_000, since: new Date(Date.now() - 86_400_000) });
  if (done.status === "FAIL") console.log(done.errorCode, done.errorMessage);
  await client.invokeAsyncAndWait(urn, { job: 1 }, { signal: controller.signal });
  const nothing: void = await client.cancelAsyncInvocation(urn, requestId, { type: "force" });
  void nothing;

  try {
    await client.invoke(urn, {});
  } catch (e) {
    if (e instanceof ServiceError) {
      const c: string = e.errorCode;
      const n: number = e.status;
      const id: string | null = e.requestId;
      void [c, n, id, e.attempts];
    } else if (e instanceof TimeoutError) {
      void (e.elapsedMs + e.timeoutMs);
    } else if (e instanceof ValidationError) {
      void e.field.length;
    } else if (e instanceof NetworkError) {
      const cause: unknown = e.cause;
      void [cause, e.attempts];
    } else if (e instanceof ResponseError) {
      const body: string = e.body;
      const id: string | null = e.requestId;
      void [body, id, e.status];
    } else if (isFunctionGraphError(e)) {
      const name: "FunctionGraphError" | "ServiceError" | "NetworkError" | "TimeoutError" | "ValidationError" | "ResponseError" = e.name;
      const base: FunctionGraphError = e;
      void [name, base.message];
    } else {
      throw e; // an abort's signal.reason
    }
  }

  const headers: Record<string, string> = signRequest(
    { method: "GET", url: "https://functiongraph.cn-north-4.myhuaweicloud.com/v2/x", headers: { "Content-Type": "application/json" } },
    { accessKey: "AK", secretKey: "SK" },
    { date: new Date() },
  );
  void headers;
  const v: string = version();
  void v;
  client.free();
}
void main;

// Wrong usage: each must fail to compile.
// @ts-expect-error projectId is required
new FunctionGraphClient({ region: "cn-north-4" });
// @ts-expect-error credentials need a secretKey with the accessKey
new FunctionGraphClient({ projectId, region: "r", credentials: { accessKey: "AK" } });
// @ts-expect-error timeoutMs is a number
new FunctionGraphClient({ projectId, region: "r", timeoutMs: "10s" });
// @ts-expect-error retry.maxAttempts is a number
new FunctionGraphClient({ projectId, region: "r", retry: { maxAttempts: "3" } });
async function wrong(c: FunctionGraphClient): Promise<void> {
  // @ts-expect-error logType is "tail" | "none"
  await c.invoke(urn, {}, { logType: "all" });
  // @ts-expect-error requestVersion is "v0" | "v1"
  await c.invoke(urn, {}, { requestVersion: "v2" });
  // @ts-expect-error status is one of the five literals
  await c.listAsyncInvocations(urn, { status: "DONE" });
  // @ts-expect-error limit is a number
  await c.listAsyncInvocations(urn, { limit: "10" });
  // @ts-expect-error active invocations take requestIds (an array), not requestId
  await c.listActiveAsyncInvocations(urn, { requestId: "r" });
  // @ts-expect-error active status is WAIT or RUNNING
  await c.listActiveAsyncInvocations(urn, { status: "SUCCESS" });
  // @ts-expect-error the URN comes first, as a string
  await c.invoke({ name: "x" });
  // @ts-expect-error cancel type is "force" | "recursive"
  await c.cancelAsyncInvocation(urn, "r", { type: "gentle" });
  const r = await c.invoke(urn);
  // @ts-expect-error results are read-only
  r.status = 500;
  // @ts-expect-error InvokeResult has no `body`
  void r.body;
  // @ts-expect-error `signal` must be an AbortSignal
  await c.invokeAsync(urn, {}, { signal: "stop" });
  try {
    await c.invoke(urn);
  } catch (e) {
    if (e instanceof ServiceError) {
      // @ts-expect-error ServiceError has errorCode, not code
      void e.code;
    }
  }
  // @ts-expect-error signRequest needs a url
  signRequest({ method: "GET" }, { accessKey: "a", secretKey: "b" });
  // @ts-expect-error logType is an invoke option, not an invokeAsync one
  await c.invokeAsync(urn, {}, { logType: "tail" });
  // @ts-expect-error instanceMemory is a number of MB
  await c.invoke(urn, {}, { instanceMemory: "256" });
  // @ts-expect-error times are a Date or a string, not epoch milliseconds
  await c.listAsyncInvocations(urn, { begin: Date.now() });
  // @ts-expect-error the options object is required
  new FunctionGraphClient();
  // @ts-expect-error a token is a string
  new FunctionGraphClient({ projectId, region: "r", credentials: { token: 42 } });
  // @ts-expect-error a provider returns Credentials, not a string
  new FunctionGraphClient({ projectId, region: "r", credentials: async () => "dev-token" });
  // @ts-expect-error InvokeResult is created by the client only
  new InvokeResult();
  // @ts-expect-error summary may be null
  void r.summary.durationMs;
  // @ts-expect-error startTime may be null
  const start: Date = (await c.listAsyncInvocations(urn)).invocations[0]!.startTime;
  void start;
  // @ts-expect-error version is a function
  const v: string = version;
  void v;
  try {
    await c.invokeAsync(urn);
  } catch (e) {
    if (e instanceof ServiceError) {
      // @ts-expect-error ServiceError has no `field` (that is ValidationError's)
      void e.field;
    }
    if (e instanceof TimeoutError) {
      // @ts-expect-error error fields are read-only
      e.timeoutMs = 0;
    }
  }
}
void wrong;
