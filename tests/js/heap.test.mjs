// The wasm's memory under a long, mixed run: successes, aborts, timeouts, throwing
// credential providers, throwing hooks and unreadable options. Anything that leaked per
// call (a future never dropped, a listener never removed, a JS exception unwinding through
// Rust frames and skipping their frees) would show as memory that keeps growing, or as a
// trap. The glue is loaded from pkg/ directly, for its `memory`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PROJECT, TOKEN, root, urn } from "./harness.mjs";

const glue = await import(join(root, "pkg/functiongraph_client.js"));
const wasm = glue.initSync({ module: readFileSync(join(root, "pkg/functiongraph_client_bg.wasm")) });

let server, url;
before(async () => {
  // Answers an invoke at once, or after `?slow` 200 ms (for timeouts and aborts).
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"request_id":"r","result":"{\\"ok\\":true}","log":"","status":200}');
      };
      if (req.headers["x-slow"]) setTimeout(answer, 200);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((r) => server.close(r)));

const boom = new Error("boom");
const make = (extra = {}) => new glue.FunctionGraphClient({ projectId: PROJECT, endpoint: url, credentials: { token: TOKEN }, ...extra });

async function round(i, clients) {
  const { plain, slow, throwingProvider, throwingHooks } = clients;
  switch (i % 8) {
    case 0:
      return assert.equal((await plain.invoke(urn("echo"), { i })).status, 200);
    case 1: {
      const controller = new AbortController();
      const call = slow.invoke(urn("echo"), {}, { signal: controller.signal });
      setTimeout(() => controller.abort(i % 2 ? "stop" : new Error("stop")), 5);
      return assert.rejects(call, (r) => r === "stop" || r.message === "stop");
    }
    case 2:
      return assert.rejects(slow.invoke(urn("echo"), {}, { timeoutMs: 5 }), { name: "TimeoutError" });
    case 3:
      return assert.rejects(throwingProvider.invoke(urn("echo"), {}), { name: "ValidationError", field: "options.credentials" });
    case 4:
      return assert.equal((await throwingHooks.invoke(urn("echo"), {})).status, 200);
    case 5: {
      // A throwing getter, and values that are Proxies whose every trap throws.
      const trap = new Proxy({}, { get() { throw boom; }, getPrototypeOf() { throw boom; }, ownKeys() { throw boom; } });
      assert.throws(() => make({ headers: { "x-a": trap } }), { name: "ValidationError", field: "options.headers" });
      await assert.rejects(plain.invoke(urn("echo"), {}, { timeoutMs: trap }), { name: "ValidationError", field: "options.timeoutMs" });
      await assert.rejects(plain.listActiveAsyncInvocations(urn("echo"), { requestIds: [trap] }), { name: "ValidationError", field: "query.requestIds" });
      return assert.rejects(plain.invoke(urn("echo"), {}, { get timeoutMs() { throw boom; } }), { name: "ValidationError" });
    }
    case 6: {
      // A Proxy whose traps throw, and a revoked one (even Array.isArray throws on it).
      const { proxy: revoked, revoke } = Proxy.revocable({}, {});
      revoke();
      const query = i % 2 ? new Proxy({}, { ownKeys() { throw boom; } }) : revoked;
      await assert.rejects(plain.listAsyncInvocations(urn("echo"), query), { name: "ValidationError" });
      const hook = new Proxy(() => {}, { getPrototypeOf() { throw boom; } });
      return assert.equal((await make({ onRequest: hook }).invoke(urn("echo"), {})).status, 200);
    }
    default:
      return assert.rejects(plain.invoke(urn("echo"), { n: 1n }), { name: "ValidationError", field: "event" });
  }
}

// A JS exception unwinding through the wasm can leave a call's promise for ever pending:
// the timeout makes that a failure, not a hang.
test("20,000 mixed calls leave the wasm memory bounded and the instance usable", { timeout: 180_000 }, async () => {
  const clients = {
    plain: make(),
    slow: make({ headers: { "x-slow": "1" } }),
    throwingProvider: make({ credentials: () => { throw boom; } }),
    throwingHooks: make({ onRequest() { throw boom; }, onResponse() { throw boom; } }),
  };
  // Eight calls at a time, as a busy page would make them.
  const run = async (from, n) => {
    for (let i = from; i < from + n; i += 8) await Promise.all(Array.from({ length: 8 }, (_, k) => round(i + k, clients)));
  };
  await run(0, 2_000);
  const settled = wasm.memory.buffer.byteLength;
  await run(2_000, 18_000);
  const grown = wasm.memory.buffer.byteLength - settled;
  // The figure: the memory after 2,000 calls, and what 18,000 more added (0 when nothing leaks).
  console.log(`wasm memory: ${settled} bytes after 2,000 calls, +${grown} after 18,000 more`);
  assert.ok(grown <= 1024 * 1024, `the wasm memory grew by ${grown} bytes`);
  assert.equal((await clients.plain.invoke(urn("echo"), { after: true })).status, 200);
});

test("clients that are never freed are collected (weak refs)", async () => {
  const { setFlagsFromString } = await import("node:v8");
  const { runInNewContext } = await import("node:vm");
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  // Batches of 1,000 with a collection between: the memory holds one batch at a time
  // when the finalizers free what the collector found (they run on a later turn).
  const churn = async (batches) => {
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < 1_000; i++) make({ headers: { "x-pad": "p".repeat(2048) } });
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await churn(2);
  const settled = wasm.memory.buffer.byteLength;
  await churn(20);
  const grown = wasm.memory.buffer.byteLength - settled;
  // 20,000 clients of > 2 KB each would take > 40 MB if none were collected.
  assert.ok(grown < 8 * 1024 * 1024, `the wasm memory grew by ${grown} bytes`);
});
