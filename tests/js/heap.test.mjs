// The wasm's bump allocator (src/heap.rs) starts over whenever nothing is allocated, which
// relies on every export freeing all it allocates. If one did not, memory would grow with
// every call: run each export many times, with good and bad input and large bodies, and
// check that the wasm's memory stops growing after the first round.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT, root, urn } from "./harness.mjs";

// The glue as a module of its own (the package bundles it into its entries).
const glue = await import(join(root, "target/pkg-modules/functiongraph_client.js"));
const exports = glue.initSync({ module: readFileSync(join(root, "target/pkg-modules/functiongraph_client_bg.wasm")) });

function round(i) {
  const big = "é".repeat(300_000 + (i % 7) * 1000); // non-ASCII: the glue re-allocates the string
  glue.requestPath(PROJECT, urn(`fn${i % 13}`), i % 5, undefined);
  glue.requestPath(PROJECT, urn("echo"), 2, { limit: 1 + (i % 500), status: "FAIL", begin: new Date(0), marker: String(i) });
  glue.requestPath(PROJECT, urn("echo"), 3, { requestIds: ["a", "b", `c${i}`] });
  assert.throws(() => glue.requestPath(PROJECT, "urn:nope", 0, undefined), { name: "ValidationError" });
  assert.throws(() => glue.requestPath(PROJECT, urn("echo"), 2, { limit: 0 }), { name: "ValidationError" });
  glue.cancelBody(`id-${i}`, i % 2 ? "force" : undefined);
  assert.throws(() => glue.cancelBody("", undefined), { name: "ValidationError" });
  glue.parseTime("2026-01-02T03:04:05");
  glue.signPacked(`POST\nhttps://h.example/p?a=${i}\nAK\nSK\n0\n1\ncontent-type\napplication/json\n`, i % 10 ? "{}" : big);
  assert.throws(() => glue.signPacked("GET\nftp://x/\nAK\nSK\n0\n0\n", big), { name: "ValidationError" });
}

test("the wasm's memory stops growing: every export frees what it allocates", () => {
  for (let i = 0; i < 200; i++) round(i);
  const settled = exports.memory.buffer.byteLength;
  for (let i = 200; i < 3000; i++) round(i);
  assert.equal(exports.memory.buffer.byteLength, settled, `grew from ${settled} bytes`);
  assert.ok(settled < 16 * 1024 * 1024, `${settled} bytes after the first round`);
});
