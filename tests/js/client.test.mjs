// The packed npm package, installed like a user installs it, against a real emulator.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createServer } from "node:net";
import { inspect } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import { KEYS, PROJECT, TOKEN, eventually, installPackage, json, scripted, startEmulator, urn } from "./harness.mjs";

let pkg, project, emulator, cleanup;
before(async () => {
  ({ mod: pkg, dir: project, cleanup } = await installPackage());
  emulator = await startEmulator();
});
after(async () => {
  await emulator?.stop();
  cleanup?.();
});

const client = (credentials = { token: TOKEN }, extra = {}) =>
  new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: emulator.url, credentials, ...extra });

/**
 * Resolves once both of sleep's instances are free: a call abandoned by its caller keeps
 * its instance until the function ends, and a busy function answers 429.
 */
const sleepIsIdle = () =>
  eventually(async () => {
    const probes = await Promise.allSettled([0, 1].map(() => client().invoke(urn("sleep"), { ms: 0 })));
    return probes.every((p) => p.status === "fulfilled");
  }, { timeoutMs: 20_000, intervalMs: 50 });

/** Asserts that `promise` rejects with one of our errors of class `name`; returns it. */
async function rejectsWith(promise, name, fields = {}) {
  const err = await promise.then(
    (v) => assert.fail(`expected ${name}, resolved with ${JSON.stringify(v)}`),
    (e) => e,
  );
  assert.equal(err.name, name, `${err}`);
  assert.ok(err instanceof pkg[name], "instanceof its class");
  assert.ok(err instanceof pkg.FunctionGraphError, "instanceof the base class");
  assert.ok(pkg.isFunctionGraphError(err));
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(err[k], v, `${name}.${k}`);
  return err;
}

describe("invoke", () => {
  test("token auth: the result, summary and request id", async () => {
    const event = { hello: "node", list: [1, 2, 3], nested: { ok: true } };
    const r = await client().invoke(urn("echo"), event);
    assert.ok(r instanceof pkg.InvokeResult);
    // By shape, so a copy of the class from a second install recognises it too.
    const other = class InvokeResult {};
    Object.defineProperty(other, Symbol.hasInstance, { value: pkg.InvokeResult[Symbol.hasInstance] });
    assert.ok(r instanceof other);
    assert.ok(!({ requestId: "x" } instanceof pkg.InvokeResult));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), event);
    assert.equal(typeof r.result, "string");
    assert.match(r.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(r.log, "", "no log unless asked");
    assert.equal(r.functionError, null);
    assert.ok(r.summary.durationMs > 0);
    assert.ok(r.summary.billingDurationMs >= 1);
    assert.equal(r.summary.memorySizeMb, 128);
    assert.ok(r.summary.memoryUsedMb > 0);
    assert.throws(() => { r.status = 1; }, TypeError, "results are frozen");
  });

  test("AK/SK signing, log tail, and an HTTP-function result", async () => {
    const r = await client(KEYS).invoke(urn("hello"), { name: "signed" }, { logType: "tail" });
    assert.equal(r.json().statusCode, 200);
    assert.equal(JSON.parse(r.json().body).message, "hello signed");
    assert.match(r.log, /Start invoke request/);
    assert.match(r.log, /Hello, World!/);
    assert.match(r.log, /Finish invoke request/);
  });

  test("v0 gives the raw result, and the log from the header", async () => {
    const r = await client().invoke(urn("echo"), { v: 0 }, { requestVersion: "v0", logType: "tail" });
    assert.deepEqual(r.json(), { v: 0 });
    assert.match(r.log, /Finish invoke request/);
    assert.ok(r.requestId);
  });

  test('logType "none": no log, and no X-Cff-Log-Type on the wire', async (t) => {
    const r = await client(KEYS).invoke(urn("hello"), { name: "quiet" }, { logType: "none" });
    assert.equal(JSON.parse(r.json().body).message, "hello quiet");
    assert.equal(r.log, "");
    const s = await scripted((req, res) => json(res, 200, { request_id: "r-1", result: "{}", log: "", status: 200 }));
    t.after(() => s.close());
    const c = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: s.url, credentials: { token: TOKEN } });
    await c.invoke(urn("echo"), {}, { logType: "none" });
    await c.invoke(urn("echo"), {}, { logType: "tail" });
    await c.invoke(urn("echo"), {});
    assert.deepEqual(s.requests.map((q) => q.headers["x-cff-log-type"]), [undefined, "tail", undefined]);
  });

  test("instanceMemory sends X-Cff-Instance-Memory on sync and async invokes", async (t) => {
    const s = await scripted((req, res) =>
      json(res, req.url.endsWith("-async") ? 202 : 200, { request_id: "r-1", result: "{}", log: "", status: 200 }));
    t.after(() => s.close());
    const c = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: s.url, credentials: KEYS });
    await c.invoke(urn("echo"), {}, { instanceMemory: 256 });
    await c.invokeAsync(urn("echo"), {}, { instanceMemory: 512 });
    await c.invoke(urn("echo"), {});
    assert.deepEqual(s.requests.map((q) => q.headers["x-cff-instance-memory"]), ["256", "512", undefined]);
    // Signed like every header the client sends.
    assert.match(s.requests[0].headers.authorization, /SignedHeaders=[^,]*x-cff-instance-memory/);
    for (const bad of [0, 1.5, "256", -1]) {
      await rejectsWith(c.invoke(urn("echo"), {}, { instanceMemory: bad }), "ValidationError", { field: "options.instanceMemory" });
    }
    assert.equal(s.requests.length, 3, "refused before any request");
    // The emulator accepts it on both.
    assert.equal((await client().invoke(urn("echo"), {}, { instanceMemory: 256 })).status, 200);
    assert.ok((await client().invokeAsync(urn("echo"), {}, { instanceMemory: 256 })).requestId);
  });

  test("events: any JSON value; strings must be JSON text; undefined is {}", async () => {
    const c = client();
    assert.equal((await c.invoke(urn("echo"), [1, "two", null])).result, '[1,"two",null]');
    assert.equal((await c.invoke(urn("echo"), '{"already":"json"}')).result, '{"already":"json"}');
    assert.equal((await c.invoke(urn("echo"), 42)).result, "42");
    assert.equal((await c.invoke(urn("echo"))).result, "{}");
    assert.equal((await c.invoke(urn("echo"), "\"a string\"")).result, "a string");
    await rejectsWith(c.invoke(urn("echo"), "not json"), "ValidationError", { field: "event" });
    const circular = {};
    circular.self = circular;
    const e = await rejectsWith(c.invoke(urn("echo"), circular), "ValidationError", { field: "event" });
    assert.ok(e.cause instanceof TypeError);
    await rejectsWith(c.invoke(urn("echo"), { n: 10n }), "ValidationError", { field: "event" });
  });

  test("a function that fails resolves with functionError", async () => {
    const r = await client().invoke(urn("fail"), { reason: "from node" });
    assert.equal(r.status, 4002);
    assert.equal(r.functionError.code, 4002);
    assert.equal(r.functionError.type, "Error");
    assert.match(r.functionError.message, /intentional failure: from node/);
    assert.ok(Array.isArray(r.functionError.stackTrace));
  });

  test("versions and aliases in the URN reach the service", async () => {
    const e = await rejectsWith(client().invoke(urn("echo", "v9"), {}), "ServiceError", {
      status: 404,
      errorCode: "FSS.1052",
    });
    assert.ok(e.requestId);
  });
});

describe("invokeAsync and listAsyncInvocations", () => {
  test("an async invocation runs and is found by request id, with AK/SK", async () => {
    const c = client(KEYS);
    const { requestId } = await c.invokeAsync(urn("echo"), { async: true });
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    const rec = await eventually(async () => {
      const page = await c.listAsyncInvocations(urn("echo"), { requestId });
      return page.invocations.find((i) => i.requestId === requestId && i.status === "SUCCESS");
    });
    assert.equal(rec.errorCode, 0);
    assert.equal(rec.errorMessage, "");
    assert.ok(rec.startTime instanceof Date && !Number.isNaN(rec.startTime.getTime()));
    assert.ok(rec.endTime instanceof Date);
    assert.ok(Math.abs(rec.startTime.getTime() - Date.now()) < 60_000);
  });

  test("pages follow nextMarker (an offset), newest first, each record once", async () => {
    const c = client();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await c.invokeAsync(urn("callback"), { i })).requestId);
    const seen = [];
    const markers = [];
    let marker;
    do {
      const page = await c.listAsyncInvocations(urn("callback"), { limit: 2, marker });
      assert.equal(page.count, 5);
      seen.push(...page.invocations.map((i) => i.requestId));
      marker = page.nextMarker ?? undefined;
      markers.push(page.nextMarker);
    } while (marker !== undefined);
    // The emulator answers next_marker 2, 4, then 0 on the last page, which ends it.
    assert.deepEqual(markers, ["2", "4", null]);
    assert.deepEqual(seen, ids.reverse());
    // Any offset is a start position.
    const third = await c.listAsyncInvocations(urn("callback"), { limit: 1, marker: "2" });
    assert.deepEqual(third.invocations.map((i) => i.requestId), [ids[2]]);
  });

  test("filters: status and a time window given as Date or string", async () => {
    const c = client();
    const { requestId } = await c.invokeAsync(urn("context"), {});
    await eventually(async () =>
      (await c.listAsyncInvocations(urn("context"), { requestId })).invocations[0]?.status === "SUCCESS");
    const now = new Date();
    const window = await c.listAsyncInvocations(urn("context"), {
      begin: new Date(now.getTime() - 600_000),
      end: new Date(now.getTime() + 60_000).toISOString().slice(0, 19),
      status: "SUCCESS",
    });
    assert.ok(window.invocations.some((i) => i.requestId === requestId));
    const past = await c.listAsyncInvocations(urn("context"), { begin: "2020-01-01T00:00:00", end: "2020-01-02T00:00:00" });
    assert.equal(past.count, 0);
    assert.equal(past.nextMarker, null);
    const failed = await c.listAsyncInvocations(urn("context"), { status: "FAIL" });
    assert.equal(failed.count, 0);
  });

  test("the listing query is validated before any request", async () => {
    const c = client();
    for (const [query, field] of [
      [{ limit: 0 }, "query.limit"],
      [{ limit: 501 }, "query.limit"],
      [{ limit: 2.5 }, "query.limit"],
      [{ limit: "10" }, "query.limit"],
      [{ status: "DONE" }, "query.status"],
      [{ marker: "abc" }, "query.marker"],
      [{ begin: "yesterday" }, "query.begin"],
      [{ begin: new Date("nope") }, "query.begin"],
      [{ begin: "2024-01-02T00:00:00", end: "2024-01-01T00:00:00" }, "query.begin"],
      [{ requestId: "x".repeat(65) }, "query.requestId"],
      [{ signal: "not a signal" }, "query.signal"],
    ]) {
      await rejectsWith(c.listAsyncInvocations(urn("echo"), query), "ValidationError", { field });
    }
  });
});

describe("errors", () => {
  // Seed 003_… (async invoke): 404 FSS.0404 "function 'test' not exist" (it was FSS.1051).
  test("unknown function: ServiceError 404 FSS.0404 with the request id", async () => {
    const e = await rejectsWith(client().invoke(urn("no-such-function"), {}), "ServiceError", {
      status: 404,
      errorCode: "FSS.0404",
      errorMsg: "function 'no-such-function' not exist",
    });
    assert.match(e.requestId, /^[0-9a-f-]{36}$/);
    assert.match(e.message, /FSS\.0404/);
  });

  // The API gateway refuses credentials with 401 APIGW.0301 (it was 403 FSS.0403 for a token,
  // 401 FSS.0401 for none): docs/service.md, "Refused credentials".
  test("bad credentials: 401 APIGW.0301 for a token, a signature or none; no secret in the error", async () => {
    await rejectsWith(client({ token: "wrong-token" }).invoke(urn("echo"), {}), "ServiceError", {
      status: 401,
      errorCode: "APIGW.0301",
      errorMsg: "Incorrect IAM authentication information: decrypt token fail",
    });
    const secretKey = "a-very-secret-key-value";
    const e = await rejectsWith(
      client({ accessKey: KEYS.accessKey, secretKey }).invoke(urn("echo"), {}),
      "ServiceError",
      { status: 401, errorCode: "APIGW.0301" },
    );
    const everything = JSON.stringify({ ...e, message: e.message, stack: e.stack });
    assert.ok(!everything.includes(secretKey));
    await rejectsWith(client(null).invoke(urn("echo"), {}), "ServiceError", {
      status: 401,
      errorCode: "APIGW.0301",
      errorMsg: "Incorrect IAM authentication information: x-auth-token not found",
    });
  });

  test("credential providers: called per request, may be async, failures are typed", async () => {
    let calls = 0;
    const c = client(async () => {
      calls++;
      return { token: TOKEN };
    });
    await c.invoke(urn("echo"), {});
    await c.invokeAsync(urn("echo"), {});
    assert.equal(calls, 2);
    const boom = new Error("vault unreachable");
    const e = await rejectsWith(client(() => Promise.reject(boom)).invoke(urn("echo"), {}), "ValidationError", {
      field: "options.credentials",
    });
    assert.equal(e.cause, boom);
    await rejectsWith(client(() => ({ nope: 1 })).invoke(urn("echo"), {}), "ValidationError");
  });

  test("throttled: ServiceError 429 FSS.0429 beyond the function's concurrency", async () => {
    const c = client();
    const calls = [1, 2, 3].map(() => c.invoke(urn("sleep"), { ms: 600 }));
    const settled = await Promise.allSettled(calls);
    const rejected = settled.filter((s) => s.status === "rejected");
    assert.equal(rejected.length, 1, "sleep runs two at a time");
    assert.equal(rejected[0].reason.name, "ServiceError");
    assert.equal(rejected[0].reason.status, 429);
    assert.equal(rejected[0].reason.errorCode, "FSS.0429");
  });

  test("oversize payloads and bad URNs never leave the client", async () => {
    // A closed port: a request would fail with NetworkError, so ValidationError proves none was sent.
    const offline = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: "http://127.0.0.1:9", credentials: { token: TOKEN } });
    await rejectsWith(offline.invoke(urn("echo"), "\"" + "a".repeat(6 * 1024 * 1024) + "\""), "ValidationError", { field: "event" });
    await rejectsWith(offline.invokeAsync(urn("echo"), { big: "a".repeat(256 * 1024) }), "ValidationError", { field: "event" });
    await rejectsWith(offline.invoke("not-a-urn", {}), "ValidationError", { field: "functionUrn" });
    await rejectsWith(offline.invoke(urn("../etc"), {}), "ValidationError", { field: "functionUrn" });
    await rejectsWith(offline.invoke(42, {}), "ValidationError", { field: "functionUrn" });
    await rejectsWith(
      offline.invoke(`urn:fss:cn-north-4:ffffffffffffffffffffffffffffffff:function:default:echo:latest`, {}),
      "ValidationError",
      { field: "functionUrn" },
    );
    await rejectsWith(offline.invoke(urn("echo"), {}, { logType: "all" }), "ValidationError", { field: "options.logType" });
    await rejectsWith(offline.invoke(urn("echo"), {}, { requestVersion: "v2" }), "ValidationError", { field: "options.requestVersion" });
    await rejectsWith(offline.invoke(urn("echo"), {}, { timeoutMs: -1 }), "ValidationError", { field: "options.timeoutMs" });
    // Just under the async limit is accepted by the client (and by the emulator).
    const ok = await client().invokeAsync(urn("echo"), "\"" + "a".repeat(256 * 1024 - 10) + "\"");
    assert.ok(ok.requestId);
  });

  test("abort rejects with the signal's reason, exactly like fetch", async () => {
    const c = client();
    const controller = new AbortController();
    const call = c.invoke(urn("sleep"), { ms: 2000 });
    const aborted = c.invoke(urn("sleep"), { ms: 2000 }, { signal: controller.signal });
    setTimeout(() => controller.abort("stop"), 100);
    await assert.rejects(aborted, (reason) => reason === "stop");
    const reason = new Error("user navigated away");
    await assert.rejects(
      c.invokeAsync(urn("echo"), {}, { signal: AbortSignal.abort(reason) }),
      (r) => r === reason,
      "an already-aborted signal rejects before any request",
    );
    const plain = new AbortController();
    plain.abort();
    await assert.rejects(c.listAsyncInvocations(urn("echo"), { signal: plain.signal }), (r) => r.name === "AbortError");
    assert.equal((await call).status, 200);
  });

  test("timeouts: per call and per client, as TimeoutError with the elapsed time", async () => {
    // An abandoned call keeps its instance until the function ends (as in the service), and
    // sleep has 2 instances: each call sleeps 400 ms, and the next waits until it is over.
    const over = sleepIsIdle;
    await over(); // the previous test's aborted call may still hold an instance
    const before = Date.now();
    const e = await rejectsWith(client().invoke(urn("sleep"), { ms: 400 }, { timeoutMs: 150 }), "TimeoutError", {
      timeoutMs: 150,
    });
    // elapsedMs is the time the call took: at least its timeout, at most what we measured.
    const measured = Date.now() - before;
    assert.ok(e.elapsedMs >= 140 && e.elapsedMs <= measured + 5, `${e.elapsedMs} (measured ${measured})`);
    await over();
    await rejectsWith(client(undefined, { timeoutMs: 150 }).invoke(urn("sleep"), { ms: 400 }), "TimeoutError");
    await over();
    await rejectsWith(client({ token: TOKEN }, { timeoutMs: 150 }).invoke(urn("sleep"), { ms: 400 }), "TimeoutError");
    await over();
    // 0 disables the client default for one call.
    const r = await client({ token: TOKEN }, { timeoutMs: 150 }).invoke(urn("sleep"), { ms: 300 }, { timeoutMs: 0 });
    assert.equal(r.status, 200);
    // Longer than setTimeout can wait (2^31 - 1 ms) is no timeout, not an immediate one; the
    // longest it can wait works too (its deadline slot must not overrun the timer's limit).
    assert.equal((await client().invoke(urn("sleep"), { ms: 50 }, { timeoutMs: 2 ** 31 })).status, 200);
    assert.equal((await client().invoke(urn("sleep"), { ms: 50 }, { timeoutMs: 2 ** 31 - 1 })).status, 200);
  });

  test("calls with one timeout share a deadline, each with its own outcome", async () => {
    const shared = client(undefined, { timeoutMs: 150 });
    const [quick, slow] = await Promise.allSettled([shared.invoke(urn("echo"), {}), shared.invoke(urn("sleep"), { ms: 400 })]);
    assert.equal(quick.status, "fulfilled");
    assert.equal(slow.reason?.name, "TimeoutError");
    assert.ok(slow.reason.elapsedMs >= 140, `${slow.reason.elapsedMs}`);
    await sleepIsIdle(); // the abandoned sleep ends
    // A call after the deadline fired gets its own full time.
    assert.equal((await shared.invoke(urn("sleep"), { ms: 50 })).status, 200);
    // The deadline's timer does not keep Node running once no call waits on it.
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    await client().invoke(urn("echo"), {});
    assert.equal(timers(), before);
  });

  test("calls that each have their own timeout leave no deadlines behind", async () => {
    // A remaining-budget pattern: every call a different timeoutMs. Each call ends before
    // any request (its credentials provider fails), after its deadline slot was made.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc");
    const failing = client(() => Promise.reject(new Error("no credentials")));
    const calls = async (from, n) => {
      for (let i = 0; i < n; i++) {
        await assert.rejects(failing.invoke(urn("echo"), {}, { timeoutMs: from + i }), { name: "ValidationError" });
      }
    };
    await calls(600_000, 2_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    await calls(700_000, 20_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 4 * 1024 * 1024, `the heap grew by ${grown} bytes over 20,000 calls`);
  });

  test("a stopped emulator: NetworkError with the platform error as cause", async () => {
    const server = createServer();
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address();
    await new Promise((r) => server.close(r));
    const c = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: `http://127.0.0.1:${port}`, credentials: { token: TOKEN } });
    const e = await rejectsWith(c.invoke(urn("echo"), {}), "NetworkError");
    assert.ok(e.cause);
    // The message says what was sent where, and the platform's words for why. (gloo-net,
    // which sends the request, keeps the platform error's name and message, not the
    // ECONNREFUSED Node puts under its cause: README, "How the client is built".)
    const invocations = `http://127.0.0.1:${port}/v2/${PROJECT}/fgs/functions/${encodeURIComponent(urn("echo"))}/invocations`;
    assert.equal(e.message, `network error: POST ${invocations}: fetch failed`);
    assert.equal(e.cause.name, "TypeError");
    assert.equal(e.cause.message, "fetch failed");
    // A listing's URL is shown without its query.
    const l = await rejectsWith(c.listAsyncInvocations(urn("echo"), { requestId: "r-1", limit: 5, retry: false }), "NetworkError");
    assert.match(l.message, new RegExp(`^network error: GET http://127\\.0\\.0\\.1:${port}/v2/${PROJECT}/fgs/functions/[^ ?]+/async-invocations: fetch failed$`));
  });

  test("a refused value is shown in the message, short and never a credential", async () => {
    const offline = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: "http://127.0.0.1:9", credentials: { token: TOKEN } });
    const bad = await rejectsWith(offline.invoke("urn:fss:cn-north-4:bad", {}), "ValidationError");
    assert.match(bad.message, /^functionUrn: .*; got "urn:fss:cn-north-4:bad"$/);
    const long = await rejectsWith(offline.invoke("x".repeat(500), {}), "ValidationError");
    assert.ok(long.message.endsWith(`got "${"x".repeat(60)}"…`), long.message);
    assert.match((await rejectsWith(offline.invoke(42, {}), "ValidationError")).message, /must be a string; got number$/);
    assert.match((await rejectsWith(offline.invoke(urn("echo"), {}, { logType: "TAIL" }), "ValidationError")).message, /; got "TAIL"$/);
    // Every option that is one of a few words says which, with the value.
    for (const [call, message] of [
      [() => offline.invoke(urn("echo"), {}, { logType: "all" }), 'options.logType: must be "tail" or "none"; got "all"'],
      [() => offline.invoke(urn("echo"), {}, { requestVersion: "V1" }), 'options.requestVersion: must be "v0" or "v1"; got "V1"'],
      [() => offline.cancelAsyncInvocation(urn("echo"), "r-1", { type: "Force" }), 'options.type: must be "force" or "recursive"; got "Force"'],
      [() => offline.listAsyncInvocations(urn("echo"), { status: "done" }), 'query.status: must be one of WAIT, RUNNING, SUCCESS, FAIL, DISCARD; got "done"'],
      [() => offline.listAsyncInvocations(urn("echo"), { status: 3 }), "query.status: must be a string; got number"],
    ]) {
      assert.equal((await rejectsWith(call(), "ValidationError")).message, message);
    }
    assert.match((await rejectsWith(offline.listAsyncInvocations(urn("echo"), { limit: 0.5 }), "ValidationError")).message, /; got 0\.5$/);
    const thrown = (options) => {
      try {
        new pkg.FunctionGraphClient({ projectId: PROJECT, ...options });
      } catch (e) {
        return e;
      }
      assert.fail(`accepted ${JSON.stringify(options)}`);
    };
    assert.match(thrown({ region: "CN North" }).message, /; got "CN North"$/);
    // An endpoint is shown without its query or user info, where secrets go.
    const endpoint = thrown({ endpoint: "http://user:hunter2@h/?token=s3cret" }).message;
    assert.match(endpoint, /; got "…@h\/"$/);
    // A password may hold '@', '?' or '#' (user info ends at the last '@'): none of it shows.
    for (const endpoint of ["https://user:hunt?er2@h", "https://user:hunt#er2@h/x", "https://user:hu@nter2@h", "ftp://u:p?w@h?t=1"]) {
      const e = thrown({ endpoint });
      assert.equal(e.field, "options.endpoint");
      assert.ok(!/hunt|er2|nter|p\?w/.test(e.message), e.message);
    }
    assert.match(thrown({ endpoint: "https://user:hu@nter2@h" }).message, /; got "…@h"$/);
    // A header line given as a name shows the name's valid start, never what follows.
    const header = thrown({ region: "cn-north-4", headers: { "Authorization: Bearer s3cr3t-918273645": "x" } });
    assert.equal(header.field, "options.headers");
    assert.ok(!header.message.includes("s3cr3t"), header.message);
    assert.match(header.message, /; got "Authorization" then ':'$/);
    // Credentials: their type at most, never their value.
    for (const credentials of [{ token: 918273645 }, { accessKey: "AK", secretKey: 918273645 }, { accessKey: 918273645, secretKey: "sk" }]) {
      const e = thrown({ region: "cn-north-4", credentials });
      assert.equal(e.field, "options.credentials");
      assert.ok(!e.message.includes("918273645"), e.message);
    }
  });
});

describe("the client", () => {
  // free() now releases the client's wasm memory (before, the JS client held none and
  // free() did nothing): a call in flight keeps what it needs and ends normally; the
  // handle cannot be used after.
  test("free() and Symbol.dispose release the client; a call in flight still ends", async () => {
    const c = client();
    const pending = c.invoke(urn("echo"), { during: "free" });
    c.free();
    assert.deepEqual((await pending).json(), { during: "free" });
    assert.throws(() => c.invoke(urn("echo"), {}), /null pointer/);
    const d = client();
    d[Symbol.dispose]();
    assert.throws(() => d.invoke(urn("echo"), {}), /null pointer/);
  });

  test("a hot loop reuses the checked path, and a bad URN is still refused each time", async () => {
    const c = client();
    for (let i = 0; i < 3; i++) assert.equal((await c.invoke(urn("echo"), { i })).json().i, i);
    for (let i = 0; i < 2; i++) {
      await assert.rejects(c.invoke(`${urn("echo")}:extra`, {}), { name: "ValidationError", field: "functionUrn" });
      await assert.rejects(
        c.invoke(urn("echo").replace(PROJECT, "f".repeat(32)), {}),
        { name: "ValidationError", field: "functionUrn" },
      );
    }
  });

  test("constructor options are validated", () => {
    const bad = [
      [undefined, "options"],
      [{}, "options.projectId"],
      [{ projectId: "p-1!", region: "cn-north-4" }, "options.projectId"],
      [{ projectId: PROJECT }, "options"],
      [{ projectId: PROJECT, region: "CN North" }, "options.region"],
      [{ projectId: PROJECT, endpoint: "ftp://x" }, "options.endpoint"],
      [{ projectId: PROJECT, endpoint: "http://h/?q=1" }, "options.endpoint"],
      [{ projectId: PROJECT, endpoint: "http://user@h" }, "options.endpoint"],
      [{ projectId: PROJECT, region: "cn-north-4", credentials: { accessKey: "a" } }, "options.credentials"],
      [{ projectId: PROJECT, region: "cn-north-4", credentials: "token" }, "options.credentials"],
      [{ projectId: PROJECT, region: "cn-north-4", timeoutMs: Infinity }, "options.timeoutMs"],
      [{ projectId: PROJECT, region: "cn-north-4", headers: { Authorization: "x" } }, "options.headers"],
      [{ projectId: PROJECT, region: "cn-north-4", headers: { "bad header": "x" } }, "options.headers"],
      [{ projectId: PROJECT, region: "cn-north-4", headers: { "x-ok": "line\nbreak" } }, "options.headers"],
    ];
    for (const [options, field] of bad) {
      assert.throws(
        () => new pkg.FunctionGraphClient(options),
        (e) => e.name === "ValidationError" && e.field === field,
        JSON.stringify(options),
      );
    }
    const c = new pkg.FunctionGraphClient({ projectId: PROJECT, region: "cn-north-4", credentials: KEYS });
    c.free();
  });

  test("custom headers and the User-Agent go on the wire; custom headers are signed", async (t) => {
    const s = await scripted((req, res) => json(res, 200, { request_id: "r-1", result: "{}", log: "", status: 200 }));
    t.after(() => s.close());
    const extra = { headers: { "X-Trace-Tag": "t-1" }, userAgent: "admin-console/1.0" };
    const at = (credentials, more = extra) =>
      new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: s.url, credentials, ...more });
    await at({ token: TOKEN }).invoke(urn("echo"), {});
    await at(KEYS).invoke(urn("echo"), {});
    await at({ token: TOKEN }, {}).listAsyncInvocations(urn("echo"));
    const [token, signed, plain] = s.requests.map((r) => r.headers);
    for (const h of [token, signed]) {
      assert.equal(h["x-trace-tag"], "t-1");
      assert.match(h["user-agent"], /^functiongraph-client\/\d+\.\d+\.\d+ admin-console\/1\.0$/);
      assert.equal(h["user-agent"], `functiongraph-client/${pkg.version()} admin-console/1.0`);
    }
    // Without a userAgent option: the client's own product token alone.
    assert.equal(plain["user-agent"], `functiongraph-client/${pkg.version()}`);
    assert.equal(plain["x-trace-tag"], undefined);
    // AK/SK: the custom header is one of the signed headers.
    const signedHeaders = /SignedHeaders=([^,]+),/.exec(signed.authorization)?.[1].split(";");
    assert.ok(signedHeaders?.includes("x-trace-tag"), signed.authorization);
    // And such a request verifies: the emulator checks the signature over x-trace-tag too.
    const r = await client(KEYS, extra).invoke(urn("echo"), { traced: true });
    assert.deepEqual(r.json(), { traced: true });
  });

  // fetch throws on such a header value (above U+00FF everywhere, a control character in
  // Node), which read as a NetworkError ("Cannot convert argument to a ByteString…") for a
  // request never sent: it is the caller's value, refused as such, and never shown.
  test("a header value fetch cannot send is a ValidationError, and nothing is sent", async (t) => {
    const s = await scripted((req, res) => json(res, 200, { request_id: "r-1", result: "{}", log: "", status: 200 }));
    t.after(() => s.close());
    const at = (options) => new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: s.url, ...options });
    const refused = [
      [{ credentials: { token: TOKEN }, headers: { "X-Tag": "s3cr3t€" } }, "options.headers"],
      [{ credentials: { token: TOKEN }, headers: { "X-Tag": "s3cr3t\u0001" } }, "options.headers"],
      [{ credentials: { token: "s3cr3t€" } }, "options.credentials"],
      [{ credentials: { ...KEYS, securityToken: "s3cr3t\u2028" } }, "options.credentials"],
      [{ credentials: { accessKey: "AKé€", secretKey: "s3cr3t" } }, "options.credentials"],
    ];
    for (const [options, field] of refused) {
      assert.throws(() => at(options), (e) => {
        assert.equal(e.name, "ValidationError", e.message);
        assert.equal(e.field, field);
        assert.ok(!e.message.includes("s3cr3t"), e.message);
        return true;
      }, JSON.stringify(options));
    }
    // From a provider, at the call.
    await assert.rejects(at({ credentials: () => ({ token: "s3cr3t€" }) }).invoke(urn("echo"), {}), (e) => {
      assert.equal(e.name, "ValidationError", e.message);
      assert.ok(!e.message.includes("s3cr3t"), e.message);
      return true;
    });
    assert.equal(s.requests.length, 0);
    // A userAgent fetch cannot send is left out, as one with a line break is.
    await at({ credentials: { token: TOKEN }, userAgent: "console é€" }).invoke(urn("echo"), {});
    assert.equal(s.requests[0].headers["user-agent"], `functiongraph-client/${pkg.version()}`);
  });

  test("the endpoint built from region: exact URLs, nothing sent", async () => {
    // The hook aborts the call's own signal: fetch then starts with an aborted signal and
    // rejects without any network activity. A guard refuses, as a second line, any fetch
    // that would leave loopback with a live signal (then the call would not reject with
    // the abort reason, and the test fails).
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
      const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
      if (url.hostname !== "127.0.0.1" && !signal?.aborted) return Promise.reject(new TypeError(`refused: ${url}`));
      return realFetch(input, init);
    };
    const urls = [];
    let controller;
    const c = new pkg.FunctionGraphClient({
      projectId: PROJECT,
      region: "cn-north-4",
      credentials: { token: TOKEN },
      onRequest: (info) => {
        urls.push(info.url);
        controller.abort("recorded");
      },
    });
    const call = async (f) => {
      controller = new AbortController();
      assert.equal(await f(controller.signal).then(() => "resolved", (e) => e), "recorded");
    };
    try {
      await call((signal) => c.invoke(urn("echo"), {}, { signal }));
      await call((signal) => c.invokeAsync(urn("echo"), {}, { signal }));
      await call((signal) => c.listAsyncInvocations(urn("echo"), { limit: 5, signal }));
    } finally {
      globalThis.fetch = realFetch;
    }
    const fn = `https://functiongraph.cn-north-4.myhuaweicloud.com/v2/${PROJECT}/fgs/functions/` +
      `urn%3Afss%3Acn-north-4%3A${PROJECT}%3Afunction%3Adefault%3Aecho%3Alatest`;
    assert.deepEqual(urls, [`${fn}/invocations`, `${fn}/invocations-async`, `${fn}/async-invocations?limit=5`]);
  });

  test("every method returns a promise, even for bad arguments", () => {
    const c = client();
    for (const p of [c.invoke(), c.invokeAsync(null), c.listAsyncInvocations(urn("echo"), 5)]) {
      assert.ok(p instanceof Promise);
      p.catch(() => {});
    }
  });

  test("version is the package version", async () => {
    assert.match(pkg.version(), /^\d+\.\d+\.\d+$/);
  });

  test("every exported function and class has its own name (as a minifying bundler would keep it)", () => {
    for (const [name, value] of Object.entries(pkg)) {
      if (typeof value === "function") assert.equal(value.name, name);
    }
    assert.match(inspect(client()), /^FunctionGraphClient /);
  });
});

describe("signRequest", () => {
  test("reproduces every official signing vector through the public API", async () => {
    const { readFileSync } = await import("node:fs");
    const { root } = await import("./harness.mjs");
    const file = JSON.parse(readFileSync(`${root}/crates/protocol/tests/data/sign_vectors.json`, "utf8"));
    const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
    for (const v of file.vectors) {
      const query = v.query.map(([k, x]) => `${enc(k)}=${enc(x)}`).join("&");
      const headers = { ...v.headers, "X-Project-Id": v.project_id };
      const signed = pkg.signRequest(
        { method: v.method, url: `${v.scheme}://${v.host}${v.python.wire_path}${query ? "?" + query : ""}`, headers, body: v.python.body_hashed ?? "" },
        { accessKey: v.ak, secretKey: v.sk, securityToken: v.security_token ?? undefined },
        { date: new Date(Date.UTC(+v.date.slice(0, 4), +v.date.slice(4, 6) - 1, +v.date.slice(6, 8), +v.date.slice(9, 11), +v.date.slice(11, 13), +v.date.slice(13, 15))) },
      );
      assert.equal(signed.Authorization, v.python.authorization, v.name);
      assert.equal(signed["X-Sdk-Date"], v.date);
    }
  });

  test("a request signed with signRequest and sent with plain fetch is accepted", async () => {
    const url = `${emulator.url}/v2/${PROJECT}/fgs/functions/${encodeURIComponent(urn("echo"))}/invocations`;
    const body = JSON.stringify({ signed: "by hand" });
    const headers = pkg.signRequest(
      { method: "POST", url, headers: { "Content-Type": "application/json", "X-Project-Id": PROJECT }, body },
      KEYS,
    );
    const res = await fetch(url, { method: "POST", headers, body });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).result, body);
    assert.throws(() => pkg.signRequest({ method: "GET", url: "ftp://x" }, KEYS), (e) => e.name === "ValidationError" && e.field === "request.url");
    assert.throws(() => pkg.signRequest({ method: "GET", url }, { accessKey: "a" }), (e) => e.field === "credentials.secretKey");
  });
});

describe("the package's shape", () => {
  test("index.d.ts declares exactly what the package exports", async () => {
    const { readFileSync } = await import("node:fs");
    const { root } = await import("./harness.mjs");
    const dts = readFileSync(`${root}/pkg/index.d.ts`, "utf8");
    const declared = [...dts.matchAll(/^export declare (?:class|function) (\w+)/gm)].map((m) => m[1]).sort();
    assert.deepEqual(Object.keys(pkg).sort(), declared);
    const methods = [...dts.slice(dts.indexOf("export declare class FunctionGraphClient")).split("\n}")[0].matchAll(/^  (\w+)\(/gm)]
      .map((m) => m[1])
      .filter((m) => m !== "constructor")
      .sort();
    const client = new pkg.FunctionGraphClient({ projectId: PROJECT, region: "cn-north-4" });
    for (const m of methods) assert.equal(typeof client[m], "function", `FunctionGraphClient.${m}`);
    assert.equal(typeof client[Symbol.dispose], "function");
  });

  test("package.json: exports for workerd, node (bundled, import, require), webpack and the rest, each with its types; version from Cargo.toml", async () => {
    const { existsSync, readFileSync } = await import("node:fs");
    const { root } = await import("./harness.mjs");
    const meta = JSON.parse(readFileSync(`${root}/pkg/package.json`, "utf8"));
    const main = meta.exports["."];
    assert.deepEqual(Object.keys(main), ["workerd", "deno", "node", "webpack", "default"]);
    assert.deepEqual(Object.keys(main.node), ["module", "module-sync", "import", "require"]);
    const targets = [main.workerd, main.deno, ...Object.values(main.node), main.webpack, main.default];
    for (const target of targets) {
      assert.deepEqual(Object.keys(target), ["types", "default"], "types first, in every branch");
      for (const file of Object.values(target)) assert.ok(existsSync(`${root}/pkg/${file}`), file);
      if (meta.files) for (const file of Object.values(target)) assert.ok(meta.files.includes(file.slice(2)), `${file} is packed`);
    }
    assert.equal(main.node.require.types, "./index.d.cts");
    // Bundlers building for Node ("module" is a bundler's condition, never Node's) and
    // every bundler but webpack get the file that needs no asset and no top-level await.
    assert.deepEqual([main.deno.default, main.node.module.default, main.default.default, meta.browser], Array(4).fill("./inline.js"));
    assert.equal(main.webpack.default, "./browser.js");
    assert.equal(meta.type, "module");
    assert.equal(meta.version, pkg.version());
    assert.match(readFileSync(`${root}/Cargo.toml`, "utf8"), new RegExp(`version = "${meta.version}"`));
  });

  // What Node prints for an error nobody catches is the first thing a user reads: the
  // throwing line (Node echoes it: a minified entry echoed 13 KB), the name, the fields.
  test("an uncaught ServiceError prints under 2 KB: its name, code and a readable frame", async () => {
    const { execFile } = await import("node:child_process");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${project}/uncaught.mjs`, `import { FunctionGraphClient } from "functiongraph-client";
const client = new FunctionGraphClient({ projectId: "${PROJECT}", endpoint: process.argv[2], credentials: { token: "${TOKEN}" } });
await client.invoke("${urn("no-such-function")}", {});
`);
    const { code, stderr } = await new Promise((resolve) =>
      execFile(process.execPath, ["uncaught.mjs", emulator.url], { cwd: project, timeout: 30_000 }, (err, _out, stderr) =>
        resolve({ code: err?.code, stderr }),
      ),
    );
    assert.equal(code, 1, stderr);
    assert.ok(Buffer.byteLength(stderr) < 2048, `${Buffer.byteLength(stderr)} bytes:\n${stderr}`);
    assert.match(stderr, /^ServiceError: FSS\.0404: /m);
    assert.match(stderr, /errorCode: 'FSS\.0404'/);
    // A frame with a real function name in a file of the package.
    assert.match(stderr, /^ {4}at [A-Za-z_$][\w$]* \(file:\/\/\/.*\/node_modules\/functiongraph-client\/[^:]+\.js:\d+:\d+\)$/m);
    // No line of it (Node echoes the throwing source line) is longer than a screen.
    for (const line of stderr.split("\n")) assert.ok(line.length < 300, `a ${line.length}-character line`);
  });
});
