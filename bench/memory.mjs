// 6. What answers cost the caller's memory, in process, with the default cap (16 MiB):
//   never-ending  a 200 answer without Content-Length sending 1 MiB chunks (at most 2,000)
//   gzip bomb     a 200 answer with Content-Encoding: gzip and a correct Content-Length of
//                 ~1 MB, inflating to 1 GiB of JSON whitespace and then a valid v1 answer
//   1 MB answers  v1 answers with a 1 MB `result`, 8 calls in flight
// For the first two: the RSS growth of one call (before / after, each read after a forced
// collection), after two warm-up calls of the same kind (the first reads of 16 MiB in a process
// leave V8's heap and the allocator bigger for good; those are in the details), and whether
// each bomb was a ResponseError "larger than maxResponseBytes". For the third: the wasm
// memory (the glue's `memory`) after the first 100 calls and after all of them.
// The answers come from this file forked as a server (--serve) in its own process, on
// 127.0.0.1, so its buffers are not in the figures. Run alone: node bench/memory.mjs
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import zlib from "node:zlib";
import { PROJECT, QUICK, TOKEN, emit, figure, log, packageProject, sleep, urn } from "./common.mjs";

const MiB = 1024 * 1024;
const REPEATS = QUICK ? 2 : 5;
const WARMUP_CALLS = 2;
const LARGE_FIRST = 100;
const LARGE_TOTAL = QUICK ? 2_000 : 20_000;
const IN_FLIGHT = 8;
const RESULT_CHARS = 1_000_000;
const CALL_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------- the server (--serve)

async function serve() {
  // 1 GiB of spaces, then a valid v1 answer, gzip -9 (~3 s, ~1.04 MB).
  const gz = zlib.createGzip({ level: 9 });
  const parts = [];
  gz.on("data", (c) => parts.push(c));
  const ended = new Promise((r) => gz.once("end", r));
  const spaces = Buffer.alloc(MiB, " ");
  for (let i = 0; i < 1024; i++) if (!gz.write(spaces)) await new Promise((r) => gz.once("drain", r));
  gz.end('{"request_id":"bomb","result":"{}","log":"","status":200}');
  await ended;
  const bomb = Buffer.concat(parts);
  const large = Buffer.from(JSON.stringify({ request_id: "large", result: "r".repeat(RESULT_CHARS - 1) + "!", log: "", status: 200 }));
  const chunk = Buffer.alloc(MiB, "x");
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.on("error", () => {});
      if (req.url.includes("bomb")) {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": bomb.length });
        res.end(bomb);
      } else if (req.url.includes("endless")) {
        res.writeHead(200, { "content-type": "application/json" });
        let n = 0;
        const more = () => {
          while (n < 2000 && !res.destroyed) {
            n++;
            if (!res.write(chunk)) return res.once("drain", more);
          }
          res.end();
        };
        more();
      } else {
        res.writeHead(200, { "content-type": "application/json", "content-length": large.length });
        res.end(large);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port, bombBytes: bomb.length }));
  process.on("disconnect", () => process.exit(0));
  process.on("SIGTERM", () => process.exit(0));
}

async function startServer() {
  const child = fork(fileURLToPath(import.meta.url), ["--serve"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start in 60 s")), 60_000);
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
    child.once("message", (m) => {
      clearTimeout(timer);
      resolve(m);
    });
  });
  return {
    url: `http://127.0.0.1:${ready.port}`,
    bombBytes: ready.bombBytes,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
    },
  };
}

// ---------------------------------------------------------------- the client side

function collector() {
  if (typeof globalThis.gc === "function") return globalThis.gc;
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc");
  } catch {
    return null;
  }
}

export async function run() {
  const gc = collector();
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc?.();
      await sleep(30);
    }
  };
  const project = packageProject();
  const server = await startServer();
  try {
    // The glue of the installed package, for its wasm `memory`.
    const dir = join(project.dir, "node_modules/functiongraph-client");
    const glue = await import(join(dir, "functiongraph_client.js"));
    const wasm = glue.initSync({ module: readFileSync(join(dir, "functiongraph_client_bg.wasm")) });
    const client = new glue.FunctionGraphClient({ projectId: PROJECT, endpoint: server.url, credentials: { token: TOKEN } });
    const MB = (b) => +(b / 1e6).toFixed(2);

    /** One call that should be refused: its RSS growth (MB), and whether it was the cap's ResponseError. */
    const refused = async (fn) => {
      await settle();
      const before = process.memoryUsage.rss();
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
      let error = null;
      try {
        await client.invoke(urn(fn), {}, { timeoutMs: CALL_TIMEOUT_MS });
      } catch (e) {
        error = e;
      } finally {
        clearInterval(sampler);
      }
      peak = Math.max(peak, process.memoryUsage.rss());
      await settle();
      const grown = process.memoryUsage.rss() - before;
      const capped = error?.name === "ResponseError" && /larger than maxResponseBytes/.test(error.message);
      if (!capped) log(`memory: ${fn} was not refused by the cap: ${error ? `${error.name}: ${error.message.slice(0, 200)}` : "it resolved"}`);
      return { grown: MB(grown), peak: MB(peak - before), capped };
    };

    const kinds = { endless: { warmups: [], runs: [] }, bomb: { warmups: [], runs: [] } };
    await client.invoke(urn("large"), {}); // one ordinary call first
    const wasmBefore = wasm.memory.buffer.byteLength;
    for (const fn of Object.keys(kinds)) {
      for (let i = 0; i < WARMUP_CALLS; i++) kinds[fn].warmups.push(await refused(fn));
      for (let r = 0; r < REPEATS; r++) kinds[fn].runs.push(await refused(fn));
      const k = kinds[fn];
      log(`memory: ${fn}: warm-up growth ${k.warmups.map((x) => x.grown).join(", ")} MB; ` +
        `measured growth ${k.runs.map((x) => x.grown).join(", ")} MB (peaks ${k.runs.map((x) => x.peak).join(", ")} MB)`);
    }
    const wasmAfterRefused = wasm.memory.buffer.byteLength;

    // 1 MB answers, IN_FLIGHT at a time.
    let wrong = 0;
    const one = async () => {
      const r = await client.invoke(urn("large"), {}, { timeoutMs: CALL_TIMEOUT_MS });
      if (r.result.length !== RESULT_CHARS || r.result.at(-1) !== "!") wrong++;
    };
    let done = 0;
    const calls = async (n) => {
      for (let i = 0; i < n; i += IN_FLIGHT) await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n - i) }, one));
      done += n;
    };
    await calls(LARGE_FIRST);
    await settle();
    const wasmFirst = wasm.memory.buffer.byteLength;
    const rssFirst = process.memoryUsage.rss();
    await calls(LARGE_TOTAL - LARGE_FIRST);
    await settle();
    const wasmAll = wasm.memory.buffer.byteLength;
    const rssAll = process.memoryUsage.rss();
    log(`memory: wasm ${wasmFirst} bytes after ${LARGE_FIRST} answers of 1 MB, ${wasmAll} after ${done}; ` +
      `rss ${MB(rssFirst)} → ${MB(rssAll)} MB; ${wrong} wrong results`);
    client.free();

    const section = "Memory (Node, default maxResponseBytes)";
    const cappedPercent = (k) => (100 * k.warmups.concat(k.runs).filter((x) => x.capped).length) / (WARMUP_CALLS + REPEATS);
    /** The four figures of one kind of hostile answer (`key` in `kinds`), labelled `what` (`one`: a single one). */
    const kindFigures = (key, what, { growth, first, one = what }) => [
      figure({
        id: `memory.${key}.rss_growth`, section, label: `${growth}: RSS growth (after 2 warm-up calls)`,
        unit: "MB", better: "lower", runs: kinds[key].runs.map((x) => x.grown),
        target: { op: "<=", value: 24, text: "≤ 24 MB" },
      }),
      figure({
        id: `memory.${key}.rss_growth_first`, section, label: first,
        unit: "MB", better: "lower", runs: [kinds[key].warmups[0].grown],
      }),
      figure({
        id: `memory.${key}.rss_peak`, section, label: `${one}: RSS peak while it is read, above before`,
        unit: "MB", better: "lower", runs: kinds[key].runs.map((x) => x.peak),
      }),
      figure({
        id: `memory.${key}.capped`, section, label: `${what}s refused with ResponseError (larger than maxResponseBytes)`,
        unit: "%", better: "higher", runs: [cappedPercent(kinds[key])],
        target: { op: ">=", value: 100, text: "100% (every one a ResponseError)" },
      }),
    ];
    const figures = [
      ...kindFigures("endless", "never-ending answer", {
        growth: "one never-ending answer",
        one: "one never-ending answer",
        first: "the first never-ending answer in the process: RSS growth (V8's heap grows to hold 16 MiB once)",
      }),
      ...kindFigures("bomb", "gzip bomb", {
        growth: `gzip bomb (${(server.bombBytes / 1e6).toFixed(2)} MB → 1 GiB)`,
        first: "the first gzip bomb (after the never-ending answers): RSS growth",
      }),
      figure({
        id: "memory.wasm.refused_growth", section,
        label: "wasm memory growth over the never-ending answers and bombs (after one ordinary call)",
        unit: "bytes", better: "lower", runs: [wasmAfterRefused - wasmBefore],
      }),
      figure({
        id: "memory.wasm.after_first", section, label: `wasm memory after the first ${LARGE_FIRST} answers of 1 MB`,
        unit: "bytes", better: "lower", runs: [wasmFirst],
      }),
      figure({
        id: "memory.wasm.after_all", section, label: `wasm memory after ${done.toLocaleString("en-US")} answers of 1 MB`,
        unit: "bytes", better: "lower", runs: [wasmAll],
      }),
      figure({
        id: "memory.wasm.growth", section,
        label: `wasm memory growth from ${LARGE_FIRST} to ${done.toLocaleString("en-US")} answers of 1 MB`,
        unit: "bytes", better: "lower", runs: [wasmAll - wasmFirst],
        target: { op: "<=", value: 0, text: "0 (the same size)" },
      }),
      figure({
        id: "memory.large.rss_growth", section,
        label: `RSS growth from ${LARGE_FIRST} to ${done.toLocaleString("en-US")} answers of 1 MB`,
        unit: "MB", better: "lower", runs: [MB(rssAll - rssFirst)],
      }),
    ];
    return {
      figures,
      details: {
        method: `One client of the installed package (its glue loaded directly, for the wasm memory), default maxResponseBytes (16 MiB), ` +
          `against this file forked as a node:http server on 127.0.0.1. RSS is process.memoryUsage.rss() before and after one call, each ` +
          `reading after ${gc ? "three forced collections" : "a pause (no gc available)"}; the peak is sampled every 5 ms while the call runs. ` +
          `Never-ending: 1 MiB chunks, no Content-Length, at most 2,000. Bomb: gzip -9 of 1 GiB of spaces and a valid v1 answer, with its ` +
          `Content-Length. Each kind: ${WARMUP_CALLS} warm-up calls, then ${REPEATS} measured ones. Then ${done} invokes answered with a 1 MB ` +
          `result, ${IN_FLIGHT} in flight; the wasm memory after the first ${LARGE_FIRST} and after all.`,
        repeats: REPEATS,
        warmupCalls: WARMUP_CALLS,
        forcedGc: Boolean(gc),
        bombCompressedBytes: server.bombBytes,
        warmups: { endless: kinds.endless.warmups, bomb: kinds.bomb.warmups },
        measured: { endless: kinds.endless.runs, bomb: kinds.bomb.runs },
        wasmBytes: { beforeRefused: wasmBefore, afterRefused: wasmAfterRefused, afterFirst: wasmFirst, afterAll: wasmAll },
        largeAnswers: { calls: done, inFlight: IN_FLIGHT, resultChars: RESULT_CHARS, wrongResults: wrong },
      },
    };
  } finally {
    await server.stop();
    project.cleanup();
  }
}

if (process.argv.includes("--serve")) {
  await serve();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  emit(await run());
  process.exit(0);
}
