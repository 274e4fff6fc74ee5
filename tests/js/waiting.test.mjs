// Waiting for async invocations against the real emulator.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { PROJECT, TOKEN, installPackage, json, root, scripted, startEmulator, urn } from "./harness.mjs";

let pkg, emulator, cleanup, client;
before(async () => {
  ({ mod: pkg, cleanup } = await installPackage());
  emulator = await startEmulator();
  client = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: emulator.url, credentials: { token: TOKEN } });
});
after(async () => {
  await emulator?.stop();
  cleanup?.();
});

test("waitForAsyncInvocation resolves with the terminal record", async () => {
  const { requestId } = await client.invokeAsync(urn("sleep"), { ms: 300 });
  const rec = await client.waitForAsyncInvocation(urn("sleep"), requestId, { intervalMs: 50 });
  assert.equal(rec.requestId, requestId);
  assert.equal(rec.status, "SUCCESS");
  assert.ok(rec.endTime instanceof Date);
});

test("invokeAsyncAndWait reports a failing function as FAIL", async () => {
  const rec = await client.invokeAsyncAndWait(urn("crash"), {}, { intervalMs: 50 });
  assert.equal(rec.status, "FAIL");
  assert.match(rec.errorMessage, /exited/);
  assert.notEqual(rec.errorCode, 0);
  const ok = await client.invokeAsyncAndWait(urn("echo"), { fine: true }, { intervalMs: 50 });
  assert.equal(ok.status, "SUCCESS");
});

test("waiting times out with TimeoutError and stops at once on abort", async () => {
  const { requestId } = await client.invokeAsync(urn("sleep"), { ms: 2500 });
  const before = Date.now();
  const e = await client.waitForAsyncInvocation(urn("sleep"), requestId, { timeoutMs: 300, intervalMs: 50 }).catch((x) => x);
  const measured = Date.now() - before;
  assert.equal(e.name, "TimeoutError");
  // elapsedMs is the time the wait took: at least its timeout, at most what we measured.
  assert.ok(e.elapsedMs >= 290 && e.elapsedMs <= measured + 5, `${e.elapsedMs} (measured ${measured})`);
  // The abort comes once the first poll is answered, i.e. while the wait sleeps before
  // the next one; with a 60 s interval only the abort can end it within 10 s.
  const controller = new AbortController();
  const polls = [];
  const watched = new pkg.FunctionGraphClient({
    projectId: PROJECT,
    endpoint: emulator.url,
    credentials: { token: TOKEN },
    onResponse: (info) => {
      polls.push(info.status);
      setTimeout(() => controller.abort("enough"), 50);
    },
  });
  const { requestId: running } = await client.invokeAsync(urn("sleep"), { ms: 2900 });
  let bound;
  const reason = await Promise.race([
    watched
      .waitForAsyncInvocation(urn("sleep"), running, { signal: controller.signal, intervalMs: 60_000 })
      .catch((x) => x),
    new Promise((r) => (bound = setTimeout(r, 10_000, "still waiting 10 s later"))),
  ]);
  clearTimeout(bound);
  assert.equal(reason, "enough");
  assert.deepEqual(polls, [200], "one poll, then the abort ended the wait");
  await assert.rejects(client.waitForAsyncInvocation(urn("sleep"), ""), (x) => x.name === "ValidationError" && x.field === "requestId");
  await assert.rejects(
    client.waitForAsyncInvocation(urn("sleep"), requestId, { intervalMs: 0 }),
    (x) => x.name === "ValidationError" && x.field === "options.intervalMs",
  );
});

test("maxIntervalMs caps the growing poll interval", async (t) => {
  // A listing that answers WAIT forever. intervalMs 50 growing ×1.5 and capped at 100 ms:
  // gaps 50, 75, then 100 each, so the 12th poll comes ~1.1 s after the first; uncapped
  // (…, 168, 253, 380, …) it would come ~8.5 s after.
  const s = await scripted((req, res) =>
    json(res, 200, {
      invocations: [{ request_id: "r-wait", status: "WAIT", error_message: "", error_code: 0, start_time: "2026-01-01T00:00:00", end_time: "" }],
      count: 1,
    }));
  t.after(() => s.close());
  const c = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: s.url, credentials: { token: TOKEN } });
  const controller = new AbortController();
  const waiting = c
    .waitForAsyncInvocation(urn("echo"), "r-wait", { intervalMs: 50, maxIntervalMs: 100, signal: controller.signal })
    .catch((x) => x);
  const deadline = Date.now() + 20_000;
  while (s.requests.length < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  controller.abort("enough");
  assert.equal(await waiting, "enough");
  assert.ok(s.requests.length >= 12, `${s.requests.length} polls in 20 s`);
  const at = s.requests.map((r) => r.at);
  assert.ok(at[11] - at[0] < 5000, `the 12th poll came ${at[11] - at[0]} ms after the first`);
  // And the interval is still honoured: 9 capped gaps from the 3rd poll to the 12th.
  assert.ok(at[11] - at[2] >= 9 * 100 - 20, `${at[11] - at[2]} ms from the 3rd poll to the 12th`);
  for (const r of s.requests) assert.equal(new URL(r.url, s.url).searchParams.get("request_id"), "r-wait");
});

test("asyncInvocations iterates the real listing", async () => {
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push((await client.invokeAsync(urn("hello"), { i })).requestId);
  const seen = [];
  for await (const inv of client.asyncInvocations(urn("hello"), { limit: 2 })) seen.push(inv.requestId);
  assert.deepEqual(seen, ids.reverse());
});

// The npm README's cancel-all loop, run as written, with more active invocations than a
// page (100): a cancelled record leaves the listing and moves the later ones to earlier
// offsets, so a loop that paged on while cancelling left some running.
test("the npm README's cancel-all loop stops every active invocation, past one page", async () => {
  const readme = readFileSync(join(root, "pkg-template/README.md"), "utf8");
  const code = /```js\n\/\/ Stop every queued or running invocation of the function\.\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(code, "the README's cancel-all block");
  for (let i = 0; i < 103; i++) await client.invokeAsync(urn("sleep"), { ms: 2900 });
  assert.ok((await client.listActiveAsyncInvocations(urn("sleep"))).count >= 103);
  const AsyncFunction = (async () => {}).constructor;
  await new AsyncFunction("client", "urn", "ServiceError", code)(client, urn("sleep"), pkg.ServiceError);
  assert.equal((await client.listActiveAsyncInvocations(urn("sleep"))).count, 0);
});

test("cancelAsyncInvocation stops a running invocation, which ends as DISCARD", async () => {
  const a = await client.invokeAsync(urn("sleep"), { ms: 2500 });
  const b = await client.invokeAsync(urn("sleep"), { ms: 2500 });
  const c = await client.invokeAsync(urn("sleep"), { ms: 2500 });
  // Wait until the listing shows them active.
  for (let i = 0; i < 100; i++) {
    const page = await client.listActiveAsyncInvocations(urn("sleep"));
    if (page.invocations.some((x) => x.status === "RUNNING")) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const active = await client.listActiveAsyncInvocations(urn("sleep"), { requestIds: [a.requestId, c.requestId] });
  assert.deepEqual(active.invocations.map((x) => x.requestId).sort(), [a.requestId, c.requestId].sort());
  for (const x of active.invocations) assert.ok(["WAIT", "RUNNING"].includes(x.status));
  const all = [];
  for await (const x of client.activeAsyncInvocations(urn("sleep"), { limit: 1 })) all.push(x.requestId);
  assert.ok([a, b, c].every((r) => all.includes(r.requestId)), "the iterator pages through every active one");

  assert.equal(await client.cancelAsyncInvocation(urn("sleep"), a.requestId, { type: "force" }), undefined);
  await client.cancelAsyncInvocation(urn("sleep"), b.requestId);
  await client.cancelAsyncInvocation(urn("sleep"), c.requestId);
  const rec = await client.waitForAsyncInvocation(urn("sleep"), a.requestId, { intervalMs: 50 });
  assert.equal(rec.status, "DISCARD");
  assert.equal(rec.errorCode, 4208);
  assert.equal(rec.errorMessage, "function invocation canceled");
  // (Other tests' invocations may still be running on this emulator: look at ours.)
  const still = await client.listActiveAsyncInvocations(urn("sleep"), { requestIds: [a.requestId, b.requestId, c.requestId] });
  assert.equal(still.count, 0);
});

test('cancel type "recursive": the body on the wire, and the emulator accepts it', async (t) => {
  const s = await scripted((req, res) => {
    res.writeHead(200);
    res.end();
  });
  t.after(() => s.close());
  const wire = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: s.url, credentials: { token: TOKEN } });
  assert.equal(await wire.cancelAsyncInvocation(urn("sleep"), "r-9", { type: "recursive" }), undefined);
  await wire.cancelAsyncInvocation(urn("sleep"), "r-9", { type: "force" });
  await wire.cancelAsyncInvocation(urn("sleep"), "r-9");
  const fn = encodeURIComponent(urn("sleep"));
  for (const r of s.requests) {
    assert.equal(r.method, "POST");
    assert.equal(r.url, `/v2/${PROJECT}/fgs/functions/${fn}/cancel`);
    assert.equal(r.headers["content-type"], "application/json");
  }
  assert.deepEqual(s.requests.map((r) => JSON.parse(r.body)), [
    { request_id: "r-9", type: "recursive" },
    { request_id: "r-9", type: "force" },
    { request_id: "r-9" },
  ]);

  const { requestId } = await client.invokeAsync(urn("sleep"), { ms: 2500 });
  await client.cancelAsyncInvocation(urn("sleep"), requestId, { type: "recursive" });
  const rec = await client.waitForAsyncInvocation(urn("sleep"), requestId, { intervalMs: 50 });
  assert.equal(rec.status, "DISCARD");
  assert.equal(rec.errorCode, 4208);
  assert.equal(rec.errorMessage, "function invocation canceled");
});

test("cancelling a finished or unknown invocation gives the service's answer", async () => {
  const done = await client.invokeAsyncAndWait(urn("echo"), {}, { intervalMs: 50 });
  const e = await client.cancelAsyncInvocation(urn("echo"), done.requestId).catch((x) => x);
  assert.equal(e.name, "ServiceError");
  assert.equal(e.status, 400);
  assert.equal(e.errorCode, "FSS.0400");
  assert.match(e.errorMsg, /already finished \(SUCCESS\)/);
  // "Stopping an Asynchronous Invocation Request": 400 FSS.0400 "Invalid RequestId" (it was 404).
  const missing = await client.cancelAsyncInvocation(urn("echo"), "no-such-request").catch((x) => x);
  assert.equal(missing.name, "ServiceError");
  assert.deepEqual([missing.status, missing.errorCode, missing.errorMsg], [400, "FSS.0400", "Invalid RequestId"]);
});

test("cancel and active-listing arguments are validated before any request", async () => {
  const cases = [
    [() => client.cancelAsyncInvocation(urn("echo"), ""), "requestId"],
    [() => client.cancelAsyncInvocation(urn("echo"), "a,b"), "requestId"],
    [() => client.cancelAsyncInvocation(urn("echo"), "r", { type: "gentle" }), "options.type"],
    [() => client.listActiveAsyncInvocations(urn("echo"), { requestIds: "r1" }), "query.requestIds"],
    [() => client.listActiveAsyncInvocations(urn("echo"), { requestIds: Array.from({ length: 11 }, (_, i) => `r${i}`) }), "query.requestIds"],
    [() => client.listActiveAsyncInvocations(urn("echo"), { status: "SUCCESS" }), "query.status"],
    [() => client.listActiveAsyncInvocations(urn("echo"), { requestId: "r1" }), "query.requestId"],
  ];
  for (const [call, field] of cases) {
    await assert.rejects(call(), (e) => e.name === "ValidationError" && e.field === field, field);
  }
});

test("a wait looks the record up from a day and an hour back, or from since", async (t) => {
  // The service lists the last hour unless given query_begin_time, even by request id: a wait
  // for an invocation accepted more than an hour ago must send a begin time that covers it.
  const s = await scripted((req, res) =>
    json(res, 200, {
      invocations: [{ request_id: "r-old", status: "SUCCESS", error_message: "", error_code: 0, start_time: "2026-01-01T00:00:00", end_time: "2026-01-01T00:00:01" }],
      count: 1,
    }));
  t.after(() => s.close());
  const c = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: s.url, credentials: { token: TOKEN } });
  const before = Date.now();
  assert.equal((await c.waitForAsyncInvocation(urn("echo"), "r-old")).status, "SUCCESS");
  const begin = (r) => Date.parse(`${new URL(r.url, s.url).searchParams.get("query_begin_time")}Z`);
  const sent = begin(s.requests[0]);
  const dayAndHour = 25 * 3600 * 1000;
  assert.ok(sent <= before - dayAndHour + 1000 && sent >= before - dayAndHour - 2000, `${new Date(sent).toISOString()}`);
  await c.waitForAsyncInvocation(urn("echo"), "r-old", { since: "2026-01-01T00:00:00" });
  assert.equal(begin(s.requests[1]), Date.parse("2026-01-01T00:00:00Z"));
  await assert.rejects(c.waitForAsyncInvocation(urn("echo"), "r-old", { since: "last week" }), { name: "ValidationError", field: "options.since" });
  // invokeAsyncAndWait starts from just before it was accepted.
  const both = await scripted((req, res) =>
    req.method === "POST"
      ? json(res, 202, { request_id: "r-old" })
      : json(res, 200, { invocations: [{ request_id: "r-old", status: "SUCCESS" }], count: 1 }));
  t.after(() => both.close());
  const d = new pkg.FunctionGraphClient({ projectId: PROJECT, endpoint: both.url, credentials: { token: TOKEN } });
  const started = Date.now();
  await d.invokeAsyncAndWait(urn("echo"), {});
  const from = begin(both.requests[1]);
  assert.ok(from <= started - 299_000 && from >= started - 302_000, `${new Date(from).toISOString()}`);
});
