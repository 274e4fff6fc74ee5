// What an answer may cost the caller: the cap (maxResponseBytes) counts the DEcompressed
// bytes, so a small compressed body that inflates without end (a gzip or brotli bomb) is a
// ResponseError, not gigabytes of memory; a never-ending answer costs a bounded amount of
// the process's memory; and answers are held as JavaScript values, so the wasm memory does
// not grow with what a server sends. Every server here is node:http on 127.0.0.1 and stops
// sending by itself. The glue is loaded from pkg/ directly (as heap.test.mjs does) for its
// `memory`.
//
// The RSS figures are printed (console.log) because they are noisy. A collection is forced
// before each reading when one can be had (global.gc under --expose-gc, else the V8 flag
// set at run time, as heap.test.mjs does); without one the figures are only measured.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import zlib from "node:zlib";
import { PROJECT, TOKEN, root, scripted, urn } from "./harness.mjs";

const glue = await import(join(root, "pkg/functiongraph_client.js"));
const wasm = glue.initSync({ module: readFileSync(join(root, "pkg/functiongraph_client_bg.wasm")) });

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const DEFAULT_CAP = 16 * MiB; // the documented default of maxResponseBytes
const RSS_BUDGET = 24 * 1000 * 1000; // "≤ 24 MB" for one bad answer
const PEAK_LIMIT = 256 * 1000 * 1000; // while one is read: far under the GiB a bomb inflates to
const CALL_TIMEOUT_MS = 30_000;

let gc = globalThis.gc;
if (typeof gc !== "function") {
  try {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc");
  } catch {
    gc = undefined;
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Lets closed sockets and dropped streams go, and collects when it can. */
async function settle() {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(30);
  }
}
const mb = (bytes) => (bytes / 1e6).toFixed(1);
const wasmBytes = () => wasm.memory.buffer.byteLength;

const make = (endpoint, extra = {}) =>
  new glue.FunctionGraphClient({ projectId: PROJECT, endpoint, credentials: { token: TOKEN }, retry: false, ...extra });

async function rejection(promise) {
  return promise.then(
    (v) => assert.fail(`resolved with a result of ${typeof v?.result === "string" ? v.result.length : "?"} characters`),
    (e) => e,
  );
}

/**
 * Runs `fn` (one call) and returns the RSS growth across it (after - before, each reading
 * after settle()), the peak seen while it ran (sampled, printed only), and the wasm memory
 * before and after.
 */
async function measured(label, fn) {
  await settle();
  const wasmBefore = wasmBytes();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  let outcome;
  try {
    outcome = await fn();
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  await settle();
  const after = process.memoryUsage.rss();
  const m = { grown: after - before, peak: peak - before, wasmBefore, wasmAfter: wasmBytes(), outcome };
  console.log(
    `${label}: rss ${mb(before)} → ${mb(after)} MB (grew ${mb(m.grown)} MB, peak +${mb(m.peak)} MB while reading); ` +
      `wasm memory ${m.wasmBefore} → ${m.wasmAfter} bytes${gc ? "" : " (no gc available: figures without a collection)"}`,
  );
  return m;
}

// ---------------------------------------------------------------- compressed bodies

const V1_TAIL = '{"request_id":"bomb","result":"{}","log":"","status":200}';

/** Compresses `inflated` bytes of spaces followed by a valid v1 answer, fed 1 MiB at a time. */
async function compressSpaces(stream, inflated) {
  const parts = [];
  stream.on("data", (c) => parts.push(c));
  const ended = new Promise((resolve, reject) => {
    stream.once("end", resolve);
    stream.once("error", reject);
  });
  const chunk = Buffer.alloc(MiB, " ");
  for (let left = inflated; left > 0; left -= chunk.length) {
    if (!stream.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) {
      await new Promise((r) => stream.once("drain", r));
    }
  }
  stream.end(V1_TAIL);
  await ended;
  return Buffer.concat(parts);
}

// The bombs: 1 GiB of JSON whitespace and then a valid v1 answer, so only the cap can
// refuse them (a client that read everything would get valid JSON, if it had the memory).
// Built once per run: gzip -9 takes ~3 s and gives ~1.04 MB (under 1 MiB, so a
// Content-Length check alone lets it through even with maxResponseBytes: 1 MiB). Brotli
// at quality 5 compresses the same 1 GiB in ~1 s to ~1.6 KB (quality 11 takes ~20 s, and
// 1 GiB is kept rather than a smaller inflated size).
let gzipBomb, brBomb;
const bombs = {
  gzip: () => (gzipBomb ??= compressSpaces(zlib.createGzip({ level: 9 }), GiB)),
  br: () =>
    (brBomb ??= compressSpaces(
      zlib.createBrotliCompress({
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: GiB },
      }),
      GiB,
    )),
};
const compress = {
  gzip: (buf) => zlib.gzipSync(buf, { level: 9 }),
  br: (buf) => zlib.brotliCompressSync(buf),
};

/**
 * A loopback server answering 200 with the compressed `bomb` and a correct Content-Length
 * for function "bomb", and with `small` (compressed too, inflating to 64 KiB) for "small".
 */
async function bombServer(encoding, bomb) {
  const small = compress[encoding](
    Buffer.from(JSON.stringify({ request_id: "small", result: "s".repeat(64 * KiB), log: "", status: 200 })),
  );
  return scripted((req, res) => {
    const body = req.url.includes("small") ? small : bomb;
    res.on("error", () => {});
    res.writeHead(200, { "content-type": "application/json", "content-encoding": encoding, "content-length": body.length });
    res.end(body);
  });
}

/**
 * The same code path at a small scale first (a compressed answer inflating to 64 KiB, over
 * a 16 KiB cap), so that what the first error allocates once is not counted against the
 * bomb. Its outcome is not asserted here (the exact-cap test does that): a client that got
 * it wrong must still meet the bomb.
 */
async function warmUp(endpoint) {
  const c = make(endpoint, { maxResponseBytes: 16 * KiB });
  try {
    await c.invoke(urn("small"), {}, { timeoutMs: CALL_TIMEOUT_MS });
    console.log("warm-up: an answer inflating to 64 KiB was read whole with maxResponseBytes: 16 KiB");
  } catch {
    // the expected ResponseError
  } finally {
    c.free();
  }
}

for (const encoding of ["gzip", "br"]) {
  test(`a ${encoding} bomb (inflating to 1 GiB) with the default cap: a ResponseError, RSS ≤ 24 MB, the wasm memory unchanged`, { timeout: 60_000 }, async (t) => {
    const bomb = await bombs[encoding]();
    const s = await bombServer(encoding, bomb);
    t.after(() => s.close());
    await warmUp(s.url);
    const c = make(s.url); // no maxResponseBytes: the default, 16 MiB
    t.after(() => c.free());
    const check = (e) => {
      assert.equal(e.name, "ResponseError", `${e}`);
      assert.match(e.message, /larger than maxResponseBytes/);
      assert.match(e.message, new RegExp(`\\(${DEFAULT_CAP} bytes\\)`));
      assert.equal(e.status, 200);
    };
    const call = () => rejection(c.invoke(urn("bomb"), {}, { timeoutMs: CALL_TIMEOUT_MS }));
    // The first reads of 16 MiB in a process leave more behind for good (V8 keeps the heap
    // it grew to; the allocator keeps zlib's freed buffers): +20-35 MB for each of the first
    // two, then a plateau. Raw fetch reading 16 MiB of the same bomb and cancelling keeps
    // +36 MB after its first read too. So, as for the never-ending answer, the budget is
    // judged on one call after the plateau: two warm-up bombs (printed, not asserted), then
    // the one measured. Every one must be a ResponseError, none may grow the wasm memory,
    // and none may peak anywhere near the inflated GiB: a client that inflated it all
    // before counting would peak over 1 GB, and this one must stay under 256 MB.
    const calls = [];
    for (const which of ["first, not asserted", "second, not asserted", "third"]) {
      const m = await measured(`${encoding} bomb (${bomb.length} bytes → 1 GiB), default cap, ${which}`, call);
      check(m.outcome);
      calls.push(m);
    }
    const m = calls.at(-1);
    assert.ok(m.grown <= RSS_BUDGET, `rss grew by ${mb(m.grown)} MB`);
    for (const [i, x] of calls.entries()) {
      assert.equal(x.wasmAfter, x.wasmBefore, `the wasm memory grew on bomb ${i + 1}`);
      assert.ok(x.peak <= PEAK_LIMIT, `rss peaked at +${mb(x.peak)} MB on bomb ${i + 1}`);
    }
    assert.equal(s.requests.length, 4, "one request for the small warm-up, one per bomb (no retry)");
  });

  test(`a ${encoding} bomb with maxResponseBytes: 1 MiB: a ResponseError naming 1048576 bytes, the wasm memory unchanged`, { timeout: 60_000 }, async (t) => {
    const bomb = await bombs[encoding]();
    // Under the cap as sent: only the inflated bytes are over it.
    assert.ok(bomb.length < MiB, `the ${encoding} bomb is ${bomb.length} bytes compressed`);
    const s = await bombServer(encoding, bomb);
    t.after(() => s.close());
    await warmUp(s.url);
    const c = make(s.url, { maxResponseBytes: MiB });
    t.after(() => c.free());
    const m = await measured(`${encoding} bomb, maxResponseBytes 1 MiB`, () =>
      rejection(c.invoke(urn("bomb"), {}, { timeoutMs: CALL_TIMEOUT_MS })),
    );
    const e = m.outcome;
    assert.equal(e.name, "ResponseError", `${e}`);
    assert.match(e.message, /larger than maxResponseBytes \(1048576 bytes\)/);
    assert.equal(e.status, 200);
    assert.equal(m.wasmAfter, m.wasmBefore, "the wasm memory grew");
    assert.ok(m.peak <= PEAK_LIMIT, `rss peaked at +${mb(m.peak)} MB`);
  });
}

// ---------------------------------------------------------------- compressed answers that fit

/** Deterministic text of about `bytes` UTF-8 bytes, with 2-, 3- and 4-byte characters. */
function text(bytes, seed = 1) {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \"\\/{}[]:,éß中文€😀🚀\n\t";
  const chars = Array.from(alphabet);
  let state = seed >>> 0;
  let out = "";
  let n = 0;
  while (n < bytes) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const ch = chars[state % chars.length];
    out += ch;
    n += Buffer.byteLength(ch);
  }
  return out;
}

for (const encoding of ["gzip", "br"]) {
  test(`a ${encoding} answer inflating to just under the cap (900 KB of 1 MiB) is read whole and exactly`, { timeout: 60_000 }, async (t) => {
    const result = JSON.stringify({ data: text(780 * 1000), n: 42 });
    const log = text(20 * 1000, 7);
    const answer = Buffer.from(JSON.stringify({ request_id: "req-under-cap", result, log, status: 200 }));
    // The JSON escapes add to the text: the whole answer is between 800 KB and the cap.
    assert.ok(answer.length > 850 * 1000 && answer.length < MiB, `the answer is ${answer.length} bytes`);
    const body = compress[encoding](answer);
    const s = await scripted((req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": encoding, "content-length": body.length });
      res.end(body);
    });
    t.after(() => s.close());
    const c = make(s.url, { maxResponseBytes: MiB });
    t.after(() => c.free());
    const r = await c.invoke(urn("under"), {}, { timeoutMs: CALL_TIMEOUT_MS });
    console.log(`${encoding} answer of ${answer.length} bytes (${body.length} compressed), cap ${MiB}: result of ${r.result.length} characters`);
    assert.equal(r.status, 200);
    assert.equal(r.requestId, "req-under-cap");
    assert.equal(r.result.length, result.length);
    assert.ok(r.result === result, "the result is not the text that was sent");
    assert.ok(r.log === log, "the log is not the text that was sent");
    assert.deepEqual(r.json(), JSON.parse(result));
  });
}

test("the cap is on the inflated bytes, exactly: cap bytes are read, cap + 1 are refused (gzip, and chunked identity)", { timeout: 60_000 }, async (t) => {
  const cap = MiB;
  const prefix = '{"request_id":"edge","result":"';
  const suffix = '","log":"","status":200}';
  const answerOf = (bytes) => Buffer.from(prefix + "a".repeat(bytes - prefix.length - suffix.length) + suffix);
  const bodies = {
    gzipExact: zlib.gzipSync(answerOf(cap)),
    gzipOver: zlib.gzipSync(answerOf(cap + 1)),
    plainExact: answerOf(cap),
    plainOver: answerOf(cap + 1),
  };
  const s = await scripted((req, res) => {
    const name = Object.keys(bodies).find((k) => req.url.includes(k));
    const body = bodies[name];
    res.on("error", () => {});
    if (name.startsWith("gzip")) {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": body.length });
      res.end(body);
    } else {
      // No Content-Length: chunked, in 64 KiB pieces.
      res.writeHead(200, { "content-type": "application/json" });
      for (let i = 0; i < body.length; i += 64 * KiB) res.write(body.subarray(i, i + 64 * KiB));
      res.end();
    }
  });
  t.after(() => s.close());
  const c = make(s.url, { maxResponseBytes: cap });
  t.after(() => c.free());
  for (const kind of ["gzip", "plain"]) {
    const r = await c.invoke(urn(`${kind}Exact`), {}, { timeoutMs: CALL_TIMEOUT_MS });
    assert.equal(r.requestId, "edge");
    assert.equal(r.result.length, cap - prefix.length - suffix.length, kind);
    const e = await rejection(c.invoke(urn(`${kind}Over`), {}, { timeoutMs: CALL_TIMEOUT_MS }));
    assert.equal(e.name, "ResponseError", `${kind}: ${e}`);
    assert.match(e.message, /larger than maxResponseBytes \(1048576 bytes\)/);
  }
});

// ---------------------------------------------------------------- never-ending answers

test("a never-ending answer with the default cap: a ResponseError; one costs ≤ 24 MB of RSS; the wasm memory unchanged", { timeout: 60_000 }, async (t) => {
  // 1 MiB chunks for as long as the client reads (bounded: 2,000 chunks at most).
  const chunk = Buffer.alloc(MiB, "x");
  const sent = [];
  const s = await scripted((req, res) => {
    res.on("error", () => {});
    res.writeHead(200, { "content-type": "application/json" });
    let n = 0;
    sent.push(0);
    const slot = sent.length - 1;
    const more = () => {
      while (n < 2000 && !res.destroyed) {
        n++;
        sent[slot] = n;
        if (!res.write(chunk)) return res.once("drain", more);
      }
      res.end();
    };
    more();
  });
  t.after(() => s.close());
  // The error path at a small scale, then the baseline of the wasm memory.
  const small = make(s.url, { maxResponseBytes: 64 * KiB });
  const e0 = await rejection(small.invoke(urn("endless"), {}, { timeoutMs: CALL_TIMEOUT_MS }));
  small.free();
  assert.equal(e0.name, "ResponseError", `${e0}`);
  await settle();
  const wasmBaseline = wasmBytes();
  const c = make(s.url); // the default cap
  t.after(() => c.free());
  const check = (e) => {
    assert.equal(e.name, "ResponseError", `${e}`);
    assert.match(e.message, /larger than maxResponseBytes \(16777216 bytes\)/);
    assert.equal(e.status, 200);
  };
  // Two warm-up calls with the default cap, then the one that is measured. In a fresh
  // process the first two reads of 16 MiB keep ~40 and ~20-37 MB for good (V8's heap grows
  // to hold them and stays grown; raw fetch reading into strings with a TextDecoder keeps
  // ~70 and ~12-22 MB), then a call costs ~0: with one warm-up, this test run alone
  // failed 3 times in 4 on a correct client.
  const call = () => rejection(c.invoke(urn("endless"), {}, { timeoutMs: CALL_TIMEOUT_MS }));
  for (const which of ["first", "second"]) check((await measured(`never-ending answer, default cap, ${which} (not asserted)`, call)).outcome);
  const m = await measured("one never-ending answer, default cap (after two warm-ups)", call);
  check(m.outcome);
  console.log(`never-ending answers: the server wrote ${sent.join(", ")} MiB of each before it was dropped`);
  assert.ok(m.grown <= RSS_BUDGET, `rss grew by ${mb(m.grown)} MB`);
  assert.ok(m.peak <= PEAK_LIMIT, `rss peaked at +${mb(m.peak)} MB`);
  assert.equal(m.wasmAfter, wasmBaseline, "the wasm memory grew over the two never-ending answers");
  // The reading stopped near the cap: of the 2,000 MiB on offer, the server got to write
  // the 16 MiB read and what the sockets buffer (~20 MiB here), not more than 100.
  for (const n of sent.slice(1)) assert.ok(n <= 100, `the server wrote ${n} MiB of one answer`);
});

// ---------------------------------------------------------------- many large answers

test("1,000 answers with a 1 MB result (after 100 warm-up ones) leave the wasm memory exactly as it was", { timeout: 60_000 }, async (t) => {
  const RESULT = 1_000_000;
  const result = "r".repeat(RESULT - 1) + "!";
  const body = Buffer.from(JSON.stringify({ request_id: "big", result, log: "", status: 200 }));
  const s = await scripted((req, res, n) => {
    if (n % 2) {
      res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
      res.end(body);
    } else {
      // Every other answer without a Content-Length (chunked, 256 KiB pieces).
      res.writeHead(200, { "content-type": "application/json" });
      for (let i = 0; i < body.length; i += 256 * KiB) res.write(body.subarray(i, i + 256 * KiB));
      res.end();
    }
  });
  t.after(() => s.close());
  const c = make(s.url);
  t.after(() => c.free());
  let calls = 0;
  const one = async () => {
    const r = await c.invoke(urn("big"), {}, { timeoutMs: CALL_TIMEOUT_MS });
    calls++;
    assert.equal(r.status, 200);
    assert.equal(r.result.length, RESULT);
    assert.equal(r.result.at(-1), "!");
  };
  // Eight in flight at a time.
  const run = async (n) => {
    for (let i = 0; i < n; i += 8) await Promise.all(Array.from({ length: Math.min(8, n - i) }, one));
  };
  await run(100);
  const settled = wasmBytes();
  const rssSettled = process.memoryUsage.rss();
  await run(1000);
  const rss = process.memoryUsage.rss();
  console.log(
    `wasm memory: ${settled} bytes after 100 answers of 1 MB, ${wasmBytes()} after 1,000 more; ` +
      `rss ${mb(rssSettled)} → ${mb(rss)} MB (not asserted)`,
  );
  assert.equal(calls, 1100);
  assert.equal(wasmBytes(), settled, "the wasm memory grew");
});
