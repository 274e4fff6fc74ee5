// Waiting for async invocations against the real emulator.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { PROJECT, TOKEN, installPackage, startEmulator, urn } from "./harness.mjs";

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
  const e = await client.waitForAsyncInvocation(urn("sleep"), requestId, { timeoutMs: 300, intervalMs: 50 }).catch((x) => x);
  assert.equal(e.name, "TimeoutError");
  assert.ok(e.elapsedMs >= 290 && e.elapsedMs < 2000);
  const controller = new AbortController();
  setTimeout(() => controller.abort("enough"), 150);
  const started = Date.now();
  const reason = await client
    .waitForAsyncInvocation(urn("sleep"), requestId, { signal: controller.signal, intervalMs: 1000 })
    .catch((x) => x);
  assert.equal(reason, "enough");
  assert.ok(Date.now() - started < 900, "did not wait for the next poll");
  await assert.rejects(client.waitForAsyncInvocation(urn("sleep"), ""), (x) => x.name === "ValidationError" && x.field === "requestId");
  await assert.rejects(
    client.waitForAsyncInvocation(urn("sleep"), requestId, { intervalMs: 0 }),
    (x) => x.name === "ValidationError" && x.field === "options.intervalMs",
  );
});

test("asyncInvocations iterates the real listing", async () => {
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push((await client.invokeAsync(urn("hello"), { i })).requestId);
  const seen = [];
  for await (const inv of client.asyncInvocations(urn("hello"), { limit: 2 })) seen.push(inv.requestId);
  assert.deepEqual(seen, ids.reverse());
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
  assert.equal(rec.errorMessage, "cancelled");
  // (Other tests' invocations may still be running on this emulator: look at ours.)
  const still = await client.listActiveAsyncInvocations(urn("sleep"), { requestIds: [a.requestId, b.requestId, c.requestId] });
  assert.equal(still.count, 0);
});

test("cancelling a finished or unknown invocation gives the service's answer", async () => {
  const done = await client.invokeAsyncAndWait(urn("echo"), {}, { intervalMs: 50 });
  const e = await client.cancelAsyncInvocation(urn("echo"), done.requestId).catch((x) => x);
  assert.equal(e.name, "ServiceError");
  assert.equal(e.status, 400);
  assert.equal(e.errorCode, "FSS.0400");
  assert.match(e.errorMsg, /already finished \(SUCCESS\)/);
  const missing = await client.cancelAsyncInvocation(urn("echo"), "no-such-request").catch((x) => x);
  assert.equal(missing.status, 404);
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
