// The checks every test page runs, in order, against the emulator given in `?emulator=`.
// Shared by plain/index.html (imports /pkg/browser.js) and vite/main.js (imports
// "functiongraph-client" through Vite). Pure ES module: run.mjs imports CHECKS from it too.

export const PROJECT = "0123456789abcdef0123456789abcdef";
export const TOKEN = "dev-token";
export const KEYS = { accessKey: "DEVACCESSKEYEXAMPLE0", secretKey: "dev-secret-key-example" };
export const urn = (name) => `urn:fss:cn-north-4:${PROJECT}:function:default:${name}:latest`;

// The function names of the calls that are *meant* to fail with an HTTP error status.
// run.mjs exempts exactly these requests' "Failed to load resource" console errors.
export const MISSING_FUNCTION = "no-such-function";
export const WRONG_TOKEN_FUNCTION = "hello";

export const CHECKS = [
  "token invoke echo (logType tail)",
  "AK/SK invoke hello (signed in the browser)",
  "invokeAsync echo + listAsyncInvocations until SUCCESS",
  "unknown function -> ServiceError 404 FSS.0404",
  "wrong token -> ServiceError 401 APIGW.0301",
  "AbortController abort('stop') -> rejects with 'stop'",
  "timeoutMs 200 -> TimeoutError",
  "gzip answers, cross-origin: counted decompressed against maxResponseBytes",
];

class CheckFailed extends Error {}

function expect(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

function describeError(e) {
  if (e === null || typeof e !== "object") return `${typeof e} ${JSON.stringify(e)}`;
  const fields = {};
  for (const k of ["name", "message", "status", "errorCode", "errorMsg", "requestId", "field", "timeoutMs"]) {
    if (e[k] !== undefined) fields[k] = e[k];
  }
  return JSON.stringify(fields);
}

/** Expects `promise` to reject; returns the rejection value. */
async function rejection(promise, what) {
  let value;
  try {
    value = await promise;
  } catch (e) {
    return e;
  }
  throw new CheckFailed(`${what} resolved instead of rejecting: ${JSON.stringify(value)?.slice(0, 300)}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function definitions(lib, endpoint, compressed) {
  const { FunctionGraphClient, ServiceError, TimeoutError, ResponseError, isFunctionGraphError } = lib;
  const tokenClient = () => new FunctionGraphClient({ projectId: PROJECT, endpoint, credentials: { token: TOKEN } });

  return {
    async [CHECKS[0]]() {
      const client = tokenClient();
      const event = { hello: "browser", n: 42, nested: { list: [1, "two", null] }, unicode: "héllo ✓" };
      const r = await client.invoke(urn("echo"), event, { logType: "tail" });
      expect(r.status === 200, `status ${r.status}, expected 200`);
      expect(typeof r.requestId === "string" && r.requestId.length > 0, `requestId ${JSON.stringify(r.requestId)}`);
      expect(typeof r.result === "string", `result is ${typeof r.result}, expected text`);
      expect(JSON.stringify(JSON.parse(r.result)) === JSON.stringify(event), `result ${r.result} != event`);
      expect(JSON.stringify(r.json()) === JSON.stringify(event), `json() ${JSON.stringify(r.json())} != event`);
      expect(typeof r.log === "string" && r.log.includes("Start invoke request"), `log lacks "Start invoke request": ${JSON.stringify(r.log)?.slice(0, 200)}`);
      expect(r.functionError === null, `functionError ${JSON.stringify(r.functionError)}, expected null`);
      expect(r.summary && typeof r.summary.durationMs === "number", `summary ${JSON.stringify(r.summary)}`);
      return `requestId ${r.requestId}, ${r.summary.durationMs} ms, log ${r.log.length} chars`;
    },

    async [CHECKS[1]]() {
      const client = new FunctionGraphClient({ projectId: PROJECT, endpoint, credentials: { ...KEYS } });
      const r = await client.invoke(urn("hello"), { name: "chromium" });
      expect(r.status === 200, `status ${r.status}, expected 200`);
      const body = r.json();
      expect(body.statusCode === 200, `statusCode ${body.statusCode}, expected 200 (result ${r.result})`);
      expect(JSON.parse(body.body).message === "hello chromium", `body ${body.body}`);
      return `statusCode ${body.statusCode}, body ${body.body}`;
    },

    async [CHECKS[2]]() {
      const client = tokenClient();
      const { requestId } = await client.invokeAsync(urn("echo"), { async: true, at: Date.now() });
      expect(typeof requestId === "string" && requestId.length > 0, `requestId ${JSON.stringify(requestId)}`);
      const deadline = Date.now() + 10_000;
      let last;
      for (;;) {
        const page = await client.listAsyncInvocations(urn("echo"), { requestId });
        expect(Array.isArray(page.invocations), `invocations is not an array: ${JSON.stringify(page)}`);
        const inv = page.invocations.find((i) => i.requestId === requestId);
        last = inv ? inv.status : `(not listed; count ${page.count})`;
        if (inv && inv.status === "SUCCESS") {
          expect(inv.startTime === null || inv.startTime instanceof Date, `startTime ${inv.startTime} is not a Date|null`);
          return `requestId ${requestId} SUCCESS; count ${page.count}`;
        }
        expect(!inv || inv.status !== "FAIL", `invocation FAILED: ${JSON.stringify(inv)}`);
        if (Date.now() > deadline) throw new CheckFailed(`not SUCCESS within 10 s; last status ${last}`);
        await sleep(150);
      }
    },

    async [CHECKS[3]]() {
      const client = tokenClient();
      const e = await rejection(client.invoke(urn(MISSING_FUNCTION), {}), "invoke of an unknown function");
      expect(e instanceof ServiceError && e.name === "ServiceError", `not a ServiceError: ${describeError(e)}`);
      expect(isFunctionGraphError(e), "isFunctionGraphError(e) is false");
      expect(e.status === 404, `status ${e.status}, expected 404`);
      expect(e.errorCode === "FSS.0404", `errorCode ${e.errorCode}, expected FSS.0404`);
      expect(typeof e.requestId === "string" && e.requestId.length > 0, `requestId ${JSON.stringify(e.requestId)} (X-Request-Id must be readable cross-origin)`);
      return describeError(e);
    },

    async [CHECKS[4]]() {
      const client = new FunctionGraphClient({ projectId: PROJECT, endpoint, credentials: { token: "wrong-token" } });
      const e = await rejection(client.invoke(urn(WRONG_TOKEN_FUNCTION), {}), "invoke with a wrong token");
      expect(e instanceof ServiceError && e.name === "ServiceError", `not a ServiceError: ${describeError(e)}`);
      expect(e.status === 401, `status ${e.status}, expected 401`);
      expect(e.errorCode === "APIGW.0301", `errorCode ${e.errorCode}, expected APIGW.0301`);
      expect(typeof e.requestId === "string" && e.requestId.length > 0, `requestId ${JSON.stringify(e.requestId)}`);
      return describeError(e);
    },

    async [CHECKS[5]]() {
      const client = tokenClient();
      const controller = new AbortController();
      const started = performance.now();
      const call = client.invoke(urn("sleep"), { ms: SLEEP_MS }, { signal: controller.signal });
      setTimeout(() => controller.abort("stop"), 100);
      const e = await rejection(call, "aborted invoke");
      const elapsed = Math.round(performance.now() - started);
      expect(e === "stop", `rejected with ${describeError(e)}, expected exactly "stop"`);
      expect(elapsed < SLEEP_MS, `took ${elapsed} ms: the abort did not end the call before its answer`);
      await untilSleepIsIdle(client);
      return `rejected with "stop" after ${elapsed} ms`;
    },

    async [CHECKS[6]]() {
      const client = tokenClient();
      const started = performance.now();
      const e = await rejection(client.invoke(urn("sleep"), { ms: SLEEP_MS }, { timeoutMs: 200 }), "invoke with timeoutMs 200");
      const elapsed = Math.round(performance.now() - started);
      expect(e instanceof TimeoutError && e.name === "TimeoutError", `not a TimeoutError: ${describeError(e)}`);
      expect(isFunctionGraphError(e), "isFunctionGraphError(e) is false");
      expect(elapsed < SLEEP_MS, `took ${elapsed} ms: the timeout did not end the call before its answer`);
      await untilSleepIsIdle(client);
      return `${describeError(e)} after ${elapsed} ms`;
    },

    // `?compressed=` is run.mjs's loopback server of gzip answers, another origin that does
    // not expose Content-Encoding (as most don't): the browser hides it and decompresses.
    async [CHECKS[7]]() {
      expect(compressed, "no ?compressed= in the page URL");
      const client = (cap) => new FunctionGraphClient({
        projectId: PROJECT, endpoint: compressed, credentials: { token: TOKEN }, maxResponseBytes: cap, retry: false,
      });
      // 64 MiB of spaces in ~64 KB of gzip, its Content-Length far under the 1 MiB cap.
      const e = await rejection(client(1024 * 1024).invoke(urn("bomb"), {}), "invoke of a gzip bomb");
      expect(e instanceof ResponseError && e.name === "ResponseError", `not a ResponseError: ${describeError(e)}`);
      expect(/larger than maxResponseBytes \(1048576 bytes\)/.test(e.message), `message: ${e.message}`);
      // An answer just under the cap is read whole, decoded across chunks.
      const r = await client(1024 * 1024).invoke(urn("small"), {});
      const expected = "é✓😀".repeat(50_000);
      expect(r.result === expected, `result of ${r.result.length} chars, expected ${expected.length}`);
      return `bomb: ${describeError(e)}; small: ${r.result.length} chars`;
    },
  };
}

// The abort and timeout checks abandon a call to sleep that takes SLEEP_MS (its timeout is
// 3 s): a rejection sooner than that cannot be the function's answer, whatever the load.
// The emulator lets an abandoned call finish, as the service does, so its instance (sleep
// has 2) stays busy until then: each check waits for that before it ends, so the next
// check or page is not throttled.
const SLEEP_MS = 2800;

/**
 * Resolves once both of sleep's instances are free at the same time: two async probes are
 * seen RUNNING together (one waits while an abandoned call holds an instance), then both
 * have ended. Async probes queue instead of being throttled: a throttled sync probe's 429
 * would be a console error on the page.
 */
async function untilSleepIsIdle(client) {
  const deadline = performance.now() + 20_000;
  for (;;) {
    const probes = await Promise.all([0, 1].map(() => client.invokeAsync(urn("sleep"), { ms: 800 })));
    const requestIds = probes.map((p) => p.requestId);
    let together = false;
    for (;;) {
      const active = await client.listActiveAsyncInvocations(urn("sleep"), { requestIds });
      if (active.invocations.filter((i) => i.status === "RUNNING").length === 2) together = true;
      if (active.count === 0) break;
      if (performance.now() > deadline) throw new CheckFailed("sleep's instances were not free within 20 s");
      await sleep(50);
    }
    if (together) return;
  }
}

function render(list, result) {
  const li = document.createElement("li");
  li.className = result.ok ? "pass" : "fail";
  li.dataset.check = result.name;
  li.textContent = `${result.ok ? "PASS" : "FAIL"} — ${result.name}: ${result.detail}`;
  list.append(li);
}

/**
 * Runs every check in order; results go to window.__results (and the page's list),
 * then window.__done = true.
 */
export async function runSuite(lib, { label }) {
  const results = (window.__results = []);
  const list = document.getElementById("results");
  const status = document.getElementById("status");
  const endpoint = new URL(location.href).searchParams.get("emulator");
  const compressed = new URL(location.href).searchParams.get("compressed");
  try {
    if (!endpoint) throw new Error("no ?emulator= in the page URL");
    status.textContent = `${label}: functiongraph-client ${lib.version?.() ?? "?"} against ${endpoint} (page origin ${location.origin})`;
    const defs = definitions(lib, endpoint, compressed);
    for (const name of CHECKS) {
      const started = performance.now();
      let result;
      try {
        const detail = await defs[name]();
        result = { name, ok: true, detail: String(detail ?? "") };
      } catch (e) {
        const detail = e instanceof CheckFailed ? e.message : `threw ${describeError(e)} ${e?.stack ?? ""}`;
        result = { name, ok: false, detail };
      }
      result.ms = Math.round(performance.now() - started);
      results.push(result);
      render(list, result);
    }
  } catch (e) {
    const result = { name: "suite setup", ok: false, detail: `${describeError(e)} ${e?.stack ?? ""}` };
    results.push(result);
    render(list, result);
  } finally {
    const failed = results.filter((r) => !r.ok).length;
    const summary = document.createElement("p");
    summary.id = "summary";
    summary.textContent = `${results.length - failed} passed, ${failed} failed`;
    list.after(summary);
    window.__done = true;
  }
}
