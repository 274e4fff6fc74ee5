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
