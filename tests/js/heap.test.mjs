// The wasm's bump allocator (src/heap.rs) starts over whenever nothing is allocated, which
// relies on every export freeing all it allocates. If one did not, memory would grow with
// every call: run each export many times, with good and bad input and large bodies, and
// check that the wasm's memory stops growing after the first round.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { PROJECT, root, urn } from "./harness.mjs";

// The glue as a module of its own (the package bundles it into its entries), and the
// wrappers the client calls it through (js/wire.js), on the same instance.
const glue = await import(join(root, "target/pkg-modules/functiongraph_client.js"));
const exports = glue.initSync({ module: readFileSync(join(root, "target/pkg-modules/functiongraph_client_bg.wasm")) });
const wire = await import(join(root, "target/pkg-modules/js/wire.js"));

function round(i) {
  const big = "é".repeat(300_000 + (i % 7) * 1000); // non-ASCII: the glue re-allocates the string
  wire.requestPath(PROJECT, urn(`fn${i % 13}`), i % 5);
  wire.listingQuery({ limit: 1 + (i % 500), status: "FAIL", begin: new Date(0), marker: String(i) }, false);
  wire.listingQuery({ requestIds: ["a", "b", `c${i}`] }, true);
  assert.throws(() => wire.requestPath(PROJECT, "urn:nope", 0), { name: "ValidationError" });
  assert.throws(() => wire.listingQuery({ limit: 0 }, false), { name: "ValidationError" });
  wire.cancelBody(`id-${i}`, i % 2 ? "force" : undefined);
  assert.throws(() => wire.cancelBody("", undefined), { name: "ValidationError" });
  wire.parseTime("2026-01-02T03:04:05");
  wire.signPacked(`POST\nhttps://h.example/p?a=${i}\nAK\nSK\n0\n1\ncontent-type\napplication/json\n`, i % 10 ? "{}" : big);
  assert.throws(() => wire.signPacked("GET\nftp://x/\nAK\nSK\n0\n0\n", big), { name: "ValidationError" });
}

test("the wasm's memory stops growing: every export frees what it allocates", () => {
  for (let i = 0; i < 200; i++) round(i);
  const settled = exports.memory.buffer.byteLength;
  for (let i = 200; i < 3000; i++) round(i);
  assert.equal(exports.memory.buffer.byteLength, settled, `grew from ${settled} bytes`);
  assert.ok(settled < 16 * 1024 * 1024, `${settled} bytes after the first round`);
});

// User code that throws (a getter, a Proxy trap) must never run while the wasm is on the
// stack: the exception would skip the wasm's frees and stack restores, so its heap could
// never start over and, after enough of them, the instance traps. The client reads a
// listing query in JS and passes the wasm strings and numbers; check that through it.
test("an unreadable listing query is a ValidationError and costs the wasm nothing", async () => {
  const { FunctionGraphClient } = await import(join(root, "target/pkg-modules/js/client.js"));
  // Never reached: every call here is refused before a request is sent.
  const client = new FunctionGraphClient({ endpoint: "http://127.0.0.1:9", projectId: PROJECT, credentials: { token: "t" } });
  const boom = new Error("boom");
  const throwingIds = ["a"];
  Object.defineProperty(throwingIds, 1, { get() { throw boom; }, enumerable: true });
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const dateTrap = new Proxy(new Date(0), { getPrototypeOf() { throw boom; } });
  // (requestIds are read for active listings only.)
  const calls = [
    ["listActiveAsyncInvocations", { requestIds: throwingIds }],
    ["listActiveAsyncInvocations", { requestIds: new Proxy([], { get() { throw boom; } }) }],
    ["listActiveAsyncInvocations", revoked],
    ["listAsyncInvocations", revoked],
    ["listAsyncInvocations", { begin: dateTrap }],
    ["listAsyncInvocations", { get limit() { throw boom; } }],
    ["listActiveAsyncInvocations", { get marker() { throw boom; } }],
  ];
  const big = "é".repeat(300_000);
  const settle = async (rounds) => {
    for (let i = 0; i < rounds; i++) {
      const [method, query] = calls[i % calls.length];
      await assert.rejects(client[method](urn("echo"), query), (e) => e.name === "ValidationError" && e.field.startsWith("query"));
      glue.signPacked(`POST\nhttps://h.example/p\nAK\nSK\n0\n0\n`, big);
    }
  };
  await settle(50);
  const settled = exports.memory.buffer.byteLength;
  await settle(2000);
  assert.equal(exports.memory.buffer.byteLength, settled, `grew from ${settled} bytes`);
  // The copy keeps what the wasm checks: a Date of another realm is a Date (refused here
  // only for its limit), a Proxy over one is not (Date methods refuse it too).
  const otherRealm = runInNewContext("new Date(0)");
  const page = client.listAsyncInvocations(urn("echo"), { begin: otherRealm, limit: 0 });
  await assert.rejects(page, (e) => e.name === "ValidationError" && e.field === "query.limit");
  const proxied = client.listAsyncInvocations(urn("echo"), { begin: new Proxy(new Date(0), {}) });
  await assert.rejects(proxied, (e) => e.name === "ValidationError" && e.field === "query.begin");
});
